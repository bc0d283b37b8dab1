"""Buttons on Nautobot's pages: JobResult -> its Data Sync; a Data Source / Data Target job -> its page here."""

from nautobot.apps.ui import TemplateExtension
from nautobot.apps.views import get_obj_from_context

from nautobot_data_sync.installed_jobs import SyncJob, sync_job_class
from nautobot_data_sync.models import Sync
from nautobot_data_sync.panels import LinkButton


class DataSyncButton(LinkButton):
    """Links a JobResult to its Data Sync; not rendered when there is none (or the user may not view it)."""

    def get_link(self, context):
        job_result = get_obj_from_context(context)
        if job_result is None:
            return None
        sync = Sync.objects.restrict(context["request"].user, "view").filter(job_result=job_result).only("pk").first()
        return sync.get_absolute_url() if sync else None


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


class SyncJobPageButton(LinkButton):
    """Links a Data Source / Data Target job to its page in this app; not rendered for other jobs."""

    def get_link(self, context):
        job_model = get_obj_from_context(context)
        job_class = sync_job_class(job_model) if job_model is not None else None
        return SyncJob(job_model, job_class).get_absolute_url() if job_class else None


class JobDataSyncPage(TemplateExtension):
    """Adds the Data Sync page button to the detail pages of sync jobs."""

    model = "extras.job"
    object_detail_buttons = [
        SyncJobPageButton(
            weight=150,
            label="Data Sync page",
            icon="mdi-sync",
            color="primary",
            required_permissions=["nautobot_data_sync.view_sync"],
        ),
    ]


template_extensions = [JobResultDataSync, JobDataSyncPage]
