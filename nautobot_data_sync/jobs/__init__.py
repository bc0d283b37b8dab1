"""Sync job base classes. Importing them registers nothing (the example jobs register from ``examples.register``)."""

from nautobot_data_sync.jobs.base import DataMapping, DataSource, DataSyncJob, DataTarget

__all__ = ("DataMapping", "DataSource", "DataSyncJob", "DataTarget")
