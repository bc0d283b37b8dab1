"""Job base classes for sync jobs: DataSource (other system -> Nautobot) and DataTarget (Nautobot -> other system)."""

from contextlib import ExitStack, nullcontext
from dataclasses import dataclass

from diffsync.diff import Diff
from diffsync.enum import DiffSyncFlags
from django.db import transaction
from django.utils import timezone
from django.utils.functional import classproperty
from nautobot.apps.jobs import BooleanVar, DryRunVar, Job
from nautobot.extras.signals import change_context_state

from nautobot_data_sync import app_setting
from nautobot_data_sync.choices import (
    ChangeStatusChoices,
    SyncPhaseChoices,
    SyncStatusChoices,
    TransactionPolicyChoices,
)
from nautobot_data_sync.jobs.ownership import OwnershipSteps
from nautobot_data_sync.jobs.phases import PHASE_LABELS, PhaseRunner
from nautobot_data_sync.jobs.planning import PlanSteps
from nautobot_data_sync.jobs.runguards import RunGuards
from nautobot_data_sync.jobs.scope import Scope, ScopedRuns
from nautobot_data_sync.jobs.sharding import ShardedRuns
from nautobot_data_sync.models import Sync
from nautobot_data_sync.orm.adapter import NautobotAdapter
from nautobot_data_sync.orm.deferredchanges import DeferredChangeRecords
from nautobot_data_sync.orm.writer import BulkWriter
from nautobot_data_sync.speedups import SyncSpeedups
from nautobot_data_sync.speedups.registry import THREADS, active
from nautobot_data_sync.sync.differ import FastDiffer
from nautobot_data_sync.sync.executor import OutcomeReport, RecordingSyncer, SyncAborted
from nautobot_data_sync.sync.guards import leave_not_owned
from nautobot_data_sync.sync.joblog import ProgressLogger, diffsync_logger
from nautobot_data_sync.sync.metrics import traced_memory
from nautobot_data_sync.sync.recorder import RECORDS_DB, ChangeRecorder


@dataclass(frozen=True)
class DataMapping:
    """One line of "what maps to what" on a job's page; URLs are optional links to either side's list view.

    The fields are in nautobot-ssot's order, so a positional ``DataMapping(source_name, source_url, target_name,
    target_url)`` written for it means the same here."""

    source_name: str
    source_url: str | None = None
    target_name: str = ""
    target_url: str | None = None

    def __post_init__(self):
        if not self.target_name:
            raise TypeError("DataMapping() needs a target_name")


class DataSyncJob(PlanSteps, ShardedRuns, ScopedRuns, RunGuards, OwnershipSteps, PhaseRunner, Job):
    """Shared machinery of DataSource and DataTarget jobs: inputs, the four phases, records and metrics.

    Subclasses implement ``load_source_adapter()`` and ``load_target_adapter()``; every other hook has a default.
    """

    dryrun = DryRunVar(default=True, description="Calculate and record the changes without writing them.")
    memory_profiling = BooleanVar(
        default=False, description="Trace memory (final and peak) of each phase; makes the sync slower."
    )
    parallel_loading = BooleanVar(default=False, description="Load the source and the target at the same time.")
    allow_deletes = BooleanVar(
        default=False,
        description="Apply the planned deletes even where the delete guard refuses them (this run only).",
    )

    transaction_policy = TransactionPolicyChoices.PER_OBJECT
    """PER_OBJECT: an object that fails is rolled back alone and recorded, the others commit per batch (with their
    change records);
    ALL_OR_NOTHING: a failure undoes all."""
    bulk_mode = False
    """Write declarative models (``orm.NautobotModel``) of a Nautobot target in validated, change-logged batches
    (``orm.writer``); a model's ``_bulk_mode`` overrides it."""
    fail_job_on_object_failure = True
    """End the JobResult as failed when any object failed to sync."""
    record_unchanged = False
    """Store a SyncChange row for unchanged objects too (they are always counted)."""
    diffsync_flags = DiffSyncFlags.NONE
    """diffsync flags used to calculate and apply the diff."""
    diff_class = Diff
    """The diffsync ``Diff`` class to build (e.g. one with ``order_children_<type>`` methods)."""
    differ_class = FastDiffer
    """The diff calculator; ``diffsync.helpers.DiffSyncDiffer`` switches back to diffsync's own."""
    diff_keeps_unchanged = None
    """Keep diff elements for unchanged objects: None keeps them only when ``record_unchanged`` is set (they are
    always counted). Set True if an override of ``execute_sync()`` or ``sync_complete()`` needs them."""

    class Meta:
        has_sensitive_variables = False
        dryrun_default = True  # Nautobot's job run form starts with dry-run on

    def __init__(self):
        super().__init__()
        self.source_adapter = None
        self.target_adapter = None
        self.diff = None
        self.sync = None
        self.recorder = None
        self.dryrun = True
        self.memory_profiling = False
        self.parallel_loading = False
        self.allow_deletes = False
        self.scope = Scope()  # the values of the scope inputs chosen for this run
        self.blocked = []  # why nothing may be written (the delete guard's models, conflicts)
        self.kept = {}  # {id(delete element): why}: deletes not done, the objects not being the job's
        self.plan = self.reverts = None  # plan mode: the dry-run applied, or the sync undone
        self.changes = None  # plan mode: the changes (``sync.plans.PlannedChange``) to apply
        self.refuse_if_drifted = False
        self.carriers = set()  # plan mode: ids of diff elements that only hold others (``sync.plans.PlanDiff``)
        self._speedups = None
        self._after_dispatch = ExitStack()  # what to stop once Nautobot has dispatched the change records

    # Descriptions shown in the UI. Set them in Meta or as class attributes.

    @classproperty
    def data_source(cls):
        return getattr(cls.Meta, "data_source", cls.name)

    @classproperty
    def data_target(cls):
        return getattr(cls.Meta, "data_target", cls.name)

    @classproperty
    def data_source_icon(cls):
        return getattr(cls.Meta, "data_source_icon", None)

    @classproperty
    def data_target_icon(cls):
        return getattr(cls.Meta, "data_target_icon", None)

    # Hooks

    def load_source_adapter(self):
        """Set ``self.source_adapter`` to a loaded diffsync Adapter. Mandatory."""
        raise NotImplementedError(f"{type(self).__name__} must implement load_source_adapter()")

    def load_target_adapter(self):
        """Set ``self.target_adapter`` to a loaded diffsync Adapter. Mandatory."""
        raise NotImplementedError(f"{type(self).__name__} must implement load_target_adapter()")

    def calculate_diff(self):
        """Set ``self.diff`` to the diff from the source to the target."""
        logger, _ = self._diffsync_logger(SyncPhaseChoices.DIFF)
        options = {}
        if issubclass(self.differ_class, FastDiffer):
            keep = self.record_unchanged if self.diff_keeps_unchanged is None else self.diff_keeps_unchanged
            options.update(keep_unchanged=keep, logger=logger)
        differ = self.differ_class(
            src_diffsync=self.source_adapter,
            dst_diffsync=self.target_adapter,
            flags=self.diffsync_flags,
            diff_class=self.diff_class,
            callback=self._progress(SyncPhaseChoices.DIFF),
            **options,
        )
        if not options:  # diffsync's own differ takes no logger argument
            differ.logger = logger
        self.diff = differ.calculate_diffs()

    def execute_sync(self):
        """Apply ``self.diff`` (as calculated, never recalculated) to the target, recording each object's outcome."""
        logger, sink = self._diffsync_logger(SyncPhaseChoices.SYNC)
        all_or_nothing = self.transaction_policy == TransactionPolicyChoices.ALL_OR_NOTHING
        report = OutcomeReport(self.recorder, stop_on_failure=all_or_nothing)
        writer = self._bulk_writer(report)
        deferred = DeferredChangeRecords(
            change_context_state.get(), report, batch_size=app_setting("change_batch_size")
        )
        syncer = RecordingSyncer(
            self.diff,
            self.source_adapter,
            self.target_adapter,
            report=report,
            logger=logger,
            callback=self._progress(SyncPhaseChoices.SYNC),
            flags=self.diffsync_flags,
            writer=writer,
            kept=self.kept,
            postponed=self.postponed,
            carriers=self.carriers,
            deferred=deferred,
        )
        try:
            with ExitStack() as stack:
                if writer is not None:
                    stack.enter_context(self.target_adapter.writing_through(writer))
                stack.enter_context(transaction.atomic() if all_or_nothing else nullcontext())
                stack.enter_context(deferred)  # its records are built inside the sync's transaction
                if syncer.perform_sync():
                    self.target_adapter.sync_complete(self.source_adapter, self.diff, self.diffsync_flags, logger)
        except SyncAborted as error:
            self.recorder.mark_rolled_back(f"Rolled back: {error}")
            self.logger.error(
                "All-or-nothing sync rolled back: %s", error, extra={"grouping": PHASE_LABELS[SyncPhaseChoices.SYNC]}
            )
        if sink.suppressed:
            self.logger.warning(
                "%s more diffsync messages were not logged; see the Data Sync's changes.",
                sink.suppressed,
                extra={"grouping": PHASE_LABELS[SyncPhaseChoices.SYNC]},
            )

    def _bulk_writer(self, report):
        """The writer of a Nautobot target of declarative models (bulk writes as the job or each model says; deletes
        in either mode, done last and children first), or None."""
        target = self.target_adapter
        if isinstance(target, NautobotAdapter):
            return BulkWriter(target, report, batch_size=app_setting("bulk_batch_size"), default=self.bulk_mode)
        return None

    def sync_data(self):
        """Run the four phases; the sync phase is skipped on dry-run."""
        with self._speedups.loading():
            omitted = self._load_and_diff()
        if self.blocked and not self.dryrun:
            return
        if self.dryrun:
            self.logger.info("Dry-run: nothing was written.", extra={"grouping": PHASE_LABELS[SyncPhaseChoices.SYNC]})
            return
        with self.phase(SyncPhaseChoices.SYNC) as metrics:
            self.execute_sync()
            self.recorder.flush()
            self.stamp_ownership()
            metrics.objects = len(self.diff) + sum(omitted.values())

    def _load_and_diff(self):
        """The load phases and the diff phase; returns the counts of unchanged objects the diff left out."""
        if self.plan_mode:
            self.load_plan()
        elif self.parallel_loading and active(THREADS) and not self.scope:  # a scoped target load reads the source
            self._load_in_parallel()
        else:
            self._load(SyncPhaseChoices.SOURCE_LOAD)
            self._load(SyncPhaseChoices.TARGET_LOAD)
        self.check_stage_loaded()
        self.check_scope_applied(self._nautobot_adapter())
        conflicts = self.record_conflicts(self._nautobot_adapter())
        with self.phase(SyncPhaseChoices.DIFF) as metrics:
            if self.plan_mode:
                conflicts += self.diff_plan()
            else:
                self.calculate_diff()
                leave_not_owned(self.diff, self.target_adapter)
            self.recorder.follow(self.diff)
            omitted = getattr(self.diff, "omitted_unchanged_by_type", {})
            for model_name, count in omitted.items():
                self.recorder.add_unchanged(model_name, count)
            metrics.objects = len(self.diff) + sum(omitted.values())
            self.kept = self.find_kept()
            self.postpone_deletes()
            self.blocked = conflicts + self.check_deletes()
            if self.dryrun or self.blocked:  # what would be written, for review
                self.recorder.add_diff(self.diff, ChangeStatusChoices.PLANNED, skip=self.carriers, kept=self.kept)
                self.recorder.flush()
        return omitted

    def lookup_object(self, model_name, unique_id):
        """The Nautobot object a diffsync model ``model_name`` with ``unique_id`` stands for, or None.

        By default, the object of the Nautobot side's declarative adapter (``orm.NautobotAdapter``), if any.
        """
        adapter = self._nautobot_adapter()
        return adapter.lookup_object(model_name, unique_id) if adapter else None

    def lookup_objects(self, model_name, unique_ids):
        """``{unique_id: object or None}``: ``lookup_object()`` for many objects (one query per model by default)."""
        adapter = self._nautobot_adapter()
        if adapter is not None and type(self).lookup_object is DataSyncJob.lookup_object:
            return adapter.lookup_objects(model_name, unique_ids)
        return {unique_id: self.lookup_object(model_name, unique_id) for unique_id in unique_ids}

    @classmethod
    def data_mappings(cls):
        """What maps to what, as a list of ``DataMapping``."""
        return []

    @classmethod
    def config_information(cls):
        """Settings of this job worth showing, as ``{label: value}`` (never secrets)."""
        return {}

    # Running

    def run(self, *args, dryrun=True, memory_profiling=False, parallel_loading=False, allow_deletes=False, **kwargs):
        self.dryrun, self.memory_profiling, self.parallel_loading = dryrun, memory_profiling, parallel_loading
        self.allow_deletes = allow_deletes
        self.scope = self.choose_scope(kwargs)
        inputs = {"dryrun": dryrun, "memory_profiling": memory_profiling, "parallel_loading": parallel_loading}
        inputs.update(allow_deletes=allow_deletes, **kwargs)
        self.begin_sharding(inputs)
        # Until after_return(): past run(), Nautobot dispatches job hooks and webhooks for every change record.
        if not self._take_run_lock():
            return self._refuse_overlap(inputs)
        change_context = change_context_state.get()
        change_id = change_context.change_id if change_context else None
        self._speedups = SyncSpeedups(self.logger, change_id)
        self._after_dispatch.enter_context(self._speedups)
        if self.shard is None:  # a job run of a sharded sync records into that sync
            self.sync = Sync.objects.using(RECORDS_DB).create(
                job_result=self.job_result,
                job=self.job_model,
                source=self.data_source,
                target=self.data_target,
                dry_run=dryrun,
                start_time=timezone.now(),
                inputs=inputs,
                scope=self.scope.display(),
                lock=self.lock_name,
                change_id=change_id,
                plan=self.plan,
                reverts=self.reverts,
            )
        self.open_shards()
        self.recorder = ChangeRecorder(
            self.sync,
            unique_id_of=self._unique_id_of,
            lookup_objects=self.lookup_objects,
            batch_size=app_setting("change_batch_size"),
            keep_unchanged=self.record_unchanged,
            shard=self.shard,
            sequence=self.last_sequence() if self.shard else 0,
        )
        self.logger.info("Data Sync started", extra={"object": self.sync, "grouping": "data sync"})
        if self.scope:
            self.logger.info("Scope: %s", self.scope, extra={"grouping": "data sync"})
        try:
            with traced_memory(memory_profiling):
                self.sync_data()
            self.recorder.flush()
        except Exception as error:
            self._finish(SyncStatusChoices.FAILED, f"Stopped by {type(error).__name__}: {error}")
            raise
        if self.blocked and not self.dryrun:
            summary = self._blocked_summary()
            self._finish(SyncStatusChoices.BLOCKED, summary)
            self.fail(summary, extra={"object": self.sync, "grouping": "data sync"})
            return summary
        counts = self.recorder.counts
        summary = self._summary(counts)
        if self.blocked:
            summary += f" A run that writes would be blocked: {self._blocked_summary()}"
        if counts["failed_count"]:
            self._finish(SyncStatusChoices.FAILED, summary)
            if self.fail_job_on_object_failure:
                self.fail(summary, extra={"object": self.sync, "grouping": "data sync"})
                return summary
        else:
            self._finish(SyncStatusChoices.SUCCEEDED, summary)
        self.logger.info(summary, extra={"object": self.sync, "grouping": "data sync"})
        return summary

    def after_return(self, *args, **kwargs):
        """Nautobot calls this last, after it dispatched the job's change records: stop what run() started for it."""
        if self._speedups is not None:
            self._speedups.release(self.source_adapter, self.target_adapter)
        self._after_dispatch.close()
        return super().after_return(*args, **kwargs)

    def _finish(self, status, summary):
        if self.end_sharded(status, summary):
            return
        self.sync.status = status
        self.sync.summary = summary
        self.sync.end_time = timezone.now()
        for field_name, value in self.recorder.count_fields().items():
            setattr(self.sync, field_name, value)
        self.sync.save(using=RECORDS_DB)

    def _summary(self, counts):
        verb = "Planned" if self.dryrun else "Applied"
        text = (
            f"{verb}: {counts['create_count']} create, {counts['update_count']} update, "
            f"{counts['delete_count']} delete; {counts['unchanged_count']} unchanged"
        )
        if counts["failed_count"] or counts["skipped_count"]:
            text += f"; {counts['failed_count']} failed, {counts['skipped_count']} skipped"
        if counts["drifted_count"]:
            text += f"; {counts['drifted_count']} drifted since the plan, not applied"
        return text + "."

    def _nautobot_adapter(self):
        """The loaded declarative adapter of the Nautobot side, if that side uses one."""
        adapter = self.source_adapter if isinstance(self, DataTarget) else self.target_adapter
        return adapter if isinstance(adapter, NautobotAdapter) else None

    def _unique_id_of(self, element):
        model_class = getattr(self.target_adapter, element.type, None) or getattr(self.source_adapter, element.type)
        return model_class.create_unique_id(**element.keys)

    def _diffsync_logger(self, phase):
        return diffsync_logger(self.logger, PHASE_LABELS[phase], app_setting("max_logged_failures"))

    def _progress(self, phase):
        return ProgressLogger(self.logger, PHASE_LABELS[phase], app_setting("progress_interval"))


class DataSource(DataSyncJob):
    """A job that syncs another system (the source) into Nautobot (the target)."""

    writes_nautobot = True

    @classproperty
    def data_target(cls):
        return getattr(cls.Meta, "data_target", "Nautobot")


class DataTarget(DataSyncJob):
    """A job that syncs Nautobot (the source) into another system (the target)."""

    @classproperty
    def data_source(cls):
        return getattr(cls.Meta, "data_source", "Nautobot")
