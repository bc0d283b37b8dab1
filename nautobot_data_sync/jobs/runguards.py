"""What keeps a sync job from doing harm: one run at a time, and the delete guard (docs/user-guide.md, Safety)."""

import time

from django.utils import timezone
from django.utils.functional import classproperty

from nautobot_data_sync import app_setting
from nautobot_data_sync.choices import SyncStatusChoices
from nautobot_data_sync.models import Sync
from nautobot_data_sync.sync.deadruns import close_dead_runs
from nautobot_data_sync.sync.guards import DeleteGuard, blocked_models
from nautobot_data_sync.sync.recorder import RECORDS_DB
from nautobot_data_sync.sync.runlock import RunLock
from nautobot_data_sync.sync.shards import sharded_run_alive


class RunGuards:
    """The guards of a DataSyncJob (``self.sync``, ``self.diff``, the adapters, ``self.allow_deletes``)."""

    run_lock = None
    """The name of the lock a run of this job holds from start to end (one run at a time); jobs that write the same
    objects may name the same lock. Default: the job's class path."""
    delete_guard_fraction = None
    """Refuse a model's deletes over this fraction of its count (None: ``PLUGINS_CONFIG``'s, 0.2)."""
    delete_guard_limit = None
    """Refuse more deletes than this of one model (None: ``PLUGINS_CONFIG``'s, 1,000)."""
    block_on_conflicts = False
    """Write nothing when Nautobot holds an object twice (else the duplicates are recorded and left alone)."""

    @classproperty
    def lock_name(cls):
        """The run lock's name: ``run_lock``, else the job's class path."""
        return cls.run_lock or cls.class_path

    def delete_guard(self):
        """The delete guard's limits for this job."""
        fraction, limit = self.delete_guard_fraction, self.delete_guard_limit
        return DeleteGuard(
            fraction=app_setting("delete_guard_fraction") if fraction is None else fraction,
            limit=app_setting("delete_guard_limit") if limit is None else limit,
            floor=app_setting("delete_guard_floor"),
        )

    def record_conflicts(self, adapter):
        """Record the objects Nautobot holds more than once (a declarative ``adapter``'s ``conflicts``), naming both
        objects; returns the blocking reasons when ``block_on_conflicts``."""
        conflicts = getattr(adapter, "conflicts", [])
        pks_by_model = {}
        for conflict in conflicts:
            pks_by_model.setdefault(conflict.model_class._model, set()).update(
                (conflict.kept_pk, conflict.duplicate_pk)
            )
        found = {model: model._base_manager.in_bulk(pks) for model, pks in pks_by_model.items()}
        for conflict in conflicts:
            objects = found[conflict.model_class._model]
            kept, duplicate = objects.get(conflict.kept_pk), objects.get(conflict.duplicate_pk)
            name = conflict.model_class._modelname
            message = (
                f"Nautobot holds more than one {name} {conflict.unique_id!r}: the sync used {kept} "
                f"(id {conflict.kept_pk}) and left this one, {duplicate} (id {conflict.duplicate_pk}), alone. "
                "Remove or rename the duplicate."
            )
            self.recorder.add_conflict(name, conflict.unique_id, message, duplicate)
            self.logger.warning(message, extra={"object": duplicate, "grouping": "data sync"})
        if not conflicts or not self.block_on_conflicts:
            return []
        return [f"{len(conflicts)} objects Nautobot holds more than once (see the Conflict changes)"]

    def check_deletes(self):
        """The models whose planned deletes the delete guard refuses (none when this run allows them)."""
        if self.allow_deletes:
            return []
        guard = self.delete_guard()
        blocked = blocked_models(self.diff, self.source_count, self.target_adapter, guard, kept=self.kept)
        for entry in blocked:
            self.logger.warning("Delete guard: %s", entry, extra={"grouping": "data sync"})
        return blocked

    def _blocked_summary(self):
        reasons = "; ".join(str(entry) for entry in self.blocked)
        return (
            f"Blocked, nothing written: {reasons}. Review the planned changes; if they are right, run again allowing "
            "the deletes."
        )

    def _take_run_lock(self):
        """Take this job's run lock until Nautobot has dispatched the run's change records, and close the runs that
        died holding it; False if another run holds it."""
        lock = RunLock(self.shard.lock_name if self.shard else self.lock_name)
        if not lock.acquire():
            return False
        if self.shard is None and sharded_run_alive(self.lock_name):  # between the job runs of a sharded sync
            lock.release()
            return False
        self._after_dispatch.callback(lock.release)
        if self.shard is not None:
            return True
        for dead in close_dead_runs(self.lock_name):
            self.logger.warning(
                "An earlier run's process ended before its sync did: %s",
                dead.summary,
                extra={"object": dead, "grouping": "data sync"},
            )
        return True

    def _lock_holder(self, wait=5.0):
        """The Data Sync of the run holding the lock; that run records it just after taking the lock, so it is
        waited for a little."""
        running = Sync.objects.using(RECORDS_DB).filter(lock=self.lock_name, status=SyncStatusChoices.RUNNING)
        deadline = time.monotonic() + wait
        while (holder := running.order_by("-start_time").first()) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return holder

    def _refuse_overlap(self, inputs):
        """Another run holds the lock: record this one as not run, naming the run in progress, and fail."""
        holder = self._lock_holder()
        if holder is None:
            held_by = "another run holding the same lock is starting"
        else:
            since = f"{timezone.localtime(holder.start_time):%Y-%m-%d %H:%M:%S %Z}"
            held_by = f"{holder} (job result {holder.job_result_id}) has been running since {since}"
        message = f"Not run: one run at a time ({self.lock_name}), and {held_by}."
        now = timezone.now()
        self.sync = Sync.objects.using(RECORDS_DB).create(
            job_result=self.job_result,
            job=self.job_model,
            source=self.data_source,
            target=self.data_target,
            dry_run=self.dryrun,
            start_time=now,
            end_time=now,
            inputs=inputs,
            lock=self.lock_name,
            status=SyncStatusChoices.NOT_RUN,
            summary=message,
        )
        self.fail(message, extra={"object": holder or self.sync, "grouping": "data sync"})
        return message
