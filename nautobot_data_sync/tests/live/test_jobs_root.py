"""A DataSource installed as a plain file in JOBS_ROOT is found by Nautobot and runs."""

import tempfile
from pathlib import Path

from django.apps import apps
from django.test import override_settings
from nautobot.apps.testing import TransactionTestCase
from nautobot.dcim.models import Manufacturer
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import Job as JobModel
from nautobot.extras.signals import refresh_job_models

from nautobot_data_sync.models import Sync
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing

JOB_FILE = """
from nautobot.apps.jobs import register_jobs

from nautobot_data_sync.tests.fixtures.jobs import ManufacturerSource


class RootSource(ManufacturerSource):
    records = [{"name": "From JOBS_ROOT"}]

    class Meta(ManufacturerSource.Meta):
        name = "Source from JOBS_ROOT"


register_jobs(RootSource)
"""


class JobsRootTest(TransactionTestCase):
    def test_data_source_in_jobs_root_is_found_and_runs(self):
        with tempfile.TemporaryDirectory() as jobs_root, override_settings(JOBS_ROOT=jobs_root):
            Path(jobs_root, "root_sync.py").write_text(JOB_FILE)
            refresh_job_models(sender=None, apps=apps)

            job_model = JobModel.objects.get(module_name="root_sync", job_class_name="RootSource")
            self.assertFalse(job_model.enabled, "Nautobot registers new jobs disabled")
            job_result = run_job_for_testing(job_model, job_kwargs={"dryrun": False})

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, job_result.traceback)
        self.assertTrue(Manufacturer.objects.filter(name="From JOBS_ROOT").exists())
        self.assertEqual(Sync.objects.get(job_result=job_result).create_count, 1)
