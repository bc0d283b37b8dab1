"""Nautobot change-log records (ObjectChange) for objects written in bulk, as Nautobot's signal handlers write them.

Nautobot logs a change from ``pre_save``/``post_save``/``pre_delete`` signals, one object at a time; objects written
in batches send none (``speedups.savetime.change_logging_paused()`` silences those that a batch's many-to-many and
delete writes send). ``ChangeLog`` builds the same records per batch: each object's own ``to_objectchange()`` (its
data serialized per batch by ``speedups.serialization``, the record built by ``speedups.objectchanges``), attributed
to the job's user, request id and change context, streamed into one ``COPY`` per batch as they are built (where
rows are copied; else inserted ``CHANGES_PER_INSERT`` at a time) and registered in the change context as Nautobot
registers them.
Related objects the serialization reads are prefetched once per batch.
"""

from collections import deque

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from nautobot.extras.choices import ObjectChangeActionChoices
from nautobot.extras.constants import CHANGELOG_MAX_CHANGE_CONTEXT_DETAIL
from nautobot.extras.models import ObjectChange

from nautobot_data_sync.modelmeta import backward_relations, foreign_keys, natural_key_hops
from nautobot_data_sync.orm.prefetching import prefetch
from nautobot_data_sync.speedups.copyrows import QueryDuringCopy, copies, insert_rows, insert_stream
from nautobot_data_sync.speedups.deferral import change_key
from nautobot_data_sync.speedups.objectchanges import built_in_order
from nautobot_data_sync.speedups.representation import prefetch_lookups
from nautobot_data_sync.speedups.serialization import precomputed

CREATE, UPDATE, DELETE = (
    ObjectChangeActionChoices.ACTION_CREATE,
    ObjectChangeActionChoices.ACTION_UPDATE,
    ObjectChangeActionChoices.ACTION_DELETE,
)
CHANGES_PER_INSERT = 250
"""Objects whose change records are serialized at a time (each carries two JSON documents), and records per insert
where rows are not copied."""


class ChangeLog:
    """The change records of one sync's bulk writes, attributed to ``change_context`` (Nautobot's, of the job)."""

    def __init__(self, change_context):
        self.change_context = change_context

    def created(self, objects, with_many_to_many):
        """Log ``objects`` (one model) just inserted after ``validation.mark_new()``; ``with_many_to_many``: the pks
        of those given many-to-many values (the others have none to read)."""
        if objects and hasattr(objects[0], "to_objectchange"):
            prefetch(objects, *_forward_paths(type(objects[0])))
            given = [obj for obj in objects if obj.pk in with_many_to_many]
            prefetch(given, *prefetch_lookups(type(objects[0]), _set_since_marked_new(given)))
            self._log(objects, CREATE)

    def updated(self, objects):
        """Log ``objects`` (one model) just updated in memory and in the database."""
        if objects and hasattr(objects[0], "to_objectchange"):
            prefetch(objects, *logging_lookups(type(objects[0])))
            self._log(objects, UPDATE)

    def before_update(self, objects):
        """As Nautobot does before an update: keep the current data of objects that have no change record yet."""
        if not objects or not hasattr(objects[0], "to_objectchange"):
            return
        logged = set(
            ObjectChange.objects.filter(changed_object_id__in=[obj.pk for obj in objects])
            .values_list("changed_object_id", flat=True)
            .distinct()
        )
        unlogged = [obj.pk for obj in objects if obj.pk not in logged]
        if not unlogged:
            return
        unlogged = load_for_logging(type(objects[0]), unlogged)
        context = self.change_context
        if context.pre_object_data is None:
            context.pre_object_data = {}
        if context.pre_object_data_v2 is None:
            context.pre_object_data_v2 = {}
        with precomputed(unlogged), built_in_order():
            for obj in unlogged:
                change = obj.to_objectchange(UPDATE)
                context.pre_object_data.setdefault(str(obj.pk), change.object_data)
                context.pre_object_data_v2.setdefault(str(obj.pk), change.object_data_v2)

    def before_delete(self, collected):
        """The records of the objects a delete is about to remove (``{model: objects}`` of a Django Collector),
        built while they still exist; ``deleted()`` inserts them."""
        records = []
        for model, objects in collected.items():
            if hasattr(model, "to_objectchange"):
                records += self.records(load_for_logging(model, [obj.pk for obj in objects]), DELETE)
        return records

    def deleted(self, records):
        self.insert(records)

    def _log(self, objects, action):
        """Build and insert the records of ``objects``, serialized as one batch ``CHANGES_PER_INSERT`` objects at a
        time (``precomputed()``): each record holds two JSON documents, and a whole batch's at once would set the
        sync's peak memory. Where rows are copied, one ``COPY`` reads the records as they are built
        (``_Streamed``): PostgreSQL inserts those sent while the next are serialized."""
        with precomputed(objects, chunk=CHANGES_PER_INSERT), built_in_order():
            if not copies(ObjectChange):
                for start in range(0, len(objects), CHANGES_PER_INSERT):
                    self.insert(self._built(objects[start : start + CHANGES_PER_INSERT], action))
                return
            records = _Streamed(self, objects, action)
            while records.left:
                insert_stream(ObjectChange, records)

    def records(self, objects, action):
        """Unsaved ObjectChange records of ``objects`` (one model, related objects prefetched)."""
        with precomputed(objects, chunk=CHANGES_PER_INSERT), built_in_order():
            return self._built(objects, action)

    def _built(self, objects, action):
        """The records of ``objects``, inside ``precomputed()``."""
        return [change for change in (self._record(obj, action) for obj in objects) if change is not None]

    def _record(self, obj, action):
        """The record of ``obj`` (None if its model logs none), inside ``precomputed()``."""
        context = self.change_context
        change = obj.to_objectchange(action)
        if change is not None:
            user = context.get_user(obj)
            change.user = user
            change.user_name = user.username if user else ""
            change.request_id = context.change_id
            change.change_context = context.context
            change.change_context_detail = context.context_detail[:CHANGELOG_MAX_CHANGE_CONTEXT_DETAIL]
            if action == DELETE:
                change.changed_object = None
                change.changed_object_type_id = ContentType.objects.get_for_model(obj).pk
                change.changed_object_id = obj.pk
        return change

    def insert(self, records):
        """Insert the records and register them (``register()``)."""
        insert_rows(records, batch_size=CHANGES_PER_INSERT)
        for change in records:
            self.register(change)

    def register(self, change):
        """As Nautobot's signal handlers do, so that a later save of the same object in this job updates its record
        instead of adding one."""
        key = change_key(change.changed_object_type_id, change.changed_object_id, change.user)
        self.change_context.deferred_object_changes[key] = [{"action": change.action, "user": change.user}]


class _Streamed:
    """The change records of ``objects``, built as a ``COPY`` reads them (``insert_stream()``); while it streams, a
    record that needs a query to be built ends it, unbuilt (``left``). The next ``COPY`` then starts with that
    record's chunk of ``CHANGES_PER_INSERT`` objects built before it streams, where the database can be queried: a
    chunk ends at most one ``COPY``, even if every record needs queries. Each record is registered
    (``ChangeLog.register()``) as it is built."""

    def __init__(self, log, objects, action):
        self.log, self.objects, self.action = log, objects, action
        self.position = 0  # of the next object whose record is built
        self.ready = deque()  # records built ahead of the COPY
        self.refused = False

    @property
    def left(self):
        return bool(self.ready) or self.position < len(self.objects)

    def __iter__(self):
        return self

    def __next__(self):
        if self.refused:  # the first record a new COPY reads, before it starts: its chunk built now
            self.refused = False
            end = min(self.position - self.position % CHANGES_PER_INSERT + CHANGES_PER_INSERT, len(self.objects))
            self.ready.extend(self._built(end))
        if self.ready:
            return self.ready.popleft()
        while self.position < len(self.objects):
            try:
                change = self.log._record(self.objects[self.position], self.action)
            except QueryDuringCopy:
                self.refused = True
                raise StopIteration from None
            self.position += 1
            if change is not None:
                self.log.register(change)
                return change
        raise StopIteration

    def _built(self, end):
        records = self.log._built(self.objects[self.position : end], self.action)
        self.position = end
        for change in records:
            self.log.register(change)
        return records


def _set_since_marked_new(objects):
    """The many-to-many fields some of ``objects`` (new, of one model) were given values for: ``.set()`` dropped their
    prefetched empty list (``validation.mark_new()``), which the others still hold."""
    if not objects:
        return []
    return [
        field.name
        for field in type(objects[0])._meta.many_to_many
        if any(field.name not in obj.__dict__.get("_prefetched_objects_cache", {}) for obj in objects)
    ]


def logging_lookups(model):
    """The prefetch lookups of objects of ``model`` whose change records are built next (``prefetch_paths()``, some
    fetched as lists: ``representation.prefetch_lookups()``)."""
    return prefetch_lookups(model, prefetch_paths(model))


def prefetch_paths(model):
    """Related objects the serializers read: forward foreign keys with what their natural keys walk (the natural
    slug of each nested object) and their reverse one-to-one fields, then the relations that point back at the
    object (many-to-many fields, reverse one-to-one fields, serialized generic relations)."""
    backward = [name for name, _ in backward_relations(model)] + [field.name for field in model._meta.many_to_many]
    return [*_forward_paths(model), *backward]


def _forward_paths(model):
    """Foreign keys, what their natural keys walk, and their reverse one-to-one fields (a nested device's bay); generic
    foreign keys (an object metadata's object, which its display names)."""
    paths = [field.name for field in model._meta.private_fields if isinstance(field, GenericForeignKey)]
    for field in foreign_keys(model):
        paths.append(field.name)
        paths.extend(f"{field.name}__{hops}" for hops in natural_key_hops(field.related_model))
        paths.extend(
            f"{field.name}__{name}" for name, relation in backward_relations(field.related_model) if relation.one_to_one
        )
    paths.extend(natural_key_hops(model))
    return list(dict.fromkeys(paths))


def load_for_logging(model, pks):
    """The objects ``pks`` of ``model``, with what their serialization reads prefetched."""
    objects = list(model._base_manager.filter(pk__in=pks))
    prefetch(objects, *logging_lookups(model))
    return objects
