"""What Nautobot already holds: objects it holds twice (the same declared identifiers) are named and left alone."""

from nautobot.dcim.models import Device
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.tenancy.models import Tenant

from nautobot_data_sync.choices import ChangeStatusChoices, SyncStatusChoices
from nautobot_data_sync.tests.fixtures.cases import OrmJobTestCase
from nautobot_data_sync.tests.fixtures.jobs import job_model_for
from nautobot_data_sync.tests.fixtures.orm import OrmDeviceStrictSource, device_record


class DuplicatesTest(OrmJobTestCase):
    def setUp(self):
        super().setUp()
        # The same name, at one location, without and with a tenant: Nautobot allows it; the declared identifier is
        # the name alone.
        self.twins = [
            Device.objects.create(
                name="leaf-01",
                location=self.world["locations"][0],
                tenant=tenant,
                device_type=self.world["device_type"],
                role=self.world["role"],
                status=self.world["status"],
            )
            for tenant in (None, Tenant.objects.create(name="Twin owner"))
        ]

    def test_duplicates_are_recorded_as_conflicts_and_the_rest_of_the_sync_proceeds(self):
        job_result, sync = self.run_sync([device_record("leaf-01", interfaces=()), device_record("leaf-02")])

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.assertEqual((sync.conflict_count, sync.create_count), (1, 3), "leaf-02 and its two interfaces created")
        conflict = sync.changes.get(status=ChangeStatusChoices.CONFLICT)
        self.assertEqual((conflict.model_name, conflict.unique_id), ("device", "leaf-01"))
        self.assertIn(conflict.changed_object_id, {twin.pk for twin in self.twins}, "linked to the one left alone")
        other = next(twin for twin in self.twins if twin.pk != conflict.changed_object_id)
        self.assertIn(f"the sync used leaf-01 (id {other.pk})", conflict.message)
        self.assertIn(f"(id {conflict.changed_object_id}), alone", conflict.message)
        self.assertEqual(Device.objects.filter(name="leaf-01").count(), 2, "neither deleted")
        self.assertEqual(sync.counts_by_model["device"]["conflict"], 1)

    def test_a_job_may_refuse_to_write_while_duplicates_exist(self):
        self.job_model = job_model_for(OrmDeviceStrictSource)
        job_result, sync = self.run_sync([device_record("leaf-02")])
        self.assertEqual(sync.status, SyncStatusChoices.BLOCKED)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertIn("1 objects Nautobot holds more than once", sync.summary)
        self.assertFalse(Device.objects.filter(name="leaf-02").exists(), "nothing written")
        self.assertEqual(sync.changes.filter(status=ChangeStatusChoices.CONFLICT).count(), 1)
