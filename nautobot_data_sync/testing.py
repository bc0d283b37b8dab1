"""Test kit for sync jobs: run a job class through Nautobot's real job execution and check what it planned or did.

```python
from nautobot.apps.testing import TransactionTestCase
from nautobot_data_sync.testing import SyncTestMixin, nautobot_state


class CmdbSourceTest(SyncTestMixin, TransactionTestCase):
    def test_first_run_creates_the_devices(self):
        before = nautobot_state(Device.objects.values_list("name", "location__name"))
        sync = self.run_sync(CmdbDataSource, dryrun=False)
        self.assertSyncSucceeded(sync)
        self.assertChanges(sync, {"device": {"create": 2}, "interface": {"create": 16}})
        self.assertEqual(state_changes(before, nautobot_state(...))["added"], [...])
```

Everything is real: the job runs in-process through Nautobot's own ``run_job_for_testing()`` (its JobResult, change
logging context, database), so use Nautobot's ``TransactionTestCase``. ``adapter_from_records()`` builds a source
adapter from plain dicts, for a source whose own reading is tested elsewhere.
"""

import inspect
import tempfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from diffsync import Adapter
from django.apps import apps
from django.test import override_settings
from nautobot.apps.testing import run_job_for_testing as nautobot_run_job_for_testing
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import Job as JobModel
from nautobot.extras.models import JobQueue
from nautobot.extras.signals import refresh_job_models
from nautobot.extras.utils import refresh_job_model_from_job_class

from nautobot_data_sync.choices import ChangeStatusChoices, SyncStatusChoices
from nautobot_data_sync.models import Sync
from nautobot_data_sync.records import load_records

TAKES_JOB_KWARGS = "job_kwargs" in inspect.signature(nautobot_run_job_for_testing).parameters
"""Nautobot 3.2 takes a job's inputs as ``job_kwargs=``; 3.1 only as keyword arguments."""

DEFAULT_INPUTS = {"dryrun": True, "memory_profiling": False, "parallel_loading": False}


def run_job_for_testing(job, job_kwargs, **kwargs):
    """Nautobot's ``run_job_for_testing()`` for Job model ``job`` with inputs ``job_kwargs``, on every supported
    Nautobot (``kwargs``: Nautobot's own, e.g. ``username``)."""
    if TAKES_JOB_KWARGS:
        return nautobot_run_job_for_testing(job, job_kwargs=job_kwargs, **kwargs)
    return nautobot_run_job_for_testing(job, **kwargs, **job_kwargs)


def job_model_for(job_class):
    """The Job database record of ``job_class``, created (or refreshed) as Nautobot does when it discovers a job."""
    return refresh_job_model_from_job_class(JobModel, job_class, JobQueue)[0]


def discover_jobs():
    """Have Nautobot discover the installed jobs now (as it does at start-up), e.g. after writing a JOBS_ROOT file."""
    refresh_job_models(sender=None, apps=apps)


@contextmanager
def jobs_root(files=None):
    """A temporary ``JOBS_ROOT`` holding ``files`` (``{relative path: text}``), whose jobs Nautobot has discovered
    (as new jobs: disabled); yields its path. Get a job with ``installed_job(module, class name)``; after writing
    more files, call ``discover_jobs()``."""
    with tempfile.TemporaryDirectory() as folder, override_settings(JOBS_ROOT=folder):
        for name, text in (files or {}).items():
            path = Path(folder, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        discover_jobs()
        yield Path(folder)


def installed_job(module_name, class_name):
    """The job class Nautobot discovered as ``module_name.class_name`` (a JOBS_ROOT file, a Git repository...)."""
    job_model = JobModel.objects.get(module_name=module_name, job_class_name=class_name)
    if job_model.job_class is None:
        raise AssertionError(f"{module_name}.{class_name} is known but could not be loaded")
    return job_model.job_class


def run_sync(job_class, *, username=None, **inputs):
    """Run sync job class ``job_class`` with ``inputs`` (default: a dry-run) and return its Data Sync (``Sync``).

    The JobResult is ``sync.job_result``. A job that stopped before creating its Data Sync (e.g. an error in its own
    ``run()``) raises ``AssertionError`` with the job's traceback.
    """
    options = {"username": username} if username else {}
    job_result = run_job_for_testing(job_model_for(job_class), {**DEFAULT_INPUTS, **inputs}, **options)
    sync = Sync.objects.filter(job_result=job_result).first()
    if sync is None:
        status = job_result.status
        raise AssertionError(f"{job_class.__name__} recorded no Data Sync ({status}):\n{job_result.traceback}")
    return sync


def change_counts(sync, status=None):
    """``{model name: {action: count}}`` of the changes ``sync`` recorded (optionally of one ``status``)."""
    changes = sync.changes.all()
    if status is not None:
        changes = changes.filter(status=status)
    counts = {}
    for (model_name, action), count in Counter(changes.values_list("model_name", "action")).items():
        counts.setdefault(model_name, {})[action] = count
    return counts


def adapter_from_records(models, records, adapter_class=Adapter, **kwargs):
    """A loaded diffsync adapter holding ``records`` (``{model name: [field values, ...]}``, see ``records``):
    an ``adapter_class`` with the ``models`` (``{model name: DiffSyncModel class}``) and ``top_level`` the record
    types. Bad input raises ``ValueError`` naming the record and the field."""
    unknown = sorted(set(records) - set(models))
    if unknown:  # before the class is built: diffsync refuses a top_level it has no model for
        raise ValueError(f"{unknown[0]}[0]: no model named {unknown[0]!r} (known: {sorted(models)})")
    adapter = type(adapter_class.__name__, (adapter_class,), {**models, "top_level": list(records)})(**kwargs)
    load_records(adapter, records)
    return adapter


def nautobot_state(*querysets):
    """A comparable snapshot of Nautobot: for each ``values_list()`` queryset, its rows sorted (by their text)."""
    return tuple(sorted(queryset, key=repr) for queryset in querysets)


def state_changes(before, after):
    """What differs between two ``nautobot_state()`` snapshots: ``{"added": [...], "removed": [...]}`` rows."""
    added, removed = [], []
    for rows_before, rows_after in zip(before, after, strict=True):
        added += _surplus(rows_after, rows_before)
        removed += _surplus(rows_before, rows_after)
    return {"added": added, "removed": removed}


def _surplus(rows, other):
    """The rows of ``rows`` that ``other`` does not hold (as many times), in their order."""
    left = Counter(map(repr, rows)) - Counter(map(repr, other))
    surplus = []
    for row in rows:
        if left[repr(row)]:
            left[repr(row)] -= 1
            surplus.append(row)
    return surplus


class SyncTestMixin:
    """Assertions for sync jobs, mixed into Nautobot's ``TransactionTestCase`` (or any ``unittest.TestCase``)."""

    def run_sync(self, job_class, **inputs):
        """``run_sync()``: run ``job_class`` with ``inputs`` (default: a dry-run) and return its Data Sync."""
        return run_sync(job_class, **inputs)

    def assertSyncSucceeded(self, sync):
        """The job and its Data Sync both succeeded (the message shows the traceback, or the summary and the first
        failures)."""
        job_result = sync.job_result
        failures = sync.changes.filter(status=ChangeStatusChoices.FAILED).values_list(
            "model_name", "unique_id", "message"
        )
        details = "\n".join(
            [sync.summary, *(f"{model} {unique_id!r}: {message}" for model, unique_id, message in failures[:5])]
        )
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, job_result.traceback or details)
        self.assertEqual(sync.status, SyncStatusChoices.SUCCEEDED, details)

    def assertChanges(self, sync, expected, status=None):
        """``sync`` recorded exactly ``expected`` changes, ``{model name: {action: count}}`` (unchanged objects are
        counted, not recorded, unless the job sets ``record_unchanged``). ``status`` defaults to "planned" for a
        dry-run and "succeeded" otherwise."""
        if status is None:
            status = ChangeStatusChoices.PLANNED if sync.dry_run else ChangeStatusChoices.SUCCEEDED
        self.assertEqual(change_counts(sync, status), expected)
