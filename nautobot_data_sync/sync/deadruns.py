"""Runs whose process died (killed, out of memory, machine lost): found by their free run lock, and closed.

A running sync holds its run lock until it ends (``runlock``); a Data Sync still "running" whose lock is free
belongs to a process that is gone (a sharded sync: when none of its job runs is queued or running, ``shards``). It
is marked interrupted, its JobResult failed, and what it wrote is listed in full: each change record Nautobot's
change log holds for the run (its request id) that the Data Sync does not (its last records were still in the
process's memory) is added, as recovered from the change log.
"""

from collections import Counter, defaultdict

from django.db.models import Count
from django.utils import timezone
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import JobResult, ObjectChange

from nautobot_data_sync.choices import ChangeStatusChoices, SyncStatusChoices
from nautobot_data_sync.models import Sync, SyncChange
from nautobot_data_sync.sync.recorder import COUNT_FIELDS, RECORDS_DB, count_field, model_count_key
from nautobot_data_sync.sync.runlock import RunLock
from nautobot_data_sync.sync.shards import sharded_run_alive

RECOVERED = "recovered from Nautobot's change log: the run's own record of it was lost when its process ended"


def close_dead_runs(lock_name):
    """Close every Data Sync still "running" under ``lock_name``; the caller holds that lock (so none is alive)."""
    dead = list(Sync.objects.using(RECORDS_DB).filter(lock=lock_name, status=SyncStatusChoices.RUNNING))
    for sync in dead:
        interrupt(sync)
    return dead


def close_if_dead(sync):
    """Close ``sync`` if it is "running" but its process is gone (its run lock is free); True if closed."""
    if sync.status != SyncStatusChoices.RUNNING or not sync.lock:
        return False
    lock = RunLock(sync.lock)
    if not lock.acquire():
        return False
    try:
        if sharded_run_alive(sync.lock):  # a sharded sync's lock is free while its shards run
            return False
        sync.refresh_from_db(using=RECORDS_DB)
        if sync.status != SyncStatusChoices.RUNNING:  # it ended between the two reads
            return False
        interrupt(sync)
        return True
    finally:
        lock.release()


def interrupt(sync):
    """Mark ``sync`` (whose process is gone) interrupted, with every write of its in Nautobot's change log."""
    recovered = _recover_changes(sync)
    counts = _counts(sync)
    sync.status = SyncStatusChoices.INTERRUPTED
    sync.end_time = timezone.now()
    written = sum(counts[name] for name in ("create_count", "update_count", "delete_count"))
    sync.summary = (
        f"Interrupted: the run's process ended before the sync did. {written} writes are recorded"
        f"{f', {recovered} of them recovered from the change log' if recovered else ''}."
    )
    for name, value in counts.items():
        setattr(sync, name, value)
    sync.save(using=RECORDS_DB)
    if sync.job_result_id:
        JobResult.objects.filter(pk=sync.job_result_id, status__in=JobResultStatusChoices.UNREADY_STATES).update(
            status=JobResultStatusChoices.STATUS_FAILURE, date_done=sync.end_time
        )


def _recover_changes(sync):
    """Add a SyncChange for each change record of the run that the sync does not list; returns how many."""
    if sync.change_id is None:
        return 0
    listed = set(
        SyncChange.objects.using(RECORDS_DB)
        .filter(sync=sync, changed_object_id__isnull=False, status=ChangeStatusChoices.SUCCEEDED)
        .values_list("changed_object_type_id", "changed_object_id", "action")
    )
    records = ObjectChange.objects.filter(request_id=sync.change_id).select_related("changed_object_type")
    sequence = SyncChange.objects.using(RECORDS_DB).filter(sync=sync).count()
    rows = []
    for record in records.order_by("time"):
        if (record.changed_object_type_id, record.changed_object_id, record.action) in listed:
            continue
        sequence += 1
        rows.append(
            SyncChange(
                sync=sync,
                sequence=sequence,
                model_name=record.changed_object_type.model,
                unique_id=record.object_repr[:500],
                action=record.action,
                status=ChangeStatusChoices.SUCCEEDED,
                message=RECOVERED,
                changed_object_type_id=record.changed_object_type_id,
                changed_object_id=record.changed_object_id,
                object_repr=record.object_repr[:255],
            )
        )
    SyncChange.objects.using(RECORDS_DB).bulk_create(rows, batch_size=1000)
    return len(rows)


def _counts(sync):
    """The Data Sync's count fields, from its change rows (the run never wrote its own)."""
    counts = dict.fromkeys(COUNT_FIELDS, 0)
    by_model = defaultdict(Counter)
    rows = SyncChange.objects.using(RECORDS_DB).filter(sync=sync).order_by().values("model_name", "action", "status")
    for row in rows.annotate(number=Count("pk")):
        counts[count_field(row["action"], row["status"])] += row["number"]
        by_model[row["model_name"]][model_count_key(row["action"], row["status"])] += row["number"]
    counts["counts_by_model"] = {model: dict(model_counts) for model, model_counts in by_model.items()}
    return counts
