"""A sync freezes the heap it starts with, collected first, loads and diffs without automatic collections and freezes
what they allocated, freezes what each written batch leaves alive, and unfreezes the heap at the end."""

import gc
import weakref

from diffsync import DiffSyncModel
from django.test import SimpleTestCase
from nautobot.apps.jobs import register_jobs
from nautobot.extras.choices import JobResultStatusChoices

from nautobot_data_sync.speedups.heap import (
    YOUNG_GENERATION_THRESHOLD,
    batch_written,
    collection_paused,
    frozen_heap,
)
from nautobot_data_sync.tests.fixtures.cases import RECORDS_V1, BulkJobTestCase
from nautobot_data_sync.tests.fixtures.orm import OrmDeviceBulkSource


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

    def test_young_collections_are_rarer_in_the_block_and_as_before_after_it(self):
        before = gc.get_threshold()
        young_collections = []

        def count(phase, info):
            if phase == "stop" and info["generation"] == 0:
                young_collections.append(info)

        gc.callbacks.append(count)
        try:
            with frozen_heap():
                kept = [Cycle() for _ in range(YOUNG_GENERATION_THRESHOLD // 2)]  # Python's default: 14 collections
                self.assertEqual(young_collections, [])
                self.assertGreaterEqual(gc.get_count()[0], len(kept), "every allocation still awaits a collection")
        finally:
            gc.callbacks.remove(count)
        self.assertEqual(gc.get_threshold(), before)


class CollectionPausedTest(SimpleTestCase):
    def test_no_automatic_collection_in_the_block_and_what_it_allocated_frozen_until_the_heap_is_unfrozen(self):
        with frozen_heap():
            with collection_paused():
                self.assertFalse(gc.isenabled())
                garbage = weakref.ref(Cycle())
                loaded = Cycle()
                for _ in range(20_000):  # enough allocations for many young collections, were they on
                    Cycle()
                self.assertIsNotNone(garbage(), "no collection ran")
            self.assertTrue(gc.isenabled())
            self.assertFalse(tracked(loaded), "frozen: no collection walks what the loads allocated")
            gc.collect()
            self.assertIsNotNone(garbage(), "kept until the heap is unfrozen")
        self.assertTrue(tracked(loaded))
        gc.collect()
        self.assertIsNone(garbage())

    def test_a_collector_switched_off_stays_off(self):
        gc.disable()
        try:
            with collection_paused():
                pass
            self.assertFalse(gc.isenabled())
        finally:
            gc.enable()


class CollectorProbeSource(OrmDeviceBulkSource):
    """Notes whether the collector collects on its own while the source loads and while the sync writes."""

    enabled = {}
    frozen = {}

    class Meta(OrmDeviceBulkSource.Meta):
        name = "Test declarative device source (collector probe)"

    def load_source_adapter(self):
        self.enabled["source load"] = gc.isenabled()
        super().load_source_adapter()

    def execute_sync(self):
        self.enabled["sync"] = gc.isenabled()
        self.frozen["before the sync"] = gc.get_freeze_count()
        super().execute_sync()
        self.frozen["after the sync"] = gc.get_freeze_count()


register_jobs(CollectorProbeSource)


class SyncCollectionTest(BulkJobTestCase):
    job_class = CollectorProbeSource

    def test_a_sync_loads_without_automatic_collections_and_writes_with_them_freezing_what_batches_leave(self):
        job_result, sync = self.run_sync(RECORDS_V1)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.assertEqual(CollectorProbeSource.enabled, {"source load": False, "sync": True})
        self.assertTrue(gc.isenabled())
        frozen = CollectorProbeSource.frozen
        self.assertGreater(frozen["after the sync"], frozen["before the sync"], "the written batches' survivors frozen")


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


class BatchWrittenTest(SimpleTestCase):
    def test_a_written_batch_garbage_is_collected_and_what_it_left_alive_frozen(self):
        with frozen_heap():
            frozen = gc.get_freeze_count()
            garbage = weakref.ref(Cycle())
            kept = Cycle()
            batch_written()
            self.assertIsNone(garbage(), "the batch's garbage cycles are freed, not frozen")
            self.assertFalse(tracked(kept), "what the batch left alive is out of later full collections")
            self.assertGreater(gc.get_freeze_count(), frozen)
        self.assertTrue(tracked(kept), "unfrozen with the rest when the sync ends")

    def test_outside_a_sync_nothing_is_frozen(self):
        kept = Cycle()
        batch_written()
        self.assertEqual(gc.get_freeze_count(), 0)
        self.assertTrue(tracked(kept))
