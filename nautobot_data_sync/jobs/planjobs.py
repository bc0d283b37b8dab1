"""The app's own jobs for plans: apply a reviewed dry-run, and revert an applied sync; and retry the failed shards of
a sharded sync.

Each runs the plan's sync job (its class, models, target adapter, transaction policy, guards and run lock) in plan
mode, on this job's Job Result. Being jobs of their own, they can have a Nautobot approval workflow of their own: an
approval workflow definition for scheduled jobs constrained to "Apply a Data Sync plan" makes every apply wait for
approval in Nautobot's approvals UI, while the sync jobs' dry-runs stay free to run.
"""

from nautobot.apps.jobs import BooleanVar, DryRunVar, Job, ObjectVar
from nautobot.extras.models import Job as JobModel

from nautobot_data_sync.jobs.sharding import ShardError
from nautobot_data_sync.models import Sync
from nautobot_data_sync.sync.plans import PlanError
from nautobot_data_sync.sync.runlock import RunLock
from nautobot_data_sync.sync.shards import sharded_run_alive

name = "Data Sync plans"  # the group Nautobot lists these jobs under

_refuse_if_drifted = BooleanVar(
    default=False, description="Write nothing when any planned change drifted (else the drifted ones are left out)."
)
_allow_deletes = BooleanVar(
    default=False, description="Apply the planned deletes even where the delete guard refuses them (this run only)."
)


class PlanJob(Job):
    """Runs the sync job of a Data Sync in plan mode, as this job's user and on its Job Result."""

    class Meta:
        has_sensitive_variables = False

    def __init__(self):
        super().__init__()
        self.sync_job = None

    def sync_job_for(self, data_sync):
        """An instance of ``data_sync``'s job, checked to be one this job's user may run."""
        job_model = data_sync.job
        if job_model is None or job_model.job_class is None:
            raise PlanError(f"{data_sync}: its job is not installed any more")
        if not JobModel.objects.restrict(self.user, "run").filter(pk=job_model.pk).exists():
            raise PlanError(f"{self.user} may not run {job_model}, so may not write its changes")
        if not job_model.enabled:
            raise PlanError(f"{job_model} is not enabled")
        self.sync_job = job_model.job_class()
        self.sync_job.request = self.request  # the same Job Result, logs and change context
        return self.sync_job

    def run_in_plan_mode(self, data_sync, step, **options):
        """``step`` (``"apply_plan"`` or ``"revert"``) of ``data_sync``'s job; a plan that cannot be used fails the
        job with the reason."""
        try:
            summary = getattr(self.sync_job_for(data_sync), step)(data_sync, **options)
        except PlanError as error:
            self.fail("%s", error, extra={"object": data_sync, "grouping": "data sync"})
            return str(error)
        if self.sync_job._failed:
            self._failed = True
        return summary

    def after_return(self, *args, **kwargs):
        """Let the sync job end what it began for the run (its run lock, its speed-ups) after Nautobot has
        dispatched the change records."""
        if self.sync_job is not None:
            self.sync_job.after_return(*args, **kwargs)
        return super().after_return(*args, **kwargs)


class ApplyPlan(PlanJob):
    """Write exactly the changes a reviewed dry-run planned."""

    plan = ObjectVar(
        model=Sync,
        query_params={"dry_run": True, "status": "succeeded"},
        description="The dry-run Data Sync whose planned changes to apply.",
    )
    dryrun = DryRunVar(default=False, description="Check the plan for drift without writing anything.")
    refuse_if_drifted = _refuse_if_drifted
    allow_deletes = _allow_deletes

    class Meta(PlanJob.Meta):
        name = "Apply a Data Sync plan"
        description = (
            "Apply the changes a dry-run planned, and only those: no source load, no new diff. Objects changed since "
            "the plan are not written (drifted)."
        )
        dryrun_default = False

    def run(self, *, plan, dryrun=False, refuse_if_drifted=False, allow_deletes=False):
        self.logger.info("Applying the plan %s", plan, extra={"object": plan, "grouping": "data sync"})
        options = {"dryrun": dryrun, "refuse_if_drifted": refuse_if_drifted, "allow_deletes": allow_deletes}
        return self.run_in_plan_mode(plan, "apply_plan", **options)


class RevertSync(PlanJob):
    """Undo what an applied sync wrote: as a plan to review (dry-run), or at once."""

    data_sync = ObjectVar(
        model=Sync,
        query_params={"dry_run": False},
        label="Data Sync",
        description="The applied Data Sync whose changes to undo.",
    )
    dryrun = DryRunVar(default=True, description="Record the undo as a plan to review and apply; write nothing.")
    refuse_if_drifted = _refuse_if_drifted
    allow_deletes = _allow_deletes

    class Meta(PlanJob.Meta):
        name = "Revert a Data Sync"
        description = (
            "Undo an applied sync: delete what it created, restore what it updated or deleted. Objects changed since "
            "are left alone (drifted)."
        )
        dryrun_default = True

    def run(self, *, data_sync, dryrun=True, refuse_if_drifted=False, allow_deletes=False):
        self.logger.info("Reverting %s", data_sync, extra={"object": data_sync, "grouping": "data sync"})
        options = {"dryrun": dryrun, "refuse_if_drifted": refuse_if_drifted, "allow_deletes": allow_deletes}
        return self.run_in_plan_mode(data_sync, "revert", **options)


class RetryFailedShards(PlanJob):
    """Queue again, alone, the job runs of a sharded sync that failed; the sync goes on from there."""

    data_sync = ObjectVar(
        model=Sync,
        query_params={"status": ["failed", "interrupted"]},
        label="Data Sync",
        description="The sharded Data Sync whose failed shards to run again.",
    )

    class Meta(PlanJob.Meta):
        name = "Retry the failed shards of a Data Sync"
        description = (
            "Run again the shards of a sharded sync that failed (on Nautobot's workers), not the others; once they "
            "have written, the sync goes on with its deletes."
        )

    def run(self, *, data_sync):
        lock = RunLock(data_sync.lock)
        if not lock.acquire():
            self.fail(
                "A run of %s is in progress.", data_sync.job, extra={"object": data_sync, "grouping": "data sync"}
            )
            return "Not retried."
        try:
            if sharded_run_alive(data_sync.lock):
                raise ShardError(f"a sharded run of {data_sync.job} is in progress")
            summary = self.sync_job_for(data_sync).retry(data_sync)
        except (PlanError, ShardError) as error:
            self.fail("%s", error, extra={"object": data_sync, "grouping": "data sync"})
            return str(error)
        finally:
            lock.release()
        self.logger.info(summary, extra={"object": data_sync, "grouping": "data sync"})
        return summary
