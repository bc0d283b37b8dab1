"""The example job "Inventory file -> Nautobot", end to end through Nautobot's job execution and PostgreSQL."""

import json
import os
from unittest import mock

import yaml
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from nautobot.dcim import models as dcim
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import ObjectChange, Role, Status

from nautobot_data_sync.choices import ChangeActionChoices, ChangeStatusChoices, SyncPhaseChoices, SyncStatusChoices
from nautobot_data_sync.jobs.examples.inventory import EXAMPLE_FILE, PATH_VARIABLE, InventoryFileDataSource
from nautobot_data_sync.jobs.examples.inventory.adapters import NautobotAdapter
from nautobot_data_sync.jobs.examples.inventory.inventory_file import InventoryFileError, load_inventory
from nautobot_data_sync.tests.fixtures.inventory import InventoryJobTestCase, example

PHASES = [SyncPhaseChoices.SOURCE_LOAD, SyncPhaseChoices.TARGET_LOAD, SyncPhaseChoices.DIFF, SyncPhaseChoices.SYNC]


def record_count(inventory):
    """Number of diffsync objects in ``inventory`` (every record, interfaces included)."""
    devices = inventory["devices"]
    return sum(len(records) for records in inventory.values()) + sum(len(d.get("interfaces", [])) for d in devices)


class InventorySyncTest(InventoryJobTestCase):
    def test_first_run_creates_everything_and_second_run_is_a_no_op(self):
        inventory = example()
        job_result, sync = self.run_job(inventory, memory_profiling=True)

        self.assertSucceeded(job_result, sync)
        total = record_count(inventory)
        self.assertEqual((sync.create_count, sync.update_count, sync.delete_count, sync.failed_count), (total, 0, 0, 0))
        phases = list(sync.phases.order_by("start_time"))
        self.assertEqual([phase.name for phase in phases], PHASES)
        self.assertEqual([phase.object_count for phase in phases], [total, 0, total, total])
        self.assertTrue(all(phase.succeeded and phase.memory_peak for phase in phases))
        self.assertEqual(sync.inputs["inventory_file"], str(self.path))

        leaf = dcim.Device.objects.get(name="ams01-leaf-01")
        self.assertEqual(
            (leaf.location.name, leaf.location.parent.name, leaf.device_type.model, leaf.role.name, leaf.serial),
            ("ams01", "Europe", "DCS-7050SX3-48YC8", "leaf", "JPE21400101"),
        )
        self.assertEqual(leaf.status.name, "Active")
        self.assertEqual(dcim.Device.objects.get(name="lon01-leaf-01").status.name, "Planned")
        self.assertEqual(dcim.Location.objects.get(name="lon01").status.name, "Planned")
        self.assertEqual(leaf.device_type.manufacturer.name, "Arista")
        device_content_type = ContentType.objects.get_for_model(dcim.Device)
        self.assertIn(device_content_type, Role.objects.get(name="spine").content_types.all())
        self.assertEqual(dcim.Device.objects.count(), 8)
        ethernet2 = leaf.interfaces.get(name="Ethernet2")
        self.assertEqual(
            (ethernet2.type, ethernet2.enabled, ethernet2.status.name), ("25gbase-x-sfp28", False, "Active")
        )
        self.assertEqual(dcim.Interface.objects.count(), sum(len(d["interfaces"]) for d in inventory["devices"]))

        changes = sync.changes.all()
        self.assertEqual(changes.count(), total)
        self.assertEqual(set(changes.values_list("action", "status")), {("create", ChangeStatusChoices.SUCCEEDED)})
        self.assertFalse(changes.filter(changed_object_id__isnull=True).exists(), "each change links its object")
        self.assertEqual(changes.get(model_name="device", unique_id="ams01-leaf-01").changed_object, leaf)
        self.assertEqual(changes.get(unique_id="ams01-leaf-01__Ethernet2").changed_object, ethernet2)
        logged = ObjectChange.objects.filter(change_context_detail=self.job_model.class_path)
        self.assertEqual(logged.count(), total, "every write is in Nautobot's change log, attributed to the job")
        self.assertEqual(logged.filter(changed_object_type=device_content_type).count(), 8)

        job_result, sync = self.run_job(inventory, parallel_loading=True)
        self.assertSucceeded(job_result, sync)
        self.assertEqual((sync.create_count, sync.update_count, sync.delete_count), (0, 0, 0))
        self.assertEqual(sync.unchanged_count, total)
        self.assertEqual(sync.changes.count(), 0)
        self.assertEqual(ObjectChange.objects.count(), logged.count(), "nothing written")

    def test_modified_file_updates_and_deletes_exactly_what_changed(self):
        inventory = example()
        self.run_job(inventory)
        leaf = next(device for device in inventory["devices"] if device["name"] == "ams01-leaf-01")
        leaf["interfaces"][0]["description"] = "server rack A1 (moved)"
        # Remove a device and its site, and everything Juniper: objects still referenced until their turn comes.
        juniper = {"lon01-leaf-01", "ams01-edge-01", "fra01-edge-01"}
        inventory["devices"] = [device for device in inventory["devices"] if device["name"] not in juniper]
        inventory["locations"] = [location for location in inventory["locations"] if location["name"] != "lon01"]
        inventory["device_types"] = [dt for dt in inventory["device_types"] if dt["manufacturer"] != "Juniper"]
        inventory["manufacturers"] = [m for m in inventory["manufacturers"] if m["name"] != "Juniper"]
        inventory["roles"] = [role for role in inventory["roles"] if role["name"] != "edge-router"]

        job_result, sync = self.run_job(inventory)

        self.assertSucceeded(job_result, sync)
        update = sync.changes.get(action=ChangeActionChoices.UPDATE)
        self.assertEqual((update.model_name, update.unique_id), ("interface", "ams01-leaf-01__Ethernet1"))
        self.assertEqual(update.attributes_before, {"description": "server rack A1"})
        self.assertEqual(update.attributes_after, {"description": "server rack A1 (moved)"})
        deleted = list(sync.changes.filter(action=ChangeActionChoices.DELETE).order_by("sequence"))
        self.assertEqual({change.status for change in deleted}, {ChangeStatusChoices.SUCCEEDED})
        # Interfaces are named by their device here: their order within a device is Nautobot's natural order.
        order = [(change.model_name, change.unique_id.split("__")[0]) for change in deleted]
        expected = [
            *[("interface", "lon01-leaf-01")] * 3,
            ("device", "lon01-leaf-01"),
            *[("interface", "fra01-edge-01")] * 3,
            ("device", "fra01-edge-01"),
            *[("interface", "ams01-edge-01")] * 3,
            ("device", "ams01-edge-01"),
            ("role", "edge-router"),
            ("device_type", "MX204"),
            ("manufacturer", "Juniper"),
            ("location", "lon01"),
        ]
        self.assertCountEqual(order, expected)
        # Written in bulk: by model in dependency order. Each object is deleted after what refers to it.
        first, last = order.index, lambda item: len(order) - 1 - order[::-1].index(item)
        for device in juniper:
            self.assertLess(last(("interface", device)), first(("device", device)))
            for used in (("role", "edge-router"), ("device_type", "MX204")):
                self.assertLess(first(("device", device)), first(used))
        self.assertLess(first(("device_type", "MX204")), first(("manufacturer", "Juniper")))
        self.assertLess(first(("device", "lon01-leaf-01")), first(("location", "lon01")))
        self.assertEqual((sync.create_count, sync.update_count, sync.delete_count), (0, 1, len(order)))
        self.assertEqual(sync.unchanged_count, record_count(inventory) - 1)
        self.assertFalse(dcim.Device.objects.filter(name__in=juniper).exists())
        self.assertFalse(dcim.Manufacturer.objects.filter(name="Juniper").exists())
        self.assertFalse(dcim.Location.objects.filter(name="lon01").exists())
        ethernet1 = dcim.Interface.objects.get(device__name="ams01-leaf-01", name="Ethernet1")
        self.assertEqual(ethernet1.description, "server rack A1 (moved)")
        self.assertEqual(update.changed_object, ethernet1)

    def test_removed_location_trees_are_deleted_children_first(self):
        inventory = example()
        # Parents named to sort after their children: only a parents-first load gets the delete order right.
        renamed = {"Europe": "World", "Region": "Zone"}
        for record in (*inventory["location_types"], *inventory["locations"]):
            for field in {"name", "parent", "location_type"} & set(record):
                record[field] = renamed.get(record[field], record[field])
        self.run_job(inventory)
        for section in ("location_types", "locations", "devices"):
            inventory[section] = []

        job_result, sync = self.run_job(inventory, allow_deletes=True)  # everything: the delete guard would refuse

        self.assertSucceeded(job_result, sync)
        deleted = sync.changes.filter(action=ChangeActionChoices.DELETE, model_name__startswith="location")
        order = list(deleted.order_by("sequence").values_list("unique_id", flat=True))
        self.assertEqual(order[-3:], ["World", "Site", "Zone"], "children before their parent")
        self.assertEqual(sync.failed_count, 0)
        self.assertFalse(dcim.Location.objects.exists() or dcim.LocationType.objects.exists())

    def test_dry_run_writes_nothing_and_records_the_plan(self):
        inventory = example()
        job_result, sync = self.run_job(inventory, dryrun=True)

        self.assertSucceeded(job_result, sync)
        self.assertTrue(sync.dry_run)
        self.assertFalse(dcim.Device.objects.exists())
        self.assertFalse(dcim.Location.objects.exists())
        self.assertFalse(ObjectChange.objects.filter(change_context_detail=self.job_model.class_path).exists())
        self.assertEqual([phase.name for phase in sync.phases.order_by("start_time")], PHASES[:3])
        self.assertEqual(sync.create_count, record_count(inventory))
        self.assertEqual(set(sync.changes.values_list("status", flat=True)), {ChangeStatusChoices.PLANNED})
        planned = sync.changes.get(model_name="device", unique_id="lon01-leaf-01")
        self.assertEqual(planned.attributes_after["status__name"], "Planned")

    def test_bad_uploaded_file_fails_with_the_record_and_field_and_writes_nothing(self):
        inventory = example()
        inventory["devices"][2]["location"] = "Nowhere"
        upload = SimpleUploadedFile("bad.yaml", yaml.safe_dump(inventory).encode())
        data = InventoryFileDataSource.serialize_data({"inventory_file": upload})  # stored as a FileProxy
        job_result, sync = self.run_job(example(), **data)

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        message = "devices[2] (name='ams01-leaf-02'): unknown location 'Nowhere'"
        self.assertIn(f"InventoryFileError: {message}", job_result.traceback)
        self.assertEqual(sync.status, SyncStatusChoices.FAILED)
        self.assertIn(message, sync.summary)
        self.assertEqual(sync.inputs["inventory_file"], "uploaded file bad.yaml")
        phase = sync.phases.get()
        self.assertEqual((phase.name, phase.succeeded), (SyncPhaseChoices.SOURCE_LOAD, False))
        self.assertFalse(dcim.Location.objects.exists())
        self.assertFalse(dcim.Device.objects.exists())


class NautobotAdapterTest(InventoryJobTestCase):
    def test_loading_nautobot_takes_the_same_queries_for_more_objects(self):
        self.run_job(example())
        small = self.count_load_queries()
        site, role = dcim.Location.objects.get(name="fra01"), Role.objects.get(name="leaf")
        device_type = dcim.DeviceType.objects.get(model="MX204")
        active = Status.objects.get(name="Active")
        for number in range(25):
            device = dcim.Device.objects.create(
                name=f"extra-{number}", location=site, device_type=device_type, role=role, status=active
            )
            dcim.Interface.objects.bulk_create(
                dcim.Interface(device=device, name=f"et-0/0/{port}", type="10gbase-x-sfpp", status=active)
                for port in range(8)
            )
        large = self.count_load_queries()

        self.assertEqual(large[1] - small[1], 25 * 9, "the adapter holds the extra devices and interfaces")
        self.assertEqual(large[0], small[0])
        self.assertLessEqual(small[0], 10)

    def count_load_queries(self):
        adapter = NautobotAdapter()
        with CaptureQueriesContext(connection) as queries:
            adapter.load()
        return len(queries), len(adapter)

    def test_lookup_object_returns_the_nautobot_object_or_none(self):
        self.run_job(example())
        job = InventoryFileDataSource()
        job.target_adapter = NautobotAdapter()
        job.target_adapter.load()

        self.assertEqual(job.lookup_object("device", "ams01-leaf-01"), dcim.Device.objects.get(name="ams01-leaf-01"))
        interface = job.lookup_object("interface", "ams01-leaf-01__Ethernet1")
        self.assertEqual((interface.device.name, interface.name), ("ams01-leaf-01", "Ethernet1"))
        self.assertEqual(job.lookup_object("location_type", "Site"), dcim.LocationType.objects.get(name="Site"))
        with self.assertNumQueries(0):
            self.assertIsNone(job.lookup_object("device", "no-such-device"))


class InventoryFileTest(SimpleTestCase):
    """Bad records are refused with the record and the field named (no database needed)."""

    def assert_refused(self, inventory, message):
        with self.assertRaises(InventoryFileError) as refused:
            load_inventory(yaml.safe_dump(inventory))
        self.assertEqual(str(refused.exception), message)

    def test_the_example_file_is_valid(self):
        inventory = load_inventory(EXAMPLE_FILE.read_bytes(), statuses={"locations": {"Active", "Planned"}})
        self.assertEqual(
            inventory["locations"][0],
            {"name": "Europe", "location_type": "Region", "parent": None, "status": "Active", "description": ""},
        )
        self.assertEqual(inventory["devices"][1]["interfaces"][1]["enabled"], False)

    def test_json_and_yaml_files_give_the_same_records(self):
        as_yaml = load_inventory(EXAMPLE_FILE.read_bytes())
        self.assertEqual(load_inventory(json.dumps(example()).encode()), as_yaml)
        self.assertEqual(load_inventory("{locations: [], devices: []}")["devices"], [])  # YAML flow mapping
        with self.assertRaises(InventoryFileError) as refused:
            load_inventory(b'{"devices": [}')
        self.assertTrue(str(refused.exception).startswith("not valid YAML"))
        with self.assertRaises(InventoryFileError) as refused:
            load_inventory(b"\xff\xfe{")
        self.assertTrue(str(refused.exception).startswith("not UTF-8 text"))

    def test_bad_records(self):
        cases = [
            (lambda inv: inv["devices"][3].pop("role"), "devices[3] (name='ams01-edge-01'): missing field 'role'"),
            (
                lambda inv: inv["devices"][3].update(location="Nowhere"),
                "devices[3] (name='ams01-edge-01'): unknown location 'Nowhere'",
            ),
            (
                lambda inv: inv["devices"][4].update(name="ams01-leaf-01"),
                "devices[4] (name='ams01-leaf-01'): duplicate name 'ams01-leaf-01' (also devices[1])",
            ),
            (
                lambda inv: inv["devices"][0]["interfaces"][1].update(name="Ethernet1/1"),
                "devices[0] (name='ams01-spine-01').interfaces[1] (name='Ethernet1/1'): duplicate name 'Ethernet1/1'"
                " (also devices[0] (name='ams01-spine-01').interfaces[0])",
            ),
            (
                lambda inv: inv["devices"][0]["interfaces"][0].update(type="fast"),
                "devices[0] (name='ams01-spine-01').interfaces[0] (name='Ethernet1/1'): unknown interface type 'fast'",
            ),
            (
                lambda inv: inv["devices"][0].update(serail="x"),
                "devices[0] (name='ams01-spine-01'): unknown field 'serail'",
            ),
            (
                lambda inv: inv["locations"].reverse(),
                "locations[0] (name='lon01'): unknown location 'Europe' (a parent must be listed before its children)",
            ),
            (
                lambda inv: inv["device_types"][0].update(manufacturer="Cisco"),
                "device_types[0] (model='DCS-7280CR3-32P4'): unknown manufacturer 'Cisco'",
            ),
            (lambda inv: inv["roles"][0].update(name=7), "roles[0]: field 'name' must be a str, not int"),
            (
                lambda inv: inv.update(racks=[]),
                "unknown section 'racks' (expected location_types, locations, "
                "manufacturers, device_types, roles, devices)",
            ),
        ]
        for change, message in cases:
            with self.subTest(message):
                inventory = example()
                change(inventory)
                self.assert_refused(inventory, message)

    def test_what_the_job_page_shows(self):
        job = InventoryFileDataSource
        self.assertEqual(
            (job.data_source, job.data_target, job.has_sensitive_variables), ("Inventory file", "Nautobot", False)
        )
        mappings = {mapping.source_name: mapping for mapping in job.data_mappings()}
        self.assertEqual(mappings["devices"].target_name, "Device")
        self.assertEqual(mappings["devices[].interfaces"].target_url, "/dcim/interfaces/")
        with mock.patch.dict(os.environ, {PATH_VARIABLE: ""}):
            info = job.config_information()
        self.assertEqual(info["Inventory file"], str(EXAMPLE_FILE))
        self.assertIn("8 devices, 26 interfaces", info["Records in it"])

    def test_unknown_status_is_refused_when_statuses_are_known(self):
        with self.assertRaises(InventoryFileError) as refused:
            load_inventory(EXAMPLE_FILE.read_bytes(), statuses={"devices": {"Active"}})
        self.assertEqual(
            str(refused.exception), "devices[7] (name='lon01-leaf-01'): unknown status 'Planned' (known: Active)"
        )
