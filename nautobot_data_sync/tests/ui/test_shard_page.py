"""The job runs of a sharded Data Sync on its page (table, chart, "Retry failed shards", changes per shard) and in
the REST API. The sharded run is in-process (the test settings run queued jobs at once)."""

from django.test import override_settings
from nautobot.extras.models import Job as JobModel

from benchmarks.dataset import make_inventory
from nautobot_data_sync.choices import ShardStatusChoices
from nautobot_data_sync.jobs.planjobs import RetryFailedShards
from nautobot_data_sync.models import SyncChange
from nautobot_data_sync.tests.fixtures.inventory import InventoryJobTestCase
from nautobot_data_sync.tests.fixtures.jobs import job_model_for


@override_settings(EXEMPT_VIEW_PERMISSIONS=[])
class ShardPageTest(InventoryJobTestCase):
    def setUp(self):
        super().setUp()
        self.add_permissions("nautobot_data_sync.view_sync", "nautobot_data_sync.view_syncchange")
        inventory = make_inventory(60)
        inventory["devices"][1]["serial"] = "x" * 300  # this device's shard fails
        _, self.sync = self.run_job(inventory, run_as_shards=True)
        self.sync.refresh_from_db()

    def test_page_shows_the_job_runs_and_offers_to_retry_the_failed_one(self):
        retry = job_model_for(RetryFailedShards)
        retry.enabled = True
        retry.validated_save()
        self.add_permissions("extras.run_job", "extras.view_job")

        response = self.client.get(self.sync.get_absolute_url())

        self.assertHttpStatus(response, 200)
        self.assertBodyContains(response, "<strong>Shards</strong>")
        self.assertBodyContains(response, "shard-chart", html=False)
        self.assertBodyContains(response, "Retry failed shards")
        self.assertBodyContains(response, f"data_sync={self.sync.pk}", html=False)
        failed = self.sync.shards.get(status=ShardStatusChoices.FAILED)
        self.assertBodyContains(response, f"?shard={failed.pk}", html=False)

    def test_no_retry_button_for_who_may_not_run_jobs(self):
        JobModel.objects.filter(job_class_name="RetryFailedShards").update(enabled=True)
        response = self.client.get(self.sync.get_absolute_url())
        self.assertHttpStatus(response, 200)
        self.assertNotIn("Retry failed shards", response.content.decode())

    def test_changes_tab_filters_by_shard(self):
        shard = self.sync.shards.exclude(number=0).filter(counts__create_count__gt=0).first()
        url = f"{self.sync.get_absolute_url()}changes/?shard={shard.pk}&per_page=1000"

        response = self.client.get(url)

        self.assertHttpStatus(response, 200)
        shown = response.content.decode().count("/data-sync/changes/")
        self.assertGreaterEqual(shown, SyncChange.objects.filter(shard=shard).count())
        other = SyncChange.objects.filter(sync=self.sync).exclude(shard=shard).first()
        self.assertNotIn(str(other.pk), response.content.decode())

    def test_api_returns_the_job_runs(self):
        response = self.client.get(f"/api/plugins/data-sync/syncs/{self.sync.pk}/", HTTP_ACCEPT="application/json")

        self.assertHttpStatus(response, 200)
        shards = response.json()["shards"]
        self.assertEqual(len(shards), self.sync.shards.count())
        statuses = sorted(shard["status"]["value"] for shard in shards)
        self.assertEqual(statuses, sorted(self.sync.shards.values_list("status", flat=True)))
