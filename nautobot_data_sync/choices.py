"""Choice sets for Data Sync records."""

from nautobot.apps.choices import ChoiceSet


class SyncStatusChoices(ChoiceSet):
    """Lifecycle of one Data Sync."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    CHOICES = (
        (RUNNING, "Running"),
        (SUCCEEDED, "Succeeded"),
        (FAILED, "Failed"),
    )


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


class ChangeStatusChoices(ChoiceSet):
    """Outcome of one change: planned on dry-run, else the result of applying it."""

    PLANNED = "planned"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"

    CHOICES = (
        (PLANNED, "Planned"),
        (SUCCEEDED, "Succeeded"),
        (FAILED, "Failed"),
        (SKIPPED, "Skipped"),
    )


class TransactionPolicyChoices(ChoiceSet):
    """How the sync phase commits its writes."""

    PER_OBJECT = "per-object"
    ALL_OR_NOTHING = "all-or-nothing"

    CHOICES = (
        (PER_OBJECT, "Per object (per batch in bulk mode): each commits or rolls back alone; failures are recorded"),
        (ALL_OR_NOTHING, "All or nothing: the first failure rolls back every write of the sync"),
    )
