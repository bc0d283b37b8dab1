"""Nautobot configuration for developing and testing nautobot-app-data-sync.

Everything comes from environment variables with development defaults. `development/launch.py`
sets the NAUTOBOT_DB_* / NAUTOBOT_REDIS_* variables for whichever PostgreSQL and Redis it picked.
"""

import os
import sys

from nautobot.core.settings import *  # noqa: F403
from nautobot.core.settings_funcs import is_truthy, parse_redis_connection

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Keep Nautobot's files (media, git clones, static) inside the project instead of ~/.nautobot.
NAUTOBOT_ROOT = os.getenv("NAUTOBOT_ROOT", os.path.join(REPO_ROOT, ".data", "nautobot"))
GIT_ROOT = os.getenv("NAUTOBOT_GIT_ROOT", os.path.join(NAUTOBOT_ROOT, "git"))
MEDIA_ROOT = os.path.join(NAUTOBOT_ROOT, "media")
STATIC_ROOT = os.path.join(NAUTOBOT_ROOT, "static")
JOBS_ROOT = os.getenv("NAUTOBOT_JOBS_ROOT", os.path.join(REPO_ROOT, "development", "jobs"))

DEBUG = is_truthy(os.getenv("NAUTOBOT_DEBUG", "false"))
ALLOWED_HOSTS = os.getenv("NAUTOBOT_ALLOWED_HOSTS", "*").split(" ")
SECRET_KEY = os.getenv("NAUTOBOT_SECRET_KEY", "dev-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH")
INSTALLATION_METRICS_ENABLED = is_truthy(os.getenv("NAUTOBOT_INSTALLATION_METRICS_ENABLED", "false"))

DATABASES = {
    "default": {
        "ENGINE": os.getenv("NAUTOBOT_DB_ENGINE", "django.db.backends.postgresql"),
        "HOST": os.getenv("NAUTOBOT_DB_HOST", "localhost"),  # a directory means a unix socket
        "PORT": os.getenv("NAUTOBOT_DB_PORT", "5432"),
        "USER": os.getenv("NAUTOBOT_DB_USER", "postgres"),
        "PASSWORD": os.getenv("NAUTOBOT_DB_PASSWORD", ""),
        "NAME": os.getenv("NAUTOBOT_DB_NAME", "nautobot_data_sync"),
        "CONN_MAX_AGE": int(os.getenv("NAUTOBOT_DB_TIMEOUT", "300")),
    }
}
# Tests clone a database that is already migrated (built by `launch.py test`) instead of migrating for minutes.
# The test database name carries the process id so parallel runs on one server do not collide.
# Nautobot copies "default" to "job_logs" after this file and gives that copy TEST = {"MIRROR": "default"}.
if os.getenv("NAUTOBOT_DB_TEST_TEMPLATE"):
    DATABASES["default"]["TEST"] = {
        "TEMPLATE": os.environ["NAUTOBOT_DB_TEST_TEMPLATE"],
        "NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}",
    }

# Redis: broker in database 0, cache in database 1 (Nautobot's defaults), tests' cache in database 2.
# Set NAUTOBOT_REDIS_HOST/PORT (or NAUTOBOT_REDIS_SCHEME=unix and NAUTOBOT_REDIS_HOST=/path/to/socket).
CACHES["default"]["LOCATION"] = parse_redis_connection(redis_database=1)  # noqa: F405
CELERY_BROKER_URL = os.getenv("NAUTOBOT_CELERY_BROKER_URL", parse_redis_connection(redis_database=0))
# Long sync jobs should not hold prefetched tasks hostage.
CELERY_WORKER_PREFETCH_MULTIPLIER = int(os.getenv("NAUTOBOT_CELERY_WORKER_PREFETCH_MULTIPLIER", "1"))

# DATA_SYNC_CORE_ONLY=1 leaves the app out; used to build the Nautobot-only layer of the test template database.
PLUGINS = [] if is_truthy(os.getenv("DATA_SYNC_CORE_ONLY", "false")) else ["nautobot_data_sync"]
PLUGINS_CONFIG = {"nautobot_data_sync": {}}

# Logging: Nautobot's console logging; NAUTOBOT_LOG_LEVEL (e.g. WARNING, DEBUG) changes its level.
if os.getenv("NAUTOBOT_LOG_LEVEL"):
    for _logger in LOGGING["loggers"].values():  # noqa: F405
        _logger["level"] = os.environ["NAUTOBOT_LOG_LEVEL"]

# Test settings, switched on by the pytest set-up (conftest.py), as in Nautobot's own test configuration:
# jobs run eagerly in-process, the broker is in memory and the cache uses its own Redis database.
TESTING = is_truthy(os.getenv("DATA_SYNC_TESTING", "false")) or "test" in sys.argv
if TESTING:
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_STORE_EAGER_RESULT = True
    CELERY_BROKER_URL = "memory://"
    # A database of this run's own (``./dev.sh test`` claims one), as Nautobot's test cases clear the cache.
    cache_database = int(os.getenv("DATA_SYNC_TEST_CACHE_DB", "2"))
    CACHES["default"]["LOCATION"] = parse_redis_connection(redis_database=cache_database)  # noqa: F405
    LOGGING = {  # quiet: warnings and errors only
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"console": {"level": "WARNING", "class": "logging.StreamHandler"}},
        "loggers": {
            "django": {"handlers": ["console"], "level": "WARNING"},
            "nautobot": {"handlers": ["console"], "level": "WARNING"},
        },
    }
