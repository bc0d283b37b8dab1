"""Jobs written in the style of nautobot-ssot's own examples (a remote Nautobot as data source and data target),
ported by changing their imports only, run on this app against a live second Nautobot.

Each direction is compared with the app's native job for the same remote ("Remote Nautobot -> Nautobot" and back):
run after the ported job, the native job plans no change to any model the ported job syncs, i.e. the ported job left
Nautobot (or the remote) in the state the native job would have. The live remote is the one of
tests/live/test_remote_nautobot.py, seeded with the same data.
"""

from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.test import tag
from django.urls import reverse
from nautobot.apps.testing import TransactionTestCase
from nautobot.dcim.models import DeviceType, Location, LocationType
from nautobot.extras.models import CustomField
from nautobot.tenancy.models import Tenant

from nautobot_data_sync.choices import ChangeStatusChoices, SyncStatusChoices
from nautobot_data_sync.compat.port import changed_lines, port_source
from nautobot_data_sync.installed_jobs import installed_sync_jobs
from nautobot_data_sync.jobs.examples.nautobot_remote import RemoteNautobotDataSource, RemoteNautobotDataTarget
from nautobot_data_sync.testing import SyncTestMixin, change_counts, installed_job, jobs_root
from nautobot_data_sync.tests.fixtures.jobs import job_model_for
from nautobot_data_sync.tests.fixtures.live_nautobot import seeded_live_nautobot, token_integration
from nautobot_data_sync.tests.live import test_remote_nautobot as live_remote

ORIGINAL = Path(__file__).with_name("ssot_jobs") / "remote_nautobot.py"
MODULE = "remote_nautobot_ported"
# The native jobs' names for the models the ported jobs sync (theirs: "locationtype").
SOURCE_MODELS = ("tag", "tenant", "location_type", "location", "manufacturer", "device_type")
TARGET_MODELS = ("tenant", "location")
SITE_CODE = {"label": "Site code", "key": "site_code", "type": "text", "content_types": ["dcim.location"]}


@tag("integration")
class RemotePortTest(SyncTestMixin, TransactionTestCase):
    remote = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.remote = seeded_live_nautobot(cls.seed)

    @classmethod
    def seed(cls, remote):
        """The live remote's data, with a custom field "site_code" on locations (ams01's is "AMS")."""
        cls.remote = remote
        live_remote.seed(remote)
        cls.remote_call("POST", "extras/custom-fields/", SITE_CODE)
        [ams] = cls.remote_call("GET", "dcim/locations/?name=ams01")["results"]
        cls.remote_call("PATCH", f"dcim/locations/{ams['id']}/", {"custom_fields": {"site_code": "AMS"}})

    @classmethod
    def tearDownClass(cls):
        if cls.remote:
            cls.remote.stop()
        super().tearDownClass()

    @classmethod
    def remote_call(cls, method, path, body=None):
        response = cls.remote.session().request(method, f"{cls.remote.url}api/{path}", json=body, timeout=30)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text[:300]}"
        return response.json() if response.content else None

    def setUp(self):
        super().setUp()
        field = CustomField.objects.create(label="Site code", key="site_code", type="text")
        field.content_types.add(ContentType.objects.get_for_model(Location))
        self.integration = token_integration(self, self.remote)

    def native_plan(self, job_class):
        """What the native job would change now: ``{model: {action: count}}`` of its dry-run."""
        inputs = {"remote_url": self.remote.url, "remote_token": self.remote.token, "verify_ssl": True}
        sync = self.run_sync(job_class, dryrun=True, delete_records=True, parallel_requests=2, **inputs)
        self.assertNotEqual(sync.status, SyncStatusChoices.FAILED, sync.summary)
        return change_counts(sync, ChangeStatusChoices.PLANNED)

    def test_the_port_changes_three_import_lines(self):
        removed, added = changed_lines(ORIGINAL.read_text(), port_source(ORIGINAL.read_text()))
        self.assertEqual((len(removed), len(added)), (3, 3))
        self.assertTrue(all(line.startswith("from nautobot_ssot.") for line in removed), removed)
        self.assertTrue(all(line.startswith("from nautobot_data_sync.compat.ssot import") for line in added), added)

    def test_ported_source_then_target(self):
        with jobs_root({f"{MODULE}.py": port_source(ORIGINAL.read_text())}):
            source = installed_job(MODULE, "RemoteNautobotSource")
            target = installed_job(MODULE, "RemoteNautobotTarget")
            self.check_listed(source, target)
            self.check_source(source)
            self.check_target(target)

    def check_listed(self, source, target):
        """Both are listed with the app's Data Sync jobs; their mappings show on the job's page."""
        self.user.is_superuser = True
        self.user.save()
        self.client.force_login(self.user)
        listed = {job.job_model.job_class: job.kind for job in installed_sync_jobs(self.user)}
        self.assertEqual((listed[source], listed[target]), ("Data Source", "Data Target"))
        page = self.client.get(reverse("plugins:nautobot_data_sync:syncjob", args=[job_model_for(source).pk]))
        self.assertContains(page, "Location (remote)")

    def check_source(self, source):
        sync = self.run_sync(source, dryrun=False, remote=str(self.integration.pk))
        self.assertSyncSucceeded(sync)
        expected = {"tag": 2, "tenant": 1, "locationtype": 2, "location": 3, "manufacturer": 2, "device_type": 2}
        self.assertChanges(sync, {model: {"create": count} for model, count in expected.items()})
        ams = Location.objects.get(name="ams01")
        self.assertEqual((ams.cf["site_code"], ams.parent.name, ams.location_type.name), ("AMS", "Europe", "Site"))
        self.assertEqual(list(Tenant.objects.get(name="Acme").tags.values_list("name", flat=True)), ["core"])
        site_types = sorted(
            f"{ct.app_label}.{ct.model}" for ct in LocationType.objects.get(name="Site").content_types.all()
        )
        self.assertEqual(site_types, sorted(live_remote.SITE_TYPES))
        self.assertEqual(DeviceType.objects.get(model="DCS-7280").part_number, "7280")
        self.assertEqual(sync.changes.get(model_name="location", unique_id="ams01").changed_object, ams)

        again = self.run_sync(source, dryrun=False, remote=str(self.integration.pk))
        self.assertChanges(again, {})
        self.assertEqual(again.unchanged_count, sum(expected.values()))

        plan = self.native_plan(RemoteNautobotDataSource)
        self.assertEqual([model for model in SOURCE_MODELS if model in plan], [], plan)
        self.assertEqual(plan["device"], {"create": 3}, "the native job syncs devices too: they are still to come")

    def check_target(self, target):
        ams = Location.objects.get(name="ams01")
        ams.description = "Amsterdam"
        ams.cf["site_code"] = "AMS-1"
        ams.validated_save()
        globex = Tenant.objects.create(name="Globex")
        Location.objects.create(
            name="par01", location_type=ams.location_type, parent=ams.parent, status=ams.status, tenant=globex
        )
        self.remote_call("POST", "tenancy/tenants/", {"name": "Old"})

        sync = self.run_sync(target, dryrun=False, remote=str(self.integration.pk))
        self.assertSyncSucceeded(sync)
        self.assertChanges(sync, {"tenant": {"create": 1, "delete": 1}, "location": {"create": 1, "update": 1}})
        [remote_ams] = self.remote_call("GET", "dcim/locations/?name=ams01&depth=1")["results"]
        self.assertEqual((remote_ams["description"], remote_ams["custom_fields"]["site_code"]), ("Amsterdam", "AMS-1"))
        [par] = self.remote_call("GET", "dcim/locations/?name=par01&depth=1")["results"]
        self.assertEqual((par["tenant"]["name"], par["parent"]["name"]), ("Globex", "Europe"))
        self.assertEqual(self.remote_call("GET", "tenancy/tenants/?name=Old")["count"], 0)

        plan = self.native_plan(RemoteNautobotDataTarget)
        self.assertEqual([model for model in TARGET_MODELS if model in plan], [], plan)
