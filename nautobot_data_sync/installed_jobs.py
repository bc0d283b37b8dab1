"""The installed Data Source and Data Target jobs, however they were installed (app, JOBS_ROOT, Git repository)."""

from dataclasses import dataclass

from django.urls import reverse
from nautobot.extras.models import Job

from nautobot_data_sync.jobs.base import DataSource, DataSyncJob, DataTarget


@dataclass(frozen=True)
class SyncJob:
    """A Job record whose class is a DataSyncJob, with what the UI shows about it."""

    job_model: Job
    job_class: type

    @property
    def kind(self):
        if issubclass(self.job_class, DataTarget):
            return "Data Target"
        if issubclass(self.job_class, DataSource):
            return "Data Source"
        return "Data Sync job"

    @property
    def source(self):
        return self.job_class.data_source

    @property
    def target(self):
        return self.job_class.data_target

    @property
    def source_icon(self):
        return self.job_class.data_source_icon

    @property
    def target_icon(self):
        return self.job_class.data_target_icon

    def get_absolute_url(self):
        return reverse("plugins:nautobot_data_sync:syncjob", kwargs={"pk": self.job_model.pk})

    def get_run_url(self):
        return reverse("extras:job_run", kwargs={"pk": self.job_model.pk})


def sync_job_class(job_model):
    """The DataSyncJob subclass of ``job_model``, or None (another kind of job, or its code is not installed)."""
    job_class = job_model.job_class
    return job_class if isinstance(job_class, type) and issubclass(job_class, DataSyncJob) else None


def installed_sync_jobs(user):
    """Every installed Data Source / Data Target job the user may view, by name."""
    jobs = []
    for job_model in Job.objects.restrict(user, "view").filter(installed=True).order_by("name"):
        job_class = sync_job_class(job_model)
        if job_class is not None:
            jobs.append(SyncJob(job_model, job_class))
    return jobs
