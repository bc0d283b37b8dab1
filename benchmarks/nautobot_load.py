"""Benchmark the declarative Nautobot adapter's load (nautobot_data_sync.orm): queries and time per dataset size.

    .venv/bin/python benchmarks/nautobot_load.py                 (N = 100, 1,000 and 5,000 devices)
    .venv/bin/python benchmarks/nautobot_load.py --devices 100 1000

Clones the migrated test template into its own database (the development database is untouched), creates devices
with 8 interfaces each, a tag, a custom field value and a relationship association per device with bulk_create,
and loads them with the test adapter of ``tests/fixtures/orm.py`` (FK paths, a two-hop FK path, tags, a custom
field, a relationship and children). Prints the load's database queries, wall time (best of 3) and objects.
"""

import argparse
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

from inventory_sync import create_database, drop_database  # noqa: E402

from development.launch import CONFIG, ensure_template, prepare  # noqa: E402


def measure(adapter_class, repeat=3):
    """(queries, best seconds, objects) of loading a fresh adapter ``repeat`` times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best, queries, objects = None, None, None
    for _ in range(repeat):
        adapter = adapter_class()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            adapter.load()
            elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
        queries, objects = len(captured), len(adapter)
    return queries, best, objects


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    env = prepare()
    template = ensure_template(env)
    database = f"{env['NAUTOBOT_DB_NAME']}_load_bench"
    create_database(env, database, template)
    print(f"Benchmark database {database} cloned from {template}", flush=True)
    env.update(NAUTOBOT_DB_NAME=database)
    env.setdefault("NAUTOBOT_LOG_LEVEL", "ERROR")
    os.environ.update(env)

    import nautobot

    nautobot.setup(str(CONFIG))
    from django.db import connections

    from nautobot_data_sync.tests.fixtures.orm import (
        INTERFACES_PER_DEVICE,
        DeviceNautobotAdapter,
        bulk_devices,
        make_world,
    )

    try:
        world = make_world()
        print(f"\nEach device: {INTERFACES_PER_DEVICE} interfaces, 1 tag, 1 custom field value, 1 relationship peer")
        print("\n| Devices | Interfaces | Objects loaded | DB queries | Load time (s, best of 3) | per object (us) |")
        print("|---:|---:|---:|---:|---:|---:|")
        present = 0
        for count in sorted(args.devices):
            bulk_devices(world, count - present, prefix=f"dev{count}")
            present = count
            queries, seconds, objects = measure(DeviceNautobotAdapter)
            print(
                f"| {count:,} | {count * INTERFACES_PER_DEVICE:,} | {objects:,} | {queries} | {seconds:,.3f} "
                f"| {seconds / objects * 1e6:,.0f} |",
                flush=True,
            )
        return 0
    finally:
        connections.close_all()
        if not args.keep_db:
            drop_database(env, database)


if __name__ == "__main__":
    sys.exit(main())
