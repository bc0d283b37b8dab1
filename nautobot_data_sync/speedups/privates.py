"""A declarative model's private attributes started from a copy of their constant defaults.

pydantic starts a model's private attributes (diffsync's status and status message, the model's children's ids) in
``init_private_attributes()``: per attribute, its default looked up and deep-copied, and all of it twice per model,
once per class level that wraps ``model_post_init()``. A sync builds a model per object on each side: in a no-op of
9,063 objects under cProfile, that was 0.26 of 1.63 s. Where every default is a constant a deep copy returns as it
is (``None``, a ``str``, ``int``, ``float``, ``bool`` or enum member) and the class adds nothing of its own to
``model_post_init()``, ``install()`` gives the class a ``model_post_init()`` that starts the private attributes as a
copy of those defaults, then does what the base class's own ``model_post_init()`` does.
"""

import enum
import inspect

from nautobot_data_sync.speedups.registry import PRIVATE_DEFAULTS, active

CONSTANT_TYPES = frozenset({type(None), str, int, float, bool})
"""Types whose values ``copy.deepcopy()`` returns as they are (and enum members)."""


def install(model_class, base_post_init):
    """Give ``model_class`` the quick ``model_post_init()`` if it may have it: ``base_post_init`` is the base
    class's own (unwrapped) method, and ``model_class`` must not have one of its own."""
    pydantic_post_init = model_class.model_post_init
    defaults = _constant_defaults(model_class)
    if defaults is None or inspect.unwrap(pydantic_post_init) is not base_post_init:
        return

    def model_post_init(self, context, /):
        if not active(PRIVATE_DEFAULTS):
            return pydantic_post_init(self, context)
        if getattr(self, "__pydantic_private__", None) is None:
            object.__setattr__(self, "__pydantic_private__", defaults.copy())
        base_post_init(self, context)

    model_post_init.__wrapped__ = pydantic_post_init  # a subclass's check above unwraps through it
    model_class.model_post_init = model_post_init


def _constant_defaults(model_class):
    """``{name: default}`` of the private attributes, if each has a constant default; else None."""
    defaults = {}
    for name, private in model_class.__private_attributes__.items():
        constant = type(private.default) in CONSTANT_TYPES or isinstance(private.default, enum.Enum)
        if private.default_factory is not None or not constant:
            return None
        defaults[name] = private.default
    return defaults
