"""Declarative models end to end: a DataSource job writing Nautobot through them (create, update, delete,
change log, recorded failures, scope)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from nautobot.dcim.models import Device, Interface
from nautobot.extras.choices import JobResultStatusChoices, ObjectChangeActionChoices
from nautobot.extras.models import ObjectChange, RelationshipAssociation

from nautobot_data_sync.choices import ChangeActionChoices, ChangeStatusChoices
from nautobot_data_sync.tests.fixtures.cases import OrmJobTestCase
from nautobot_data_sync.tests.fixtures.orm import OrmDeviceSource, bulk_devices, device_record


class CrudTest(OrmJobTestCase):
    def test_create_update_delete_with_change_log(self):
        record = device_record("leaf-01", serial="S1", tags=["gold"], cf_owner="neteng", tenants=["t1"])
        job_result, sync = self.run_sync([record])

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.assertEqual((sync.create_count, sync.failed_count), (3, 0))
        device = Device.objects.get(name="leaf-01")
        self.assertEqual((device.location.name, device.device_type.model, device.role.name), ("ams", "A1", "leaf"))
        self.assertEqual((device.status.name, device.serial), ("Active", "S1"))
        self.assertEqual(list(device.tags.names()), ["gold"])
        self.assertEqual(device.cf["owner"], "neteng")
        self.assertEqual(sorted(device.interfaces.values_list("name", flat=True)), ["eth0", "eth1"])
        associations = RelationshipAssociation.objects.filter(source_id=device.pk)
        self.assertEqual([association.destination.name for association in associations], ["t1"])
        created = sync.changes.get(model_name="device")
        self.assertEqual(created.changed_object, device, "lookup_object delegates to the adapter")
        changes = ObjectChange.objects.filter(
            changed_object_type=ContentType.objects.get_for_model(Device), changed_object_id=device.pk
        )
        self.assertTrue(changes.exists(), "validated_save() ran inside Nautobot's change-logging context")
        self.assertEqual({change.user_name for change in changes}, {job_result.user.username})
        self.assertEqual(
            ObjectChange.objects.filter(changed_object_type=ContentType.objects.get_for_model(Interface)).count(), 2
        )

        changed = device_record(
            "leaf-01",
            location="fra",
            interfaces=("eth0",),
            serial="S2",
            tags=["silver"],
            cf_owner="ops",
            tenants=["t2"],
        )
        job_result, sync = self.run_sync([changed])

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.assertEqual((sync.update_count, sync.delete_count, sync.unchanged_count), (1, 1, 1))
        device.refresh_from_db()
        self.assertEqual((device.location.name, device.serial, device.cf["owner"]), ("fra", "S2", "ops"))
        self.assertEqual(list(device.tags.names()), ["silver"])
        associations = RelationshipAssociation.objects.filter(source_id=device.pk)
        self.assertEqual([association.destination.name for association in associations], ["t2"])
        self.assertEqual(list(device.interfaces.values_list("name", flat=True)), ["eth0"])
        update = ObjectChange.objects.filter(
            changed_object_id=device.pk, action=ObjectChangeActionChoices.ACTION_UPDATE
        )
        self.assertTrue(update.exists())

        _, sync = self.run_sync([changed])
        self.assertEqual(sync.changes.count(), 0, "a second identical run changes nothing")
        self.assertEqual(sync.unchanged_count, 2)

        job_result, sync = self.run_sync([], allow_deletes=True)  # the delete guard would refuse: all go
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.assertFalse(Device.objects.filter(name="leaf-01").exists())
        self.assertTrue(
            ObjectChange.objects.filter(changed_object_id=device.pk, action=ObjectChangeActionChoices.ACTION_DELETE)
        )


class FailureTest(OrmJobTestCase):
    def test_unresolvable_reference_is_a_recorded_failure_and_the_sync_continues(self):
        records = [device_record("good"), device_record("bad", location="Nowhere"), device_record("good-2")]
        job_result, sync = self.run_sync(records)

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertEqual(set(Device.objects.values_list("name", flat=True)), {"good", "good-2"})
        failed = sync.changes.get(status=ChangeStatusChoices.FAILED)
        self.assertEqual(
            (failed.model_name, failed.unique_id, failed.action), ("device", "bad", ChangeActionChoices.CREATE)
        )
        self.assertEqual(
            failed.message, "ReferenceNotFound: device 'bad': location__name 'Nowhere' does not match any location"
        )
        self.assertEqual(sync.changes.filter(status=ChangeStatusChoices.SKIPPED).count(), 2, "its interfaces")

    def test_unknown_tag_names_the_field(self):
        _, sync = self.run_sync([device_record("leaf", tags=["gold", "platinum"])])
        failed = sync.changes.get(status=ChangeStatusChoices.FAILED)
        self.assertIn("device 'leaf': tags ['gold', 'platinum'] ['platinum'] match no tag", failed.message)
        self.assertFalse(Device.objects.exists(), "the failed object's writes were rolled back")

    def test_validation_error_names_model_unique_id_and_field(self):
        record = device_record("leaf")
        record["interfaces"] = [{"name": "eth0", "type": "no-such-type"}]
        _, sync = self.run_sync([record])
        failed = sync.changes.get(status=ChangeStatusChoices.FAILED)
        self.assertTrue(
            failed.message.startswith("ObjectValidationError: interface 'leaf__eth0': type: "), failed.message
        )
        self.assertTrue(Device.objects.filter(name="leaf").exists())


class ScopeTest(OrmJobTestCase):
    def test_a_scoped_sync_never_deletes_outside_its_scope(self):
        OrmDeviceSource.delete_only_owned = False  # the devices are made by the test, not by a sync
        self.addCleanup(delattr, OrmDeviceSource, "delete_only_owned")
        bulk_devices(self.world, 4, prefix="dev")
        Device.objects.filter(name__in=["dev-00002", "dev-00003"]).update(location=self.world["locations"][1])

        job_result, sync = self.run_sync([], scope={"device": Q(location__name="ams")}, allow_deletes=True)

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.assertEqual(sorted(Device.objects.values_list("name", flat=True)), ["dev-00002", "dev-00003"])
        self.assertEqual(Interface.objects.count(), 16)
