"""Nautobot change-log records (ObjectChange) for objects written in bulk, with the data Nautobot itself stores.

Nautobot logs a change from ``post_save``/``pre_delete`` signals, one object at a time: ``to_objectchange()``
serializes the object twice (Django's serializer for ``object_data``, the REST API serializer at depth 1 for
``object_data_v2``), reading related objects and configuration again for every object. Here a batch of one model
is serialized together: the objects are read once with their related objects prefetched (so objects that share a
device or a location share one Python instance), the REST serializer runs once over the list (``many=True``),
nested related objects are represented once per batch, URLs reversed once per route, and the model's own
``to_objectchange()`` still builds each record (so its ``related_object`` and any override apply) from the
precomputed data. Natural slugs are computed once per object (each natural-key value slugified once per batch) and
custom field keys read once per serializer; configuration and cached values are read once per key (``sync.readonce``).
"""

import json
import re
import uuid
from contextlib import contextmanager, suppress

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Serializer as PythonSerializer
from django.db.models import QuerySet, prefetch_related_objects
from django.urls import NoReverseMatch
from nautobot.core import models as core_models
from nautobot.core.api import serializers as core_api_serializers
from nautobot.core.api.exceptions import SerializerNotFound
from nautobot.core.api.utils import (
    get_nested_serializer_depth,
    get_serializer_for_model,
    return_nested_serializer_data_based_on_depth,
)
from nautobot.core.constants import NATURAL_SLUG_SEPARATOR
from nautobot.core.models.utils import is_taggable
from nautobot.dcim.api.serializers import PathEndpointModelSerializerMixin
from nautobot.dcim.models import CablePath
from nautobot.extras.api.customfields import CustomFieldsDataField
from nautobot.extras.choices import ObjectChangeActionChoices
from nautobot.extras.constants import CHANGELOG_MAX_CHANGE_CONTEXT_DETAIL
from nautobot.extras.models import ObjectChange
from nautobot.extras.models import change_logging as change_logging_module
from nautobot.extras.signals import change_context_state
from rest_framework.fields import DateTimeField
from rest_framework.relations import HyperlinkedRelatedField, ManyRelatedField
from rest_framework.reverse import reverse as drf_reverse
from rest_framework.serializers import BaseSerializer, ListSerializer
from slugify import slugify

from nautobot_data_sync.orm.fields import foreign_keys

DEPTH = 1  # the depth Nautobot's serialize_object_v2() uses
MISSING = object()
UNSERIALIZED_APPS = {"extras", "data_validation"}  # generic relations (notes, contacts, metadata...) not serialized


@contextmanager
def change_logging_paused():
    """Nautobot's signal handlers log nothing inside the block (the bulk writer logs the changes itself)."""
    token = change_context_state.set(None)
    try:
        yield
    finally:
        change_context_state.reset(token)


def prefetch_paths(model):
    """Related objects the serializers read: forward foreign keys with what their natural keys walk (the natural
    slug of each nested object) and their reverse one-to-one fields, then the relations that point back at the
    object (see ``_backward_paths``)."""
    return [*_forward_paths(model), *_backward_paths(model)]


def _forward_paths(model):
    """Foreign keys, what their natural keys walk, and their reverse one-to-one fields (a nested device's bay)."""
    paths = []
    for field in foreign_keys(model):
        paths.append(field.name)
        paths.extend(f"{field.name}__{hops}" for hops in _natural_key_hops(field.related_model))
        paths.extend(
            f"{field.name}__{name}"
            for name, relation in _backward_relations(field.related_model)
            if relation.one_to_one
        )
    paths.extend(_natural_key_hops(model))
    return list(dict.fromkeys(paths))


def _backward_paths(model):
    """Many-to-many fields, reverse one-to-one fields and generic relations outside Nautobot's extras (e.g. an
    interface's cable termination and cable paths)."""
    return [name for name, _ in _backward_relations(model)] + [field.name for field in model._meta.many_to_many]


def _backward_relations(model):
    """``(name, relation)`` of the reverse one-to-one fields and serialized generic relations of ``model``."""
    return [
        (field.name, field)
        for field in model._meta.get_fields()
        if (field.one_to_one and field.auto_created)
        or (isinstance(field, GenericRelation) and field.related_model._meta.app_label not in UNSERIALIZED_APPS)
    ]


def _natural_key_hops(model):
    """The relations ``natural_key()`` of ``model`` walks: ``["location__parent", ...]``."""
    lookups = getattr(model, "natural_key_field_lookups", None) or []
    return sorted({lookup.rsplit("__", 1)[0] for lookup in lookups if "__" in lookup})


def load_for_logging(model, pks):
    """The objects ``pks`` of ``model``, with what their serialization reads prefetched."""
    return list(model._base_manager.filter(pk__in=pks).prefetch_related(*prefetch_paths(model)))


def prepare_for_logging(objects):
    """Prefetch what the serialization of ``objects`` (one model, in memory, as just written) reads."""
    if objects:
        prefetch_related_objects(objects, *prefetch_paths(type(objects[0])))
    return objects


def mark_new(objects):
    """Mark objects of one model about to be inserted as having no related objects (nothing points at them yet, and
    they get their many-to-many values once saved), so that their validation and serialization read none.
    ``.set()`` of a many-to-many value drops the mark of that relation."""
    if not objects:
        return
    to_many = [field.name for field in objects[0]._meta.many_to_many]
    for name, relation in _backward_relations(type(objects[0])):
        if relation.one_to_one:
            for obj in objects:
                relation.set_cached_value(obj, None)
        else:
            to_many.append(name)
    _prime_empty(objects, to_many)


def prepare_created_for_logging(objects, with_many_to_many):
    """``prepare_for_logging()`` for objects inserted after ``mark_new()``: only the foreign keys, and the
    many-to-many values of ``with_many_to_many`` (pks of the objects given some), are read."""
    if objects:
        prefetch_related_objects(objects, *_forward_paths(type(objects[0])))
        given = [obj for obj in objects if obj.pk in with_many_to_many]
        prefetch_related_objects(given, *(field.name for field in objects[0]._meta.many_to_many))
    return objects


def _prime_empty(objects, names):
    """Mark the to-many relations ``names`` of ``objects`` as prefetched and empty (one empty, never evaluated
    queryset per relation, shared: Django reads a prefetched queryset, or builds new ones from it)."""
    if not objects:
        return
    for name in names:
        manager = getattr(objects[0], name)
        empty = QuerySet(model=manager.model)
        empty.query.set_empty()  # so is anything built from it (e.g. by ``.set()``)
        empty._result_cache, empty._prefetch_done = [], True
        for obj in objects:
            obj.__dict__.setdefault("_prefetched_objects_cache", {})[manager.prefetch_cache_name] = empty


class _PrefetchedManyToManySerializer(PythonSerializer):
    """Django's "python" serializer, without the query it builds for a many-to-many value it then takes from the
    prefetched objects (Django builds it as the default of a ``dict.get()``)."""

    def handle_m2m_field(self, obj, field):
        prefetched = getattr(obj, "_prefetched_objects_cache", {}).get(field.name)
        if prefetched is None or not field.remote_field.through._meta.auto_created or self.use_natural_foreign_keys:
            return super().handle_m2m_field(obj, field)
        self._current[field.name] = [self._value_from_field(related, related._meta.pk) for related in prefetched]
        return None


def serialize_batch(objects):
    """``{pk: (object_data, object_data_v2)}`` for objects of one model, as Nautobot's serializers give them."""
    if not objects:
        return {}
    model = type(objects[0])
    v1 = {}
    # Django's "json" serializer writes each object with the pure-Python encoder; one dumps() of the "python"
    # serializer's output with the same encoder gives the same documents with the C encoder.
    records = json.loads(json.dumps(_PrefetchedManyToManySerializer().serialize(objects), cls=DjangoJSONEncoder))
    for obj, record in zip(objects, records, strict=True):
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
    serializer = serializer_class(objects, many=True, context=context)
    reverse = TemplatedReverse()
    _amortize(serializer.child, reverse)
    with _natural_key_lookups_fixed(model), _slug_parts_once(), _notes_urls_reversed_by(reverse):
        v2 = serializer.data
    return {obj.pk: (v1[obj.pk], dict(data)) for obj, data in zip(objects, v2, strict=True)}


@contextmanager
def _natural_key_lookups_fixed(model, depth=4):
    """Nautobot recomputes a model's ``natural_key_field_lookups`` (a class property) on every ``natural_key()``
    call; inside the block it is computed once for ``model`` and the models its foreign keys reach."""
    reached, frontier = {model}, [model]
    for _ in range(depth):
        frontier = [
            field.related_model
            for current in frontier
            for field in foreign_keys(current)
            if field.related_model not in reached
        ]
        reached.update(frontier)
    values = {
        current: current.natural_key_field_lookups
        for current in reached
        if hasattr(current, "natural_key_field_lookups")
    }
    saved = {}
    try:
        for current, value in values.items():
            saved[current] = vars(current).get("natural_key_field_lookups", MISSING)
            current.natural_key_field_lookups = value
        yield
    finally:
        for current, original in saved.items():
            if original is MISSING:
                del current.natural_key_field_lookups
            else:
                current.natural_key_field_lookups = original


def _amortize(serializer, reverse):
    """Per batch rather than per object, for ``serializer`` and the nested serializers it uses: each nested object
    represented once, custom field keys read once, URLs reversed once per route (``reverse``), the time zone of
    date-times looked up once; natural slugs computed once per object, not twice; cable paths read from what was
    prefetched."""
    for field in serializer.fields.values():
        nested = field.child if isinstance(field, ListSerializer) else field
        if isinstance(nested, BaseSerializer):
            nested.to_representation = _once_per_object(nested, reverse)
        link = field.child_relation if isinstance(field, ManyRelatedField) else field
        if isinstance(link, HyperlinkedRelatedField):
            link.reverse = reverse
        if isinstance(field, DateTimeField) and not hasattr(field, "timezone"):
            field.timezone = field.default_timezone()  # what DRF would look up for every value
    _natural_slug_once(serializer)
    if isinstance(serializer, PathEndpointModelSerializerMixin):
        _path_from_prefetched(serializer)
    custom_fields = serializer.fields.get("custom_fields")
    if isinstance(custom_fields, CustomFieldsDataField):
        keys = custom_fields.custom_field_keys
        custom_fields.to_representation = lambda data: {key: data.get(key) for key in keys}


def _natural_slug_once(serializer):
    """Nautobot's ``get_natural_slug()`` computes the slug twice (also as ``getattr()``'s default); here once."""
    compute = getattr(serializer, "get_natural_slug", None)
    if compute is None:
        return

    def get_natural_slug(instance):
        try:
            return instance.natural_slug
        except (AttributeError, NotImplementedError):
            return compute(instance)

    serializer.get_natural_slug = get_natural_slug


def _path_from_prefetched(serializer):
    """The connected-endpoint fields of a path endpoint (an interface...) from its prefetched cable paths: Nautobot
    asks ``cable_paths.first()`` three times per object, and each builds a new query, prefetched or not."""

    def path_of(obj):
        prefetched = getattr(obj, "_prefetched_objects_cache", {}).get("cable_paths")
        if prefetched is None:
            return obj.cable_paths.first()
        paths = list(prefetched)
        if not paths:
            return None
        return paths[0] if prefetched.ordered else min(paths, key=lambda path: path.pk)  # as first() orders them

    def destination_of(obj):
        with suppress(CablePath.DoesNotExist):
            path = path_of(obj)
            return None if path is None else path.destination
        return None

    def get_connected_endpoint_type(obj):
        destination = destination_of(obj)
        return None if destination is None else destination._meta.label_lower

    def get_connected_endpoint(obj):
        destination = destination_of(obj)
        if destination is None:
            return None
        depth = get_nested_serializer_depth(serializer)
        return return_nested_serializer_data_based_on_depth(serializer, depth, obj, destination, "connected_endpoint")

    def get_connected_endpoint_reachable(obj):
        with suppress(CablePath.DoesNotExist):
            path = path_of(obj)
            return None if path is None else path.is_active
        return None

    serializer.get_connected_endpoint_type = get_connected_endpoint_type
    serializer.get_connected_endpoint = get_connected_endpoint
    serializer.get_connected_endpoint_reachable = get_connected_endpoint_reachable


def _once_per_object(serializer, reverse):
    """``serializer.to_representation``, amortized (on first use) and computed once per object."""
    represent = serializer.to_representation
    memo = {}
    amortized = False

    def to_representation(instance):
        nonlocal amortized
        if not amortized:
            _amortize(serializer, reverse)
            amortized = True
        key = getattr(instance, "pk", None)
        if key is None:
            return represent(instance)
        if key not in memo:
            memo[key] = represent(instance)
        return memo[key]

    return to_representation


class TemplatedReverse:
    """DRF's ``reverse()`` for the URLs of a serialization without a request: each route with one URL-safe argument
    (an object's pk) reversed once, with a placeholder put in its argument's place; the same URLs."""

    PLACEHOLDER = "00000000-0000-4000-8000-000000000000"
    SAFE = re.compile(r"[0-9A-Za-z_-]+")

    def __init__(self):
        self.templates = {}

    def __call__(self, viewname, args=None, kwargs=None, request=None, format=None, **extra):  # noqa: A002 - DRF's
        values = [*(args or ()), *(kwargs or {}).values()]
        if request is not None or format is not None or extra or len(values) != 1:
            return drf_reverse(viewname, args=args, kwargs=kwargs, request=request, format=format, **extra)
        value = str(values[0])
        key = (viewname, tuple(kwargs) if kwargs else None)
        if key not in self.templates:
            self.templates[key] = self._template(viewname, kwargs)
        template = self.templates[key]
        if template is None or not self.SAFE.fullmatch(value):
            return drf_reverse(viewname, args=args, kwargs=kwargs)
        return template.replace(self.PLACEHOLDER, value)

    def _template(self, viewname, kwargs):
        try:
            if kwargs:
                url = drf_reverse(viewname, kwargs={name: self.PLACEHOLDER for name in kwargs})
            else:
                url = drf_reverse(viewname, args=[self.PLACEHOLDER])
        except NoReverseMatch:
            return None
        return url if url.count(self.PLACEHOLDER) == 1 else None


@contextmanager
def _notes_urls_reversed_by(reverse):
    """Inside the block, Nautobot's serializers reverse their ``notes_url`` with ``reverse``."""
    original = core_api_serializers.reverse
    core_api_serializers.reverse = reverse
    try:
        yield
    finally:
        core_api_serializers.reverse = original


@contextmanager
def _slug_parts_once():
    """Inside the block, natural slugs slugify each natural-key value once (the device name shared by its eight
    interfaces, the location of a hundred devices), an ASCII value without looking for emoji in it (there are none:
    every emoji has a non-ASCII character); the same slugs as Nautobot's ``construct_natural_slug()``."""
    construct = core_models.construct_natural_slug
    parts = {}

    def part(value):
        try:
            if value not in parts:
                text = "\0" if value is None else str(value)
                parts[value] = slugify(text) if text.isascii() else construct([value])
            return parts[value]
        except TypeError:  # not hashable
            return construct([value])

    def construct_natural_slug(values, pk=None):
        slugs = [part(value) for value in values]
        if isinstance(pk, uuid.UUID):
            slugs.append(part(str(pk)[:4]))  # Nautobot keeps the first four characters of a UUID
        elif pk is not None:
            slugs.append(construct([], pk=pk))
        return NATURAL_SLUG_SEPARATOR.join(slugs)

    core_models.construct_natural_slug = construct_natural_slug
    try:
        yield
    finally:
        core_models.construct_natural_slug = construct


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
