"""pytest set-up: load Nautobot with development/nautobot_config.py before pytest-django uses Django.

`./dev.sh test` also provides the services and a migrated template database; a bare `pytest` uses
PostgreSQL/Redis from NAUTOBOT_* variables or localhost and migrates a fresh test database (slow).
"""

import os
import time

import nautobot
import pytest

os.environ.setdefault("DATA_SYNC_TESTING", "1")  # selects the test settings in nautobot_config.py
nautobot.setup(os.path.join(os.path.dirname(os.path.abspath(__file__)), "development", "nautobot_config.py"))


def pytest_configure(config):
    from django.conf import settings
    from nautobot.core.celery import app, setup_nautobot_job_logging

    # As Nautobot's test runner does: without a worker, attach the handler that stores job logs (JobLogEntry).
    if settings.CELERY_TASK_ALWAYS_EAGER:
        setup_nautobot_job_logging(None, None, app.conf)


_db_setup_seconds = []


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """Time the creation of the test database, reported in the summary."""
    started = time.monotonic()
    yield
    if fixturedef.argname == "django_db_setup":
        _db_setup_seconds.append(time.monotonic() - started)


def pytest_terminal_summary(terminalreporter):
    if _db_setup_seconds:
        from django.conf import settings

        template = settings.DATABASES["default"].get("TEST", {}).get("TEMPLATE")
        how = f"cloned from template {template}" if template else "migrated from scratch"
        terminalreporter.write_line(f"Test database set-up: {_db_setup_seconds[0]:.1f}s ({how})")
