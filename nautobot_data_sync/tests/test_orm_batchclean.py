"""Bulk validation answers the per-object work of Nautobot's clean() per batch, with the same outcome."""

import hashlib
import inspect

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from nautobot.apps.testing import TestCase
from nautobot.dcim.models import Device, Interface, LocationType
from nautobot.dcim.models.device_components import ModularComponentModel
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import Status

from nautobot_data_sync.choices import ChangeStatusChoices, SyncPhaseChoices
from nautobot_data_sync.orm import changelog
from nautobot_data_sync.tests.test_orm_bulk import BulkJobTestCase
from nautobot_data_sync.tests.test_orm_jobs import device_record

# The method orm/batchclean.py answers per batch for module-less components, as reviewed: if Nautobot changes it,
# review batchclean._component_clean() and update the digest.
REVIEWED_COMPONENT_CLEAN = "723579611c0e"


class MarkNewTest(TestCase):
    def test_new_objects_read_no_relations_until_given_some(self):
        location_type = LocationType(name="Campus")
        changelog.mark_new([location_type])
        with self.assertNumQueries(0):
            self.assertEqual(list(location_type.content_types.all()), [])
        location_type.validated_save()
        device_type = ContentType.objects.get_for_model(Device)
        location_type.content_types.set([device_type])  # computed from the marked relation: must not see others

        self.assertEqual(list(location_type.content_types.all()), [device_type])
        self.assertEqual(list(LocationType.objects.get(pk=location_type.pk).content_types.all()), [device_type])


class ComponentNameTest(BulkJobTestCase):
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

    def test_nautobot_component_check_is_the_reviewed_one(self):
        source = inspect.getsource(ModularComponentModel.clean)
        digest = hashlib.sha256(source.encode()).hexdigest()[:12]
        self.assertEqual(digest, REVIEWED_COMPONENT_CLEAN, "Nautobot changed ModularComponentModel.clean()")
