"""A declarative model's set of explicitly set field names, shared with the models of its class built with the same.

pydantic keeps, per model, the names of the fields it was given (``model_fields_set``), in a set of its own: with five
names or more, a set takes 728 bytes, half of a loaded interface model. A sync holds a model per object on each side
(and one per object it creates), so these sets were the largest part of the memory its models take. ``share()``
(when a declarative model is built) swaps a model's set for the equal one its class holds; ``unshare()`` (before
pydantic sets an attribute) gives a model a set of its own before pydantic would add a name to the shared one. So
every model's ``model_fields_set`` reads as pydantic would keep it; only changing that set in place, not through an
attribute, would show in the others.
"""

from nautobot_data_sync.speedups.registry import SHARED_FIELD_NAMES, active

VARIANTS_PER_CLASS = 8
"""Distinct sets shared per class; models built with yet other fields keep sets of their own."""


class SharedFieldNames(set):
    """A set of field names held by several models: never changed in place (``unshare()``)."""


_shared = {}  # model class -> [SharedFieldNames]


def share(model):
    """Swap ``model``'s new set of given field names for the equal one its class shares, if any (else start one)."""
    if not active(SHARED_FIELD_NAMES):
        return
    names = model.__pydantic_fields_set__
    variants = _shared.setdefault(type(model), [])
    for shared in variants:
        if shared == names:
            break
    else:
        if len(variants) >= VARIANTS_PER_CLASS:
            return
        shared = SharedFieldNames(names)
        variants.append(shared)
    object.__setattr__(model, "__pydantic_fields_set__", shared)


def unshare(model, name):
    """Before ``name`` is set on ``model``: a shared set pydantic would add ``name`` to becomes the model's own."""
    names = getattr(model, "__pydantic_fields_set__", None)
    if type(names) is SharedFieldNames and name not in names:
        object.__setattr__(model, "__pydantic_fields_set__", set(names))
