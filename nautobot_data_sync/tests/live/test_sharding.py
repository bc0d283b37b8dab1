"""Sharded syncs on a real Celery worker with one process (concurrency 1): the coordinating run queues the shards
and ends, so the one worker runs them all in turn. The example job on the benchmark's inventory of 1,000 devices
(3 regions, so 3 shards): the initial sync, a sync of changes with a device moved to another region (another shard),
then the same file unsharded in-process, which must find nothing to change: the sharded runs left Nautobot as an
unsharded run leaves it."""

import json
import os
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from unittest import mock

from django.contrib.contenttypes.models import ContentType
from nautobot.apps.testing import TransactionTestCase
from nautobot.dcim.models import Device, Interface
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import ObjectChange

from benchmarks.dataset import INTERFACES_PER_DEVICE, change_inventory, make_inventory, write_inventory
from nautobot_data_sync.choices import ShardStageChoices, ShardStatusChoices, SyncStatusChoices
from nautobot_data_sync.jobs.examples.inventory import PATH_VARIABLE, InventoryFileDataSource
from nautobot_data_sync.models import Sync, SyncChange
from nautobot_data_sync.tests.fixtures.celeryworker import NAUTOBOT_SERVER, start_worker, worker_environment
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing
from nautobot_data_sync.tests.fixtures.jobs import job_model_for

DEVICES = 1000


class ShardedSyncOnAWorkerTest(TransactionTestCase):
    def setUp(self):
        super().setUp()
        self.job_model = job_model_for(InventoryFileDataSource)
        self.job_model.enabled = True
        self.job_model.validated_save()
        self.user.is_superuser = True
        self.user.save()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.path = Path(folder.name) / "inventory.json"
        self.env = worker_environment(**{PATH_VARIABLE: str(self.path)})
        self.worker = start_worker(self.env)
        self.addCleanup(self.stop_worker)

    def stop_worker(self):
        self.worker.terminate()
        self.worker.communicate(timeout=60)

    def run_sharded(self, inventory):
        """Queue the example job with run_as_shards (``nautobot-server runjob``) and wait for its whole sync."""
        write_inventory(inventory, self.path)
        data = json.dumps({"dryrun": False, "run_as_shards": True})
        command = [NAUTOBOT_SERVER, "runjob", InventoryFileDataSource.class_path, "--username", self.user.username]
        runjob = subprocess.run([*command, "--data", data], env=self.env, capture_output=True, text=True, timeout=600)
        sync = Sync.objects.order_by("start_time").last()
        self.assertIsNotNone(sync, runjob.stdout + runjob.stderr)
        self.assertEqual(sync.job_result.status, JobResultStatusChoices.STATUS_SUCCESS, runjob.stdout + runjob.stderr)
        deadline = time.monotonic() + 600
        while sync.status == SyncStatusChoices.RUNNING and time.monotonic() < deadline:
            self.assertIsNone(self.worker.poll(), "the worker stopped")
            time.sleep(1)
            sync.refresh_from_db()
        self.assertEqual(sync.status, SyncStatusChoices.SUCCEEDED, sync.summary)
        return sync

    def assertEveryRunSucceeded(self, sync, stages):
        runs = Counter(sync.shards.values_list("stage", "status"))
        self.assertEqual(runs, Counter({(stage, ShardStatusChoices.SUCCEEDED): count for stage, count in stages}))
        for shard in sync.shards.exclude(number=0):
            self.assertEqual(shard.job_result.status, JobResultStatusChoices.STATUS_SUCCESS, shard.summary)
            self.assertTrue(shard.job_result.worker, "run by the worker")

    def test_sharded_syncs_on_one_worker_leave_nautobot_as_an_unsharded_run(self):
        inventory = make_inventory(DEVICES)
        sync = self.run_sharded(inventory)

        # 1 coordinating run + 3 shards write; 3 shards + the shared models delete (nothing, here).
        self.assertEveryRunSucceeded(sync, [(ShardStageChoices.WRITES, 4), (ShardStageChoices.DELETES, 4)])
        objects = sum(len(records) for records in inventory.values()) + DEVICES * INTERFACES_PER_DEVICE
        self.assertEqual((sync.create_count, sync.failed_count, sync.delete_count), (objects, 0, 0))
        self.assertEqual(SyncChange.objects.filter(sync=sync, action="create").count(), sync.create_count)
        self.assertEqual(Device.objects.count(), DEVICES)
        self.assertEqual(Interface.objects.count(), DEVICES * INTERFACES_PER_DEVICE)
        device_type = ContentType.objects.get_for_model(Device)
        created = ObjectChange.objects.filter(changed_object_type=device_type, action="create")
        self.assertEqual(created.count(), DEVICES, "one change record per device, as Nautobot writes")
        self.assertEqual(sync.phases.filter(shard__number__gt=0).count(), 3 * 4 * 2, "4 phases per job run")

        # A device moves to a site of another region, that is to another shard: updated in place.
        moved = inventory["devices"][0]
        mover = Device.objects.get(name=moved["name"])
        interface_pks = set(mover.interfaces.values_list("pk", flat=True))
        old_site = mover.location.name
        moved["location"] = next(
            site["name"]
            for site in inventory["locations"]
            if site.get("parent") not in (None, mover.location.parent.name)
        )
        change_inventory(inventory)
        sync = self.run_sharded(inventory)

        self.assertEveryRunSucceeded(sync, [(ShardStageChoices.WRITES, 4), (ShardStageChoices.DELETES, 4)])
        mover_now = Device.objects.get(pk=mover.pk)
        self.assertEqual(mover_now.location.name, moved["location"])
        self.assertNotEqual(mover_now.location.name, old_site)
        self.assertEqual(set(mover_now.interfaces.values_list("pk", flat=True)), interface_pks)
        removed = DEVICES // 50
        self.assertEqual(Device.objects.count(), DEVICES - removed)
        self.assertEqual(sync.delete_count, removed * (1 + INTERFACES_PER_DEVICE))
        self.assertFalse(SyncChange.objects.filter(sync=sync, changed_object_id=mover.pk, action="delete").exists())
        self.assertTrue(SyncChange.objects.filter(sync=sync, changed_object_id=mover.pk, action="update").exists())

        # The same file, unsharded and in-process: nothing left to do.
        with mock.patch.dict(os.environ, {PATH_VARIABLE: str(self.path)}):
            job_result = run_job_for_testing(self.job_model, job_kwargs={"dryrun": False})
        unsharded = Sync.objects.get(job_result=job_result)
        self.assertEqual(unsharded.status, SyncStatusChoices.SUCCEEDED, unsharded.summary)
        changes = (unsharded.create_count, unsharded.update_count, unsharded.delete_count)
        self.assertEqual(changes, (0, 0, 0), unsharded.summary)
