"""Audit records: retention deletes do not load change rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from nautobot.apps.testing import TestCase

from nautobot_data_sync.models import Sync, SyncChange


def make_sync_with_changes(count):
    sync = Sync.objects.create(source="a", target="b", start_time=timezone.now())
    SyncChange.objects.bulk_create(
        SyncChange(sync=sync, sequence=index, model_name="m", unique_id=str(index), action="create", status="planned")
        for index in range(count)
    )
    return sync


class RetentionTest(TestCase):
    def assert_deletes_without_loading_changes(self, delete):
        with CaptureQueriesContext(connection) as queries:
            delete()
        statements = [
            query["sql"] for query in queries.captured_queries if "nautobot_data_sync_syncchange" in query["sql"]
        ]
        self.assertTrue(statements[0].startswith('DELETE FROM "nautobot_data_sync_syncchange"'), statements[0])
        self.assertFalse(SyncChange.objects.exists())
        self.assertFalse(Sync.objects.exists())

    def test_deleting_a_sync_deletes_its_changes_in_one_statement(self):
        sync = make_sync_with_changes(300)
        self.assert_deletes_without_loading_changes(sync.delete)

    def test_bulk_deleting_syncs_deletes_their_changes_in_one_statement(self):
        make_sync_with_changes(200)
        make_sync_with_changes(100)
        self.assert_deletes_without_loading_changes(Sync.objects.all().delete)
