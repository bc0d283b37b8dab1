"""What ``FastDiffer`` works out once per DiffSyncModel class (``ModelProfile``): which of the model's methods it can
do without, chiefly whether its objects' identifiers and attributes can be read straight from their ``__dict__``
rather than through ``get_identifiers()``/``get_attrs()``, each a pydantic ``model_dump()``.

For the immutable scalar types it passes through (``PASSTHROUGH_TYPES``: ``str``, ``int``, ``float``, ``bool``,
``None``, ``bytes``, ``UUID``, ``Decimal``, dates and times, IP addresses and networks; and enum members),
``model_dump()`` in Python mode returns the field's value itself, so reading the values from ``__dict__`` (as
``model_dump()`` does) with a C-level getter gives exactly the same. A ``ModelProfile`` records that this is sound for
a class when:

* ``get_attrs``, ``get_identifiers``, ``dict``, ``model_dump``, ``get_unique_id``, ``create_unique_id``,
  ``get_shortname``, ``get_type`` and ``get_children_mapping`` are diffsync's/pydantic's own, or overrides marked
  ``same_result()`` (a declarative model's ``get_identifiers()``); else the overridden one is called, as diffsync
  does;
* the fields involved have no custom serializer (``field_serializer``, ``PlainSerializer``...) nor ``exclude``, and
  the model no ``model_serializer`` nor ``serialize_by_alias``.

Whether each value is of one of those types is checked per object (``records.py``). Fields are read in the model's
field order, which is ``model_dump()``'s.
"""

import datetime
import decimal
import ipaddress
import uuid
from operator import attrgetter, itemgetter

from diffsync import DiffSyncModel

__all__ = ["PASSTHROUGH_TYPES", "ModelProfile", "same_result"]

PASSTHROUGH_TYPES = frozenset(
    {
        str,
        int,
        float,
        bool,
        type(None),
        bytes,
        uuid.UUID,
        decimal.Decimal,
        datetime.date,
        datetime.datetime,
        datetime.time,
        datetime.timedelta,
        ipaddress.IPv4Address,
        ipaddress.IPv6Address,
        ipaddress.IPv4Network,
        ipaddress.IPv6Network,
        ipaddress.IPv4Interface,
        ipaddress.IPv6Interface,
    }
)
"""Value types that pydantic's ``model_dump()`` (Python mode, no custom serializer) returns as the very same object,
whatever the field's declared type. Enum members are too; their classes are added as they are met."""

_SCHEMA_DATA_KEYS = frozenset({"default", "metadata", "cls", "members", "ref", "expected"})
"""Keys of a pydantic core schema that hold data, not nested schemas."""


def _owner(cls, name):
    """The class in ``cls``'s MRO that defines attribute ``name``."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass
    return None


def same_result(method):
    """Mark an override of a ``DiffSyncModel`` method as returning what diffsync's returns (computed faster), so that
    a ``ModelProfile`` may read around it as around diffsync's own."""
    method.same_result_as_diffsync = True
    return method


def _overrides(cls, *names):
    """Whether ``cls`` defines any of ``names`` differently from diffsync's ``DiffSyncModel`` (or pydantic's): an
    override marked ``same_result()`` does not count."""
    for name in names:
        owner = _owner(cls, name)
        marked = owner is not None and getattr(owner.__dict__[name], "same_result_as_diffsync", False)
        if owner is not _owner(DiffSyncModel, name) and not marked:
            return True
    return False


def _has_custom_serialization(schema):
    """Whether a pydantic core schema, or one nested in it, has its own serializer or a reference (not followed)."""
    if isinstance(schema, dict):
        if "serialization" in schema or schema.get("type") in ("definition-ref", "definitions"):
            return True
        return any(_has_custom_serialization(value) for key, value in schema.items() if key not in _SCHEMA_DATA_KEYS)
    if isinstance(schema, (list, tuple)):
        return any(_has_custom_serialization(value) for value in schema)
    return False


def _plainly_serialized(cls, field_names):
    """Whether ``model_dump(include=field_names)`` of a ``cls`` instance returns those fields' values, not
    converted values (as long as they are of ``PASSTHROUGH_TYPES``), under their own names."""
    schema = getattr(cls, "__pydantic_core_schema__", None)
    if not isinstance(schema, dict) or schema.get("type") != "model" or "serialization" in schema:
        return False
    fields_schema = schema.get("schema")
    if not isinstance(fields_schema, dict) or fields_schema.get("type") != "model-fields":
        return False
    if "serialization" in fields_schema:
        return False
    by_alias = (schema.get("config") or {}).get("serialize_by_alias") or cls.model_config.get("serialize_by_alias")
    fields = fields_schema.get("fields", {})
    for name in field_names:
        field = fields.get(name)
        if not isinstance(field, dict) or field.get("type") != "model-field":
            return False
        if field.get("serialization_exclude") or field.get("serialization_exclude_if"):
            return False
        if by_alias and field.get("serialization_alias"):
            return False
        if _has_custom_serialization(field.get("schema")):
            return False
    return True


def _tuple_getter(names):
    """A getter of the values of ``names`` from a mapping, as a tuple (C-level ``itemgetter`` for two or more)."""
    if not names:
        return lambda _mapping: ()
    if len(names) == 1:
        name = names[0]
        return lambda mapping: (mapping[name],)
    return itemgetter(*names)


class ModelProfile:
    """What ``FastDiffer`` needs to know about one DiffSyncModel class, worked out once per class.

    ``getter`` reads the values of the attribute fields then of the identifier fields, for those that can be read
    directly (``fast_attrs``, ``fast_ids``; else ``get_attrs()``/``get_identifiers()`` are called); ``uid_mode`` says
    how ``get_unique_id()`` is obtained; ``eager`` means the type and short name can be had without calling the
    model (no override); ``leaf`` that the class has no children (and does not override ``get_children_mapping()``);
    ``simple`` that ``RecordReader.index()`` handles it inline.
    """

    __slots__ = (
        "model_type",
        "identifiers",
        "id_fields",
        "attr_fields",
        "fast_ids",
        "fast_attrs",
        "attr_count",
        "getter",
        "uid_mode",
        "eager",
        "shortname",
        "children",
        "leaf",
        "simple",
        "pair_uid",
    )

    def __init__(self, cls):
        self.model_type = None if _overrides(cls, "get_type") else cls.get_type()
        self.identifiers = tuple(cls._identifiers)
        model_fields = cls.model_fields
        dumping_overridden = _overrides(cls, "dict", "model_dump")

        # model_dump() gives the fields in the model's order, without "adapter" (DiffSyncModel.dict() excludes it)
        id_names = set(self.identifiers) - {"adapter"}
        self.id_fields = tuple(name for name in model_fields if name in id_names)
        self.fast_ids = (
            not dumping_overridden
            and not _overrides(cls, "get_identifiers")
            and id_names <= set(model_fields)
            and _plainly_serialized(cls, self.id_fields)
        )
        attr_names = set(cls._attributes) - {"adapter"}
        self.attr_fields = tuple(name for name in model_fields if name in attr_names)
        self.fast_attrs = (
            not dumping_overridden
            and not _overrides(cls, "get_attrs")
            and attr_names <= set(model_fields)
            and _plainly_serialized(cls, self.attr_fields)
        )
        self.attr_count = len(self.attr_fields) if self.fast_attrs else 0
        fields = (self.attr_fields if self.fast_attrs else ()) + (self.id_fields if self.fast_ids else ())
        self.getter = _tuple_getter(fields) if self.fast_ids or self.fast_attrs else None

        if _overrides(cls, "get_unique_id"):
            self.uid_mode = "method"  # obj.get_unique_id()
        elif _overrides(cls, "create_unique_id"):
            self.uid_mode = "create"  # obj.create_unique_id(**keys)
        elif self.fast_ids and len(self.identifiers) == 1 and self.id_fields == self.identifiers:
            self.uid_mode = "single"  # str() of the one value
        elif self.fast_ids and len(self.identifiers) == 2 and self.id_fields == self.identifiers:
            self.uid_mode = "pair"  # the two values joined ("__".join(map(...)) costs more for two)
        elif self.fast_ids and self.id_fields == self.identifiers:
            self.uid_mode = "values"  # "__".join() of the values, already in the identifiers' order
        else:
            self.uid_mode = "keys"  # "__".join() of keys[name] for each of the identifiers
        self.eager = self.model_type is not None and not _overrides(cls, "get_shortname")
        shortname = tuple(cls._shortname)
        self.shortname = (attrgetter(*shortname) if len(shortname) > 1 else shortname[0]) if shortname else None
        self.children = None if _overrides(cls, "get_children_mapping") else cls.get_children_mapping()
        self.leaf = self.children is not None and not self.children
        self.simple = (
            self.fast_ids
            and self.fast_attrs
            and self.eager
            and self.uid_mode in ("single", "pair")
            and (self.shortname is None or self.shortname.__class__ is str)
        )
        self.pair_uid = self.uid_mode == "pair"
