"""One run at a time, with real processes: two runs of a job started together, a run killed with SIGKILL mid-sync
(its Data Sync ends up interrupted, with every write it committed), and the lock freed by a process that dies."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection
from django.urls import reverse
from nautobot.apps.testing import TransactionTestCase
from nautobot.dcim.models import Manufacturer
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import JobResult, ObjectChange

from nautobot_data_sync.choices import ChangeStatusChoices, SyncStatusChoices
from nautobot_data_sync.models import Sync
from nautobot_data_sync.speedups.registry import DEFERRAL, enabled
from nautobot_data_sync.sync.runlock import RunLock
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing
from nautobot_data_sync.tests.fixtures.jobs import (
    Gate,
    GatedManufacturerSource,
    ManufacturerSource,
    SharedLockManufacturerSource,
    job_model_for,
)

RECORDS = [{"name": f"Vendor {index:02d}", "description": f"#{index}"} for index in range(12)]
INPUTS = {"dryrun": False, "memory_profiling": False, "parallel_loading": False}


class JobProcessTestCase(TransactionTestCase):
    """Starts sync jobs in processes of their own, on this test's database, meeting the test at a ``Gate``."""

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()
        for job_class in (GatedManufacturerSource, SharedLockManufacturerSource, ManufacturerSource):
            job_model = job_model_for(job_class)
            job_model.enabled = True
            job_model.validated_save()
        self.workdir = Path(tempfile.mkdtemp(prefix="data-sync-lock-"))
        self.gate = Gate(str(self.workdir / "gate"))
        self.processes = []

    def tearDown(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(30)
        super().tearDown()

    def start(self, job_class, records=RECORDS, **environment):
        env = {
            **os.environ,
            "NAUTOBOT_DB_NAME": connection.settings_dict["NAME"],
            "DATA_SYNC_TEST_GATE": self.gate.base,
        }
        env.update(environment)
        command = [sys.executable, "-m", "nautobot_data_sync.tests.fixtures.job_process", job_class.class_path]
        command += [json.dumps(records), self.user.username]
        log = open(self.workdir / f"process-{len(self.processes)}.log", "w")  # noqa: SIM115 - kept for the process
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def output(self, process):
        return (self.workdir / f"process-{self.processes.index(process)}.log").read_text()

    def wait_until(self, condition, what, timeout=120):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                logs = "\n".join(self.output(process)[-2000:] for process in self.processes)
                self.fail(f"timed out waiting for {what}\n{logs}")
            time.sleep(0.1)

    def kill(self, process):
        """SIGKILL ``process``, then wait for the database server to drop its connection (and its run lock)."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
        lock = RunLock(GatedManufacturerSource.lock_name)
        self.wait_until(lock.is_free, "the database server to notice the killed process", timeout=30)

    def finish(self, process):
        process.wait(180)
        self.assertEqual(process.returncode, 0, self.output(process))


class OneRunAtATimeTest(JobProcessTestCase):
    def test_of_two_runs_started_together_one_writes_and_the_other_names_it(self):
        first, second = self.start(GatedManufacturerSource), self.start(GatedManufacturerSource)
        self.wait_until(lambda: next(self.workdir.glob("gate.loading-*"), None), "a run holding the lock")
        self.wait_until(lambda: Sync.objects.filter(status=SyncStatusChoices.NOT_RUN).exists(), "the other run")
        self.gate.open("load")
        self.finish(first)
        self.finish(second)

        blocked = Sync.objects.get(status=SyncStatusChoices.NOT_RUN)
        done = Sync.objects.get(status=SyncStatusChoices.SUCCEEDED)
        self.assertIn(f"job result {done.job_result_id}", blocked.summary)
        self.assertIn("has been running since", blocked.summary)
        self.assertEqual(blocked.job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertFalse(blocked.changes.exists(), "nothing written, nothing recorded")
        self.assertEqual(done.create_count, len(RECORDS))
        self.assertEqual(Manufacturer.objects.count(), len(RECORDS), "each manufacturer written once")

    def test_jobs_that_share_a_lock_do_not_overlap(self):
        holder = self.start(GatedManufacturerSource)
        self.wait_until(lambda: next(self.workdir.glob("gate.loading-*"), None), "the first job holding the lock")
        job_result = run_job_for_testing(job_model_for(SharedLockManufacturerSource), job_kwargs=INPUTS)
        self.gate.open("load")
        self.finish(holder)
        blocked = Sync.objects.get(job_result=job_result)
        self.assertEqual(blocked.status, SyncStatusChoices.NOT_RUN)
        self.assertIn(GatedManufacturerSource.class_path, blocked.summary)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)


class KilledRunTest(JobProcessTestCase):
    def test_a_run_killed_mid_sync_is_interrupted_with_every_write_listed_and_the_next_run_starts(self):
        self.gate.open("load")
        batches = json.dumps({"change_batch_size": 4})
        killed = self.start(
            GatedManufacturerSource, DATA_SYNC_TEST_HANG_AT="Vendor 06", DATA_SYNC_TEST_SETTINGS=batches
        )
        # It stops inside the savepoint of its 7th write. One by one, its writes commit in batches of 4 with their
        # change records (speedups.deferral); where that is off, each commits alone.
        committed = 4 if enabled(DEFERRAL) else 6
        self.wait_until(lambda: self.gate.has_reached("hung"), "the run to write 6 manufacturers and stop")
        self.kill(killed)
        dead = Sync.objects.get(job__job_class_name=GatedManufacturerSource.__name__)
        self.assertEqual(dead.status, SyncStatusChoices.RUNNING, "nothing closed it: its process is gone")
        self.assertEqual(Manufacturer.objects.count(), committed, "the batch it was writing is gone")

        GatedManufacturerSource.records = RECORDS
        self.addCleanup(setattr, GatedManufacturerSource, "records", [])
        next_run = run_job_for_testing(job_model_for(GatedManufacturerSource), job_kwargs=INPUTS)

        dead.refresh_from_db()
        self.assertEqual(dead.status, SyncStatusChoices.INTERRUPTED)
        self.assertEqual(dead.create_count, committed, dead.summary)
        recorded = set(dead.changes.filter(status=ChangeStatusChoices.SUCCEEDED).values_list("object_repr", flat=True))
        self.assertEqual(recorded, {f"Vendor {index:02d}" for index in range(committed)}, "every committed write")
        logged = set(ObjectChange.objects.filter(request_id=dead.change_id).values_list("object_repr", flat=True))
        self.assertEqual(logged, recorded, "the change log holds the committed writes, no other")
        self.assertEqual(JobResult.objects.get(pk=dead.job_result_id).status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertEqual(next_run.status, JobResultStatusChoices.STATUS_SUCCESS)
        finished = Sync.objects.get(job_result=next_run)
        self.assertEqual((finished.create_count, finished.unchanged_count), (12 - committed, committed))

    def test_the_data_sync_page_finds_a_dead_run(self):
        self.gate.open("load")
        batches = json.dumps({"change_batch_size": 2})
        killed = self.start(
            GatedManufacturerSource, DATA_SYNC_TEST_HANG_AT="Vendor 02", DATA_SYNC_TEST_SETTINGS=batches
        )
        self.wait_until(lambda: self.gate.has_reached("hung"), "the run to stop mid-sync")
        sync = Sync.objects.get(status=SyncStatusChoices.RUNNING)
        self.client.force_login(self.user)
        response = self.client.get(reverse("plugins:nautobot_data_sync:sync", kwargs={"pk": sync.pk}))
        self.assertEqual(response.status_code, 200)
        sync.refresh_from_db()
        self.assertEqual(sync.status, SyncStatusChoices.RUNNING, "alive: its process holds the lock")

        self.kill(killed)
        response = self.client.get(reverse("plugins:nautobot_data_sync:sync", kwargs={"pk": sync.pk}))
        sync.refresh_from_db()
        self.assertEqual(sync.status, SyncStatusChoices.INTERRUPTED)
        self.assertEqual(sync.create_count, 2)
        self.assertContains(response, "Interrupted")


class RunLockTest(TransactionTestCase):
    def test_a_lock_is_taken_by_one_holder_and_freed_by_its_release(self):
        first, second = RunLock("data-sync-test"), RunLock("data-sync-test")
        self.assertTrue(first.acquire())
        self.assertFalse(second.acquire())
        self.assertFalse(second.is_free())
        first.release()
        self.assertTrue(second.is_free())
        self.assertTrue(RunLock("another lock").acquire())

    def test_a_lock_is_freed_when_its_process_dies(self):
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK],
            env={**os.environ, "NAUTOBOT_DB_NAME": connection.settings_dict["NAME"]},
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            self.assertEqual(holder.stdout.readline().strip(), "held")
            self.assertFalse(RunLock("data-sync-test").is_free())
        finally:
            holder.kill()
            holder.wait(30)
        deadline = time.monotonic() + 30
        while not RunLock("data-sync-test").is_free():  # the server notices the closed connection
            self.assertLess(time.monotonic(), deadline, "the lock outlived its process")
            time.sleep(0.1)


HOLD_LOCK = """
import os, time, nautobot
os.environ.setdefault("DATA_SYNC_TESTING", "1")
nautobot.setup("development/nautobot_config.py")
from nautobot_data_sync.sync.runlock import RunLock
assert RunLock("data-sync-test").acquire()
print("held", flush=True)
time.sleep(600)
"""
