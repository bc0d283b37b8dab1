"""Sharded syncs run in-process: the test settings run queued jobs at once (Celery's eager mode), so each job run
of a shard runs inside the one that queued it, through Nautobot's job machinery all the same. A real worker runs
them in tests/live/test_sharding.py.

The example job on the benchmark's inventory of 60 devices: 3 regions, so 3 shards of 20 devices."""

import pytest
from nautobot.apps.jobs import register_jobs
from nautobot.dcim.models import Device, Interface
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import JobResult

from benchmarks.dataset import INTERFACES_PER_DEVICE, make_inventory
from nautobot_data_sync.choices import ChangeStatusChoices, ShardStageChoices, ShardStatusChoices, SyncStatusChoices
from nautobot_data_sync.jobs.examples.inventory import InventoryFileDataSource
from nautobot_data_sync.jobs.planjobs import ApplyPlan, RetryFailedShards
from nautobot_data_sync.models import Sync, SyncChange, SyncShard
from nautobot_data_sync.sync.deadruns import close_if_dead
from nautobot_data_sync.sync.runlock import RunLock
from nautobot_data_sync.tests.fixtures.inventory import InventoryJobTestCase
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing
from nautobot_data_sync.tests.fixtures.jobs import job_model_for

DEVICES = 60


class InventoryLimitedDeletes(InventoryFileDataSource):
    """The example job refusing more than 50 deletes of a model in one run."""

    delete_guard_limit = 50

    class Meta(InventoryFileDataSource.Meta):
        name = "Test inventory source (at most 50 deletes)"


register_jobs(InventoryLimitedDeletes)


def devices_of(inventory, region):
    sites = {site["name"] for site in inventory["locations"] if site.get("parent") == region}
    return [device for device in inventory["devices"] if device["location"] in sites]


class ShardedRunTest(InventoryJobTestCase):
    def setUp(self):
        super().setUp()
        self.inventory = make_inventory(DEVICES)

    def run_sharded(self, **inputs):
        job_result, sync = self.run_job(self.inventory, run_as_shards=True, **inputs)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, job_result.traceback)
        sync.refresh_from_db()
        return sync

    @pytest.mark.compat  # queues job runs through Nautobot's job machinery, whose signature 3.1 and 3.2 differ in
    def test_one_data_sync_of_every_job_run(self):
        sync = self.run_sharded()

        self.assertEqual(sync.status, SyncStatusChoices.SUCCEEDED, sync.summary)
        self.assertEqual(Interface.objects.count(), DEVICES * INTERFACES_PER_DEVICE)
        runs = list(sync.shards.order_by("stage", "number").values_list("stage", "number", "status"))
        expected = [(stage, n, ShardStatusChoices.SUCCEEDED) for stage in ("deletes", "writes") for n in range(4)]
        self.assertEqual(runs, expected)
        for shard in sync.shards.exclude(number=0):
            self.assertEqual(len(shard.scope), 1, "each shard is scoped to its region")
            self.assertNotEqual(shard.job_result_id, sync.job_result_id)
            self.assertEqual(shard.phases.count(), 4)
        writes = sync.shards.get(stage=ShardStageChoices.WRITES, number=1)
        self.assertEqual(writes.counts["create_count"], 20 * (1 + INTERFACES_PER_DEVICE))
        self.assertEqual(SyncChange.objects.filter(shard=writes).count(), writes.counts["create_count"])
        self.assertEqual(sync.create_count, SyncChange.objects.filter(sync=sync).count())
        self.assertIn("In 3 shards", sync.summary)

        again = self.run_sharded()
        self.assertEqual((again.create_count, again.update_count, again.delete_count), (0, 0, 0), again.summary)
        self.assertEqual(again.unchanged_count, sync.create_count)

    def test_a_dry_run_is_a_plan_that_applies_as_reviewed_with_moved_devices_updated_in_place(self):
        self.run_sharded()
        moving = devices_of(self.inventory, "Europe")[0]
        device = Device.objects.get(name=moving["name"])
        moving["location"] = devices_of(self.inventory, "Asia-Pacific")[0]["location"]

        plan = self.run_sharded(dryrun=True)

        self.assertEqual(plan.status, SyncStatusChoices.SUCCEEDED, plan.summary)
        self.assertFalse(plan.shards.filter(stage=ShardStageChoices.DELETES).exists(), "a dry-run writes nothing")
        moved = SyncChange.objects.filter(sync=plan, status=ChangeStatusChoices.MOVED)
        self.assertEqual(moved.count(), 1 + INTERFACES_PER_DEVICE, "the device and its interfaces")
        self.assertEqual((plan.delete_count, plan.update_count, plan.kept_count), (0, 1, 1 + INTERFACES_PER_DEVICE))

        job_result = run_job_for_testing(job_model_for(ApplyPlan), job_kwargs={"plan": str(plan.pk)})
        applied = Sync.objects.get(job_result=job_result)
        self.assertEqual(applied.status, SyncStatusChoices.SUCCEEDED, applied.summary)
        self.assertEqual((applied.update_count, applied.delete_count), (1, 0))
        device.refresh_from_db()
        self.assertEqual(device.location.name, moving["location"])
        self.assertEqual(device.interfaces.count(), INTERFACES_PER_DEVICE)

    def test_each_shard_is_guarded_before_it_writes(self):
        self.run_sharded()
        europe = {device["name"] for device in devices_of(self.inventory, "Europe")}
        self.inventory["devices"] = [device for device in self.inventory["devices"] if device["name"] not in europe]
        self.inventory["devices"][0]["serial"] = "changed"

        sync = self.run_sharded()

        self.assertEqual(sync.status, SyncStatusChoices.BLOCKED, sync.summary)
        self.assertEqual(sync.shards.filter(status=ShardStatusChoices.BLOCKED).count(), 1)
        self.assertFalse(sync.shards.filter(stage=ShardStageChoices.DELETES).exists())
        self.assertEqual(Device.objects.filter(name__in=europe).count(), len(europe), "nothing deleted")

    def test_the_deletes_of_all_shards_are_guarded_together(self):
        self.job_class = InventoryLimitedDeletes
        self.job_model = job_model_for(InventoryLimitedDeletes)
        self.run_sharded()
        removed = {
            device["name"]
            for region in ("Europe", "Americas", "Asia-Pacific")
            for device in devices_of(self.inventory, region)[:4]
        }
        self.inventory["devices"] = [device for device in self.inventory["devices"] if device["name"] not in removed]

        sync = self.run_sharded()

        # Each shard deletes 32 interfaces (at most 50: it passes); the three shards together 96.
        self.assertEqual(sync.status, SyncStatusChoices.BLOCKED, sync.summary)
        self.assertIn("interface: 96 planned deletes", sync.summary)
        self.assertEqual(sync.shards.filter(status=ShardStatusChoices.SUCCEEDED).count(), 4, "the writes ran")
        self.assertFalse(sync.shards.filter(stage=ShardStageChoices.DELETES).exists())
        self.assertEqual(Device.objects.filter(name__in=removed).count(), len(removed))

    def test_a_failed_shard_fails_the_sync_and_is_retried_alone(self):
        broken = devices_of(self.inventory, "Americas")[0]
        broken["serial"] = "x" * 300  # longer than Nautobot allows
        sync = self.run_sharded()

        self.assertEqual(sync.status, SyncStatusChoices.FAILED, sync.summary)
        failed = sync.shards.get(status=ShardStatusChoices.FAILED)
        self.assertEqual(failed.stage, ShardStageChoices.WRITES)
        self.assertEqual(failed.counts["failed_count"], 1)
        self.assertFalse(sync.shards.filter(stage=ShardStageChoices.DELETES).exists(), "no deletes after a failure")
        others = dict(sync.shards.exclude(pk=failed.pk).values_list("pk", "job_result_id"))

        broken["serial"] = "fixed"
        self.path.write_text(self.path.read_text().replace("x" * 300, "fixed"))
        job_result = run_job_for_testing(job_model_for(RetryFailedShards), job_kwargs={"data_sync": str(sync.pk)})
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, job_result.traceback)

        sync.refresh_from_db()
        failed.refresh_from_db()
        self.assertEqual(sync.status, SyncStatusChoices.SUCCEEDED, sync.summary)
        self.assertEqual((failed.status, failed.attempts), (ShardStatusChoices.SUCCEEDED, 2))
        self.assertEqual(dict(sync.shards.filter(pk__in=others).values_list("pk", "job_result_id")), others)
        self.assertEqual(sync.failed_count, 0)
        self.assertEqual(sync.create_count, SyncChange.objects.filter(sync=sync, action="create").count())
        self.assertEqual(Device.objects.get(name=broken["name"]).serial, "fixed")


class ShardedRunLockTest(InventoryJobTestCase):
    def queued_sync(self, status):
        """A sharded sync of the example job with one job run ``status`` (queued: its Job Result waits)."""
        job_result = JobResult.objects.create(name="queued", job_model=self.job_model, user=self.user)
        sync = Sync.objects.create(
            job=self.job_model,
            source="s",
            target="t",
            start_time=job_result.date_created,
            lock=self.job_class.lock_name,
        )
        return SyncShard.objects.create(sync=sync, number=1, stage="writes", status=status, job_result=job_result)

    def test_a_run_waits_for_the_queued_shards_of_a_sharded_run(self):
        self.queued_sync(ShardStatusChoices.PENDING)
        job_result, sync = self.run_job(make_inventory(DEVICES))

        self.assertEqual(sync.status, SyncStatusChoices.NOT_RUN)
        self.assertEqual(Device.objects.count(), 0)

    def test_a_sharded_sync_whose_shards_are_queued_is_not_taken_for_dead(self):
        shard = self.queued_sync(ShardStatusChoices.PENDING)  # its job's run lock is free meanwhile

        self.assertFalse(close_if_dead(shard.sync))

        shard.sync.refresh_from_db()
        self.assertEqual(shard.sync.status, SyncStatusChoices.RUNNING)

    def test_a_shard_whose_process_died_is_failed_and_no_longer_holds_the_job(self):
        shard = self.queued_sync(ShardStatusChoices.RUNNING)  # its run lock is free: its process is gone
        self.assertTrue(RunLock(shard.lock_name).is_free())

        job_result, sync = self.run_job(make_inventory(DEVICES))

        self.assertSucceeded(job_result, sync)
        shard.refresh_from_db()
        shard.sync.refresh_from_db()
        self.assertEqual(shard.status, ShardStatusChoices.FAILED)
        self.assertEqual(shard.sync.status, SyncStatusChoices.INTERRUPTED)
