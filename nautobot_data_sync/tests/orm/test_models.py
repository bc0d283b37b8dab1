"""Declarative Nautobot models and adapter: field paths, the query plan, references, children (pure ORM tests)."""

from diffsync.exceptions import ObjectAlreadyExists
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from nautobot.apps.testing import TestCase
from nautobot.dcim.models import Device

from nautobot_data_sync.orm import DeclarationError, NautobotModel, ReferenceNotFound
from nautobot_data_sync.tests.fixtures.orm import (
    DeviceModel,
    DeviceNautobotAdapter,
    InterfaceModel,
    bulk_devices,
    make_world,
)


def load(**kwargs):
    adapter = DeviceNautobotAdapter(**kwargs)
    adapter.load()
    return adapter


class FieldPathLoadingTest(TestCase):
    def setUp(self):
        super().setUp()
        self.world = make_world()
        self.device = bulk_devices(self.world, 1)[0]

    def test_every_kind_of_field_path_is_loaded(self):
        adapter = load()
        device = adapter.get("device", "dev-00000")
        self.assertEqual(device.pk, self.device.pk)
        self.assertEqual(device.location__name, "ams")
        self.assertEqual((device.device_type__model, device.device_type__manufacturer__name), ("A1", "Acme"))
        self.assertEqual((device.role__name, device.status__name, device.serial), ("leaf", "Active", "SN0"))
        self.assertEqual(device.tags, ["gold"])
        self.assertEqual(device.cf_owner, "team-0")
        self.assertEqual(device.tenants, ["t1"])

    def test_children_are_loaded_and_linked(self):
        adapter = load()
        device = adapter.get("device", "dev-00000")
        self.assertEqual(device.interfaces, [f"dev-00000__eth{port}" for port in range(8)])
        interface = adapter.get("interface", "dev-00000__eth3")
        self.assertEqual(
            (interface.device__name, interface.type, interface.status__name), ("dev-00000", "1000base-t", "Active")
        )
        self.assertEqual(len(adapter.get_all("interface")), 8)

    def test_many_to_many_values_are_sorted(self):
        self.device.tags.add("silver")
        self.assertEqual(load().get("device", "dev-00000").tags, ["gold", "silver"])

    def test_lookup_object_uses_the_stored_pk(self):
        adapter = load()
        with self.assertNumQueries(1):
            self.assertEqual(adapter.lookup_object("device", "dev-00000"), self.device)
        self.assertIsNone(adapter.lookup_object("device", "nope"))


class QueryPlanTest(TestCase):
    def count_load_queries(self):
        with CaptureQueriesContext(connection) as queries:
            adapter = load()
        return len(queries), adapter

    def test_query_count_does_not_depend_on_the_number_of_devices(self):
        world = make_world()
        bulk_devices(world, 10, prefix="small")
        small, adapter = self.count_load_queries()
        self.assertEqual(len(adapter.get_all("interface")), 80)
        bulk_devices(world, 990, prefix="big")
        big, adapter = self.count_load_queries()
        self.assertEqual(len(adapter.get_all("device")), 1000)
        self.assertEqual(len(adapter.get_all("interface")), 8000)
        self.assertEqual(small, big)
        self.assertLessEqual(big, 12)


class ScopeTest(TestCase):
    def test_scope_limits_what_is_loaded(self):
        world = make_world()
        bulk_devices(world, 2, prefix="ams")
        Device.objects.filter(name="ams-00001").update(location=world["locations"][1])
        adapter = load(scope={"device": Q(location__name="ams")})
        self.assertEqual([device.name for device in adapter.get_all("device")], ["ams-00000"])
        self.assertEqual(len(adapter.get_all("interface")), 8, "children of out-of-scope parents are not loaded")


class ReferenceCacheTest(TestCase):
    def setUp(self):
        super().setUp()
        self.world = make_world()
        self.adapter = load()

    def test_references_are_resolved_once_per_sync_misses_included(self):
        location = self.world["locations"][0]
        with self.assertNumQueries(1):  # the whole (small) table for these paths, once
            self.assertEqual(self.adapter.references.resolve(type(location), {"name": "ams"}), location.pk)
            self.assertEqual(self.adapter.references.resolve(type(location), {"name": "ams"}), location.pk)
            for _ in range(2):
                with self.assertRaisesRegex(ReferenceNotFound, "does not match any location"):
                    self.adapter.references.resolve(type(location), {"name": "Nowhere"})

    def test_foreign_key_paths_of_one_field_resolve_together(self):
        device_type = self.world["device_type"]
        lookup = {"model": "A1", "manufacturer__name": "Acme"}
        self.assertEqual(self.adapter.references.resolve(type(device_type), lookup), device_type.pk)
        with self.assertRaises(ReferenceNotFound):
            self.adapter.references.resolve(type(device_type), {"model": "A1", "manufacturer__name": "Other"})

    def test_models_of_the_adapter_resolve_without_queries(self):
        device = bulk_devices(self.world, 1)[0]
        adapter = load()
        with self.assertNumQueries(0):
            self.assertEqual(adapter.references.resolve(Device, {"name": device.name}), device.pk)


class ChildrenTest(TestCase):
    """Children are linked without scanning the list of children (diffsync's add_child is O(n) per child)."""

    class NoScanList(list):
        def __contains__(self, item):
            raise AssertionError("add_child scanned the list of children")

    def test_add_child_never_scans_the_list(self):
        device = DeviceModel(
            name="d", location__name="x", device_type__model="m", device_type__manufacturer__name="a", role__name="r"
        )
        device.interfaces = self.NoScanList()
        for port in range(100):
            device.add_child(InterfaceModel(device__name="d", name=f"eth{port}"))
        self.assertEqual(len(device.interfaces), 100)
        with self.assertRaises(ObjectAlreadyExists):
            device.add_child(InterfaceModel(device__name="d", name="eth5"))

    def test_remove_child_keeps_the_index_right(self):
        device = DeviceModel(
            name="d", location__name="x", device_type__model="m", device_type__manufacturer__name="a", role__name="r"
        )
        child = InterfaceModel(device__name="d", name="eth0")
        device.add_child(child)
        device.remove_child(child)
        device.add_child(child)
        self.assertEqual(device.interfaces, ["d__eth0"])

    def test_storing_models_never_counts_the_stored_objects(self):
        """diffsync asks ``not model.adapter`` for each model it stores: an adapter is true without a count."""

        class CountlessAdapter(DeviceNautobotAdapter):
            def __len__(self):
                raise AssertionError("the stored objects were counted")

        adapter = CountlessAdapter()
        self.assertTrue(adapter)
        for port in range(3):
            adapter.add(InterfaceModel(device__name="d", name=f"eth{port}", adapter=adapter))
        self.assertEqual(len(adapter.get_all("interface")), 3)


class DeclarationTest(TestCase):
    def test_unknown_paths_are_rejected_with_the_field_name(self):
        class BadModel(NautobotModel):
            _model = Device
            _modelname = "bad"
            _identifiers = ("name",)
            _attributes = ("location__nope",)
            name: str
            location__nope: str

        with self.assertRaisesRegex(DeclarationError, "'location__nope': Location has no field 'nope'"):
            BadModel.plan()

    def test_a_relation_needs_a_field_of_the_related_model(self):
        class BadModel(NautobotModel):
            _model = Device
            _modelname = "bad"
            _identifiers = ("name",)
            _attributes = ("location",)
            name: str
            location: str

        with self.assertRaisesRegex(DeclarationError, "location__name"):
            BadModel.plan()
