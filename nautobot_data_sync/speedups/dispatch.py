"""Nautobot's dispatch of a job's change records, with the records' data read in chunks.

After a job, Nautobot walks every change record of the job (for job hooks, webhooks and events) with the records'
data deferred, and builds each record's snapshots with queries of its own (nautobot/nautobot#6303): the record's
data, and for an update or delete the object's previous change record: 9,000 queries for a sync that wrote 9,000
objects. While ``change_data_in_chunks()`` is active, a change record of the given request loaded without its
data gets it, and its previous record, from a chunk of the request's next records in time order (the dispatch's
order), read with two queries.

Nautobot's dispatch reads a record's data only to build the snapshots it hands to webhooks and event brokers. A
record that no enabled webhook and no registered event broker takes (by content type, action and topic, as the
dispatch selects them) gets no data at all: its snapshots are not built.

Where nothing takes any record of the request (no enabled job hook, webhook or event broker for any of its content
types and actions), every step of the walk returns without effect, so the walk reads no record at all: its
``iterator()``, in the job's thread, iterates an empty queryset (one query finds the request's content types and
actions first). Nautobot's tracing span then counts no records walked.
"""

from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.lookups import Exact
from django.db.models.signals import post_init
from nautobot.core import events
from nautobot.extras.models import JobHook, ObjectChange, Webhook

from nautobot_data_sync.speedups.patching import original, replaced

DATA_FIELDS = ("object_data", "object_data_v2")


def _previous_change():
    """The pk of the change record before the outer one for the same object (``get_prev_change()``'s answer)."""
    return Subquery(
        ObjectChange.objects.filter(
            changed_object_type=OuterRef("changed_object_type"),
            changed_object_id=OuterRef("changed_object_id"),
            time__lt=OuterRef("time"),
        )
        .exclude(pk=OuterRef("pk"))
        .order_by("-time")
        .values("pk")[:1]
    )


class _ChunkedChangeData:
    """A ``post_init`` receiver filling the deferred data of ``request_id``'s change records from chunks."""

    def __init__(self, request_id, chunk_size):
        self.request_id = request_id
        self.chunk_size = chunk_size
        self.chunk = {}
        self.consumed = {}  # {(content type id, action): whether a webhook or event broker takes such records}

    def __call__(self, sender, instance, **kwargs):
        loaded = instance.__dict__
        if (
            loaded.get("request_id") != self.request_id
            or "time" not in loaded
            or any(name in loaded for name in DATA_FIELDS)
        ):
            return
        if not self._is_consumed(instance):
            instance.get_snapshots = _snapshots_nobody_reads
            return
        if instance.pk not in self.chunk:
            self.chunk = self._read_chunk(instance.time)
        entry = self.chunk.pop(instance.pk, None)
        if entry is None:  # records sharing one timestamp beyond the chunk: Django reads them as usual
            return
        data, previous = entry
        loaded.update(zip(DATA_FIELDS, data, strict=True))
        instance.get_prev_change = _answer(instance, previous)

    def _is_consumed(self, record):
        key = (record.changed_object_type_id, record.action)
        if key not in self.consumed:
            self.consumed[key] = snapshots_are_consumed(ContentType.objects.get_for_id(key[0]), key[1])
        return self.consumed[key]

    def _read_chunk(self, since):
        rows = list(
            ObjectChange.objects.filter(request_id=self.request_id, time__gte=since)
            .order_by("time")
            .annotate(previous=_previous_change())
            .values_list("pk", "previous", *DATA_FIELDS)[: self.chunk_size]
        )
        previous = ObjectChange.objects.only(*DATA_FIELDS).in_bulk({row[1] for row in rows if row[1] is not None})
        return {pk: (data, previous.get(previous_pk)) for pk, previous_pk, *data in rows}


def snapshots_are_consumed(content_type, action):
    """Whether Nautobot's dispatch hands the snapshots of ``action`` records of ``content_type`` to anything: an
    enabled webhook for them, or a registered event broker whose topics take them."""
    topic = f"nautobot.{action}.{content_type.app_label}.{content_type.model}"
    for broker in events._EVENT_BROKERS:
        if events.is_topic_match(topic, broker.include_topics) and not events.is_topic_match(
            topic, broker.exclude_topics
        ):
            return True
    return Webhook.objects.filter(content_types=content_type, enabled=True, **{f"type_{action}": True}).exists()


def _snapshots_nobody_reads(*args, **kwargs):
    """A record's snapshots where nothing in the dispatch reads them: left unbuilt."""
    return {"prechange": None, "postchange": None, "differences": None}


def _answer(record, previous):
    """``record.get_prev_change`` answering from ``previous`` (asked with a user, it queries as Nautobot does)."""

    def get_prev_change(user=None, only=None):
        if user is not None:
            return ObjectChange.get_prev_change(record, user=user, only=only)
        return previous

    return get_prev_change


def nothing_takes(request_id):
    """Whether no enabled job hook, webhook or event broker takes any change record of ``request_id``."""
    records = ObjectChange.objects.filter(request_id=request_id).order_by()
    for type_id, action in records.values_list("changed_object_type_id", "action").distinct():
        content_type = ContentType.objects.get_for_id(type_id)
        hooks = JobHook.objects.filter(content_types=content_type, enabled=True, **{f"type_{action}": True})
        if hooks.exists() or snapshots_are_consumed(content_type, action):
            return False
    return True


def _is_walk_of(queryset, request_id):
    """Whether ``queryset`` is the dispatch's walk over ``request_id``'s records (oldest first, nothing else
    filtered)."""
    if queryset.model is not ObjectChange or tuple(queryset.query.order_by) != ("time",):
        return False
    where = queryset.query.where
    if len(where.children) != 1 or where.negated:
        return False
    condition = where.children[0]
    return (
        isinstance(condition, Exact)
        and getattr(condition.lhs, "target", None) is ObjectChange._meta.get_field("request_id")
        and condition.rhs == request_id
    )


def _walks_nothing_untaken(request_id):
    """``QuerySet.iterator()``, but for the walk over ``request_id``'s records when nothing takes any."""

    def iterator(queryset, *args, **kwargs):
        if _is_walk_of(queryset, request_id) and nothing_takes(request_id):
            queryset = queryset.none()
        return original(QuerySet, "iterator")(queryset, *args, **kwargs)

    return iterator


@contextmanager
def change_data_in_chunks(request_id, chunk_size=500):
    """Inside the block, change records of ``request_id`` loaded without their data get it in chunks, and the
    dispatch walks none of them if nothing takes any."""
    receiver = _ChunkedChangeData(request_id, chunk_size)
    post_init.connect(receiver, sender=ObjectChange, weak=False)
    try:
        with replaced(QuerySet, "iterator", _walks_nothing_untaken(request_id)):
            yield
    finally:
        post_init.disconnect(receiver, sender=ObjectChange)
