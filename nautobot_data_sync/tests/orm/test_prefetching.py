"""Prefetching from the distinct objects each level reaches fills what Django's prefetch fills, with its queries."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Prefetch, prefetch_related_objects
from django.test.utils import CaptureQueriesContext
from nautobot.apps.testing import TestCase
from nautobot.dcim.models import Interface, Location, LocationType
from nautobot.extras.models import Status

from nautobot_data_sync.orm.prefetching import prefetch, prefetch_parents
from nautobot_data_sync.tests.fixtures.orm import bulk_devices, make_world

LOOKUPS = [
    "device",
    "device__location",
    "device__location__location_type",
    "device__location__parent",
    "device__tenant",
    "status",
    "lag__device",  # a foreign key no interface has
    Prefetch("tagged_vlans", to_attr="vlan_list"),
]
READ = (
    lambda interface: interface.device.location.location_type.name,
    lambda interface: interface.device.location.parent,
    lambda interface: interface.device.tenant,
    lambda interface: interface.status.name,
    lambda interface: interface.lag,
    lambda interface: [vlan.name for vlan in interface.vlan_list],
)


class PrefetchTest(TestCase):
    def test_the_same_caches_with_the_same_queries(self):
        bulk_devices(make_world(), 3)
        prefetched = {}
        for name, how in (("django", prefetch_related_objects), ("distinct", prefetch)):
            interfaces = list(Interface.objects.order_by("device__name", "name"))
            with CaptureQueriesContext(connection) as queries:
                how(interfaces, *LOOKUPS)
            with CaptureQueriesContext(connection) as reads:
                values = [[read(interface) for read in READ] for interface in interfaces]
            self.assertEqual(len(reads), 0, f"{name}: everything read was prefetched")
            prefetched[name] = (sorted(query["sql"] for query in queries), values)
        self.assertEqual(prefetched["distinct"], prefetched["django"])
        self.assertEqual(len(prefetched["django"][1]), 24)


class PrefetchParentsTest(TestCase):
    def test_a_query_per_level_above_then_none_for_the_ancestors(self):
        active = Status.objects.get(name="Active")
        active.content_types.add(ContentType.objects.get_for_model(Location))
        continent = LocationType.objects.create(name="Continent")
        country = LocationType.objects.create(name="Country", parent=continent)
        city = LocationType.objects.create(name="City", parent=country)
        europe = Location.objects.create(name="Europe", location_type=continent, status=active)
        for name in ("NL", "DE"):
            parent = Location.objects.create(name=name, location_type=country, parent=europe, status=active)
            for number in range(3):
                Location.objects.create(name=f"{name}-{number}", location_type=city, parent=parent, status=active)
        cities = list(Location.objects.filter(location_type=city).order_by("name"))
        with CaptureQueriesContext(connection) as queries:
            prefetch_parents(cities)
        self.assertEqual(len(queries), 2, "the countries, then the continent; nothing above it")
        with CaptureQueriesContext(connection) as walks:
            ancestors = [list(node.ancestors().values_list("name", flat=True)) for node in cities]
        self.assertEqual(len(walks), len(cities), "one query per ancestors() evaluated, none walking parents")
        self.assertEqual(ancestors[0], ["Europe", "DE"])
        self.assertEqual(ancestors[-1], ["Europe", "NL"])
