"""A declarative model's private attributes start as pydantic would start them, without pydantic's deep copies,
where every default is a constant and the class adds nothing to ``model_post_init()``."""

import sys
from unittest import mock

from diffsync.enum import DiffSyncStatus
from django.test import SimpleTestCase
from nautobot.dcim.models import Interface
from pydantic import PrivateAttr
from pydantic._internal import _model_construction

from nautobot_data_sync.orm import NautobotModel
from nautobot_data_sync.speedups.registry import PRIVATE_DEFAULTS, SPEEDUPS
from nautobot_data_sync.tests.fixtures.orm import InterfaceModel

PYDANTICS = {"_status": DiffSyncStatus.SUCCESS, "_status_message": "", "_child_ids": None, "_unique_id": None}


class PostInitModel(NautobotModel):
    """A model_post_init() of its own: pydantic's way, and its own runs."""

    _model = Interface
    _modelname = "post_init"
    _identifiers = ("name",)

    name: str

    def model_post_init(self, context):
        super().model_post_init(context)
        self.set_status(DiffSyncStatus.UNKNOWN, "started")


class FactoryModel(NautobotModel):
    """A private attribute made by a factory: pydantic's way, a new list per model."""

    _model = Interface
    _modelname = "factory"
    _identifiers = ("name",)
    _seen: list = PrivateAttr(default_factory=list)

    name: str


def pydantic_starts(build):
    """``build()``, and how many times it ran pydantic's ``init_private_attributes()``."""
    code, calls = _model_construction.init_private_attributes.__code__, []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code is code:
            calls.append(frame)

    sys.setprofile(profile)
    try:
        built = build()
    finally:
        sys.setprofile(None)
    return built, len(calls)


class PrivateDefaultsTest(SimpleTestCase):
    def test_private_attributes_start_from_a_copy_of_the_defaults(self):
        (first, second), started = pydantic_starts(
            lambda: (InterfaceModel(device__name="leaf-01", name="eth0"), InterfaceModel(device__name="l", name="e"))
        )
        self.assertEqual(started, 0)
        self.assertEqual(first.__pydantic_private__, PYDANTICS)
        first.set_status(DiffSyncStatus.ERROR, "failed")
        self.assertEqual(second.__pydantic_private__, PYDANTICS, "each model has its own")
        self.assertEqual(first.model_fields_set, {"device__name", "name"}, "the base class's post-init ran")
        constructed = InterfaceModel.model_construct(device__name="leaf-01", name="eth0", _status_message="given")
        self.assertEqual(constructed.__pydantic_private__, {**PYDANTICS, "_status_message": "given"})

    def test_a_model_post_init_of_its_own_or_a_factory_takes_pydantics_way(self):
        (post_init, first, second), started = pydantic_starts(
            lambda: (PostInitModel(name="eth0"), FactoryModel(name="eth0"), FactoryModel(name="eth1"))
        )
        self.assertEqual(started, 3 * 2, "once per class level, as pydantic does")
        self.assertEqual(post_init.__pydantic_private__["_status"], DiffSyncStatus.UNKNOWN)
        self.assertEqual(post_init.model_fields_set, {"name"})
        self.assertEqual(first._seen, [])
        self.assertIsNot(first._seen, second._seen)

    def test_off_pydantic_starts_them(self):
        first_source = next(iter(SPEEDUPS[PRIVATE_DEFAULTS].sources))
        with mock.patch.dict(SPEEDUPS[PRIVATE_DEFAULTS].sources, {first_source: {"000000000000": "never"}}):
            model, started = pydantic_starts(lambda: InterfaceModel(device__name="leaf-01", name="eth0"))
        self.assertEqual(model.__pydantic_private__, PYDANTICS)
        self.assertEqual(started, 2)
