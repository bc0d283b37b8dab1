"""The example job "Inventory file -> Nautobot" writing one object at a time (benchmark contender "ours").

Identical to ``nautobot_data_sync.jobs.examples.inventory.InventoryFileDataSource`` except for ``bulk_mode``, so that
the contender stays per-object whatever the example's default is.
"""

from nautobot.apps.jobs import register_jobs

from nautobot_data_sync.jobs.examples.inventory import InventoryFileDataSource


class InventoryFilePerObjectDataSource(InventoryFileDataSource):
    """The example inventory sync, writing each object with ``validated_save()``."""

    bulk_mode = False

    class Meta(InventoryFileDataSource.Meta):
        name = "Inventory file \u27f6 Nautobot (per-object)"


register_jobs(InventoryFilePerObjectDataSource)
