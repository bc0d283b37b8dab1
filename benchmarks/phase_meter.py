"""Wall time and database queries of each phase of a nautobot-ssot job, which records only times itself.

The benchmark's nautobot-ssot job mixes ``MeteredPhases`` in; the figures of its last run are in ``PHASES``. Queries
are counted as this app counts its own (``nautobot_data_sync.sync.metrics.QueryCounter`` on the thread's "default"
connection), so the two columns compare.
"""

import time
from contextlib import contextmanager

from django.db import connections

from nautobot_data_sync.sync.metrics import QueryCounter

PHASES = {}
"""Phase label -> {"seconds": float, "queries": int}, filled in by the last run of a metered job."""


@contextmanager
def metered(label):
    counter = QueryCounter()
    started = time.perf_counter()
    try:
        with connections["default"].execute_wrapper(counter):
            yield
    finally:
        PHASES[label] = {"seconds": time.perf_counter() - started, "queries": counter.count}


class MeteredPhases:
    """Mixin for a nautobot-ssot DataSource: measures its four hooks, as the app's own phases are measured."""

    def load_source_adapter(self):
        PHASES.clear()
        with metered("Source load"):
            super().load_source_adapter()

    def load_target_adapter(self):
        with metered("Target load"):
            super().load_target_adapter()

    def calculate_diff(self):
        with metered("Diff calculation"):
            super().calculate_diff()

    def execute_sync(self):
        with metered("Sync execution"):
            super().execute_sync()
