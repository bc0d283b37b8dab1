"""The dashboard of Data Source / Data Target jobs and the page of one job, with Nautobot's permissions."""

from datetime import timedelta

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from nautobot.apps.testing import TestCase
from nautobot.extras.models import Job as JobModel

from nautobot_data_sync.choices import SyncStatusChoices
from nautobot_data_sync.installed_jobs import installed_sync_jobs
from nautobot_data_sync.jobs.examples.inventory import InventoryFileDataSource
from nautobot_data_sync.models import Sync
from nautobot_data_sync.tests.fixtures.jobs import ManufacturerSource, ManufacturerTarget, job_model_for

DASHBOARD = reverse("plugins:nautobot_data_sync:dashboard")


def make_syncs(job_model, count, **fields):
    """``count`` finished syncs of ``job_model``, one minute apart, the last one newest."""
    start = timezone.now() - timedelta(hours=1)
    return [
        Sync.objects.create(
            job=job_model,
            source=job_model.job_class.data_source,
            target=job_model.job_class.data_target,
            status=SyncStatusChoices.SUCCEEDED,
            start_time=start + timedelta(minutes=index),
            end_time=start + timedelta(minutes=index, seconds=2 + index),
            create_count=index,
            **fields,
        )
        for index in range(count)
    ]


class DashboardTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.inventory = JobModel.objects.get(
            module_name=InventoryFileDataSource.__module__, job_class_name="InventoryFileDataSource"
        )
        cls.source = job_model_for(ManufacturerSource)
        cls.target = job_model_for(ManufacturerTarget)
        cls.other_job = JobModel.objects.exclude(pk__in=[cls.inventory.pk, cls.source.pk, cls.target.pk]).first()
        cls.inventory_syncs = make_syncs(cls.inventory, 7)

    def test_installed_sync_jobs_are_found_by_their_class(self):
        self.user.is_superuser = True
        self.user.save()
        jobs = {job.job_model.pk: job for job in installed_sync_jobs(self.user)}
        self.assertIn(self.inventory.pk, jobs)
        self.assertEqual(jobs[self.source.pk].kind, "Data Source")
        self.assertEqual(jobs[self.target.pk].kind, "Data Target")
        self.assertEqual((jobs[self.target.pk].source, jobs[self.target.pk].target), ("Nautobot", "Remote catalogue"))
        self.assertNotIn(self.other_job.pk, jobs)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_dashboard_needs_view_permission(self):
        self.assertHttpStatus(self.client.get(DASHBOARD), 403)
        self.client.logout()
        self.assertHttpStatus(self.client.get(DASHBOARD), 302)  # to the login page

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_dashboard_lists_sync_jobs_with_last_syncs(self):
        self.add_permissions("nautobot_data_sync.view_sync", "extras.view_job")
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(DASHBOARD)
        # A fixed number of queries, however many jobs and syncs: the jobs (runnable ones: none without the run
        # permission); the last syncs of every job, the recent syncs.
        statements = [query["sql"] for query in queries.captured_queries]
        self.assertEqual(len([sql for sql in statements if 'FROM "extras_job"' in sql]), 1)
        self.assertEqual(len([sql for sql in statements if 'FROM "nautobot_data_sync_sync"' in sql]), 2)
        self.assertHttpStatus(response, 200)
        content = response.content.decode()
        for job in (self.inventory, self.source, self.target):
            self.assertIn(reverse("plugins:nautobot_data_sync:syncjob", kwargs={"pk": job.pk}), content)
        self.assertNotIn(self.other_job.name, content)
        self.assertIn("Inventory file &rarr; Nautobot", content)
        self.assertIn("Nautobot &rarr; Remote catalogue", content)
        # The last five syncs of a job as badges (the two oldest left out), and its last duration.
        jobs_table = content[content.index('id="data-sync-jobs"') :].split("</table>", 1)[0]
        for sync in self.inventory_syncs[2:]:
            self.assertIn(sync.get_absolute_url(), jobs_table)
        self.assertNotIn(self.inventory_syncs[1].get_absolute_url(), jobs_table)
        self.assertIn("8.0 s", jobs_table)
        # Without the run permission, no run button.
        self.assertNotIn(reverse("extras:job_run", kwargs={"pk": self.inventory.pk}), content)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_run_button_follows_job_permissions(self):
        self.add_permissions("nautobot_data_sync.view_sync", "extras.view_job", "extras.run_job")
        self.inventory.enabled = True
        self.inventory.save()
        content = self.client.get(DASHBOARD).content.decode()
        self.assertIn(reverse("extras:job_run", kwargs={"pk": self.inventory.pk}), content)
        self.assertNotIn(reverse("extras:job_run", kwargs={"pk": self.source.pk}), content)  # not enabled
        self.assertIn("not enabled", content)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_jobs_the_user_may_not_view_are_left_out(self):
        self.add_permissions("nautobot_data_sync.view_sync")
        content = self.client.get(DASHBOARD).content.decode()
        self.assertIn("No Data Source or Data Target job is installed.", content)
        self.assertIn(self.inventory_syncs[-1].get_absolute_url(), content)  # recent syncs stay visible


class SyncJobPageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.inventory = JobModel.objects.get(
            module_name=InventoryFileDataSource.__module__, job_class_name="InventoryFileDataSource"
        )
        cls.syncs = make_syncs(cls.inventory, 60, dry_run=True)
        cls.url = reverse("plugins:nautobot_data_sync:syncjob", kwargs={"pk": cls.inventory.pk})

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_page_needs_job_and_sync_view_permissions(self):
        self.add_permissions("nautobot_data_sync.view_sync")
        self.assertHttpStatus(self.client.get(self.url), 403)
        self.add_permissions("extras.view_job")
        self.assertHttpStatus(self.client.get(self.url), 200)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_other_jobs_have_no_page(self):
        self.add_permissions("nautobot_data_sync.view_sync", "extras.view_job")
        other = JobModel.objects.exclude(module_name__startswith="nautobot_data_sync").first()
        response = self.client.get(reverse("plugins:nautobot_data_sync:syncjob", kwargs={"pk": other.pk}))
        self.assertHttpStatus(response, 404)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_page_content(self):
        self.add_permissions("nautobot_data_sync.view_sync", "extras.view_job")
        response = self.client.get(f"{self.url}?per_page=25")
        self.assertHttpStatus(response, 200)
        content = response.content.decode()
        self.assertIn("Inventory file &rarr; Nautobot", content)
        # config_information() as a table, data_mappings() with links to Nautobot's lists.
        self.assertIn('<th scope="row">Inventory file</th>', content)
        self.assertIn('<th scope="row">Records in it</th>', content)
        self.assertIn(f'<a href="{reverse("dcim:locationtype_list")}">Location Type</a>', content)
        # History: paginated, newest first.
        self.assertIn(self.syncs[-1].get_absolute_url(), content)
        self.assertIn(self.syncs[-25].get_absolute_url(), content)
        self.assertNotIn(self.syncs[-26].get_absolute_url(), content)
        self.assertIn("page=2", content)
        # Trend charts over the last 30 finished syncs, oldest first.
        self.assertIn('id="trend-duration-chart"', content)
        self.assertIn('id="trend-changes-chart"', content)
        self.assertIn(f"{self.syncs[-30].start_time:%Y-%m-%d %H:%M:%S} (dry-run)", content)
        self.assertNotIn(f"{self.syncs[-31].start_time:%Y-%m-%d %H:%M:%S} (dry-run)", content)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_job_detail_page_links_here(self):
        """Nautobot's own page of a sync job has a button to its Data Sync page; other jobs have none."""
        self.add_permissions("nautobot_data_sync.view_sync", "extras.view_job")
        response = self.client.get(self.inventory.get_absolute_url())
        self.assertHttpStatus(response, 200)
        self.assertBodyContains(response, f'href="{self.url}"')
        other = JobModel.objects.exclude(module_name__startswith="nautobot_data_sync").first()
        self.assertNotIn("Data Sync page", self.client.get(other.get_absolute_url()).content.decode())

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_page_of_a_job_without_syncs(self):
        self.add_permissions("nautobot_data_sync.view_sync", "extras.view_job")
        Sync.objects.all().delete()
        content = self.client.get(self.url).content.decode()
        self.assertIn("No finished sync yet.", content)
        self.assertNotIn('id="trend-duration-chart"', content)
