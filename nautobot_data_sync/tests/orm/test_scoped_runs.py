"""Scoped runs of declarative jobs: the example inventory job scoped to a location (in bulk and one object at a
time) leaves what is outside the scope untouched, and a scope that does not reach the Nautobot adapter stops the run."""

from nautobot.dcim import models as dcim
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import JobLogEntry

from nautobot_data_sync.choices import ChangeActionChoices, SyncStatusChoices
from nautobot_data_sync.models import Sync
from nautobot_data_sync.tests.fixtures.cases import OrmJobTestCase
from nautobot_data_sync.tests.fixtures.inventory import InventoryJobTestCase, InventoryPerObjectSource, example
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing
from nautobot_data_sync.tests.fixtures.jobs import job_model_for
from nautobot_data_sync.tests.fixtures.orm import ScopeNotAppliedSource, bulk_devices

FRA01_DEVICES = {"fra01-spine-01", "fra01-leaf-01", "fra01-edge-01"}


def devices_and_interfaces():
    """``{device name: [interface names]}`` of Nautobot."""
    interfaces = {device.name: [] for device in dcim.Device.objects.all()}
    for device_name, name in dcim.Interface.objects.values_list("device__name", "name"):
        interfaces[device_name].append(name)
    return {name: sorted(names) for name, names in interfaces.items()}


class ScopedInventoryRunTest(InventoryJobTestCase):
    """Nautobot holds the example's devices at ams01, fra01 and lon01; the file then lacks every device of fra01."""

    def scoped_run_leaves_other_locations_alone(self):
        inventory = example()
        self.assertSucceeded(*self.run_job(inventory))
        before = devices_and_interfaces()
        inventory["devices"] = [
            device
            for device in inventory["devices"]
            if device["location"] != "fra01" and device["name"] != "ams01-edge-01"
        ]
        next(device for device in inventory["devices"] if device["name"] == "ams01-leaf-01")["serial"] = "NEW-1"

        job_result, sync = self.run_job(inventory, location=str(dcim.Location.objects.get(name="ams01").pk))

        self.assertSucceeded(job_result, sync)
        self.assertEqual(sync.scope, {"Location": "ams01"})
        after = devices_and_interfaces()
        self.assertEqual(after, {name: ports for name, ports in before.items() if name != "ams01-edge-01"})
        self.assertEqual(dcim.Device.objects.get(name="ams01-leaf-01").serial, "NEW-1")
        changes = {(change.action, change.unique_id.split("__")[0]) for change in sync.changes.all()}
        self.assertEqual(
            changes,
            {(ChangeActionChoices.DELETE, "ams01-edge-01"), (ChangeActionChoices.UPDATE, "ams01-leaf-01")},
            "nothing recorded outside ams01",
        )
        self.assertEqual((sync.create_count, sync.update_count, sync.delete_count), (0, 1, 4))  # with 3 interfaces
        target_load = sync.phases.get(name="target_load")
        self.assertEqual(target_load.object_count, 14 + 4 + 14, "14 shared records, ams01's 4 devices, their ports")
        self.assertTrue(
            JobLogEntry.objects.filter(job_result=job_result, message="Scope: Location: ams01").exists(),
        )

        # Europe holds fra01 (its locations are under it): scoped to Europe, fra01's devices the file lacks go.
        job_result, sync = self.run_job(inventory, location=str(dcim.Location.objects.get(name="Europe").pk))

        self.assertSucceeded(job_result, sync)
        self.assertEqual(sync.scope, {"Location": "Europe"})
        self.assertEqual(set(devices_and_interfaces()), set(after) - FRA01_DEVICES)
        self.assertEqual((sync.create_count, sync.update_count, sync.delete_count), (0, 0, 3 + 9))
        return sync

    def test_in_bulk(self):
        sync = self.scoped_run_leaves_other_locations_alone()

        # The Data Sync page and the REST API show the scope.
        self.add_permissions("nautobot_data_sync.view_sync")
        page = self.client.get(sync.get_absolute_url()).content.decode()
        self.assertIn("<strong>SCOPE</strong>", page)
        self.assertIn('<span id="scope_value_location">Europe</span>', page)
        api = self.client.get(f"/api/plugins/data-sync/syncs/{sync.pk}/", HTTP_ACCEPT="application/json")
        self.assertEqual(api.json()["scope"], {"Location": "Europe"})

    def test_one_object_at_a_time(self):
        self.job_model = job_model_for(InventoryPerObjectSource)
        self.scoped_run_leaves_other_locations_alone()


class ScopeNotAppliedTest(OrmJobTestCase):
    def test_a_scope_the_nautobot_adapter_ignores_stops_the_run_before_any_write(self):
        bulk_devices(self.world, 3)
        inputs = {"dryrun": False, "memory_profiling": False, "parallel_loading": False, "allow_deletes": True}
        location = self.world["locations"][1]  # no device there: unscoped, the sync would delete all three

        job_result = run_job_for_testing(
            job_model_for(ScopeNotAppliedSource), job_kwargs={**inputs, "location": str(location.pk)}
        )

        sync = Sync.objects.get(job_result=job_result)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertEqual(sync.status, SyncStatusChoices.FAILED)
        self.assertIn("This run is scoped (Location: fra) but ScopeNotAppliedSource's Nautobot adapter", sync.summary)
        self.assertEqual(dcim.Device.objects.count(), 3)
        self.assertFalse(sync.changes.exists())


class MovedIntoScopeTest(InventoryJobTestCase):
    """A device that moved to another location since the last sync, synced by a run scoped to its new location."""

    def test_it_is_updated_in_place_not_created_again(self):
        inventory = example()
        self.assertSucceeded(*self.run_job(inventory))
        moved = next(device for device in inventory["devices"] if device["name"] == "ams01-leaf-01")
        before = dcim.Device.objects.get(name="ams01-leaf-01")
        moved["location"] = "fra01"

        fra01 = dcim.Location.objects.get(name="fra01")
        job_result, sync = self.run_job(inventory, location=str(fra01.pk), parallel_loading=True)

        self.assertSucceeded(job_result, sync)
        self.assertEqual((sync.create_count, sync.update_count, sync.delete_count), (0, 1, 0))
        after = dcim.Device.objects.get(name="ams01-leaf-01")  # one of it: not created a second time
        self.assertEqual((after.pk, after.location), (before.pk, fra01))
        self.assertEqual(after.interfaces.count(), len(moved["interfaces"]), "its interfaces came with it")
