"""A sync job installed from a Git repository: committed to a repository served over HTTP on loopback (git's "dumb"
HTTP protocol, a static file server), added to Nautobot as a Git repository providing jobs, synced by Nautobot's own
Git sync job, then listed with the Data Sync jobs and run.

The job is the skeleton of ``nautobot-server data_sync_new`` (``--into`` the repository's ``jobs`` package).
"""

import functools
import importlib
import subprocess
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.test import override_settings, tag
from nautobot.apps.testing import TransactionTestCase
from nautobot.dcim.models import Device
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import GitRepository

from nautobot_data_sync.installed_jobs import installed_sync_jobs
from nautobot_data_sync.scaffold import write_skeleton
from nautobot_data_sync.testing import SyncTestMixin, installed_job

GIT = [
    "git",
    "-c",
    "user.name=data-sync test",
    "-c",
    "user.email=test@data-sync.invalid",
    "-c",
    "init.defaultBranch=main",
]


def git(*arguments, cwd):
    subprocess.run([*GIT, *arguments], cwd=cwd, check=True, capture_output=True, text=True)


def make_repository(folder):
    """A bare repository ``folder/served/sync-jobs.git`` whose ``jobs`` package holds the skeleton ``git_devices``;
    returns the folder to serve."""
    source = folder / "source"
    (source / "jobs").mkdir(parents=True)
    write_skeleton("git_devices", "source", source / "jobs")
    (source / "__init__.py").write_text("")  # Nautobot imports the repository as a package
    (source / "jobs" / "__init__.py").write_text("from . import git_devices  # noqa: F401 - registers its job\n")
    git("init", cwd=source)
    git("add", ".", cwd=source)
    git("commit", "-m", "A Data Source", cwd=source)
    served = folder / "served"
    served.mkdir()
    git("clone", "--bare", str(source), "sync-jobs.git", cwd=served)
    git("update-server-info", cwd=served / "sync-jobs.git")  # what a client of the dumb protocol reads first
    return served


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@tag("integration")
class GitRepositoryJobTest(SyncTestMixin, TransactionTestCase):
    def setUp(self):
        super().setUp()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)
        served = make_repository(self.folder)
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(served)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        self.url = f"http://127.0.0.1:{server.server_address[1]}/sync-jobs.git"

    def test_job_from_a_git_repository_is_synced_listed_and_run(self):
        (self.folder / "git_root").mkdir()
        with override_settings(GIT_ROOT=str(self.folder / "git_root")):
            repository = GitRepository.objects.create(
                name="Sync jobs", remote_url=self.url, branch="main", provided_contents=["extras.job"]
            )
            git_sync = repository.sync(user=self.user)  # run at once (eager Celery in tests): read its outcome
            git_sync.refresh_from_db()
            self.assertEqual(git_sync.status, JobResultStatusChoices.STATUS_SUCCESS, git_sync.traceback)

            job_class = installed_job("sync_jobs.jobs.git_devices", "GitDevicesDataSource")
            self.user.is_superuser = True
            self.user.save()
            listed = {job.job_class: job for job in installed_sync_jobs(self.user)}
            self.assertEqual(listed[job_class].kind, "Data Source")
            self.assertEqual(listed[job_class].job_model.module_name, "sync_jobs.jobs.git_devices")

            plan = self.run_sync(job_class)
            self.assertSyncSucceeded(plan)
            self.assertEqual(plan.create_count, 10, plan.summary)

            importlib.import_module(f"{job_class.__module__}.test_git_devices").make_prerequisites()
            sync = self.run_sync(job_class, dryrun=False)
            self.assertSyncSucceeded(sync)
        self.assertEqual(sorted(Device.objects.values_list("name", flat=True)), ["ams01-leaf-01", "fra01-leaf-01"])
        self.assertEqual(
            sync.changes.get(model_name="device", unique_id="ams01-leaf-01").changed_object.name, "ams01-leaf-01"
        )
