"""Benchmark creating a location tree, and removing a subtree of it, one by one and in bulk, through Nautobot's real
job execution.

    .venv/bin/python benchmarks/tree_deletes.py                        (10 levels, a 46-location subtree removed)
    .venv/bin/python benchmarks/tree_deletes.py --fanouts 2,1,8,5,1,1,1,1,1 --repeat 3   (10 levels, 501 locations)

The tree is the one of the orm tests (``tests/fixtures/trees.py``: declarative location types and locations with
``parent__name``): a root, ``fanouts[n]`` children under each location of level n. Per mode, each creation round
removes every location and location type (outside any change context) and syncs the whole tree (measured); then,
from no tree again (a sync deletes only what its own job created), each removal round syncs the whole tree, then the
tree without the first subtree under the root (measured; ``allow_deletes`` on). Printed per mode and measure: the
sync phase's time (median) and queries (its SyncPhase row), the end-to-end time of ``execute_job()``, what the Data
Sync recorded, and in the last removal round how many of the removed parent/child pairs lost the parent first
(Location ``pre_delete`` signals, which the one-by-one and the bulk path both send, in the order the rows go). Runs on
a clone of the migrated test template; the development database is untouched.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.dataset import execute_job, nautobot_on_clone  # noqa: E402


def prepare_jobs():
    """The tree jobs' Job records, enabled; and a user to run them."""
    from django.contrib.auth import get_user_model
    from nautobot.extras.models import Job as JobModel
    from nautobot.extras.models import JobQueue
    from nautobot.extras.utils import refresh_job_model_from_job_class

    from nautobot_data_sync.tests.fixtures.trees import TreeBulkSource, TreeSource, prepare_statuses

    prepare_statuses()
    jobs = {}
    for mode, job_class in (("one by one", TreeSource), ("bulk", TreeBulkSource)):
        job_model, _ = refresh_job_model_from_job_class(JobModel, job_class, JobQueue)
        job_model.enabled = True
        job_model.validated_save()
        jobs[mode] = job_model
    user, _ = get_user_model().objects.get_or_create(username="benchmark", defaults={"is_superuser": True})
    return jobs, user


def sync(job_model, user, records):
    """Run the job with ``records`` as its source; its Sync and end-to-end seconds."""
    from nautobot_data_sync.models import Sync
    from nautobot_data_sync.tests.fixtures.trees import TreeSource

    TreeSource.records = records
    inputs = {"dryrun": False, "memory_profiling": False, "parallel_loading": False, "allow_deletes": True}
    started = time.perf_counter()
    job_result = execute_job(job_model, user, inputs)
    elapsed = time.perf_counter() - started
    return Sync.objects.get(job_result=job_result), elapsed


def parents_first(deleted, removed):
    """How many removed (child, parent) pairs were deleted parent first, of how many, in the order ``deleted``."""
    position = {name: index for index, name in enumerate(deleted)}
    pairs = [(name, name.rsplit("-", 1)[0]) for name in removed if name.rsplit("-", 1)[0] in removed]
    return sum(position[parent] < position[child] for child, parent in pairs), len(pairs)


def forget_tree():
    """Remove every location and location type, outside any change context (nothing is logged)."""
    from nautobot.dcim.models import Location, LocationType

    Location.objects.all().delete()
    LocationType.objects.all().delete()


def measure_creates(job_model, user, fanouts, repeat):
    from nautobot_data_sync.choices import SyncPhaseChoices
    from nautobot_data_sync.tests.fixtures.trees import tree_records

    records = tree_records(fanouts)
    rounds = []
    for _ in range(repeat):
        forget_tree()
        result, elapsed = sync(job_model, user, records)
        phase = result.phases.get(name=SyncPhaseChoices.SYNC)
        rounds.append((phase.duration.total_seconds(), phase.query_count, elapsed, result))
    result = rounds[-1][3]
    return {
        "locations": len(records["location"]),
        "sync": statistics.median(measured[0] for measured in rounds),
        "queries": rounds[-1][1],
        "end to end": statistics.median(measured[2] for measured in rounds),
        "recorded": f"{result.create_count} created, {result.failed_count} failed",
    }


def measure_deletes(job_model, user, fanouts, repeat):
    from django.db.models.signals import pre_delete
    from nautobot.dcim.models import Location

    from nautobot_data_sync.choices import SyncPhaseChoices
    from nautobot_data_sync.tests.fixtures.trees import subtree, tree_records, without

    records = tree_records(fanouts)
    removed = subtree(records, "r-0")
    deleted = []

    def log_delete(sender, instance, **kwargs):
        deleted.append(instance.name)

    rounds = []
    forget_tree()  # a sync deletes only what its own job created
    for _ in range(repeat):
        sync(job_model, user, records)
        deleted.clear()
        pre_delete.connect(log_delete, sender=Location)
        try:
            result, elapsed = sync(job_model, user, without(records, removed))
        finally:
            pre_delete.disconnect(log_delete, sender=Location)
        phase = result.phases.get(name=SyncPhaseChoices.SYNC)
        rounds.append((phase.duration.total_seconds(), phase.query_count, elapsed, result, list(deleted)))
    _, queries, _, result, order = rounds[-1]
    first, pairs = parents_first(order, removed)
    return {
        "locations": len(records["location"]),
        "removed": len(removed),
        "sync": statistics.median(measured[0] for measured in rounds),
        "queries": queries,
        "end to end": statistics.median(measured[2] for measured in rounds),
        "recorded": f"{result.delete_count} deleted, {result.failed_count} failed",
        "parents first": f"{first} of {pairs}",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fanouts", default="2,3,2,1,1,1,1,1,1", help="children per location, level by level")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per mode (times: the median)")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()
    fanouts = tuple(int(number) for number in args.fanouts.split(","))

    with nautobot_on_clone("bench_trees", keep=args.keep_db):
        jobs, user = prepare_jobs()
        creates = {mode: measure_creates(job_model, user, fanouts, args.repeat) for mode, job_model in jobs.items()}
        deletes = {mode: measure_deletes(job_model, user, fanouts, args.repeat) for mode, job_model in jobs.items()}
    print(f"\nTree: {len(fanouts) + 1} levels, fanouts {args.fanouts}; {args.repeat} rounds per mode\n")
    print("Creating the whole tree (location types and locations):\n")
    print("| Mode | Locations | Sync phase (s) | Sync queries | End to end (s) | Data Sync |")
    print("|---|---:|---:|---:|---:|---|")
    for mode, row in creates.items():
        print(
            f"| {mode} | {row['locations']} | {row['sync']:.2f} | {row['queries']:,} | {row['end to end']:.2f} | "
            f"{row['recorded']} |"
        )
    print("\nRemoving the first subtree under the root:\n")
    print(
        "| Mode | Locations | Removed | Sync phase (s) | Sync queries | End to end (s) | Data Sync "
        "| Parents deleted first |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for mode, row in deletes.items():
        print(
            f"| {mode} | {row['locations']} | {row['removed']} | {row['sync']:.2f} | {row['queries']:,} | "
            f"{row['end to end']:.2f} | {row['recorded']} | {row['parents first']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
