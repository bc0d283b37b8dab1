"""Deletes blocked by protected foreign keys fail with ObjectProtected, naming what blocks them."""

import pytest
from nautobot.apps.testing import TestCase
from nautobot.dcim.models import Controller, Device, Interface, Location
from nautobot.extras.choices import JobResultStatusChoices

from nautobot_data_sync.choices import ChangeActionChoices, ChangeStatusChoices
from nautobot_data_sync.orm import NautobotAdapter, NautobotModel, ObjectProtected
from nautobot_data_sync.tests.fixtures.cases import OrmJobTestCase
from nautobot_data_sync.tests.fixtures.jobs import job_model_for
from nautobot_data_sync.tests.fixtures.orm import (
    OrmDeviceBulkSource,
    OrmDeviceSource,
    bulk_devices,
    device_record,
    make_world,
)


class LocationModel(NautobotModel):
    _model = Location
    _modelname = "location"
    _identifiers = ("name",)

    name: str


class LocationAdapter(NautobotAdapter):
    location = LocationModel
    top_level = ("location",)


class ProtectedDeleteTest(TestCase):
    def setUp(self):
        super().setUp()
        self.world = make_world()
        self.adapter = LocationAdapter()
        self.adapter.load()

    def test_the_message_lists_the_blocking_objects_by_model(self):
        bulk_devices(self.world, 4)
        Controller.objects.create(name="wlc-1", location=self.world["locations"][0], status=self.world["status"])

        with self.assertRaises(ObjectProtected) as caught:
            self.adapter.get("location", "ams").delete()

        self.assertEqual(
            str(caught.exception),
            "location 'ams' cannot be deleted: referenced by "
            "1 controller (wlc-1); 4 devices (dev-00000, dev-00001, dev-00002, ...)",
        )
        self.assertTrue(Location.objects.filter(name="ams").exists())
        self.assertEqual(Device.objects.count(), 4)

    def test_an_unreferenced_object_is_deleted(self):
        self.adapter.get("location", "fra").delete()
        self.assertFalse(Location.objects.filter(name="fra").exists())


class ProtectedDeleteJobTest(OrmJobTestCase):
    def setUp(self):
        super().setUp()
        OrmDeviceSource.delete_only_owned = False  # the devices are made by the test, not by a sync
        self.addCleanup(delattr, OrmDeviceSource, "delete_only_owned")

    def test_a_blocked_delete_is_a_recorded_failure_and_the_sync_continues(self):
        devices = bulk_devices(self.world, 2)
        Controller.objects.create(
            name="wlc-1", location=self.world["locations"][0], status=self.world["status"], controller_device=devices[0]
        )

        job_result, sync = self.run_sync([device_record("new")], allow_deletes=True)  # both devices go

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        failed = sync.changes.get(status=ChangeStatusChoices.FAILED)
        self.assertEqual(
            (failed.model_name, failed.unique_id, failed.action), ("device", "dev-00000", ChangeActionChoices.DELETE)
        )
        self.assertEqual(
            failed.message,
            "ObjectProtected: device 'dev-00000' cannot be deleted: referenced by 1 controller (wlc-1)",
        )
        self.assertEqual(sorted(Device.objects.values_list("name", flat=True)), ["dev-00000", "new"])
        self.assertEqual(Interface.objects.filter(device=devices[0]).count(), 8, "nothing was half-deleted")


@pytest.mark.compat
class BulkProtectedDeleteJobTest(ProtectedDeleteJobTest):
    """The same in bulk mode: the batch's other deletes go on, the blocked device keeps its interfaces."""

    def setUp(self):
        super().setUp()
        self.job_model = job_model_for(OrmDeviceBulkSource)
