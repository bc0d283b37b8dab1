"""A "Data Sync" button on the detail page of a JobResult that has one."""

from nautobot.apps.ui import Button, TemplateExtension
from nautobot.apps.views import get_obj_from_context

from nautobot_data_sync.models import Sync


class DataSyncButton(Button):
    """Links a JobResult to its Data Sync; not rendered when there is none (or the user may not view it)."""

    def get_link(self, context):
        job_result = get_obj_from_context(context)
        if job_result is None:
            return None
        sync = Sync.objects.restrict(context["request"].user, "view").filter(job_result=job_result).only("pk").first()
        return sync.get_absolute_url() if sync else None

    def should_render(self, context):
        return super().should_render(context) and self.get_link(context) is not None


class JobResultDataSync(TemplateExtension):
    """Adds the Data Sync button to JobResult detail pages."""

    model = "extras.jobresult"
    object_detail_buttons = [
        DataSyncButton(
            weight=150,
            label="Data Sync",
            icon="mdi-sync",
            color="primary",
            required_permissions=["nautobot_data_sync.view_sync"],
        ),
    ]


template_extensions = [JobResultDataSync]
