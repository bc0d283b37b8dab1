"""End to end through a real Celery worker: the example sync is queued with `nautobot-server runjob` and run by a
`nautobot-server celery worker` process, both pointed at this test's database and a Redis broker of their own."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection
from nautobot.apps.testing import TransactionTestCase
from nautobot.core.settings_funcs import parse_redis_connection
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import JobLogEntry, JobResult

from nautobot_data_sync.jobs.examples.inventory import InventoryFileDataSource
from nautobot_data_sync.models import Sync
from nautobot_data_sync.tests.fixtures.jobs import job_model_for

NAUTOBOT_SERVER = str(Path(sys.executable).with_name("nautobot-server"))
BROKER_DATABASE = 5  # a Redis database no development worker listens on


class RealWorkerTest(TransactionTestCase):
    def test_example_sync_runs_on_a_celery_worker(self):
        job_model = job_model_for(InventoryFileDataSource)
        job_model.enabled = True
        job_model.validated_save()
        self.user.is_superuser = True
        self.user.save()

        env = {key: value for key, value in os.environ.items() if key != "DATA_SYNC_TESTING"}
        env["NAUTOBOT_DB_NAME"] = connection.settings_dict["NAME"]
        env["NAUTOBOT_CELERY_BROKER_URL"] = parse_redis_connection(redis_database=BROKER_DATABASE)
        worker = subprocess.Popen(
            [
                NAUTOBOT_SERVER,
                "celery",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "WARNING",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            runjob = subprocess.run(
                [
                    NAUTOBOT_SERVER,
                    "runjob",
                    InventoryFileDataSource.class_path,
                    "--username",
                    self.user.username,
                    "--data",
                    '{"dryrun": false}',
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        finally:
            worker.terminate()
            _, worker_errors = worker.communicate(timeout=60)

        job_result = JobResult.objects.get(job_model=job_model)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, runjob.stdout + runjob.stderr)
        self.assertIsNotNone(job_result.worker, worker_errors.decode()[-2000:])
        sync = Sync.objects.get(job_result=job_result)
        self.assertEqual(sync.phases.count(), 4)
        self.assertGreater(sync.create_count, 0)
        self.assertEqual(sync.failed_count, 0)
        stdout_lines = JobLogEntry.objects.filter(job_result=job_result, grouping="write")
        self.assertEqual(list(stdout_lines.values_list("message", flat=True)), [], "nothing printed by structlog")
