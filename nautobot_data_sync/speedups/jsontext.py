"""The JSON columns of the rows ``COPY`` writes (change records' data, the sync's records...) encoded with orjson.

Django sends a ``JSONField``'s value as ``json.dumps(value, cls=field.encoder)``, and PostgreSQL parses that text
into ``jsonb``: what is stored is the parsed value, not the text. orjson encodes the same values ten times faster,
and its text parses into the same ``jsonb`` where the value holds only ``str``, ``int``, ``bool`` and ``None`` in
``dict`` (or ``OrderedDict``), ``list`` and ``tuple``, of exactly these types; ``UUID`` where the field's encoder
writes one as ``str(uuid)`` (``UUID_AS_TEXT``); and ``str`` subclasses (the REST API's hyperlinks), whose
characters both write. The two texts differ only in what ``jsonb`` does not keep: spaces, and non-ASCII characters
escaped or not. Any other value (a float, whose text decides whether it reads back as a float or an int; a
date...) takes Django's encoding of the whole value, as does one orjson refuses (an integer beyond 64 bits, a key
that is not exactly a ``str``, a lone surrogate, nesting beyond its limit).
"""

import uuid
from collections import OrderedDict

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Field, JSONField
from nautobot.core.celery.encoders import NautobotKombuJSONEncoder

from nautobot_data_sync.encoders import AttributeEncoder
from nautobot_data_sync.speedups.registry import JSON_TEXT, active

UUID_AS_TEXT = frozenset({DjangoJSONEncoder, NautobotKombuJSONEncoder, AttributeEncoder})
"""Encoders whose ``default()`` writes a UUID as ``str(uuid)``, the text orjson writes for one."""
_SCALARS = frozenset({str, int, bool, type(None)})
_SCALARS_AND_UUIDS = _SCALARS | {uuid.UUID}
_DEPTH = 254
"""orjson's limit of nesting; deeper (or circular) values take Django's encoding."""


def column_text(field, connection):
    """For a ``jsonb`` column whose value Django sends as its JSON text (``JSONField``'s own preparation): a function
    giving the text of a value, or None where only Django's encoding gives it. None for any other field, or with this
    speed-up off."""
    kind = type(field)
    prepared_as_json = (
        isinstance(field, JSONField)
        and field.db_type(connection) == "jsonb"  # a json column would keep the text itself
        and kind.pre_save is Field.pre_save
        and kind.get_db_prep_save is JSONField.get_db_prep_save
        and kind.get_db_prep_value is JSONField.get_db_prep_value
        and kind.get_prep_value is Field.get_prep_value
    )
    if not (prepared_as_json and active(JSON_TEXT)):
        return None
    scalars = _SCALARS_AND_UUIDS if field.encoder in UUID_AS_TEXT else _SCALARS

    def text(value):
        if not _made_of(value, scalars, 0):
            return None
        try:
            return orjson.dumps(value).decode()
        except orjson.JSONEncodeError:
            return None

    return text


def _made_of(value, scalars, depth):
    """Whether ``value`` holds only ``scalars`` in dicts, lists and tuples (of exactly those types)."""
    kind = type(value)
    if kind is dict or kind is OrderedDict:  # OrderedDict: as the REST API writes choices; its items are its dict's
        items = value.values()  # orjson refuses a key that is not a str
    elif kind is list or kind is tuple:
        items = value
    else:
        return kind in scalars or isinstance(value, str)  # json.dumps() too writes a str subclass's characters
    if depth >= _DEPTH:
        return False
    for item in items:  # noqa: SIM110 - all() over a generator takes twice as long here
        if type(item) not in scalars and not _made_of(item, scalars, depth + 1):
            return False
    return True
