"""Apply a calculated diff with diffsync's own syncer, recording each element's outcome."""

from contextlib import nullcontext

from diffsync.enum import DiffSyncActions, DiffSyncFlags, DiffSyncStatus
from diffsync.helpers import DiffSyncSyncer
from django.db import transaction

from nautobot_data_sync.choices import ChangeStatusChoices
from nautobot_data_sync.sync.recorder import ObjectRef, iter_elements


class SyncAborted(Exception):
    """An object failed and the transaction policy says to stop (and roll back) the whole sync."""


class OutcomeReport:
    """Records one element's outcome (``obj``: its Nautobot object, if at hand) with ``recorder``; a failure stops
    the sync (``SyncAborted``) when ``stop_on_failure`` is set. The syncer and a bulk writer report through it."""

    def __init__(self, recorder, stop_on_failure=False):
        self.recorder = recorder
        self.stop_on_failure = stop_on_failure

    def __call__(self, element, status, message="", obj=None):
        self.recorder.add(element, status, message, obj)
        if status == ChangeStatusChoices.FAILED and self.stop_on_failure:
            raise SyncAborted(f"{element.type} {self.recorder.unique_id_of(element)}: {message}")


class RecordingSyncer(DiffSyncSyncer):
    """diffsync's syncer with three additions.

    * Each create/update/delete runs in its own savepoint: an object that fails leaves nothing half-written. A
      declarative model's write that the writer only queues needs none (the writer writes each batch in its own).
    * Any exception from a model's create/update/delete is a failure of that object, not a crash of the sync,
      unless ``report`` stops on failure, in which case ``SyncAborted`` is raised.
    * Every element's outcome goes to ``report`` (an ``OutcomeReport``); elements never reached (under a failed
      parent) are recorded as skipped once the sync ends; the deletes in ``kept`` are recorded as kept, not done.

    With a ``writer`` (``orm.writer.BulkWriter``, reporting to the same ``report``), the writes the models queue
    there are recorded when the writer writes them; the writer is flushed when full and before a write it does not
    take, and finished at the end (``finish()``: what it holds to the end, such as deletes, is written then).
    """

    def __init__(  # the arguments of diffsync's syncer, then what it records to, writes through and leaves
        self,
        diff,
        source,
        target,
        report,
        logger,
        callback=None,
        flags=DiffSyncFlags.NONE,
        writer=None,
        kept=None,
        postponed=frozenset(),
        carriers=frozenset(),
        deferred=None,
    ):
        super().__init__(
            diff=diff,
            src_diffsync=source,
            dst_diffsync=target,
            flags=flags | DiffSyncFlags.CONTINUE_ON_FAILURE,
            callback=callback,
        )
        self.base_logger = self.logger = logger
        self.report = report
        self.recorder = report.recorder
        self.writer = writer
        self.kept = kept or {}  # {id(element): why}: deletes not to do (the objects are not the job's)
        self.postponed = postponed  # ids of deletes left to a later job run of a sharded sync: not done, not recorded
        self.carriers = carriers  # ids of elements that only hold others (a plan's): neither applied nor recorded
        self.deferred = deferred  # one-by-one writes committed per batch with their change records, or None
        self._elements = []  # stack: the element whose sync_model() is running is on top
        self._visited = set()
        self._outcome = None

    def perform_sync(self):
        """Apply the diff; then record what was never reached as skipped."""
        try:
            changed = super().perform_sync()
            if self.writer is not None:
                self._commit_deferred()
                self.writer.finish()
            return changed
        finally:
            self.recorder.add_diff(self.diff, ChangeStatusChoices.SKIPPED, skip=self._visited | self.carriers)

    def sync_diff_element(self, element, parent_model=None):
        if id(element) in self.postponed:
            self._visited.update(id(left) for left in (element, *iter_elements(element)))
            return False
        if id(element) in self.kept:  # a delete the job may not do: recorded, with what is under it, and left
            for kept in (element, *iter_elements(element)):
                self._visited.add(id(kept))
                self.recorder.add(kept, ChangeStatusChoices.KEPT, self.kept.get(id(kept), self.kept[id(element)]))
            return False
        self._elements.append(element)
        self._visited.add(id(element))
        try:
            return super().sync_diff_element(element, parent_model)
        finally:
            self._elements.pop()

    def sync_model(self, src_model, dst_model, ids, attrs):
        element = self._elements[-1]
        if self.action is None:
            if id(element) not in self.carriers:
                self.recorder.add(element, ChangeStatusChoices.SUCCEEDED)
            return (False, dst_model)
        writer = self.writer
        queued = False
        if writer is not None:
            model_class = getattr(self.dst_diffsync, element.type, None)
            queued = isinstance(model_class, type) and writer.accepts(model_class, self.action)
            if not queued:
                self._commit_deferred()
                writer.flush()  # this write happens now and may depend on queued ones
            writer.begin(element)
        mark = self.deferred.begin(self.action) if self.deferred is not None and not queued else None
        self._outcome = None
        deleted = _ref(dst_model) if self.action == DiffSyncActions.DELETE else None
        # a write only queued touches no table yet: the writer's batch savepoint covers it
        savepoint = not (queued and writer.only_queues(model_class, self.action))
        try:
            with transaction.atomic() if savepoint else nullcontext():
                changed, model = super().sync_model(src_model, dst_model, ids, attrs)
                status, message = self._outcome
                if status != DiffSyncStatus.SUCCESS and savepoint:
                    transaction.set_rollback(True)
        except Exception as error:  # any error in user CRUD code is this object's failure
            status, message = DiffSyncStatus.ERROR, f"{type(error).__name__}: {error}"
            self.logger.error(message)
        if mark is not None:
            self.deferred.end(mark, succeeded=status == DiffSyncStatus.SUCCESS)
        if status != DiffSyncStatus.SUCCESS:
            self.report(element, ChangeStatusChoices.FAILED, message)
            return (True, None)
        if writer is not None and writer.queued_element is element:
            if writer.full:
                self._commit_deferred()
                writer.flush()
        elif mark is not None:  # recorded once committed, with its change record
            self.deferred.succeeded(element, message, deleted)
        else:
            self.recorder.add(element, ChangeStatusChoices.SUCCEEDED, message, deleted)
        return (changed, model)

    def _commit_deferred(self):
        """Commit the one-by-one writes of the open batch (and their change records) before the writer writes."""
        if self.deferred is not None:
            self.deferred.build()

    def log_sync_status(self, action, status, message):
        self._outcome = (status, message)
        if status != DiffSyncStatus.SUCCESS:
            super().log_sync_status(action, status, message)


def _ref(model):
    """The Nautobot object a diffsync model stands for, when the model says (a declarative one: ``_model``, ``pk``),
    so that the record of its delete names it once it is gone."""
    django_model, pk = getattr(model, "_model", None), getattr(model, "pk", None)
    return ObjectRef(django_model, pk) if django_model is not None and pk is not None else None
