"""Deletes blocked by protected foreign keys fail with ObjectProtected, naming what blocks them."""

import pytest
from django.db import models
from django.test import SimpleTestCase
from nautobot.apps.testing import TestCase
from nautobot.dcim.models import Controller, Device, Interface, Location
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.vpn.models import VPNTunnel

from nautobot_data_sync.choices import ChangeActionChoices, ChangeStatusChoices
from nautobot_data_sync.orm import NautobotAdapter, NautobotModel, ObjectProtected
from nautobot_data_sync.orm.deletes import can_be_refused
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


class CanBeRefusedTest(SimpleTestCase):
    def test_what_protected_or_restricted_keys_reach(self):
        self.assertTrue(can_be_refused(Device), "a virtual chassis's master is protected")
        self.assertTrue(can_be_refused(Location), "devices protect their location")
        self.assertFalse(can_be_refused(Interface), "what it cascades to refuses nothing")

    def test_what_an_interfaces_delete_cascades_to_is_walked(self):
        """An interface's delete cascades to its VPN tunnel endpoints, which tunnels refer to: as that key's handler
        refuses or not, an interface's delete can be refused or not."""
        field = VPNTunnel._meta.get_field("endpoint_a")
        handler = field.remote_field.on_delete
        for on_delete, refusable in (
            (models.SET_NULL, False),
            (models.PROTECT, True),
            (models.RESTRICT, True),
            (models.SET(None), True),  # a handler of its own
        ):
            with self.subTest(on_delete=on_delete):
                can_be_refused.cache_clear()
                field.remote_field.on_delete = on_delete
                try:
                    self.assertIs(can_be_refused(Interface), refusable)
                finally:
                    field.remote_field.on_delete = handler
                    can_be_refused.cache_clear()


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
