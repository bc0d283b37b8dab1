"""FastDiffer gives exactly the Diff diffsync's own DiffSyncDiffer gives (pure Python, no database).

The property test builds random pairs of adapters (top-level devices with interfaces and, on one kind of adapter,
modules as children; VLANs; locations on one side only; shared and distinct identifiers; differing attributes; model
and adapter flags; model classes that differ between the two sides, override diffsync's methods, or hold values
FastDiffer cannot pass through as they are; missing and repeated children, falsy models) and compares the two diffs
element by element in iteration order, with the callback calls and the errors raised. It checks the diff without
unchanged elements (``keep_unchanged=False``) against diffsync's too.
"""

import gc

import pytest
from diffsync.diff import Diff
from diffsync.enum import DiffSyncFlags, DiffSyncModelFlags
from diffsync.exceptions import ObjectAlreadyExists, ObjectNotFound
from diffsync.helpers import DiffSyncDiffer
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nautobot_data_sync.jobs.examples.inventory.models import Device as ExampleDevice
from nautobot_data_sync.jobs.examples.inventory.models import Interface as ExampleInterface
from nautobot_data_sync.sync.differ import FastDiffer, diff_summary, fast_diff
from nautobot_data_sync.sync.modelprofile import ModelProfile, same_result
from nautobot_data_sync.tests.fixtures.differ import (
    ADAPTER_CLASSES,
    DIFFSYNC_FLAGS,
    AdapterA,
    AdapterB,
    AdapterC,
    AdapterCStrVlan,
    Device,
    DeviceC,
    OrderedDiff,
    Vlan,
    assert_equivalent,
    assert_same_without_unchanged,
    build,
    diff_elements,
    run,
    specs,
)

# ----------------------------------------------------------------------------------------------- property test


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    source_spec=specs(),
    target_spec=specs(),
    source_class=st.sampled_from(ADAPTER_CLASSES),
    target_class=st.sampled_from(ADAPTER_CLASSES),
    flags=st.sampled_from(DIFFSYNC_FLAGS),
    diff_class=st.sampled_from([Diff, OrderedDiff]),
)
def test_same_diff_as_diffsync(source_spec, target_spec, source_class, target_class, flags, diff_class):
    source = build(source_class, source_spec, name="source")
    target = build(target_class, target_spec, name="target")

    expected, expected_error, expected_calls = run(DiffSyncDiffer, source, target, flags, diff_class)
    actual, actual_error, actual_calls = run(FastDiffer, source, target, flags, diff_class)

    assert actual_error == expected_error
    assert actual_calls == expected_calls
    if expected is None:
        event(f"error: {expected_error[0].__name__}")
        return
    assert_equivalent(expected, actual)
    summary = expected.summary()
    event("outcome: " + ", ".join(key for key, count in summary.items() if count) or "empty")

    # Without the unchanged elements: the same changes, and the same summary once the omitted ones are counted.
    lean, lean_error, lean_calls = run(FastDiffer, source, target, flags, diff_class, keep_unchanged=False)
    assert lean_error is None
    assert lean_calls == expected_calls
    assert_same_without_unchanged(expected, lean)
    assert diff_summary(lean) == expected.summary()
    assert lean.str() == expected.str()
    assert lean.dict() == expected.dict()
    unchanged = [element for element in diff_elements(expected) if not element.has_diffs(include_children=True)]
    assert lean.omitted_unchanged == len(unchanged)
    by_type = {}
    for element in unchanged:
        by_type[element.type] = by_type.get(element.type, 0) + 1
    assert lean.omitted_unchanged_by_type == by_type


# ----------------------------------------------------------------------------------------------- examples


def _spec(devices=None, vlans=None, locations=()):
    return {"devices": devices or {}, "vlans": vlans or {}, "locations": list(locations)}


def _device(interfaces=None, dangling=False, repeated=False, **attrs):
    attrs = {"role": "leaf", "serial": "", "status": None, "model_flags": DiffSyncModelFlags.NONE, **attrs}
    interfaces = {
        name: {"description": "", "enabled": True, "mtu": None, "model_flags": DiffSyncModelFlags.NONE, **values}
        for name, values in (interfaces or {}).items()
    }
    return {"attrs": attrs, "interfaces": interfaces, "modules": [], "dangling": dangling, "repeated": repeated}


def _both(
    source_spec, target_spec, source_class=AdapterA, target_class=AdapterA, flags=DiffSyncFlags.NONE, diff_class=Diff
):
    """``run()`` of diffsync's differ and of FastDiffer on the same two adapters."""
    source = build(source_class, source_spec, name="source")
    target = build(target_class, target_spec, name="target")
    return run(DiffSyncDiffer, source, target, flags, diff_class), run(FastDiffer, source, target, flags, diff_class)


def test_unchanged_elements_are_kept_by_default():
    spec = _spec({"d1": _device({"e1": {}, "e2": {}}), "d2": _device()})
    (expected, _, _), (actual, error, _) = _both(spec, spec)
    assert error is None
    assert_equivalent(expected, actual)
    assert len(actual) == 4
    assert all(element.action is None for element in diff_elements(actual))
    assert actual.summary()["no-change"] == 4


def test_unchanged_parent_of_a_changed_child_is_kept_when_omitting_unchanged():
    source = _spec({"d1": _device({"e1": {"mtu": 9000}, "e2": {}}), "d2": _device({"e1": {}})})
    target = _spec({"d1": _device({"e1": {}, "e2": {}}), "d2": _device({"e1": {}})})
    source_adapter, target_adapter = build(AdapterA, source), build(AdapterA, target)
    expected = source_adapter.diff_to(target_adapter)

    lean = fast_diff(source_adapter, target_adapter, keep_unchanged=False)

    (device,) = lean.get_children()
    assert (device.name, device.action) == ("d1", None)
    assert [(child.name, child.action) for child in device.get_children()] == [("e1", "update")]
    assert lean.omitted_unchanged == 3  # d1's e2, d2 and d2's e1
    assert lean.omitted_unchanged_by_type == {"interface": 2, "device": 1}
    assert diff_summary(lean) == expected.summary()
    assert lean.str() == expected.str()


def test_skip_flags_of_models_and_of_the_adapter():
    ignored = _device({"e1": {"mtu": 1}}, model_flags=DiffSyncModelFlags.IGNORE)
    source = _spec(
        {
            "d1": ignored,
            "d2": _device({"e9": {"model_flags": DiffSyncModelFlags.SKIP_UNMATCHED_SRC}}),
            "d3": _device(model_flags=DiffSyncModelFlags.SKIP_UNMATCHED_SRC),
        }
    )
    target = _spec({"d1": _device({"e1": {}}), "d2": _device(), "d4": _device()})
    for flags in DIFFSYNC_FLAGS:
        (expected, _, expected_calls), (actual, error, calls) = _both(source, target, flags=flags)
        assert error is None
        assert calls == expected_calls
        assert_equivalent(expected, actual)
    assert "d1" not in {element.name for element in actual.get_children()}


def test_same_errors_as_diffsync():
    # the same unique id, but an integer identifier on one side and a string one on the other
    vlans = _spec(vlans={(1, "g1"): {"name": "a"}})
    (_, expected_error, expected_calls), (_, error, calls) = _both(vlans, vlans, AdapterA, AdapterCStrVlan)
    assert expected_error[0] is ValueError and expected_error[1].startswith("Keys mismatch")
    assert (error, calls) == (expected_error, expected_calls)

    # a child that is referenced but not there
    dangling = _spec({"d1": _device({"e1": {}}, dangling=True)})
    (_, expected_error, expected_calls), (_, error, calls) = _both(dangling, _spec({"d1": _device()}))
    assert expected_error[0] is ObjectNotFound
    assert (error, calls) == (expected_error, expected_calls)

    # two elements with the same short name under one parent
    class ShortDevice(Device):
        def get_shortname(self):
            return "same"

    class ShortAdapter(AdapterA):
        device = ShortDevice

    two = _spec({"d1": _device(), "d2": _device()})
    (_, expected_error, _), (_, error, _) = _both(two, _spec(), ShortAdapter, ShortAdapter)
    assert expected_error[0] is ObjectAlreadyExists
    assert error == expected_error


def test_mappings_and_type_mismatch_from_a_custom_store():
    class MappingAdapter(AdapterA):
        """get_all() gives a mapping (diffsync takes its keys as the unique ids)."""

        def get_all(self, obj):
            return {f"{model.get_unique_id()}": model for model in super().get_all(obj)}

    source = _spec({"d1": _device(serial="x"), "d2": _device()}, vlans={(1, "g1"): {}})
    target = _spec({"d1": _device(), "d3": _device()}, vlans={(1, "g1"): {"name": "x"}})
    for source_class, target_class in [(AdapterA, MappingAdapter), (MappingAdapter, AdapterB)]:
        (expected, expected_error, _), (actual, error, _) = _both(source, target, source_class, target_class)
        assert (expected_error, error) == (None, None)
        assert_equivalent(expected, actual)

    class MismatchAdapter(AdapterA):
        """The "device" list also holds a vlan whose unique id is a device's."""

        def get_all(self, obj):
            objects = super().get_all(obj)
            return [*objects, Vlan(vid=1, group="g1")] if obj == "device" else objects

    source = _spec({"d1": _device(), "1__g1": _device()})
    (_, expected_error, _), (_, error, _) = _both(source, _spec(), AdapterA, MismatchAdapter)
    assert expected_error == (TypeError, "Type mismatch: device vs vlan")
    assert error == expected_error


def test_values_that_are_not_passed_through_as_they_are():
    """Lists, enums, custom serializers, excluded fields, overridden methods: as diffsync gives them."""
    source = _spec(
        {"d1": _device({"e1": {"speed": "10g"}}, tags=["a"], platform="eos"), "d2": _device(tags=["b"])},
        vlans={(1, "g1"): {"name": "prod"}, (2, "g1"): {"name": "dev"}},
    )
    target = _spec({"d1": _device({"e1": {"description": "x"}}, tags=["a"])}, vlans={(1, "g1"): {"name": "PROD"}})
    for source_class, target_class in [(AdapterA, AdapterB), (AdapterC, AdapterC), (AdapterB, AdapterA)]:
        (expected, expected_error, _), (actual, error, _) = _both(source, target, source_class, target_class)
        assert (expected_error, error) == (None, None)
        assert_equivalent(expected, actual)
    element = next(element for element in diff_elements(actual) if element.type == "vlan" and element.name == "1__g1")
    assert element.source_attrs == {"name": "PROD"}  # VlanB's serializer, as in diffsync
    assert element.action is None
    # copies of the lists, as model_dump() makes them, not the models' own
    adapter = build(AdapterB, source)
    element = next(
        element for element in fast_diff(adapter, build(AdapterA, target)).get_children() if element.name == "d1"
    )
    assert element.source_attrs["tags"] == ["a"]
    assert element.source_attrs["tags"] is not adapter.get("device", "d1").tags

    # A short name of its own: "C-d1" against "d1"
    class ShortDevice(DeviceC):
        def get_shortname(self):
            return f"C-{self.name}"

    class ShortAdapter(AdapterC):
        device = ShortDevice

    (_, expected_error, _), (_, error, _) = _both(source, target, AdapterB, ShortAdapter)
    assert expected_error == (ValueError, "Shortname mismatch: d1 vs C-d1")
    assert error == expected_error


def test_diff_class_callback_and_complete():
    source = _spec({"d1": _device({"e1": {}, "e2": {"mtu": 1}, "e3": {}}), "d2": _device()})
    target = _spec({"d1": _device({"e2": {}, "e4": {}}), "d3": _device()})
    OrderedDiff.completed = 0
    (expected, _, expected_calls), (actual, error, calls) = _both(source, target, diff_class=OrderedDiff)
    assert error is None
    assert OrderedDiff.completed == 2  # once per differ
    assert type(actual) is OrderedDiff
    assert_equivalent(expected, actual)
    assert calls == expected_calls
    assert calls[-1] == ("diff", 9, 9)


def test_calculated_once_and_garbage_collector_restored():
    adapter = build(AdapterA, _spec({"d1": _device({"e1": {}})}))
    differ = FastDiffer(adapter, build(AdapterA, _spec()))
    gc.enable()
    diff = differ.calculate_diffs()
    assert gc.isenabled()
    assert differ.calculate_diffs() is diff
    gc.disable()
    try:
        FastDiffer(adapter, adapter).calculate_diffs()
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("keep_unchanged", [True, False])
def test_fast_diff_is_diff_from(keep_unchanged):
    source = build(AdapterA, _spec({"d1": _device({"e1": {"mtu": 1}})}, vlans={(1, "g1"): {}}))
    target = build(AdapterB, _spec({"d1": _device({"e1": {}})}, vlans={(2, "g2"): {}}))
    expected = target.diff_from(source, flags=DiffSyncFlags.SKIP_UNMATCHED_DST)
    actual = fast_diff(source, target, flags=DiffSyncFlags.SKIP_UNMATCHED_DST, keep_unchanged=keep_unchanged)
    assert actual.str() == expected.str()
    assert diff_summary(actual) == expected.summary()


# ----------------------------------------------------------------------------------------------- overrides


class _MarkedDevice(Device):
    @same_result
    def get_identifiers(self):
        return super().get_identifiers()


class _OverridingDevice(Device):
    def get_identifiers(self):
        return super().get_identifiers()


def test_an_override_marked_same_result_is_read_around_and_any_other_is_called():
    assert ModelProfile(_MarkedDevice).fast_ids and ModelProfile(_MarkedDevice).simple
    assert not ModelProfile(_OverridingDevice).fast_ids and not ModelProfile(_OverridingDevice).simple


def test_declarative_models_are_read_around_their_get_identifiers():
    """``NautobotModel.get_identifiers()`` returns diffsync's result (``speedups.identifiers``), faster; the differ
    reads the fields without calling it at all."""
    for model_class in (ExampleDevice, ExampleInterface):
        profile = ModelProfile(model_class)
        assert profile.fast_ids and profile.simple, model_class
