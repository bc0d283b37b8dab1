"""UI views of the Data Sync records: read-only lists and detail pages; Data Syncs may be deleted (retention)."""

from datetime import timedelta
from functools import partial

from django.db.models import Q
from nautobot.apps.choices import ButtonActionColorChoices
from nautobot.apps.ui import (
    DistinctViewTab,
    ObjectDetailContent,
    ObjectFieldsPanel,
    ObjectsTablePanel,
    SectionChoices,
    Tab,
)
from nautobot.apps.views import (
    ObjectBulkDestroyViewMixin,
    ObjectDestroyViewMixin,
    ObjectDetailViewMixin,
    ObjectListViewMixin,
)
from nautobot.extras.tables import JobLogEntryTable
from rest_framework.decorators import action
from rest_framework.response import Response

from nautobot_data_sync import charts
from nautobot_data_sync.api.serializers import SyncSerializer
from nautobot_data_sync.changeviews import UUID_REGEX, SyncChangeUIViewSet  # noqa: F401 - Nautobot looks for views here
from nautobot_data_sync.choices import ShardStageChoices, SyncPhaseChoices, SyncStatusChoices
from nautobot_data_sync.filters import SyncFilterSet
from nautobot_data_sync.formatters import COUNTED_CHANGES, badge, format_duration
from nautobot_data_sync.forms import SyncChangeTabFilterForm, SyncFilterForm
from nautobot_data_sync.models import Sync
from nautobot_data_sync.panels import (
    VIEW_CHANGES,
    ApplyPlanButton,
    ChangeFilterPanel,
    ChartPanel,
    CollapsedTextPanel,
    CountsByModelPanel,
    JobLogsPanel,
    MemoryPanel,
    RevertSyncButton,
    RunAllowingDeletesButton,
    ScopePanel,
    SyncChangesPanel,
    SyncCountsPanel,
    SyncJobPageButton,
    SyncNotePanel,
    phase_profile_panels,
    phase_profile_tables,
    phase_rows,
)
from nautobot_data_sync.shardpanels import (
    RetryShardsButton,
    ShardsPanel,
    SyncShardTable,
    shard_duration_data,
    stacked_bar_chart,
)
from nautobot_data_sync.sync.deadruns import close_if_dead
from nautobot_data_sync.tables import PhaseDurationTable, PhaseMemoryTable, SyncChangeTable, SyncTable

# Columns of the "changes by model" panel: the keys Sync.counts_by_model uses, in display order.
MODEL_COUNT_KEYS = (
    "create",
    "update",
    "delete",
    "unchanged",
    "failed",
    "skipped",
    "conflict",
    "kept",
    "drifted",
    "moved",
)


class SyncUIViewSet(ObjectListViewMixin, ObjectDetailViewMixin, ObjectDestroyViewMixin, ObjectBulkDestroyViewMixin):
    """Data Syncs: list, detail (with Changes and Job logs tabs), delete and bulk delete (no add or edit: they are
    audit records)."""

    queryset = Sync.objects.select_related("job", "job_result")
    filterset_class = SyncFilterSet
    filterset_form_class = SyncFilterForm
    table_class = SyncTable
    serializer_class = SyncSerializer
    action_buttons = ("export",)
    lookup_value_regex = UUID_REGEX

    object_detail_content = ObjectDetailContent(
        panels=(
            SyncNotePanel(
                applies=lambda sync: sync.dry_run,
                body_content_template_path="nautobot_data_sync/inc/dry_run_note.html",
                label="Dry run",
                section=SectionChoices.LEFT_HALF,
                css_class="info",
                weight=50,
            ),
            SyncNotePanel(
                applies=lambda sync: sync.status == SyncStatusChoices.BLOCKED,
                body_content_template_path="nautobot_data_sync/inc/blocked_note.html",
                label="Blocked",
                section=SectionChoices.LEFT_HALF,
                css_class="warning",
                weight=40,
            ),
            SyncNotePanel(
                applies=lambda sync: sync.dry_run and sync.applications.exists(),
                body_content_template_path="nautobot_data_sync/inc/applied_note.html",
                label="Applied",
                section=SectionChoices.LEFT_HALF,
                css_class="success",
                weight=55,
            ),
            SyncNotePanel(
                applies=lambda sync: sync.status == SyncStatusChoices.RUNNING,
                body_content_template_path="nautobot_data_sync/inc/running_note.html",
                label="Running",
                section=SectionChoices.LEFT_HALF,
                css_class="warning",
                weight=60,
            ),
            ObjectFieldsPanel(
                label="Data Sync",
                section=SectionChoices.LEFT_HALF,
                weight=100,
                fields=(
                    "job",
                    "source",
                    "target",
                    "status",
                    "dry_run",
                    "start_time",
                    "end_time",
                    "duration",
                    "job_result",
                    "plan",
                    "reverts",
                    "summary",
                ),
                value_transforms={
                    "status": [partial(badge, SyncStatusChoices)],
                    "duration": [format_duration],
                },
                key_transforms={
                    "dry_run": "Dry run",
                    "job_result": "Job result",
                    "plan": "Applies the plan",
                    "reverts": "Reverts",
                },
            ),
            ScopePanel(label="Scope", section=SectionChoices.LEFT_HALF, weight=150),
            SyncCountsPanel(
                label="Changes",
                section=SectionChoices.RIGHT_HALF,
                weight=100,
                fields=tuple(COUNTED_CHANGES),
                key_transforms={
                    field: choices.as_dict()[value] for field, (_, choices, value) in COUNTED_CHANGES.items()
                },
            ),
            CountsByModelPanel(
                label="Changes by model",
                section=SectionChoices.RIGHT_HALF,
                weight=200,
                context_data_key="counts_by_model",
                columns=("model", *MODEL_COUNT_KEYS),
                column_headers=("Model", *(key.capitalize() for key in MODEL_COUNT_KEYS)),
            ),
            CollapsedTextPanel(
                label="Job inputs",
                section=SectionChoices.RIGHT_HALF,
                weight=300,
                object_field="inputs",
                render_as=CollapsedTextPanel.RenderOptions.JSON,
            ),
            ObjectsTablePanel(
                section=SectionChoices.LEFT_HALF,
                weight=200,
                context_table_key="duration_table",
                table_title="Duration",
                enable_related_link=False,
                add_button_route=None,
                paginate=False,
                show_table_config_button=False,
            ),
            ChartPanel(
                label="Duration per phase",
                section=SectionChoices.RIGHT_HALF,
                weight=400,
                data_key="duration_chart",
                chart_kwargs=charts.bar_chart("", "seconds"),
                chart_container_id="duration-chart",
                chart_height="18rem",
            ),
            ShardsPanel(
                section=SectionChoices.FULL_WIDTH,
                weight=150,
                context_table_key="shard_table",
                table_title="Shards",
                enable_related_link=False,
                add_button_route=None,
                paginate=False,
                show_table_config_button=False,
            ),
            ChartPanel(
                label="Duration per shard (its phases, then its deletes)",
                section=SectionChoices.FULL_WIDTH,
                weight=160,
                data_key="shard_chart",
                chart_kwargs=stacked_bar_chart("seconds", len(SyncPhaseChoices.CHOICES) + 1),
                chart_container_id="shard-chart",
                chart_height="18rem",
            ),
            MemoryPanel(
                section=SectionChoices.LEFT_HALF,
                weight=300,
                context_table_key="memory_table",
                table_title="Memory Usage Stats",
                enable_related_link=False,
                add_button_route=None,
                paginate=False,
                show_table_config_button=False,
            ),
            ChartPanel(
                label="Memory per phase",
                section=SectionChoices.RIGHT_HALF,
                weight=500,
                data_key="memory_chart",
                chart_kwargs=charts.bar_chart("", "MiB"),
                chart_container_id="memory-chart",
                chart_height="18rem",
            ),
            *phase_profile_panels(weight=600),
        ),
        extra_buttons=(
            ApplyPlanButton(
                weight=40,
                label="Apply this plan",
                icon="mdi-check-decagram",
                color=ButtonActionColorChoices.ADD,
                required_permissions=["extras.run_job"],
            ),
            RetryShardsButton(
                weight=42,
                label="Retry failed shards",
                icon="mdi-refresh",
                color=ButtonActionColorChoices.ADD,
                required_permissions=["extras.run_job"],
            ),
            RevertSyncButton(
                weight=45,
                label="Revert this sync",
                icon="mdi-undo",
                color=ButtonActionColorChoices.DELETE,
                required_permissions=["extras.run_job"],
            ),
            RunAllowingDeletesButton(
                weight=50,
                label="Run again allowing these deletes",
                icon="mdi-play",
                color=ButtonActionColorChoices.ADD,
                required_permissions=["extras.run_job"],
            ),
            SyncJobPageButton(
                weight=100,
                label="Job page",
                icon="mdi-sync",
                color=ButtonActionColorChoices.DEFAULT,
                required_permissions=["extras.view_job"],
            ),
        ),
        extra_tabs=(
            DistinctViewTab(
                weight=Tab.WEIGHT_MAIN_TAB + 10,
                tab_id="changes",
                label="Changes",
                url_name="plugins:nautobot_data_sync:sync_changes",
                required_permissions=(VIEW_CHANGES,),
                panels=(
                    ChangeFilterPanel(label="Filter", section=SectionChoices.FULL_WIDTH, weight=100),
                    SyncChangesPanel(
                        section=SectionChoices.FULL_WIDTH,
                        weight=200,
                        table_class=SyncChangeTable,
                        exclude_columns=("sync",),
                        order_by_fields=("sequence",),
                        table_title="changes",
                        add_button_route=None,
                        include_paginator=True,
                        related_field_name="sync",
                        tab_id="changes",
                        # The table configuration form would build (and count) the table a second time.
                        show_table_config_button=False,
                    ),
                ),
            ),
            DistinctViewTab(
                weight=Tab.WEIGHT_MAIN_TAB + 20,
                tab_id="job_logs",
                label="Job logs",
                url_name="plugins:nautobot_data_sync:sync_job_logs",
                required_permissions=("extras.view_jobresult",),
                panels=(
                    JobLogsPanel(
                        section=SectionChoices.FULL_WIDTH,
                        weight=100,
                        table_class=JobLogEntryTable,
                        order_by_fields=("created",),
                        table_title="Job log",
                        add_button_route=None,
                        enable_related_link=False,
                        include_paginator=True,
                        show_table_config_button=False,
                        tab_id="job_logs",
                    ),
                ),
            ),
        ),
    )

    def get_extra_context(self, request, instance=None):
        context = super().get_extra_context(request, instance)
        if instance is not None and self.action == "retrieve":
            if close_if_dead(instance):  # "running", but its process is gone: shown as interrupted from now on
                instance.refresh_from_db()
            shards = list(instance.shards.select_related("job_result"))
            if shards:
                context["shard_table"] = SyncShardTable(shards, user=request.user)
                context["shard_chart"] = shard_duration_data(shards, instance.phases.exclude(shard=None))
            own = Q(shard=None) | Q(
                shard__number=0, shard__stage=ShardStageChoices.WRITES
            )  # of a sharded sync: its own
            phases = phase_rows(instance, instance.phases.filter(own))
            total = instance.duration or sum((p.duration for p in phases if p.duration is not None), timedelta())
            context["duration_table"] = PhaseDurationTable(phases, user=request.user, total_duration=total)
            context["memory_table"] = PhaseMemoryTable(phases, user=request.user)
            context["memory_profiled"] = any(phase.memory_peak is not None for phase in phases)
            context["duration_chart"] = charts.phase_duration_data(phases)
            context["memory_chart"] = charts.phase_memory_data(phases)
            context.update(phase_profile_tables(phases, request.user))
            context["counts_by_model"] = [
                {"model": model, **{key: counts.get(key, 0) for key in MODEL_COUNT_KEYS}}
                for model, counts in sorted((instance.counts_by_model or {}).items())
            ]
        elif instance is not None and self.action == "changes":
            # A running sync has no counts by model yet: its models are read from its changes (an index scan).
            model_names = sorted(instance.counts_by_model or {}) or list(
                instance.changes.order_by("model_name").values_list("model_name", flat=True).distinct()
            )
            context["change_filter_form"] = SyncChangeTabFilterForm(request.GET, model_names=model_names)
        return context

    @action(
        detail=True,
        url_path="changes",
        url_name="changes",
        custom_view_base_action="view",
        custom_view_additional_permissions=[VIEW_CHANGES],
    )
    def changes(self, request, *args, **kwargs):
        return Response({})

    @action(
        detail=True,
        url_path="job-logs",
        url_name="job_logs",
        custom_view_base_action="view",
        custom_view_additional_permissions=["extras.view_jobresult"],
    )
    def job_logs(self, request, *args, **kwargs):
        return Response({})
