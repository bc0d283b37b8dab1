"""The example job "Inventory file -> Nautobot" in bulk mode (benchmark contender "ours-bulk").

Identical to ``nautobot_data_sync.jobs.examples.inventory.InventoryFileDataSource`` except for ``bulk_mode``.
"""

from nautobot.apps.jobs import register_jobs

from nautobot_data_sync.jobs.examples.inventory import InventoryFileDataSource


class InventoryFileBulkDataSource(InventoryFileDataSource):
    """The example inventory sync, writing through the bulk path."""

    bulk_mode = True

    class Meta(InventoryFileDataSource.Meta):
        name = "Inventory file \u27f6 Nautobot (bulk mode)"


register_jobs(InventoryFileBulkDataSource)
