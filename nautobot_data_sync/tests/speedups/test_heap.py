"""A sync freezes the heap it starts with, collected first, and unfreezes it at the end."""

import gc
import weakref

from diffsync import DiffSyncModel
from django.test import SimpleTestCase

from nautobot_data_sync.speedups.heap import frozen_heap
from nautobot_data_sync.tests.fixtures.cases import RECORDS_V1, BulkJobTestCase


class Cycle:
    def __init__(self):
        self.me = self


def tracked(obj):
    """Whether the cyclic collector's walks include ``obj``."""
    return any(candidate is obj for candidate in gc.get_objects())


class FreezeHeapTest(SimpleTestCase):
    def test_garbage_is_collected_before_the_rest_is_frozen(self):
        garbage = weakref.ref(Cycle())  # unreachable, freed only by the cyclic collector
        alive = Cycle()
        with frozen_heap():
            self.assertIsNone(garbage(), "garbage frozen would be kept until the sync ends")
            self.assertGreater(gc.get_freeze_count(), 0)
            self.assertFalse(tracked(alive), "frozen: out of the collector's walks")
        self.assertEqual(gc.get_freeze_count(), 0)
        self.assertTrue(tracked(alive))


class SyncGarbageTest(BulkJobTestCase):
    """A sync's loaded models are freed when the job ends, without a full collection (the heap frozen, a worker's
    collector rarely runs one: its memory grew with every sync)."""

    def test_loaded_models_do_not_pile_up_from_sync_to_sync(self):
        gc.collect()
        gc.disable()  # only reference counting frees anything now
        try:
            alive = []
            # type(), not isinstance(): isinstance() of a dead weak proxy among the objects raises
            for _ in range(3):  # an initial sync, then two no-ops: each loads 10 models per side
                job_result, _sync = self.run_sync(RECORDS_V1)
                self.assertEqual(job_result.status, "SUCCESS")
                alive.append(sum(issubclass(type(obj), DiffSyncModel) for obj in gc.get_objects()))
        finally:
            gc.enable()
        self.assertEqual(alive[2], alive[1], f"models alive after each sync: {alive}")
        self.assertLess(alive[1], 20, "a no-op's 20 loaded models are not kept")
