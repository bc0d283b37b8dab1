"""Declarative models built with the same fields share one set of given field names, and each reads as pydantic
would keep it."""

import copy
from unittest import mock

from diffsync import Adapter
from diffsync.enum import DiffSyncStatus
from django.test import SimpleTestCase

from nautobot_data_sync.speedups.fieldnames import VARIANTS_PER_CLASS, SharedFieldNames
from nautobot_data_sync.speedups.registry import SHARED_FIELD_NAMES, SPEEDUPS
from nautobot_data_sync.tests.fixtures.orm import InterfaceModel


def _interface(name, **values):
    return InterfaceModel(device__name="leaf-01", name=name, **values)


class SharedFieldNamesTest(SimpleTestCase):
    def test_models_given_the_same_fields_share_one_set(self):
        first, second = _interface("eth0", type="10gbase-t"), _interface("eth1", type="1000base-t")
        described = _interface("eth2", description="uplink")
        self.assertIs(first.model_fields_set, second.model_fields_set)
        self.assertIsInstance(first.model_fields_set, SharedFieldNames)
        self.assertEqual(first.model_fields_set, {"device__name", "name", "type"})
        self.assertIsNot(described.model_fields_set, first.model_fields_set)
        self.assertEqual(described.model_fields_set, {"device__name", "name", "description"})

    def test_setting_a_field_not_given_gives_the_model_a_set_of_its_own(self):
        first, second = _interface("eth0", type="10gbase-t"), _interface("eth1", type="10gbase-t")
        first.type = "1000base-t"  # given: the set stays shared, unchanged
        self.assertIs(first.model_fields_set, second.model_fields_set)
        first.description = "uplink"
        self.assertEqual(first.model_fields_set, {"device__name", "name", "type", "description"})
        self.assertEqual(second.model_fields_set, {"device__name", "name", "type"})
        self.assertEqual(_interface("eth2", type="x").model_fields_set, {"device__name", "name", "type"})
        unset_left_out = {"device__name": "leaf-01", "name": "eth1", "type": "10gbase-t"}
        self.assertEqual(second.model_dump(exclude_unset=True), unset_left_out)

    def test_models_stored_by_an_adapter_move_to_one_shared_set(self):
        adapter = Adapter()
        first, second = _interface("eth0", type="10gbase-t"), _interface("eth1", type="10gbase-t")
        adapter.add(first)
        adapter.add(second)
        first.set_status(DiffSyncStatus.ERROR, "private attributes are not fields")
        self.assertIs(first.model_fields_set, second.model_fields_set)
        self.assertEqual(first.model_fields_set, {"device__name", "name", "type", "adapter"})
        self.assertEqual(_interface("eth2", type="x").model_fields_set, {"device__name", "name", "type"})

    def test_sets_stay_shared_past_the_number_kept_per_class(self):
        optional = {"type": "x", "description": "d", "status__name": "Planned", "pk": 1, "model_flags": 0}
        combinations = [
            {name: value for bit, (name, value) in enumerate(optional.items()) if index >> bit & 1}
            for index in range(2 ** len(optional))
        ]
        self.assertGreater(len(combinations), VARIANTS_PER_CLASS)
        models = [_interface("eth0", **values) for values in combinations]
        for values, model in zip(combinations, models, strict=True):
            self.assertEqual(model.model_fields_set, {"device__name", "name", *values})
        self.assertIs(_interface("eth1", **combinations[0]).model_fields_set, _interface("eth2").model_fields_set)

    def test_copies_leave_the_shared_set_alone(self):
        first, second = _interface("eth0", type="10gbase-t"), _interface("eth1", type="10gbase-t")
        updated = first.model_copy(update={"description": "uplink"})
        deep = copy.deepcopy(first)
        deep.status__name = "Planned"
        self.assertEqual(updated.model_fields_set, {"device__name", "name", "type", "description"})
        self.assertEqual(deep.model_fields_set, {"device__name", "name", "type", "status__name"})
        self.assertEqual(second.model_fields_set, {"device__name", "name", "type"})

    def test_a_copy_given_a_field_later_keeps_its_own_names(self):
        adapter = Adapter()
        adapter.add(_interface("eth0", type="10gbase-t"))  # the shared set's move with "adapter" added is known
        updated = _interface("eth1", type="10gbase-t").model_copy(update={"description": "uplink"})
        adapter.add(updated)
        self.assertEqual(updated.model_fields_set, {"device__name", "name", "type", "description", "adapter"})

    def test_off_each_model_keeps_its_own_set(self):
        first_source = next(iter(SPEEDUPS[SHARED_FIELD_NAMES].sources))
        with mock.patch.dict(SPEEDUPS[SHARED_FIELD_NAMES].sources, {first_source: {"000000000000": "never"}}):
            first, second = _interface("eth0", type="10gbase-t"), _interface("eth1", type="10gbase-t")
        self.assertIsNot(first.model_fields_set, second.model_fields_set)
        self.assertNotIsInstance(first.model_fields_set, SharedFieldNames)
        self.assertEqual(first.model_fields_set, second.model_fields_set)
