"""Nautobot's ``run_job_for_testing()``, given the job's inputs as ``job_kwargs`` on every supported Nautobot.

Nautobot 3.2 takes a job's inputs as ``job_kwargs=`` (and, deprecated, as keyword arguments); 3.1 only as keyword
arguments, and would take ``job_kwargs`` for an input of that name.
"""

import inspect

from nautobot.apps.testing import run_job_for_testing as nautobot_run_job_for_testing

TAKES_JOB_KWARGS = "job_kwargs" in inspect.signature(nautobot_run_job_for_testing).parameters


def run_job_for_testing(job, job_kwargs, **kwargs):
    """Run Job model ``job`` with the inputs ``job_kwargs`` (``kwargs``: Nautobot's, e.g. ``username``)."""
    if TAKES_JOB_KWARGS:
        return nautobot_run_job_for_testing(job, job_kwargs=job_kwargs, **kwargs)
    return nautobot_run_job_for_testing(job, **kwargs, **job_kwargs)
