"""Choice sets for Data Sync records; ``CSS_CLASSES`` (Nautobot's convention) colors their badges."""

from nautobot.apps.choices import ChoiceSet


class SyncStatusChoices(ChoiceSet):
    """Lifecycle of one Data Sync."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    BLOCKED = "blocked"  # by the delete guard: nothing written
    NOT_RUN = "not_run"  # another run of the job was in progress
    INTERRUPTED = "interrupted"  # its process ended before the sync did

    CHOICES = (
        (RUNNING, "Running"),
        (SUCCEEDED, "Succeeded"),
        (FAILED, "Failed"),
        (BLOCKED, "Blocked"),
        (NOT_RUN, "Not run"),
        (INTERRUPTED, "Interrupted"),
    )

    CSS_CLASSES = {
        RUNNING: "info",
        SUCCEEDED: "success",
        FAILED: "danger",
        BLOCKED: "warning",
        NOT_RUN: "secondary",
        INTERRUPTED: "danger",
    }


class SyncPhaseChoices(ChoiceSet):
    """The four phases of a sync, in the order they run."""

    SOURCE_LOAD = "source_load"
    TARGET_LOAD = "target_load"
    DIFF = "diff"
    SYNC = "sync"

    CHOICES = (
        (SOURCE_LOAD, "Source load"),
        (TARGET_LOAD, "Target load"),
        (DIFF, "Diff calculation"),
        (SYNC, "Sync execution"),
    )


class PhaseOutcomeChoices(ChoiceSet):
    """How one phase of a sync ended, as its page shows it (derived from the phases, never stored)."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RUNNING = "running"
    DRY_RUN = "dry_run"
    NOT_RUN = "not_run"

    CHOICES = (
        (SUCCEEDED, "Succeeded"),
        (FAILED, "Failed"),
        (RUNNING, "Not finished yet"),
        (DRY_RUN, "Not run: dry-run"),
        (NOT_RUN, "Not run"),
    )

    CSS_CLASSES = {SUCCEEDED: "success", FAILED: "danger", RUNNING: "info", DRY_RUN: "secondary", NOT_RUN: "secondary"}


class ChangeActionChoices(ChoiceSet):
    """What a change does to one object (diffsync's actions plus "unchanged")."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    UNCHANGED = "unchanged"

    CHOICES = (
        (CREATE, "Create"),
        (UPDATE, "Update"),
        (DELETE, "Delete"),
        (UNCHANGED, "Unchanged"),
    )

    CSS_CLASSES = {CREATE: "success", UPDATE: "warning", DELETE: "danger", UNCHANGED: "secondary"}


class ChangeStatusChoices(ChoiceSet):
    """Outcome of one change: planned on dry-run, else the result of applying it."""

    PLANNED = "planned"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    CONFLICT = "conflict"  # the target holds it twice (or more): left alone
    KEPT = "kept"  # a delete not done: the object is not this job's (ownership)
    DRIFTED = "drifted"  # a planned change not applied: the object is no longer as the plan found it
    MOVED = "moved"  # a planned delete not done: the object moved to another shard of the sync, which updates it

    CHOICES = (
        (PLANNED, "Planned"),
        (SUCCEEDED, "Succeeded"),
        (FAILED, "Failed"),
        (SKIPPED, "Skipped"),
        (CONFLICT, "Conflict"),
        (KEPT, "Kept: not owned"),
        (DRIFTED, "Drifted"),
        (MOVED, "Moved to another shard"),
    )

    CSS_CLASSES = {
        PLANNED: "info",
        SUCCEEDED: "success",
        FAILED: "danger",
        SKIPPED: "warning",
        CONFLICT: "danger",
        KEPT: "secondary",
        DRIFTED: "warning",
        MOVED: "secondary",
    }


class TransactionPolicyChoices(ChoiceSet):
    """How the sync phase commits its writes."""

    PER_OBJECT = "per-object"
    ALL_OR_NOTHING = "all-or-nothing"

    CHOICES = (
        (PER_OBJECT, "Per object: a failing object is rolled back alone and recorded; the others commit in batches"),
        (ALL_OR_NOTHING, "All or nothing: the first failure rolls back every write of the sync"),
    )


class ShardStageChoices(ChoiceSet):
    """What one job run of a sharded sync does (``jobs.sharding``)."""

    WRITES = "writes"  # a shard's creates and updates; its deletes wait for every shard's writes
    DELETES = "deletes"  # a shard's deletes, once every shard has written; number 0: the shared models' deletes

    CHOICES = ((WRITES, "Creates and updates"), (DELETES, "Deletes"))


class ShardStatusChoices(ChoiceSet):
    """Lifecycle of one job run of a sharded sync."""

    PENDING = "pending"  # queued for a worker
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    BLOCKED = "blocked"  # by the delete guard: nothing written

    CHOICES = (
        (PENDING, "Queued"),
        (RUNNING, "Running"),
        (SUCCEEDED, "Succeeded"),
        (FAILED, "Failed"),
        (BLOCKED, "Blocked"),
    )

    CSS_CLASSES = {PENDING: "secondary", RUNNING: "info", SUCCEEDED: "success", FAILED: "danger", BLOCKED: "warning"}
    DONE = (SUCCEEDED, FAILED, BLOCKED)
