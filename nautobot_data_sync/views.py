"""UI views of the Data Sync records: read-only lists and detail pages; Data Syncs may be deleted (retention)."""

from datetime import timedelta

from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from nautobot.apps.choices import ButtonActionColorChoices
from nautobot.apps.models import RestrictedQuerySet
from nautobot.apps.templatetags import hyperlinked_object, placeholder
from nautobot.apps.ui import (
    Breadcrumbs,
    Button,
    DataTablePanel,
    DistinctViewTab,
    EChartsPanel,
    InstanceBreadcrumbItem,
    InstanceParentBreadcrumbItem,
    ModelBreadcrumbItem,
    ObjectDetailContent,
    ObjectFieldsPanel,
    ObjectsTablePanel,
    ObjectTextPanel,
    Panel,
    SectionChoices,
    Tab,
)
from nautobot.apps.views import (
    ObjectBulkDestroyViewMixin,
    ObjectDestroyViewMixin,
    ObjectDetailViewMixin,
    ObjectListViewMixin,
    get_obj_from_context,
)
from nautobot.extras.models import JobLogEntry
from nautobot.extras.tables import JobLogEntryTable
from rest_framework.decorators import action
from rest_framework.response import Response

from nautobot_data_sync import charts
from nautobot_data_sync.api.serializers import SyncChangeSerializer, SyncSerializer
from nautobot_data_sync.choices import SyncPhaseChoices, SyncStatusChoices
from nautobot_data_sync.filters import SyncChangeFilterSet, SyncFilterSet
from nautobot_data_sync.forms import SyncChangeFilterForm, SyncChangeTabFilterForm, SyncFilterForm
from nautobot_data_sync.models import Sync, SyncChange, SyncPhase
from nautobot_data_sync.tables import (
    COUNT_COLUMNS,
    PhaseDurationTable,
    PhaseMemoryTable,
    SyncChangeTable,
    SyncTable,
    change_action_badge,
    change_status_badge,
    format_duration,
    sync_status_badge,
    to_json,
)

VIEW_CHANGES = "nautobot_data_sync.view_syncchange"
# Records are addressed by UUID only, so that e.g. /syncs/add/ is a 404 rather than an invalid lookup.
UUID_REGEX = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

# Columns of the "changes by model" panel: the keys Sync.counts_by_model uses, in display order.
MODEL_COUNT_KEYS = ("create", "update", "delete", "unchanged", "failed", "skipped")


# Filters of the Changes tab; any other query parameter (page, per_page, sort) is left to the table.
CHANGE_TAB_FILTERS = ("model_name", "action", "status", "q")


class DryRunNotePanel(Panel):
    """A notice, shown only for dry-run syncs, that nothing was written."""

    body_content_template_path = "nautobot_data_sync/inc/dry_run_note.html"

    def should_render(self, context):
        obj = get_obj_from_context(context)
        return super().should_render(context) and bool(getattr(obj, "dry_run", False))


class RunningNotePanel(Panel):
    """For a running sync: the phases finished so far, a refresh button and an automatic refresh."""

    body_content_template_path = "nautobot_data_sync/inc/running_note.html"

    def should_render(self, context):
        obj = get_obj_from_context(context)
        return super().should_render(context) and getattr(obj, "status", None) == SyncStatusChoices.RUNNING


class SyncCountsPanel(ObjectFieldsPanel):
    """The count columns of a Sync, each linked to the matching changes."""

    def render_value(self, key, value, context):
        label, color, filters = COUNT_COLUMNS[key]
        if not value:
            return format_html('<span class="text-secondary">0</span>')
        badge = format_html('<span class="badge bg-{}">{}</span>', color, value)
        if not context["request"].user.has_perm(VIEW_CHANGES):
            return badge
        obj = get_obj_from_context(context)
        return format_html('<a href="{}">{}</a>', changes_tab_url(obj, **filters), badge)


class CountsByModelPanel(DataTablePanel):
    """Counts per diffsync model, hidden when the sync recorded none."""

    def should_render(self, context):
        return super().should_render(context) and bool(context.get(self.context_data_key))


class MemoryPanel(ObjectsTablePanel):
    """The "Memory Usage Stats" table, with a note under it when memory was not profiled."""

    def render_footer_content(self, context):
        footer = super().render_footer_content(context)
        if not context.get("memory_profiled"):
            footer += render_to_string("nautobot_data_sync/inc/memory_not_profiled.html")
        return footer


class ChartPanel(EChartsPanel):
    """An ECharts panel whose data is in the render context under ``data_key``; hidden when it has none."""

    def __init__(self, *, data_key, chart_kwargs, **kwargs):
        self.data_key = data_key
        super().__init__(chart_kwargs={**chart_kwargs, "data": lambda context: context.get(data_key)}, **kwargs)

    def should_render(self, context):
        data = context.get(self.data_key) or {}
        return super().should_render(context) and bool(data.get("x"))


class ChangeFilterPanel(Panel):
    """The filter form of the Changes tab (model, action, status, free-text search)."""

    body_content_template_path = "nautobot_data_sync/inc/change_filter_form.html"


class CountOnceQuerySet(RestrictedQuerySet):
    """Counts once: the panel counts its rows twice (paginator, "more" link), each a scan of up to millions."""

    def count(self):
        if not hasattr(self, "_counted"):
            self._counted = super().count()
        return self._counted


class SyncChangesPanel(ObjectsTablePanel):
    """One page of a sync's changes, filtered by the Changes tab's form, never all of them."""

    def get_table_data_queryset(self, instance, request):
        data = QueryDict(mutable=True)
        for name in CHANGE_TAB_FILTERS:
            values = [value for value in request.GET.getlist(name) if value]
            if values:
                data.setlist(name, values)
        changes = CountOnceQuerySet(model=SyncChange).filter(sync=instance)
        return SyncChangeFilterSet(data, queryset=changes).qs

    def get_extra_context(self, context):
        extra = super().get_extra_context(context)
        if getattr(get_obj_from_context(context), "dry_run", False):
            extra["body_content_table_verbose_name_plural"] = "planned changes"
        return extra


class JobLogsPanel(ObjectsTablePanel):
    """The log of the sync's JobResult, paginated."""

    def get_table_data_queryset(self, instance, request):
        return JobLogEntry.objects.filter(job_result_id=instance.job_result_id)


class SyncJobPageButton(Button):
    """Link from a Data Sync to the page of its Data Source / Data Target job."""

    def get_link(self, context):
        obj = get_obj_from_context(context)
        if obj is None or obj.job_id is None:
            return None
        return reverse("plugins:nautobot_data_sync:syncjob", kwargs={"pk": obj.job_id})

    def should_render(self, context):
        return super().should_render(context) and self.get_link(context) is not None


def changes_tab_url(sync, **filters):
    """The Changes tab of ``sync``, optionally filtered."""
    url = reverse("plugins:nautobot_data_sync:sync_changes", kwargs={"pk": sync.pk})
    return f"{url}?{urlencode(filters)}" if filters else url


def phase_rows(sync, phases):
    """One SyncPhase per phase of a sync, in order; phases that did not run are unsaved placeholders.

    Each row gets ``outcome``: succeeded, failed, running (not finished yet), dry_run (sync phase of a dry-run)
    or not_run (an earlier phase failed).
    """
    by_name = {phase.name: phase for phase in phases}
    rows = []
    for name in SyncPhaseChoices.values():
        phase = by_name.get(name)
        if phase is not None:
            phase.outcome = "succeeded" if phase.succeeded else "failed"
        else:
            phase = SyncPhase(sync=sync, name=name)
            if sync.status == SyncStatusChoices.RUNNING:
                phase.outcome = "running"
            elif sync.dry_run and name == SyncPhaseChoices.SYNC:
                phase.outcome = "dry_run"
            else:
                phase.outcome = "not_run"
        rows.append(phase)
    return rows


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
            DryRunNotePanel(
                label="Dry run",
                section=SectionChoices.LEFT_HALF,
                css_class="info",
                weight=50,
            ),
            RunningNotePanel(
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
                    "summary",
                ),
                value_transforms={
                    "status": [sync_status_badge],
                    "duration": [format_duration],
                },
                key_transforms={"dry_run": "Dry run", "job_result": "Job result"},
            ),
            SyncCountsPanel(
                label="Changes",
                section=SectionChoices.RIGHT_HALF,
                weight=100,
                fields=tuple(COUNT_COLUMNS),
                key_transforms={field: label for field, (label, _color, _filters) in COUNT_COLUMNS.items()},
            ),
            CountsByModelPanel(
                label="Changes by model",
                section=SectionChoices.RIGHT_HALF,
                weight=200,
                context_data_key="counts_by_model",
                columns=("model", *MODEL_COUNT_KEYS),
                column_headers=("Model", *(key.capitalize() for key in MODEL_COUNT_KEYS)),
            ),
            ObjectTextPanel(
                label="Job inputs",
                section=SectionChoices.RIGHT_HALF,
                weight=300,
                object_field="inputs",
                render_as=ObjectTextPanel.RenderOptions.JSON,
                collapsed=True,
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
        ),
        extra_buttons=(
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
            phases = phase_rows(instance, instance.phases.all())
            total = instance.duration or sum((p.duration for p in phases if p.duration is not None), timedelta())
            context["duration_table"] = PhaseDurationTable(phases, user=request.user, total_duration=total)
            context["memory_table"] = PhaseMemoryTable(phases, user=request.user)
            context["memory_profiled"] = any(phase.memory_peak is not None for phase in phases)
            context["duration_chart"] = charts.phase_duration_data(phases)
            context["memory_chart"] = charts.phase_memory_data(phases)
            context["counts_by_model"] = [
                {"model": model, **{key: counts.get(key, 0) for key in MODEL_COUNT_KEYS}}
                for model, counts in sorted((instance.counts_by_model or {}).items())
            ]
        elif instance is not None and self.action == "changes":
            context["change_filter_form"] = SyncChangeTabFilterForm(
                request.GET, model_names=sorted(instance.counts_by_model or {})
            )
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


class ChangeFieldsPanel(ObjectFieldsPanel):
    """Fields of one change; the object link falls back to the recorded text when the object is gone."""

    def render_value(self, key, value, context):
        if key == "changed_object":
            obj = get_obj_from_context(context)
            if value is not None and hasattr(value, "get_absolute_url"):
                return hyperlinked_object(value)
            return placeholder(obj.object_repr)
        return super().render_value(key, value, context)


class SyncChangeUIViewSet(ObjectListViewMixin, ObjectDetailViewMixin):
    """Changes of Data Syncs: list and detail only."""

    queryset = SyncChange.objects.select_related("sync", "changed_object_type")
    filterset_class = SyncChangeFilterSet
    filterset_form_class = SyncChangeFilterForm
    table_class = SyncChangeTable
    serializer_class = SyncChangeSerializer
    action_buttons = ("export",)
    lookup_value_regex = UUID_REGEX
    breadcrumbs = Breadcrumbs(
        items={
            "detail": [
                ModelBreadcrumbItem(model=Sync),
                InstanceBreadcrumbItem(instance=lambda context: context["object"].sync),
                InstanceParentBreadcrumbItem(parent_key="sync", label="Changes"),
            ]
        }
    )

    object_detail_content = ObjectDetailContent(
        panels=(
            ChangeFieldsPanel(
                label="Change",
                section=SectionChoices.LEFT_HALF,
                weight=100,
                fields=(
                    "sync",
                    "sequence",
                    "model_name",
                    "unique_id",
                    "action",
                    "status",
                    "changed_object_type",
                    "changed_object",
                    "message",
                ),
                value_transforms={
                    "action": [change_action_badge],
                    "status": [change_status_badge],
                },
                key_transforms={
                    "sync": "Data Sync",
                    "model_name": "Model",
                    "unique_id": "Unique ID",
                    "changed_object_type": "Object type",
                    "changed_object": "Object",
                },
            ),
            DataTablePanel(
                label="Attributes",
                section=SectionChoices.RIGHT_HALF,
                weight=100,
                context_data_key="attribute_rows",
                columns=("name", "before", "after"),
                column_headers=("Attribute", "Before", "After"),
            ),
            ObjectTextPanel(
                label="Attributes before (JSON)",
                section=SectionChoices.RIGHT_HALF,
                weight=200,
                object_field="attributes_before",
                render_as=ObjectTextPanel.RenderOptions.JSON,
                collapsed=True,
            ),
            ObjectTextPanel(
                label="Attributes after (JSON)",
                section=SectionChoices.RIGHT_HALF,
                weight=300,
                object_field="attributes_after",
                render_as=ObjectTextPanel.RenderOptions.JSON,
                collapsed=True,
            ),
        ),
    )

    def get_extra_context(self, request, instance=None):
        context = super().get_extra_context(request, instance)
        if instance is not None and self.action == "retrieve":
            before = instance.attributes_before or {}
            after = instance.attributes_after or {}
            context["attribute_rows"] = [
                {"name": name, "before": _display(before, name), "after": _display(after, name)}
                for name in sorted(set(before) | set(after))
            ]
        return context


def _display(attributes, name):
    """An attribute value as compact text; None (shown as a placeholder) when the side does not have it."""
    if name not in attributes:
        return None
    value = attributes[name]
    return value if isinstance(value, str) and value else to_json(value)
