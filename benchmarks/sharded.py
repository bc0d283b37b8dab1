"""Benchmark one sync unsharded against the same sync as shards, both on a real Celery worker (prefork, 2 processes).

    .venv/bin/python benchmarks/sharded.py --devices 20000 --regions 20      (20 shards of 1,000 devices)
    .venv/bin/python benchmarks/sharded.py --devices 1000 --regions 5 --scenarios initial

The example job "Inventory file -> Nautobot" (bulk mode) on the benchmark inventory (benchmarks/dataset.py: N devices x
8 interfaces) with its sites spread over R regions; run as shards, the example makes one shard per region. Each
way gets a fresh copy of the migrated test template and a worker of its own (`nautobot-server celery worker
--concurrency 2`, restarted for each scenario so that its processes' peak memory is the scenario's); the job is
queued as Nautobot's UI queues it and timed until its Data Sync ends (for a sharded sync: its last job run).
Scenarios: initial (everything created) and changed (10% of the interface descriptions changed, 2% of the devices
removed, 1% moved to a site of another region, so to another shard).

Printed per scenario and way: wall time, the peak RSS of each worker process (VmHWM; the busiest one is the
figure), the Data Sync's counts, and whether Nautobot's state (a digest of every synced object's fields) and change
log (records per object type and action) are identical between the two ways.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.dataset import change_inventory, create_database, drop_database, make_inventory, write_inventory  # noqa: E402
from development.launch import ensure_template, prepare  # noqa: E402

NAUTOBOT_SERVER = str(Path(sys.executable).with_name("nautobot-server"))
BROKER_DATABASE = 7  # a Redis database no development worker listens on
WAYS = ("unsharded", "sharded")
SCENARIOS = ("initial", "changed")
STATE_QUERIES = {  # what the sync writes, field by field, in a stable order
    "location": "SELECT l.name, p.name, t.name, l.description FROM dcim_location l LEFT JOIN dcim_location p "
    "ON p.id = l.parent_id JOIN dcim_locationtype t ON t.id = l.location_type_id ORDER BY l.name",
    "device": "SELECT d.name, l.name, dt.model, r.name, d.serial FROM dcim_device d JOIN dcim_location l "
    "ON l.id = d.location_id JOIN dcim_devicetype dt ON dt.id = d.device_type_id JOIN extras_role r "
    "ON r.id = d.role_id ORDER BY d.name",
    "interface": "SELECT d.name, i.name, i.type, i.description, i.enabled FROM dcim_interface i JOIN dcim_device d "
    "ON d.id = i.device_id ORDER BY d.name, i.name",
}


def move_devices(inventory, regions):
    """1% of the devices to a site of the next region: to another shard."""
    sites = [location for location in inventory["locations"] if location.get("parent")]
    region_of = {site["name"]: site["parent"] for site in sites}
    for device in inventory["devices"][::100]:
        here = region_of[device["location"]]
        device["location"] = next(site["name"] for site in sites if site["parent"] != here)


# ---------------------------------------------------------------- the driver (a child process on one database)


def drive(way):
    """Queue the example job on the worker, wait for its Data Sync to end; print what it did as JSON."""
    import nautobot

    nautobot.setup(os.environ["NAUTOBOT_CONFIG"])
    import hashlib

    from django.db import connection
    from django.db.models import Count
    from nautobot.extras.models import JobResult, ObjectChange

    from benchmarks.inventory_sync import prepare_job
    from nautobot_data_sync.choices import SyncStatusChoices
    from nautobot_data_sync.models import Sync

    job_model, user = prepare_job()
    # allow_deletes: "changed" removes 2% of the devices, 16 times the delete guard's limit of interfaces at N=20,000
    inputs = {"dryrun": False, "memory_profiling": False, "parallel_loading": False, "allow_deletes": True}
    if way == "sharded":
        inputs["run_as_shards"] = True

    started = time.perf_counter()
    job_result = JobResult.enqueue_job(job_model, user, job_kwargs=inputs)
    sync = None
    while sync is None or sync.status == SyncStatusChoices.RUNNING:
        time.sleep(0.2)
        sync = sync or Sync.objects.filter(job_result=job_result).first()
        if sync is not None:
            sync.refresh_from_db()
        job_result.refresh_from_db()
        if sync is None and job_result.status == "FAILURE":
            raise SystemExit(f"the job failed: {job_result.traceback}")
    wall = time.perf_counter() - started

    digests = {}
    with connection.cursor() as cursor:
        for model, query in STATE_QUERIES.items():
            cursor.execute(query)
            rows = cursor.fetchall()
            digests[model] = [len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()[:16]]
    changes = ObjectChange.objects.values("changed_object_type__model", "action").annotate(n=Count("pk"))
    change_log = {f"{row['changed_object_type__model']} {row['action']}": row["n"] for row in changes}
    runs = sync.shards.count()
    print(
        json.dumps(
            {
                "wall": wall,
                "status": sync.status,
                "summary": sync.summary,
                "counts": [sync.create_count, sync.update_count, sync.delete_count, sync.failed_count],
                "job_runs": runs,
                "failed_runs": [f"{shard}: {shard.summary}" for shard in sync.shards.exclude(status="succeeded")],
                "state": digests,
                "change_log": change_log,
            }
        )
    )


# ---------------------------------------------------------------- the benchmark


def run_scenario(env, way):
    """Start a worker, drive one run, stop the worker; the driver's result and the workers' peak RSS (bytes)."""
    worker = subprocess.Popen(
        [NAUTOBOT_SERVER, "celery", "worker", "--concurrency", "2", "--loglevel", "WARNING", "--without-heartbeat"]
        + ["--without-mingle", "--without-gossip"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        time.sleep(5)  # the worker's processes start
        driver = subprocess.run(
            [sys.executable, __file__, "--drive", way], env=env, capture_output=True, text=True, check=False
        )
        if driver.returncode:
            raise SystemExit(f"{way}: {driver.stderr[-3000:]}")
        peaks = [_vm_hwm(child.pid) for child in psutil.Process(worker.pid).children()]
    finally:
        worker.terminate()
        worker.communicate(timeout=120)
    return json.loads(driver.stdout.strip().splitlines()[-1]), sorted(peaks, reverse=True)


def _vm_hwm(pid):
    """A process's peak resident memory (bytes), as the kernel keeps it."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=int(os.environ.get("N", "1000")))
    parser.add_argument("--regions", type=int, default=20, help="regions, so shards (default 20)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--drive", choices=WAYS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        return drive(args.drive)

    env = prepare()
    template = ensure_template(env)
    workdir = tempfile.mkdtemp(prefix="sharded-bench-")
    path = Path(workdir) / "inventory.json"
    inventory = make_inventory(args.devices, regions=args.regions)
    base = env["NAUTOBOT_DB_NAME"]
    broker = f"redis://{env.get('NAUTOBOT_REDIS_HOST', '127.0.0.1')}:{env.get('NAUTOBOT_REDIS_PORT', '6379')}"
    env.update(
        DATA_SYNC_INVENTORY_FILE=str(path),
        NAUTOBOT_CELERY_BROKER_URL=f"{broker}/{BROKER_DATABASE}",
        NAUTOBOT_LOG_LEVEL="WARNING",
    )
    databases = {way: f"{base}_shardbench_{way}" for way in WAYS}
    for database in databases.values():
        create_database(env, database, template)
    print(f"{args.devices:,} devices in {args.regions} regions; worker: 2 processes. Databases: {databases}\n")
    print(
        "| Scenario | Way | Wall time (s) | Job runs | Peak RSS per worker process (MiB) | Created, updated, deleted |"
    )
    print("|---|---|---:|---:|---|---|")
    try:
        results = {}
        for scenario in args.scenarios.split(","):
            if scenario == "changed":
                change_inventory(inventory)
                move_devices(inventory, args.regions)
            write_inventory(inventory, path)
            for way in WAYS:
                result, peaks = run_scenario({**env, "NAUTOBOT_DB_NAME": databases[way]}, way)
                results[scenario, way] = result, peaks
                shown = ", ".join(f"{peak / 2**20:,.0f}" for peak in peaks)
                created, updated, deleted, failed = result["counts"]
                print(
                    f"| {scenario} | {way} | {result['wall']:,.1f} | {result['job_runs'] or 1} | {shown} "
                    f"| {created:,}, {updated:,}, {deleted:,}{f' ({failed} failed)' if failed else ''} |",
                    flush=True,
                )
                if result["status"] != "succeeded":
                    print(f"\n{way} did not succeed: {result['summary']}", *result["failed_runs"], sep="\n")
                    return 1
        print(
            "\n| Scenario | Sharded / unsharded wall time | Busiest worker process RSS, sharded / unsharded "
            "| Same Nautobot state | Same change log |"
        )
        print("|---|---:|---:|---|---|")
        for scenario in args.scenarios.split(","):
            (one, one_peaks), (many, many_peaks) = results[scenario, "unsharded"], results[scenario, "sharded"]
            same_log = many["change_log"] == one["change_log"]
            print(
                f"| {scenario} | {many['wall'] / one['wall']:.2f}x | {many_peaks[0] / one_peaks[0]:.0%} "
                f"| {'yes' if many['state'] == one['state'] else 'NO'} | {'yes' if same_log else 'NO'} |"
            )
            if not same_log:
                print(json.dumps({"unsharded": one["change_log"], "sharded": many["change_log"]}))
        return 0
    finally:
        for database in databases.values():
            drop_database(env, database)
        path.unlink(missing_ok=True)
        os.rmdir(workdir)


if __name__ == "__main__":
    sys.exit(main())
