"""Audit records of sync runs: one Sync, its phases, and one row per planned or executed change."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from nautobot.apps.models import BaseManager, BaseModel, RestrictedQuerySet, extras_features

from nautobot_data_sync.choices import (
    ChangeActionChoices,
    ChangeStatusChoices,
    ShardStageChoices,
    ShardStatusChoices,
    SyncPhaseChoices,
    SyncStatusChoices,
)
from nautobot_data_sync.encoders import AttributeEncoder

SHARD_HELP = "The job run of a sharded sync that recorded it (empty: the sync's own run)."


def _delete_changes(syncs):
    """Delete the change rows of ``syncs`` in one statement: a sync may have millions, and Django's cascade would
    load every one of them (with its JSON) to send delete signals that nothing needs for audit rows."""
    changes = SyncChange.objects.filter(sync__in=syncs)
    changes._raw_delete(changes.db)


class SyncQuerySet(RestrictedQuerySet):
    def delete(self):
        with transaction.atomic(using=self.db):
            _delete_changes(self)
            return super().delete()


@extras_features("graphql")
class Sync(BaseModel):
    """One run of a Data Source or Data Target job (shown as "Data Sync")."""

    job_result = models.OneToOneField(
        to="extras.JobResult", on_delete=models.SET_NULL, null=True, blank=True, related_name="data_sync"
    )
    job = models.ForeignKey(
        to="extras.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="data_syncs"
    )
    source = models.CharField(max_length=255)
    target = models.CharField(max_length=255)
    dry_run = models.BooleanField(default=True)
    status = models.CharField(max_length=20, choices=SyncStatusChoices, default=SyncStatusChoices.RUNNING)
    start_time = models.DateTimeField()
    end_time = models.DateTimeField(null=True, blank=True)
    inputs = models.JSONField(default=dict, blank=True, encoder=AttributeEncoder)
    scope = models.JSONField(default=dict, blank=True, help_text="What the run was narrowed to (its scope inputs).")
    lock = models.CharField(
        max_length=255, blank=True, db_index=True, help_text="The run lock this sync held (one run at a time)."
    )
    change_id = models.UUIDField(
        null=True, blank=True, help_text="Request id of the change records the sync wrote to Nautobot's change log."
    )
    summary = models.TextField(blank=True, help_text="Outcome in one or two sentences, or the error that stopped it.")
    create_count = models.PositiveIntegerField(default=0)
    update_count = models.PositiveIntegerField(default=0)
    delete_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    conflict_count = models.PositiveIntegerField(default=0, help_text="Objects the target holds more than once.")
    kept_count = models.PositiveIntegerField(
        default=0, help_text="Deletes not done: the objects are not the job's (or moved to another shard)."
    )
    counts_by_model = models.JSONField(
        default=dict, blank=True, help_text="{model name: {action: count}} for the changes of this sync."
    )
    drifted_count = models.PositiveIntegerField(default=0, help_text="Planned changes not applied: the object moved.")
    plan = models.ForeignKey(
        to="self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        help_text="The reviewed dry-run whose changes this sync applied (or checked, on dry-run).",
    )
    reverts = models.ForeignKey(
        to="self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reversions",
        help_text="The sync whose changes this plan undoes.",
    )

    objects = BaseManager.from_queryset(SyncQuerySet)()

    class Meta:
        ordering = ("-start_time",)
        verbose_name = "Data Sync"
        verbose_name_plural = "Data Syncs"
        indexes = [models.Index(fields=("job", "-start_time"))]

    def __str__(self):
        return f"{self.source} \u2192 {self.target} at {self.start_time:%Y-%m-%d %H:%M:%S}"

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            _delete_changes(Sync.objects.filter(pk=self.pk))
            return super().delete(*args, **kwargs)

    @property
    def sharded(self):
        """Whether the sync ran as shards (``SyncShard``)."""
        return self.shards.exists()

    def application(self):
        """The sync that applied this plan (a dry-run) for real and succeeded, or None."""
        return self.applications.filter(dry_run=False, status=SyncStatusChoices.SUCCEEDED).first()

    @property
    def duration(self):
        """Wall time of the whole run, or None while it runs."""
        return self.end_time - self.start_time if self.end_time else None


@extras_features("graphql")
class SyncPhase(BaseModel):
    """Metrics of one phase of a sync, written as the phase ends."""

    sync = models.ForeignKey(to=Sync, on_delete=models.CASCADE, related_name="phases")
    shard = models.ForeignKey(
        to="SyncShard", on_delete=models.CASCADE, null=True, blank=True, related_name="phases", help_text=SHARD_HELP
    )
    name = models.CharField(max_length=20, choices=SyncPhaseChoices)
    start_time = models.DateTimeField()
    duration = models.DurationField()
    memory_final = models.BigIntegerField(null=True, blank=True, help_text="Bytes held at the end (traced).")
    memory_peak = models.BigIntegerField(null=True, blank=True, help_text="Highest bytes held (traced).")
    query_count = models.PositiveIntegerField(null=True, blank=True)
    object_count = models.PositiveIntegerField(null=True, blank=True)
    parallel = models.BooleanField(default=False, help_text="Ran concurrently with the other load phase.")
    succeeded = models.BooleanField(default=True)
    profile = models.JSONField(
        null=True,
        blank=True,
        help_text="Top functions by cumulative time (seconds): [{function, cumulative, own, calls}, ...]; only when "
        "the job ran with Nautobot's Profile job execution.",
    )

    class Meta:
        ordering = ("sync_id", "start_time")
        unique_together = (("sync", "shard", "name"),)

    def __str__(self):
        return f"{self.get_name_display()} of {self.sync}"


@extras_features("graphql")
class SyncChange(BaseModel):
    """One planned or executed change to one object."""

    sync = models.ForeignKey(to=Sync, on_delete=models.CASCADE, related_name="changes")
    shard = models.ForeignKey(
        to="SyncShard",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # read with its sync (indexed); one index less to write per change
        help_text=SHARD_HELP,
    )
    sequence = models.PositiveIntegerField(help_text="Order in which the change was recorded within its run.")
    model_name = models.CharField(max_length=100, help_text="diffsync model name")
    unique_id = models.CharField(max_length=500)
    action = models.CharField(max_length=10, choices=ChangeActionChoices)
    status = models.CharField(max_length=10, choices=ChangeStatusChoices)
    attributes_before = models.JSONField(null=True, blank=True, encoder=AttributeEncoder)
    attributes_after = models.JSONField(null=True, blank=True, encoder=AttributeEncoder)
    message = models.TextField(blank=True)
    changed_object_type = models.ForeignKey(
        to=ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_object_id = models.UUIDField(null=True, blank=True)
    changed_object = GenericForeignKey(ct_field="changed_object_type", fk_field="changed_object_id")
    object_repr = models.CharField(max_length=255, blank=True)
    identifiers = models.JSONField(
        null=True, blank=True, encoder=AttributeEncoder, help_text="The diffsync identifiers of the object."
    )
    parents = models.JSONField(
        null=True,
        blank=True,
        encoder=AttributeEncoder,
        help_text="[[model name, identifiers], ...] of the objects above it in the diff, from the top.",
    )

    class Meta:
        ordering = ("sync_id", "sequence")
        indexes = [
            models.Index(fields=("sync", "sequence")),
            models.Index(fields=("sync", "model_name", "action")),
            models.Index(fields=("sync", "status")),
            models.Index(fields=("sync", "unique_id")),
            models.Index(fields=("changed_object_type", "changed_object_id")),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.model_name} {self.unique_id}"


@extras_features("graphql")
class SyncShard(BaseModel):
    """One job run of a sharded Data Sync (``jobs.sharding``): a shard's creates and updates, then its deletes once
    every shard has written; number 0 is the deletes of the shared models, last."""

    sync = models.ForeignKey(to=Sync, on_delete=models.CASCADE, related_name="shards")
    number = models.PositiveIntegerField(help_text="The shard's number (0: the shared models).")
    stage = models.CharField(max_length=10, choices=ShardStageChoices)
    key = models.JSONField(default=dict, blank=True, help_text="The shard's scope, as its job run's inputs.")
    scope = models.JSONField(default=dict, blank=True, help_text="The shard's scope, as shown.")
    status = models.CharField(max_length=10, choices=ShardStatusChoices, default=ShardStatusChoices.PENDING)
    job_result = models.OneToOneField(
        to="extras.JobResult", on_delete=models.SET_NULL, null=True, blank=True, related_name="data_sync_shard"
    )
    attempts = models.PositiveIntegerField(default=0)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)
    counts = models.JSONField(default=dict, blank=True, help_text="The run's count fields (as the Sync's).")
    planned_deletes = models.JSONField(
        default=dict, blank=True, help_text="{model: deletes left to the deletes stage} (the delete guard's figures)."
    )
    target_counts = models.JSONField(default=dict, blank=True, help_text="{model: objects the target loaded}.")
    peak_rss = models.BigIntegerField(null=True, blank=True, help_text="Peak resident memory of its worker (bytes).")

    class Meta:
        ordering = ("sync_id", "stage", "number")
        unique_together = (("sync", "stage", "number"),)

    def __str__(self):
        what = "shared models" if self.number == 0 else f"shard {self.number}"
        return f"{what}, {self.get_stage_display().lower()}, of {self.sync}"

    @property
    def duration(self):
        return self.end_time - self.start_time if self.end_time and self.start_time else None

    @property
    def lock_name(self):
        """The run lock this job run holds while it runs (its sync's lock is free between runs)."""
        return f"{self.sync.lock}#shard-{self.pk}"
