"""The example sync jobs Nautobot registers (``jobs.register``), unless they are hidden.

``PLUGINS_CONFIG["nautobot_data_sync"]["hide_example_jobs"] = True`` leaves them out of Nautobot's jobs (and so out
of the Data Sync dashboard); they can still be imported, e.g. to derive a job from one.
"""

from nautobot_data_sync import app_setting
from nautobot_data_sync.jobs.examples.inventory import InventoryFileDataSource
from nautobot_data_sync.jobs.examples.nautobot_remote import RemoteNautobotDataSource, RemoteNautobotDataTarget


def example_jobs():
    """The example jobs to register: none when ``hide_example_jobs`` is set."""
    if app_setting("hide_example_jobs"):
        return []
    return [InventoryFileDataSource, RemoteNautobotDataSource, RemoteNautobotDataTarget]
