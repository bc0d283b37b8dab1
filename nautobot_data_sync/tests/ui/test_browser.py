"""The UI in a real browser: headless Chromium (Debian's, driven through its chromedriver) against a live server.

A dry-run of the example job is started from Nautobot's job run form; the job runs in the server (Celery is eager
in tests) and the resulting Data Sync, its charts and its Changes tab are checked as a user sees them. Screenshots
go to artifacts/screenshots/.
"""

from pathlib import Path

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import override_settings
from django.urls import reverse
from nautobot.apps.testing import TransactionTestCase
from nautobot.extras.models import Job as JobModel

from nautobot_data_sync.jobs.examples.inventory import InventoryFileDataSource
from nautobot_data_sync.jobs.planjobs import ApplyPlan
from nautobot_data_sync.models import Sync
from nautobot_data_sync.tests.fixtures.jobs import job_model_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--window-size=1600,1200",
)
WAIT_SECONDS = 30

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (Debian package 'chromium')"),
]


@override_settings(ALLOWED_HOSTS=["*"])
class DataSyncBrowserTest(StaticLiveServerTestCase, TransactionTestCase):
    """One user journey: dashboard, run a dry-run, read its Data Sync, filter its changes, open the job page."""

    @classmethod
    def setUpClass(cls):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        super().setUpClass()
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        cls.driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
        cls.driver.implicitly_wait(0)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()
        self.job_model = JobModel.objects.get(
            module_name=InventoryFileDataSource.__module__, job_class_name="InventoryFileDataSource"
        )
        self.job_model.enabled = True
        self.job_model.save()
        self.client.force_login(self.user)
        self.driver.get(f"{self.live_server_url}/login/")  # a page of the server, to set the session cookie on
        self.driver.delete_all_cookies()
        self.driver.add_cookie({"name": "sessionid", "value": self.client.cookies["sessionid"].value, "path": "/"})

    # helpers

    def open(self, path):
        self.driver.get(f"{self.live_server_url}{path}")
        self.wait_for("main#main-content")

    def wait_for(self, selector, condition=None):
        """Wait until an element matching ``selector`` exists (and ``condition(element)`` holds); return it."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        def found(driver):
            for element in driver.find_elements(By.CSS_SELECTOR, selector):
                if condition is None or condition(element):
                    return element
            return False

        return WebDriverWait(self.driver, WAIT_SECONDS).until(found, f"no element matches {selector!r}")

    def click(self, element):
        """Click as a user would, after scrolling the element into view (sticky headers and footers cover some)."""
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)

    def text_of(self, selector):
        return self.wait_for(selector).text

    def screenshot(self, name):
        """Save the whole page (the window is stretched to its height for the shot)."""
        width, height = self.driver.get_window_size().values()
        page_height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(width, max(height, min(page_height, 3000)))
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
        self.driver.set_window_size(width, height)

    def run_from_form(self, screenshot=None):
        """Submit Nautobot's job run form as a dry-run; return the Data Sync of the run (it runs in the server)."""
        dryrun = self.wait_for("#id_dryrun")
        self.assertTrue(dryrun.is_selected(), "Nautobot's run form starts with dry-run on (Meta.dryrun_default)")
        run = self.wait_for("#id__run", lambda element: "DRYRUN" in element.text)
        if screenshot:
            self.screenshot(screenshot)
        known = set(Sync.objects.values_list("pk", flat=True))
        self.click(run)
        self.wait_for("a.btn[href^='/plugins/data-sync/syncs/']")  # the JobResult page, once the job has run
        return Sync.objects.exclude(pk__in=known).get(job=self.job_model)

    def choose(self, select_name, value):
        """Select ``value`` in a select of the change filter form (as its select widget does)."""
        self.driver.execute_script(
            "const select = document.querySelector(`#change-filter-form select[name='${arguments[0]}']`);"
            "for (const option of select.options) { option.selected = option.value === arguments[1]; }",
            select_name,
            value,
        )

    def table_rows(self, condition=None):
        """Texts of the rows of the page's table, once ``condition()`` holds."""
        if condition is not None:
            self.wait_for("main#main-content table", lambda _element: condition())
        rows = self.driver.find_elements("css selector", "main#main-content table tbody tr")
        return [row.text for row in rows]

    def assert_chart_drawn(self, container_id, axis_name):
        """ECharts drew an SVG with shapes (bars, lines) and the axis name in the chart's container."""
        svg = self.wait_for(f"#{container_id} svg", lambda element: axis_name in element.text)
        self.assertGreater(len(svg.find_elements("css selector", "path")), 1)
        self.assertGreater(int(svg.get_attribute("width") or 0), 100)

    # the journey

    def test_dry_run_from_the_ui(self):
        from selenium.webdriver.common.by import By

        # Dashboard: the example job is listed with its run button.
        self.open(reverse("plugins:nautobot_data_sync:dashboard"))
        jobs = self.text_of("#data-sync-jobs")
        self.assertIn(self.job_model.name, jobs)
        self.assertIn("Inventory file \u2192 Nautobot", jobs)
        self.screenshot("dashboard_before_run")

        # Run it as a dry-run from Nautobot's job run form.
        self.click(self.wait_for("#data-sync-jobs a.btn-success"))
        sync = self.run_from_form(screenshot="job_run_form")

        # The job ran in the server; its JobResult page links to the Data Sync.
        self.assertTrue(sync.dry_run)
        self.assertGreater(sync.create_count, 0)
        self.click(self.wait_for(f"a.btn[href='{sync.get_absolute_url()}']"))

        # The Data Sync page: dry-run note, all four phases, planned changes, charts.
        self.wait_for("#duration-chart")
        page = self.text_of("main#main-content")
        self.assertIn("nothing was written; these are the planned changes", page)
        for phase in ("Source load", "Target load", "Diff calculation", "Sync execution"):
            self.assertIn(phase, page)
        self.assertIn("Not run: dry-run", page)
        self.assertIn("Memory was not profiled", page)
        self.assert_chart_drawn("duration-chart", "seconds")
        self.screenshot("data_sync")

        # The Changes tab: every planned change, paginated, filterable.
        self.click(self.wait_for(f"a[href='{sync.get_absolute_url()}changes/']"))
        self.wait_for("#change-filter-form")
        table = self.text_of("main#main-content table")
        self.assertIn("Create", table)
        self.assertIn("Planned", table)
        self.screenshot("data_sync_changes")
        first_device = sync.changes.filter(model_name="device").order_by("sequence").first()
        search = self.driver.find_element(By.CSS_SELECTOR, "#change-filter-form input[name='q']")
        search.send_keys(first_device.unique_id)
        search.submit()
        rows = self.table_rows(lambda: "q=" in self.driver.current_url)
        self.assertGreaterEqual(len(rows), 1)
        self.assertTrue(all(first_device.unique_id in row for row in rows), rows)
        self.screenshot("data_sync_changes_search")
        # Model and action chosen in the form's selects.
        self.open(f"{sync.get_absolute_url()}changes/")
        self.choose("model_name", "interface")
        self.choose("action", "create")
        self.click(self.driver.find_element(By.CSS_SELECTOR, "#change-filter-form button[type='submit']"))
        rows = self.table_rows(lambda: "model_name=interface" in self.driver.current_url)
        self.assertEqual(len(rows), sync.changes.filter(model_name="interface", action="create").count())
        self.assertTrue(all(" interface " in f" {row} " and "Create" in row for row in rows), rows)
        # No match: a first sync only creates.
        self.open(f"{sync.get_absolute_url()}changes/?model_name=location&action=update")
        self.assertEqual(self.table_rows(), ["\u2014 No sync changes found \u2014"])

        # The job's own page: mappings with links, its history and the trend chart.
        self.open(reverse("plugins:nautobot_data_sync:syncjob", kwargs={"pk": self.job_model.pk}))
        self.assertIn("Location Type", self.text_of("#data-mappings"))
        self.assertIn("Inventory file", self.text_of("#config-information"))
        self.assert_chart_drawn("trend-duration-chart", "seconds")
        self.assert_chart_drawn("trend-changes-chart", "changes")

        # A second dry-run from the job page, with memory profiling: the Memory Usage Stats chart.
        self.click(self.wait_for("#run-sync-job"))
        self.click(self.wait_for("#id_memory_profiling"))
        profiled = self.run_from_form()
        self.assertIsNotNone(profiled.phases.get(name="diff").memory_peak)
        self.open(profiled.get_absolute_url())
        self.assert_chart_drawn("memory-chart", "MiB")
        self.assertNotIn("Memory was not profiled", self.text_of("main#main-content"))
        self.screenshot("data_sync_memory")
        self.open(reverse("plugins:nautobot_data_sync:syncjob", kwargs={"pk": self.job_model.pk}))
        self.assert_chart_drawn("trend-changes-chart", "changes")
        self.screenshot("sync_job")

        # The Job logs tab.
        self.open(f"{sync.get_absolute_url()}job-logs/")
        self.assertIn("Data Sync started", self.text_of("main#main-content table"))
        self.screenshot("data_sync_job_logs")

        # Back on the dashboard: the sync is the job's last one, and the first of the recent syncs.
        self.open(reverse("plugins:nautobot_data_sync:dashboard"))
        self.wait_for(f"#data-sync-jobs a[href='{sync.get_absolute_url()}']")
        self.screenshot("dashboard")

    def test_a_reviewed_dry_run_is_applied_from_its_page(self):
        apply_job = job_model_for(ApplyPlan)
        apply_job.enabled = True
        apply_job.save()
        self.open(reverse("extras:job_run", kwargs={"pk": self.job_model.pk}))
        plan = self.run_from_form()

        # Review: the planned changes, then apply from the plan's page.
        self.open(f"{plan.get_absolute_url()}changes/")
        self.assertIn("Planned", self.text_of("main#main-content table"))
        self.open(plan.get_absolute_url())
        self.click(self.wait_for(f"a.btn[href$='?plan={plan.pk}']"))
        self.wait_for("#id_plan")
        self.screenshot("apply_plan_form")
        known = set(Sync.objects.values_list("pk", flat=True))
        self.click(self.wait_for("#id__run"))
        self.wait_for("a.btn[href^='/plugins/data-sync/syncs/']")  # the JobResult page, once the apply has run
        applied = Sync.objects.exclude(pk__in=known).get()
        self.assertEqual((applied.plan, applied.dry_run, applied.job), (plan, False, self.job_model))
        self.assertEqual(
            (applied.create_count, applied.update_count, applied.delete_count),
            (plan.create_count, plan.update_count, plan.delete_count),
        )

        # The plan says it was applied, and by whom; it is not offered again.
        self.open(plan.get_absolute_url())
        page = self.text_of("main#main-content")
        self.assertIn("This plan was applied", page)
        self.assertIn(self.user.username, page)
        self.assertFalse(self.driver.find_elements("css selector", f"a.btn[href$='?plan={plan.pk}']"))
        self.screenshot("plan_applied")
