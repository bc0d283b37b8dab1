"""Change records of one-by-one writes built per batch: the same change log as Nautobot writes object by object, for
declarative models outside bulk mode and for hand-written ones, with fewer queries; a failed object leaves none."""

from unittest import mock

from nautobot.dcim.models import DeviceType, Manufacturer
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import ObjectChange

from nautobot_data_sync.models import Sync
from nautobot_data_sync.speedups.registry import DEFERRAL, SPEEDUPS, enabled
from nautobot_data_sync.tests.fixtures.cases import BulkJobTestCase, change_log
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing
from nautobot_data_sync.tests.fixtures.jobs import ManufacturerSource, NautobotDeviceType, job_model_for
from nautobot_data_sync.tests.fixtures.orm import OrmDeviceSource

GLOBEX_TYPES = [{"model": f"G{number}"} for number in range(1, 21)]  # enough that a batch makes a difference
CATALOGUES = (
    [
        {"name": "Globex", "description": "gadgets", "device_types": GLOBEX_TYPES},
        {"name": "Initech", "device_types": [{"model": "I1", "part_number": "P1"}]},
    ],
    [
        {
            "name": "Globex",
            "description": "gizmos",
            "device_types": [{"model": "G1", "part_number": "P9"}, *GLOBEX_TYPES[2:]],
        },
        {"name": "Initech"},
        {"name": "Umbrella", "device_types": [{"model": "U1"}]},
    ],
)


def deferral_off():
    """The speed-up off, as on a Nautobot whose sources differ from the reviewed ones."""
    first = next(iter(SPEEDUPS[DEFERRAL].sources))
    return mock.patch.dict(SPEEDUPS[DEFERRAL].sources, {first: {"000000000000": "a version never reviewed"}})


class DeferralTest(BulkJobTestCase):
    def setUp(self):
        super().setUp()
        if not enabled(DEFERRAL):
            self.skipTest("off on this Nautobot (it records changes inline)")
        self.addCleanup(setattr, ManufacturerSource, "records", [])

    def test_declarative_one_by_one_writes_log_as_nautobot_does(self):
        deferred = self.run_scenario(OrmDeviceSource)
        self.forget_devices()
        with deferral_off():
            inline = self.run_scenario(OrmDeviceSource)
        self.assert_same_outcome(deferred, inline)

    def run_catalogues(self):
        """Sync CATALOGUES in turn with the hand-written job; its change log, and the sync phases' queries."""
        queries = 0
        for records in CATALOGUES:
            ManufacturerSource.records = records
            job_result = run_job_for_testing(job_model_for(ManufacturerSource), job_kwargs={"dryrun": False})
            sync = Sync.objects.get(job_result=job_result)
            self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
            queries += sync.phases.get(name="sync").query_count
        return change_log(), queries

    def test_hand_written_models_log_as_nautobot_does_with_fewer_queries(self):
        self.world["device_type"].delete()  # the catalogues say what Nautobot holds; no device refers to it yet
        Manufacturer.objects.all().delete()
        ObjectChange.objects.all().delete()
        deferred, deferred_queries = self.run_catalogues()
        DeviceType.objects.all().delete()
        Manufacturer.objects.all().delete()
        ObjectChange.objects.all().delete()
        with deferral_off():
            inline, inline_queries = self.run_catalogues()
        self.assertEqual(deferred, inline)
        self.assertLess(deferred_queries, inline_queries)

    def test_an_object_that_failed_leaves_no_change_record(self):
        def refuse_g2(cls, adapter, ids, attrs):
            if ids["model"] == "G2":
                DeviceType(manufacturer=Manufacturer.objects.get(name="Globex"), model="G2").save()
                raise ValueError("refused after saving")
            return create(adapter, ids, attrs)

        create = NautobotDeviceType.create
        ManufacturerSource.records = [*self.acme(), *CATALOGUES[0]]
        with mock.patch.object(NautobotDeviceType, "create", classmethod(refuse_g2)):
            job_result = run_job_for_testing(job_model_for(ManufacturerSource), job_kwargs={"dryrun": False})
        self.assertEqual(Sync.objects.get(job_result=job_result).failed_count, 1)
        self.assertFalse(DeviceType.objects.filter(model="G2").exists(), "rolled back")
        logged = set(ObjectChange.objects.values_list("object_repr", flat=True))
        self.assertIn("G1", logged)
        self.assertNotIn("G2", logged)

    @staticmethod
    def acme():
        """The world's manufacturer and device type, as catalogue records (left as they are)."""
        return [
            {
                "name": m.name,
                "description": m.description,
                "device_types": [{"model": t.model} for t in m.device_types.all()],
            }
            for m in Manufacturer.objects.filter(name="Acme")
        ]
