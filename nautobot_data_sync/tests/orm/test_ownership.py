"""Ownership, provenance and last seen: Nautobot object metadata stamped in bulk; deletes only of what the job owns,
and of its orphans once their grace is over; attributes the sync does not own."""

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from nautobot.dcim.models import Device, Interface
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import MetadataType, ObjectChange, ObjectMetadata

from nautobot_data_sync.choices import ChangeActionChoices, ChangeStatusChoices, SyncPhaseChoices
from nautobot_data_sync.models import Sync
from nautobot_data_sync.sync.ownership import LAST_SEEN, OWNER, TYPES, Ownership
from nautobot_data_sync.tests.fixtures.cases import OrmJobTestCase
from nautobot_data_sync.tests.fixtures.jobs import job_model_for
from nautobot_data_sync.tests.fixtures.orm import (
    DeviceModel,
    OrmDeviceBulkSource,
    OrmDeviceSource,
    bulk_devices,
    device_record,
)


def stamps(obj):
    """``{metadata type name: value}`` of ``obj``."""
    rows = ObjectMetadata.objects.filter(
        assigned_object_type=ContentType.objects.get_for_model(obj), assigned_object_id=obj.pk
    )
    return dict(rows.values_list("metadata_type__name", "_value"))


def allowed_types(model):
    """The names of the metadata types objects of ``model`` may have, as Nautobot reads them (through its cache)."""
    return {metadata_type.name for metadata_type in MetadataType.objects.get_for_model(model)}


class OwnershipTest(OrmJobTestCase):
    job_class = OrmDeviceSource

    def setUp(self):
        super().setUp()
        self.job_model = job_model_for(self.job_class)

    def test_written_objects_are_owned_and_stamped_without_change_records(self):
        for model in (Device, Interface):  # read into Nautobot's cache before the sync allows them
            self.assertFalse(allowed_types(model) & set(TYPES))
        job_result, sync = self.run_sync([device_record("leaf-01"), device_record("leaf-02")])
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        for model in (Device, Interface):  # as Nautobot's edit form reads them: its cache was cleared
            self.assertEqual(allowed_types(model) & set(TYPES), set(TYPES))
        leaf = Device.objects.get(name="leaf-01")
        for obj in (leaf, leaf.interfaces.get(name="eth0")):
            stamped = stamps(obj)
            self.assertEqual(stamped[OWNER], self.job_class.owner_name)
            self.assertIn(LAST_SEEN, stamped)
        logged = ObjectChange.objects.filter(changed_object_type__model="objectmetadata")
        self.assertFalse(logged.exists(), "a stamp is not a change record")

        before = stamps(leaf)[LAST_SEEN]
        _, no_op = self.run_sync([device_record("leaf-01"), device_record("leaf-02")])
        self.assertEqual((no_op.update_count, no_op.unchanged_count), (0, 6))
        self.assertGreaterEqual(stamps(leaf)[LAST_SEEN], before, "seen again")
        self.assertFalse(ObjectChange.objects.filter(changed_object_type__model="objectmetadata").exists())

    def test_hand_made_objects_are_adopted_when_matched_and_kept_when_not(self):
        made, kept = bulk_devices(self.world, 2, prefix="hand")
        job_result, sync = self.run_sync([device_record(made.name, interfaces=[f"eth{n}" for n in range(8)])])

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.assertEqual(stamps(made)[OWNER], self.job_class.owner_name, "adopted: matched by its identifiers")
        self.assertNotIn(OWNER, stamps(kept))
        self.assertTrue(Device.objects.filter(pk=kept.pk).exists(), "not the job's: not deleted")
        self.assertEqual(Interface.objects.filter(device=kept).count(), 8)
        self.assertEqual((sync.delete_count, sync.kept_count), (0, 9), "the device and its 8 interfaces")
        row = sync.changes.get(model_name="device", status=ChangeStatusChoices.KEPT)
        self.assertEqual((row.unique_id, row.action), (kept.name, ChangeActionChoices.DELETE))
        self.assertIn("owned by no sync job", row.message)
        self.assertEqual(row.changed_object, kept)

        _, sync = self.run_sync([], allow_deletes=True)  # the adopted one is the job's now: it goes
        self.assertFalse(Device.objects.filter(pk=made.pk).exists())
        self.assertTrue(Device.objects.filter(pk=kept.pk).exists())

    def test_objects_of_another_job_are_kept(self):
        (other,) = bulk_devices(self.world, 1, prefix="other")
        Ownership("another.Job").stamp(Device, written=[other.pk], seen=[])
        _, sync = self.run_sync([device_record("leaf-01")])
        self.assertTrue(Device.objects.filter(pk=other.pk).exists())
        kept = sync.changes.get(model_name="device", status=ChangeStatusChoices.KEPT)
        self.assertIn("owned by another.Job", kept.message)


class BulkOwnershipTest(OwnershipTest):
    job_class = OrmDeviceBulkSource


class StampCostTest(OrmJobTestCase):
    def test_a_no_op_stamps_with_as_many_queries_whatever_the_number_of_objects(self):
        self.job_model = job_model_for(OrmDeviceBulkSource)

        def no_op_queries(count):
            Device.objects.all().delete()
            records = [device_record(f"leaf-{index:03d}") for index in range(count)]
            self.run_sync(records)
            _, sync = self.run_sync(records)
            self.assertEqual(sync.unchanged_count, 3 * count)
            return sync.phases.get(name=SyncPhaseChoices.SYNC).query_count

        self.assertEqual(no_op_queries(5), no_op_queries(40))


class NotOwnedAttributesTest(OrmJobTestCase):
    def test_attributes_the_sync_does_not_own_are_set_on_create_and_never_overwritten(self):
        DeviceModel._not_owned = ("serial",)
        self.addCleanup(setattr, DeviceModel, "_not_owned", ())
        self.run_sync([device_record("leaf-01", serial="FROM-SOURCE")])
        device = Device.objects.get(name="leaf-01")
        self.assertEqual(device.serial, "FROM-SOURCE", "set on create")
        device.serial = "SET-BY-HAND"
        device.validated_save()

        job_result, sync = self.run_sync([device_record("leaf-01", serial="CHANGED-AT-SOURCE", location="fra")])

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        device.refresh_from_db()
        self.assertEqual((device.serial, device.location.name), ("SET-BY-HAND", "fra"), "owned ones still synced")
        update = sync.changes.get(model_name="device")
        self.assertNotIn("serial", update.attributes_after)


class OrphanGraceTest(OrmJobTestCase):
    def grace(self, **limits):
        for name, value in limits.items():
            setattr(OrmDeviceSource, name, value)
            self.addCleanup(delattr, OrmDeviceSource, name)

    @staticmethod
    def a_minute_passes(sync):
        """Move ``sync`` and the stamps it wrote a minute back (the next run is in another second, as in life)."""
        a_minute = timedelta(minutes=1)
        Sync.objects.filter(pk=sync.pk).update(start_time=sync.start_time - a_minute)
        stamps = ObjectMetadata.objects.filter(metadata_type__name=LAST_SEEN)
        for pk, value in stamps.values_list("pk", "_value"):
            stamps.filter(pk=pk).update(_value=(datetime.fromisoformat(value) - a_minute).isoformat())

    def test_an_orphan_is_deleted_once_missing_for_the_runs_of_its_grace(self):
        self.grace(orphan_grace_runs=2)
        _, seen = self.run_sync([device_record("leaf-01"), device_record("leaf-02")])
        self.a_minute_passes(seen)

        _, first = self.run_sync([device_record("leaf-01")])
        self.assertTrue(Device.objects.filter(name="leaf-02").exists())
        orphan = first.changes.get(model_name="device", status=ChangeStatusChoices.KEPT)
        self.assertIn("Kept: an orphan, missing from the source since", orphan.message)
        self.assertIn("1 runs); deleted once missing 2 runs", orphan.message)

        _, second = self.run_sync([device_record("leaf-01")])
        self.assertFalse(Device.objects.filter(name="leaf-02").exists())
        self.assertEqual(second.delete_count, 3, "the device and its two interfaces")

    def test_an_orphan_is_deleted_once_missing_for_the_days_of_its_grace(self):
        self.grace(orphan_grace_days=1)
        self.run_sync([device_record("leaf-01"), device_record("leaf-02")])
        _, sync = self.run_sync([device_record("leaf-01")])
        self.assertEqual((sync.kept_count, sync.delete_count), (3, 0))

        two_days_ago = (timezone.now() - timedelta(days=2)).replace(microsecond=0).isoformat()
        ObjectMetadata.objects.filter(metadata_type__name=LAST_SEEN).update(_value=two_days_ago)
        _, sync = self.run_sync([device_record("leaf-01")])
        self.assertEqual((sync.kept_count, sync.delete_count), (0, 3))
        self.assertFalse(Device.objects.filter(name="leaf-02").exists())
