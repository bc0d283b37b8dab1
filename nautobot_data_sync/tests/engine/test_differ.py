"""FastDiffer gives exactly the Diff diffsync's own DiffSyncDiffer gives (pure Python, no database).

The property test builds random pairs of adapters (top-level devices with interfaces and, on one kind of adapter,
modules as children; VLANs; locations on one side only; shared and distinct identifiers; differing attributes; model
and adapter flags; model classes that differ between the two sides, override diffsync's methods, or hold values
FastDiffer cannot pass through as they are; missing and repeated children, falsy models) and compares the two diffs
element by element in iteration order, with the callback calls and the errors raised. It checks the diff without
unchanged elements (``keep_unchanged=False``) against diffsync's too.
"""

import enum
import gc
from typing import Annotated

import pytest
import structlog
from diffsync import Adapter, DiffSyncModel
from diffsync.diff import Diff
from diffsync.enum import DiffSyncFlags, DiffSyncModelFlags
from diffsync.exceptions import ObjectAlreadyExists, ObjectNotFound
from diffsync.helpers import DiffSyncDiffer
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import Field, PlainSerializer, field_serializer

from nautobot_data_sync.sync.differ import FastDiffer, diff_summary, fast_diff


class _Silent:
    """A structlog sink that drops everything (the differs log per skipped object)."""

    def msg(self, *args, **kwargs):
        pass

    debug = info = warning = error = critical = exception = msg


SILENT = structlog.wrap_logger(_Silent(), processors=[lambda _logger, _name, event: event["event"]])


# ----------------------------------------------------------------------------------------------- models


class Speed(enum.Enum):
    SLOW = "1g"
    FAST = "10g"


NAN = float("nan")  # the same object on both sides: equal for `==` on containers, yet `NAN != NAN` as diffsync compares


class Device(DiffSyncModel):
    _modelname = "device"
    _identifiers = ("name",)
    _attributes = ("role", "serial", "status")
    _children = {"interface": "interfaces"}

    name: str
    role: str = ""
    serial: str = ""
    status: str | None = None
    interfaces: list[str] = []


class Interface(DiffSyncModel):
    _modelname = "interface"
    _identifiers = ("device", "name")
    _shortname = ("name",)
    _attributes = ("description", "enabled", "mtu", "weight")

    device: str
    name: str
    description: str = ""
    enabled: bool = True
    mtu: int | None = None
    weight: float | None = None


class Vlan(DiffSyncModel):
    _modelname = "vlan"
    _identifiers = ("vid", "group")
    _attributes = ("name",)

    vid: int
    group: str
    name: str = ""


class Location(DiffSyncModel):
    _modelname = "location"
    _identifiers = ("name",)

    name: str

    def __bool__(self):
        return self.name != "z"  # diffsync takes a falsy object for an absent one


# The "other system": the same model names, fields in another order, other attributes (only some shared), values
# FastDiffer cannot pass through as they are (a list, an enum) and a custom serializer.


class DeviceB(DiffSyncModel):
    _modelname = "device"
    _identifiers = ("name",)
    _attributes = ("status", "serial", "role", "platform", "tags")
    _children = {"module": "modules", "interface": "interfaces"}

    serial: str = ""
    name: str
    platform: str = ""
    tags: list[str] | None = None
    status: str | None = None
    role: str = ""
    interfaces: list[str] = []
    modules: list[str] = []


class InterfaceB(DiffSyncModel):
    _modelname = "interface"
    _identifiers = ("device", "name")
    _shortname = ("name",)
    _attributes = ("description", "speed", "weight", "mtu", "enabled")

    name: str
    mtu: int | None = None
    device: str
    description: str = ""
    weight: float | None = None
    enabled: bool = True
    speed: Speed = Speed.SLOW


class Module(DiffSyncModel):
    """A child type only the "other system" has."""

    _modelname = "module"
    _identifiers = ("device", "name")
    _attributes = ("serial",)

    device: str
    name: str
    serial: str = ""


class VlanB(DiffSyncModel):
    _modelname = "vlan"
    _identifiers = ("vid", "group")
    _attributes = ("name",)

    group: str
    vid: int
    name: str = ""

    @field_serializer("name")
    def _upper(self, value):
        return value.upper()


# Overrides of diffsync's methods, excluded and custom-serialized fields, a string identifier where the others
# have an integer (same unique id, different identifiers: diffsync's "Keys mismatch").


class DeviceC(Device):
    def get_attrs(self):
        return {**super().get_attrs(), "kind": "c"}

    def get_shortname(self):
        return str(self.name)


class InterfaceC(DiffSyncModel):
    _modelname = "interface"
    _identifiers = ("device", "name")
    _shortname = ("name",)
    _attributes = ("description", "enabled", "mtu")

    device: str
    name: str
    description: str = Field("", exclude=True)
    enabled: Annotated[bool, PlainSerializer(lambda value: "yes" if value else "no")] = True
    mtu: int | None = None

    @classmethod
    def create_unique_id(cls, **identifiers):
        return f"{identifiers['device']}__{identifiers['name']}"


class VlanC(DiffSyncModel):
    _modelname = "vlan"
    _identifiers = ("vid", "group")
    _attributes = ("name",)

    vid: str
    group: str
    name: str = ""


class AdapterA(Adapter):
    device = Device
    interface = Interface
    vlan = Vlan
    location = Location
    top_level = ["device", "vlan", "location"]


class AdapterB(Adapter):
    device = DeviceB
    interface = InterfaceB
    module = Module
    vlan = VlanB
    top_level = ["vlan", "device"]


class AdapterC(Adapter):
    device = DeviceC
    interface = InterfaceC
    vlan = Vlan
    top_level = ["device", "vlan"]


class AdapterCStrVlan(AdapterC):
    vlan = VlanC


class OrderedDiff(Diff):
    """A diff_class with its own order for interfaces and for the other groups, and a complete() hook."""

    completed = 0

    @classmethod
    def order_children_interface(cls, children):
        yield from sorted(children.values(), key=lambda element: element.name, reverse=True)

    @classmethod
    def order_children_default(cls, children):
        yield from sorted(children.values())

    def complete(self):
        type(self).completed += 1


# ----------------------------------------------------------------------------------------------- building


def build(adapter_class, spec, name=None):
    """An adapter of ``adapter_class`` loaded from ``spec`` (see ``specs()``)."""
    adapter = adapter_class(name=name)

    def make(model_name, **values):
        model_class = getattr(adapter, model_name)
        fields = model_class.model_fields
        if "vid" in values and fields["vid"].annotation is str:
            values["vid"] = str(values["vid"])
        if "speed" in values and "speed" in fields:
            values["speed"] = Speed(values["speed"])
        return model_class(**{key: value for key, value in values.items() if key in fields})

    for device_name, device_spec in spec["devices"].items():
        device = make("device", name=device_name, **device_spec["attrs"])
        adapter.add(device)
        for interface_name, interface_attrs in device_spec["interfaces"].items():
            interface = make("interface", device=device_name, name=interface_name, **interface_attrs)
            adapter.add(interface)
            device.add_child(interface)
        if hasattr(adapter, "module"):
            for module_name in device_spec["modules"]:
                module = make("module", device=device_name, name=module_name, serial=module_name.upper())
                adapter.add(module)
                device.add_child(module)
        if device_spec["dangling"]:
            device.interfaces.append(f"{device_name}__ghost")
        if device_spec["repeated"] and device.interfaces:
            device.interfaces.append(device.interfaces[0])
    for (vid, group), vlan_attrs in spec["vlans"].items():
        adapter.add(make("vlan", vid=vid, group=group, **vlan_attrs))
    if hasattr(adapter, "location"):
        for location_name in spec["locations"]:
            adapter.add(make("location", name=location_name))
    return adapter


def flags():
    none = DiffSyncModelFlags.NONE
    return st.sampled_from(
        [none] * 12
        + [
            DiffSyncModelFlags.IGNORE,
            DiffSyncModelFlags.SKIP_UNMATCHED_SRC,
            DiffSyncModelFlags.SKIP_UNMATCHED_DST,
            DiffSyncModelFlags.SKIP_UNMATCHED_BOTH,
        ]
    )


def rare():
    return st.sampled_from([False] * 30 + [True])


@st.composite
def specs(draw):
    """The contents of one adapter, from small value sets so that the two sides share objects and values."""
    interface = st.fixed_dictionaries(
        {
            "description": st.sampled_from(["", "uplink", "peer"]),
            "enabled": st.booleans(),
            "mtu": st.sampled_from([None, 1500, 9000]),
            "weight": st.sampled_from([None, 1.5, NAN]),
            "speed": st.sampled_from(["1g", "10g"]),
            "model_flags": flags(),
        }
    )
    device = st.fixed_dictionaries(
        {
            "attrs": st.fixed_dictionaries(
                {
                    "role": st.sampled_from(["leaf", "spine"]),
                    "serial": st.sampled_from(["", "SN1", "SN2"]),
                    "status": st.sampled_from([None, "active"]),
                    "platform": st.sampled_from(["", "eos"]),
                    "tags": st.sampled_from([None, None, None, ["a"], ["a", "b"]]),
                    "model_flags": flags(),
                }
            ),
            "interfaces": st.dictionaries(st.sampled_from(["e1", "e2", "e3", "e4"]), interface, max_size=4),
            "modules": st.lists(st.sampled_from(["m1", "m2"]), max_size=2, unique=True),
            "dangling": rare(),
            "repeated": rare(),
        }
    )
    vlan = st.fixed_dictionaries({"name": st.sampled_from(["", "prod", "dev"]), "model_flags": flags()})
    return {
        "devices": draw(st.dictionaries(st.sampled_from(["d1", "d2", "d3", "d4", "d5"]), device, max_size=5)),
        "vlans": draw(
            st.dictionaries(st.tuples(st.sampled_from([1, 2, 3]), st.sampled_from(["g1", "g2"])), vlan, max_size=4)
        ),
        "locations": draw(st.lists(st.sampled_from(["x", "y", "x", "y", "z"]), max_size=2, unique=True)),
    }


ADAPTER_CLASSES = [AdapterA, AdapterA, AdapterA, AdapterB, AdapterB, AdapterC, AdapterCStrVlan]
DIFFSYNC_FLAGS = [
    DiffSyncFlags.NONE,
    DiffSyncFlags.NONE,
    DiffSyncFlags.SKIP_UNMATCHED_SRC,
    DiffSyncFlags.SKIP_UNMATCHED_DST,
    DiffSyncFlags.SKIP_UNMATCHED_BOTH,
]


# ----------------------------------------------------------------------------------------------- comparing


def _attrs_items(attrs):
    """A dict of attributes with its order and value types (str() of a diff depends on both)."""
    return None if attrs is None else [(key, type(value), value) for key, value in attrs.items()]


def assert_same_diff(expected, actual, path="diff"):
    """Two diffs are the same, element by element in iteration order, children included."""
    assert type(actual) is type(expected), path
    assert actual.groups() == expected.groups(), path
    expected_children, actual_children = list(expected.get_children()), list(actual.get_children())
    assert len(actual_children) == len(expected_children), path
    for index, (want, got) in enumerate(zip(expected_children, actual_children, strict=True)):
        where = f"{path}[{index}] {want.type} {want.name}"
        assert type(got) is type(want), where
        assert (got.type, got.name, got.source_name, got.dest_name) == (
            want.type,
            want.name,
            want.source_name,
            want.dest_name,
        ), where
        assert list(got.keys.items()) == list(want.keys.items()), where
        assert _attrs_items(got.source_attrs) == _attrs_items(want.source_attrs), where
        assert _attrs_items(got.dest_attrs) == _attrs_items(want.dest_attrs), where
        assert got.action == want.action, where
        assert got == want, where
        assert_same_diff(want.child_diff, got.child_diff, where)
    assert actual.models_processed == expected.models_processed, path


def assert_equivalent(expected, actual):
    """``assert_same_diff()`` plus every summary and rendering diffsync offers."""
    assert_same_diff(expected, actual)
    assert actual.models_processed == expected.models_processed
    assert actual.summary() == expected.summary()
    assert actual.str() == expected.str()
    assert actual.dict() == expected.dict()
    assert len(actual) == len(expected)
    assert actual.has_diffs() == expected.has_diffs()


def assert_same_without_unchanged(expected, actual, path="diff"):
    """``actual`` is ``expected`` less the elements with no diffs (in themselves or below)."""
    assert type(actual) is type(expected), path
    kept = [element for element in expected.get_children() if element.has_diffs(include_children=True)]
    got = list(actual.get_children())
    assert [(element.type, element.name) for element in got] == [(element.type, element.name) for element in kept]
    for want, element in zip(kept, got, strict=True):
        where = f"{path} {want.type} {want.name}"
        assert list(element.keys.items()) == list(want.keys.items()), where
        assert _attrs_items(element.source_attrs) == _attrs_items(want.source_attrs), where
        assert _attrs_items(element.dest_attrs) == _attrs_items(want.dest_attrs), where
        assert_same_without_unchanged(want.child_diff, element.child_diff, where)


def _elements(diff):
    for element in diff.get_children():
        yield element
        yield from _elements(element.child_diff)


def run(differ_class, source, target, flags=DiffSyncFlags.NONE, diff_class=Diff, **options):
    """``(diff or None, (exception type, message) or None, callback calls)`` of a differ. (The message is the
    exception's first argument: diffsync's ObjectAlreadyExists also holds the element, whose repr is an address.)"""
    calls = []
    differ = differ_class(source, target, flags, diff_class, lambda *args: calls.append(args), **options)
    differ.logger = SILENT
    try:
        return differ.calculate_diffs(), None, calls
    except Exception as error:  # the two differs must fail alike
        return None, (type(error), str(error.args[0]) if error.args else ""), calls


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
    unchanged = [element for element in _elements(expected) if not element.has_diffs(include_children=True)]
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
    assert all(element.action is None for element in _elements(actual))
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
    element = next(element for element in _elements(actual) if element.type == "vlan" and element.name == "1__g1")
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
