"""The inventory sync with hand-written models on nautobot-ssot (benchmark contender "ssot-hand").

The same models, adapters and job code as ``inventory_handwritten.py``, on nautobot-ssot's ``DataSource``; run with
``MeteredPhases`` to count each phase's queries.
"""

from nautobot.apps.jobs import register_jobs
from nautobot_ssot.jobs import DataSource

from benchmarks.handwritten_inventory import InventoryFileAdapter, NautobotInventoryAdapter
from benchmarks.phase_meter import MeteredPhases


class InventoryHandWrittenSsotDataSource(MeteredPhases, DataSource):
    """Sync the inventory file into Nautobot with hand-written diffsync models, on nautobot-ssot."""

    class Meta:
        name = "Inventory file \u27f6 Nautobot (hand-written models, nautobot-ssot)"
        data_source = "Inventory file"

    def load_source_adapter(self):
        self.source_adapter = InventoryFileAdapter(name="Inventory file")
        self.source_adapter.load()

    def load_target_adapter(self):
        self.target_adapter = NautobotInventoryAdapter(name="Nautobot")
        self.target_adapter.load()


register_jobs(InventoryHandWrittenSsotDataSource)
