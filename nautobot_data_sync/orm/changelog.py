"""Nautobot change-log records (ObjectChange) for objects written in bulk, with the data Nautobot itself stores.

Nautobot logs a change from ``post_save``/``pre_delete`` signals, one object at a time: ``to_objectchange()``
serializes the object twice (Django's serializer for ``object_data``, the REST API serializer at depth 1 for
``object_data_v2``), reading related objects and configuration again for every object. Here a batch of one model
is serialized together: the objects are read once with their related objects prefetched (so objects that share a
device or a location share one Python instance), the REST serializer runs once over the list (``many=True``),
Constance configuration is read once per key (``config_read_once``), and the model's own ``to_objectchange()``
still builds each record (so its ``related_object`` and any override apply) from the precomputed data.
"""

import json
from contextlib import contextmanager

from constance import config
from django.contrib.contenttypes.models import ContentType
from django.core.serializers import serialize
from django.db.models import ForeignKey, OneToOneField, prefetch_related_objects
from nautobot.core.api.exceptions import SerializerNotFound
from nautobot.core.api.utils import get_serializer_for_model
from nautobot.core.models.utils import is_taggable
from nautobot.extras.choices import ObjectChangeActionChoices
from nautobot.extras.constants import CHANGELOG_MAX_CHANGE_CONTEXT_DETAIL
from nautobot.extras.models import ObjectChange
from nautobot.extras.models import change_logging as change_logging_module
from nautobot.extras.signals import change_context_state

DEPTH = 1  # the depth Nautobot's serialize_object_v2() uses


class _ReadOnceBackend:
    """A Constance backend that reads each key from the real backend once."""

    def __init__(self, backend):
        self.backend = backend
        self.values = {}

    def get(self, key):
        if key not in self.values:
            self.values[key] = self.backend.get(key)
        return self.values[key]

    def __getattr__(self, name):
        return getattr(self.backend, name)


@contextmanager
def config_read_once():
    """Read each Constance setting (``get_settings_or_config()``) from Redis at most once inside the block."""
    backend = config._backend
    config._backend = _ReadOnceBackend(backend)
    try:
        yield
    finally:
        config._backend = backend


@contextmanager
def change_logging_paused():
    """Nautobot's signal handlers log nothing inside the block (the bulk writer logs the changes itself)."""
    token = change_context_state.set(None)
    try:
        yield
    finally:
        change_context_state.reset(token)


def prefetch_paths(model):
    """Related objects the serializers read: forward foreign keys (two hops) and many-to-many fields."""
    paths = []
    for field in model._meta.concrete_fields:
        if isinstance(field, (ForeignKey, OneToOneField)):
            paths.append(field.name)
            related = field.related_model
            paths.extend(
                f"{field.name}__{inner.name}"
                for inner in related._meta.concrete_fields
                if isinstance(inner, (ForeignKey, OneToOneField)) and inner.related_model is not model
            )
    paths.extend(field.name for field in model._meta.many_to_many)
    return paths


def load_for_logging(model, pks):
    """The objects ``pks`` of ``model``, with what their serialization reads prefetched."""
    return list(model._base_manager.filter(pk__in=pks).prefetch_related(*prefetch_paths(model)))


def prepare_for_logging(objects):
    """Prefetch what the serialization of ``objects`` (one model, in memory, as just written) reads."""
    if objects:
        prefetch_related_objects(objects, *prefetch_paths(type(objects[0])))
    return objects


def serialize_batch(objects):
    """``{pk: (object_data, object_data_v2)}`` for objects of one model, as Nautobot's serializers give them."""
    if not objects:
        return {}
    model = type(objects[0])
    v1 = {}
    for obj, record in zip(objects, json.loads(serialize("json", objects)), strict=True):
        data = record["fields"]
        if hasattr(obj, "_custom_field_data"):
            data["custom_fields"] = data.pop("_custom_field_data")
        if is_taggable(obj):
            data["tags"] = [tag.name for tag in obj.tags.all()]
        v1[obj.pk] = {key: value for key, value in data.items() if not (isinstance(key, str) and key.startswith("_"))}
    try:
        serializer_class = get_serializer_for_model(model)
    except SerializerNotFound:
        return {obj.pk: (v1[obj.pk], v1[obj.pk]) for obj in objects}
    context = {"request": None, "depth": DEPTH, "exclude_m2m": False}
    v2 = serializer_class(objects, many=True, context=context).data
    return {obj.pk: (v1[obj.pk], dict(data)) for obj, data in zip(objects, v2, strict=True)}


@contextmanager
def _precomputed(serialized):
    """``to_objectchange()`` takes the serialized data of ``serialized`` objects instead of computing it again."""
    originals = change_logging_module.serialize_object, change_logging_module.serialize_object_v2

    def object_data(obj, extra=None, exclude=None):
        if extra is None and exclude is None and obj.pk in serialized:
            return serialized[obj.pk][0]
        return originals[0](obj, extra=extra, exclude=exclude)

    def object_data_v2(obj):
        return serialized[obj.pk][1] if obj.pk in serialized else originals[1](obj)

    change_logging_module.serialize_object, change_logging_module.serialize_object_v2 = object_data, object_data_v2
    try:
        yield
    finally:
        change_logging_module.serialize_object, change_logging_module.serialize_object_v2 = originals


def object_changes(objects, action, change_context, serialized=None):
    """Unsaved ObjectChange records for ``objects`` (one model) attributed to ``change_context``.

    ``serialized`` is ``serialize_batch(objects)`` when already computed (e.g. before a delete).
    """
    serialized = serialize_batch(objects) if serialized is None else serialized
    changes = []
    with _precomputed(serialized):
        for obj in objects:
            change = obj.to_objectchange(action)
            if change is None:
                continue
            user = change_context.get_user(obj)
            change.user = user
            change.user_name = user.username if user else ""
            change.request_id = change_context.change_id
            change.change_context = change_context.context
            change.change_context_detail = change_context.context_detail[:CHANGELOG_MAX_CHANGE_CONTEXT_DETAIL]
            if action == ObjectChangeActionChoices.ACTION_DELETE:
                change.changed_object = None
                change.changed_object_type_id = _content_type_id(obj)
                change.changed_object_id = obj.pk
            changes.append(change)
    return changes


def remember_pre_change_data(objects, change_context):
    """As Nautobot does before an update: keep the current data of objects that have no change record yet."""
    if not objects:
        return
    logged = set(
        ObjectChange.objects.filter(changed_object_id__in=[obj.pk for obj in objects])
        .values_list("changed_object_id", flat=True)
        .distinct()
    )
    unlogged = [obj for obj in objects if obj.pk not in logged]
    if not unlogged:
        return
    serialized = serialize_batch(load_for_logging(type(objects[0]), [obj.pk for obj in unlogged]))
    if change_context.pre_object_data is None:
        change_context.pre_object_data = {}
    if change_context.pre_object_data_v2 is None:
        change_context.pre_object_data_v2 = {}
    for pk, (data, data_v2) in serialized.items():
        change_context.pre_object_data.setdefault(str(pk), data)
        change_context.pre_object_data_v2.setdefault(str(pk), data_v2)


def _content_type_id(obj):
    return ContentType.objects.get_for_model(obj).pk
