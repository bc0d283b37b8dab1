"""Side-by-side benchmark: this app (per-object and bulk mode), nautobot-ssot and raw bulk_create, same dataset.

    .venv/bin/pip install -e ".[dev,bench]"        # once: nautobot-ssot from PyPI
    .venv/bin/python benchmarks/side_by_side.py --devices 1000
    .venv/bin/python benchmarks/side_by_side.py --devices 100 --only ours-bulk,ssot --scenarios no-op,changed --markdown

The inventory of inventory_sync.py (N devices x 8 interfaces, with locations, device types, roles) is synced by
each contender on a database of its own, cloned from one seed (the migrated test template plus nautobot-ssot's
migrations), in a process of its own (so peak memory compares):

    ours        the example job "Inventory file -> Nautobot" (jobs/examples/inventory) with ``bulk_mode = False``
                (benchmarks/jobs/inventory_per_object.py): one validated_save() per object
    ours-bulk   the same job with ``bulk_mode = True`` (benchmarks/jobs/inventory_bulk.py)
    ours-bulk-unstamped  the same without ownership stamps (benchmarks/jobs/inventory_bulk_unstamped.py): what
                the owner, last-written and last-seen metadata cost
    ssot        nautobot-ssot's contrib NautobotModel / NautobotAdapter (benchmarks/jobs/inventory_ssot.py)
    ours-hand   hand-written diffsync models (each object written with validated_save(), as most integrations do;
                benchmarks/handwritten_inventory.py) in this app's DataSource (benchmarks/jobs/inventory_handwritten.py)
    ssot-hand   the same models, adapters and job code in nautobot-ssot's DataSource
                (benchmarks/jobs/inventory_handwritten_ssot.py)
    raw         raw bulk_create / bulk_update / delete, no validation, no change log (benchmarks/raw_bulk.py)

Scenarios: initial (everything created), no-op (same file), changed (10% of the interface descriptions changed, 2%
of the devices removed). Jobs run through JobResult.execute_job() (the path of `nautobot-server runjob --local`); its
end-to-end time includes Nautobot's work after the job (job hooks, webhooks and events for every change record).
Without "initial" in --scenarios the dataset is first created, unmeasured: by the contender's own job for this app's
contenders (a no-op of this app on objects it did not write would stamp their ownership, which is not a no-op), else
with raw bulk_create.
After each scenario the Nautobot state of every contender is compared; a difference is printed and exits 1.

Timings on a shared machine move by 10 to 25% between identical runs. ``--repeat K`` runs the fast contenders
(``REPEATED``: seconds each) K times, alternating with each other, each run in a fresh database and process; the
slow ones (minutes) run once. Per scenario the tables show each contender's median run (all its figures from that
one run) and list every run's end-to-end time; the states of all runs are compared. With raw among them, each
repeated contender's runs are also set against raw's run of the same number, which ran next to it: the median of
those ratios drifts less with the machine's speed than the ratio of the two medians.
"""

import argparse
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, suppress
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
from development.launch import NAUTOBOT_SERVER, ensure_template, prepare  # noqa: E402

BENCH_CONFIG = REPO_ROOT / "benchmarks" / "nautobot_config.py"
CONTENDERS = {
    "ours": "this app, per-object",
    "ours-bulk": "this app, bulk mode",
    "ours-bulk-unstamped": "this app, bulk mode, no ownership stamps",
    "ssot": "nautobot-ssot",
    "ours-hand": "this app, hand-written models",
    "ssot-hand": "nautobot-ssot, hand-written models",
    "raw": "raw bulk_create",
}
REPEATED = ("ours-bulk", "ours-bulk-unstamped", "raw")
"""The contenders ``--repeat`` runs more than once: seconds per run, against minutes for the others."""
BASELINE = {"ours-hand": "ssot-hand", "ssot-hand": "ssot-hand"}
"""The contender each one is compared with in "Speed-up vs ssot" (default: ssot): the same models on nautobot-ssot."""
JOBS = {
    "ours": "inventory_per_object.InventoryFilePerObjectDataSource",
    "ours-bulk": "inventory_bulk.InventoryFileBulkDataSource",
    "ours-bulk-unstamped": "inventory_bulk_unstamped.InventoryFileBulkUnstampedDataSource",
    "ssot": "inventory_ssot.MeteredInventorySsotDataSource",
    "ours-hand": "inventory_handwritten.InventoryHandWrittenDataSource",
    "ssot-hand": "inventory_handwritten_ssot.InventoryHandWrittenSsotDataSource",
}
SCENARIOS = ("initial", "no-op", "changed")
PHASES = ("Source load", "Target load", "Diff calculation", "Sync execution")
MIB = 2**20


def csv_choice(choices):
    def parse(value):
        items = [item.strip() for item in value.split(",") if item.strip()]
        unknown = [item for item in items if item not in choices]
        if unknown or not items:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(choices)} (comma-separated)")
        return [choice for choice in choices if choice in items]

    return parse


# ---------------------------------------------------------------- in a contender's process


def rss():
    """(current, peak) resident memory of this process in bytes, from /proc (None where unavailable)."""
    try:
        fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
        return int(fields["VmRSS"].split()[0]) * 1024, int(fields["VmHWM"].split()[0]) * 1024
    except (OSError, KeyError):
        return None, None


def reset_peak_rss():
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS


def nautobot_state():
    """Counts of the synced models and a digest of every synced field, to compare contenders."""
    from nautobot.dcim.models import Device, DeviceType, Interface, Location, LocationType, Manufacturer
    from nautobot.extras.models import Role

    roles = Role.objects.filter(content_types__app_label="dcim", content_types__model="device")
    querysets = {
        "location types": LocationType.objects.values_list("name", "parent__name", "nestable", "content_types__model"),
        "locations": Location.objects.values_list("name", "location_type__name", "parent__name", "status__name"),
        "manufacturers": Manufacturer.objects.values_list("name", "description"),
        "device types": DeviceType.objects.values_list("model", "manufacturer__name", "part_number"),
        "roles": roles.values_list("name", "description"),
        "devices": Device.objects.values_list(
            "name", "location__name", "device_type__model", "role__name", "status__name", "serial"
        ),
        "interfaces": Interface.objects.values_list(
            "device__name", "name", "type", "description", "enabled", "status__name"
        ),
    }
    digest = hashlib.sha256()
    counts = {}
    for label, queryset in querysets.items():
        rows = sorted(queryset, key=repr)
        counts[label] = len(rows)
        digest.update(repr(rows).encode())
    return {"counts": counts, "digest": digest.hexdigest()[:16]}


def job_phases(contender, job_result):
    """Per phase (seconds, queries, traced peak bytes) and (recorded seconds, summary) of the job's own record."""
    if contender.startswith("ssot"):
        from nautobot_ssot.models import Sync as SsotSync

        from benchmarks.phase_meter import PHASES as METERED

        sync = SsotSync.objects.get(job_result=job_result)
        fields = ("source_load", "target_load", "diff", "sync")
        phases = {
            label: {**METERED[label], "peak": getattr(sync, f"{field}_memory_peak")}
            for label, field in zip(PHASES, fields, strict=True)
            if label in METERED
        }
        summary = ", ".join(f"{count:,} {action}" for action, count in (sync.summary or {}).items())
        return phases, sync.duration.total_seconds(), summary
    from nautobot_data_sync.models import Sync

    sync = Sync.objects.get(job_result=job_result)
    phases = {
        phase.get_name_display(): {
            "seconds": phase.duration.total_seconds(),
            "queries": phase.query_count,
            "peak": phase.memory_peak,
        }
        for phase in sync.phases.order_by("start_time")
    }
    summary = (
        f"{sync.create_count:,} created, {sync.update_count:,} updated, {sync.delete_count:,} deleted, "
        f"{sync.unchanged_count:,} unchanged, {sync.failed_count:,} failed"
    )
    return phases, sync.duration.total_seconds(), summary


def prepare_job(class_path):
    """The Job record of ``class_path`` (loaded as Nautobot loads it), enabled and allowed to run for 2 hours."""
    from nautobot.extras.jobs import get_job
    from nautobot.extras.models import Job as JobModel
    from nautobot.extras.models import JobQueue
    from nautobot.extras.utils import refresh_job_model_from_job_class

    job_class = get_job(class_path, reload=True)
    if job_class is None:
        raise SystemExit(f"Nautobot cannot load the job {class_path} (see the log above)")
    job_model, _ = refresh_job_model_from_job_class(JobModel, job_class, JobQueue)
    job_model.enabled = True
    job_model.soft_time_limit, job_model.time_limit = 7200, 7500
    job_model.soft_time_limit_override = job_model.time_limit_override = True
    job_model.validated_save()
    return job_model


def run_scenario(contender, job_model, user, inventory_path, memory):
    """Run one contender once; return its figures."""
    from django.db import connections
    from nautobot.extras.models import ObjectChange

    from benchmarks import raw_bulk
    from nautobot_data_sync.sync.metrics import QueryCounter, traced_memory

    counter = QueryCounter()
    change_records = ObjectChange.objects.count()
    rss_before, _ = rss()
    reset_peak_rss()
    with ExitStack() as stack:
        for alias in ("default", "job_logs"):  # the job's log and this app's records use "job_logs"
            stack.enter_context(connections[alias].execute_wrapper(counter))
        started = time.perf_counter()
        if job_model:
            job_kwargs = {"dryrun": False, "memory_profiling": memory, "parallel_loading": False}
            job_result = execute_job(job_model, user, job_kwargs)
        else:
            with traced_memory(memory):
                raw_phases = raw_bulk.run(inventory_path, memory)
        elapsed = time.perf_counter() - started
    _, rss_peak = rss()
    result = {"end_to_end": elapsed, "queries": counter.count, "rss_before": rss_before, "rss_peak": rss_peak}
    result["change_records"] = ObjectChange.objects.count() - change_records
    if job_model:
        phases, recorded, summary = job_phases(contender, job_result)
        result.update(phases=phases, recorded=recorded, summary=summary, status=job_result.status)
        if job_result.status != "SUCCESS":
            result["error"] = job_result.traceback or "the job failed (see its log)"
    else:
        phases = {
            label: {"seconds": m.duration.total_seconds(), "queries": m.query_count, "peak": m.memory_peak}
            for label, m in raw_phases.items()
        }
        written = raw_phases["Sync execution"].objects
        result.update(phases=phases, recorded=None, summary=f"{written:,} rows written", status="SUCCESS")
    return result


def create_dataset(contender, job_model, user, inventory_path):
    """The initial dataset, unmeasured: written and stamped by this app's job for its contenders, else raw."""
    from benchmarks import raw_bulk

    if contender.startswith("ours"):
        job_kwargs = {"dryrun": False, "memory_profiling": False, "parallel_loading": False}
        job_result = execute_job(job_model, user, job_kwargs)
        if job_result.status != "SUCCESS":
            sys.exit(f"{contender}: creating the dataset failed: {job_result.traceback}")
    else:
        raw_bulk.run(inventory_path, profile_memory=False)


def worker(args):
    """Run the scenarios of one contender in this process; write the figures as JSON to ``args.result_file``."""
    workdir = tempfile.mkdtemp(prefix="side-by-side-")
    inventory_path = Path(workdir) / "inventory.json"
    os.environ["DATA_SYNC_INVENTORY_FILE"] = str(inventory_path)

    import nautobot

    nautobot.setup(str(BENCH_CONFIG))
    from django.contrib.auth import get_user_model

    from nautobot_data_sync.jobs.base import DataSource

    results = {"contender": args.worker, "scenarios": {}, "notes": []}
    job_model = None
    if args.worker in JOBS:
        job_model = prepare_job(JOBS[args.worker])
        if args.worker == "ours-bulk" and not hasattr(DataSource, "bulk_mode"):
            results["notes"].append("this checkout's DataSource has no bulk_mode: ours-bulk wrote per object")
    user, _ = get_user_model().objects.get_or_create(username="benchmark", defaults={"is_superuser": True})
    inventory = make_inventory(args.devices)
    write_inventory(inventory, inventory_path)
    try:
        for scenario in SCENARIOS:
            if scenario == "changed":
                change_inventory(inventory)
                write_inventory(inventory, inventory_path)
            if scenario not in args.scenarios:
                if scenario == "initial":  # later scenarios need the dataset (see the module docstring)
                    create_dataset(args.worker, job_model, user, inventory_path)
                continue
            print(f"  {args.worker}: {scenario} ...", flush=True)
            result = run_scenario(args.worker, job_model, user, inventory_path, args.memory)
            result["state"] = nautobot_state()
            results["scenarios"][scenario] = result
            print(f"  {args.worker}: {scenario} took {result['end_to_end']:,.2f} s ({result['status']})", flush=True)
            if "error" in result:
                print(result["error"], flush=True)
                break
    finally:
        inventory_path.unlink(missing_ok=True)
        os.rmdir(workdir)
        Path(args.result_file).write_text(json.dumps(results))
    return 0


# ---------------------------------------------------------------- orchestration


def seed_database(env, template):
    """The seed every contender's database is cloned from: the test template, plus nautobot-ssot's migrations."""
    seed = f"{env['NAUTOBOT_DB_NAME']}_sxs_seed"
    create_database(env, seed, template)
    if importlib.util.find_spec("nautobot_ssot"):
        print("Applying nautobot-ssot's migrations to the seed database ...", flush=True)
        migrate = [NAUTOBOT_SERVER, "migrate", "--no-input"]
        seed_env = {**env, "NAUTOBOT_DB_NAME": seed, "NAUTOBOT_CONFIG": str(BENCH_CONFIG)}
        done = subprocess.run(migrate, env=seed_env, cwd=REPO_ROOT, check=False, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"Migrating the seed database failed:\n{done.stdout}{done.stderr}")
    return seed


def run_contender(env, contender, seed, args):
    database = f"{env['NAUTOBOT_DB_NAME']}_sxs_{contender.replace('-', '_')}"
    create_database(env, database, seed)
    with tempfile.NamedTemporaryFile(suffix=".json") as result_file:
        command = [sys.executable, __file__, "--worker", contender, "--result-file", result_file.name]
        command += ["--devices", str(args.devices), "--scenarios", ",".join(args.scenarios)]
        command += ["--memory"] if args.memory else []
        worker_env = {**env, "NAUTOBOT_DB_NAME": database, "NAUTOBOT_CONFIG": str(BENCH_CONFIG)}
        worker_env.setdefault("NAUTOBOT_LOG_LEVEL", "WARNING")
        code = subprocess.run(command, env=worker_env, cwd=REPO_ROOT, check=False).returncode
        text = Path(result_file.name).read_text()
    if not args.keep_db:
        drop_database(env, database)
    if code or not text:
        return {"contender": contender, "scenarios": {}, "notes": [f"the contender's process failed (exit {code})"]}
    return json.loads(text)


def check_states(runs, scenarios):
    """Mismatches of the Nautobot state between all runs of all contenders, per scenario (an empty list when all
    agree)."""
    mismatches = []
    for scenario in scenarios:
        states = {
            f"{r['contender']} (run {r['run']})": r["scenarios"][scenario]["state"]
            for r in runs
            if scenario in r["scenarios"]
        }
        if len({(json.dumps(s["counts"], sort_keys=True), s["digest"]) for s in states.values()}) > 1:
            lines = [f"{name}: {s['counts']} digest {s['digest']}" for name, s in states.items()]
            mismatches.append(f"{scenario}:\n    " + "\n    ".join(lines))
    return mismatches


# ---------------------------------------------------------------- report


def table(header, rows, markdown, right):
    """A Markdown table, or plain text with aligned columns; columns from index ``right`` on are right-aligned."""
    if markdown:
        rules = ["---" if i < right else "---:" for i in range(len(header))]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in [header, rules, *rows])
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells):
        return "  ".join(
            cell.ljust(w) if i < right else cell.rjust(w) for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(header), "  ".join("-" * width for width in widths), *(line(row) for row in rows)])


def mib(value):
    return f"{value / MIB:,.1f}" if value is not None else "-"


def ratio(numerator, denominator):
    return f"{numerator / denominator:,.1f}x" if numerator and denominator else ""


def phase_cell(phase):
    """A phase's figures: "1.15 s, 5 q", and its traced peak when memory was profiled."""
    cell = f"{phase['seconds']:,.2f} s, {phase['queries']:,} q"
    return cell + (f", {mib(phase['peak'])} MiB" if phase.get("peak") is not None else "")


def phase_rows(results, scenarios):
    rows = []
    for scenario in scenarios:
        for result in results:
            figures = result["scenarios"].get(scenario)
            if figures:
                phases = [phase_cell(figures["phases"][p]) if p in figures["phases"] else "" for p in PHASES]
                end_to_end = {"seconds": figures["end_to_end"], "queries": figures["queries"]}
                recorded = f"{figures['recorded']:,.2f} s" if figures["recorded"] is not None else ""
                rows.append([scenario, result["contender"], *phases, recorded, phase_cell(end_to_end)])
    return rows


def summary_rows(results, scenarios):
    rows = []
    for scenario in scenarios:
        by_name = {r["contender"]: r["scenarios"][scenario] for r in results if scenario in r["scenarios"]}
        raw = by_name.get("raw", {})
        for name, figures in by_name.items():
            ssot = by_name.get(BASELINE.get(name, "ssot"), {})
            rows.append(
                [
                    scenario,
                    name,
                    figures["summary"],
                    f"{figures['end_to_end']:,.2f}",
                    f"{figures['queries']:,}",
                    mib(figures["rss_peak"]),
                    mib(max(0, figures["rss_peak"] - figures["rss_before"])) if figures["rss_peak"] else "-",
                    f"{figures['change_records']:,}",
                    ratio(ssot.get("end_to_end"), figures["end_to_end"]),
                    ratio(figures["end_to_end"], raw.get("end_to_end")),
                ]
            )
    return rows


def lower_median(ordered):
    """The middle item of ``ordered``; of an even number, the lower middle one (an item that was measured)."""
    return ordered[(len(ordered) - 1) // 2]


def median_runs(runs):
    """One result per contender, in the order they first ran: per scenario, its median run by end-to-end time
    (``lower_median()``), with every run's time in ``all_runs``."""
    by_contender = {}
    for run in runs:
        by_contender.setdefault(run["contender"], []).append(run)
    results = []
    for contender, its_runs in by_contender.items():
        notes = list(dict.fromkeys(note for run in its_runs for note in run["notes"]))  # each run repeats them
        result = {"contender": contender, "scenarios": {}, "notes": notes}
        for scenario in SCENARIOS:
            figures = sorted(
                (r["scenarios"][scenario] for r in its_runs if scenario in r["scenarios"]),
                key=lambda f: f["end_to_end"],
            )
            if figures:
                median = dict(lower_median(figures))
                median["all_runs"] = [f["end_to_end"] for f in figures]
                result["scenarios"][scenario] = median
        results.append(result)
    return results


def paired_ratio_rows(runs, scenarios):
    """Per scenario and repeated contender, each run's end to end over that of raw's run with the same number (the
    two ran one after the other), with their median (``lower_median()``): a ratio that drifts less with the machine's
    speed than the ratio of two medians taken over minutes."""
    raw = {(run["run"], scenario): figures.get("end_to_end") for run in runs if run["contender"] == "raw"
           for scenario, figures in run["scenarios"].items()}  # fmt: skip
    rows = []
    for scenario in scenarios:
        ratios = {}
        for run in runs:
            mine, theirs = run["scenarios"].get(scenario, {}).get("end_to_end"), raw.get((run["run"], scenario))
            if run["contender"] in REPEATED and run["contender"] != "raw" and mine and theirs:
                ratios.setdefault(run["contender"], []).append(mine / theirs)
        for contender, values in ratios.items():
            if len(values) > 1:
                values.sort()
                median = lower_median(values)
                rows.append([scenario, contender, f"{median:,.1f}x", ", ".join(f"{value:,.1f}x" for value in values)])
    return rows


def report(runs, args):
    results = median_runs(runs)
    scenarios = [s for s in SCENARIOS if s in args.scenarios]
    objects = args.devices * (INTERFACES_PER_DEVICE + 1)
    profiling = "on (tracemalloc: Python-heavy phases run about 3x slower)" if args.memory else "off"
    print(
        f"\nN = {args.devices:,} devices x {INTERFACES_PER_DEVICE} interfaces (about {objects:,} objects); "
        f"memory profiling {profiling}\n"
    )
    header = ["Scenario", "Contender", "Outcome", "End to end (s)", "Queries", "Peak RSS (MiB)", "RSS growth (MiB)",
              "Change records", "Speed-up vs ssot", "x raw time"]  # fmt: skip
    print(table(header, summary_rows(results, scenarios), args.markdown, right=3))
    print()
    header = ["Scenario", "Contender", *PHASES, "Sync record, start to end", "End to end"]
    print(table(header, phase_rows(results, scenarios), args.markdown, right=2))
    if args.repeat > 1:
        print(f"\nEnd to end of every run (--repeat {args.repeat}: {', '.join(REPEATED)}; the others ran once):\n")
        rows = [
            [scenario, result["contender"], f"{figures['end_to_end']:,.2f}", ", ".join(f"{s:,.2f}" for s in times)]
            for scenario in scenarios
            for result in results
            if (figures := result["scenarios"].get(scenario)) and len(times := figures["all_runs"]) > 1
        ]
        print(table(["Scenario", "Contender", "Median (s)", "All runs, fastest first (s)"], rows, args.markdown, 2))
        if rows := paired_ratio_rows(runs, scenarios):
            print("\nx raw time, run by run (each run against raw's run of the same number, which ran next to it):\n")
            print(table(["Scenario", "Contender", "Median", "All runs, lowest first"], rows, args.markdown, 2))
    for result in results:
        for note in result["notes"]:
            print(f"\nNote ({result['contender']}): {note}")
    for run in runs:  # every run's: a failed run is seldom the median one
        for scenario, figures in run["scenarios"].items():
            if "error" in figures:
                print(f"\n!!! {run['contender']} (run {run['run']}) failed in {scenario}:\n{figures['error']}")
    mismatches = check_states(runs, scenarios)
    for mismatch in mismatches:
        print(f"\n!!! NAUTOBOT STATE MISMATCH after {mismatch}")
    if not mismatches:
        print("\nNautobot state after each scenario: identical for all contenders (counts and a digest of all fields).")
    failed = any(not r["scenarios"] or any("error" in f for f in r["scenarios"].values()) for r in runs)
    return 1 if mismatches or failed else 0


def run_order(contenders, repeat):
    """Each contender once, then the ``REPEATED`` ones ``repeat - 1`` times more, alternating: (contender, run)."""
    order = [(contender, 1) for contender in contenders]
    for run in range(2, repeat + 1):
        order += [(contender, run) for contender in contenders if contender in REPEATED]
    return order


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=int(os.environ.get("N", "100")), help="default: $N or 100")
    parser.add_argument("--only", type=csv_choice(list(CONTENDERS)), default=list(CONTENDERS), help="contenders")
    parser.add_argument("--scenarios", type=csv_choice(SCENARIOS), default=list(SCENARIOS))
    parser.add_argument("--memory", action="store_true", help="trace memory per phase (tracemalloc; slower)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables (for docs/performance.md)")
    parser.add_argument("--keep-db", action="store_true", help="keep the contenders' databases afterwards")
    parser.add_argument("--repeat", type=int, default=1, metavar="K", help=f"run {', '.join(REPEATED)} K times")
    parser.add_argument("--save", metavar="PATH", help="also write every figure, per run, to PATH as JSON")
    parser.add_argument("--worker", choices=list(CONTENDERS), help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if any(name.startswith("ssot") for name in args.only) and not importlib.util.find_spec("nautobot_ssot"):
        sys.exit('nautobot-ssot is not installed: .venv/bin/pip install -e ".[dev,bench]" (or leave out "ssot")')

    env = prepare()
    seed = seed_database(env, ensure_template(env))
    print(f"Seed database {seed}; contenders: {', '.join(args.only)}; scenarios: {', '.join(args.scenarios)}")
    try:
        runs = []
        for contender, run in run_order(args.only, args.repeat):
            print(f"\n{contender} ({CONTENDERS[contender]}), run {run}", flush=True)
            runs.append({**run_contender(env, contender, seed, args), "run": run})
    finally:
        drop_database(env, seed)
    if args.save:
        Path(args.save).write_text(json.dumps({"devices": args.devices, "memory": args.memory, "results": runs}))
    return report(runs, args)


if __name__ == "__main__":
    sys.exit(main())
