"""Record planned or executed changes as SyncChange rows, in batches, and keep the counts."""

from collections import Counter, defaultdict
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from nautobot.extras.models.jobs import JOB_LOGS

from nautobot_data_sync.choices import ChangeActionChoices, ChangeStatusChoices
from nautobot_data_sync.modelmeta import InOrder
from nautobot_data_sync.models import SyncChange
from nautobot_data_sync.speedups.copyrows import insert_rows

_SYNC_CHANGE = InOrder(SyncChange)
RECORDS_DB = JOB_LOGS
"""Records are written on Nautobot's job-log connection, so they survive a rollback of the sync's own transaction."""

_ACTION_COUNT_FIELDS = {
    ChangeActionChoices.CREATE: "create_count",
    ChangeActionChoices.UPDATE: "update_count",
    ChangeActionChoices.DELETE: "delete_count",
    ChangeActionChoices.UNCHANGED: "unchanged_count",
}
_STATUS_COUNT_FIELDS = {
    ChangeStatusChoices.FAILED: "failed_count",
    ChangeStatusChoices.SKIPPED: "skipped_count",
    ChangeStatusChoices.CONFLICT: "conflict_count",
    ChangeStatusChoices.KEPT: "kept_count",
    ChangeStatusChoices.MOVED: "kept_count",  # a delete not done either
    ChangeStatusChoices.DRIFTED: "drifted_count",
}
WRITES = (ChangeActionChoices.CREATE, ChangeActionChoices.UPDATE)
COUNT_FIELDS = (*_ACTION_COUNT_FIELDS.values(), *_STATUS_COUNT_FIELDS.values())
"""The Sync columns that count its changes."""


class ObjectRef(NamedTuple):
    """A Nautobot object by its Django model and primary key: one just deleted, or one a plan re-creates."""

    model: type
    pk: object


def count_field(action, status):
    """The Sync column that counts a change: failed and skipped ones by status, the others by action."""
    return _STATUS_COUNT_FIELDS.get(status) or _ACTION_COUNT_FIELDS[action]


def model_count_key(action, status):
    """The key a change is counted under in ``counts_by_model``."""
    return status if status in _STATUS_COUNT_FIELDS else action


def iter_elements(diff):
    """Every DiffElement of ``diff``, parents before their children."""
    stack = list(diff.get_children())
    stack.reverse()
    while stack:
        element = stack.pop()
        yield element
        children = list(element.get_children())
        children.reverse()
        stack.extend(children)


class ChangeRecorder:
    """Buffers SyncChange rows and inserts them ``batch_size`` at a time; counts every outcome.

    ``unique_id_of(element)`` gives an element's unique id; ``lookup_objects(model_name, unique_ids)`` links rows to
    their Nautobot objects (asked only where the object should exist, once per model and batch). Unchanged elements
    are counted, and stored only when ``keep_unchanged`` is set.
    """

    def __init__(
        self, sync, unique_id_of, lookup_objects=None, batch_size=1000, keep_unchanged=False, shard=None, sequence=0
    ):
        self.sync = sync
        self.shard = shard  # the job run of a sharded sync recording (``SyncShard``), or None
        self.unique_id_of = unique_id_of
        self.lookup_objects = lookup_objects
        self.batch_size = batch_size
        self.keep_unchanged = keep_unchanged
        self.counts = Counter()
        self.counts_by_model = defaultdict(Counter)
        self.written = defaultdict(set)  # {model name: unique ids created or updated}
        self._buffer = []
        self._sequence = sequence  # the last sequence number used (a retried job run goes on after its earlier one)
        self._parents = {}  # {id(element): [[model name, identifiers], ...] of the elements above it}
        self.restored_pks = {}  # {(model name, unique id): ObjectRef}: creates that restore a deleted object

    def follow(self, diff):
        """Note where each element of ``diff`` sits, so that its record says (a plan is applied from its records)."""
        self._parents = {}
        stack = [(element, []) for element in diff.get_children()]
        while stack:
            element, parents = stack.pop()
            self._parents[id(element)] = parents
            below = [*parents, [element.type, element.keys]]
            stack.extend((child, below) for child in element.get_children())

    def add(self, element, status, message="", obj=None):
        """Count one element's outcome and queue its row; ``obj`` is its Nautobot object (or an ``ObjectRef``), when
        the caller has it at hand (then it is not looked up)."""
        action = element.action or ChangeActionChoices.UNCHANGED
        self._count(element.type, action, status)
        unique_id = None
        if status == ChangeStatusChoices.SUCCEEDED and action in WRITES:
            unique_id = self.unique_id_of(element)
            self.written[element.type].add(unique_id)
        if action == ChangeActionChoices.UNCHANGED and not self.keep_unchanged:
            return
        if len(self._buffer) >= self.batch_size:
            self.flush()  # before queuing this row: a created object is linkable only once diffsync has stored it
        diffs = element.get_attrs_diffs()
        row = self._row(
            model_name=element.type,
            unique_id=(unique_id or self.unique_id_of(element))[:500],
            action=action,
            status=status,
            attributes_before=diffs.get("-"),
            attributes_after=diffs.get("+"),
            message=str(message),
            identifiers=element.keys,
            parents=self._parents.get(id(element)),
        )
        if action == ChangeActionChoices.CREATE and obj is None:  # a plan to re-create a deleted object says which
            obj = self.restored_pks.get((element.type, row.unique_id))
        if isinstance(obj, (Model, ObjectRef)) and obj.pk is not None:  # also a deleted one: the record says which
            _link_to(row, obj)
        self._buffer.append(row)

    def add_conflict(self, model_name, unique_id, message, obj=None):
        """Record an object the target holds more than once (left alone by the sync); ``obj`` the duplicate."""
        self._count(model_name, ChangeActionChoices.UNCHANGED, ChangeStatusChoices.CONFLICT)
        row = self._row(
            model_name=model_name,
            unique_id=unique_id[:500],
            action=ChangeActionChoices.UNCHANGED,
            status=ChangeStatusChoices.CONFLICT,
            message=message,
        )
        if isinstance(obj, Model):
            _link_to(row, obj)
        self._buffer.append(row)

    def add_drifted(self, drift):
        """Record a planned change not applied (``plans.Drift``): its current values before, the plan's after."""
        change = drift.change
        self._count(change.model_name, change.action, ChangeStatusChoices.DRIFTED)
        row = self._row(
            model_name=change.model_name,
            unique_id=change.unique_id[:500],
            action=change.action,
            status=ChangeStatusChoices.DRIFTED,
            attributes_before=drift.current,
            attributes_after=change.after,
            message=drift.why,
            identifiers=change.identifiers,
            parents=change.parents,
        )
        self._buffer.append(row)

    def _row(self, **fields):
        """A new SyncChange of this recorder's sync (and job run), numbered in order; given their keys, not the objects
        (which Django would cache on every row and check again as it inserts each)."""
        self._sequence += 1
        shard_id = None if self.shard is None else self.shard.pk
        return _SYNC_CHANGE(sync_id=self.sync.pk, shard_id=shard_id, sequence=self._sequence, **fields)

    def add_unchanged(self, model_name, count):
        """Count ``count`` unchanged objects that have no diff element (the differ left them out)."""
        self._count(model_name, ChangeActionChoices.UNCHANGED, ChangeStatusChoices.SUCCEEDED, count)

    def _count(self, model_name, action, status, number=1):
        """Failed and skipped count by status, everything else by action."""
        self.counts[count_field(action, status)] += number
        self.counts_by_model[model_name][model_count_key(action, status)] += number

    def add_diff(self, diff, status, skip=frozenset(), kept=None):
        """Record every element of ``diff`` with ``status``, except those whose ``id()`` is in ``skip``, and those in
        ``kept`` (``{id(element): why}``: deletes not done, the object not being the job's) as kept."""
        kept = kept or {}
        for element in iter_elements(diff):
            if id(element) in kept:
                self.add(element, ChangeStatusChoices.KEPT, kept[id(element)])
            elif id(element) not in skip:
                self.add(element, status)

    def flush(self):
        """Link the buffered rows to their objects and insert them in one statement."""
        if not self._buffer:
            return
        if self.lookup_objects:
            self._link(self._buffer)
        insert_rows(self._buffer, using=RECORDS_DB, batch_size=self.batch_size)
        self._buffer = []

    def _link(self, rows):
        by_model = defaultdict(list)
        for row in rows:
            if row.changed_object_id is None and _linkable(row):
                by_model[row.model_name].append(row)
        for model_name, model_rows in by_model.items():
            objects = self.lookup_objects(model_name, [row.unique_id for row in model_rows])
            for row in model_rows:
                obj = objects.get(row.unique_id)
                if isinstance(obj, Model) and obj.pk is not None:
                    _link_to(row, obj)

    def mark_rolled_back(self, message):
        """After a rollback: every create, update or delete recorded as succeeded becomes skipped."""
        self.flush()
        undone = (ChangeActionChoices.CREATE, ChangeActionChoices.UPDATE, ChangeActionChoices.DELETE)
        SyncChange.objects.using(RECORDS_DB).filter(
            sync=self.sync, shard=self.shard, status=ChangeStatusChoices.SUCCEEDED, action__in=undone
        ).update(status=ChangeStatusChoices.SKIPPED, message=message)
        for action in undone:
            self.counts["skipped_count"] += self.counts.pop(_ACTION_COUNT_FIELDS[action], 0)
            for model_counts in self.counts_by_model.values():
                model_counts[ChangeStatusChoices.SKIPPED] += model_counts.pop(action, 0)

    def count_fields(self):
        """The Sync columns these counts fill, plus the per-model breakdown."""
        fields = {name: self.counts.get(name, 0) for name in COUNT_FIELDS}
        fields["counts_by_model"] = {model: dict(counts) for model, counts in self.counts_by_model.items()}
        return fields


def _linkable(row):
    """Whether the row's object should exist in Nautobot (not deleted by it, not a create that failed)."""
    gone = row.action == ChangeActionChoices.DELETE and row.status == ChangeStatusChoices.SUCCEEDED
    absent = row.action == ChangeActionChoices.CREATE and row.status not in (
        ChangeStatusChoices.SUCCEEDED,
        ChangeStatusChoices.DRIFTED,  # a create that drifted: the object exists already
    )
    return not (gone or absent)


def _link_to(row, obj):
    model = obj.model if isinstance(obj, ObjectRef) else obj
    row.changed_object_type_id = ContentType.objects.get_for_model(model).pk
    row.changed_object_id = obj.pk
    row.object_repr = (row.unique_id if isinstance(obj, ObjectRef) else str(obj))[:255]
