"""The bulk change log's serialization shortcuts give what Nautobot's own code gives."""

import datetime
import decimal
import enum
import json
import math
import uuid
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from nautobot.apps.testing import TestCase
from nautobot.core import models as core_models
from nautobot.core.models.utils import construct_natural_slug, serialize_object, serialize_object_v2
from nautobot.dcim.models import Cable, Interface
from nautobot.extras.choices import ObjectChangeActionChoices
from nautobot.extras.models import Status, Tag
from nautobot.ipam.models import VLAN
from rest_framework.reverse import reverse

from nautobot_data_sync.orm.changerecords import load_for_logging
from nautobot_data_sync.speedups.patching import replaced
from nautobot_data_sync.speedups.representation import CABLE_PATHS, LISTED, TemplatedReverse, slug_parts_once
from nautobot_data_sync.speedups.serialization import BatchSerializer, _as_read_back, precomputed, serialize_batch
from nautobot_data_sync.tests.fixtures.orm import bulk_devices, make_world

PKS = [None, uuid.UUID("4f2c9a6e-0000-4000-8000-000000000001"), 17, "not-a-uuid"]


class _Speed(enum.IntEnum):
    GIGABIT = 1000


class ReadBackTest(SimpleTestCase):
    """A value as Nautobot's JSON round trip of an object's data leaves it, without the text."""

    def test_values_are_what_the_round_trip_gives(self):
        when = datetime.datetime(2026, 12, 7, 4, 5, 6, 789012, tzinfo=datetime.timezone.utc)
        values = [
            "eth0",
            mark_safe("<b>safe</b>"),
            gettext_lazy("Active"),
            17,
            True,
            None,
            2.5,
            _Speed.GIGABIT,
            when,
            when.replace(tzinfo=None, microsecond=0),
            when.date(),
            when.time(),
            datetime.timedelta(hours=1, microseconds=5),
            decimal.Decimal("1.50"),
            uuid.UUID("4f2c9a6e-0000-4000-8000-000000000001"),
            ("a", 1),
            {"since": when, "tags": ["x"], 3: None},
            {},
            [],
            (),
        ]
        for value in values:
            with self.subTest(value=value):
                read_back = json.loads(json.dumps(value, cls=DjangoJSONEncoder))
                self.assertEqual(_as_read_back(value), read_back)
                self.assertIs(type(_as_read_back(value)), type(read_back))
                if isinstance(value, (dict, list)):
                    self.assertIsNot(_as_read_back(value), value, "a new one, as the round trip gives")

    def test_not_a_number_stays_one(self):
        self.assertTrue(math.isnan(_as_read_back(float("nan"))))


@pytest.mark.compat
class TemplatedReverseTest(TestCase):
    def test_urls_are_drf_urls(self):
        templated = TemplatedReverse()
        pks = [uuid.uuid4() for _ in range(3)]
        for pk in pks:
            for viewname in ("dcim-api:device-detail", "dcim-api:interface-detail"):
                self.assertEqual(templated(viewname, kwargs={"pk": pk}), reverse(viewname, kwargs={"pk": pk}))
            self.assertEqual(templated("dcim-api:device-notes", args=[pk]), reverse("dcim-api:device-notes", args=[pk]))
        self.assertEqual(templated("dcim-api:device-detail", kwargs={"pk": pks[0]}), f"/api/dcim/devices/{pks[0]}/")
        self.assertEqual(len(templated.templates), 3, "one template per route")

    def test_other_arguments_are_reversed_by_drf(self):
        templated = TemplatedReverse()
        odd = "a b"  # not URL-safe: quoted by Django, not put in a template
        self.assertEqual(
            templated("dcim-api:device-detail", kwargs={"pk": odd}),
            reverse("dcim-api:device-detail", kwargs={"pk": odd}),
        )
        self.assertEqual(templated("dcim-api:device-list"), reverse("dcim-api:device-list"))
        self.assertEqual(
            templated("dcim-api:device-detail", kwargs={"pk": 1}, format="json"),
            reverse("dcim-api:device-detail", kwargs={"pk": 1}, format="json"),
        )


@pytest.mark.compat
class NaturalSlugTest(TestCase):
    def test_slugs_are_nautobot_slugs(self):
        values = ["leaf-01", "Héllo Wörld", "🚀 rocket", "ÆØÅ", "a  b--c__", "#1 *", None, 42, ""]
        expected = [construct_natural_slug([value], pk=pk) for value in values for pk in PKS]
        with replaced(core_models, "construct_natural_slug", slug_parts_once()):
            slugs = [core_models.construct_natural_slug([value], pk=pk) for value in values for pk in PKS]
            self.assertEqual(core_models.construct_natural_slug(values), construct_natural_slug(values))
        self.assertEqual(slugs, expected)
        self.assertEqual("rocket-rocket", expected[2 * len(PKS)], "the emoji's name is part of the slug")

    def test_text_in_slug_form_is_taken_as_slugify_returns_it(self):
        near_misses = ["leaf-01", "a-b-c", "-a", "a-", "a--b", "A-b", "a_b", "a b", "a'b", "1,000", "&amp;", "é"]
        every_uuid_start = [f"{number:04x}" for number in range(16**4)]  # what a UUID key adds to its slug
        expected = [construct_natural_slug([value]) for value in near_misses + every_uuid_start]
        with replaced(core_models, "construct_natural_slug", slug_parts_once()):
            slugs = [core_models.construct_natural_slug([value]) for value in near_misses + every_uuid_start]
        self.assertEqual(slugs, expected)
        self.assertEqual(
            expected[: len(near_misses)],
            [*near_misses[:2], "a", "a", "a-b", "a-b", "a-b", "a-b", "a-b"] + ["1000", "", "e"],
        )


@pytest.mark.compat
class SerializeBatchTest(TestCase):
    def test_interfaces_with_and_without_cable_paths_serialize_as_nautobot_does(self):
        devices = bulk_devices(make_world(), 2)
        ends = [Interface.objects.get(device=device, name="eth0") for device in devices]
        connected = Status.objects.get(name="Connected")
        connected.content_types.add(ContentType.objects.get_for_model(Cable))
        cable = Cable(termination_a=ends[0], termination_b=ends[1], status=connected)
        cable.validated_save()
        vlan = VLAN.objects.create(vid=10, name="users", status=Status.objects.get(name="Active"))
        tagged = Interface.objects.get(device=devices[0], name="eth1")
        tagged.mode = "tagged"
        tagged.validated_save()
        tagged.tagged_vlans.set([vlan])
        interfaces = Interface.objects.filter(device__in=devices)
        batch = serialize_batch(load_for_logging(Interface, [interface.pk for interface in interfaces]))
        self.assertEqual(len(batch), 16)
        for interface in interfaces:
            data, data_v2 = batch[interface.pk]
            self.assertEqual(data, serialize_object(interface))
            self.assertEqual(data_v2, serialize_object_v2(interface))
        cabled = batch[ends[0].pk][1]
        self.assertEqual(cabled["connected_endpoint_type"], "dcim.interface")
        self.assertEqual(str(cabled["connected_endpoint"]["id"]), str(ends[1].pk))
        self.assertIs(cabled["connected_endpoint_reachable"], True)
        self.assertEqual(batch[tagged.pk][0]["tagged_vlans"], [str(vlan.pk)])
        self.assertIsNone(batch[interfaces.exclude(pk__in=[end.pk for end in ends])[0].pk][1]["connected_endpoint"])

    def test_fields_of_every_kind_serialize_as_nautobot_does(self):
        """Dates, decimals, a time zone, JSON, a MAC address, empty and non-ASCII text: values read from the attribute
        (str, int, bool, None, UUID) and values the "python" serializer writes itself give Nautobot's data."""
        world = make_world()
        location = world["locations"][0]
        location.latitude, location.longitude = decimal.Decimal("52.370216"), decimal.Decimal("4.895168")
        location.time_zone, location.physical_address = "Europe/Amsterdam", "Dam 1\nAmsterdam ✓"
        location.validated_save()
        device = bulk_devices(world, 1)[0]
        device.local_config_context_data = {"ntp": ["10.0.0.1"], "weight": 2.5}
        device.serial, device.asset_tag, device.vc_position = "SN é", None, None
        device.validated_save()
        interface = Interface.objects.get(device=device, name="eth0")
        interface.mac_address, interface.mtu, interface.enabled = "00:11:22:33:44:55", 9000, False
        interface.validated_save()
        for obj in (location, device, interface):
            with self.subTest(model=type(obj).__name__):
                batch = serialize_batch(load_for_logging(type(obj), [obj.pk]))
                obj.refresh_from_db()
                self.assertEqual(batch[obj.pk], (serialize_object(obj), serialize_object_v2(obj)))

    def test_many_to_many_values_fetched_as_lists_are_read_there(self):
        """``load_for_logging()`` fetches tags, tagged VLANs (and on Nautobot 3.2, cable paths) into lists, not a
        manager per object and field; the batch reads them there, with no query of its own, and gives what Nautobot
        gives."""
        devices = bulk_devices(make_world(), 2)
        tag = Tag.objects.create(name="uplink")
        tag.content_types.add(ContentType.objects.get_for_model(Interface))
        vlan = VLAN.objects.create(vid=20, name="voice", status=Status.objects.get(name="Active"))
        interfaces = list(Interface.objects.filter(device__in=devices).order_by("name", "device__name"))
        for interface in interfaces[::2]:
            interface.mode = "tagged"
            interface.validated_save()
            interface.tags.add(tag)
            interface.tagged_vlans.set([vlan])
        objects = load_for_logging(Interface, [interface.pk for interface in interfaces])
        for obj in objects:
            self.assertEqual(set(getattr(obj, "_prefetched_objects_cache", {})) & {"tags", "tagged_vlans"}, set())
            self.assertIsInstance(obj.__dict__[LISTED + "tagged_vlans"], list)
            self.assertEqual(LISTED + "cable_paths" in obj.__dict__, CABLE_PATHS)
        with CaptureQueriesContext(connection) as queries:
            batch = serialize_batch(objects)
        tables = (Interface.tagged_vlans.through._meta.db_table, Tag._meta.db_table, "taggeditem", "dcim_cablepath")
        self.assertEqual([query["sql"] for query in queries if any(table in query["sql"] for table in tables)], [])
        for interface in interfaces:
            self.assertEqual(batch[interface.pk], (serialize_object(interface), serialize_object_v2(interface)))
        self.assertEqual(batch[interfaces[0].pk][0]["tags"], ["uplink"])
        self.assertEqual(batch[interfaces[0].pk][0]["tagged_vlans"], [str(vlan.pk)])
        self.assertEqual(batch[interfaces[1].pk][0]["tags"], [])
        not_prefetched = serialize_batch(list(Interface.objects.filter(pk__in=[obj.pk for obj in interfaces])))
        self.assertEqual(not_prefetched, batch, "Django's serializer reads them itself")

    def test_records_are_serialized_a_chunk_at_a_time(self):
        """Inside ``precomputed()``, the data of a batch is serialized a chunk at a time, when a record of the chunk is
        built, and the chunk before is let go: going back to an earlier object serializes its chunk again."""
        devices = bulk_devices(make_world(), 1)
        interfaces = Interface.objects.filter(device__in=devices).order_by("name")
        expected = {obj.pk: (serialize_object(obj), serialize_object_v2(obj)) for obj in interfaces}
        objects = load_for_logging(Interface, [interface.pk for interface in interfaces])
        sizes = []
        serialize = BatchSerializer.serialize

        def counted(batch, chunk):
            sizes.append(len(chunk))
            return serialize(batch, chunk)

        order = [*objects, objects[0]]
        with mock.patch.object(BatchSerializer, "serialize", counted), precomputed(objects, chunk=3):
            changes = [obj.to_objectchange(ObjectChangeActionChoices.ACTION_UPDATE) for obj in order]
        self.assertEqual(sizes, [3, 3, 2, 3])
        for obj, change in zip(order, changes, strict=True):
            self.assertEqual((change.object_data, change.object_data_v2), expected[obj.pk])
