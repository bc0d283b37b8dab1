"""The dashboard of Data Source / Data Target jobs, and the page of one such job."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django_tables2 import RequestConfig
from nautobot.apps.ui import EChartsTypeChoices
from nautobot.apps.views import EnhancedPaginator, GenericView, get_paginate_count
from nautobot.extras.models import Job

from nautobot_data_sync import charts
from nautobot_data_sync.formatters import direction
from nautobot_data_sync.installed_jobs import SyncJob, installed_sync_jobs, sync_job_class
from nautobot_data_sync.models import Sync
from nautobot_data_sync.tables import SyncJobTable, SyncTable

VIEW_SYNCS = "nautobot_data_sync.view_sync"
LAST_SYNCS_PER_JOB = 5
RECENT_SYNCS = 10
LINE, BAR = EChartsTypeChoices.LINE, EChartsTypeChoices.BAR


def last_syncs_by_job(syncs, job_ids, count):
    """{job id: its ``count`` latest syncs, newest first}, in one query."""
    ranked = (
        syncs.filter(job_id__in=job_ids)
        .annotate(rank=Window(RowNumber(), partition_by=F("job_id"), order_by=F("start_time").desc()))
        .filter(rank__lte=count)
        .order_by("job_id", "rank")
    )
    result = {job_id: [] for job_id in job_ids}
    for sync in ranked:
        result[sync.job_id].append(sync)
    return result


class DashboardView(PermissionRequiredMixin, GenericView):
    """Every installed Data Source and Data Target with its last syncs and a run button; recent syncs below."""

    permission_required = VIEW_SYNCS

    def get(self, request):
        jobs = installed_sync_jobs(request.user)
        job_ids = [job.job_model.pk for job in jobs]
        syncs = Sync.objects.restrict(request.user, "view")
        last_syncs = last_syncs_by_job(syncs, job_ids, LAST_SYNCS_PER_JOB)
        runnable = set(Job.objects.restrict(request.user, "run").filter(pk__in=job_ids).values_list("pk", flat=True))
        jobs_table = SyncJobTable(
            [
                {"job": job, "syncs": last_syncs[job.job_model.pk], "can_run": job.job_model.pk in runnable}
                for job in jobs
            ]
        )
        recent = SyncTable(
            syncs.select_related("job", "job_result")[:RECENT_SYNCS],
            user=request.user,
            orderable=False,
            exclude=("pk", "actions"),
        )
        return render(
            request,
            "nautobot_data_sync/dashboard.html",
            {"title": "Data Sync", "jobs_table": jobs_table, "recent_table": recent},
        )


class SyncJobView(PermissionRequiredMixin, GenericView):
    """One Data Source / Data Target job: what it maps, how it is configured, its history and trend."""

    permission_required = ("extras.view_job", VIEW_SYNCS)

    def get(self, request, pk):
        job_model = get_object_or_404(Job.objects.restrict(request.user, "view"), pk=pk)
        job_class = sync_job_class(job_model)
        if job_class is None:
            raise Http404("This job is not an installed Data Source or Data Target.")
        sync_job = SyncJob(job_model, job_class)
        syncs = Sync.objects.restrict(request.user, "view").filter(job=job_model).select_related("job", "job_result")
        history = SyncTable(syncs, user=request.user, exclude=("pk", "job", "actions"))
        RequestConfig(
            request, {"paginator_class": EnhancedPaginator, "per_page": get_paginate_count(request)}
        ).configure(history)
        trend = list(syncs.filter(end_time__isnull=False)[: charts.TREND_LENGTH])[::-1]
        trend_charts = []
        if trend:
            trend_charts = [
                ("trend-duration-chart", charts.trend_chart(LINE, charts.duration_trend_data(trend), "seconds")),
                ("trend-changes-chart", charts.trend_chart(BAR, charts.change_trend_data(trend), "changes", True)),
            ]
        can_run = job_model.enabled and Job.objects.restrict(request.user, "run").filter(pk=pk).exists()
        return render(
            request,
            "nautobot_data_sync/sync_job.html",
            {
                "title": job_model.name,
                "sync_job": sync_job,
                "direction": direction(sync_job),
                "config_information": list(job_class.config_information().items()),
                "data_mappings": job_class.data_mappings(),
                "history_table": history,
                "trend_charts": [(chart_id, chart, chart.get_config()) for chart_id, chart in trend_charts],
                "can_run": can_run,
            },
        )
