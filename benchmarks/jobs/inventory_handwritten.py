"""The inventory sync with hand-written models on this app (benchmark contender "ours-hand").

The models and adapters of ``benchmarks/handwritten_inventory.py`` (each object written with ``validated_save()``);
this app's ``DataSource``: what a job written that way gets without changing its code.
"""

from nautobot.apps.jobs import register_jobs

from benchmarks.handwritten_inventory import InventoryFileAdapter, NautobotInventoryAdapter
from nautobot_data_sync.jobs import DataSource


class InventoryHandWrittenDataSource(DataSource):
    """Sync the inventory file into Nautobot with hand-written diffsync models."""

    delete_only_owned = False  # as nautobot-ssot: the file decides what Nautobot holds

    class Meta(DataSource.Meta):
        name = "Inventory file \u27f6 Nautobot (hand-written models)"
        data_source = "Inventory file"

    def load_source_adapter(self):
        self.source_adapter = InventoryFileAdapter(name="Inventory file")
        self.source_adapter.load()

    def load_target_adapter(self):
        self.target_adapter = NautobotInventoryAdapter(name="Nautobot")
        self.target_adapter.load()


register_jobs(InventoryHandWrittenDataSource)
