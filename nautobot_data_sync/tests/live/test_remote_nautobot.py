"""The jobs "Remote Nautobot -> Nautobot" and "Nautobot -> remote Nautobot" against a second, live Nautobot.

The test class starts that Nautobot itself (live_nautobot.py: its own copy of the migrated template database, served
by `nautobot-server runserver` on a free loopback port), seeds it through its REST API, runs both jobs through
Nautobot's job execution in this process, and stops it and drops its database at the end, also on failure.
"""

from django.test import tag
from nautobot.apps.testing import TransactionTestCase
from nautobot.dcim import models as dcim
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.ipam import models as ipam

from nautobot_data_sync.choices import SyncStatusChoices
from nautobot_data_sync.jobs.examples.nautobot_remote import RemoteNautobotDataSource, RemoteNautobotDataTarget
from nautobot_data_sync.jobs.examples.nautobot_remote.adapters import LocalNautobotAdapter, RemoteNautobotAdapter
from nautobot_data_sync.jobs.examples.nautobot_remote.client import RemoteNautobot
from nautobot_data_sync.models import Sync
from nautobot_data_sync.orm import ReferenceNotFound
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing
from nautobot_data_sync.tests.fixtures.jobs import job_model_for
from nautobot_data_sync.tests.fixtures.live_nautobot import seeded_live_nautobot, token_integration

SITE_TYPES = ["dcim.device", "ipam.prefix", "ipam.vlan", "ipam.vlangroup"]
GLOBAL = {"name": "Global"}
TAG_TYPES = ["dcim.device", "dcim.location", "ipam.ipaddress", "ipam.prefix", "ipam.vlan", "tenancy.tenant"]


def seed(remote):
    """A small organization, DCIM and IPAM dataset, written through the remote's REST API (bulk POSTs)."""
    session = remote.session()
    active = {"name": "Active"}
    collections = [
        (
            "extras/tags",
            [
                {"name": "core", "color": "ff0000", "content_types": TAG_TYPES},
                {"name": "edge", "content_types": ["dcim.device"]},
            ],
        ),
        ("tenancy/tenants", [{"name": "Acme", "tags": [{"name": "core"}]}]),
        ("dcim/location-types", [{"name": "Region", "nestable": True}]),
        ("dcim/location-types", [{"name": "Site", "parent": {"name": "Region"}, "content_types": SITE_TYPES}]),
        ("dcim/locations", [{"name": "Europe", "location_type": {"name": "Region"}, "status": active}]),
        (
            "dcim/locations",
            [
                {"name": name, "location_type": {"name": "Site"}, "parent": {"name": "Europe"}, "status": active}
                for name in ("ams01", "lon01")
            ],
        ),
        ("dcim/manufacturers", [{"name": "Arista"}, {"name": "Juniper"}]),
        ("dcim/platforms", [{"name": "eos", "manufacturer": {"name": "Arista"}, "network_driver": "arista_eos"}]),
        (
            "dcim/device-types",
            [
                {"manufacturer": {"name": "Arista"}, "model": "DCS-7280", "part_number": "7280"},
                {"manufacturer": {"name": "Juniper"}, "model": "MX204"},
            ],
        ),
        ("extras/roles", [{"name": role, "content_types": ["dcim.device"]} for role in ("leaf", "edge")]),
        (
            "dcim/devices",
            [
                device(name, location, model, role)
                for name, location, model, role in [
                    ("ams01-leaf-01", "ams01", "DCS-7280", "leaf"),
                    ("ams01-leaf-02", "ams01", "DCS-7280", "leaf"),
                    ("lon01-edge-01", "lon01", "MX204", "edge"),
                ]
            ],
        ),
        (
            "dcim/interfaces",
            [
                {"device": {"name": name}, "name": f"Ethernet{port}", "type": "10gbase-x-sfpp", "status": active}
                for name in ("ams01-leaf-01", "ams01-leaf-02", "lon01-edge-01")
                for port in (1, 2)
            ],
        ),
        ("ipam/vlan-groups", [{"name": "ams01-vlans", "location": {"name": "ams01"}}]),
        (
            "ipam/vlans",
            [
                {"vid": 100, "name": "servers", "vlan_group": {"name": "ams01-vlans"}, "status": active},
                {"vid": 200, "name": "mgmt", "status": active, "tenant": {"name": "Acme"}},
            ],
        ),
        ("ipam/namespaces", [{"name": "Customer"}]),
        (
            "ipam/prefixes",
            [
                {"prefix": "10.0.0.0/16", "status": active, "tags": [{"name": "core"}]},
                {"prefix": "10.0.1.0/24", "status": active},
                {"prefix": "10.0.1.0/24", "namespace": {"name": "Customer"}, "status": active},
            ],
        ),
        (
            "ipam/ip-addresses",
            [
                {"address": "10.0.1.1/24", "namespace": GLOBAL, "status": active, "dns_name": "leaf-01.example.com"},
                {"address": "10.0.1.2/24", "namespace": GLOBAL, "status": active},
                {"address": "10.0.1.1/24", "namespace": {"name": "Customer"}, "status": active},
            ],
        ),
        (
            "ipam/ip-address-to-interface",
            [
                assignment("Global", "10.0.1.1", "ams01-leaf-01", "Ethernet1"),
                assignment("Customer", "10.0.1.1", "ams01-leaf-02", "Ethernet1"),
            ],
        ),
    ]
    for path, records in collections:
        response = session.post(f"{remote.url}api/{path}/", json=records, timeout=60)
        assert response.status_code == 201, f"seeding {path}: {response.status_code} {response.text[:500]}"


def device(name, location, model, role):
    return {
        "name": name,
        "location": {"name": location},
        "device_type": {"model": model},
        "role": {"name": role},
        "status": {"name": "Active"},
        "platform": {"name": "eos"} if model == "DCS-7280" else None,
        "serial": f"SN-{name}",
        "tags": [{"name": "core"}] if role == "leaf" else [],
    }


def assignment(namespace, host, device_name, interface):
    return {
        "ip_address": {"host": host, "parent__namespace__name": namespace},
        "interface": {"device__name": device_name, "name": interface},
    }


@tag("integration")
class RemoteNautobotLiveTest(TransactionTestCase):
    """Both jobs against one live remote Nautobot, started once for the class."""

    remote = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.remote = seeded_live_nautobot(seed)

    @classmethod
    def tearDownClass(cls):
        if cls.remote:
            cls.remote.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.source_job = job_model_for(RemoteNautobotDataSource)
        self.target_job = job_model_for(RemoteNautobotDataTarget)
        self.api = self.remote.session()

    def run_job(self, job_model, **inputs):
        job_kwargs = {
            "dryrun": False,
            "memory_profiling": False,
            "parallel_loading": False,
            "remote_url": self.remote.url,
            "remote_token": self.remote.token,
            "verify_ssl": True,
            "delete_records": True,
            "parallel_requests": 4,
            **inputs,
        }
        job_result = run_job_for_testing(job_model, job_kwargs=job_kwargs)
        return job_result, Sync.objects.get(job_result=job_result)

    def assertSucceeded(self, job_result, sync):
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, job_result.traceback)
        self.assertEqual(sync.status, SyncStatusChoices.SUCCEEDED, sync.summary)

    def assertSidesMatch(self):
        """Both sides, loaded by the jobs' own adapters, have no difference at all."""
        client = RemoteNautobot(self.remote.url, self.remote.token)
        remote = RemoteNautobotAdapter(client)
        remote.load()
        local = LocalNautobotAdapter()
        local.load()
        diff = local.diff_from(remote)
        self.assertFalse(diff.has_diffs(), diff.str())
        self.assertGreater(len(remote), 40)
        return remote

    def get(self, path, **params):
        response = self.api.get(f"{self.remote.url}api/{path}/", params={"depth": 1, **params}, timeout=30)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()["results"]

    def test_source_then_target(self):
        # 1. Remote -> this Nautobot: everything created, then a re-run changes nothing.
        job_result, sync = self.run_job(self.source_job)
        self.assertSucceeded(job_result, sync)
        self.assertGreater(sync.create_count, 30)
        self.assertEqual((sync.update_count, sync.delete_count, sync.failed_count), (0, 0, 0))
        self.assertNotIn(self.remote.token, str(sync.inputs), "the token is never recorded")
        remote = self.assertSidesMatch()
        leaf = dcim.Device.objects.get(name="ams01-leaf-01")
        self.assertEqual(
            (leaf.location.name, leaf.location.parent.name, leaf.device_type.model, leaf.platform.name, leaf.serial),
            ("ams01", "Europe", "DCS-7280", "eos", "SN-ams01-leaf-01"),
        )
        self.assertEqual(list(leaf.tags.values_list("name", flat=True)), ["core"])
        address = ipam.IPAddress.objects.get(host="10.0.1.1", parent__namespace__name="Customer")
        self.assertEqual(
            [str(i) for i in address.interfaces.all()],
            [str(dcim.Interface.objects.get(device__name="ams01-leaf-02", name="Ethernet1"))],
        )
        self.assertEqual(address.parent.prefix.prefixlen, 24)
        self.assertEqual(sync.changes.get(model_name="device", unique_id="ams01-leaf-01").changed_object, leaf)

        job_result, sync = self.run_job(self.source_job)
        self.assertSucceeded(job_result, sync)
        self.assertEqual((sync.create_count, sync.update_count, sync.delete_count), (0, 0, 0))
        self.assertEqual(sync.unchanged_count, len(remote))

        # 2. Changes and deletes on the remote, then a re-run.
        device_id = self.get("dcim/devices", name="ams01-leaf-02")[0]["id"]
        response = self.api.patch(f"{self.remote.url}api/dcim/devices/{device_id}/", json={"serial": "NEW"})
        self.assertEqual(response.status_code, 200, response.text)
        edge_id = self.get("dcim/devices", name="lon01-edge-01")[0]["id"]
        self.assertEqual(self.api.delete(f"{self.remote.url}api/dcim/devices/{edge_id}/").status_code, 204)
        new_tag = {"name": "new-tag", "content_types": ["dcim.device"]}
        self.assertEqual(self.api.post(f"{self.remote.url}api/extras/tags/", json=new_tag).status_code, 201)
        job_result, sync = self.run_job(self.source_job)
        self.assertSucceeded(job_result, sync)
        self.assertEqual((sync.create_count, sync.update_count, sync.delete_count), (1, 1, 3))  # device + 2 interfaces
        self.assertEqual(dcim.Device.objects.get(name="ams01-leaf-02").serial, "NEW")
        self.assertFalse(dcim.Device.objects.filter(name="lon01-edge-01").exists())
        self.assertSidesMatch()

        # 3. With deletes turned off, what the remote lacks stays here.
        self.assertEqual(
            self.api.delete(
                f"{self.remote.url}api/dcim/device-types/{self.get('dcim/device-types', model='MX204')[0]['id']}/"
            ).status_code,
            204,
        )
        job_result, sync = self.run_job(self.source_job, delete_records=False)
        self.assertSucceeded(job_result, sync)
        self.assertEqual(sync.delete_count, 0)
        self.assertTrue(dcim.DeviceType.objects.filter(model="MX204").exists())

        # 4. This Nautobot -> remote, through an External Integration whose token is in a Secrets Group.
        site = dcim.Location.objects.get(name="ams01")
        site.description = "Amsterdam"
        site.validated_save()
        new = dcim.Device.objects.create(
            name="ams01-leaf-03", location=site, device_type=leaf.device_type, role=leaf.role, status=leaf.status
        )
        interface = dcim.Interface.objects.create(device=new, name="Ethernet1", type="1000base-t", status=leaf.status)
        ipam.IPAddress.objects.get(host="10.0.1.2").interfaces.add(interface)
        ipam.VLAN.objects.get(vid=200).delete()
        job_result, sync = self.run_job(
            self.target_job, remote_url="", remote_token="", integration=str(self.integration().pk)
        )
        self.assertSucceeded(job_result, sync)
        # created: the device, its interface, the assignment and device type MX204 (deleted on the remote in step 3);
        # updated: ams01; deleted: VLAN 200
        self.assertEqual((sync.create_count, sync.update_count, sync.delete_count), (4, 1, 1))
        self.assertSidesMatch()
        self.assertEqual(self.get("dcim/locations", name="ams01")[0]["description"], "Amsterdam")
        [created] = self.get("dcim/devices", name="ams01-leaf-03")
        self.assertEqual((created["location"]["name"], created["device_type"]["model"]), ("ams01", "DCS-7280"))
        self.assertEqual(self.get("ipam/vlans", vid=200), [])
        self.assertEqual(sync.changes.get(model_name="device", unique_id="ams01-leaf-03").changed_object, new)

        # 5. An object the remote refuses fails alone, with the remote's message; the others are written.
        owner = {"label": "Owner", "key": "owner", "type": "text", "required": True, "content_types": ["dcim.device"]}
        self.assertEqual(self.api.post(f"{self.remote.url}api/extras/custom-fields/", json=owner).status_code, 201)
        dcim.Device.objects.create(
            name="ams01-leaf-04", location=site, device_type=leaf.device_type, role=leaf.role, status=leaf.status
        )
        dcim.Manufacturer.objects.create(name="Cisco")
        job_result, sync = self.run_job(self.target_job)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertEqual((sync.create_count, sync.failed_count), (1, 1))
        refused = sync.changes.get(status="failed")
        self.assertEqual((refused.model_name, refused.unique_id), ("device", "ams01-leaf-04"))
        self.assertIn("Invalid value for custom field 'owner': Required field cannot be empty", refused.message)
        self.assertEqual(len(self.get("dcim/manufacturers", name="Cisco")), 1)
        self.assertEqual(self.get("dcim/devices", name="ams01-leaf-04"), [])

    def integration(self):
        return token_integration(self, self.remote, name="test remote")

    def test_bad_token_fails_the_job_with_a_clear_message(self):
        job_result, sync = self.run_job(self.source_job, remote_token="0" * 40)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertEqual(sync.status, SyncStatusChoices.FAILED)
        self.assertIn(f"the remote Nautobot at {self.remote.url} refused the token", sync.summary)
        self.assertEqual(dcim.Device.objects.count(), 0)

    def test_a_record_referring_to_what_the_remote_did_not_return_is_named(self):
        client = RemoteNautobot(self.remote.url, self.remote.token)
        adapter = RemoteNautobotAdapter(client, filters={"location": {"name": "ams01"}})
        with self.assertRaises(ReferenceNotFound) as raised:
            adapter.load()
        europe = self.get("dcim/locations", name="Europe")[0]["id"]
        self.assertEqual(
            str(raised.exception),
            f"location 'ams01': parent__name refers to dcim.location {europe}, "
            "which the remote Nautobot did not return",
        )
