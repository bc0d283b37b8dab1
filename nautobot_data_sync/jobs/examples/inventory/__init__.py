"""Example Data Source: an inventory file (YAML or JSON) synced into Nautobot, on the declarative layer (docs/orm.md).

models.py: the diffsync models, declared as Nautobot field paths and shared by both sides; inventory_file.py:
reading and checking the file; adapters.py: the file and Nautobot adapters; diff.py: a safe order for deletes. The
job is defined here so that its class path is ``nautobot_data_sync.jobs.examples.inventory.InventoryFileDataSource``.

Which file is synced: the uploaded ``inventory_file`` if any, else the path in the environment variable
``DATA_SYNC_INVENTORY_FILE`` (read when the job runs, on the worker), else the example shipped next to this module.
A run may be scoped to a ``location`` (a scope input, see ``jobs.scope``): only the devices there are synced. With
``run_as_shards``, a run is split (``jobs.sharding``): the location types, locations, manufacturers, device types and
roles first, then one shard per top-level location (its devices and their interfaces) on Nautobot's workers.
"""

import os
from functools import cached_property
from pathlib import Path

from django.db.models import Q
from django.urls import reverse
from nautobot.apps.jobs import FileVar, ObjectVar
from nautobot.dcim.models import Location

from nautobot_data_sync.jobs.base import DataMapping, DataSource
from nautobot_data_sync.jobs.examples.inventory.adapters import InventoryFileAdapter, NautobotAdapter
from nautobot_data_sync.jobs.examples.inventory.diff import DeletesLastDiff
from nautobot_data_sync.jobs.examples.inventory.inventory_file import InventoryFileError, load_inventory
from nautobot_data_sync.jobs.sharding import RunAsShardsVar, ShardError

__all__ = ("InventoryFileDataSource", "InventoryFileError")

EXAMPLE_FILE = Path(__file__).with_name("inventory.yaml")
PATH_VARIABLE = "DATA_SYNC_INVENTORY_FILE"


def default_inventory_path():
    """The file synced when none is uploaded: ``$DATA_SYNC_INVENTORY_FILE``, else the shipped example."""
    return Path(os.environ.get(PATH_VARIABLE) or EXAMPLE_FILE)


class InventoryFileDataSource(DataSource):
    """Sync locations, device types, roles, devices and their interfaces from an inventory file into Nautobot."""

    inventory_file = FileVar(
        required=False,
        description=(
            f"Inventory file to sync (YAML or JSON). Empty: ${PATH_VARIABLE} if set, "
            "else the example shipped with the app."
        ),
    )

    location = ObjectVar(
        model=Location,
        required=False,
        description=(
            "Sync only the devices at this location and the locations under it (with their interfaces); other "
            "devices are left as they are, even those the file lacks. Empty: every device."
        ),
    )

    run_as_shards = RunAsShardsVar()

    scope_inputs = ("location",)
    shared_models = ("location_type", "location", "manufacturer", "device_type", "role")
    diff_class = DeletesLastDiff
    bulk_mode = True

    class Meta(DataSource.Meta):
        name = "Inventory file \u27f6 Nautobot"
        description = (
            "Sync location types, locations, manufacturers, device types, device roles, devices and interfaces "
            "from a YAML or JSON inventory file. The file is the source of truth for these: what it lacks is deleted. "
            "A run scoped to a location syncs only the devices there."
        )
        data_source = "Inventory file"
        data_source_icon = None

    def __init__(self):
        super().__init__()
        self.inventory_file = None

    def run(self, *args, inventory_file=None, **kwargs):
        self.inventory_file = inventory_file
        if inventory_file and kwargs.get("run_as_shards"):
            raise ShardError("An uploaded file cannot be read by the shards (they run on other workers)")
        # The file's name (not its content) is recorded with the other inputs of the Data Sync.
        return super().run(*args, inventory_file=self._inventory_name(), **kwargs)

    def load_source_adapter(self):
        self.logger.info("Reading %s", self._inventory_name(), extra={"grouping": "Source load"})
        content = self.inventory_file.read() if self.inventory_file else default_inventory_path().read_bytes()
        inventory = load_inventory(content, statuses=NautobotAdapter.status_names())
        in_scope = self.scope_locations
        locations = None if in_scope is None else {location.name for location in in_scope}
        self.source_adapter = InventoryFileAdapter(
            inventory, name="Inventory file", locations=locations, loads=self.loads_model
        )
        self.source_adapter.load()

    def load_target_adapter(self):
        # job=self: the adapter is narrowed by nautobot_scope() too.
        self.target_adapter = NautobotAdapter(name="Nautobot", job=self)
        self.target_adapter.load()

    def nautobot_scope(self):
        """Scoped to a location, Nautobot's devices there and under it (their interfaces come with them)."""
        in_scope = self.scope_locations
        return {} if in_scope is None else {"device": Q(location__in=in_scope)}

    def shards(self):
        """One shard per top-level location (the devices there and under it). A dry-run of a file with locations
        Nautobot lacks (its shared stage writes none) makes one shard of all devices: shards by Nautobot's locations
        would miss those at the new ones."""
        in_file = {location.name for location in self.source_adapter.get_all("location")}
        if self.dryrun and in_file - set(Location.objects.values_list("name", flat=True)):
            return []
        return [{"location": root} for root in Location.objects.filter(parent__isnull=True).order_by("name")]

    @cached_property
    def scope_locations(self):
        """The chosen location and those under it in Nautobot; None when the run is not scoped."""
        location = self.scope.get("location")
        return None if location is None else list(location.descendants(include_self=True))

    def _inventory_name(self):
        if self.inventory_file:
            return f"uploaded file {Path(self.inventory_file.name).name}"
        return str(default_inventory_path())

    @classmethod
    def data_mappings(cls):
        mappings = [
            ("location_types", "Location Type", "dcim:locationtype_list"),
            ("locations", "Location", "dcim:location_list"),
            ("manufacturers", "Manufacturer", "dcim:manufacturer_list"),
            ("device_types", "Device Type", "dcim:devicetype_list"),
            ("roles", "Role (for devices)", "extras:role_list"),
            ("devices", "Device", "dcim:device_list"),
            ("devices[].interfaces", "Interface", "dcim:interface_list"),
        ]
        return [DataMapping(source, None, target, reverse(url)) for source, target, url in mappings]

    @classmethod
    def config_information(cls):
        path = default_inventory_path()
        try:
            inventory = load_inventory(path.read_bytes())
            interfaces = sum(len(device["interfaces"]) for device in inventory["devices"])
            counts = [f"{len(records)} {section.replace('_', ' ')}" for section, records in inventory.items()]
            records = ", ".join([*counts, f"{interfaces} interfaces"])
        except (OSError, InventoryFileError) as error:
            records = f"cannot be read: {error}"
        return {
            "Inventory file": str(path),
            "Records in it": records,
            "Other files": f"upload one when running the job, or set ${PATH_VARIABLE} on the workers",
        }
