"""Change-record data (ObjectChange's ``object_data`` and ``object_data_v2``) serialized a batch at a time, with the
same result as Nautobot's per-object serialization.

Nautobot logs a change from ``post_save``/``pre_delete`` signals, one object at a time: ``to_objectchange()``
serializes the object twice (Django's serializer for ``object_data``, the REST API serializer at depth 1 for
``object_data_v2``), reading related objects and configuration again for every object. Inside ``precomputed()``
a batch of one model is serialized together (its related objects prefetched by the caller, so objects that share a
device or a location share one Python instance): one REST list serializer (``many=True``), built and amortized
once per batch (``representation``), runs over a chunk of objects at a time (only one chunk's data is held); the
"python" serializer's output is taken as Nautobot's JSON round trip would leave it, without the text; and the
model's own ``to_objectchange()`` still builds each record (so its ``related_object`` and any override apply) from
the precomputed data. With this speed-up off, ``to_objectchange()`` serializes each object as Nautobot does.

Nautobot's module functions are replaced through ``patching`` (in the serializing thread only); the batch's own
serializer objects, built for one batch, are amortized in place.
"""

import datetime
import decimal
import json
import uuid
from contextlib import ExitStack, contextmanager

from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Serializer as PythonSerializer
from django.db.models import Field
from nautobot.core import models as core_models
from nautobot.core.api import serializers as core_api_serializers
from nautobot.core.api.exceptions import SerializerNotFound
from nautobot.core.api.utils import get_serializer_for_model
from nautobot.core.models.utils import is_taggable
from nautobot.extras.models import change_logging as change_logging_module
from rest_framework.serializers import Serializer

from nautobot_data_sync.modelmeta import foreign_keys
from nautobot_data_sync.speedups.patching import original, replaced
from nautobot_data_sync.speedups.registry import SERIALIZATION, active
from nautobot_data_sync.speedups.representation import (
    TemplatedReverse,
    amortize,
    context,
    planned_to_representation,
    prefetched_of,
    reverse_through,
    slug_parts_once,
)

SERIALIZERS = ("serialize_object", "serialize_object_v2")  # as named in Nautobot's change_logging module


class _PrefetchedManyToManySerializer(PythonSerializer):
    """Django's "python" serializer, without the query it builds for a many-to-many value it then takes from the
    prefetched objects (Django builds it as the default of a ``dict.get()``)."""

    def handle_m2m_field(self, obj, field):
        prefetched = prefetched_of(obj, field.name)
        if prefetched is None or not field.remote_field.through._meta.auto_created or self.use_natural_foreign_keys:
            return super().handle_m2m_field(obj, field)
        self._current[field.name] = self.prefetched_values(prefetched)
        return None

    def prefetched_values(self, prefetched):
        """A many-to-many value from its prefetched objects, as ``handle_m2m_field()`` writes it."""
        return [self._value_from_field(related, related._meta.pk) for related in prefetched]


def serialize_batch(objects):
    """``{pk: (object_data, object_data_v2)}`` for objects of one model, as Nautobot's serializers give them."""
    return BatchSerializer(type(objects[0])).serialize(objects) if objects else {}


class BatchSerializer:
    """Serializes objects of ``model`` a chunk at a time; what is amortized per batch (the REST serializer and the
    nested ones it uses, URL templates, slugified natural-key values, nested objects' representations) is built once
    and shared by every chunk."""

    def __init__(self, model):
        self.model = model
        self.fields = _SerializedFields(model)
        try:
            serializer_class = get_serializer_for_model(model)
        except SerializerNotFound:
            self.serializer = None
            return
        self.serializer = serializer_class(many=True, context=context())
        self.reverse = TemplatedReverse()
        amortize(self.serializer.child, self.reverse)
        self.construct_natural_slug = slug_parts_once()
        self.natural_key_lookups = _natural_key_lookups(model)

    def serialize(self, objects):
        """``{pk: (object_data, object_data_v2)}`` of ``objects``."""
        v1 = self._object_data(objects)
        if self.serializer is None:
            return {obj.pk: (v1[obj.pk], v1[obj.pk]) for obj in objects}
        with ExitStack() as stack:
            for model, lookups in self.natural_key_lookups:
                stack.enter_context(replaced(model, "natural_key_field_lookups", lookups))
            stack.enter_context(replaced(core_models, "construct_natural_slug", self.construct_natural_slug))
            stack.enter_context(replaced(core_api_serializers, "reverse", reverse_through(self.reverse)))
            stack.enter_context(replaced(Serializer, "to_representation", planned_to_representation))
            v2 = self.serializer.to_representation(objects)  # what ``.data`` holds, without keeping it
        return {obj.pk: (v1[obj.pk], dict(data)) for obj, data in zip(objects, v2, strict=True)}

    def _object_data(self, objects):
        """``{pk: object_data}``. Nautobot writes each object with Django's "json" serializer and reads the text back;
        the "python" serializer's output, each value as that round trip leaves it (``_as_read_back()``), is the same."""
        v1 = {}
        rows = self.fields.rows(objects)
        taggable = is_taggable(objects[0])  # a question about the model (it builds a tags manager to answer)
        for obj, data in zip(objects, rows, strict=True):
            if hasattr(obj, "_custom_field_data"):
                data["custom_fields"] = data.pop("_custom_field_data")
            if taggable:
                prefetched = prefetched_of(obj, "tags")
                data["tags"] = [tag.name for tag in (obj.tags.all() if prefetched is None else prefetched)]
            for name in self.fields.private:  # Nautobot leaves them out
                data.pop(name, None)
            v1[obj.pk] = data
        return v1


class _SerializedFields:
    """The ``fields`` of Django's "python" serializer for objects of ``model``, each value as the JSON round trip
    leaves it. A local field the serializer reads through Django's own ``Field.value_from_object()`` and
    ``value_to_string()`` gives a ``str``, ``int``, ``bool``, ``float`` or ``None`` attribute as it is and a ``UUID``
    as its text, read here without the serializer's calls; any other field or value is the serializer's
    ``_value_from_field()``. Many-to-many values are the serializer's, for those fields only (taken from what was
    prefetched as it takes them, when all of a batch's are)."""

    def __init__(self, model):
        meta = model._meta.concrete_model._meta  # the fields the serializer reads, in its order
        self.local = [
            (field.name, field.attname if _reads_attribute(field) else None, field)
            for field in meta.local_fields
            if field.serialize
        ]
        self.many_to_many = [field.name for field in meta.local_many_to_many if field.serialize]
        # those the serializer writes (the others have a through model of their own, and no key in its output)
        self.listed = [
            field.name
            for field in meta.local_many_to_many
            if field.serialize and field.remote_field.through._meta.auto_created
        ]
        self.python = _PrefetchedManyToManySerializer()
        self.private = [name for name in (*(name for name, _, _ in self.local), *self.many_to_many) if name[0] == "_"]

    def rows(self, objects):
        """``[fields of each object]``, in the order of ``objects``."""
        rows = [self._local(obj) for obj in objects]
        if self.many_to_many:
            for row, values in zip(rows, self._many_to_many(objects), strict=True):
                row.update((name, _as_read_back(value)) for name, value in values.items())
        return rows

    def _many_to_many(self, objects):
        """Each object's many-to-many values as the serializer gives them. When every value it writes is prefetched,
        they are taken as its ``handle_m2m_field()`` takes them, without its loop over every field of every object."""
        prefetched = [[prefetched_of(obj, name) for name in self.listed] for obj in objects]
        if any(values is None for lists in prefetched for values in lists):
            return [record["fields"] for record in self.python.serialize(objects, fields=self.many_to_many)]
        value_of = self.python.prefetched_values
        return [
            {name: value_of(values) for name, values in zip(self.listed, lists, strict=True)} for lists in prefetched
        ]

    def _local(self, obj):
        row = {}
        for name, attname, field in self.local:
            if attname is not None:
                value = getattr(obj, attname)
                kind = type(value)
                if kind in _READ_BACK_AS_IS:  # protected, or the str itself
                    row[name] = value
                    continue
                if kind is uuid.UUID:  # not protected: str(value)
                    row[name] = str(value)
                    continue
            row[name] = _as_read_back(self.python._value_from_field(obj, field))
        return row


def _reads_attribute(field):
    kind = type(field)
    return kind.value_from_object is Field.value_from_object and kind.value_to_string is Field.value_to_string


_READ_BACK_AS_IS = frozenset({str, int, bool, float, type(None)})
"""Types whose values JSON text reads back as themselves (a float as the same float, or NaN as NaN)."""
_ENCODER = DjangoJSONEncoder()  # what ``json.dumps(..., cls=DjangoJSONEncoder)`` builds for each call
_READ_BACK_AS_DEFAULT = frozenset(
    {datetime.datetime, datetime.date, datetime.time, datetime.timedelta, decimal.Decimal, uuid.UUID}
)
"""Types the encoder writes as the string its ``default()`` returns, which reads back as that string."""
_EMPTY_READ_BACK = {dict: dict, list: list, tuple: list}
"""An empty value of each type reads back as a new one of these (a tuple as a list)."""


def _as_read_back(value):
    """``json.loads(json.dumps(value, cls=DjangoJSONEncoder))``, without the text where the result is known."""
    kind = type(value)
    if kind in _READ_BACK_AS_IS:
        return value
    if kind in _READ_BACK_AS_DEFAULT:
        return _ENCODER.default(value)
    if not value and kind in _EMPTY_READ_BACK:  # no custom field data, no many-to-many values: most objects
        return _EMPTY_READ_BACK[kind]()
    return json.loads(_ENCODER.encode(value))


def _natural_key_lookups(model, depth=4):
    """``[(model, its natural_key_field_lookups)]`` for ``model`` and the models its foreign keys reach: Nautobot
    recomputes that class property on every ``natural_key()`` call; a batch fixes it to its value."""
    reached, frontier = {model}, [model]
    for _ in range(depth):
        frontier = [
            field.related_model
            for current in frontier
            for field in foreign_keys(current)
            if field.related_model not in reached
        ]
        reached.update(frontier)
    return [
        (current, current.natural_key_field_lookups)
        for current in reached
        if hasattr(current, "natural_key_field_lookups")
    ]


@contextmanager
def precomputed(objects, chunk=250):
    """Inside the block, ``to_objectchange()`` of ``objects`` (one model, related objects prefetched) takes their data
    serialized as a batch instead of serializing each again; with this speed-up off, nothing changes. The data is
    serialized ``chunk`` objects at a time, when the first object of a chunk is asked for, and the previous chunk's
    is let go: a caller that builds and inserts the records a chunk at a time never holds a whole batch's data."""
    if not objects or not active(SERIALIZATION):
        yield
        return
    chunks = _Chunks(objects, chunk)
    object_data, object_data_v2 = (original(change_logging_module, name) for name in SERIALIZERS)

    def object_data_once(obj, extra=None, exclude=None):
        data = chunks.data_of(obj) if extra is None and exclude is None else None
        return object_data(obj, extra=extra, exclude=exclude) if data is None else data[0]

    def object_data_v2_once(obj):
        data = chunks.data_of(obj)
        return object_data_v2(obj) if data is None else data[1]

    with ExitStack() as stack:
        for name, replacement in zip(SERIALIZERS, (object_data_once, object_data_v2_once), strict=True):
            stack.enter_context(replaced(change_logging_module, name, replacement))
        yield


class _Chunks:
    """The serialized data of ``objects``, one chunk of ``size`` objects (in their order) held at a time."""

    def __init__(self, objects, size):
        self.objects, self.size = objects, size
        self.position = {obj.pk: index for index, obj in enumerate(objects)}
        self.batch = BatchSerializer(type(objects[0]))
        self.current = {}

    def data_of(self, obj):
        """``(object_data, object_data_v2)`` of ``obj``, or None if it is not one of the objects."""
        if obj.pk not in self.current:
            index = self.position.get(obj.pk)
            if index is None:
                return None
            start = index - index % self.size
            self.current = {}  # let the previous chunk's data go before the next one is built
            self.current = self.batch.serialize(self.objects[start : start + self.size])
        return self.current[obj.pk]
