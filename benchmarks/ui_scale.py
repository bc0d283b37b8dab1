"""Benchmark the Data Sync pages on a huge sync: render time and queries with 200,000 change rows.

    .venv/bin/python benchmarks/ui_scale.py --changes 200000      (or N=200000 in the environment)

Clones a fresh database from the migrated test template, inserts one finished Data Sync with its four phases and N
SyncChange rows (one INSERT ... SELECT in PostgreSQL: seconds, not minutes), then renders each page through Django's
test client as a superuser: warm-up once, then the median of --repeat runs, with the number of SQL queries and the
size of the HTML. The development database is untouched.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.inventory_sync import create_database, drop_database  # noqa: E402
from development.launch import CONFIG, ensure_template, prepare  # noqa: E402

MODELS = ("location", "device_type", "device", "interface", "ip_address")
TARGET_SECONDS = 1.0


def create_sync(changes):
    """One finished, non-dry-run Data Sync with four phases and ``changes`` change rows; returns it."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from nautobot_data_sync.choices import SyncPhaseChoices, SyncStatusChoices
    from nautobot_data_sync.models import Sync, SyncChange, SyncPhase

    start = timezone.now() - timedelta(minutes=10)
    per_action = {
        "create": changes // 2,
        "update": changes * 3 // 10,
        "delete": changes - changes // 2 - changes * 3 // 10,
    }
    sync = Sync.objects.create(
        source="Benchmark inventory",
        target="Nautobot",
        dry_run=False,
        status=SyncStatusChoices.SUCCEEDED,
        start_time=start,
        end_time=start + timedelta(minutes=4),
        summary=f"Applied: {changes:,} changes (benchmark data).",
        create_count=per_action["create"],
        update_count=per_action["update"],
        delete_count=per_action["delete"],
        counts_by_model={model: {"create": changes // len(MODELS)} for model in MODELS},
    )
    for index, name in enumerate(SyncPhaseChoices.values()):
        SyncPhase.objects.create(
            sync=sync,
            name=name,
            start_time=start + timedelta(minutes=index),
            duration=timedelta(seconds=30 + index),
            memory_final=(100 + index) * 2**20,
            memory_peak=(300 + index) * 2**20,
            query_count=10 + index,
            object_count=changes,
        )
    # Sequence n: model n % 5, action create for the first half, update for the next 30 %, delete for the rest.
    table = SyncChange._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (id, sync_id, sequence, model_name, unique_id, action, status,
                                 attributes_before, attributes_after, message, object_repr)
            SELECT gen_random_uuid(), %(sync)s, n, (%(models)s::text[])[1 + n %% 5], 'obj-' || lpad(n::text, 7, '0'),
                   CASE WHEN n <= %(creates)s THEN 'create' WHEN n <= %(updates)s THEN 'update' ELSE 'delete' END,
                   'succeeded',
                   CASE WHEN n > %(creates)s THEN jsonb_build_object('description', 'old ' || n) END,
                   CASE WHEN n <= %(updates)s THEN jsonb_build_object('description', 'new ' || n, 'enabled', true) END,
                   '', 'obj-' || lpad(n::text, 7, '0')
            FROM generate_series(1, %(changes)s) AS n
            """,
            {
                "sync": sync.pk,
                "models": list(MODELS),
                "creates": per_action["create"],
                "updates": per_action["create"] + per_action["update"],
                "changes": changes,
            },
        )
        cursor.execute(f"ANALYZE {table}")
    return sync


def measure(client, url, repeat):
    """(median seconds, SQL queries, KiB of HTML) of GET ``url``, after one warm-up request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
    return statistics.median(timings), len(queries.captured_queries), len(response.content) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=int(os.environ.get("N", "200000")), help="default: $N or 200000")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page (median reported)")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    env = prepare()
    template = ensure_template(env)
    database = f"{env['NAUTOBOT_DB_NAME']}_uibench"
    create_database(env, database, template)
    env.update(NAUTOBOT_DB_NAME=database)
    env.setdefault("NAUTOBOT_LOG_LEVEL", "WARNING")
    os.environ.update(env)

    import nautobot

    nautobot.setup(str(CONFIG))
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    try:
        setup_test_environment()  # lets the test client run against the configured ALLOWED_HOSTS
        started = time.perf_counter()
        sync = create_sync(args.changes)
        print(f"Inserted {args.changes:,} change rows into {database} in {time.perf_counter() - started:.1f} s\n")
        user = get_user_model().objects.create(username="benchmark", is_superuser=True)
        client = Client()
        client.force_login(user)

        changes_tab = reverse("plugins:nautobot_data_sync:sync_changes", kwargs={"pk": sync.pk})
        change_list = reverse("plugins:nautobot_data_sync:syncchange_list")
        api_changes = reverse("plugins-api:nautobot_data_sync-api:syncchange-list")
        last_page = -(-args.changes // 50)
        pages = [
            ("Data Sync detail", sync.get_absolute_url()),
            ("Changes tab, first page", f"{changes_tab}?per_page=50"),
            ("Changes tab, page in the middle", f"{changes_tab}?per_page=50&page={last_page // 2}"),
            ("Changes tab, model + action filter", f"{changes_tab}?per_page=50&model_name=interface&action=update"),
            ("Changes tab, status filter (no match)", f"{changes_tab}?per_page=50&status=failed"),
            ("Changes tab, search on unique id", f"{changes_tab}?per_page=50&q=obj-0123456"),
            ("Changes tab, search (no match)", f"{changes_tab}?per_page=50&q=nothing-like-this"),
            ("Change list across syncs, filtered", f"{change_list}?sync={sync.pk}&action=delete&per_page=50"),
            ("Job logs tab", reverse("plugins:nautobot_data_sync:sync_job_logs", kwargs={"pk": sync.pk})),
            ("Dashboard", reverse("plugins:nautobot_data_sync:dashboard")),
            ("REST changes, filtered", f"{api_changes}?sync={sync.pk}&model_name=device&limit=50"),
        ]
        print(
            f"| Page ({args.changes:,} changes) | Median (s) | SQL queries | HTML (KiB) | Under {TARGET_SECONDS:g} s |"
        )
        print("|---|---:|---:|---:|---|")
        slow = 0
        for label, url in pages:
            seconds, queries, size = measure(client, url, args.repeat)
            slow += seconds >= TARGET_SECONDS
            ok = "yes" if seconds < TARGET_SECONDS else "**no**"
            print(f"| {label} | {seconds:.3f} | {queries} | {size:,.0f} | {ok} |", flush=True)
        return 1 if slow else 0
    finally:
        connections.close_all()
        if not args.keep_db:
            drop_database(env, database)


if __name__ == "__main__":
    sys.exit(main())
