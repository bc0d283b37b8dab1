"""A declarative model's set of explicitly set field names, shared with the models of its class built with the same.

pydantic keeps, per model, the names of the fields it was given (``model_fields_set``), in a set of its own: with five
names or more, a set takes 728 bytes, half of a loaded interface model. A sync holds a model per object on each side
(and one per object it creates), so these sets were the largest part of the memory its models take. ``share()``
(when a declarative model is built) swaps a model's set for the equal one its class holds; ``before_setattr()``
moves a model to the shared set with the name pydantic is about to add (an adapter sets ``adapter`` on every model it
stores), never adding it to the set others hold. So every model's ``model_fields_set`` reads as pydantic would keep
it; only changing that set in place, not through an attribute, would show in the others.
"""

from nautobot_data_sync.speedups.registry import SHARED_FIELD_NAMES, active

VARIANTS_PER_CLASS = 16
"""Distinct sets kept per class to share; past that, the oldest is no longer handed out (its models keep it)."""


class SharedFieldNames(set):
    """A set of field names held by several models: never changed in place (``before_setattr()``)."""

    def __init__(self, names):
        super().__init__(names)
        self.moves = {}
        """``{field name: the shared set with it added}``, as ``before_setattr()`` found them."""

    def __reduce__(self):
        """A copy (``model_copy()``, a deep copy, pickling) is the copying model's own set, changed in place."""
        return set, (list(self),)


_shared = {}  # model class -> [SharedFieldNames]


def share(model):
    """Swap ``model``'s new set of given field names for the equal one its class shares."""
    if active(SHARED_FIELD_NAMES):
        _share(model, model.__pydantic_fields_set__)


def before_setattr(model, name):
    """Before ``name`` is set on ``model``: if pydantic will add ``name`` to a shared set, the model takes the shared
    set with ``name`` instead (a model added to an adapter, given its pk: all move to the same set, found once)."""
    names = getattr(model, "__pydantic_fields_set__", None)
    if type(names) is not SharedFieldNames or name in names:
        return
    moved = names.moves.get(name)
    if moved is not None:
        object.__setattr__(model, "__pydantic_fields_set__", moved)
    elif name in type(model).__private_attributes__:
        return
    elif name in type(model).__pydantic_fields__:
        names.moves[name] = _share(model, names | {name})
    else:  # an extra field pydantic would add (or refuse): the model's own set
        object.__setattr__(model, "__pydantic_fields_set__", set(names))


def _share(model, names):
    """Give ``model`` the shared set equal to ``names`` (a set of its own), started if need be; return that set."""
    variants = _shared.setdefault(type(model), [])
    for shared in variants:
        if shared == names:
            break
    else:
        shared = SharedFieldNames(names)
        variants.append(shared)
        if len(variants) > VARIANTS_PER_CLASS:
            del variants[0]
    object.__setattr__(model, "__pydantic_fields_set__", shared)
    return shared
