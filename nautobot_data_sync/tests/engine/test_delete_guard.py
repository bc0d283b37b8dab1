"""The delete guard, on a hand-written job: a source that answers short blocks the sync before anything is written."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from nautobot.apps.testing import TransactionTestCase
from nautobot.dcim.models import Manufacturer
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import Job
from nautobot.users.models import ObjectPermission

from nautobot_data_sync.choices import ChangeActionChoices, ChangeStatusChoices, SyncStatusChoices
from nautobot_data_sync.models import Sync
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing
from nautobot_data_sync.tests.fixtures.jobs import ManufacturerSource, job_model_for

EXISTING = 30


class DeleteGuardTest(TransactionTestCase):
    def setUp(self):
        super().setUp()
        Manufacturer.objects.bulk_create(Manufacturer(name=f"Vendor {index:02d}") for index in range(EXISTING))
        self.job_model = job_model_for(ManufacturerSource)
        self.job_model.enabled = True
        self.job_model.validated_save()

    def tearDown(self):
        ManufacturerSource.records = []
        for name in ("delete_guard_fraction", "delete_guard_limit"):
            if name in vars(ManufacturerSource):
                delattr(ManufacturerSource, name)
        super().tearDown()

    def sync(self, kept, new=(), **inputs):
        """Sync a source holding the first ``kept`` existing manufacturers and ``new`` ones."""
        names = [f"Vendor {index:02d}" for index in range(kept)] + list(new)
        ManufacturerSource.records = [{"name": name} for name in names]
        job_kwargs = {"dryrun": False, "memory_profiling": False, "parallel_loading": False, **inputs}
        job_result = run_job_for_testing(self.job_model, job_kwargs=job_kwargs)
        return job_result, Sync.objects.get(job_result=job_result)

    def test_deletes_over_the_fraction_block_the_whole_sync_and_are_recorded_for_review(self):
        job_result, sync = self.sync(kept=15, new=["Newcomer"])

        self.assertEqual(sync.status, SyncStatusChoices.BLOCKED)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertIn("manufacturer: 15 planned deletes of 30, more than 20%", sync.summary)
        self.assertEqual(Manufacturer.objects.count(), EXISTING, "nothing deleted")
        self.assertFalse(Manufacturer.objects.filter(name="Newcomer").exists(), "nothing written at all")
        planned = sync.changes.filter(status=ChangeStatusChoices.PLANNED)
        self.assertEqual(planned.filter(action=ChangeActionChoices.DELETE).count(), 15)
        self.assertEqual(planned.filter(action=ChangeActionChoices.CREATE).count(), 1)
        self.assertFalse(sync.phases.filter(name="sync").exists(), "the sync phase never ran")

    def test_an_operator_may_allow_the_deletes_for_one_run(self):
        job_result, sync = self.sync(kept=15, allow_deletes=True)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.assertEqual((sync.delete_count, Manufacturer.objects.count()), (15, 15))
        self.assertTrue(sync.inputs["allow_deletes"])

    def test_a_source_that_loads_none_blocks_even_a_few_deletes(self):
        Manufacturer.objects.exclude(name__in=["Vendor 00", "Vendor 01", "Vendor 02"]).delete()
        _, sync = self.sync(kept=0)
        self.assertEqual(sync.status, SyncStatusChoices.BLOCKED)
        self.assertIn("manufacturer: the source loaded none, the target holds 3", sync.summary)
        self.assertEqual(Manufacturer.objects.count(), 3)

    def test_a_few_deletes_pass_and_a_job_sets_its_own_limits(self):
        job_result, sync = self.sync(kept=EXISTING - 10)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, "10 deletes: within the floor")
        self.assertEqual(sync.delete_count, 10)

        ManufacturerSource.delete_guard_limit = 3
        ManufacturerSource.delete_guard_fraction = 1.0
        _, sync = self.sync(kept=EXISTING - 14)
        self.assertEqual(sync.status, SyncStatusChoices.BLOCKED)
        self.assertIn("4 planned deletes of 20, more than the limit of 3", sync.summary)

    def test_a_dry_run_says_a_run_that_writes_would_be_blocked(self):
        job_result, sync = self.sync(kept=15, dryrun=True)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS)
        self.assertEqual(sync.status, SyncStatusChoices.SUCCEEDED)
        self.assertIn("A run that writes would be blocked", sync.summary)

    def test_the_blocked_sync_offers_a_run_allowing_the_deletes_to_who_may_run_the_job(self):
        _, sync = self.sync(kept=15)
        url = reverse("plugins:nautobot_data_sync:sync", kwargs={"pk": sync.pk})
        rerun = f"{reverse('extras:job_run', kwargs={'pk': self.job_model.pk})}?kwargs_from_job_result="
        self.add_permissions("nautobot_data_sync.view_sync", "extras.view_job")
        self.client.force_login(self.user)
        self.assertNotContains(self.client.get(url), rerun)

        permission = ObjectPermission.objects.create(name="run manufacturer source", actions=["run"])
        permission.object_types.add(ContentType.objects.get_for_model(Job))
        permission.users.add(self.user)
        response = self.client.get(url)
        self.assertContains(response, f"{rerun}{sync.job_result_id}&amp;allow_deletes=True")
        self.assertContains(response, "Run again allowing these deletes")


class DuplicateSourceRecordsTest(TransactionTestCase):
    def test_a_hand_written_adapter_that_loads_an_object_twice_gets_a_clear_error(self):
        ManufacturerSource.records = [{"name": "Acme"}, {"name": "Acme"}]
        self.addCleanup(setattr, ManufacturerSource, "records", [])
        job_kwargs = {"dryrun": True, "memory_profiling": False, "parallel_loading": False}
        job_result = run_job_for_testing(job_model_for(ManufacturerSource), job_kwargs=job_kwargs)
        sync = Sync.objects.get(job_result=job_result)
        self.assertEqual(sync.status, SyncStatusChoices.FAILED)
        self.assertIn(
            "ManufacturerSource.load_source_adapter() loaded two manufacturer objects with the unique id 'Acme': that "
            "system holds duplicates",
            sync.summary,
        )
