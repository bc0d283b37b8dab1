"""Bulk validation answers the per-object work of Nautobot's clean() per batch, with the same outcome."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from nautobot.apps.testing import TestCase
from nautobot.data_validation.models import RegularExpressionValidationRule
from nautobot.dcim.models import Device, Interface, Location, LocationType
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import CustomField, Status

from nautobot_data_sync.choices import ChangeStatusChoices, SyncPhaseChoices
from nautobot_data_sync.speedups.validation import DeviceNames, checked_per_batch, mark_new
from nautobot_data_sync.tests.fixtures.cases import BulkJobTestCase
from nautobot_data_sync.tests.fixtures.orm import device_record


class MarkNewTest(TestCase):
    def test_new_objects_read_no_relations_until_given_some(self):
        location_type = LocationType(name="Campus")
        mark_new([location_type])
        with self.assertNumQueries(0):
            self.assertEqual(list(location_type.content_types.all()), [])
        location_type.validated_save()
        device_type = ContentType.objects.get_for_model(Device)
        location_type.content_types.set([device_type])  # computed from the marked relation: must not see others

        self.assertEqual(list(location_type.content_types.all()), [device_type])
        self.assertEqual(list(LocationType.objects.get(pk=location_type.pk).content_types.all()), [device_type])


class ComponentNameTest(BulkJobTestCase):
    @pytest.mark.compat
    def test_a_name_taken_on_the_device_fails_that_component_only(self):
        device = Device.objects.create(
            name="leaf-01",
            location=self.world["locations"][0],
            device_type=self.world["device_type"],
            role=self.world["role"],
            status=self.world["status"],
        )
        active = Status.objects.get_for_model(Interface).get(name="Active")
        Interface.objects.create(device=device, name="eth0", type="1000base-t", status=active)
        records = [device_record("leaf-01", interfaces=("eth0", "eth1"))]
        # The sync does not see eth0 (out of its scope), so it tries to create it.
        job_result, sync = self.run_sync(records, scope={"interface": ~Q(name="eth0")})

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE, sync.summary)
        failed = sync.changes.get(status=ChangeStatusChoices.FAILED)
        self.assertEqual(
            failed.message,
            "ObjectValidationError: interface 'leaf-01__eth0': name: another interface named 'eth0' exists on leaf-01",
        )
        self.assertEqual(sorted(device.interfaces.values_list("name", flat=True)), ["eth0", "eth1"])

    def test_validating_more_components_sends_no_more_queries(self):
        records = []

        def add_device_and_sync(name, interfaces):
            records.append(device_record(name, interfaces=[f"eth{index}" for index in range(interfaces)]))
            job_result, sync = self.run_sync(records)
            self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
            self.assertEqual(sync.create_count, 1 + interfaces)
            return sync.phases.get(name=SyncPhaseChoices.SYNC).query_count

        add_device_and_sync("leaf-01", 2)  # the first sync also reads what stays cached
        self.assertEqual(add_device_and_sync("leaf-02", 2), add_device_and_sync("leaf-03", 12))


class DeviceNameTest(BulkJobTestCase):
    def device(self, name, location=0, **values):
        world = self.world
        return Device(
            name=name,
            location=world["locations"][location],
            device_type=world["device_type"],
            role=world["role"],
            status=world["status"],
            **values,
        )

    @pytest.mark.compat
    def test_a_name_taken_at_the_location_fails_that_device_only(self):
        self.device("leaf-01").validated_save()
        records = [device_record("leaf-01", interfaces=()), device_record("leaf-02", interfaces=())]
        # The sync does not see the existing leaf-01 (out of its scope), so it tries to create it.
        job_result, sync = self.run_sync(records, scope={"device": ~Q(name="leaf-01")})

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE, sync.summary)
        failed = sync.changes.get(status=ChangeStatusChoices.FAILED)
        self.assertEqual(
            failed.message,
            "ObjectValidationError: device 'leaf-01': name: another device with no tenant is named 'leaf-01' "
            "at location ams",
        )
        self.assertEqual(Device.objects.filter(name="leaf-01").count(), 1)
        self.assertTrue(Device.objects.filter(name="leaf-02").exists())

    @pytest.mark.compat
    def test_devices_validated_earlier_in_the_batch_hold_their_names(self):
        renamed = self.device("old")
        renamed.validated_save()
        first, second, elsewhere = self.device("new"), self.device("new"), self.device("new", location=1)
        names = DeviceNames([first, second, elsewhere, renamed])
        renamed.name = "renamed"
        names.check(renamed)
        names.take(renamed)
        names.check(first)
        names.take(first)
        with self.assertRaisesMessage(ValidationError, "another device with no tenant is named 'new' at location ams"):
            names.check(second)
        names.check(elsewhere)  # another location
        names.check(self.device("old"))  # the name its holder gave up in the batch

    def test_validating_more_devices_sends_no_more_queries(self):
        records = []

        def add_devices_and_sync(prefix, count):
            records.extend(device_record(f"{prefix}-{index}", interfaces=()) for index in range(count))
            job_result, sync = self.run_sync(records)
            self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
            self.assertEqual(sync.create_count, count)
            return sync.phases.get(name=SyncPhaseChoices.SYNC).query_count

        add_devices_and_sync("leaf", 2)  # the first sync also reads what stays cached
        self.assertEqual(add_devices_and_sync("spine", 2), add_devices_and_sync("border", 12))


class DataValidationTest(BulkJobTestCase):
    @pytest.mark.compat
    def test_validation_rules_apply_to_bulk_batches(self):
        records = [device_record("leaf-01", interfaces=("eth0",)), device_record("spine-01", interfaces=("eth0",))]
        job_result, sync = self.run_sync(records[:1])  # no rules yet: the batch skips the rule lookups
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)

        RegularExpressionValidationRule.objects.create(
            name="Leaf names",
            content_type=ContentType.objects.get_for_model(Device),
            field="name",
            regular_expression="^leaf-",
            error_message="device names start with leaf-",
        )
        job_result, sync = self.run_sync(records)

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE, sync.summary)
        failed = sync.changes.get(status=ChangeStatusChoices.FAILED, model_name="device")
        self.assertEqual(
            failed.message, "ObjectValidationError: device 'spine-01': name: device names start with leaf-"
        )
        self.assertEqual(sorted(Device.objects.values_list("name", flat=True)), ["leaf-01"])


@pytest.mark.compat
class CustomFieldValidationTest(BulkJobTestCase):
    def test_custom_field_values_are_validated_in_bulk_batches(self):
        CustomField.objects.filter(key="owner").update(validation_regex="^[a-z]+$")
        records = [device_record("leaf-01", cf_owner="neteng"), device_record("leaf-02", cf_owner="Net Eng")]
        job_result, sync = self.run_sync(records)

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE, sync.summary)
        failed = sync.changes.get(status=ChangeStatusChoices.FAILED)
        self.assertEqual(failed.unique_id, "leaf-02")
        self.assertEqual(
            failed.message,
            "ObjectValidationError: device 'leaf-02': cf_owner: Invalid value for custom field 'owner': "
            "Value must match regex '^[a-z]+$'",
        )
        self.assertEqual(sorted(Device.objects.values_list("name", flat=True)), ["leaf-01"])
        self.assertEqual(Device.objects.get(name="leaf-01").cf["owner"], "neteng")


class AncestorsOnceTest(TestCase):
    def test_a_nodes_ancestors_and_their_ids_are_built_once_per_batch(self):
        status = Status.objects.get_for_model(Location).first()
        region_type = LocationType.objects.create(name="Region")
        site_type = LocationType.objects.create(name="Site", parent=region_type)
        region = Location.objects.create(name="Europe", location_type=region_type, status=status)
        site = Location.objects.create(name="Berlin", location_type=site_type, parent=region, status=status)

        def ancestor_ids(field="id"):
            return site.ancestors(include_self=True).values_list(field, flat=True)

        with checked_per_batch(Interface, []):
            ids = ancestor_ids()
            self.assertIs(ancestor_ids(), ids)
            self.assertIsNot(ancestor_ids("pk"), ids, "other arguments, another queryset")
            self.assertEqual(set(ids), {site.pk, region.pk})
            self.assertEqual(list(ancestor_ids().filter(pk=region.pk)), [region.pk], "a clone is Django's own")
        self.assertIsNot(ancestor_ids(), ancestor_ids(), "outside the batch, Nautobot's as it is")
