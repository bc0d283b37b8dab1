"""One-by-one writes (hand-written models, declarative ones outside bulk mode) committed per batch with their change
records, built per batch with ``changerecords.ChangeLog`` (``speedups.deferral`` defers them).

Around each object's write the executor calls ``begin()`` and ``end()``. Creates and updates join the open batch (a
transaction; each object still in its own savepoint, so a failure undoes that object only) and their change records
are deferred; every ``batch_size`` of them, and before a delete or a bulk writer's batch, the records are built and
the batch committed, objects and records together, and only then are their outcomes recorded (``report``): a run
killed mid-batch leaves neither objects nor records of that batch, and its Data Sync lists what was committed.
Deletes are written and logged at once, as Nautobot logs them. With the speed-up off nothing changes: each object
commits alone and Nautobot logs each save itself.
"""

from contextlib import ExitStack
from itertools import islice

from django.db import transaction

from nautobot_data_sync.choices import ChangeStatusChoices
from nautobot_data_sync.orm.changerecords import DELETE, ChangeLog, logging_lookups
from nautobot_data_sync.orm.prefetching import prefetch
from nautobot_data_sync.speedups import heap
from nautobot_data_sync.speedups.deferral import Deferral

ROLLED_BACK = "Rolled back with the batch of one-by-one writes it was committed in"


class DeferredChangeRecords:
    """Use as a context manager around a sync phase; ``begin()``/``end()`` around each one-by-one write,
    ``succeeded()`` for one that did; ``report(element, status, message, obj)`` records outcomes."""

    def __init__(self, change_context, report, batch_size=500):
        self.report = report
        self.batch_size = batch_size
        self.on = False
        self._deferral = Deferral(change_context)
        self._log = ChangeLog(change_context) if change_context is not None else None
        self._outcomes = []  # (element, message, obj) of the open batch's writes
        self._batch = None  # the open batch's transaction
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
                else:
                    self._roll_back(error_type, error, traceback)
        finally:
            self._stack.close()

    def begin(self, action):
        """Before one object's write: its mark (None with the speed-up off, and for deletes)."""
        if not self.on:
            return None
        if action == DELETE:
            self.build()
            return None
        if self._batch is None:
            self._batch = transaction.atomic()
            self._batch.__enter__()
        self._deferral.deferring = True
        return len(self._deferral.pending)

    def end(self, mark, succeeded):
        """After that write (its savepoint released, or rolled back when not ``succeeded``)."""
        self._deferral.deferring = False
        if not succeeded:
            self._forget(mark)

    def succeeded(self, element, message="", obj=None):
        """That write succeeded: recorded once its batch is committed."""
        self._outcomes.append((element, message, obj))
        if len(self._deferral.pending) >= self.batch_size:
            self.build()

    def build(self):
        """Build the pending records, per model and action (related objects read once), commit the batch, then
        record its outcomes."""
        if self._batch is None:
            return
        batches = {}
        for entry in self._deferral.pending.values():
            batches.setdefault((type(entry["instance"]), entry["action"]), []).append(entry["instance"])
        self._deferral.pending.clear()
        for (model, action), objects in batches.items():
            prefetch(objects, *logging_lookups(model))
            self._log.insert(self._log.records(objects, action))  # filed in the context, as Nautobot files them
        batch, self._batch = self._batch, None
        batch.__exit__(None, None, None)
        outcomes, self._outcomes = self._outcomes, []
        for element, message, obj in outcomes:
            self.report(element, ChangeStatusChoices.SUCCEEDED, message, obj)
        heap.batch_written()

    def _roll_back(self, *error):
        """The sync stopped: the open batch is undone, and its writes recorded as skipped."""
        self._forget(0)
        if self._batch is not None:
            batch, self._batch = self._batch, None
            batch.__exit__(*error)
        outcomes, self._outcomes = self._outcomes, []
        for element, _, _ in outcomes:
            self.report(element, ChangeStatusChoices.SKIPPED, ROLLED_BACK)

    def _forget(self, start):
        """Drop the pending records from position ``start`` on (their writes were rolled back)."""
        pending, noted = self._deferral.pending, self._deferral.context.deferred_object_changes
        for key in list(islice(pending, start, None)):
            del pending[key]
            noted.pop(key, None)
