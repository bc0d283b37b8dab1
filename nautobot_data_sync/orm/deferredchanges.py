"""The change records of a sync's one-by-one writes (hand-written models, declarative ones outside bulk mode), built
per batch with ``changerecords.ChangeLog`` (``speedups.deferral`` defers them).

Around each object's write the executor calls ``begin()`` and ``end()``: its creates and updates are deferred, its
deletes logged at once as Nautobot logs them (after the pending records are built); a write that failed (rolled
back) leaves no record. Every ``batch_size`` pending records, and when the sync ends, they are built and inserted.
With the speed-up off, nothing changes: Nautobot logs each save itself.
"""

from contextlib import ExitStack
from itertools import islice

from django.db.models import prefetch_related_objects

from nautobot_data_sync.orm.changerecords import DELETE, ChangeLog, prefetch_paths
from nautobot_data_sync.speedups.deferral import Deferral


class DeferredChangeRecords:
    """Use as a context manager around a sync phase; ``begin()``/``end()`` around each one-by-one write."""

    def __init__(self, change_context, batch_size=500):
        self.batch_size = batch_size
        self.on = False
        self._deferral = Deferral(change_context)
        self._log = ChangeLog(change_context) if change_context is not None else None
        self._stack = ExitStack()

    def __enter__(self):
        self.on = self._stack.enter_context(self._deferral.installed())
        return self

    def __exit__(self, error_type, error, traceback):
        try:
            if self.on:
                self._deferral.deferring = False
                if error_type is None:
                    self.build()
                else:  # rolled back: nothing pending may be logged
                    self._forget(0)
        finally:
            self._stack.close()

    def begin(self, action):
        """Before one object's write: its mark (None with the speed-up off)."""
        if not self.on:
            return None
        if action == DELETE:
            self.build()
        self._deferral.deferring = action != DELETE
        return len(self._deferral.pending)

    def end(self, mark, succeeded):
        """After that write (committed, or rolled back when not ``succeeded``)."""
        if mark is None:
            return
        self._deferral.deferring = False
        if not succeeded:
            self._forget(mark)
        elif len(self._deferral.pending) >= self.batch_size:
            self.build()

    def build(self):
        """Build and insert the pending records, per model and action, related objects read once per batch."""
        batches = {}
        for entry in self._deferral.pending.values():
            batches.setdefault((type(entry["instance"]), entry["action"]), []).append(entry["instance"])
        self._deferral.pending.clear()
        for (model, action), objects in batches.items():
            prefetch_related_objects(objects, *prefetch_paths(model))
            self._log.insert(self._log.records(objects, action))  # filed in the context, as Nautobot files them

    def _forget(self, start):
        """Drop the pending records from position ``start`` on (their writes were rolled back)."""
        pending, noted = self._deferral.pending, self._deferral.context.deferred_object_changes
        for key in list(islice(pending, start, None)):
            del pending[key]
            noted.pop(key, None)
