"""UI views of Data Syncs and their changes: Nautobot's generic view tests plus the content of the pages."""

from datetime import timedelta

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from nautobot.apps.testing import TestCase, ViewTestCases
from nautobot.extras.models import JobLogEntry, JobResult, Status

from nautobot_data_sync.choices import (
    ChangeActionChoices,
    ChangeStatusChoices,
    SyncPhaseChoices,
)
from nautobot_data_sync.models import Sync, SyncChange, SyncPhase
from nautobot_data_sync.tests.fixtures.records import create_test_records


class ListViewChecksMixin:
    """Nautobot runs these two generic checks only for its own apps; they are as useful here."""

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_every_sortable_column_sorts(self):
        self.add_permissions(f"nautobot_data_sync.view_{self.model._meta.model_name}")
        view = self.get_list_view()
        table = view.table_class(self._get_queryset())
        self.user.set_config(f"tables.{view.table_class.__name__}.columns", list(table.base_columns), commit=True)
        for name, column in list(table.base_columns.items()):
            if name in ("pk", "actions") or column.orderable is False:
                continue
            with self.subTest(column=name):
                response = self.client.get(f"{self._get_url('list')}?sort={name}", headers={"HX-Request": "true"})
                self.assertHttpStatus(response, 200)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_filter_form_fields_match_filters(self):
        self.add_permissions(f"nautobot_data_sync.view_{self.model._meta.model_name}")
        view = self.get_list_view()
        for name in view.filterset_form_class().fields:
            with self.subTest(field=name):
                self.assertIn(name, view.filterset_class.base_filters)


class SyncViewTestCase(
    ListViewChecksMixin,
    ViewTestCases.GetObjectViewTestCase,
    ViewTestCases.ListObjectsViewTestCase,
    ViewTestCases.DeleteObjectViewTestCase,
    ViewTestCases.BulkDeleteObjectsViewTestCase,
):
    model = Sync

    @classmethod
    def setUpTestData(cls):
        cls.dry, cls.live, cls.failed, cls.running = create_test_records()

    def test_routes(self):
        """models.Sync.get_absolute_url() reverses "plugins:nautobot_data_sync:sync"; the router must provide it."""
        self.assertEqual(
            reverse("plugins:nautobot_data_sync:sync", kwargs={"pk": self.dry.pk}),
            f"/plugins/data-sync/syncs/{self.dry.pk}/",
        )
        self.assertEqual(reverse("plugins:nautobot_data_sync:sync_list"), "/plugins/data-sync/syncs/")
        self.assertEqual(self.dry.get_absolute_url(), f"/plugins/data-sync/syncs/{self.dry.pk}/")

    def test_no_add_or_edit_routes(self):
        """Data Syncs are audit records: there is no way to create or edit one in the UI."""
        self.add_permissions("nautobot_data_sync.add_sync", "nautobot_data_sync.change_sync")
        self.assertHttpStatus(self.client.get("/plugins/data-sync/syncs/add/"), 404)
        self.assertHttpStatus(self.client.get(f"/plugins/data-sync/syncs/{self.dry.pk}/edit/"), 404)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_detail_page_of_dry_run(self):
        self.add_permissions(
            "nautobot_data_sync.view_sync", "nautobot_data_sync.view_syncchange", "extras.view_jobresult"
        )
        response = self.client.get(self.dry.get_absolute_url())
        self.assertHttpStatus(response, 200)
        self.assertBodyContains(response, "Dry-run:")
        self.assertBodyContains(response, "nothing was written; these are the planned changes")
        self.assertBodyContains(response, "Inventory")
        self.assertBodyContains(response, "12.5 s")  # duration
        self.assertBodyContains(response, self.dry.job_result.get_absolute_url())
        self.assertBodyContains(response, "3 changes planned.")
        # Duration: every phase with its queries and its share of the run, and a chart.
        self.assertBodyContains(response, "<strong>Duration</strong>")
        for label in SyncPhaseChoices.as_dict().values():
            self.assertBodyContains(response, label)
        self.assertInHTML('<td class="text-end">1.5 s</td><td class="text-end">12 %</td>', response.content.decode())
        self.assertBodyContains(response, 'id="duration-chart"')
        # Memory Usage Stats: the note, and no memory chart, since memory was not profiled.
        self.assertBodyContains(response, "Memory Usage Stats")
        self.assertBodyContains(response, "Memory was not profiled for this sync")
        self.assertNotIn('id="memory-chart"', response.content.decode())
        # Counts link to the filtered Changes tab.
        self.assertBodyContains(response, f"/plugins/data-sync/syncs/{self.dry.pk}/changes/?action=create")
        self.assertBodyContains(response, "CHANGES BY MODEL")
        # The changes themselves are on their own tab, next to the job log.
        self.assertBodyContains(response, f'href="/plugins/data-sync/syncs/{self.dry.pk}/changes/"')
        self.assertBodyContains(response, f'href="/plugins/data-sync/syncs/{self.dry.pk}/job-logs/"')
        self.assertNotIn("Site A", response.content.decode())
        self.assertNotIn("<strong>SCOPE</strong>", response.content.decode(), "not a scoped run")

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_detail_page_of_live_sync(self):
        self.add_permissions("nautobot_data_sync.view_sync", "nautobot_data_sync.view_syncchange")
        response = self.client.get(self.live.get_absolute_url())
        self.assertHttpStatus(response, 200)
        content = response.content.decode()
        self.assertNotIn("these are the planned changes", content)
        self.assertNotIn("Memory was not profiled", content)
        self.assertIn("12.5 MiB", content)  # peak memory of each phase
        self.assertIn("3.0 MiB", content)  # final memory
        self.assertIn('id="memory-chart"', content)
        self.assertIn("4 min 05 s", content)
        # A scoped run: what it was narrowed to, one row per scope input.
        self.assertIn("<strong>SCOPE</strong>", content)
        self.assertIn('<span id="scope_value_location">ams01</span>', content)
        self.assertIn('<span id="scope_value_devices">leaf-01, leaf-02</span>', content)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_detail_page_of_running_sync(self):
        """A running sync shows the phase finished so far, the others as not finished, and a refresh button."""
        self.add_permissions("nautobot_data_sync.view_sync")
        response = self.client.get(self.running.get_absolute_url())
        self.assertHttpStatus(response, 200)
        content = response.content.decode()
        self.assertIn("This sync is still running", content)
        self.assertIn('id="data-sync-refresh"', content)
        self.assertIn("Source load", content)
        self.assertEqual(content.count("Not finished yet"), 3)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_dry_run_without_sync_phase_says_it_was_not_run(self):
        SyncPhase.objects.filter(sync=self.dry, name=SyncPhaseChoices.SYNC).delete()
        self.add_permissions("nautobot_data_sync.view_sync")
        response = self.client.get(self.dry.get_absolute_url())
        self.assertBodyContains(response, "Sync execution")
        self.assertBodyContains(response, "Not run: dry-run")

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_failed_sync_without_phases(self):
        self.add_permissions("nautobot_data_sync.view_sync")
        response = self.client.get(self.failed.get_absolute_url())
        self.assertHttpStatus(response, 200)
        content = response.content.decode()
        self.assertEqual(content.count('<span class="badge bg-secondary">Not run</span>'), 4)
        self.assertNotIn('id="duration-chart"', content)  # nothing to draw

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_changes_tab_of_dry_run(self):
        self.add_permissions("nautobot_data_sync.view_sync", "nautobot_data_sync.view_syncchange")
        response = self.client.get(reverse("plugins:nautobot_data_sync:sync_changes", kwargs={"pk": self.dry.pk}))
        self.assertHttpStatus(response, 200)
        content = response.content.decode()
        self.assertIn("Planned Changes", content)
        self.assertIn("Site A", content)
        self.assertIn("description: &quot;old&quot; \u2192 &quot;new&quot;", content)
        self.assertNotIn("T-1", content)
        self.assertIn('id="change-filter-form"', content)
        self.assertNotIn("Memory Usage Stats", content)  # the main tab is not rendered

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_changes_tab_links_objects(self):
        self.add_permissions("nautobot_data_sync.view_sync", "nautobot_data_sync.view_syncchange")
        response = self.client.get(reverse("plugins:nautobot_data_sync:sync_changes", kwargs={"pk": self.live.pk}))
        content = response.content.decode()
        # A linked object is a link to it; a deleted one shows the recorded text.
        self.assertIn(Status.objects.get(name="Active").get_absolute_url(), content)
        self.assertIn("Gone", content)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_changes_tab_filters_and_paginates(self):
        """The tab shows one page of the filtered changes, never all of them, in a bounded number of queries."""
        SyncChange.objects.bulk_create(
            SyncChange(
                sync=self.running,
                sequence=sequence,
                model_name="device" if sequence % 2 else "interface",
                unique_id=f"device-{sequence:04d}",
                action=ChangeActionChoices.CREATE if sequence % 3 else ChangeActionChoices.DELETE,
                status=ChangeStatusChoices.PLANNED,
            )
            for sequence in range(1, 121)
        )
        self.add_permissions("nautobot_data_sync.view_sync", "nautobot_data_sync.view_syncchange")
        url = reverse("plugins:nautobot_data_sync:sync_changes", kwargs={"pk": self.running.pk})
        response = self.client.get(f"{url}?per_page=25")
        content = response.content.decode()
        # A running sync has no counts by model yet: the model filter offers the models of its changes.
        self.assertInHTML('<option value="device">device</option>', content)
        self.assertInHTML('<option value="interface">interface</option>', content)
        self.assertIn("device-0001", content)
        self.assertIn("device-0025", content)
        self.assertNotIn("device-0026", content)
        self.assertIn("page=2", content)
        for query, present, absent in (
            ("model_name=interface", "device-0002", "device-0001"),
            ("action=delete", "device-0003", "device-0001"),
            ("action=delete&model_name=interface", "device-0006", "device-0003"),
            ("q=0117", "device-0117", "device-0001"),
            ("status=failed", None, "device-0001"),
        ):
            with self.subTest(query=query):
                response = self.client.get(f"{url}?{query}")
                self.assertHttpStatus(response, 200)
                content = response.content.decode()
                if present:
                    self.assertIn(present, content)
                self.assertNotIn(absent, content)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(f"{url}?per_page=50&model_name=device&q=device")
        # The models of a running sync's changes, one count and one page of changes: never a query per row, never
        # the same count twice.
        change_queries = [query["sql"] for query in queries if 'FROM "nautobot_data_sync_syncchange"' in query["sql"]]
        self.assertEqual(len(change_queries), 3, change_queries)
        self.assertIn("SELECT DISTINCT", change_queries[0])
        self.assertIn("COUNT(*)", change_queries[1])
        self.assertIn("LIMIT 50", change_queries[2])

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_changes_tab_needs_change_permission(self):
        self.add_permissions("nautobot_data_sync.view_sync")
        response = self.client.get(self.dry.get_absolute_url())
        self.assertHttpStatus(response, 200)
        content = response.content.decode()
        self.assertNotIn(f"/plugins/data-sync/syncs/{self.dry.pk}/changes/", content)
        # The phases are part of the sync: they stay visible.
        self.assertIn("Diff calculation", content)
        response = self.client.get(reverse("plugins:nautobot_data_sync:sync_changes", kwargs={"pk": self.dry.pk}))
        self.assertHttpStatus(response, 403)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_job_logs_tab(self):
        JobLogEntry.objects.create(
            job_result=self.dry.job_result, log_level="info", grouping="Source load", message="Reading inventory.yaml"
        )
        JobLogEntry.objects.create(job_result=self.live.job_result, log_level="info", message="Another job's line")
        url = reverse("plugins:nautobot_data_sync:sync_job_logs", kwargs={"pk": self.dry.pk})
        self.add_permissions("nautobot_data_sync.view_sync")
        self.assertHttpStatus(self.client.get(url), 403)
        self.add_permissions("extras.view_jobresult", "extras.view_joblogentry")
        response = self.client.get(url)
        self.assertHttpStatus(response, 200)
        self.assertBodyContains(response, "Reading inventory.yaml")
        self.assertNotIn("Another job&#x27;s line", response.content.decode())

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_list_table_content(self):
        self.add_permissions("nautobot_data_sync.view_sync")
        response = self.client.get(reverse("plugins:nautobot_data_sync:sync_list"), headers={"HX-Request": "true"})
        self.assertHttpStatus(response, 200)
        content = response.content.decode()
        self.assertIn("Inventory &rarr; Nautobot", content)
        self.assertIn('<span class="badge bg-danger">Failed</span>', content)
        self.assertIn('<span class="badge bg-info">Running</span>', content)
        self.assertIn(f"/plugins/data-sync/changes/?sync={self.dry.pk}&amp;action=create", content)
        for sync in (self.dry, self.live, self.failed, self.running):
            self.assertIn(sync.get_absolute_url(), content)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_list_filters(self):
        self.add_permissions("nautobot_data_sync.view_sync")
        url = reverse("plugins:nautobot_data_sync:sync_list")
        after = (self.failed.start_time - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S")
        for query, expected in (
            ("status=failed", [self.failed]),
            ("dry_run=true", [self.dry, self.running]),
            ("target=Ticketing", [self.failed]),
            (f"job={self.live.job.name}", [self.live]),
            (f"start_time__gte={after}", [self.failed, self.running]),
            ("q=monitor", [self.running]),
        ):
            with self.subTest(query=query):
                response = self.client.get(f"{url}?{query}", headers={"HX-Request": "true"})
                self.assertHttpStatus(response, 200)
                content = response.content.decode()
                self.assertNotIn("Invalid filters", content)
                for sync in (self.dry, self.live, self.failed, self.running):
                    if sync in expected:
                        self.assertIn(sync.get_absolute_url(), content)
                    else:
                        self.assertNotIn(sync.get_absolute_url(), content)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_delete_removes_phases_and_changes(self):
        self.add_permissions("nautobot_data_sync.delete_sync")
        response = self.client.post(
            reverse("plugins:nautobot_data_sync:sync_delete", kwargs={"pk": self.live.pk}), {"confirm": True}
        )
        self.assertHttpStatus(response, 302)
        self.assertFalse(Sync.objects.filter(pk=self.live.pk).exists())
        self.assertFalse(SyncPhase.objects.filter(sync_id=self.live.pk).exists())
        self.assertFalse(SyncChange.objects.filter(sync_id=self.live.pk).exists())


class SyncChangeViewTestCase(
    ListViewChecksMixin, ViewTestCases.GetObjectViewTestCase, ViewTestCases.ListObjectsViewTestCase
):
    model = SyncChange

    @classmethod
    def setUpTestData(cls):
        cls.dry, cls.live, cls.failed, cls.running = create_test_records()

    def test_routes(self):
        change = SyncChange.objects.first()
        self.assertEqual(change.get_absolute_url(), f"/plugins/data-sync/changes/{change.pk}/")
        self.assertEqual(reverse("plugins:nautobot_data_sync:syncchange_list"), "/plugins/data-sync/changes/")

    def test_read_only(self):
        """Changes can be neither added, edited nor deleted through the UI."""
        self.user.is_superuser = True
        self.user.save()
        change = SyncChange.objects.first()
        for url in (
            "/plugins/data-sync/changes/add/",
            f"/plugins/data-sync/changes/{change.pk}/edit/",
            f"/plugins/data-sync/changes/{change.pk}/delete/",
        ):
            with self.subTest(url=url):
                self.assertHttpStatus(self.client.get(url), 404)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_detail_page(self):
        self.add_permissions("nautobot_data_sync.view_syncchange")
        change = SyncChange.objects.get(sync=self.live, sequence=1)
        response = self.client.get(change.get_absolute_url())
        self.assertHttpStatus(response, 200)
        content = response.content.decode()
        self.assertIn(self.live.get_absolute_url(), content)  # breadcrumb and field
        self.assertIn(f"/plugins/data-sync/changes/?sync={self.live.pk}", content)  # breadcrumb to its changes
        self.assertIn(Status.objects.get(name="Active").get_absolute_url(), content)
        self.assertIn('<span class="badge bg-warning">Update</span>', content)
        self.assertIn('<span class="badge bg-success">Succeeded</span>', content)
        # The attribute table: one row per attribute, before and after.
        self.assertInHTML("<td>color</td><td>aaaaaa</td><td>4caf50</td>", content)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_detail_page_of_failed_change(self):
        self.add_permissions("nautobot_data_sync.view_syncchange")
        change = SyncChange.objects.get(sync=self.failed, sequence=1)
        response = self.client.get(change.get_absolute_url())
        self.assertHttpStatus(response, 200)
        self.assertBodyContains(response, "HTTP 500 from the ticketing system")
        self.assertBodyContains(response, '<span class="badge bg-danger">Failed</span>')

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_list_filtered_by_sync_and_action(self):
        self.add_permissions("nautobot_data_sync.view_syncchange")
        url = reverse("plugins:nautobot_data_sync:syncchange_list")
        response = self.client.get(f"{url}?sync={self.dry.pk}&action=create", headers={"HX-Request": "true"})
        self.assertHttpStatus(response, 200)
        content = response.content.decode()
        self.assertIn("Site A", content)
        self.assertIn("Site B", content)
        self.assertNotIn("Site C", content)
        self.assertNotIn("T-1", content)
        response = self.client.get(f"{url}?q=t-2&status=skipped", headers={"HX-Request": "true"})
        content = response.content.decode()
        self.assertIn("T-2", content)
        self.assertNotIn("Site A", content)


class NavigationAndJobResultButtonTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.dry, cls.live, cls.failed, cls.running = create_test_records()

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_menu(self):
        self.add_permissions("nautobot_data_sync.view_sync", "nautobot_data_sync.view_syncchange")
        response = self.client.get(reverse("plugins:nautobot_data_sync:sync_list"))
        content = response.content.decode()  # the menu is outside the page body
        self.assertIn('href="/plugins/data-sync/"', content)
        self.assertIn('href="/plugins/data-sync/syncs/"', content)
        self.assertIn('href="/plugins/data-sync/changes/"', content)
        self.assertIn('"Data Sync": {"items": {"/plugins/data-sync/"', content)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_job_result_button(self):
        self.add_permissions("extras.view_jobresult", "nautobot_data_sync.view_sync")
        response = self.client.get(self.dry.job_result.get_absolute_url())
        self.assertHttpStatus(response, 200)
        self.assertBodyContains(response, self.dry.get_absolute_url())
        self.assertBodyContains(response, "mdi-sync")

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_job_result_button_absent(self):
        # A JobResult without a Data Sync, and one whose Data Sync the user may not view.
        other = JobResult.objects.create(name="Unrelated job")
        self.add_permissions("extras.view_jobresult")
        for job_result, sync_url in ((other, None), (self.dry.job_result, self.dry.get_absolute_url())):
            with self.subTest(job_result=job_result.name):
                response = self.client.get(job_result.get_absolute_url())
                self.assertHttpStatus(response, 200)
                self.assertNotIn("mdi-sync", response.content.decode())
                if sync_url:
                    self.assertNotIn(sync_url, response.content.decode())
