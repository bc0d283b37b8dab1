"""Rows inserted with COPY are the rows bulk_create() inserts, its errors are Django's, and the query count sees it."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext
from nautobot.apps.testing import TestCase
from nautobot.dcim.models import Device

from nautobot_data_sync.speedups.copyrows import insert_rows
from nautobot_data_sync.sync.metrics import QueryCounter
from nautobot_data_sync.tests.fixtures.orm import make_world

AWKWARD = ["tab\there", "new\nline", "back\\slash \\N", "quote ' \" ", "carriage\rreturn", "unicode é ✓ 🚀", ""]
"""Text COPY escapes (or must not): tabs, newlines, backslashes (a literal \\N is not NULL), quotes, non-ASCII."""


def _devices(world, prefix):
    return [
        Device(
            name=f"{prefix}-{index} {text}",
            location=world["locations"][index % 2],
            device_type=world["device_type"],
            role=world["role"],
            status=world["status"],
            serial=text,
            asset_tag=None if index % 2 else f"{prefix}-tag-{index}",
            comments=f"{text}\n\\t{text}",
            _custom_field_data={"owner": text, "nested": {"list": [1, 2.5, None, True, text]}},
        )
        for index, text in enumerate(AWKWARD)
    ]


def _rows(devices, prefix):
    """Each device's row as stored, but for what differs between two inserts (pk, timestamps, the name's prefix)."""
    skip = {"id", "created", "last_updated"}
    fields = [field.attname for field in Device._meta.concrete_fields if field.attname not in skip]
    rows = Device.objects.filter(pk__in=[device.pk for device in devices]).values(*fields)
    unprefixed = [
        {name: value.replace(prefix, "") if isinstance(value, str) else value for name, value in row.items()}
        for row in rows
    ]
    return sorted(unprefixed, key=lambda row: row["name"])


@pytest.mark.compat
class CopyRowsTest(TestCase):
    def setUp(self):
        self.world = make_world()

    def test_the_rows_are_those_bulk_create_inserts(self):
        copied, created = _devices(self.world, "copy"), _devices(self.world, "bulk")
        with CaptureQueriesContext(connection) as queries:
            insert_rows(copied, batch_size=3)
        Device.objects.bulk_create(created)
        self.assertEqual(_rows(copied, "copy"), _rows(created, "bulk"))
        self.assertEqual(len(_rows(copied, "copy")), len(AWKWARD))
        self.assertEqual(
            [query["sql"].split(" (")[0] for query in queries.captured_queries],
            ['COPY "dcim_device"'] * 3,
            "three batches, each one COPY, in Django's query log",
        )
        for device in copied:
            self.assertFalse(device._state.adding, "saved, as bulk_create() leaves them")
            self.assertIsNotNone(device.created)

    def test_the_sync_query_count_sees_it(self):
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            insert_rows(_devices(self.world, "counted"))
        self.assertEqual(counter.count, 1)

    def test_a_refused_row_raises_djangos_integrity_error(self):
        first = _devices(self.world, "dup")[:1]
        insert_rows(first)
        again = _devices(self.world, "dup")[:1]
        again[0].pk = first[0].pk
        with self.assertRaises(IntegrityError), transaction.atomic():
            insert_rows(again)
        self.assertEqual(Device.objects.filter(name__startswith="dup-").count(), 1)

    def test_an_expression_takes_bulk_create(self):
        devices = _devices(self.world, "expression")
        devices[0].comments = Concat(Value("made "), Value("in SQL"))
        with CaptureQueriesContext(connection) as queries:
            insert_rows(devices)
        statements = [query["sql"].split(" ")[0] for query in queries.captured_queries]
        self.assertIn("INSERT", statements)
        self.assertNotIn("COPY", statements)
        self.assertEqual(Device.objects.get(pk=devices[0].pk).comments, "made in SQL")
        self.assertEqual(Device.objects.filter(name__startswith="expression-").count(), len(AWKWARD))

    def test_a_key_the_database_assigns_takes_bulk_create_and_is_read_back(self):
        content_type = ContentType.objects.get_for_model(Device)
        permission = Permission(name="Copy test", codename="copy_test", content_type=content_type)
        with CaptureQueriesContext(connection) as queries:
            insert_rows([permission])
        self.assertNotIn("COPY", [query["sql"].split(" ")[0] for query in queries.captured_queries])
        self.assertIsNotNone(permission.pk, "read back, as bulk_create() does")
        self.assertEqual(Permission.objects.get(pk=permission.pk).codename, "copy_test")
