"""The loaders of a parallel sync log into the job's log from their own threads.

Celery keeps the current task in thread-local storage (``celery._state``), and Nautobot's job-log handler looks for
it there: a thread of the job's own logs nowhere unless the task is pushed in it too. With this speed-up off, a
parallel sync loads its two sides one after the other (``jobs.base``).
"""

from celery import current_task
from celery._state import pop_current_task, push_current_task
from django.db import connections


def in_job_context(function):
    """Wrap ``function`` so that, in another thread, it logs to this job's log and closes its DB connections."""
    task = current_task._get_current_object() if current_task else None
    request = dict(vars(task.request)) if task else None

    def run(*args, **kwargs):
        if task:
            push_current_task(task)
            task.push_request(request)
        try:
            return function(*args, **kwargs)
        finally:
            if task:
                task.pop_request()
                pop_current_task()
            connections.close_all()

    return run
