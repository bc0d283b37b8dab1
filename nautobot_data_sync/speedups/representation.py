"""A model's REST serializer amortized over a batch, for change records: what Nautobot's ``serialize_object_v2()``
computes again for every object is computed once per batch, with the same representations.

``amortize()`` changes a serializer built for one batch (and the nested serializers it uses) in place: fields read
without DRF's per-value checks where they cannot apply, nested related objects represented once per batch,
many-to-many lists taken from what was prefetched (``prefetch_lookups()`` fetches them into plain lists, without
Django's related manager and queryset per object and field), URLs reversed once per route (``TemplatedReverse``),
natural slugs computed once per object (each natural-key value slugified once per batch: ``slug_parts_once()``),
custom field keys read once per serializer, a path endpoint's connected endpoint read from its prefetched cable
paths. ``serialization`` runs it, within its speed-up.
"""

import re
import uuid
from collections.abc import Mapping
from contextlib import suppress
from functools import cache

from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch
from nautobot.core import models as core_models
from nautobot.core.api.exceptions import SerializerNotFound
from nautobot.core.api.utils import (
    get_nested_serializer_depth,
    get_serializer_for_model,
    return_nested_serializer_data_based_on_depth,
)
from nautobot.core.constants import NATURAL_SLUG_SEPARATOR
from nautobot.dcim.api.serializers import PathEndpointModelSerializerMixin
from nautobot.dcim.models import CablePath
from nautobot.dcim.models.device_components import PathEndpoint
from nautobot.extras.api.customfields import CustomFieldsDataField
from rest_framework.fields import CharField, DateTimeField, Field, IntegerField, SkipField
from rest_framework.relations import HyperlinkedRelatedField, ManyRelatedField, PKOnlyObject
from rest_framework.reverse import reverse as drf_reverse
from rest_framework.serializers import BaseSerializer, ListSerializer, Serializer
from slugify import slugify

from nautobot_data_sync.speedups.patching import original
from nautobot_data_sync.speedups.registry import SERIALIZATION, active

LISTED = "_data_sync_listed_"
"""The attribute prefix of the related objects ``prefetch_lookups()`` fetches into lists."""
DEPTH = 1  # the depth Nautobot's serialize_object_v2() uses
# Nautobot 3.2 reads a path endpoint's connected endpoint from its cable paths (three queries per object); 3.1 from
# its ``_path`` foreign key, which is prefetched with the rest.
CABLE_PATHS = hasattr(PathEndpoint, "cable_paths")


def context():
    """The serializer context of Nautobot's ``serialize_object_v2()``: no request, depth 1, many-to-many included."""
    return {"request": None, "depth": DEPTH, "exclude_m2m": False}


def amortize(serializer, reverse):
    """Per batch rather than per object, for ``serializer`` and the nested serializers it uses: each nested object
    represented once, custom field keys read once, URLs reversed once per route (``reverse``), the time zone of
    date-times looked up once; natural slugs computed once per object, not twice; cable paths read from what was
    prefetched."""
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    for field in serializer.fields.values():
        _plain_attribute(field)
        _prefetched_many_to_many(field, model)
        nested = field.child if isinstance(field, ListSerializer) else field
        if isinstance(nested, BaseSerializer):
            nested.to_representation = _once_per_object(nested, reverse)
        link = field.child_relation if isinstance(field, ManyRelatedField) else field
        if isinstance(link, HyperlinkedRelatedField):
            link.reverse = reverse
        if isinstance(field, DateTimeField) and not hasattr(field, "timezone"):
            field.timezone = field.default_timezone()  # what DRF would look up for every value
    _natural_slug_once(serializer)
    if isinstance(serializer, PathEndpointModelSerializerMixin) and CABLE_PATHS:
        _path_from_prefetched(serializer)
    custom_fields = serializer.fields.get("custom_fields")
    if isinstance(custom_fields, CustomFieldsDataField):
        keys = custom_fields.custom_field_keys
        custom_fields.to_representation = lambda data: {key: data.get(key) for key in keys}
    serializer.__dict__[_PLAN] = [
        (field.field_name, field.get_attribute, field.to_representation, _represented_as_itself(field))
        for field in serializer._readable_fields
    ]


_PLAN = "_data_sync_plan"
"""The attribute of an amortized serializer that holds its plan: per readable field, its name, its (amortized)
``get_attribute`` and ``to_representation``, and the type of value it represents as the value itself."""
_AS_ITSELF = {CharField.to_representation: str, IntegerField.to_representation: int}
"""DRF's ``str(value)`` and ``int(value)``: a value of exactly that type is its own representation."""


def _represented_as_itself(field):
    return _AS_ITSELF.get(type(field).to_representation)


def planned_to_representation(serializer, instance):
    """DRF's ``Serializer.to_representation()``, for an amortized serializer from its plan: its readable fields
    listed once per batch, not per object, and a value represented as itself left as it is; the same result."""
    plan = serializer.__dict__.get(_PLAN)
    if plan is None:
        return original(Serializer, "to_representation")(serializer, instance)
    data = {}
    for name, get_attribute, to_representation, as_itself in plan:
        try:
            attribute = get_attribute(instance)
        except SkipField:
            continue
        if (attribute.pk if isinstance(attribute, PKOnlyObject) else attribute) is None:
            data[name] = None
        elif type(attribute) is as_itself:
            data[name] = attribute
        else:
            data[name] = to_representation(attribute)
    return data


def _plain_attribute(field):
    """DRF's ``Field.get_attribute()`` without its per-value checks where they cannot apply: a field whose source is the
    object itself (a method field) gets the object; one whose source is one attribute gets that attribute, unless it
    is callable or missing, which DRF's own path handles."""
    if type(field).get_attribute is not Field.get_attribute or isinstance(field, BaseSerializer):
        return
    if field.source_attrs == []:
        field.get_attribute = lambda instance: instance
    elif len(field.source_attrs) == 1:
        (name,) = field.source_attrs
        by_drf = field.get_attribute

        def get_attribute(instance):
            if isinstance(instance, Mapping):
                return by_drf(instance)
            try:
                value = getattr(instance, name)
            except Exception:  # noqa: BLE001 - DRF decides what a missing value means for this field
                return by_drf(instance)
            return by_drf(instance) if callable(value) else value

        field.get_attribute = get_attribute


def _prefetched_many_to_many(field, model):
    """A nested list of a forward many-to-many field of ``model`` read from what was prefetched for it: DRF gets the
    object's related manager (Django builds one per object and field) only to iterate its prefetched objects."""
    name = _nested_many_to_many(field, model)
    if name is None:
        return
    by_drf = field.get_attribute

    def get_attribute(instance):
        prefetched = prefetched_of(instance, name)
        return by_drf(instance) if prefetched is None else prefetched

    field.get_attribute = get_attribute


def _nested_many_to_many(field, model):
    """The name of the forward many-to-many field of ``model`` that ``field`` is the nested list of, read through
    DRF's own ``get_attribute()`` from that one attribute; else None."""
    if not isinstance(field, ListSerializer) or type(field).get_attribute is not Field.get_attribute:
        return None
    if model is None or len(field.source_attrs) != 1:
        return None
    (name,) = field.source_attrs
    return name if name in {related.name for related in model._meta.many_to_many} else None


def prefetched_of(instance, name):
    """The objects prefetched for ``instance`` under cache key ``name`` (or as a list, ``prefetch_lookups()``), else
    None: for a forward many-to-many field (whose manager's cache key is the field's name) and for ``cable_paths``,
    what ``.all()`` would return."""
    listed = instance.__dict__.get(LISTED + name)
    if listed is not None:
        return listed
    return getattr(instance, "_prefetched_objects_cache", {}).get(name)


def prefetch_lookups(model, paths):
    """``paths`` as the prefetch lookups of a batch of ``model`` that ``precomputed()`` serializes. With this speed-up
    on, a relation its serialization reads only through ``prefetched_of()`` (``_read_as_lists()``) is fetched into a
    plain list: Django's prefetch otherwise builds, per object and relation, a related manager and a filtered
    queryset (that is never run) to hold what it fetched."""
    if not active(SERIALIZATION):
        return list(paths)
    listed = _read_as_lists(model).difference(path.split("__")[0] for path in paths if "__" in path)
    return [Prefetch(path, to_attr=LISTED + path) if path in listed else path for path in paths]


@cache
def _read_as_lists(model):
    """The relations of ``model`` its batch's serialization reads only through ``prefetched_of()``: the forward
    many-to-many fields (Django's serializer reads them so) that every field of its REST serializer reads through
    ``_prefetched_many_to_many()`` or does not read, and a path endpoint's cable paths (``_path_from_prefetched()``).
    """
    names = {field.name for field in model._meta.many_to_many}
    try:
        serializer_class = get_serializer_for_model(model)
    except SerializerNotFound:
        return frozenset(names)
    if CABLE_PATHS and issubclass(serializer_class, PathEndpointModelSerializerMixin):
        names.add("cable_paths")
    for field in serializer_class(context=context()).fields.values():
        source = field.source_attrs
        if source and source[0] in names and _nested_many_to_many(field, model) is None:
            names.discard(source[0])
    return frozenset(names)


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

    listed_in_order = CablePath._default_manager.all().ordered  # as a related manager's queryset of them would be

    def path_of(obj):
        prefetched = prefetched_of(obj, "cable_paths")
        if prefetched is None:
            return obj.cable_paths.first()
        paths = list(prefetched)
        if not paths:
            return None
        ordered = prefetched.ordered if isinstance(prefetched, QuerySet) else listed_in_order
        return paths[0] if ordered else min(paths, key=lambda path: path.pk)  # as first() orders them

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
            amortize(serializer, reverse)
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

    def __call__(self, viewname, args=None, kwargs=None, request=None, format=None, **extra):
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


def reverse_through(reverse):
    """``reverse`` as a function, so that it replaces DRF's ``reverse()`` in this thread only (``patching``)."""

    def reverse_url(*args, **kwargs):
        return reverse(*args, **kwargs)

    return reverse_url


_A_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""Text that python-slugify's ``slugify()`` returns unchanged: lowercase ASCII letters and digits, in words joined by
single hyphens (nothing it would decode, replace, collapse or strip)."""


def slug_parts_once():
    """Natural slugs that slugify each natural-key value once (the device name shared by its eight interfaces, the
    location of a hundred devices), an ASCII value without looking for emoji in it (there are none: every emoji has
    a non-ASCII character); the same slugs as Nautobot's ``construct_natural_slug()``."""
    construct = original(core_models, "construct_natural_slug")
    parts = {}

    def part(value):
        try:
            if value not in parts:
                text = "\0" if value is None else str(value)
                if _A_SLUG.fullmatch(text):  # slugify() leaves it as it is: a UUID's first four digits, "leaf-01"
                    parts[value] = text
                else:
                    parts[value] = slugify(text) if text.isascii() else construct([value])
            return parts[value]
        except TypeError:  # not hashable
            return construct([value])

    def construct_natural_slug(values, pk=None):
        slugs = [part(value) for value in values]
        if isinstance(pk, uuid.UUID):
            slugs.append(pk.hex[:4])  # Nautobot keeps its first four digits, which slugify() leaves as they are
        elif pk is not None:
            slugs.append(construct([], pk=pk))
        return NATURAL_SLUG_SEPARATOR.join(slugs)

    return construct_natural_slug
