"""Nautobot app for fast, observable Single-Source-of-Truth sync jobs."""

from importlib import metadata

from nautobot.apps import NautobotAppConfig

__version__ = metadata.version("nautobot-app-data-sync")


class DataSyncConfig(NautobotAppConfig):
    """App configuration for nautobot_data_sync."""

    name = "nautobot_data_sync"
    verbose_name = "Data Sync"
    version = __version__
    author = "nautobot-app-data-sync developers"
    description = "Build, run and audit Single-Source-of-Truth sync jobs between Nautobot and other systems."
    base_url = "data-sync"
    jobs = "jobs.register.jobs"
    required_settings = []
    min_version = "3.1.0"
    max_version = "3.9999"
    default_settings = {
        # Seconds between progress lines in the job log while a phase runs.
        "progress_interval": 10.0,
        # SyncChange rows written per INSERT.
        "change_batch_size": 1000,
        # Objects written per batch by the bulk write path (bulk_mode).
        "bulk_batch_size": 2500,
        # Most diffsync warning/error lines copied into one job's log; the rest are only counted.
        "max_logged_failures": 50,
        # The delete guard: a run refuses a model's planned deletes over this fraction of its count (when more than
        # delete_guard_floor), or over delete_guard_limit; jobs may set their own (delete_guard_fraction, _limit).
        "delete_guard_fraction": 0.2,
        "delete_guard_limit": 1000,
        "delete_guard_floor": 10,
        # Seconds a "Data Sync last seen" stamp stays as it is: a sync that runs more often rewrites no stamps (0: every
        # run renews every stamp).
        "last_seen_resolution": 3600,
        # Hours a dry-run stays applicable as a plan (its target may have moved on since it was reviewed).
        "plan_max_age_hours": 24,
        # Functions kept per phase in its CPU profile (jobs run with Nautobot's "Profile job execution" option).
        "profile_functions": 25,
        # Leave the example jobs shipped with the app out of Nautobot's jobs.
        "hide_example_jobs": False,
    }
    searchable_models = []


config = DataSyncConfig


def app_setting(name):
    """A setting of this app (PLUGINS_CONFIG overrides the defaults above)."""
    from django.conf import settings

    return settings.PLUGINS_CONFIG["nautobot_data_sync"][name]
