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
from nautobot_data_sync.models import Sync

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
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
        dryrun = self.wait_for("#id_dryrun")
        if not dryrun.is_selected():
            dryrun.click()
        run = self.wait_for("#id__run", lambda element: "DRYRUN" in element.text)
        self.screenshot("job_run_form")
        self.click(run)

        # The job ran in the server; its JobResult page links to the Data Sync.
        sync = Sync.objects.get(job=self.job_model)
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
        self.wait_for("main#main-content table", lambda element: "q=" in self.driver.current_url)
        rows = self.driver.find_elements(By.CSS_SELECTOR, "main#main-content table tbody tr")
        self.assertGreaterEqual(len(rows), 1)
        self.assertTrue(all(first_device.unique_id in row.text for row in rows))
        self.screenshot("data_sync_changes_search")
        self.open(f"{sync.get_absolute_url()}changes/?model_name=location&action=update")
        self.assertIn("No", self.text_of("main#main-content table"))  # a first sync only creates

        # The job's own page: mappings with links, its history and the trend chart.
        self.open(reverse("plugins:nautobot_data_sync:syncjob", kwargs={"pk": self.job_model.pk}))
        self.assertIn("Location Type", self.text_of("#data-mappings"))
        self.assertIn("Inventory file", self.text_of("#config-information"))
        self.assert_chart_drawn("trend-duration-chart", "seconds")
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
