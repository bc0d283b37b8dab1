"""Change records built from their values in order are the records Nautobot's ``to_objectchange()`` builds."""

import uuid
from unittest import mock

import pytest
from django.db.models.signals import pre_init
from nautobot.apps.testing import TestCase
from nautobot.dcim.models import Interface, Location
from nautobot.extras.choices import ObjectChangeActionChoices
from nautobot.extras.models import ObjectChange

from nautobot_data_sync.speedups.objectchanges import built_in_order
from nautobot_data_sync.tests.fixtures.orm import bulk_devices, make_world

CREATE, DELETE = ObjectChangeActionChoices.ACTION_CREATE, ObjectChangeActionChoices.ACTION_DELETE


def state_of(change):
    """Everything an ObjectChange holds but its random primary key: field values, cached objects, database state."""
    values = {field.attname: getattr(change, field.attname) for field in ObjectChange._meta.concrete_fields}
    values.pop("id")
    return {
        "values": values,
        "attributes": sorted(vars(change)),
        "cached": dict(change._state.fields_cache),
        "db": change._state.db,
        "adding": change._state.adding,
    }


@pytest.mark.compat
class BuiltInOrderTest(TestCase):
    def setUp(self):
        self.device = bulk_devices(make_world(), 1)[0]
        self.interface = Interface.objects.get(device=self.device, name="eth0")
        self.location = Location.objects.get(name="ams")

    def test_records_are_those_nautobot_builds(self):
        cases = [
            (self.location, CREATE, {}),  # no related object
            (self.device, CREATE, {}),
            (self.interface, CREATE, {}),  # a component: its device is the related object
            (self.interface, DELETE, {"related_object": self.location}),
            (self.device, CREATE, {"object_data_exclude": ["serial"], "object_data_extra": {"note": 1}}),
        ]
        for obj, action, kwargs in cases:
            with self.subTest(model=type(obj).__name__, action=action, kwargs=kwargs):
                nautobots = obj.to_objectchange(action, **kwargs)
                with built_in_order():
                    ours = obj.to_objectchange(action, **kwargs)
                self.assertIsInstance(ours, ObjectChange)
                self.assertIsInstance(ours.pk, uuid.UUID)
                self.assertNotEqual(ours.pk, nautobots.pk)
                self.assertEqual(state_of(ours), state_of(nautobots))

    def test_a_model_override_still_decides(self):
        """A component's own ``to_objectchange()`` names its device; one that drops the record drops it."""
        with built_in_order():
            self.assertEqual(self.interface.to_objectchange(CREATE).related_object_id, self.device.pk)
            with mock.patch.object(Interface, "to_objectchange", lambda self, action, **kwargs: None):
                self.assertIsNone(self.interface.to_objectchange(CREATE))

    def test_records_insert_as_nautobots_do(self):
        with built_in_order():
            ours = self.interface.to_objectchange(CREATE)
        nautobots = self.interface.to_objectchange(CREATE)
        for change in (ours, nautobots):
            change.request_id = uuid.UUID(int=1)  # set by the caller, as the change context's
        ObjectChange.objects.bulk_create([ours, nautobots])
        stored = {
            row.pop("id"): row
            for row in ObjectChange.objects.filter(pk__in=[ours.pk, nautobots.pk]).values(
                *(field.attname for field in ObjectChange._meta.concrete_fields if field.attname != "time")
            )
        }
        self.assertEqual(stored[ours.pk], stored[nautobots.pk])

    def test_a_pre_init_receiver_sees_nautobots_arguments(self):
        seen = []

        def receiver(sender, args, kwargs, **_):
            seen.append((args, sorted(kwargs)))

        pre_init.connect(receiver, sender=ObjectChange)
        try:
            with built_in_order():
                self.device.to_objectchange(CREATE)
        finally:
            pre_init.disconnect(receiver, sender=ObjectChange)
        self.assertEqual(
            seen,
            [
                (
                    (),
                    sorted(
                        ["changed_object", "object_repr", "action", "object_data", "object_data_v2", "related_object"]
                    ),
                )
            ],
        )
