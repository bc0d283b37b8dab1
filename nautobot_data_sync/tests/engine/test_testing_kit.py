"""The public test kit (``nautobot_data_sync.testing``) on a real job: runs, change counts, records as an adapter,
Nautobot snapshots."""

from nautobot.apps.testing import TestCase, TransactionTestCase
from nautobot.dcim.models import Manufacturer

from nautobot_data_sync.choices import ChangeStatusChoices, SyncStatusChoices
from nautobot_data_sync.records import dump_records, load_records
from nautobot_data_sync.testing import (
    SyncTestMixin,
    adapter_from_records,
    change_counts,
    nautobot_state,
    run_sync,
    state_changes,
)
from nautobot_data_sync.tests.fixtures.jobs import (
    DeviceTypeModel,
    JobWithoutAdapters,
    ManufacturerModel,
    ManufacturerSource,
)
from nautobot_data_sync.tests.fixtures.orm import DeviceModel, DeviceNautobotAdapter, InterfaceModel, device_record

MODELS = {"manufacturer": ManufacturerModel, "device_type": DeviceTypeModel}
RECORDS = [{"name": "Acme", "device_types": [{"model": "A1"}, {"model": "A2"}]}, {"name": "Globex"}]


class RunSyncTest(SyncTestMixin, TransactionTestCase):
    def tearDown(self):
        ManufacturerSource.records = []
        super().tearDown()

    def test_dry_run_then_apply(self):
        ManufacturerSource.records = RECORDS
        before = nautobot_state(Manufacturer.objects.values_list("name", "description"))

        plan = self.run_sync(ManufacturerSource)  # a dry-run unless told otherwise
        self.assertTrue(plan.dry_run)
        self.assertChanges(plan, {"manufacturer": {"create": 2}, "device_type": {"create": 2}})
        self.assertEqual(change_counts(plan, ChangeStatusChoices.SUCCEEDED), {})
        self.assertEqual(nautobot_state(Manufacturer.objects.values_list("name", "description")), before)

        applied = self.run_sync(ManufacturerSource, dryrun=False)
        self.assertSyncSucceeded(applied)
        self.assertChanges(applied, {"manufacturer": {"create": 2}, "device_type": {"create": 2}})
        after = nautobot_state(Manufacturer.objects.values_list("name", "description"))
        self.assertEqual(state_changes(before, after), {"added": [("Acme", ""), ("Globex", "")], "removed": []})

    def test_assertions_fail_on_a_failed_sync(self):
        sync = run_sync(JobWithoutAdapters, dryrun=False)
        self.assertEqual(sync.status, SyncStatusChoices.FAILED)
        with self.assertRaisesRegex(AssertionError, "NotImplementedError"):
            self.assertSyncSucceeded(sync)
        with self.assertRaises(AssertionError):
            self.assertChanges(sync, {"manufacturer": {"create": 1}})


class AdapterFromRecordsTest(TestCase):
    def test_children_are_nested_under_their_parent(self):
        records = [
            {
                **record,
                "device_types": [{"manufacturer": record["name"], **child} for child in record.get("device_types", [])],
            }
            for record in RECORDS
        ]
        adapter = adapter_from_records(MODELS, {"manufacturer": records})
        self.assertEqual(adapter.top_level, ["manufacturer"])
        self.assertEqual(adapter.get("manufacturer", "Acme").device_types, ["Acme__A1", "Acme__A2"])
        self.assertEqual(len(adapter.get_all("device_type")), 2)

    def test_bad_records_are_named_with_the_field(self):
        with self.assertRaisesRegex(ValueError, r"manufacturer\[1\]: ManufacturerModel has no field 'colour'"):
            adapter_from_records(MODELS, {"manufacturer": [{"name": "Acme"}, {"name": "B", "colour": "red"}]})
        with self.assertRaisesRegex(ValueError, r"manufacturer\[0\]\.device_types\[0\]: .*\nmanufacturer\n"):
            adapter_from_records(MODELS, {"manufacturer": [{"name": "Acme", "device_types": [{"model": "A1"}]}]})
        with self.assertRaisesRegex(ValueError, r"vendor\[0\]: no model named 'vendor'"):
            adapter_from_records(MODELS, {"vendor": [{"name": "Acme"}]})


class RecordsTest(TestCase):
    """``records.load_records`` / ``dump_records`` with declarative models: children take their parent's keys."""

    def test_children_take_the_parent_keys_and_records_round_trip(self):
        records = {
            "device": [
                device_record("leaf-01", interfaces=("eth0", "eth1")),
                device_record("leaf-02", interfaces=()),
            ]
        }
        adapter = adapter_from_records({"device": DeviceModel, "interface": InterfaceModel}, records)
        self.assertEqual(adapter.get("interface", "leaf-01__eth1").device__name, "leaf-01")
        self.assertEqual(adapter.get("device", "leaf-01").interfaces, ["leaf-01__eth0", "leaf-01__eth1"])
        dumped = dump_records(adapter)
        self.assertEqual([device["name"] for device in dumped["device"]], ["leaf-01", "leaf-02"])
        self.assertEqual(
            dumped["device"][0]["interfaces"][0],
            {"name": "eth0", "type": "1000base-t", "description": "", "status__name": "Active"},
        )
        again = adapter_from_records({"device": DeviceModel, "interface": InterfaceModel}, dumped)
        self.assertFalse(again.diff_from(adapter).has_diffs())

    def test_a_record_that_is_no_mapping_is_named(self):
        with self.assertRaisesRegex(ValueError, r"device\[0\]\.interfaces\[1\]: a record must be a mapping"):
            load_records(
                DeviceNautobotAdapter(),
                {"device": [device_record("leaf", interfaces=()) | {"interfaces": [{"name": "a"}, "b"]}]},
            )


class StateChangesTest(TestCase):
    def test_added_and_removed_rows_counting_duplicates(self):
        before = (["a", "b", "b"], [1])
        after = (["b", "c"], [1, 2])
        self.assertEqual(state_changes(before, after), {"added": ["c", 2], "removed": ["a", "b"]})
