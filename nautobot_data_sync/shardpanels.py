"""The job runs of a sharded Data Sync on its page: a table, a chart of their durations, the "retry" button."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from nautobot.apps.tables import BaseTable
from nautobot.apps.templatetags import hyperlinked_field, placeholder
from nautobot.apps.ui import ObjectsTablePanel

from nautobot_data_sync.charts import bar_chart
from nautobot_data_sync.choices import ShardStageChoices, ShardStatusChoices, SyncPhaseChoices, SyncStatusChoices
from nautobot_data_sync.formatters import badge, format_duration, format_mib, seconds
from nautobot_data_sync.models import SyncShard
from nautobot_data_sync.panels import PlanJobButton
from nautobot_data_sync.tables import NUMERIC_ATTRS


class SyncShardTable(BaseTable):
    """The job runs of one sharded Data Sync, in the order of its stages."""

    number = tables.Column(verbose_name="Shard")
    stage = tables.Column()
    scope = tables.Column(empty_values=())
    status = tables.Column()
    attempts = tables.Column(verbose_name="Attempts", attrs=NUMERIC_ATTRS)
    duration = tables.Column(empty_values=(), attrs=NUMERIC_ATTRS, orderable=False)
    written = tables.Column(verbose_name="Changes", empty_values=(), attrs=NUMERIC_ATTRS, accessor="counts")
    peak_rss = tables.Column(verbose_name="Worker peak RSS", attrs=NUMERIC_ATTRS)
    job_result = tables.Column(verbose_name="Job Result")

    class Meta(BaseTable.Meta):
        model = SyncShard
        fields = ("number", "stage", "scope", "status", "attempts", "duration", "written", "peak_rss", "job_result")
        orderable = False

    def render_number(self, value):
        return "shared models" if value == 0 else value

    def render_stage(self, record):
        return record.get_stage_display()

    def render_scope(self, value):
        texts = [", ".join(text) if isinstance(text, list) else text for text in (value or {}).values()]
        return "; ".join(texts) or placeholder(None)

    def render_status(self, record):
        return badge(ShardStatusChoices, record.status)

    def render_duration(self, record):
        return format_duration(record.duration)

    def render_written(self, record):
        """Creates, updates and deletes of the run, linked to its changes."""
        counts = record.counts or {}
        number = sum(counts.get(name, 0) for name in ("create_count", "update_count", "delete_count"))
        url = reverse("plugins:nautobot_data_sync:sync_changes", kwargs={"pk": record.sync_id})
        return format_html('<a href="{}?shard={}">{}</a>', url, record.pk, f"{number:,}")

    def render_peak_rss(self, value):
        return format_mib(value)

    def render_job_result(self, value):
        return hyperlinked_field(value)


class ShardsPanel(ObjectsTablePanel):
    """The job runs of a sharded sync; hidden for the others."""

    def should_render(self, context):
        return super().should_render(context) and context.get(self.context_table_key) is not None


def shard_duration_data(shards, phases):
    """Stacked bar data per shard (seconds): the phases of its writes run, then its deletes run whole."""
    numbers = sorted({shard.number for shard in shards})
    stage_of = {shard.pk: (shard.stage, shard.number) for shard in shards}
    writes = {}  # {(phase name, shard number): seconds}
    for phase in phases:
        stage, number = stage_of.get(phase.shard_id, (None, None))
        if stage == ShardStageChoices.WRITES:
            writes[phase.name, number] = seconds(phase.duration)
    series = [
        {"name": label, "data": [writes.get((name, number), 0) for number in numbers]}
        for name, label in SyncPhaseChoices.CHOICES
    ]
    deletes = {shard.number: seconds(shard.duration) for shard in shards if shard.stage == ShardStageChoices.DELETES}
    series.append({"name": "Deletes (whole run)", "data": [deletes.get(number, 0) or 0 for number in numbers]})
    return {"x": ["shared" if number == 0 else str(number) for number in numbers], "series": series}


def stacked_bar_chart(y_label, series_count):
    """Keyword arguments of an ``EChartsBase`` bar chart whose ``series_count`` series are stacked."""
    chart = bar_chart("", y_label)
    chart["additional_config"] = {**chart["additional_config"], "series": [{"stack": "total"}] * series_count}
    return chart


class RetryShardsButton(PlanJobButton):
    """On a sharded sync with failed job runs: run them again, alone."""

    job_class_name, input_name = "RetryFailedShards", "data_sync"

    @staticmethod
    def applies(sync):
        return (
            sync.status != SyncStatusChoices.RUNNING and sync.shards.filter(status=ShardStatusChoices.FAILED).exists()
        )
