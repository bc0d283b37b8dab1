"""Identifiers read from a declarative model's fields are diffsync's (``model_dump()``'s), in its order; what the
serializer would change is left to diffsync."""

import uuid
from enum import Enum
from unittest import mock

from diffsync import DiffSyncModel
from django.test import SimpleTestCase
from nautobot.dcim.models import Interface
from pydantic import field_serializer

from nautobot_data_sync.orm import NautobotModel
from nautobot_data_sync.speedups.identifiers import identifiers_of
from nautobot_data_sync.speedups.registry import IDENTIFIERS, SPEEDUPS
from nautobot_data_sync.tests.fixtures.orm import InterfaceModel


class Speed(Enum):
    FAST = "fast"


class ReorderedModel(NautobotModel):
    """Identifiers declared in another order than the fields, of several plain types."""

    _model = Interface
    _modelname = "reordered"
    _identifiers = ("name", "number", "key")

    key: uuid.UUID
    number: int
    name: str


class SerializedModel(NautobotModel):
    _model = Interface
    _modelname = "serialized"
    _identifiers = ("name",)

    name: str

    @field_serializer("name")
    def shout(self, value):
        return value.upper()


class EnumModel(NautobotModel):
    _model = Interface
    _modelname = "enumerated"
    _identifiers = ("speed",)

    speed: Speed | str


def diffsyncs(model):
    return DiffSyncModel.get_identifiers(model)


class IdentifiersTest(SimpleTestCase):
    def test_plain_identifiers_are_diffsyncs_in_its_order(self):
        for model in (
            InterfaceModel(device__name="leaf-01", name="eth0"),
            ReorderedModel(key=uuid.uuid4(), number=7, name="x\ty"),
        ):
            with self.subTest(model=type(model).__name__):
                self.assertIsNotNone(identifiers_of(model), "read from the fields")
                self.assertEqual(list(model.get_identifiers().items()), list(diffsyncs(model).items()))
                self.assertEqual(model.get_unique_id(), model.create_unique_id(**diffsyncs(model)))

    def test_what_the_serializer_changes_is_left_to_diffsync(self):
        serialized = SerializedModel(name="eth0")
        self.assertIsNone(identifiers_of(serialized))
        self.assertEqual(serialized.get_identifiers(), {"name": "ETH0"})
        enumerated = EnumModel(speed=Speed.FAST)
        self.assertIsNone(identifiers_of(enumerated), "an enum is not a plain value")
        self.assertEqual(enumerated.get_identifiers(), diffsyncs(enumerated))
        self.assertIsNotNone(identifiers_of(EnumModel(speed="fast")), "a plain value of the same field is")

    def test_the_unique_id_is_computed_once_until_an_identifier_is_set(self):
        model = InterfaceModel(device__name="leaf-01", name="eth0")
        unique_id = model.get_unique_id()
        self.assertEqual(unique_id, DiffSyncModel.get_unique_id(model))
        self.assertIs(model.get_unique_id(), unique_id, "kept, not joined again")
        model.description = "uplink"
        self.assertIs(model.get_unique_id(), unique_id, "an attribute is not an identifier")
        model.name = "eth1"
        self.assertEqual(model.get_unique_id(), "leaf-01__eth1")
        copied = model.model_copy(update={"name": "eth2"})
        self.assertEqual(copied.get_unique_id(), "leaf-01__eth2")
        self.assertEqual(model.get_unique_id(), "leaf-01__eth1")

    def test_off_the_unique_id_is_diffsyncs_each_time(self):
        model = InterfaceModel(device__name="leaf-01", name="eth0")
        first_source = next(iter(SPEEDUPS[IDENTIFIERS].sources))
        with mock.patch.dict(SPEEDUPS[IDENTIFIERS].sources, {first_source: {"000000000000": "never"}}):
            unique_id = model.get_unique_id()
            self.assertEqual(unique_id, "leaf-01__eth0")
            self.assertIsNot(model.get_unique_id(), unique_id, "joined again")

    def test_a_unique_id_or_identifiers_of_its_own_making_are_left_to_the_model(self):
        class Slashed(ReorderedModel):
            _modelname = "slashed"

            @classmethod
            def create_unique_id(cls, **identifiers):
                return "/".join(str(identifiers[key]) for key in cls._identifiers)

        class Shouted(ReorderedModel):
            _modelname = "shouted"

            def get_identifiers(self):
                return {**super().get_identifiers(), "name": self.name.upper()}

        key = uuid.uuid4()
        self.assertEqual(Slashed(key=key, number=7, name="x").get_unique_id(), f"x/7/{key}")
        self.assertEqual(Shouted(key=key, number=7, name="x").get_unique_id(), f"X__7__{key}")
        self.assertEqual(ReorderedModel(key=key, number=7, name="x").get_unique_id(), f"x__7__{key}")
        self.assertEqual(EnumModel(speed=Speed.FAST).get_unique_id(), "Speed.FAST", "str() of the enum member")
