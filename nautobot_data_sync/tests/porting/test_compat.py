"""The parts of ``compat.ssot`` a port relies on, each through real job runs where it writes: relationships by label,
lists of TypedDicts sorted on both sides, a model's ``get_queryset()``, bulk mode, ``sync_data(memory_profiling)``;
and the errors a port meets (``compat.port``, declarations)."""

from django.contrib.contenttypes.models import ContentType
from nautobot.apps.testing import TestCase, TransactionTestCase
from nautobot.dcim.models import Location, LocationType
from nautobot.extras.models import Relationship, RelationshipAssociation, Status, Tag
from nautobot.tenancy.models import Tenant

from nautobot_data_sync.compat.port import PortError, port_source, ssot_names
from nautobot_data_sync.compat.ssot import (
    CustomFieldAnnotation,
    CustomRelationshipAnnotation,
    DataMapping,
    NautobotAdapter,
)
from nautobot_data_sync.orm import DeclarationError
from nautobot_data_sync.testing import SyncTestMixin
from nautobot_data_sync.tests.porting import compat_jobs


def make_world():
    """Sites ams01 and fra01 under region Europe, region "hq" (not a site), tenants, tags and the owner relationship."""
    location_ct = ContentType.objects.get_for_model(Location)
    active = Status.objects.get(name="Active")
    active.content_types.add(location_ct)
    region = LocationType.objects.create(name="Region")
    site = LocationType.objects.create(name="Site", parent=region)
    europe = Location.objects.create(name="Europe", location_type=region, status=active)
    Location.objects.create(name="hq", location_type=region, status=active)
    for name in ("ams01", "fra01"):
        Location.objects.create(name=name, location_type=site, parent=europe, status=active)
    for name in ("acme", "globex"):
        Tenant.objects.create(name=name)
    for name in ("gold", "silver"):
        Tag.objects.create(name=name).content_types.add(location_ct)
    Relationship.objects.create(
        label=compat_jobs.OWNER,
        key="location_owner",
        type="one-to-many",
        source_type=ContentType.objects.get_for_model(Tenant),
        destination_type=location_ct,
    )


def owners():
    """``{location name: tenant name}`` of the relationship's associations."""
    names = {**dict(Location.objects.values_list("pk", "name")), **dict(Tenant.objects.values_list("pk", "name"))}
    return {
        names[destination]: names[source]
        for source, destination in RelationshipAssociation.objects.values_list("source_id", "destination_id")
    }


class CompatJobsTest(SyncTestMixin, TransactionTestCase):
    def setUp(self):
        super().setUp()
        make_world()

    def tearDown(self):
        compat_jobs.RecordsSource.records = {}
        super().tearDown()

    def sync(self, job_class, records, **inputs):
        job_class.records = records
        sync = self.run_sync(job_class, dryrun=False, **inputs)
        self.assertSyncSucceeded(sync)
        return sync

    def check_location_owners(self, job_class):
        tags = [{"name": "silver"}, {"name": "gold"}]  # not in Nautobot's order: both sides are sorted
        records = {"location": [{"name": "ams01", "owner__name": "acme", "tags": tags}, {"name": "fra01"}]}
        sync = self.sync(job_class, records)
        self.assertChanges(sync, {"location": {"update": 1}})
        self.assertEqual(sync.unchanged_count, 1, "fra01; hq is left out by the model's get_queryset()")
        self.assertEqual(owners(), {"ams01": "acme"})
        self.assertEqual(sorted(Location.objects.get(name="ams01").tags.names()), ["gold", "silver"])

        self.assertChanges(self.sync(job_class, records), {})

        records["location"][0]["owner__name"] = "globex"
        records["location"][1]["owner__name"] = "acme"
        self.assertChanges(self.sync(job_class, records), {"location": {"update": 2}})
        self.assertEqual(owners(), {"ams01": "globex", "fra01": "acme"})

    def test_relationship_to_one_peer_by_a_field_path(self):
        self.check_location_owners(compat_jobs.LocationOwnerSource)

    def test_bulk_mode_is_opted_into_by_the_job(self):
        self.assertTrue(compat_jobs.LocationOwnerBulkSource.bulk_mode)
        self.check_location_owners(compat_jobs.LocationOwnerBulkSource)

    def test_relationship_to_many_peers_as_dicts(self):
        europe = [{"name": "fra01", "parent__name": "Europe"}, {"name": "ams01", "parent__name": "Europe"}]
        records = {"tenant": [{"name": "acme", "owned_locations": europe}, {"name": "globex"}]}
        sync = self.sync(compat_jobs.TenantLocationsSource, records)
        self.assertChanges(sync, {"tenant": {"update": 1}})
        self.assertEqual(owners(), {"ams01": "acme", "fra01": "acme"})
        self.assertChanges(self.sync(compat_jobs.TenantLocationsSource, records), {})

        records["tenant"][0]["owned_locations"] = europe[:1]
        records["tenant"][1]["owned_locations"] = europe[1:]
        self.assertChanges(self.sync(compat_jobs.TenantLocationsSource, records), {"tenant": {"update": 2}})
        self.assertEqual(owners(), {"ams01": "globex", "fra01": "acme"})

    def test_sync_data_is_given_memory_profiling(self):
        compat_jobs.ProfiledSource.calls.clear()
        sync = self.sync(compat_jobs.ProfiledSource, {"location": []}, memory_profiling=True)
        self.assertEqual(compat_jobs.ProfiledSource.calls, [True])
        self.assertTrue(all(phase.memory_peak for phase in sync.phases.all()), "each phase's memory was traced")


class CompatDeclarationsTest(TestCase):
    def test_custom_field_annotation_takes_key_or_name(self):
        self.assertEqual(CustomFieldAnnotation(key="owner").key, "owner")
        self.assertEqual(CustomFieldAnnotation(name="owner").key, "owner")
        with self.assertRaisesRegex(ValueError, r"needs the custom field's key"):
            CustomFieldAnnotation()

    def test_unknown_relationship_label_names_the_field(self):
        with self.assertRaisesRegex(DeclarationError, r"'owner__name': no relationship is labelled 'Nope'"):
            CustomRelationshipAnnotation(name="Nope").as_declared("owner__name", str)

    def test_data_mapping_is_positional_as_in_nautobot_ssot(self):
        mapping = DataMapping("Device (CMDB)", None, "Device", "/dcim/devices/")
        self.assertEqual(
            (mapping.source_name, mapping.target_name, mapping.target_url),
            ("Device (CMDB)", "Device", "/dcim/devices/"),
        )

    def test_an_adapter_without_top_level_says_so(self):
        with self.assertRaisesRegex(ValueError, r"NautobotAdapter: set 'top_level'"):
            NautobotAdapter(job=None).load()


class PortTest(TestCase):
    def test_the_names_it_knows_are_those_compat_ssot_exports(self):
        from nautobot_data_sync.compat import ssot

        self.assertEqual(ssot_names(), frozenset(ssot.__all__))
        self.assertTrue(all(hasattr(ssot, name) for name in ssot.__all__))

    def test_imports_are_rewritten_in_place_with_their_aliases(self):
        source = (
            "import os\n"
            "from nautobot_ssot.contrib import (\n    NautobotModel as Base,\n    NautobotAdapter,\n)\n"
            "x = 1\n"
        )
        expected = (
            "import os\nfrom nautobot_data_sync.compat.ssot import NautobotModel as Base, NautobotAdapter\nx = 1\n"
        )
        self.assertEqual(port_source(source), expected)

    def test_a_name_without_counterpart_is_named_with_its_line(self):
        with self.assertRaisesRegex(PortError, r"job.py:2: nautobot_ssot.models.Sync has no counterpart"):
            port_source("import os\nfrom nautobot_ssot.models import Sync\n", "job.py")

    def test_a_module_import_is_refused(self):
        with self.assertRaisesRegex(PortError, r"job.py:1: import the names instead"):
            port_source("import nautobot_ssot.contrib\n", "job.py")
