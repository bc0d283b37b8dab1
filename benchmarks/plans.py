"""Benchmark plans against direct syncs: a reviewed dry-run applied, and a changed sync reverted, at N devices.

    .venv/bin/python benchmarks/plans.py --devices 1000
    .venv/bin/python benchmarks/plans.py --devices 100 --keep-db

The example job "Inventory file -> Nautobot" (bulk mode) on the benchmark inventory (``dataset.py``: N devices x 8
interfaces), through Nautobot's real job execution, on a clone of the migrated test template:

1. direct initial sync (measured), then everything removed again outside the change log;
2. the initial sync as a plan: dry-run, then "Apply a Data Sync plan" (measured) -> state S1;
3. direct changed sync (10% of the interface descriptions changed, 2% of the devices removed; measured) -> S2;
4. "Revert a Data Sync" of it: dry-run, then apply (measured); the state must equal S1 again, field by field
   (primary keys included: deleted objects come back under theirs);
5. the changed sync as a plan, applied (measured); the state must equal S2.

Printed: each run's Data Sync time and queries and its end-to-end time, and the apply and revert times as ratios of
the direct sync's. Exits 1 when a state comparison fails.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.dataset import (  # noqa: E402
    change_inventory,
    execute_job,
    make_inventory,
    nautobot_on_clone,
    write_inventory,
)

SYNCED = ("Interface", "Device", "DeviceType", "Manufacturer", "Location", "LocationType")  # delete order
VOLATILE = {"created", "last_updated"}


def prepare():
    """The inventory job and the plan jobs, enabled; a user to run them."""
    from django.contrib.auth import get_user_model
    from nautobot.extras.models import Job as JobModel
    from nautobot.extras.models import JobQueue
    from nautobot.extras.utils import refresh_job_model_from_job_class

    from nautobot_data_sync.jobs.examples.inventory import InventoryFileDataSource
    from nautobot_data_sync.jobs.planjobs import ApplyPlan, RevertSync

    jobs = {}
    for job_class in (InventoryFileDataSource, ApplyPlan, RevertSync):
        job_model, _ = refresh_job_model_from_job_class(JobModel, job_class, JobQueue)
        job_model.enabled = True
        job_model.validated_save()
        jobs[job_class.__name__] = job_model
    user, _ = get_user_model().objects.get_or_create(username="benchmark", defaults={"is_superuser": True})
    return jobs, user


def run(job_model, user, inventory=None, **inputs):
    """Run a job (the inventory job on the file ``inventory``); its Data Sync and end-to-end seconds."""
    from nautobot_data_sync.jobs.examples.inventory import PATH_VARIABLE
    from nautobot_data_sync.models import Sync

    if inventory is not None:
        os.environ[PATH_VARIABLE] = str(inventory)
    started = time.perf_counter()
    job_result = execute_job(job_model, user, inputs)
    elapsed = time.perf_counter() - started
    sync = Sync.objects.filter(job_result=job_result).first()
    if sync is None:
        raise SystemExit(f"{job_model} ran no sync: {job_result.status} {job_result.result}")
    return sync, elapsed


def state():
    """Every row of the synced models, all fields but timestamps, by primary key."""
    from nautobot.dcim import models

    snapshot = {}
    for name in SYNCED:
        model = getattr(models, name)
        fields = [field.attname for field in model._meta.concrete_fields if field.name not in VOLATILE]
        snapshot[name] = {row[0]: row for row in model.objects.values_list(*fields)}
    return snapshot


def differences(expected, actual):
    """Text of how ``actual`` differs from ``expected`` (empty when equal)."""
    lines = []
    for name in SYNCED:
        missing = expected[name].keys() - actual[name].keys()
        extra = actual[name].keys() - expected[name].keys()
        changed = [pk for pk in expected[name].keys() & actual[name].keys() if expected[name][pk] != actual[name][pk]]
        if missing or extra or changed:
            lines.append(f"{name}: {len(missing)} missing, {len(extra)} extra, {len(changed)} changed")
    return "\n".join(lines)


def wipe():
    """Remove the synced objects and their records outside any change context (nothing is logged)."""
    from nautobot.dcim import models
    from nautobot.extras.models import ObjectChange, ObjectMetadata, Role

    from benchmarks.dataset import ROLES

    for name in SYNCED:
        getattr(models, name).objects.all().delete()
    Role.objects.filter(name__in=ROLES).delete()
    ObjectMetadata.objects.all().delete()
    ObjectChange.objects.all().delete()


def row(label, sync, elapsed, direct=None):
    seconds = (sync.end_time - sync.start_time).total_seconds()
    queries = sum(phase.query_count or 0 for phase in sync.phases.all())
    counts = f"{sync.create_count}/{sync.update_count}/{sync.delete_count}/{sync.drifted_count}"
    ratio = f"{elapsed / direct:.2f}x" if direct else ""
    print(f"| {label} | {seconds:.2f} | {queries:,} | {elapsed:.2f} | {counts} | {ratio} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    folder = tempfile.TemporaryDirectory()
    initial_file, changed_file = Path(folder.name) / "initial.json", Path(folder.name) / "changed.json"
    inventory = make_inventory(args.devices)
    write_inventory(inventory, initial_file)
    change_inventory(inventory)
    write_inventory(inventory, changed_file)

    with nautobot_on_clone("bench_plans", keep=args.keep_db):
        jobs, user = prepare()
        source, apply, revert = jobs["InventoryFileDataSource"], jobs["ApplyPlan"], jobs["RevertSync"]
        initial = {"inventory": initial_file, "allow_deletes": True}
        changed = {"inventory": changed_file, "allow_deletes": True}
        print(f"\nPlans at {args.devices:,} devices (bulk mode)\n")
        print("| Run | Data Sync (s) | Queries | End to end (s) | Create/update/delete/drifted | vs direct |")
        print("|---|---:|---:|---:|---|---:|")

        direct_initial, direct_initial_s = run(source, user, dryrun=False, **initial)
        row("direct initial sync", direct_initial, direct_initial_s)
        wipe()
        plan, plan_s = run(source, user, dryrun=True, **initial)
        row("initial dry-run (the plan)", plan, plan_s)
        applied, applied_s = run(apply, user, plan=str(plan.pk), allow_deletes=True)
        row("initial plan applied", applied, applied_s, direct_initial_s)
        after_initial = state()

        direct_changed, direct_changed_s = run(source, user, dryrun=False, **changed)
        row("direct changed sync", direct_changed, direct_changed_s)
        after_changed = state()
        undo, undo_s = run(revert, user, data_sync=str(direct_changed.pk))
        row("revert of it: dry-run (the plan)", undo, undo_s, direct_changed_s)
        reverted, reverted_s = run(apply, user, plan=str(undo.pk), allow_deletes=True)
        row("revert applied", reverted, reverted_s, direct_changed_s)
        round_trip = differences(after_initial, state())

        plan, plan_s = run(source, user, dryrun=True, **changed)
        row("changed dry-run (the plan)", plan, plan_s)
        applied, applied_s = run(apply, user, plan=str(plan.pk), allow_deletes=True)
        row("changed plan applied", applied, applied_s, direct_changed_s)
        replayed = differences(after_changed, state())

    print(f"\nRound trip (revert of the changed sync = state after the initial sync): {round_trip or 'identical'}")
    print(f"Changed plan applied = direct changed sync: {replayed or 'identical'}")
    return 1 if round_trip or replayed else 0


if __name__ == "__main__":
    sys.exit(main())
