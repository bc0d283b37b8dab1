"""End to end: a real Celery worker, a second Nautobot on a loopback port, JOBS_ROOT, the set-up."""
