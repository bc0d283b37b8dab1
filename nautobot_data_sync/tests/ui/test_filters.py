"""FilterSets of Data Syncs and their changes."""

from datetime import timedelta

from django.utils import timezone
from nautobot.apps.testing import FilterTestCases

from nautobot_data_sync.choices import ChangeActionChoices, ChangeStatusChoices, SyncStatusChoices
from nautobot_data_sync.filters import SyncChangeFilterSet, SyncFilterSet
from nautobot_data_sync.models import Sync, SyncChange
from nautobot_data_sync.tests.fixtures.records import create_test_records


def create_filter_test_records():
    """The records of the view tests plus two more syncs, so that every filter has values to tell apart."""
    dry, live, failed, running = create_test_records()
    now = timezone.now()
    cmdb = Sync.objects.create(
        source="CMDB",
        target="Nautobot",
        dry_run=False,
        status=SyncStatusChoices.SUCCEEDED,
        start_time=now - timedelta(days=2),
        end_time=now - timedelta(days=2) + timedelta(seconds=3),
        create_count=1,
    )
    dns = Sync.objects.create(
        source="Nautobot",
        target="DNS",
        dry_run=True,
        status=SyncStatusChoices.SUCCEEDED,
        start_time=now - timedelta(days=1),
        end_time=now - timedelta(days=1) + timedelta(seconds=1),
        update_count=2,
    )
    SyncChange.objects.create(
        sync=cmdb,
        sequence=1,
        model_name="device",
        unique_id="edge-01",
        action=ChangeActionChoices.CREATE,
        status=ChangeStatusChoices.SUCCEEDED,
        attributes_after={"serial": "X1"},
        object_repr="edge-01",
    )
    SyncChange.objects.create(
        sync=dns,
        sequence=1,
        model_name="record",
        unique_id="www.example.com",
        action=ChangeActionChoices.UPDATE,
        status=ChangeStatusChoices.PLANNED,
        object_repr="www.example.com",
    )
    return dry, live, failed, running, cmdb, dns


class SyncFilterSetTestCase(FilterTestCases.FilterTestCase):
    queryset = Sync.objects.all()
    filterset = SyncFilterSet
    generic_filter_tests = (
        ["source"],
        ["target"],
        ["status"],
        ["job", "job__name"],
        ["job", "job__id"],
        ["job_result", "job_result__id"],
    )

    @classmethod
    def setUpTestData(cls):
        cls.dry, cls.live, cls.failed, cls.running, cls.cmdb, cls.dns = create_filter_test_records()

    def filtered(self, **params):
        filterset = self.filterset(params, self.queryset)
        self.assertTrue(filterset.is_valid(), filterset.errors)
        return set(filterset.qs)

    def test_dry_run(self):
        self.assertEqual(self.filtered(dry_run=True), {self.dry, self.running, self.dns})
        self.assertEqual(self.filtered(dry_run=False), {self.live, self.failed, self.cmdb})

    def test_start_time_range(self):
        since = [(self.live.start_time - timedelta(minutes=1)).isoformat()]
        until = [(self.failed.start_time + timedelta(minutes=1)).isoformat()]
        self.assertEqual(self.filtered(start_time__gte=since), {self.live, self.failed, self.running})
        self.assertEqual(self.filtered(start_time__gte=since, start_time__lte=until), {self.live, self.failed})
        self.assertEqual(
            self.filtered(start_time__lt=[(self.dns.start_time + timedelta(seconds=1)).isoformat()]),
            {self.cmdb, self.dns},
        )

    def test_status_multiple_values(self):
        self.assertEqual(self.filtered(status=["failed", "running"]), {self.failed, self.running})

    def test_job(self):
        self.assertEqual(self.filtered(job=[self.dry.job.name]), {self.dry})
        self.assertEqual(self.filtered(job=[str(self.live.job.pk)]), {self.live})
        self.assertEqual(self.filtered(job__isnull=True), {self.running, self.cmdb, self.dns})

    def test_counts(self):
        self.assertEqual(self.filtered(failed_count__gte=[1]), {self.failed})
        self.assertEqual(self.filtered(create_count__gte=[1]), {self.dry, self.cmdb})

    def test_q(self):
        self.assertEqual(self.filtered(q="ticket"), {self.failed})
        self.assertEqual(self.filtered(q="cmdb"), {self.cmdb})
        self.assertEqual(self.filtered(q=self.live.job.name), {self.live})


class SyncChangeFilterSetTestCase(FilterTestCases.FilterTestCase):
    queryset = SyncChange.objects.all()
    filterset = SyncChangeFilterSet
    generic_filter_tests = (
        ["sync", "sync__id"],
        ["model_name"],
        ["unique_id"],
        ["action"],
        ["status"],
        ["sequence"],
    )

    @classmethod
    def setUpTestData(cls):
        cls.dry, cls.live, cls.failed, cls.running, cls.cmdb, cls.dns = create_filter_test_records()

    def filtered(self, **params):
        filterset = self.filterset(params, self.queryset)
        self.assertTrue(filterset.is_valid(), filterset.errors)
        return {(change.sync_id, change.sequence) for change in filterset.qs}

    def test_sync_and_action(self):
        self.assertEqual(
            self.filtered(sync=[self.dry.pk], action=[ChangeActionChoices.CREATE]),
            {(self.dry.pk, 1), (self.dry.pk, 2)},
        )

    def test_status(self):
        self.assertEqual(
            self.filtered(status=[ChangeStatusChoices.FAILED, ChangeStatusChoices.SKIPPED]),
            {(self.failed.pk, 1), (self.failed.pk, 2)},
        )

    def test_changed_object_type(self):
        self.assertEqual(self.filtered(changed_object_type="extras.status"), {(self.live.pk, 1), (self.live.pk, 3)})

    def test_q_on_unique_id_and_object(self):
        self.assertEqual(self.filtered(q="site b"), {(self.dry.pk, 2)})
        self.assertEqual(self.filtered(q="example.com"), {(self.dns.pk, 1)})
        self.assertEqual(self.filtered(q="Gone"), {(self.live.pk, 2)})  # the recorded text of a deleted object

    def test_unique_id_lookups(self):
        self.assertEqual(self.filtered(unique_id__ic=["site"]), {(self.dry.pk, 1), (self.dry.pk, 2), (self.dry.pk, 3)})
