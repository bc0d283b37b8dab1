"""JSON columns encoded with orjson store what Django's ``json.dumps(value, cls=field.encoder)`` stores; any value it
might not store alike takes Django's encoding."""

import datetime
import decimal
import enum
import json
import uuid
from collections import OrderedDict, defaultdict

import pytest
from django.db import connection
from django.utils.safestring import SafeString
from nautobot.apps.testing import TestCase
from nautobot.extras.models import ObjectChange
from rest_framework.relations import Hyperlink

from nautobot_data_sync.models import Sync, SyncChange
from nautobot_data_sync.speedups.jsontext import column_text


class _Colour(enum.Enum):
    RED = "red"


def _circular():
    items = []
    items.append(items)
    return items


def _nested(depth):
    value = "bottom"
    for _ in range(depth):
        value = [value]
    return value


TEXTS = ["", "plain", "unicode é ✓ 🚀", "quote ' \" back\\slash \\N", "tab\tnew\nline\rreturn", "\u2028\u2029\x1f\x7f"]
WRITTEN = [
    *TEXTS,
    0,
    -1,
    2**63,
    -(2**63),
    True,
    False,
    {},
    [],
    {"nested": [1, "a", None, {"deeper": (1, "two", False)}], **{text: text for text in TEXTS}},
    ("a tuple", 1),
    _nested(200),
    {"str subclasses": [SafeString("safe"), Hyperlink("/api/dcim/devices/", None)]},
    {"type": OrderedDict(value="1000base-t", label="1000BASE-T (1GE)")},
]
"""Values orjson writes: its text and Django's are stored alike."""
WITH_UUIDS = [uuid.uuid4(), {"id": uuid.uuid4(), "nested": [{"id": uuid.uuid4()}]}]
REFUSED = [
    1.0,
    {"list": [1, 2.5]},
    float("nan"),
    2**64,
    -(2**63) - 1,
    {1: "a key that is not a str"},
    {SafeString("a key of a str subclass"): 1},
    {"another dict subclass": defaultdict(int, a=1)},
    [datetime.datetime(2026, 12, 7, 7, 0, 0, 123456, tzinfo=datetime.timezone.utc)],
    [decimal.Decimal("1.50")],
    [_Colour.RED],
    "lone \ud800 surrogate",
    _circular(),
    _nested(300),
    {"a set": {1}},
]
"""Values Django's encoding is kept for (it may write them differently, or refuse them)."""


@pytest.mark.compat
class JsonTextTest(TestCase):
    def stored(self, text):
        """The value PostgreSQL stores from JSON ``text``, as it reads it back."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::jsonb::text", [text])
            return cursor.fetchone()[0]

    def test_values_made_of_json_types_are_stored_as_djangos_text_stores_them(self):
        for model, name in ((ObjectChange, "object_data"), (ObjectChange, "object_data_v2"), (Sync, "scope")):
            field = model._meta.get_field(name)
            text = column_text(field, connection)
            for value in WRITTEN:
                with self.subTest(field=name, value=repr(value)[:40]):
                    fast = text(value)
                    self.assertIsNotNone(fast, "orjson writes it")
                    self.assertEqual(self.stored(fast), self.stored(json.dumps(value, cls=field.encoder)))

    def test_uuids_only_where_the_encoder_writes_them_as_their_text(self):
        for model, name in ((ObjectChange, "object_data"), (ObjectChange, "object_data_v2"), (SyncChange, "parents")):
            field = model._meta.get_field(name)
            text = column_text(field, connection)
            for value in WITH_UUIDS:
                with self.subTest(field=name, value=value):
                    self.assertEqual(self.stored(text(value)), self.stored(json.dumps(value, cls=field.encoder)))
        without_encoder = Sync._meta.get_field("scope")
        self.assertIsNone(without_encoder.encoder)
        self.assertIsNone(column_text(without_encoder, connection)(WITH_UUIDS[0]), "json.dumps() refuses a UUID")

    def test_any_other_value_takes_djangos_encoding(self):
        text = column_text(ObjectChange._meta.get_field("object_data_v2"), connection)
        for value in REFUSED:
            with self.subTest(value=repr(value)[:40]):
                self.assertIsNone(text(value))

    def test_only_json_fields_prepared_as_djangos(self):
        self.assertIsNone(column_text(ObjectChange._meta.get_field("change_context_detail"), connection))
        self.assertIsNone(column_text(ObjectChange._meta.get_field("time"), connection))
