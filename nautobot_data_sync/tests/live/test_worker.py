"""End to end through a real Celery worker: the example sync (a dry-run) and the apply of its plan are queued with
`nautobot-server runjob` (as Nautobot's job API queues them) and run by a `nautobot-server celery worker` process, all
pointed at this test's database and this test run's own Redis database as broker."""

import json
import subprocess

from nautobot.apps.testing import TransactionTestCase
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import JobLogEntry, JobResult

from nautobot_data_sync.jobs.examples.inventory import InventoryFileDataSource
from nautobot_data_sync.jobs.planjobs import ApplyPlan
from nautobot_data_sync.models import Sync
from nautobot_data_sync.tests.fixtures.celeryworker import NAUTOBOT_SERVER, start_worker, worker_environment
from nautobot_data_sync.tests.fixtures.jobs import job_model_for


class RealWorkerTest(TransactionTestCase):
    def runjob(self, env, class_path, data):
        """``nautobot-server runjob`` (queued, run by the worker); its JobResult."""
        command = [NAUTOBOT_SERVER, "runjob", class_path, "--username", self.user.username, "--data", json.dumps(data)]
        runjob = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
        job_result = JobResult.objects.filter(job_model__module_name=class_path.rsplit(".", 1)[0]).first()
        self.assertIsNotNone(job_result, runjob.stdout + runjob.stderr)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, runjob.stdout + runjob.stderr)
        return job_result

    def test_example_sync_and_its_plan_run_on_a_celery_worker(self):
        for job_class in (InventoryFileDataSource, ApplyPlan):
            job_model = job_model_for(job_class)
            job_model.enabled = True
            job_model.validated_save()
        self.user.is_superuser = True
        self.user.save()

        env = worker_environment()
        worker = start_worker(env)
        try:
            planned = self.runjob(env, InventoryFileDataSource.class_path, {"dryrun": True})
            plan = Sync.objects.get(job_result=planned)
            applying = self.runjob(env, ApplyPlan.class_path, {"plan": str(plan.pk)})
        finally:
            worker.terminate()
            _, worker_errors = worker.communicate(timeout=60)

        self.assertIsNotNone(applying.worker, worker_errors.decode()[-2000:])
        sync = Sync.objects.get(job_result=applying)
        self.assertEqual((sync.plan, sync.dry_run), (plan, False))
        self.assertEqual(sync.phases.count(), 4)
        self.assertEqual((sync.create_count, sync.failed_count), (plan.create_count, 0))
        self.assertGreater(sync.create_count, 0)
        for job_result in (planned, applying):
            stdout_lines = JobLogEntry.objects.filter(job_result=job_result, grouping="write")
            self.assertEqual(list(stdout_lines.values_list("message", flat=True)), [], "nothing printed by structlog")
