"""Benchmark the remote Nautobot adapter's load: HTTP requests and wall time, parallel against sequential fetching.

    .venv/bin/python benchmarks/remote_load.py                  (1,000 devices x 8 interfaces)
    .venv/bin/python benchmarks/remote_load.py --devices 200 --repeat 1

Starts a second Nautobot (tests/fixtures/live_nautobot.py: a copy of the migrated test template served by
Nautobot's uWSGI server with --processes workers, or by runserver, on a loopback port), seeds it with bulk_create in
its database (N devices with 8 interfaces each, a tag per device, 50 sites in 3 regions, 3 device types, 3 roles),
then loads it with
``RemoteNautobotAdapter`` (every collection of the example jobs, paginated) in several ways: parallel and sequential
fetching, large and small pages. Prints requests, wall time (best of --repeat) and objects loaded, side by side with
the ratio to the first row. The server and its database are removed at the end.
"""

import argparse
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from development.launch import CONFIG, ensure_template, prepare  # noqa: E402

INTERFACES_PER_DEVICE = 8
SITES = 50
MODES = [  # (label, parallel connections, page size)
    ("parallel, 4 connections", 4, 1000),
    ("parallel, 8 connections", 8, 1000),
    ("sequential", 1, 1000),
    ("sequential, pages of 100", 1, 100),
]


def seed(devices):
    """N devices x 8 interfaces and what they refer to, written with bulk_create into the (remote's) database."""
    from django.contrib.contenttypes.models import ContentType
    from nautobot.dcim.models import Device, DeviceType, Interface, Location, LocationType, Manufacturer
    from nautobot.extras.models import Role, Status, Tag, TaggedItem

    device_ct = ContentType.objects.get_for_model(Device)
    active = Status.objects.get(name="Active")
    region_type = LocationType.objects.create(name="Region", nestable=True)
    site_type = LocationType.objects.create(name="Site", parent=region_type)
    site_type.content_types.add(device_ct)
    regions = [Location.objects.create(name=n, location_type=region_type, status=active) for n in ("EU", "US", "AP")]
    sites = [
        Location.objects.create(name=f"site-{s:03d}", location_type=site_type, parent=regions[s % 3], status=active)
        for s in range(SITES)
    ]
    manufacturer = Manufacturer.objects.create(name="Arista")
    device_types = [DeviceType.objects.create(manufacturer=manufacturer, model=f"DCS-{m}") for m in range(3)]
    roles = []
    for name in ("spine", "leaf", "edge"):
        role = Role.objects.create(name=name)
        role.content_types.add(device_ct)
        roles.append(role)
    tag = Tag.objects.create(name="core")
    tag.content_types.add(device_ct)
    created = Device.objects.bulk_create(
        Device(
            name=f"dev-{d:05d}",
            location=sites[d % SITES],
            device_type=device_types[d % 3],
            role=roles[d % 3],
            status=active,
            serial=f"SN{d:08d}",
        )
        for d in range(devices)
    )
    Interface.objects.bulk_create(
        (
            Interface(device=device, name=f"Ethernet{i + 1}", type="25gbase-x-sfp28", status=active)
            for device in created
            for i in range(INTERFACES_PER_DEVICE)
        ),
        batch_size=5000,
    )
    TaggedItem.objects.bulk_create(TaggedItem(content_type=device_ct, object_id=d.pk, tag=tag) for d in created)


def measure(remote, workers, page_size, repeat):
    """(requests, best seconds, objects) of loading the remote with ``workers`` connections and ``page_size``."""
    from nautobot_data_sync.jobs.examples.nautobot_remote.adapters import RemoteNautobotAdapter
    from nautobot_data_sync.jobs.examples.nautobot_remote.client import RemoteNautobot

    best = requests = objects = None
    for _ in range(repeat):
        client = RemoteNautobot(remote.url, remote.token, max_workers=workers, page_size=page_size, timeout=300)
        adapter = RemoteNautobotAdapter(client, parallel=workers > 1)
        started = time.perf_counter()
        adapter.load()
        elapsed = time.perf_counter() - started
        client.close()
        best = elapsed if best is None else min(best, elapsed)
        requests, objects = client.requests_made, len(adapter)
    return requests, best, objects


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=int(os.environ.get("N", "1000")), help="default: $N or 1000")
    parser.add_argument("--repeat", type=int, default=2, help="loads per mode; the best time is shown (default 2)")
    parser.add_argument(
        "--processes", type=int, default=4, help="uWSGI processes of the remote (default 4); 0: runserver (threaded)"
    )
    args = parser.parse_args()

    env = prepare()
    template = ensure_template(env)
    database = f"{env['NAUTOBOT_DB_NAME']}_remote_bench_{os.getpid()}"
    env.update(NAUTOBOT_DB_NAME=database)  # this process's ORM works on the remote's database, to seed it
    env.setdefault("NAUTOBOT_LOG_LEVEL", "ERROR")
    os.environ.update(env)

    import nautobot

    nautobot.setup(str(CONFIG))
    from django.db import connections

    from nautobot_data_sync.tests.fixtures.live_nautobot import LiveNautobot

    with LiveNautobot(template, name=database, processes=args.processes) as remote:
        started = time.perf_counter()
        seed(args.devices)
        connections.close_all()
        interfaces = args.devices * INTERFACES_PER_DEVICE
        server = f"uWSGI, {args.processes} processes" if args.processes else "runserver"
        print(
            f"Remote Nautobot {remote.url} ({server}): seeded {args.devices:,} devices, {interfaces:,} interfaces "
            f"in {time.perf_counter() - started:.1f}s",
            flush=True,
        )
        print("\n| Fetching | Page size | HTTP requests | Wall time (s) | Objects loaded | Time vs first row |")
        print("|---|---:|---:|---:|---:|---:|")
        first = None
        for label, workers, page_size in MODES:
            requests, seconds, objects = measure(remote, workers, page_size, args.repeat)
            first = first or seconds
            print(
                f"| {label} | {page_size:,} | {requests:,} | {seconds:,.2f} | {objects:,} | {seconds / first:,.2f}x |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
