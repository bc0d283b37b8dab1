"""Identifiers read from a declarative model's fields are diffsync's (``model_dump()``'s), in its order; what the
serializer would change is left to diffsync."""

import uuid
from enum import Enum

from diffsync import DiffSyncModel
from django.test import SimpleTestCase
from nautobot.dcim.models import Interface
from pydantic import field_serializer

from nautobot_data_sync.orm import NautobotModel
from nautobot_data_sync.speedups.identifiers import identifiers_of
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
