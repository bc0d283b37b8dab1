"""UI views of the Data Sync records: read-only lists and detail pages; Data Syncs may be deleted (retention)."""

from django.template.loader import render_to_string
from django.utils.html import format_html
from nautobot.apps.templatetags import hyperlinked_object, placeholder
from nautobot.apps.ui import (
    Breadcrumbs,
    DataTablePanel,
    InstanceBreadcrumbItem,
    InstanceParentBreadcrumbItem,
    ModelBreadcrumbItem,
    ObjectDetailContent,
    ObjectFieldsPanel,
    ObjectsTablePanel,
    ObjectTextPanel,
    Panel,
    SectionChoices,
)
from nautobot.apps.views import (
    ObjectBulkDestroyViewMixin,
    ObjectDestroyViewMixin,
    ObjectDetailViewMixin,
    ObjectListViewMixin,
    get_obj_from_context,
)

from nautobot_data_sync.api.serializers import SyncChangeSerializer, SyncSerializer
from nautobot_data_sync.filters import SyncChangeFilterSet, SyncFilterSet
from nautobot_data_sync.forms import SyncChangeFilterForm, SyncFilterForm
from nautobot_data_sync.models import Sync, SyncChange
from nautobot_data_sync.tables import (
    COUNT_COLUMNS,
    SyncChangeTable,
    SyncPhaseTable,
    SyncTable,
    change_action_badge,
    change_list_url,
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


class DryRunNotePanel(Panel):
    """A notice, shown only for dry-run syncs, that nothing was written."""

    body_content_template_path = "nautobot_data_sync/inc/dry_run_note.html"

    def should_render(self, context):
        obj = get_obj_from_context(context)
        return super().should_render(context) and bool(getattr(obj, "dry_run", False))


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
        return format_html('<a href="{}">{}</a>', change_list_url(obj.pk, **filters), badge)


class CountsByModelPanel(DataTablePanel):
    """Counts per diffsync model, hidden when the sync recorded none."""

    def should_render(self, context):
        return super().should_render(context) and bool(context.get(self.context_data_key))


class PhasesPanel(ObjectsTablePanel):
    """The phase table, with a note under it when memory was not profiled."""

    def render_footer_content(self, context):
        footer = super().render_footer_content(context)
        if context.get("phases_table") is not None and not context.get("memory_profiled"):
            footer += render_to_string("nautobot_data_sync/inc/memory_not_profiled.html")
        return footer


class SyncChangesPanel(ObjectsTablePanel):
    """One page of a sync's changes (never all of them), titled "Planned changes" on dry-run."""

    def get_extra_context(self, context):
        extra = super().get_extra_context(context)
        if getattr(get_obj_from_context(context), "dry_run", False):
            extra["body_content_table_verbose_name_plural"] = "planned changes"
        return extra


class SyncUIViewSet(ObjectListViewMixin, ObjectDetailViewMixin, ObjectDestroyViewMixin, ObjectBulkDestroyViewMixin):
    """Data Syncs: list, detail, delete and bulk delete (no add or edit: they are audit records)."""

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
            PhasesPanel(
                section=SectionChoices.FULL_WIDTH,
                weight=100,
                context_table_key="phases_table",
                table_title="Phases",
                enable_related_link=False,
                add_button_route=None,
                paginate=False,
                show_table_config_button=False,
            ),
            SyncChangesPanel(
                section=SectionChoices.FULL_WIDTH,
                weight=200,
                table_class=SyncChangeTable,
                table_filter="sync",
                exclude_columns=("sync",),
                order_by_fields=("sequence",),
                table_title="changes",
                add_button_route=None,
                include_paginator=True,
                required_permissions=(VIEW_CHANGES,),
            ),
        ),
    )

    def get_extra_context(self, request, instance=None):
        context = super().get_extra_context(request, instance)
        if instance is not None and self.action == "retrieve":
            phases = list(instance.phases.all())
            context["phases_table"] = SyncPhaseTable(phases, user=request.user, orderable=False)
            context["memory_profiled"] = any(phase.memory_peak is not None for phase in phases)
            context["counts_by_model"] = [
                {"model": model, **{key: counts.get(key, 0) for key in MODEL_COUNT_KEYS}}
                for model, counts in sorted((instance.counts_by_model or {}).items())
            ]
        return context


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
