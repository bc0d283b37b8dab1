"""Sharded runs: one sync split into scoped job runs on Nautobot's Celery workers, recorded as one Data Sync.

A job that can shard declares its ``shared_models`` (top-level models every shard refers to: synced once, first),
``shards()`` (the scopes that together cover the rest) and an input ``run_as_shards = RunAsShardsVar()``. A run with
it set, unscoped, coordinates: it syncs the shared models (their deletes wait), queues one job run per shard and
ends without waiting, so a single worker runs them all in turn. Each shard is a scoped run (``jobs.scope``) of the
other models: it writes its creates and updates and leaves its deletes. Once every shard has written, one job run per
shard does its deletes, then one the shared models' deletes; so an object that moved from one shard to another is
updated in place by the shard it moved to (whose target load finds it by its identifiers) before the shard it left
looks for what to delete, and no longer finds it there. Each run checks the delete guard on its own part before it
writes; the deletes stage starts only if the deletes the shards planned, together, pass it too. A dry-run stops after
the writes stage: its shards' records are the plan. ``sync.shards`` keeps the records of the job runs.
"""

import inspect
import json
import resource
from collections import Counter

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from nautobot.apps.jobs import BooleanVar, FileVar
from nautobot.extras.models import JobResult

from nautobot_data_sync.choices import ShardStageChoices, ShardStatusChoices, SyncStatusChoices
from nautobot_data_sync.models import SyncChange, SyncPhase, SyncShard
from nautobot_data_sync.sync import shards as records
from nautobot_data_sync.sync.guards import BlockedModel, planned_deletes
from nautobot_data_sync.sync.recorder import RECORDS_DB, iter_elements

_JOB_KWARGS = inspect.signature(JobResult.enqueue_job).parameters.get("job_kwargs")
ENQUEUE_TAKES_JOB_KWARGS = _JOB_KWARGS is not None and _JOB_KWARGS.kind != inspect.Parameter.VAR_KEYWORD  # 3.1: **
SHARD_STATUS = {
    SyncStatusChoices.SUCCEEDED: ShardStatusChoices.SUCCEEDED,
    SyncStatusChoices.FAILED: ShardStatusChoices.FAILED,
    SyncStatusChoices.BLOCKED: ShardStatusChoices.BLOCKED,
}


class ShardError(Exception):
    """A sharded run cannot go on as asked; the message says why."""


class RunAsShardsVar(BooleanVar):
    """The input that makes an unscoped run of a job with ``shards()`` run as shards on the workers."""

    def __init__(self, default=False, **kwargs):
        kwargs.setdefault(
            "description",
            "Run as shards on Nautobot's workers, one job run per shard (each holds only its shard in memory).",
        )
        super().__init__(default=default, **kwargs)


class ShardedRuns:
    """Sharded runs of a DataSyncJob; see the module docstring."""

    shared_models = ()
    """Names of the top-level models synced once, before the shards (e.g. location types, locations)."""

    shard = None  # this run's SyncShard, when it is one of a sharded sync's job runs
    coordinating = False  # this run syncs the shared models and queues the shards
    postponed = frozenset()  # ids of the delete elements this run leaves to the deletes stage
    postpones_deletes = False
    shard_inputs = None  # the run's inputs as the job runs of its shards are given them (serialized)

    def shards(self):
        """The shards of a run: a list of ``{scope input: value}`` (see ``scope_inputs``), called once the shared
        models are written. Together they must cover every object of the other models; an empty list makes one
        shard of everything. Default: none (the job does not shard)."""
        return []

    def loads_model(self, model_name):
        """Whether this run loads the top-level model ``model_name`` (a job run of a sharded sync, the coordinating
        one included: its stage's models only)."""
        if self.shard is None:
            return True
        return (model_name in self.shared_models) == (self.shard.number == 0)

    def begin_sharding(self, inputs):
        """Find out whether this run is a job run of a sharded sync, or coordinates one (``inputs``: the run's)."""
        job_result_id = self.job_result.pk if self.job_result else None
        self.shard = (
            SyncShard.objects.using(RECORDS_DB).select_related("sync").filter(job_result_id=job_result_id).first()
        )
        if self.shard is not None and self.shard.sync.dry_run != self.dryrun:
            raise ShardError(f"{self.shard} was queued with other inputs than its sync's (dry-run or not)")
        if self.shard is None:
            wanted = inputs.get("run_as_shards") and not self.scope and not self.plan_mode
            if wanted and type(self).shards is ShardedRuns.shards:
                raise ShardError(f"{type(self).__name__} has no shards(): it cannot run as shards")
            if wanted and any(hasattr(inputs.get(name), "read") for name in self._file_inputs()):
                raise ShardError("An uploaded file cannot be read by the shards (they run on other workers)")
            self.coordinating = bool(wanted)
        writes_stage = self.coordinating or (self.shard is not None and self.shard.stage == ShardStageChoices.WRITES)
        self.postpones_deletes = writes_stage and not self.dryrun
        if self.coordinating or self.shard is not None:  # they queue job runs with these inputs
            variables = self._get_vars()
            self.shard_inputs = self._serialized({name: value for name, value in inputs.items() if name in variables})

    def open_shards(self):
        """Start this run as a job run of its sharded sync: the coordinating run is its number 0."""
        if self.coordinating:
            self.shard = self._queue(ShardStageChoices.WRITES, [(0, {})], start=False)[0]
        if self.shard is None:
            return
        self.sync = self.shard.sync
        shard = self.shard
        if shard.attempts:  # a retry: its earlier attempt's phases and failures are superseded
            SyncPhase.objects.using(RECORDS_DB).filter(shard=shard).delete()
            failed = SyncChange.objects.using(RECORDS_DB).filter(shard=shard, status__in=records.SUPERSEDED)
            failed._raw_delete(RECORDS_DB)
        shard.attempts += 1
        shard.status, shard.start_time, shard.end_time = ShardStatusChoices.RUNNING, timezone.now(), None
        shard.save(using=RECORDS_DB)
        self.logger.info("Running %s", shard, extra={"object": shard.sync, "grouping": "data sync"})

    def last_sequence(self):
        """The last change number the earlier attempts of this job run used."""
        numbers = SyncChange.objects.using(RECORDS_DB).filter(shard=self.shard).order_by("-sequence")
        return numbers.values_list("sequence", flat=True).first() or 0

    def postpone_deletes(self):
        """In the writes stage, leave the planned deletes (but the kept ones) to the deletes stage; note how many of
        each model, for the delete guard of the whole sync."""
        if not self.postpones_deletes:
            return
        self.postponed = {id(e) for e in iter_elements(self.diff) if e.action == "delete" and id(e) not in self.kept}
        if self.shard is not None:
            deletes = planned_deletes(self.diff, self.kept)
            self.shard.planned_deletes = dict(deletes)
            self.shard.target_counts = {model: len(self.target_adapter.get_all(model)) for model in deletes}

    def check_stage_loaded(self):
        """Refuse a shard whose adapters loaded models of another stage (they must follow ``loads_model()``)."""
        if self.shard is None:
            return
        for adapter in (self.source_adapter, self.target_adapter):
            for model_name in adapter.top_level:
                if not self.loads_model(model_name) and adapter.get_all(model_name):
                    raise ShardError(
                        f"{type(adapter).__name__} loaded {model_name} objects in a job run of a sharded sync that "
                        "does not sync them: an adapter of a sharding job loads only the models "
                        "job.loads_model(name) allows"
                    )

    def end_sharded(self, status, summary):
        """End this run as a job run of a sharded sync (True), or say it is not one (False)."""
        shard = self.shard
        if shard is None:
            return False
        coordinates = shard.number == 0 and shard.stage == ShardStageChoices.WRITES  # first run, or its retry
        if coordinates and status == SyncStatusChoices.SUCCEEDED and self.sync.shards.count() == 1:
            queued = self._queue(ShardStageChoices.WRITES, self._shard_specs())
            summary = f"{summary} {len(queued)} shards queued."
        shard.peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux counts KiB
        counts = records.after_retry(shard.counts, self.recorder.count_fields())
        if records.end(shard, SHARD_STATUS[status], summary, counts):
            self._advance()
        elif coordinates:
            self.sync.summary = summary
            self.sync.save(using=RECORDS_DB, update_fields=["summary"])
        return True

    def retry(self, data_sync):
        """Queue again the job runs of ``data_sync`` (a sharded sync of this job) that failed."""
        failed = list(data_sync.shards.filter(status=ShardStatusChoices.FAILED))
        if not failed:
            raise ShardError(f"{data_sync} has no failed shard to retry")
        if data_sync.job_result is None:
            raise ShardError(f"{data_sync}: its Job Result, which holds the inputs its shards run with, was deleted")
        self.sync = data_sync
        self.shard_inputs = self._serialized(data_sync.job_result.task_kwargs)
        data_sync.status, data_sync.end_time = SyncStatusChoices.RUNNING, None
        data_sync.summary = f"Retrying {len(failed)} failed job runs."
        data_sync.save(using=RECORDS_DB)
        for shard in failed:
            self._queue(shard.stage, [(shard.number, shard.key)])
        return data_sync.summary

    def _advance(self):
        """The last job run of a stage ended: queue the next stage, or close the sync."""
        sync = self.sync
        following = records.next_stage(sync, self.shard.stage)
        if following is None:
            return self._close()
        stage, numbers = following
        if stage == ShardStageChoices.DELETES and self.shard.stage == ShardStageChoices.WRITES:
            blocked = self._blocked_deletes()
            if blocked:
                reasons = "; ".join(str(entry) for entry in blocked)
                return self._close(SyncStatusChoices.BLOCKED, f"Blocked, no deletes done: {reasons}.")
        keys = dict(sync.shards.filter(stage=ShardStageChoices.WRITES).values_list("number", "key"))
        self._queue(stage, [(number, keys.get(number, {})) for number in numbers])
        return None

    def _blocked_deletes(self):
        """The delete guard on the deletes every shard planned together (each passed it on its own part)."""
        if self.allow_deletes:
            return []
        deletes, counts = Counter(), Counter()
        for shard in self.sync.shards.filter(stage=ShardStageChoices.WRITES):
            deletes.update(shard.planned_deletes)
            counts.update(shard.target_counts)
        guard = self.delete_guard()
        return [
            BlockedModel(model, number, counts[model], reason)
            for model, number in sorted(deletes.items())
            if (reason := guard.refuses(number, counts[model]))
        ]

    def _close(self, status=None, summary=None):
        """Write the sync's counts and outcome, from all of its job runs."""
        sync = self.sync
        totals = records.total_counts(sync, records.reconcile_moves(sync) if sync.dry_run else None)
        status = status or records.outcome(sync)
        runs = sync.shards.exclude(number=0).filter(stage=ShardStageChoices.WRITES).count()
        text = summary or self._summary(totals)
        failed = sync.shards.filter(status__in=(ShardStatusChoices.FAILED, ShardStatusChoices.BLOCKED)).count()
        sync.summary = f"{text} In {runs} shards" + (f"; {failed} job runs did not succeed." if failed else ".")
        sync.status, sync.end_time = status, timezone.now()
        for name, value in totals.items():
            setattr(sync, name, value)
        sync.save(using=RECORDS_DB)
        self.logger.info("Sharded sync ended: %s", sync.summary, extra={"object": sync, "grouping": "data sync"})

    def _queue(self, stage, specs, start=True):
        """Create (or reset) the SyncShard of each ``(number, key)`` in ``specs`` and queue its job run on the
        workers, through Nautobot's job machinery (a Job Result of its own, with the run's inputs and the key)."""
        skipped = {*self.scope_inputs, *self._file_inputs()}
        inputs = {name: value for name, value in self.shard_inputs.items() if name not in skipped}
        queued = []
        for number, key in specs:
            if start:
                job_result = JobResult.objects.create(
                    name=self.job_model.name, job_model=self.job_model, user=self.user
                )
            else:  # the coordinating run's own part: this run
                job_result = self.job_result
            shard, _ = SyncShard.objects.using(RECORDS_DB).update_or_create(
                sync=self.sync,
                stage=stage,
                number=number,
                defaults={
                    "key": key,
                    "scope": self.deserialize_scope(key),
                    "status": ShardStatusChoices.PENDING if start else ShardStatusChoices.RUNNING,
                    "job_result_id": job_result.pk,  # by id: the records' connection is another one
                },
            )
            if start:
                _enqueue(self.job_model, self.user, {**inputs, **key}, job_result)
            queued.append(shard)
        return queued

    def _shard_specs(self):
        """``(number, serialized key)`` of each shard ``shards()`` names (one shard of everything if none)."""
        keys = [self._serialized(dict(key)) for key in self.shards()] or [{}]
        unknown = {name for key in keys for name in key} - set(self.scope_inputs)
        if unknown:
            raise ShardError(f"{type(self).__name__}.shards() names {sorted(unknown)[0]!r}, not one of scope_inputs")
        return list(enumerate(keys, start=1))

    def deserialize_scope(self, key):
        """How a shard's key is shown: its scope's texts."""
        return self.choose_scope(self.deserialize_data(key)).display() if key else {}

    def _serialized(self, inputs):
        """``inputs`` as a job run's inputs are queued: objects by primary key, in plain JSON."""
        return json.loads(json.dumps(self.serialize_data(inputs), cls=DjangoJSONEncoder))

    def _file_inputs(self):
        return [name for name, var in self._get_vars().items() if isinstance(var, FileVar)]


def _enqueue(job_model, user, inputs, job_result):
    """Nautobot's ``JobResult.enqueue_job()`` on the Job Result made for the run: Nautobot 3.2 takes the job's inputs
    as ``job_kwargs=``, 3.1 as keyword arguments."""
    if ENQUEUE_TAKES_JOB_KWARGS:
        return JobResult.enqueue_job(job_model, user, job_kwargs=inputs, job_result=job_result)
    return JobResult.enqueue_job(job_model, user, job_result=job_result, **inputs)
