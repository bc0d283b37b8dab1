"""Demo set-up for `launch.py up`: the admin user, then demo data and the example sync job.

Run with the launcher's environment: `python development/demo.py [--local]`. Without --local the job is
queued to the Celery worker, which must be running. If the app provides a `datasync_demo` management
command, that command loads the demo instead of the default below.
"""

import argparse
import os
import sys

import nautobot

CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nautobot_config.py")
EXAMPLE_JOB = "nautobot_data_sync.jobs.examples.inventory.InventoryFileDataSource"
ADMIN_USERNAME = ADMIN_PASSWORD = "admin"


def ensure_admin():
    """Create the superuser admin/admin if missing."""
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"is_superuser": True, "is_staff": True, "email": "admin@example.com"}
    )
    if created:
        user.set_password(ADMIN_PASSWORD)
        user.save()
        print(f"Created superuser {ADMIN_USERNAME} / {ADMIN_PASSWORD}")


def run_example_job(local):
    """Enable the example job and run it (not a dry-run) through Nautobot's job machinery. Returns an exit code."""
    from django.core.management import call_command, get_commands
    from nautobot.extras.choices import JobResultStatusChoices
    from nautobot.extras.models import Job, JobResult

    if "datasync_demo" in get_commands():
        call_command("datasync_demo")
        return 0

    module_name, _, class_name = EXAMPLE_JOB.rpartition(".")
    job = Job.objects.filter(module_name=module_name, job_class_name=class_name).first()
    if job is None or not job.installed:
        print(f"WARNING: example job {EXAMPLE_JOB} is not installed yet; skipping the demo sync.")
        return 0
    plan_jobs = Job.objects.filter(module_name="nautobot_data_sync.jobs.planjobs")
    for each in (job, *plan_jobs):  # the example, and applying and reverting its plans
        if not each.enabled:
            each.enabled = True  # Nautobot registers new jobs disabled
            each.validated_save()
    call_command("runjob", EXAMPLE_JOB, username=ADMIN_USERNAME, local=local, data='{"dryrun": false}')
    result = JobResult.objects.filter(job_model=job).order_by("-date_created").first()
    return 0 if result and result.status == JobResultStatusChoices.STATUS_SUCCESS else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--local", action="store_true", help="run the job in this process instead of on a worker")
    args = parser.parse_args()
    nautobot.setup(CONFIG)
    ensure_admin()
    return run_example_job(args.local)


if __name__ == "__main__":
    sys.exit(main())
