"""The bulk write path (``bulk_mode``): same Nautobot state and change log as one-by-one writes, failures recorded
per object, all-or-nothing rollback, and Nautobot's webhooks fired for every object after the job."""

import json
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from nautobot.core.events import deregister_event_broker, register_event_broker
from nautobot.dcim.models import (
    ConsolePort,
    ConsolePortTemplate,
    Device,
    FrontPort,
    FrontPortTemplate,
    Interface,
    InterfaceTemplate,
    Location,
    LocationType,
    ModuleBay,
    ModuleBayTemplate,
    PowerOutlet,
    PowerOutletTemplate,
    PowerPortTemplate,
    RearPortTemplate,
)
from nautobot.extras.choices import JobResultStatusChoices, ObjectChangeActionChoices
from nautobot.extras.models import CustomField, JobHook, ObjectChange, Webhook
from nautobot.extras.tasks import process_webhook
from nautobot.ipam.models import IPAddress, Prefix

from nautobot_data_sync.choices import ChangeStatusChoices, SyncPhaseChoices
from nautobot_data_sync.speedups.savetime import writes_in_bulk
from nautobot_data_sync.tests.fixtures.cases import RECORDS_V1, BulkJobTestCase
from nautobot_data_sync.tests.fixtures.events import DeviceHookReceiver, TopicBroker
from nautobot_data_sync.tests.fixtures.jobs import job_model_for
from nautobot_data_sync.tests.fixtures.orm import (
    OrmDeviceBulkAllOrNothingSource,
    OrmDeviceBulkSource,
    OrmDeviceSource,
    device_record,
)


class BulkParityTest(BulkJobTestCase):
    @pytest.mark.compat
    def test_bulk_and_per_object_give_the_same_state_and_change_log(self):
        one_by_one = self.run_scenario(OrmDeviceSource)
        self.forget_devices()
        bulk = self.run_scenario(OrmDeviceBulkSource)

        self.assertEqual(bulk[0], [(10, 0, 0, 0), (3, 1, 4, 0)], "counts")
        self.assert_same_outcome(bulk, one_by_one)
        actions = {(row[0], row[1]) for row in bulk[2]}
        create, update, delete = (
            ObjectChangeActionChoices.ACTION_CREATE,
            ObjectChangeActionChoices.ACTION_UPDATE,
            ObjectChangeActionChoices.ACTION_DELETE,
        )
        expected = {("device", create), ("device", update), ("device", delete), ("interface", create)}
        self.assertLessEqual(expected | {("interface", delete)}, actions, "every kind of write was logged")

    def add_templates(self, with_sibling_ports=True):
        device_type = self.world["device_type"]
        ConsolePortTemplate.objects.create(device_type=device_type, name="con0")
        InterfaceTemplate.objects.create(device_type=device_type, name="mgmt0", type="1000base-t", mgmt_only=True)
        ModuleBayTemplate.objects.create(device_type=device_type, name="slot1", position="1")
        speed = CustomField.objects.create(label="Speed", key="speed", type="text", default="auto")
        speed.content_types.add(ContentType.objects.get_for_model(Interface))
        if with_sibling_ports:
            rear = RearPortTemplate.objects.create(device_type=device_type, name="rp1", type="8p8c", positions=2)
            FrontPortTemplate.objects.create(
                device_type=device_type, name="fp2", type="8p8c", rear_port_template=rear, rear_port_position=2
            )
            feed = PowerPortTemplate.objects.create(device_type=device_type, name="psu0")
            PowerOutletTemplate.objects.create(device_type=device_type, name="out0", power_port_template=feed)

    @pytest.mark.compat
    def test_devices_get_the_components_of_their_device_type_as_one_by_one(self):
        self.add_templates()
        records = [device_record("leaf-01"), device_record("leaf-02", interfaces=("eth0",)), device_record("leaf-03")]

        def components():
            return (
                sorted(ConsolePort.objects.values_list("device__name", "name")),
                sorted(Interface.objects.values_list("device__name", "name", "mgmt_only", "status__name")),
                sorted(ModuleBay.objects.values_list("parent_device__name", "name", "position")),
                sorted(FrontPort.objects.values_list("device__name", "name", "rear_port__name", "rear_port_position")),
                sorted(PowerOutlet.objects.values_list("device__name", "name", "power_port__name")),
                sorted((i.device.name, i.name, i.cf.get("speed")) for i in Interface.objects.filter(name="mgmt0")),
            )

        by_mode = []
        for job_class in (OrmDeviceSource, OrmDeviceBulkSource):
            self.job_model = job_model_for(job_class)
            job_result, sync = self.run_sync(records)
            self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
            by_mode.append(components())
            Device.objects.all().delete()
        self.assertEqual(by_mode[1], by_mode[0])
        names = ["leaf-01", "leaf-02", "leaf-03"]
        self.assertEqual(by_mode[1][0], [(name, "con0") for name in names])
        self.assertIn(("leaf-03", "mgmt0", True, "Active"), by_mode[1][1])
        self.assertEqual(by_mode[1][2], [(name, "slot1", "1") for name in names])
        self.assertEqual(by_mode[1][3], [(name, "fp2", "rp1", 2) for name in names])
        self.assertEqual(by_mode[1][4], [(name, "out0", "psu0") for name in names])
        self.assertEqual(by_mode[1][5], [(name, "mgmt0", "auto") for name in names])

    def test_more_devices_of_a_type_send_no_more_queries_for_their_components(self):
        self.add_templates(with_sibling_ports=False)

        def sync_queries(names):
            job_result, sync = self.run_sync([device_record(name, interfaces=()) for name in names])
            self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
            self.assertEqual(ConsolePort.objects.count(), len(names))
            return sync.phases.get(name=SyncPhaseChoices.SYNC).query_count

        self.job_model = job_model_for(OrmDeviceBulkSource)
        sync_queries(["warm-up"])  # the first sync also reads what stays cached
        Device.objects.all().delete()
        two = sync_queries(["leaf-01", "leaf-02"])
        Device.objects.all().delete()
        self.assertEqual(sync_queries([f"leaf-{index:02d}" for index in range(12)]), two)

    def test_more_updated_devices_send_no_more_reads_of_their_software_image_files(self):
        """``Device.clean()`` reads the device's software image files: once per batch of updates, not per device."""

        def image_reads(names, serial):
            with CaptureQueriesContext(connection) as queries:
                job_result, sync = self.run_sync([device_record(name, interfaces=(), serial=serial) for name in names])
            self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
            return len([query for query in queries if 'FROM "dcim_softwareimagefile"' in query["sql"]])

        reads = {}
        for count in (2, 12):
            names = [f"leaf-{index:02d}" for index in range(count)]
            image_reads(names, "S1")
            reads[count] = image_reads(names, "S2")
            self.assertEqual(set(Device.objects.filter(name__in=names).values_list("serial", flat=True)), {"S2"})
            Device.objects.all().delete()
        self.assertEqual(reads[12], reads[2])

    def test_more_locations_send_no_more_reads_of_their_ancestors(self):
        """An updated interface's ``clean()`` walks its device's location up to the root: once per batch and level,
        not per location."""
        region_type = LocationType.objects.create(name="Test region")
        site_type = self.world["locations"][0].location_type
        site_type.parent = region_type
        site_type.save()
        region = Location.objects.create(name="eu", location_type=region_type, status=self.world["status"])

        def location_reads(count):
            names = [f"site-{count}-{index:02d}" for index in range(count)]
            for name in names:
                Location.objects.create(name=name, location_type=site_type, parent=region, status=self.world["status"])
            devices = [(f"leaf-{name}", name) for name in names]
            for description in ("first", "second"):
                records = [
                    device_record(device, location=location, interfaces=())
                    | {"interfaces": [{"name": "eth0", "description": description}]}
                    for device, location in devices
                ]
                with CaptureQueriesContext(connection) as queries:
                    job_result, sync = self.run_sync(records)
                self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
            self.assertEqual(sync.update_count, count)
            Device.objects.all().delete()
            return len([query for query in queries if query["sql"].startswith('SELECT "dcim_location"."id"')])

        self.assertEqual(location_reads(12), location_reads(2))

    def test_new_devices_get_their_tags_without_a_read_of_the_tags_they_have(self):
        """A device the sync has just created has no tags: they are added, not set (``set()`` reads the ones it has
        first, a query per device)."""
        with CaptureQueriesContext(connection) as queries:
            job_result, sync = self.run_sync(RECORDS_V1)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.assertEqual(sync.create_count, 10)
        reads = [query["sql"] for query in queries if '"tag__name" FROM "extras_taggeditem"' in query["sql"]]
        self.assertEqual(reads, [])
        self.assertEqual(sorted(Device.objects.get(name="leaf-02").tags.names()), ["gold", "silver"])

    @pytest.mark.compat
    def test_change_records_hold_nautobot_natural_slugs(self):
        job_result, sync = self.run_sync(RECORDS_V1)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        changes = ObjectChange.objects.filter(changed_object_type=ContentType.objects.get_for_model(Interface))
        self.assertEqual(changes.count(), 7)
        for change in changes:
            interface = Interface.objects.get(pk=change.changed_object_id)
            self.assertEqual(change.object_data_v2["natural_slug"], interface.natural_slug)
            self.assertEqual(change.object_data_v2["device"]["natural_slug"], interface.device.natural_slug)

    @pytest.mark.compat
    def test_models_with_side_effects_in_save_are_written_one_by_one(self):
        self.assertTrue(writes_in_bulk(Device, "create"))
        self.assertTrue(writes_in_bulk(Interface, "update"))
        self.assertFalse(writes_in_bulk(IPAddress, "create"), "finds its parent prefix in save()")
        self.assertFalse(writes_in_bulk(Prefix, "delete"), "re-parents its children in delete()")


@pytest.mark.compat
class BulkFailureTest(BulkJobTestCase):
    def test_invalid_objects_are_recorded_and_the_rest_of_the_batch_is_written(self):
        bad = device_record("leaf-02")
        bad["interfaces"] = [{"name": "eth0", "type": "no-such-type"}, {"name": "eth1"}]
        records = [device_record("leaf-01"), bad, device_record("leaf-03", location="Nowhere")]
        job_result, sync = self.run_sync(records)

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertEqual(sorted(Device.objects.values_list("name", flat=True)), ["leaf-01", "leaf-02"])
        self.assertEqual(
            sorted(Interface.objects.values_list("device__name", "name")),
            [("leaf-01", "eth0"), ("leaf-01", "eth1"), ("leaf-02", "eth1")],
        )
        failed = {change.unique_id: change.message for change in sync.changes.filter(status=ChangeStatusChoices.FAILED)}
        self.assertEqual(set(failed), {"leaf-02__eth0", "leaf-03"})
        self.assertTrue(failed["leaf-02__eth0"].startswith("ObjectValidationError: interface 'leaf-02__eth0': type: "))
        self.assertIn("location__name 'Nowhere' does not match any location", failed["leaf-03"])
        self.assertEqual((sync.create_count, sync.failed_count, sync.skipped_count), (5, 2, 2))
        logged = ObjectChange.objects.filter(changed_object_type=ContentType.objects.get_for_model(Interface))
        self.assertEqual(logged.count(), 3, "only written objects are in the change log")

    def test_a_device_that_fails_at_write_time_skips_its_interfaces(self):
        Device.objects.create(
            name="leaf-01",
            location=self.world["locations"][1],
            device_type=self.world["device_type"],
            role=self.world["role"],
            status=self.world["status"],
        )
        records = [device_record("leaf-01", location="fra")]
        job_result, sync = self.run_sync(records, scope={"device": Q(location__name="ams")})

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE, sync.summary)
        failed = sync.changes.get(status=ChangeStatusChoices.FAILED)
        self.assertEqual((failed.model_name, failed.unique_id), ("device", "leaf-01"))
        self.assertIn("leaf-01", failed.message)
        skipped = sync.changes.filter(status=ChangeStatusChoices.SKIPPED)
        self.assertEqual(sorted(skipped.values_list("unique_id", flat=True)), ["leaf-01__eth0", "leaf-01__eth1"])
        self.assertEqual(Device.objects.count(), 1)
        self.assertFalse(Interface.objects.exists())


@pytest.mark.compat
class BulkAllOrNothingTest(BulkJobTestCase):
    job_class = OrmDeviceBulkAllOrNothingSource

    def test_one_invalid_object_rolls_back_everything(self):
        bad = device_record("leaf-02")
        bad["interfaces"] = [{"name": "eth0", "type": "no-such-type"}]
        job_result, sync = self.run_sync([device_record("leaf-01"), bad])

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertFalse(Device.objects.exists())
        self.assertFalse(Interface.objects.exists())
        self.assertFalse(ObjectChange.objects.filter(changed_object_type__model__in=["device", "interface"]).exists())
        self.assertEqual(sync.changes.filter(status=ChangeStatusChoices.SUCCEEDED).count(), 0)
        self.assertEqual(sync.changes.filter(status=ChangeStatusChoices.FAILED).count(), 1)
        self.assertGreater(sync.skipped_count, 0)


@pytest.mark.compat
class BulkJobHookTest(BulkJobTestCase):
    def test_job_hooks_run_for_every_object_written_in_bulk(self):
        DeviceHookReceiver.received = []
        get_user_model().objects.create_superuser(username="test-user")  # may run the hook (Nautobot checks)
        receiver = job_model_for(DeviceHookReceiver)
        receiver.enabled = True
        receiver.save()
        hook = JobHook.objects.create(name="devices", job=receiver, type_create=True, type_delete=True)
        hook.content_types.add(ContentType.objects.get_for_model(Device))

        job_result, sync = self.run_sync([device_record("leaf-01"), device_record("leaf-02")])
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.run_sync([device_record("leaf-01")])

        user = job_result.user.username
        self.assertEqual(
            sorted(DeviceHookReceiver.received),
            [("create", "leaf-01", user), ("create", "leaf-02", user), ("delete", "leaf-02", user)],
        )


@pytest.mark.compat
class BulkEventTest(BulkJobTestCase):
    """Webhooks and event brokers get the snapshots of objects written in bulk; records nothing takes get none."""

    def test_webhooks_and_event_brokers_get_every_object_written_in_bulk(self):
        webhook = Webhook.objects.create(name="devices", type_create=True, payload_url="https://hooks.invalid/")
        webhook.content_types.add(ContentType.objects.get_for_model(Device))
        broker = TopicBroker(include_topics=["nautobot.create.dcim.interface"])
        register_event_broker(broker)
        self.addCleanup(deregister_event_broker, broker)
        sent = []
        # The far side of the network: the webhook task handed to the Celery broker (the worker would POST it).
        with mock.patch.object(process_webhook, "apply_async", lambda args: sent.append(args)):
            job_result, sync = self.run_sync([device_record("leaf-01"), device_record("leaf-02", interfaces=("xe0",))])

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        by_device = {args[1]["name"]: args for args in sent}  # (webhook, data, model, event, ..., snapshots)
        self.assertEqual(sorted(by_device), ["leaf-01", "leaf-02"])
        for name, args in by_device.items():
            self.assertEqual((args[0], args[2], args[3]), (webhook.pk, "device", "create"))
            self.assertEqual(args[7]["postchange"]["name"], name)
            self.assertIsNone(args[7]["prechange"])
        published = [(topic, json.loads(payload)["postchange"]) for topic, payload in broker.published]
        self.assertEqual({topic for topic, _ in published}, {"nautobot.create.dcim.interface"})
        self.assertEqual(
            sorted((data["device"]["name"], data["name"]) for _, data in published),
            [("leaf-01", "eth0"), ("leaf-01", "eth1"), ("leaf-02", "xe0")],
        )
