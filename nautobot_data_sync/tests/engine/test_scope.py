"""Scoped runs of a hand-written job (its own adapters, no declarative layer) through Nautobot's job execution, and
what a Scope records."""

from django.test import SimpleTestCase
from nautobot.apps.testing import TransactionTestCase
from nautobot.dcim.models import DeviceType, Manufacturer
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import JobLogEntry

from nautobot_data_sync.jobs.scope import Scope, ScopeError
from nautobot_data_sync.models import Sync
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing
from nautobot_data_sync.tests.fixtures.jobs import ScopedManufacturerSource, job_model_for

SOURCE = [
    {"name": "Acme", "description": "routers, firewalls", "device_types": [{"model": "A1"}]},
    {"name": "Globex", "description": "not in Nautobot yet"},
]


class HandWrittenScopeTest(TransactionTestCase):
    """Nautobot holds Acme, Initech and Umbrella (Acme and Umbrella with a device type); the source has Acme (changed)
    and Globex."""

    def setUp(self):
        super().setUp()
        self.job_model = job_model_for(ScopedManufacturerSource)
        ScopedManufacturerSource.records = SOURCE
        self.addCleanup(setattr, ScopedManufacturerSource, "records", [])
        for name in ("Acme", "Initech", "Umbrella"):
            manufacturer = Manufacturer.objects.create(name=name)
            if name != "Initech":
                DeviceType.objects.create(manufacturer=manufacturer, model=f"{name[0]}1")

    def run_sync(self, **inputs):
        job_kwargs = {"dryrun": False, "memory_profiling": False, "parallel_loading": False, **inputs}
        job_result = run_job_for_testing(self.job_model, job_kwargs=job_kwargs)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, job_result.traceback)
        return job_result, Sync.objects.get(job_result=job_result)

    def test_both_adapters_load_only_the_scope_and_nothing_outside_it_changes(self):
        chosen = Manufacturer.objects.filter(name__in=["Acme", "Initech"])

        job_result, sync = self.run_sync(manufacturers=[str(pk) for pk in chosen.values_list("pk", flat=True)])

        self.assertEqual(sync.scope, {"Manufacturers": ["Acme", "Initech"]})
        self.assertEqual(sorted(Manufacturer.objects.values_list("name", flat=True)), ["Acme", "Umbrella"])
        self.assertEqual(Manufacturer.objects.get(name="Acme").description, "routers, firewalls")
        self.assertEqual(sorted(DeviceType.objects.values_list("model", flat=True)), ["A1", "U1"])
        self.assertEqual((sync.create_count, sync.update_count, sync.delete_count), (0, 1, 1))
        message = "Scope: Manufacturers: Acme, Initech"
        self.assertTrue(JobLogEntry.objects.filter(job_result=job_result, message=message).exists())

        _, sync = self.run_sync(dryrun=True)  # no scope chosen: everything

        self.assertEqual(sync.scope, {})
        planned = set(sync.changes.values_list("action", "unique_id"))
        self.assertEqual(planned, {("create", "Globex"), ("delete", "Umbrella"), ("delete", "Umbrella__U1")})


class ScopeTest(SimpleTestCase):
    def test_inputs_left_empty_narrow_nothing(self):
        scope = Scope({"location": None, "names": [], "tenant": "", "role": "leaf"}, labels={"role": "Device role"})
        self.assertEqual(dict(scope), {"role": "leaf"})
        self.assertEqual(scope.display(), {"Device role": "leaf"})
        self.assertFalse(Scope({"location": None}))
        self.assertEqual(str(Scope()), "everything")

    def test_display_has_a_text_per_value_and_labels_from_names(self):
        scope = Scope({"device_names": ("leaf-01", "leaf-02"), "rack_count": 4})
        self.assertEqual(scope.display(), {"Device names": ["leaf-01", "leaf-02"], "Rack count": "4"})
        self.assertEqual(str(scope), "Device names: leaf-01, leaf-02; Rack count: 4")

    def test_scope_inputs_must_be_inputs_of_the_job(self):
        class Misdeclared(ScopedManufacturerSource):
            scope_inputs = ("manufacturer",)

        with self.assertRaisesMessage(ScopeError, "Misdeclared.scope_inputs names 'manufacturer': the job has no"):
            Misdeclared().choose_scope({"manufacturer": "Acme"})
        self.assertEqual(ScopedManufacturerSource().choose_scope({"dryrun": False}), Scope())
