"""Field declarations of a NautobotModel, parsed into what to load and how to write.

Each name in ``_identifiers`` and ``_attributes`` is one of:

* a plain field of the Django model: ``serial``;
* a foreign-key path, traversed with ``__``: ``location__name``, ``device_type__manufacturer__name``; the fields that
  go through the same first foreign key (``device_type__model`` + ``device_type__manufacturer__name``) are resolved
  together, as one lookup;
* a many-to-many field as a sorted list of natural keys: ``tags`` (by ``name``), or ``tags__name`` explicitly;
  ``content_types`` (to ContentType) by ``"app_label.model"`` labels; or, annotated ``list[SomeTypedDict]``, as a
  sorted list of dicts whose keys are the TypedDict's fields (paths on the related model), as nautobot-ssot writes
  them: ``content_types: list[ContentTypeDict]`` holds ``[{"app_label": "dcim", "model": "device"}]``;
* a custom field: ``cf_owner: Annotated[str | None, CustomField("owner")] = None``;
* a relationship: ``circuits: Annotated[list[str], RelationshipSide("circuit-device", "destination", "cid")] = []``.
"""

import typing
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from typing_extensions import is_typeddict

from nautobot_data_sync.orm.errors import DeclarationError

SEP = "__"
LABEL = "app_label.model"
"""The key of a many-to-many field to ContentType declared without one: ``"dcim.device"``."""


@dataclass(frozen=True)
class CustomField:
    """Marker (in ``Annotated``) for a Nautobot custom field, by its key."""

    key: str


@dataclass(frozen=True)
class RelationshipSide:
    """Marker (in ``Annotated``) for a Nautobot relationship: the peers of this object on the other ``side``.

    ``side`` is this object's side ("source" or "destination"); ``peer_key`` the peer's field that names it. The value
    is a sorted list of peer keys (one-to-many and many-to-many), or a single key or None when ``many`` is False;
    ``peer_key`` a tuple of paths: each key is a dict of them.
    """

    key: str
    side: str = "source"
    peer_key: str | tuple = "name"
    many: bool = True


@dataclass(frozen=True)
class ForeignKeyGroup:
    """The declared fields that go through one foreign key: ``{declared name: path on the related model}``."""

    name: str  # the Django field, e.g. "device_type"
    attname: str  # e.g. "device_type_id"
    related_model: type
    paths: dict  # {"device_type__model": "model", "device_type__manufacturer__name": "manufacturer__name"}


@dataclass(frozen=True)
class ManyToMany:
    """A many-to-many declared field: the Django accessor, the related model and its natural key (a path, ``LABEL``,
    or a tuple of paths for values that are dicts)."""

    name: str
    accessor: str
    related_model: type
    key: str | tuple


@dataclass
class FieldPlan:
    """How every declared field of one NautobotModel maps onto its Django model."""

    model: type
    plain: list = field(default_factory=list)
    foreign_keys: dict = field(default_factory=dict)  # {django fk name: ForeignKeyGroup}
    many_to_many: list = field(default_factory=list)
    custom_fields: dict = field(default_factory=dict)  # {declared name: custom field key}
    relationships: dict = field(default_factory=dict)  # {declared name: RelationshipSide}

    def group_of(self, name):
        """The ForeignKeyGroup a declared name belongs to, or None."""
        first = name.split(SEP, 1)[0]
        group = self.foreign_keys.get(first)
        return group if group and name in group.paths else None

    def django_names(self, name):
        """Django field names a declared field writes (to name it in validation errors)."""
        if name in self.custom_fields:
            return {f"cf_{self.custom_fields[name]}", name}
        return {name.split(SEP, 1)[0]}


def key_of(obj, key):
    """The natural key ``key`` (a path, ``LABEL``, or a tuple of paths: a dict) of a related object."""
    if isinstance(key, tuple):
        return {path: key_of(obj, path) for path in key}
    if key == LABEL:
        return f"{obj.app_label}.{obj.model}"
    for part in key.split(SEP):
        obj = getattr(obj, part)
    return obj


def hashable(value):
    """A many-to-many key as a dict key: a dict value becomes the tuple of its items."""
    return tuple(value.items()) if isinstance(value, dict) else value


def sort_order(value):
    """Sort key of many-to-many values: a dict (unorderable) by its items as text, whatever order they were given in."""
    return tuple((key, str(item)) for key, item in sorted(value.items())) if isinstance(value, dict) else value


def typed_dict_keys(annotation):
    """The field names of ``X`` for an annotation ``list[X]`` where X is a TypedDict, else None."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is list and args and is_typeddict(args[0]):
        return tuple(typing.get_type_hints(args[0]))
    return None


def _markers(name, field_info):
    """The field's markers; a marker of another API (``compat``) is translated by its ``as_declared()``."""
    return [
        item.as_declared(name, field_info.annotation) if hasattr(item, "as_declared") else item
        for item in field_info.metadata
    ]


def _marker(markers, kind):
    return next((item for item in markers if isinstance(item, kind)), None)


def _get_field(model, name, declared):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        raise DeclarationError(f"{declared!r}: {model.__name__} has no field {name!r}") from None


def _check_path(model, path, declared):
    """Check that ``path`` (plain fields and forward foreign keys) exists from ``model``."""
    *hops, last = path.split(SEP)
    for hop in hops:
        django_field = _get_field(model, hop, declared)
        if not (django_field.many_to_one or django_field.one_to_one) or django_field.auto_created:
            raise DeclarationError(f"{declared!r}: {model.__name__}.{hop} is not a forward foreign key")
        model = django_field.related_model
    _get_field(model, last, declared)


def build_plan(model_class):
    """Parse the declared fields of NautobotModel subclass ``model_class`` against its ``_model``."""
    model = model_class._model
    plan = FieldPlan(model=model)
    for name in (*model_class._identifiers, *model_class._attributes):
        info = model_class.model_fields[name]
        markers = _markers(name, info)
        if custom := _marker(markers, CustomField):
            plan.custom_fields[name] = custom.key
            continue
        if relationship := _marker(markers, RelationshipSide):
            plan.relationships[name] = relationship
            continue
        first, _, rest = name.partition(SEP)
        django_field = _get_field(model, first, name)
        if django_field.many_to_many and not django_field.auto_created:
            related = django_field.related_model
            key = typed_dict_keys(info.annotation) or rest or (LABEL if related is ContentType else "name")
            for path in key if isinstance(key, tuple) else [] if key == LABEL else [key]:
                _check_path(related, path, name)
            plan.many_to_many.append(ManyToMany(name, first, related, key))
        elif rest and (django_field.many_to_one or django_field.one_to_one) and not django_field.auto_created:
            _check_path(django_field.related_model, rest, name)
            group = plan.foreign_keys.get(first) or ForeignKeyGroup(
                first, django_field.attname, django_field.related_model, {}
            )
            group.paths[name] = rest
            plan.foreign_keys[first] = group
        elif rest or django_field.is_relation:
            raise DeclarationError(
                f"{name!r}: declare a relation of {model.__name__} by a field of the related model, e.g. {first}__name"
            )
        else:
            plan.plain.append(name)
    return plan
