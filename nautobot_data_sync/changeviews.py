"""UI views of the changes of Data Syncs: list (across syncs, filtered) and detail, read-only."""

from functools import partial

from nautobot.apps.ui import (
    Breadcrumbs,
    DataTablePanel,
    InstanceBreadcrumbItem,
    InstanceParentBreadcrumbItem,
    ModelBreadcrumbItem,
    ObjectDetailContent,
    SectionChoices,
)
from nautobot.apps.views import ObjectDetailViewMixin, ObjectListViewMixin

from nautobot_data_sync.api.serializers import SyncChangeSerializer
from nautobot_data_sync.choices import ChangeActionChoices, ChangeStatusChoices
from nautobot_data_sync.filters import SyncChangeFilterSet
from nautobot_data_sync.formatters import attribute_pairs, attribute_text, badge
from nautobot_data_sync.forms import SyncChangeFilterForm
from nautobot_data_sync.models import Sync, SyncChange
from nautobot_data_sync.panels import ChangeFieldsPanel, CollapsedTextPanel
from nautobot_data_sync.tables import SyncChangeTable

# Records are addressed by UUID only, so that e.g. /syncs/add/ is a 404 rather than an invalid lookup.
UUID_REGEX = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


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
                    "action": [partial(badge, ChangeActionChoices)],
                    "status": [partial(badge, ChangeStatusChoices)],
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
            CollapsedTextPanel(
                label="Attributes before (JSON)",
                section=SectionChoices.RIGHT_HALF,
                weight=200,
                object_field="attributes_before",
                render_as=CollapsedTextPanel.RenderOptions.JSON,
            ),
            CollapsedTextPanel(
                label="Attributes after (JSON)",
                section=SectionChoices.RIGHT_HALF,
                weight=300,
                object_field="attributes_after",
                render_as=CollapsedTextPanel.RenderOptions.JSON,
            ),
        ),
    )

    def get_extra_context(self, request, instance=None):
        context = super().get_extra_context(request, instance)
        if instance is not None and self.action == "retrieve":
            context["attribute_rows"] = [
                {"name": name, "before": attribute_text(before), "after": attribute_text(after)}
                for name, before, after in attribute_pairs(instance)
            ]
        return context
