"""Smoke tests of the test harness: Nautobot set-up, the app, the test database, Redis and job execution."""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from nautobot.apps.testing import TestCase, TransactionTestCase
from nautobot.dcim.models import Location, LocationType
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import Job, JobLogEntry, Status

from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing


class HarnessTestCase(TestCase):
    def test_app_is_installed(self):
        self.assertEqual(apps.get_app_config("nautobot_data_sync").base_url, "data-sync")

    def test_orm_writes_to_test_database(self):
        location_type = LocationType.objects.create(name="Smoke Site")
        status = Status.objects.get_for_model(Location).get(name="Active")
        Location.objects.create(name="Smoke 1", location_type=location_type, status=status)
        self.assertEqual(Location.objects.filter(location_type=location_type).count(), 1)

    def test_redis_cache(self):
        cache.set("data_sync_smoke:a", 1)
        self.assertEqual(cache.get("data_sync_smoke:a"), 1)
        cache.delete_pattern("data_sync_smoke:*")
        self.assertIsNone(cache.get("data_sync_smoke:a"))
        with cache.lock("data_sync_smoke:lock", timeout=5):
            pass


class JobExecutionTestCase(TransactionTestCase):
    """Job logs are written through the separate "job_logs" connection: like Nautobot, use a TransactionTestCase."""

    def test_job_runs_and_its_logs_are_stored(self):
        job = Job.objects.get(module_name="nautobot.core.jobs", job_class_name="ExportObjectList")
        content_type = ContentType.objects.get_for_model(Status)
        result = run_job_for_testing(job, job_kwargs={"content_type": content_type.pk, "export_format": "csv"})
        self.assertEqual(result.status, JobResultStatusChoices.STATUS_SUCCESS, result.traceback)
        self.assertTrue(JobLogEntry.objects.filter(job_result=result).exists())
