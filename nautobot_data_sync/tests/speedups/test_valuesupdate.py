"""Rows updated from a VALUES list are the rows bulk_update() leaves, in one statement the query count sees, with
Django's errors."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from nautobot.apps.testing import TestCase
from nautobot.dcim.models import Device

from nautobot_data_sync.speedups.copyrows import insert_rows
from nautobot_data_sync.speedups.valuesupdate import update_rows
from nautobot_data_sync.sync.metrics import QueryCounter
from nautobot_data_sync.tests.fixtures.orm import AWKWARD, awkward_devices, make_world, stored_rows

FIELDS = ["name", "serial", "asset_tag", "comments", "location", "_custom_field_data", "last_updated"]


@pytest.mark.compat
class ValuesUpdateTest(TestCase):
    def setUp(self):
        self.world = make_world()

    def _saved(self, prefix):
        devices = awkward_devices(self.world, prefix)
        insert_rows(devices)
        return devices

    def _changed(self, devices):
        """Every updated field changed, the texts rotated so that each row gets another row's awkward text."""
        now = timezone.now()
        texts = AWKWARD[1:] + AWKWARD[:1]
        prefix = devices[0].name.split("-")[0]
        for index, (device, text) in enumerate(zip(devices, texts, strict=True)):
            device.name = f"{prefix}-{index} {text} again"
            device.serial = text
            device.asset_tag = f"{prefix}-new-{index}" if index % 2 else None
            device.comments = f"{text}\r\n{text}"
            device.location = self.world["locations"][(index + 1) % 2]
            device._custom_field_data = {"owner": text, "list": [text, None, 3]}
            device.last_updated = now
        return devices

    def test_the_rows_are_those_bulk_update_leaves(self):
        mine, django = self._changed(self._saved("vals")), self._changed(self._saved("case"))
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(update_rows(mine, FIELDS), len(AWKWARD))
        self.assertEqual(Device.objects.bulk_update(django, FIELDS), len(AWKWARD))
        self.assertEqual(stored_rows(mine, "vals"), stored_rows(django, "case"))
        self.assertIn("again", stored_rows(mine, "vals")[0]["name"], "the new values were written")
        (statement,) = [query["sql"] for query in queries.captured_queries]
        self.assertTrue(statement.startswith('UPDATE "dcim_device" SET'))
        self.assertIn("FROM (VALUES", statement)
        self.assertNotIn("CASE", statement)
        stored = Device.objects.filter(pk__in=[device.pk for device in mine]).values_list("last_updated", flat=True)
        self.assertEqual(set(stored), {mine[0].last_updated})

    def test_the_sync_query_count_sees_it(self):
        counter = QueryCounter()
        devices = self._changed(self._saved("counted"))
        with connection.execute_wrapper(counter):
            update_rows(devices, ["serial"])
        self.assertEqual(counter.count, 1)

    def test_a_refused_row_raises_djangos_integrity_error(self):
        devices = self._saved("dup")
        devices[1].asset_tag = devices[0].asset_tag = "the same tag"
        with self.assertRaises(IntegrityError), transaction.atomic():
            update_rows(devices, ["asset_tag"])
        self.assertFalse(Device.objects.filter(asset_tag="the same tag").exists())

    def test_an_expression_takes_bulk_update(self):
        devices = self._saved("expression")
        devices[2].comments = Concat(Value("made "), Value("in SQL"))
        with CaptureQueriesContext(connection) as queries:
            update_rows(devices, ["comments"])
        self.assertIn("CASE", queries.captured_queries[-1]["sql"])
        self.assertEqual(Device.objects.get(pk=devices[2].pk).comments, "made in SQL")
