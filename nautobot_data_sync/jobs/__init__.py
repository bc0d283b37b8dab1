"""Sync job base classes. Importing them registers nothing (the app's jobs register from ``jobs.register``)."""

from nautobot_data_sync.jobs.base import DataMapping, DataSource, DataSyncJob, DataTarget

__all__ = ("DataMapping", "DataSource", "DataSyncJob", "DataTarget")
