"""Each object read once, into a record from which ``FastDiffer`` validates its pair and builds its element.

Where diffsync calls ``get_unique_id()``, ``get_shortname()``, ``get_identifiers()`` and ``get_attrs()`` again and again
(each a pydantic ``model_dump()``), a ``Record`` gives what they return from one reading of the object: where the
class's ``ModelProfile`` allows and every value read is of a type ``model_dump()`` returns as it is
(``PASSTHROUGH_TYPES`` or an enum member), the values read straight from the object's ``__dict__``; otherwise (a list, a
tuple, a nested model...) the object's own ``get_attrs()``/``get_identifiers()``, which copy and convert as diffsync's
do. The unique id and short name are made as diffsync makes them.
"""

import enum
from collections.abc import Mapping

from .modelprofile import PASSTHROUGH_TYPES, ModelProfile

__all__ = ["Record", "RecordReader"]


class Record:
    """One object as ``FastDiffer`` reads it, once: from here its pair is validated and its element built.

    ``values``: the values of the attribute fields then of the identifier fields that the profile reads directly
    (``fast_attrs``, ``fast_ids``), or None (then ``get_attrs()`` and ``get_identifiers()`` are called); ``keys``: the
    identifiers, or None until needed where the values have them; ``model_type`` and ``shortname``: None until
    ``complete()``, where the class overrides ``get_type()`` or ``get_shortname()``.
    """

    __slots__ = ("obj", "profile", "keys", "unique_id", "model_type", "shortname", "values")

    def __init__(self, obj, profile, keys, unique_id, model_type, shortname, values):
        self.obj = obj
        self.profile = profile
        self.keys = keys
        self.unique_id = unique_id
        self.model_type = model_type
        self.shortname = shortname
        self.values = values

    def complete(self):
        """Fill in the type and short name from the object's own methods."""
        self.model_type = self.obj.get_type()
        self.shortname = self.obj.get_shortname()

    def identifiers(self):
        """The identifiers (``get_identifiers()``) of the object."""
        keys = self.keys
        if keys is None:
            profile = self.profile
            keys = self.keys = dict(zip(profile.id_fields, self.values[profile.attr_count :]))  # noqa: B905
        return keys

    def attrs(self):
        """The attributes (``get_attrs()``) of the object."""
        values = self.values
        if values is None or not self.profile.fast_attrs:
            return self.obj.get_attrs()
        return dict(zip(self.profile.attr_fields, values))  # noqa: B905 - stops at the attributes; identifiers follow


class RecordReader:
    """Reads objects into records for one ``FastDiffer``: keeps each class's profile, and the value types (enum
    classes added as they are met) that pass through."""

    __slots__ = ("_profiles", "_passthrough")

    def __init__(self):
        self._profiles = {}
        self._passthrough = set(PASSTHROUGH_TYPES)

    def profile(self, cls):
        """The profile of class ``cls``, worked out on first use."""
        profile = self._profiles.get(cls)
        if profile is None:
            profile = self._profiles[cls] = ModelProfile(cls)
        return profile

    def _passes_through(self, values):
        """Whether ``model_dump()`` returns each of ``values`` as it is (see ``PASSTHROUGH_TYPES``)."""
        passthrough = self._passthrough
        for value in values:
            value_type = type(value)
            if value_type not in passthrough:
                if not isinstance(value, enum.Enum):
                    return False
                passthrough.add(value_type)
        return True

    def record(self, obj):
        """The record of ``obj``, with what can be worked out without calling the model's methods."""
        cls = type(obj)
        profile = self._profiles.get(cls) or self.profile(cls)
        values = keys = None
        if profile.getter is not None:
            try:
                values = profile.getter(obj.__dict__)
            except KeyError:
                values = None
            else:
                if not (self._passthrough.issuperset(map(type, values)) or self._passes_through(values)):
                    values = None
        uid_mode = profile.uid_mode
        if values is not None and profile.fast_ids:
            first = profile.attr_count
            if uid_mode == "pair":
                uid = str(values[first]) + "__" + str(values[first + 1])
            elif uid_mode == "single":
                uid = str(values[first])
            elif uid_mode == "values":
                uid = "__".join(map(str, values[first:]))
            else:
                keys = dict(zip(profile.id_fields, values[first:]))  # noqa: B905
        else:
            keys = obj.get_identifiers()
        if keys is not None:
            if uid_mode == "method":
                uid = obj.get_unique_id()
            elif uid_mode == "create":
                uid = obj.create_unique_id(**keys)
            else:
                uid = "__".join(map(str, map(keys.__getitem__, profile.identifiers)))
        if not profile.eager:
            return Record(obj, profile, keys, uid, None, None, values)
        shortname = profile.shortname
        if shortname is None:
            name = uid
        elif shortname.__class__ is str:
            name = str(getattr(obj, shortname))
        else:
            name = "__".join(map(str, shortname(obj)))
        return Record(obj, profile, keys, uid, profile.model_type, name, values)

    def index(self, objs):
        """``{key: record}`` as diffsync's per-list dictionaries: keyed by unique id, or as the mapping given.

        The loop does ``record()``'s work inline for the common case (a ``simple`` class, values that pass through).
        """
        if type(objs) is not list and isinstance(objs, Mapping):
            return {key: self.record(obj) for key, obj in objs.items()}
        index = {}
        profiles = self._profiles
        passes_through = self._passthrough.issuperset
        for obj in objs:
            profile = profiles.get(type(obj))
            if profile is not None and profile.simple:
                try:
                    values = profile.getter(obj.__dict__)
                except KeyError:
                    values = None
                if values is not None and passes_through(map(type, values)):
                    first = profile.attr_count
                    uid = str(values[first]) + "__" + str(values[first + 1]) if profile.pair_uid else str(values[first])
                    shortname = profile.shortname
                    name = uid if shortname is None else str(getattr(obj, shortname))
                    index[uid] = Record(obj, profile, None, uid, profile.model_type, name, values)
                    continue
            record = self.record(obj)
            index[record.unique_id] = record
        return index
