"""Sync job base classes, and the example jobs this app registers with Nautobot."""

from nautobot.apps.jobs import register_jobs

from nautobot_data_sync.jobs.base import DataMapping, DataSource, DataSyncJob, DataTarget
from nautobot_data_sync.jobs.examples.inventory import InventoryFileDataSource
from nautobot_data_sync.jobs.examples.nautobot_remote import RemoteNautobotDataSource, RemoteNautobotDataTarget

jobs = [InventoryFileDataSource, RemoteNautobotDataSource, RemoteNautobotDataTarget]
register_jobs(*jobs)

__all__ = ("DataMapping", "DataSource", "DataSyncJob", "DataTarget", "jobs")
