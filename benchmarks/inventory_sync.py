"""Benchmark the example job "Inventory file -> Nautobot" through Nautobot's real job execution.

    .venv/bin/python benchmarks/inventory_sync.py --devices 1000      (or N=1000 in the environment)

Generates an inventory of N devices x 8 interfaces (plus locations, device types, roles), then runs the job
(JobResult.execute_job, as `nautobot-server runjob --local` does) for three scenarios on a fresh database cloned
from the migrated test template: initial (everything created), no-op (nothing changes) and changed (10% of the
interface descriptions changed, 2% of the devices removed). It prints, per scenario and phase, the figures the job
recorded in its SyncPhase rows, and the end-to-end time of execute_job(). The development database is untouched.
"""

import argparse
import cProfile
import os
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.dataset import (  # noqa: E402
    INTERFACES_PER_DEVICE,
    change_inventory,
    create_database,
    drop_database,
    execute_job,
    make_inventory,
    write_inventory,
)
from development.launch import CONFIG, ensure_template, prepare  # noqa: E402

SCENARIOS = ("initial", "no-op", "changed")

# ---------------------------------------------------------------- running


def prepare_job():
    """The example job's Job record, enabled and allowed to run for an hour; and a user to run it."""
    from django.contrib.auth import get_user_model
    from nautobot.extras.models import Job as JobModel
    from nautobot.extras.models import JobQueue
    from nautobot.extras.utils import refresh_job_model_from_job_class

    from nautobot_data_sync.jobs.examples.inventory import InventoryFileDataSource

    job_model, _ = refresh_job_model_from_job_class(JobModel, InventoryFileDataSource, JobQueue)
    job_model.enabled = True
    job_model.soft_time_limit, job_model.time_limit = 3600, 3900
    job_model.soft_time_limit_override = job_model.time_limit_override = True
    job_model.validated_save()
    user, _ = get_user_model().objects.get_or_create(username="benchmark", defaults={"is_superuser": True})
    return job_model, user


def run_scenario(job_model, user, memory_profiling):
    """Run the job once (not a dry-run); return its JobResult, Sync and end-to-end seconds."""
    from nautobot_data_sync.models import Sync

    job_kwargs = {"dryrun": False, "memory_profiling": memory_profiling, "parallel_loading": False}
    started = time.perf_counter()
    job_result = execute_job(job_model, user, job_kwargs)
    elapsed = time.perf_counter() - started
    return job_result, Sync.objects.get(job_result=job_result), elapsed


def report(scenario, job_result, sync, elapsed):
    """Markdown table rows for one scenario: its phases, then the whole run."""
    rows = []
    for phase in sync.phases.order_by("start_time"):
        peak = f"{phase.memory_peak / 2**20:,.1f}" if phase.memory_peak is not None else "-"
        objects = f"{phase.object_count:,}" if phase.object_count is not None else "-"
        seconds = phase.duration.total_seconds()
        rows.append(
            f"| {scenario} | {phase.get_name_display()} | {seconds:,.2f} | {phase.query_count:,} | {peak} | {objects} |"
        )
    counts = (
        f"{sync.create_count:,} created, {sync.update_count:,} updated, {sync.delete_count:,} deleted, "
        f"{sync.unchanged_count:,} unchanged, {sync.failed_count:,} failed"
    )
    recorded = sync.duration.total_seconds()
    rows.append(f"| {scenario} | Data Sync, start to end | {recorded:,.2f} | | | {counts} |")
    rows.append(f"| {scenario} | **End to end** (execute_job, {job_result.status}) | **{elapsed:,.2f}** | | | |")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=int(os.environ.get("N", "100")), help="default: $N or 100")
    parser.add_argument(
        "--no-memory", action="store_true", help="run without memory_profiling (tracemalloc slows the job down)"
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--profile", metavar="DIR", help="write a cProfile file per scenario (DIR/<scenario>.prof)")
    parser.add_argument(
        "--stop-after",
        choices=SCENARIOS,
        default=SCENARIOS[-1],
        help="run the scenarios up to this one (e.g. initial: only the initial sync, for a profiler)",
    )
    args = parser.parse_args()

    env = prepare()
    template = ensure_template(env)
    database = f"{env['NAUTOBOT_DB_NAME']}_bench"
    create_database(env, database, template)
    print(f"Benchmark database {database} cloned from {template}", flush=True)

    workdir = tempfile.mkdtemp(prefix="inventory-bench-")
    inventory_path = Path(workdir) / "inventory.json"
    env.update(NAUTOBOT_DB_NAME=database, DATA_SYNC_INVENTORY_FILE=str(inventory_path))
    env.setdefault("NAUTOBOT_LOG_LEVEL", "WARNING")
    os.environ.update(env)

    import nautobot

    nautobot.setup(str(CONFIG))
    from django.db import connections

    try:
        job_model, user = prepare_job()
        inventory = make_inventory(args.devices)
        write_inventory(inventory, inventory_path)
        interfaces = args.devices * INTERFACES_PER_DEVICE
        print(
            f"\nInventory: {args.devices:,} devices, {interfaces:,} interfaces; memory profiling: {not args.no_memory}"
        )
        print("\n| Scenario | Phase | Wall time (s) | DB queries | Peak memory (MiB) | Objects |")
        print("|---|---|---:|---:|---:|---|")
        for scenario in SCENARIOS[: SCENARIOS.index(args.stop_after) + 1]:
            if scenario == "changed":
                change_inventory(inventory)
                write_inventory(inventory, inventory_path)
            profiler = cProfile.Profile() if args.profile else None
            with profiler or nullcontext():
                job_result, sync, elapsed = run_scenario(job_model, user, memory_profiling=not args.no_memory)
            if profiler:
                Path(args.profile).mkdir(parents=True, exist_ok=True)
                profiler.dump_stats(Path(args.profile) / f"{scenario}.prof")
            print("\n".join(report(scenario, job_result, sync, elapsed)), flush=True)
            if job_result.status != "SUCCESS":
                print(f"\nThe job did not succeed: {sync.summary}\n{job_result.traceback or ''}")
                return 1
        return 0
    finally:
        connections.close_all()
        if not args.keep_db:
            drop_database(env, database)
        inventory_path.unlink(missing_ok=True)
        os.rmdir(workdir)


if __name__ == "__main__":
    sys.exit(main())
