"""A sync freezes the heap it starts with, collected first, and unfreezes it at the end."""

import gc
import weakref

from django.test import SimpleTestCase

from nautobot_data_sync.speedups.heap import frozen_heap


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
