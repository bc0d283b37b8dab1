"""The example job in bulk mode without ownership stamps (benchmark contender "ours-bulk-unstamped").

Identical to ``inventory_bulk.InventoryFileBulkDataSource`` but for ``track_ownership`` (and so deletes of objects it
does not own): what the owner, last-written and last-seen stamps cost is the difference between the two.
"""

from inventory_bulk import InventoryFileBulkDataSource
from nautobot.apps.jobs import register_jobs


class InventoryFileBulkUnstampedDataSource(InventoryFileBulkDataSource):
    """The example inventory sync in bulk mode, stamping no object metadata."""

    track_ownership = False

    class Meta(InventoryFileBulkDataSource.Meta):
        name = "Inventory file \u27f6 Nautobot (bulk mode, no ownership stamps)"


register_jobs(InventoryFileBulkUnstampedDataSource)
