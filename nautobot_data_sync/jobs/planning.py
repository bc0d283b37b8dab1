"""Plans: apply a reviewed dry-run exactly as it was reviewed, or undo an applied sync (``sync.plans``).

A run in plan mode loads no source and calculates no diff: the diff is rebuilt from change records (a dry-run's
planned changes, or the inverse of an applied sync's), checked for drift against the target the job loads as usual,
and written by the job's own models, under the same transaction policy, delete guard, ownership and run lock.
"""

from datetime import timedelta

from diffsync import Adapter
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Case, When
from django.utils import timezone

from nautobot_data_sync import app_setting
from nautobot_data_sync.choices import (
    ChangeActionChoices,
    ChangeStatusChoices,
    ShardStageChoices,
    SyncPhaseChoices,
    SyncStatusChoices,
)
from nautobot_data_sync.models import SyncChange
from nautobot_data_sync.sync.plans import PlanDiff, PlanError, PlannedChange
from nautobot_data_sync.sync.recorder import RECORDS_DB, ObjectRef

_RUN_OPTIONS = ("dryrun", "memory_profiling", "parallel_loading", "allow_deletes")
_WRITES = (ChangeActionChoices.CREATE, ChangeActionChoices.UPDATE, ChangeActionChoices.DELETE)
_INVERSE = {
    ChangeActionChoices.CREATE: ChangeActionChoices.DELETE,
    ChangeActionChoices.UPDATE: ChangeActionChoices.UPDATE,
    ChangeActionChoices.DELETE: ChangeActionChoices.CREATE,
}


RUN_ORDER = (
    Case(  # the job runs of a sharded sync in the order they write: its own, the shards', their deletes, shared ones
        When(shard__isnull=True, then=0),
        When(shard__stage=ShardStageChoices.WRITES, then=1),
        When(shard__number=0, then=3),
        default=2,
    ),
    "shard__number",
)


def _changes(sync, status):
    fields = ("model_name", "unique_id", "action", "identifiers", "parents", "attributes_before", "attributes_after")
    rows = SyncChange.objects.using(RECORDS_DB).filter(sync=sync, status=status, action__in=_WRITES)
    for row in rows.order_by(*RUN_ORDER, "sequence").values(*fields, "changed_object_id"):
        if row["identifiers"] is None:
            raise PlanError(
                f"{row['model_name']} {row['unique_id']!r}: its record holds no identifiers (recorded before plans "
                "existed); run the dry-run again"
            )
        yield PlannedChange(
            model_name=row["model_name"],
            unique_id=row["unique_id"],
            action=row["action"],
            identifiers=row["identifiers"],
            parents=row["parents"] or [],
            before=row["attributes_before"],
            after=row["attributes_after"],
            object_id=row["changed_object_id"],
        )


def planned_changes(plan):
    """The changes a dry-run planned, in the order it recorded them."""
    return list(_changes(plan, ChangeStatusChoices.PLANNED))


def inverse_changes(sync):
    """The changes that undo what ``sync`` wrote, last first: creates become deletes, deletes creates (with the
    deleted object's values and primary key), updates go back to their values before."""
    return [
        PlannedChange(
            model_name=change.model_name,
            unique_id=change.unique_id,
            action=_INVERSE[change.action],
            identifiers=change.identifiers,
            parents=change.parents,
            before=change.after,
            after=change.before,
            object_id=change.object_id,
        )
        for change in reversed(list(_changes(sync, ChangeStatusChoices.SUCCEEDED)))
    ]


class PlanSteps:
    """Plan mode of a DataSyncJob: ``apply_plan()`` and ``revert()`` set ``self.changes`` and run the job."""

    def apply_plan(self, plan, dryrun=False, refuse_if_drifted=False, allow_deletes=False):
        """Write exactly the changes ``plan`` (a dry-run Data Sync of this job) planned; on dry-run, only check them
        for drift. Returns the run's summary."""
        self._check_plan(plan)
        self.plan, self.refuse_if_drifted = plan, refuse_if_drifted
        self.changes = planned_changes(plan)
        return self.run(dryrun=dryrun, allow_deletes=allow_deletes, **self._inputs_of(plan))

    def revert(self, sync, dryrun=True, refuse_if_drifted=False, allow_deletes=False):
        """Undo what ``sync`` (an applied Data Sync of this job) wrote. A dry-run records the undo as a plan to
        review and apply; objects changed since ``sync`` wrote them are recorded as drifted and left."""
        if sync.dry_run or sync.job_id != self.job_model.pk:
            raise PlanError(f"{sync} is not an applied sync of {self.job_model}: there is nothing of it to revert")
        self.reverts, self.refuse_if_drifted = sync, refuse_if_drifted
        self.changes = inverse_changes(sync)
        return self.run(dryrun=dryrun, allow_deletes=allow_deletes, **self._inputs_of(sync))

    def _check_plan(self, plan):
        if not plan.dry_run or plan.job_id != self.job_model.pk:
            raise PlanError(f"{plan} is not a dry-run of {self.job_model}, so not a plan it can apply")
        if plan.status != SyncStatusChoices.SUCCEEDED:
            raise PlanError(f"{plan} ended {plan.get_status_display().lower()}: only a completed dry-run is a plan")
        max_age = timedelta(hours=app_setting("plan_max_age_hours"))
        if timezone.now() - plan.end_time > max_age:
            raise PlanError(
                f"{plan} is older than {max_age.total_seconds() / 3600:g} hours (plan_max_age_hours): Nautobot has "
                "likely moved on since it was reviewed; run the dry-run again"
            )
        applied = plan.application()
        if applied is not None:
            who = applied.job_result.user if applied.job_result else "someone"
            raise PlanError(f"{plan} was applied already, by {who}: {applied}")

    def _inputs_of(self, sync):
        """The inputs ``sync`` ran with but for the run options (its scope, and what its adapters are given)."""
        if sync.job_result is None:
            if set(self._get_vars()) - set(_RUN_OPTIONS):
                raise PlanError(f"{sync}: its Job Result, which holds the inputs it ran with, was deleted")
            return {}
        inputs = {}
        for key, value in sync.job_result.task_kwargs.items():
            if key in _RUN_OPTIONS:
                continue
            try:
                inputs.update(self.deserialize_data({key: value}))
            except ObjectDoesNotExist:  # e.g. an uploaded file, removed once its run ended: a source's input
                self.logger.warning(
                    "Input %r of %s is gone; the plan's run goes on without it.", key, sync, extra={"grouping": "plan"}
                )
        return inputs

    @property
    def plan_mode(self):
        return self.changes is not None

    def load_plan(self):
        """Plan mode's loads: the changes (recorded as the source load), then the target as usual."""
        with self.phase(SyncPhaseChoices.SOURCE_LOAD) as metrics:
            self.source_adapter = Adapter()  # none of the source: nothing is compared with it
            metrics.objects = len(self.changes)
        self._load(SyncPhaseChoices.TARGET_LOAD)

    def diff_plan(self):
        """Set ``self.diff`` to the changes that still apply and record those that drifted; returns the reasons to
        write nothing (drift, when ``refuse_if_drifted``)."""
        built = PlanDiff(self.changes, self.target_adapter, self.diff_class)
        self.diff, self.carriers = built.diff, built.carriers
        for drift in built.drifts:
            self.recorder.add_drifted(drift)
        self._restore_primary_keys()
        if built.drifts:
            self.logger.warning(
                "%d planned changes drifted: their objects changed since the plan was made; they are recorded as "
                "drifted and not applied.",
                len(built.drifts),
                extra={"grouping": "data sync"},
            )
        if built.drifts and self.refuse_if_drifted:
            return [f"{len(built.drifts)} planned changes drifted (refuse if drifted is set)"]
        return []

    def _restore_primary_keys(self):
        """Re-create deleted objects under the primary key they had, where the target's models take one and no
        object holds it now (declarative models: ``NautobotAdapter.restored_pks``)."""
        restored = getattr(self.target_adapter, "restored_pks", None)
        if restored is None:
            return
        wanted = {}
        for change in self.changes:
            model_class = getattr(self.target_adapter, change.model_name)
            if change.action == ChangeActionChoices.CREATE and change.object_id and hasattr(model_class, "_model"):
                wanted.setdefault(model_class._model, {})[change.object_id] = (change.model_name, change.unique_id)
        for model, by_pk in wanted.items():
            taken = set(model._base_manager.filter(pk__in=by_pk).values_list("pk", flat=True))
            free = {key: pk for pk, key in by_pk.items() if pk not in taken}
            restored.update(free)
            self.recorder.restored_pks.update({key: ObjectRef(model, pk) for key, pk in free.items()})

    def source_count(self, model_name):
        """How many ``model_name`` objects the run's source loaded (the delete guard's zero-load rule), or None
        when the source has no such model. In plan mode: what the plan's own source loaded (a revert has none)."""
        if not self.plan_mode:
            model_class = getattr(self.source_adapter, model_name, None)
            return len(self.source_adapter.get_all(model_name)) if isinstance(model_class, type) else None
        if self.reverts is not None or self.plan.reverts_id is not None:
            return None
        counts = self.plan.counts_by_model.get(model_name)
        if counts is None:
            return None
        loaded = (ChangeActionChoices.CREATE, ChangeActionChoices.UPDATE, ChangeActionChoices.UNCHANGED)
        return sum(counts.get(key, 0) for key in loaded)
