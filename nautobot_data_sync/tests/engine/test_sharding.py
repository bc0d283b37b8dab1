"""Sharded syncs run in-process: the test settings run queued jobs at once (Celery's eager mode), so each job run
of a shard runs inside the one that queued it, through Nautobot's job machinery all the same. The real-worker path
is tested in tests/live/test_sharding.py."""

from nautobot.dcim.models import Device

from benchmarks.dataset import make_inventory
from nautobot_data_sync.choices import ShardStatusChoices, SyncStatusChoices
from nautobot_data_sync.tests.fixtures.inventory import InventoryJobTestCase

DEVICES = 60


class ShardedRunTest(InventoryJobTestCase):
    def test_a_sharded_run_in_process(self):
        inventory = make_inventory(DEVICES)
        job_result, sync = self.run_job(inventory, run_as_shards=True)
        sync.refresh_from_db()
        self.assertEqual(sync.status, SyncStatusChoices.SUCCEEDED, sync.summary)
        self.assertEqual(Device.objects.count(), DEVICES)
        self.assertEqual(sync.shards.filter(status=ShardStatusChoices.SUCCEEDED).count(), 8)
