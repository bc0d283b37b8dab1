"""Prefetching from the distinct objects each level reaches fills what Django's prefetch fills, with its queries."""

from django.db import connection
from django.db.models import Prefetch, prefetch_related_objects
from django.test.utils import CaptureQueriesContext
from nautobot.apps.testing import TestCase
from nautobot.dcim.models import Interface

from nautobot_data_sync.orm.prefetching import prefetch
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
