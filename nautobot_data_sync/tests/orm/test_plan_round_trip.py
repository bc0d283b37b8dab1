"""Round trip on the example inventory: an initial sync, a changed sync (updates and deletes), then the revert of the
changed sync applied: every row of every synced model is as after the initial sync, field by field."""

from django.apps import apps
from nautobot.extras.models import ObjectChange

from nautobot_data_sync.choices import SyncStatusChoices
from nautobot_data_sync.jobs.planjobs import ApplyPlan, RevertSync
from nautobot_data_sync.models import Sync
from nautobot_data_sync.tests.fixtures.inventory import InventoryJobTestCase, example
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing
from nautobot_data_sync.tests.fixtures.jobs import job_model_for

SYNCED = ("dcim.LocationType", "dcim.Location", "dcim.Manufacturer", "dcim.DeviceType", "extras.Role", "dcim.Device")
SYNCED += ("dcim.Interface",)
TIMESTAMPS = ("created", "last_updated")


def rows():
    """Every row of the synced models, every field but the timestamps (a re-created object is created anew), by
    model and primary key."""
    state = {}
    for label in SYNCED:
        model = apps.get_model(label)
        fields = [
            field.attname for field in model._meta.concrete_fields if field.name not in ("created", "last_updated")
        ]
        state[label] = {row[0]: row for row in model.objects.values_list(*fields)}
    return state


class RoundTripTest(InventoryJobTestCase):
    def test_revert_of_a_changed_sync_restores_every_synced_row(self):
        inventory = example()
        self.assertSucceeded(*self.run_job(inventory))
        after_initial = rows()

        changed = example()
        changed["devices"][0]["serial"] = "CHANGED"
        changed["devices"][1]["interfaces"][0]["description"] = "re-cabled"
        del changed["devices"][1]["interfaces"][1]
        removed = changed["devices"].pop()
        job_result, changed_sync = self.run_job(changed)
        self.assertSucceeded(job_result, changed_sync)
        self.assertEqual((changed_sync.update_count, changed_sync.delete_count), (2, 2 + len(removed["interfaces"])))
        self.assertNotEqual(rows(), after_initial)

        revert = run_job_for_testing(job_model_for(RevertSync), job_kwargs={"data_sync": str(changed_sync.pk)})
        plan = Sync.objects.get(job_result=revert)
        apply = run_job_for_testing(job_model_for(ApplyPlan), job_kwargs={"plan": str(plan.pk)})
        reverted = Sync.objects.get(job_result=apply)
        self.assertEqual(reverted.status, SyncStatusChoices.SUCCEEDED, reverted.summary)

        now = rows()
        for label in SYNCED:
            with self.subTest(model=label):
                self.assertEqual(now[label], after_initial[label])
        logged = ObjectChange.objects.filter(request_id=reverted.change_id)
        restored = 2 + 2 + len(removed["interfaces"])  # two updates undone, an interface and a device re-created
        self.assertEqual(logged.filter(changed_object_type__model__in=("device", "interface")).count(), restored)
        self.assertEqual(set(logged.values_list("user_name", flat=True)), {"test-user"}, "as the reverting user")
