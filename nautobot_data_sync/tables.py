"""django-tables2 tables of Data Syncs, their phases, their changes and the sync jobs (values shown by formatters)."""

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from nautobot.apps.tables import BaseTable, BooleanColumn, ButtonsColumn, ToggleColumn
from nautobot.apps.templatetags import bettertitle, hyperlinked_field, placeholder

from nautobot_data_sync.choices import ChangeActionChoices, ChangeStatusChoices, PhaseOutcomeChoices, SyncStatusChoices
from nautobot_data_sync.formatters import (
    attribute_changes,
    badge,
    changed_object_link,
    compact,
    compact_json,
    count_badge,
    direction,
    dry_run_mark,
    format_duration,
    format_mib,
)
from nautobot_data_sync.models import Sync, SyncChange, SyncPhase

NUMERIC_ATTRS = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}


class CountColumn(tables.Column):
    """A Sync count, linked to the matching changes when there are any."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUMERIC_ATTRS)
        super().__init__(*args, **kwargs)

    def render(self, record, value, bound_column):  # pylint: disable=arguments-differ
        return count_badge(record, bound_column.name, value)


class SyncTable(BaseTable):
    """List of Data Syncs."""

    pk = ToggleColumn()
    start_time = tables.DateTimeColumn(linkify=True, short=True, verbose_name="Started")
    job = tables.Column(linkify=True)
    direction = tables.Column(
        accessor="source", order_by=("source", "target"), verbose_name="Source \u2192 Target", empty_values=()
    )
    source = tables.Column()
    target = tables.Column()
    dry_run = BooleanColumn(verbose_name="Dry Run")
    status = tables.Column()
    end_time = tables.DateTimeColumn(short=True, verbose_name="Ended")
    duration = tables.Column(empty_values=(), orderable=False)
    job_result = tables.Column(linkify=True, verbose_name="Job Result")
    summary = tables.Column()
    create_count = CountColumn(verbose_name="Create")
    update_count = CountColumn(verbose_name="Update")
    delete_count = CountColumn(verbose_name="Delete")
    unchanged_count = CountColumn(verbose_name="Unchanged")
    failed_count = CountColumn(verbose_name="Failed")
    skipped_count = CountColumn(verbose_name="Skipped")
    conflict_count = CountColumn(verbose_name="Conflicts")
    kept_count = CountColumn(verbose_name="Kept: not owned")
    drifted_count = CountColumn(verbose_name="Drifted")
    actions = ButtonsColumn(Sync, buttons=("detail", "delete"))

    class Meta(BaseTable.Meta):
        model = Sync
        fields = (
            "pk",
            "start_time",
            "job",
            "direction",
            "source",
            "target",
            "dry_run",
            "status",
            "end_time",
            "duration",
            "job_result",
            "summary",
            "create_count",
            "update_count",
            "delete_count",
            "unchanged_count",
            "failed_count",
            "skipped_count",
            "conflict_count",
            "kept_count",
            "drifted_count",
            "actions",
        )
        default_columns = (
            "pk",
            "start_time",
            "job",
            "direction",
            "dry_run",
            "status",
            "duration",
            "create_count",
            "update_count",
            "delete_count",
            "unchanged_count",
            "failed_count",
            "skipped_count",
            "actions",
        )

    def render_direction(self, record):
        return direction(record)

    # django-tables2 passes the display label of a choice field as `value`: badges need the stored value.
    def render_status(self, record):
        return badge(SyncStatusChoices, record.status)

    def render_duration(self, record):
        return format_duration(record.duration)

    def render_summary(self, value):
        return compact(value)


class PhaseDurationTable(BaseTable):
    """Duration and database queries of each phase of one Data Sync (four rows: see views.phase_rows)."""

    name = tables.Column(verbose_name="Phase")
    outcome = tables.Column(verbose_name="Outcome", empty_values=())
    duration = tables.Column(attrs=NUMERIC_ATTRS)
    share = tables.Column(verbose_name="Share", attrs=NUMERIC_ATTRS, empty_values=(), accessor="duration")
    query_count = tables.Column(verbose_name="DB queries", attrs=NUMERIC_ATTRS)
    object_count = tables.Column(verbose_name="Objects", attrs=NUMERIC_ATTRS)
    parallel = BooleanColumn(verbose_name="Parallel")

    class Meta(BaseTable.Meta):
        model = SyncPhase
        fields = ("name", "outcome", "duration", "share", "query_count", "object_count", "parallel")
        orderable = False

    def __init__(self, *args, total_duration=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.total_seconds = total_duration.total_seconds() if total_duration else None

    def render_name(self, record):
        return record.get_name_display()

    def render_outcome(self, record):
        return badge(PhaseOutcomeChoices, record.outcome)

    def render_duration(self, value):
        return format_duration(value)

    def render_share(self, record):
        if not self.total_seconds or record.duration is None:
            return placeholder(None)
        return f"{100 * record.duration.total_seconds() / self.total_seconds:.0f} %"

    def render_query_count(self, value):
        return f"{value:,}"

    def render_object_count(self, value):
        return f"{value:,}"


class PhaseMemoryTable(BaseTable):
    """Final and peak traced memory of each phase of one Data Sync."""

    name = tables.Column(verbose_name="Phase")
    memory_final = tables.Column(verbose_name="Final", attrs=NUMERIC_ATTRS)
    memory_peak = tables.Column(verbose_name="Peak", attrs=NUMERIC_ATTRS)
    parallel = BooleanColumn(verbose_name="Parallel (measured together)")

    class Meta(BaseTable.Meta):
        model = SyncPhase
        fields = ("name", "memory_final", "memory_peak", "parallel")
        orderable = False

    def render_name(self, record):
        return record.get_name_display()

    def render_memory_final(self, value):
        return format_mib(value)

    def render_memory_peak(self, value):
        return format_mib(value)


class PhaseProfileTable(BaseTable):
    """The top functions of one phase by cumulative time (its ``SyncPhase.profile`` rows), as cProfile measured them."""

    function = tables.Column()
    cumulative = tables.Column(attrs=NUMERIC_ATTRS)
    share = tables.Column(verbose_name="Share of phase", accessor="cumulative", attrs=NUMERIC_ATTRS)
    own = tables.Column(verbose_name="Own time", attrs=NUMERIC_ATTRS)
    calls = tables.Column(attrs=NUMERIC_ATTRS)

    class Meta(BaseTable.Meta):
        model = SyncPhase
        fields = ("function", "cumulative", "share", "own", "calls")
        orderable = False

    def __init__(self, phase, **kwargs):
        super().__init__(phase.profile, **kwargs)
        self.phase_seconds = phase.duration.total_seconds()

    def render_function(self, value):
        return format_html("<code>{}</code>", value)

    def render_cumulative(self, value):
        return f"{value * 1000:,.1f} ms"

    def render_share(self, value):
        return f"{100 * value / self.phase_seconds:.0f} %" if self.phase_seconds else placeholder(None)

    def render_own(self, value):
        return f"{value * 1000:,.1f} ms"

    def render_calls(self, value):
        return f"{value:,}"


class SyncChangeTable(BaseTable):
    """List of changes, of one Data Sync or of several."""

    sequence = tables.Column(linkify=True, verbose_name="#", attrs={"td": {"class": "text-end"}})
    sync = tables.Column(linkify=True, verbose_name="Data Sync")
    model_name = tables.Column(verbose_name="Model")
    unique_id = tables.Column(linkify=True, verbose_name="Unique ID")
    action = tables.Column()
    status = tables.Column()
    attribute_changes = tables.Column(
        accessor="attributes_after", verbose_name="Attributes", orderable=False, empty_values=()
    )
    attributes_before = tables.Column(verbose_name="Before", orderable=False)
    attributes_after = tables.Column(verbose_name="After", orderable=False)
    changed_object = tables.Column(verbose_name="Object", orderable=False, empty_values=())
    changed_object_type = tables.Column(verbose_name="Object Type")
    message = tables.Column()

    class Meta(BaseTable.Meta):
        model = SyncChange
        fields = (
            "sequence",
            "sync",
            "model_name",
            "unique_id",
            "action",
            "status",
            "attribute_changes",
            "attributes_before",
            "attributes_after",
            "changed_object",
            "changed_object_type",
            "message",
        )
        default_columns = (
            "sequence",
            "sync",
            "model_name",
            "unique_id",
            "action",
            "status",
            "attribute_changes",
            "changed_object",
            "message",
        )

    def render_action(self, record):
        return badge(ChangeActionChoices, record.action)

    def render_status(self, record):
        return badge(ChangeStatusChoices, record.status)

    def render_attribute_changes(self, record):
        return attribute_changes(record)

    def render_attributes_before(self, value):
        return compact_json(value)

    def render_attributes_after(self, value):
        return compact_json(value)

    def render_changed_object(self, record):
        return changed_object_link(record)

    def render_changed_object_type(self, value):
        model = value.model_class()
        return bettertitle(model._meta.verbose_name) if model else f"{value.app_label}.{value.model}"

    def render_message(self, value):
        return compact(value)


class SyncJobTable(tables.Table):
    """The installed Data Source / Data Target jobs on the dashboard.

    Rows are ``{"job": SyncJob, "syncs": [its last syncs, newest first], "can_run": the user may run it}``.
    """

    name = tables.Column(accessor="job__job_model__name", verbose_name="Job", orderable=False)
    kind = tables.Column(accessor="job__kind", verbose_name="Kind", orderable=False)
    direction = tables.Column(empty_values=(), verbose_name="Source \u2192 Target", orderable=False)
    last_syncs = tables.Column(empty_values=(), verbose_name="Last syncs", orderable=False)
    last_duration = tables.Column(empty_values=(), verbose_name="Last duration", orderable=False)
    run = tables.Column(empty_values=(), verbose_name="", orderable=False, attrs={"td": {"class": "text-end"}})

    class Meta:
        attrs = {"class": "table table-hover nb-table-headings", "id": "data-sync-jobs"}
        empty_text = "No Data Source or Data Target job is installed."

    def render_name(self, record):
        return hyperlinked_field(record["job"].job_model.name, record["job"].get_absolute_url())

    def render_direction(self, record):
        return direction(record["job"])

    def render_last_syncs(self, record):
        if not record["syncs"]:
            return placeholder(None)
        return format_html_join(
            " ",
            '<a href="{}" title="{}">{}</a>',
            (
                (
                    sync.get_absolute_url(),
                    str(sync),
                    badge(SyncStatusChoices, sync.status, dry_run_mark(sync, sync.get_status_display())),
                )
                for sync in record["syncs"]
            ),
        )

    def render_last_duration(self, record):
        finished = [sync for sync in record["syncs"] if sync.end_time]
        return format_duration(finished[0].duration) if finished else placeholder(None)

    def render_run(self, record):
        job_model = record["job"].job_model
        if not record["can_run"]:
            return ""
        if not job_model.enabled:
            return format_html('<span class="text-secondary small">{}</span>', "not enabled")
        return format_html(
            '<a href="{}" class="btn btn-sm btn-success"><span class="mdi mdi-play" aria-hidden="true"></span> Run</a>',
            record["job"].get_run_url(),
        )
