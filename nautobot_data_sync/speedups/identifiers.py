"""A declarative model's identifiers read from its fields, not through pydantic's serializer.

diffsync's ``get_identifiers()`` is ``model_dump(include=identifiers)``: pydantic's serializer set up and run over
the model to return one or two field values. A sync asks for them at least twice per loaded object, on both sides
(its store's key, its parent's list of children): in a no-op of 9,063 objects under cProfile, 0.53 of 2.73 s.
Where the serializer returns a field's value as it is (a plain ``str``, ``int``, ``float``, ``bool``, ``None`` or
``UUID``, a field without a serializer of its own or ``exclude``), ``identifiers_of()`` reads the values from the
model's fields, in the order ``model_dump()`` gives them; for anything else it leaves the question to diffsync.

``unique_id_of()`` keeps a model's unique id once computed (diffsync's ``get_unique_id()`` joins the identifiers
anew each time): the store keys the model by it, the parent lists it among its children, so both hold one string.
The model forgets it when an identifier is set (``forget_unique_id()``).
"""

import uuid
from functools import cache

from diffsync import DiffSyncModel
from pydantic.functional_serializers import PlainSerializer, WrapSerializer

from nautobot_data_sync.speedups.registry import IDENTIFIERS, active

PLAIN_TYPES = frozenset({str, int, float, bool, type(None), uuid.UUID})
"""Value types pydantic's serializer (Python mode) returns unchanged."""


def identifiers_of(model):
    """``model.get_identifiers()`` as diffsync computes it, or None where diffsync has to compute it."""
    names = _plain_identifiers(type(model))
    if names is None or not active(IDENTIFIERS):
        return None
    values = _plain_values(model, names)
    return None if values is None else dict(zip(names, values, strict=True))


def _plain_values(model, names):
    """The values of ``model``'s fields ``names``, if each is set and of a ``PLAIN_TYPES`` type; else None."""
    fields = model.__dict__
    try:
        values = [fields[name] for name in names]
    except KeyError:  # a field never set (``model_construct()``): what the serializer does about it is its own
        return None
    for value in values:
        if type(value) not in PLAIN_TYPES:
            return None
    return values


@cache
def _plain_identifiers(model_class):
    """The identifier field names of ``model_class`` in field order, if the serializer returns their values as they
    are (no serializer of their own, not excluded); else None."""
    fields = model_class.model_fields
    identifiers = set(model_class._identifiers)
    decorators = model_class.__pydantic_decorators__
    serialized = {name for decorator in decorators.field_serializers.values() for name in decorator.info.fields}
    if decorators.model_serializers or "*" in serialized or identifiers & serialized or not identifiers <= set(fields):
        return None
    for name in identifiers:
        field = fields[name]
        if field.exclude or any(isinstance(item, (PlainSerializer, WrapSerializer)) for item in field.metadata):
            return None
    return tuple(name for name in fields if name in identifiers)


def unique_id_of(model, compute):
    """``model.get_unique_id()``: joined from the fields (or ``compute()``) once, then kept while the speed-up is
    on."""
    private = model.__pydantic_private__
    if private is None or not active(IDENTIFIERS):
        return compute()
    unique_id = private.get("_unique_id")
    if unique_id is None:
        unique_id = private["_unique_id"] = _joined(model) or compute()
    return unique_id


def _joined(model):
    """diffsync's ``create_unique_id(**get_identifiers())`` where the identifiers are plain values of its fields (the
    same ``str()`` of each, in ``_identifiers``' order); else None."""
    names = _joinable_identifiers(type(model))
    values = None if names is None else _plain_values(model, names)
    return None if values is None else "__".join(map(str, values))


@cache
def _joinable_identifiers(model_class):
    """``_identifiers`` if ``get_identifiers()`` is the declarative model's (``identifiers_of()``), reading them, and
    diffsync's own ``create_unique_id()`` joins them."""
    reads_fields = getattr(model_class.get_identifiers, "same_result_as_diffsync", False)
    if not reads_fields or _plain_identifiers(model_class) is None:
        return None
    if model_class.create_unique_id.__func__ is not DiffSyncModel.create_unique_id.__func__:
        return None
    return tuple(model_class._identifiers)


def forget_unique_id(model):
    """An identifier of ``model`` has changed: its unique id is computed again when next asked for."""
    private = getattr(model, "__pydantic_private__", None)
    if private:
        private["_unique_id"] = None
