"""Nautobot's post-job walk over a job's change records reads their data in chunks while a sync job runs."""

import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext
from nautobot.apps.testing import TestCase
from nautobot.dcim.models import Manufacturer
from nautobot.extras.choices import ObjectChangeActionChoices
from nautobot.extras.models import ObjectChange

from nautobot_data_sync.sync.changedata import read_change_data_in_chunks

RECORDS = 25


def dispatch_walk(request_id):
    """Snapshots of the request's change records, read the way Nautobot's post-job dispatch reads them."""
    records = (
        ObjectChange.objects.select_related("changed_object_type", "user")
        .filter(request_id=request_id)
        .order_by("time")
        .defer("object_data", "object_data_v2")
        .iterator()
    )
    return {record.changed_object_id: record.get_snapshots() for record in records}


class ChunkedChangeDataTest(TestCase):
    def setUp(self):
        super().setUp()
        self.request_id = uuid.uuid4()
        changes = []
        for index in range(RECORDS):
            manufacturer = Manufacturer.objects.create(name=f"Vendor {index}", description=f"#{index}")
            change = manufacturer.to_objectchange(ObjectChangeActionChoices.ACTION_CREATE)
            change.request_id = self.request_id
            changes.append(change)
        ObjectChange.objects.bulk_create(changes)
        other = Manufacturer.objects.create(name="Another request's")
        other_change = other.to_objectchange(ObjectChangeActionChoices.ACTION_CREATE)
        other_change.request_id = self.other_request_id = uuid.uuid4()
        other_change.save()

    def test_records_get_their_data_with_one_query_per_chunk(self):
        with CaptureQueriesContext(connection) as one_by_one:
            expected = dispatch_walk(self.request_id)
        stop = read_change_data_in_chunks(self.request_id, chunk_size=10)
        try:
            with CaptureQueriesContext(connection) as chunked:
                snapshots = dispatch_walk(self.request_id)
        finally:
            stop()

        self.assertEqual(len(snapshots), RECORDS)
        self.assertEqual(snapshots, expected)
        self.assertEqual(snapshots[Manufacturer.objects.get(name="Vendor 3").pk]["postchange"]["description"], "#3")
        self.assertGreaterEqual(len(one_by_one), RECORDS + 1, "Nautobot's way: one query per record")
        self.assertLessEqual(len(chunked), 1 + 3 + 2, "the walk, three chunks of 10, and cursor bookkeeping")

    def test_other_requests_and_stopped_reads_are_untouched(self):
        stop = read_change_data_in_chunks(self.request_id, chunk_size=10)
        try:
            (other,) = dispatch_walk(self.other_request_id).values()
        finally:
            stop()
        self.assertEqual(other["postchange"]["name"], "Another request's")

        with CaptureQueriesContext(connection) as after_stop:
            dispatch_walk(self.request_id)
        self.assertGreaterEqual(len(after_stop), RECORDS + 1)
