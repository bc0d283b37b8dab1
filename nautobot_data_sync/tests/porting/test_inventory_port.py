"""The benchmark's nautobot-ssot inventory job, ported by changing its imports only, runs on this app and leaves
Nautobot as the app's own bulk-mode job does (the example job, as benchmarks/jobs/inventory_bulk.py runs it)."""

import json
from pathlib import Path

from nautobot.dcim.models import Device, DeviceType, Interface, Location, LocationType, Manufacturer
from nautobot.extras.models import Role

from benchmarks.dataset import make_inventory
from nautobot_data_sync.compat.port import changed_lines, port_source
from nautobot_data_sync.jobs.examples.inventory import InventoryFileDataSource
from nautobot_data_sync.testing import SyncTestMixin, installed_job, jobs_root, nautobot_state
from nautobot_data_sync.tests.fixtures.inventory import InventoryJobTestCase

REPO_ROOT = Path(__file__).resolve().parents[3]
ORIGINAL = REPO_ROOT / "benchmarks" / "jobs" / "inventory_ssot.py"


def inventory_state():
    """Every synced field of the inventory's models (as benchmarks/side_by_side.py compares its contenders)."""
    roles = Role.objects.filter(content_types__app_label="dcim", content_types__model="device")
    return nautobot_state(
        LocationType.objects.values_list("name", "parent__name", "nestable", "content_types__model", "description"),
        Location.objects.values_list("name", "location_type__name", "parent__name", "status__name", "description"),
        Manufacturer.objects.values_list("name", "description"),
        DeviceType.objects.values_list("model", "manufacturer__name", "part_number"),
        roles.values_list("name", "description"),
        Device.objects.values_list(
            "name", "location__name", "device_type__model", "role__name", "status__name", "serial"
        ),
        Interface.objects.values_list("device__name", "name", "type", "description", "enabled", "status__name"),
    )


class InventoryPortTest(SyncTestMixin, InventoryJobTestCase):
    """``InventoryJobTestCase``: $DATA_SYNC_INVENTORY_FILE names ``self.path``, which both jobs read."""

    def test_the_port_changes_three_import_lines(self):
        removed, added = changed_lines(ORIGINAL.read_text(), port_source(ORIGINAL.read_text()))
        self.assertEqual((len(removed), len(added)), (3, 3))
        self.assertTrue(all(line.startswith("from nautobot_ssot") for line in removed), removed)
        self.assertTrue(all(line.startswith("from nautobot_data_sync.compat.ssot import") for line in added), added)

    def run_scenario(self, job_class):
        """Sync an inventory of 20 devices, then a changed one; return each sync's counts and the final state."""
        inventory = make_inventory(20)
        counts = []
        for _ in range(2):
            self.path.write_text(json.dumps(inventory))
            sync = self.run_sync(job_class, dryrun=False)
            self.assertSyncSucceeded(sync)
            counts.append((sync.create_count, sync.update_count, sync.delete_count, sync.unchanged_count))
            for interface in inventory["devices"][0]["interfaces"][:3]:
                interface["description"] += " (changed)"
            inventory["devices"] = inventory["devices"][:-2]
        return counts, inventory_state()

    def forget_inventory(self):
        """Remove what a scenario synced (not through a job: nothing is logged), for the next job to start afresh."""
        Device.objects.all().delete()
        for model in (DeviceType, Manufacturer, Location, LocationType):
            model.objects.all().delete()
        Role.objects.filter(content_types__model="device").delete()

    def test_ported_job_leaves_the_state_of_the_native_bulk_job(self):
        with jobs_root({"inventory_ssot_ported.py": port_source(ORIGINAL.read_text())}):
            ported_job = installed_job("inventory_ssot_ported", "MeteredInventorySsotDataSource")
            ported_counts, ported_state = self.run_scenario(ported_job)
        self.assertEqual(ported_counts[0][:3], (2 + 6 + 2 + 3 + 3 + 20 + 160, 0, 0))
        self.assertEqual(ported_counts[1][:3], (0, 3, 2 + 16))
        self.forget_inventory()
        self.assertTrue(InventoryFileDataSource.bulk_mode, "the native contender writes in bulk")
        native_counts, native_state = self.run_scenario(InventoryFileDataSource)

        self.assertEqual(ported_counts, native_counts)
        self.assertEqual(ported_state, native_state)
        self.assertEqual(len(ported_state[5]), 18, "two devices were removed")
        self.assertIn(("Ethernet1",), [row[1:2] for row in ported_state[6] if row[3].endswith("(changed)")])
