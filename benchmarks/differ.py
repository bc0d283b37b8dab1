"""Benchmark the diff calculation alone: diffsync's own differ against FastDiffer (nautobot_data_sync.sync.differ).

    .venv/bin/python benchmarks/differ.py                       # 10k and 100k objects per adapter
    .venv/bin/python benchmarks/differ.py --sizes 20000 --repeat 5

No database and no Nautobot: two in-memory adapters of N objects each (10% devices with 8 interfaces each as their
children, 10% VLANs; the target's models are other classes with an extra non-attribute field, as a Nautobot
adapter's are). Against the target, the source has 10% of its objects changed (an attribute), 2% of the devices
removed and 2% new (with their interfaces), and a few VLANs removed and added.

Engines: diffsync's own ``target.diff_from(source)``; FastDiffer as calculate_diff() uses it (the same Diff); the same
without pausing the garbage collector (to show what that part is worth); FastDiffer with ``keep_unchanged=False``
(no elements for unchanged objects, counted instead). Time is the best of ``--repeat`` runs; memory is measured in a
separate run under tracemalloc: the peak during the calculation and what the returned diff still holds. Before
timing, the script checks that the diffs agree (str() and summary()).
"""

import argparse
import gc
import logging
import sys
import time
import tracemalloc
from pathlib import Path

import structlog
from diffsync import Adapter, DiffSyncModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nautobot_data_sync.sync.differ import FastDiffer, diff_summary  # noqa: E402

INTERFACES_PER_DEVICE = 8


class Device(DiffSyncModel):
    _modelname = "device"
    _identifiers = ("name",)
    _attributes = ("role", "platform", "serial", "status")
    _children = {"interface": "interfaces"}

    name: str
    role: str
    platform: str
    serial: str
    status: str | None = None
    interfaces: list[str] = []


class Interface(DiffSyncModel):
    _modelname = "interface"
    _identifiers = ("device", "name")
    _shortname = ("name",)
    _attributes = ("type", "description", "enabled", "mtu")

    device: str
    name: str
    type: str
    description: str = ""
    enabled: bool = True
    mtu: int | None = None


class Vlan(DiffSyncModel):
    _modelname = "vlan"
    _identifiers = ("vid", "group")
    _attributes = ("name", "status")

    vid: int
    group: str
    name: str
    status: str = "active"


class NautobotDevice(Device):
    pk: str | None = None


class NautobotInterface(Interface):
    pk: str | None = None


class NautobotVlan(Vlan):
    pk: str | None = None


class SourceAdapter(Adapter):
    device = Device
    interface = Interface
    vlan = Vlan
    top_level = ["vlan", "device"]


class TargetAdapter(Adapter):
    device = NautobotDevice
    interface = NautobotInterface
    vlan = NautobotVlan
    top_level = ["vlan", "device"]


def build(adapter_class, objects, changed):
    """An adapter of about ``objects`` objects; ``changed``: the source's variations (see the module docstring)."""
    adapter = adapter_class(name=adapter_class.__name__)
    devices = objects // 10
    vlans = objects - devices * (1 + INTERFACES_PER_DEVICE)
    extra = "pk" in adapter.device.model_fields
    for d in range(devices + (devices // 50 if changed else 0)):
        if changed and d % 50 == 49:  # 2% removed in the source
            continue
        device = adapter.device(
            name=f"dev-{d:06d}",
            role=("leaf", "spine", "edge")[d % 3],
            platform="eos" if d % 2 else "junos",
            serial=f"SN{d:08d}" + ("-new" if changed and d % 10 == 3 else ""),
            status="active",
            **({"pk": f"uuid-{d}"} if extra else {}),
        )
        adapter.add(device)
        for i in range(INTERFACES_PER_DEVICE):
            interface = adapter.interface(
                device=device.name,
                name=f"Ethernet{i + 1}",
                type="25gbase-x-sfp28",
                description=f"{device.name} port {i + 1}" + (" (changed)" if changed and (d + i) % 10 == 0 else ""),
                mtu=9000 if i < 2 else None,
                **({"pk": f"uuid-{d}-{i}"} if extra else {}),
            )
            adapter.add(interface)
            device.add_child(interface)
    for v in range(vlans):
        if changed and v % 50 == 7:
            continue
        adapter.add(
            adapter.vlan(
                vid=v % 4000 + 1,
                group=f"group-{v // 4000}",
                name=f"vlan-{v}" + ("-renamed" if changed and v % 10 == 5 else ""),
                **({"pk": f"uuid-v{v}"} if extra else {}),
            )
        )
    if changed:
        for v in range(vlans, vlans + vlans // 50):
            adapter.add(adapter.vlan(vid=v % 4000 + 1, group=f"group-{v // 4000}", name=f"vlan-{v}"))
    return adapter


ENGINES = {
    "diffsync target.diff_from(source)": lambda source, target: target.diff_from(source),
    "FastDiffer (same Diff)": lambda source, target: FastDiffer(source, target).calculate_diffs(),
    "FastDiffer, GC not paused": lambda source, target: FastDiffer(source, target, pause_gc=False).calculate_diffs(),
    "FastDiffer keep_unchanged=False": lambda source, target: FastDiffer(
        source, target, keep_unchanged=False
    ).calculate_diffs(),
}


def timed(engine, source, target, repeat):
    best = None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        diff = engine(source, target)
        elapsed = time.perf_counter() - started
        del diff
        best = elapsed if best is None else min(best, elapsed)
    return best


def traced(engine, source, target):
    """(peak bytes during the calculation, bytes still held by the diff) under tracemalloc."""
    gc.collect()
    tracemalloc.start()
    try:
        diff = engine(source, target)
        gc.collect()
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del diff
    return peak, held


def check(source, target):
    expected = target.diff_from(source)
    same = FastDiffer(source, target).calculate_diffs()
    lean = FastDiffer(source, target, keep_unchanged=False).calculate_diffs()
    assert same.str() == expected.str() and same.summary() == expected.summary(), "FastDiffer differs from diffsync"
    assert lean.str() == expected.str() and diff_summary(lean) == expected.summary(), "keep_unchanged=False differs"
    return expected.summary(), len(expected), len(lean)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="objects per adapter")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per engine (best is kept)")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    args = parser.parse_args()
    # diffsync logs each diff's start and end through structlog: keep them out of the table
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    print(f"Python {sys.version.split()[0]}; best of {args.repeat} runs; memory from tracemalloc (separate run)\n")
    print("| objects (src / dst) | engine | time (s) | speed-up | peak MB | diffsync peak ÷ peak | diff holds MB |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        source, target = build(SourceAdapter, size, changed=True), build(TargetAdapter, size, changed=False)
        summary, elements, lean_elements = check(source, target)
        base_time = base_peak = None
        for name, engine in ENGINES.items():
            seconds = timed(engine, source, target, args.repeat)
            peak = held = None
            if not args.no_memory:
                peak, held = traced(engine, source, target)
            base_time = base_time or seconds
            base_peak = base_peak or peak
            memory = f"{peak / 1e6:.1f} | {base_peak / peak:.2f} | {held / 1e6:.1f}" if peak else "- | - | -"
            objects = f"{len(source):,} / {len(target):,}"
            print(f"| {objects} | {name} | {seconds:.3f} | {base_time / seconds:.1f}x | {memory} |")
        print(
            f"\n{size:,}: diff of {elements:,} elements ({lean_elements:,} without unchanged ones); summary {summary}\n"
        )


if __name__ == "__main__":
    main()
