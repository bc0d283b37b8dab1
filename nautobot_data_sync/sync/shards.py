"""The records of a sharded sync (``SyncShard`` rows): which job runs are alive, which stage comes next, the counts.

A sharded sync is one Data Sync written by several job runs: the coordinating run (the shared models' creates and
updates), then one run per shard for its creates and updates, then, once every shard has written, one run per shard
for its deletes and last the shared models' deletes (``jobs.sharding`` queues them). Each run holds a run lock of its
own while it runs; a queued run is alive while its Job Result waits for a worker.
"""

import json
from collections import Counter

from django.db import transaction
from django.utils import timezone
from nautobot.extras.choices import JobResultStatusChoices

from nautobot_data_sync.choices import ChangeStatusChoices, ShardStageChoices, ShardStatusChoices, SyncStatusChoices
from nautobot_data_sync.models import Sync, SyncChange, SyncShard
from nautobot_data_sync.sync.recorder import COUNT_FIELDS, RECORDS_DB
from nautobot_data_sync.sync.runlock import RunLock

UNFINISHED = (ShardStatusChoices.PENDING, ShardStatusChoices.RUNNING)
SUPERSEDED = (ChangeStatusChoices.FAILED, ChangeStatusChoices.SKIPPED)
"""Outcomes of a job run's attempt that its retry replaces."""
DEAD = "Its job run ended (worker stopped, killed or lost) before it did."


def is_alive(shard):
    """Whether a queued or running job run of a sharded sync is still going."""
    if shard.status == ShardStatusChoices.PENDING:
        job_result = shard.job_result
        return job_result is not None and job_result.status not in JobResultStatusChoices.READY_STATES
    if shard.status == ShardStatusChoices.RUNNING:
        return not RunLock(shard.lock_name).is_free()
    return False


def sharded_run_alive(lock_name):
    """Whether a sharded sync under ``lock_name`` still has a job run queued or running (the caller holds the lock,
    so no unsharded run is alive). The job runs found dead are marked failed, so that they can be retried."""
    alive = False
    for sync in Sync.objects.using(RECORDS_DB).filter(lock=lock_name, status=SyncStatusChoices.RUNNING):
        shards = list(sync.shards.filter(status__in=UNFINISHED).select_related("job_result", "sync"))
        for shard in shards:
            if is_alive(shard):
                alive = True
            else:
                end(shard, ShardStatusChoices.FAILED, DEAD)
    return alive


def end(shard, status, summary, counts=None):
    """Record the end of ``shard``'s job run; returns True when it was the last of its stage to end (and so has to
    start the next one). The sync's row is locked meanwhile: of two runs ending together, one only is last."""
    with transaction.atomic(using=RECORDS_DB):
        Sync.objects.using(RECORDS_DB).select_for_update().filter(pk=shard.sync_id).first()
        shard.status, shard.summary, shard.end_time = status, summary, timezone.now()
        if counts is not None:
            shard.counts = counts
        shard.save(using=RECORDS_DB)
        stage = SyncShard.objects.using(RECORDS_DB).filter(sync_id=shard.sync_id, stage=shard.stage)
        return not stage.filter(status__in=UNFINISHED).exists()


def next_stage(sync, stage):
    """What follows the end of ``stage`` of ``sync``: the deletes of its shards, then the shared models' deletes (as
    ``(stage, numbers)``), or None when the sync is done (or cannot go on: a run failed or was blocked)."""
    shards = SyncShard.objects.using(RECORDS_DB).filter(sync=sync)
    if sync.dry_run or shards.filter(status__in=(ShardStatusChoices.FAILED, ShardStatusChoices.BLOCKED)).exists():
        return None
    if stage == ShardStageChoices.WRITES:
        numbers = sorted(shards.filter(stage=stage).exclude(number=0).values_list("number", flat=True))
        return ShardStageChoices.DELETES, numbers or [0]
    if not shards.filter(stage=ShardStageChoices.DELETES, number=0).exists():
        return ShardStageChoices.DELETES, [0]
    return None


def reconcile_moves(sync):
    """In a sharded dry-run, the shard an object left plans its delete, the one it moved to its update (that moves
    it): the planned delete of such an object, and of what is under it, is marked moved. Returns ``{model: how
    many}``."""
    planned = SyncChange.objects.using(RECORDS_DB).filter(sync=sync, status=ChangeStatusChoices.PLANNED)
    deletes = list(planned.filter(action="delete").values("pk", "shard_id", "model_name", "identifiers", "parents"))
    models = {row["model_name"] for row in deletes} | {name for row in deletes for name, _ in row["parents"] or ()}
    updated = {
        _key(row["model_name"], row["identifiers"]): row["shard_id"]
        for row in planned.filter(action="update", model_name__in=models).values(
            "shard_id", "model_name", "identifiers"
        )
    }
    moved, counts = [], Counter()
    for row in deletes:
        keys = [_key(row["model_name"], row["identifiers"]), *(_key(*parent) for parent in row["parents"] or ())]
        if any(updated.get(key, row["shard_id"]) != row["shard_id"] for key in keys):
            moved.append(row["pk"])
            counts[row["model_name"]] += 1
    SyncChange.objects.using(RECORDS_DB).filter(pk__in=moved).update(
        status=ChangeStatusChoices.MOVED, message="Not to be deleted: it moved to another shard, which updates it."
    )
    return counts


def _key(model_name, identifiers):
    return model_name, json.dumps(identifiers, sort_keys=True, default=str)


def total_counts(sync, moved=None):
    """The sync's count fields: the sums of those of its job runs (less the ``moved`` deletes)."""
    totals = dict.fromkeys(COUNT_FIELDS, 0)
    by_model = {}
    for model, number in (moved or {}).items():
        totals["delete_count"] -= number
        totals["kept_count"] += number
        by_model[model] = Counter({"delete": -number, ChangeStatusChoices.MOVED: number})
    runs = SyncShard.objects.using(RECORDS_DB).filter(sync=sync).values_list("stage", "counts")
    for stage, counts in runs:
        seen_again = stage == ShardStageChoices.DELETES  # its unchanged objects were counted by the writes
        for name in COUNT_FIELDS:
            if not (seen_again and name == "unchanged_count"):
                totals[name] += counts.get(name, 0)
        for model, model_counts in counts.get("counts_by_model", {}).items():
            counted = {key: n for key, n in model_counts.items() if not (seen_again and key == "unchanged")}
            by_model.setdefault(model, Counter()).update(counted)
    totals["counts_by_model"] = {model: {k: v for k, v in counts.items() if v} for model, counts in by_model.items()}
    return totals


def after_retry(previous, retry):
    """The counts of a job run retried: what the earlier attempt wrote, and the retry's outcome (its unchanged
    objects, less those the earlier attempt wrote: the retry found them as they were left)."""
    if not previous:
        return retry
    merged = {name: retry.get(name, 0) for name in COUNT_FIELDS}
    for name in ("create_count", "update_count", "delete_count", "kept_count", "conflict_count"):
        merged[name] += previous.get(name, 0)
    written = previous.get("create_count", 0) + previous.get("update_count", 0)
    merged["unchanged_count"] = max(0, merged["unchanged_count"] - written)
    by_model = {}
    for model in {*previous.get("counts_by_model", {}), *retry.get("counts_by_model", {})}:
        before = previous.get("counts_by_model", {}).get(model, {})
        counts = Counter(retry.get("counts_by_model", {}).get(model, {}))
        counts.update({key: value for key, value in before.items() if key in ("create", "update", "delete", "kept")})
        counts["unchanged"] = max(0, counts["unchanged"] - before.get("create", 0) - before.get("update", 0))
        by_model[model] = {key: value for key, value in counts.items() if value}
    merged["counts_by_model"] = by_model
    return merged


def outcome(sync):
    """The sync's status once its last job run ended: failed or blocked if any of them was."""
    statuses = set(SyncShard.objects.using(RECORDS_DB).filter(sync=sync).values_list("status", flat=True))
    if ShardStatusChoices.FAILED in statuses:
        return SyncStatusChoices.FAILED
    if ShardStatusChoices.BLOCKED in statuses:
        return SyncStatusChoices.BLOCKED
    return SyncStatusChoices.SUCCEEDED
