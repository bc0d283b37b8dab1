"""The inventory sync written for nautobot-ssot, as its documentation recommends (benchmark contender "ssot").

The same records as the example job "Inventory file -> Nautobot" of this app: diffsync models derived from
``nautobot_ssot.contrib.NautobotModel``, the Nautobot side loaded and written by ``nautobot_ssot.contrib.
NautobotAdapter``, and a source adapter reading the same inventory YAML ($DATA_SYNC_INVENTORY_FILE). The job is an
ssot ``DataSource``; the benchmark runs it with ``MeteredPhases`` to count each phase's queries.
"""

import os
from typing import Optional

from diffsync import Adapter
from diffsync.enum import DiffSyncModelFlags
from nautobot.apps.jobs import register_jobs
from nautobot.dcim.models import Device, DeviceType, Interface, Location, LocationType, Manufacturer
from nautobot.extras.models import Role

from benchmarks.phase_meter import MeteredPhases
from nautobot_data_sync.compat.ssot import ContentTypeDict, DataSource, NautobotAdapter, NautobotModel
from nautobot_data_sync.jobs.examples.inventory.inventory_file import parse_inventory


class LocationTypeModel(NautobotModel):
    _model = LocationType
    _modelname = "location_type"
    _identifiers = ("name",)
    _attributes = ("parent__name", "nestable", "content_types", "description")

    name: str
    parent__name: Optional[str] = None  # noqa: UP045 - ssot reads these annotations the way its docs write them
    nestable: bool = False
    content_types: list[ContentTypeDict] = []
    description: str = ""


class LocationModel(NautobotModel):
    _model = Location
    _modelname = "location"
    _identifiers = ("name",)
    _attributes = ("location_type__name", "parent__name", "status__name", "description")

    name: str
    location_type__name: str
    parent__name: Optional[str] = None  # noqa: UP045
    status__name: str = "Active"
    description: str = ""


class ManufacturerModel(NautobotModel):
    _model = Manufacturer
    _modelname = "manufacturer"
    _identifiers = ("name",)
    _attributes = ("description",)

    name: str
    description: str = ""


class DeviceTypeModel(NautobotModel):
    _model = DeviceType
    _modelname = "device_type"
    _identifiers = ("model",)
    _attributes = ("manufacturer__name", "part_number")

    model: str
    manufacturer__name: str
    part_number: str = ""


class RoleModel(NautobotModel):
    """Roles for devices only, as in the app's example."""

    _model = Role
    _modelname = "role"
    _identifiers = ("name",)
    _attributes = ("content_types", "description")

    name: str
    content_types: list[ContentTypeDict] = []
    description: str = ""

    @classmethod
    def get_queryset(cls):
        return Role.objects.filter(content_types__app_label="dcim", content_types__model="device")


class DeviceModel(NautobotModel):
    _model = Device
    _modelname = "device"
    _identifiers = ("name",)
    _attributes = ("location__name", "device_type__model", "role__name", "status__name", "serial")
    _children = {"interface": "interfaces"}
    model_flags: DiffSyncModelFlags = DiffSyncModelFlags.NATURAL_DELETION_ORDER  # interfaces deleted first

    name: str
    location__name: str
    device_type__model: str
    role__name: str
    status__name: str = "Active"
    serial: str = ""
    interfaces: list[str] = []


class InterfaceModel(NautobotModel):
    _model = Interface
    _modelname = "interface"
    _identifiers = ("device__name", "name")
    _attributes = ("type", "description", "enabled", "status__name")

    device__name: str
    name: str
    type: str
    description: str = ""
    enabled: bool = True
    status__name: str = "Active"


class _Models:
    location_type = LocationTypeModel
    location = LocationModel
    manufacturer = ManufacturerModel
    device_type = DeviceTypeModel
    role = RoleModel
    device = DeviceModel
    interface = InterfaceModel
    top_level = ("location_type", "location", "manufacturer", "device_type", "role", "device")


class InventoryFileAdapter(_Models, Adapter):
    """The records of the inventory file."""

    def load(self):
        with open(os.environ["DATA_SYNC_INVENTORY_FILE"], encoding="utf-8") as stream:
            inventory = parse_inventory(stream)
        for record in inventory["location_types"]:
            content_types = [
                dict(zip(("app_label", "model"), label.split("."), strict=True))
                for label in record.get("content_types", [])
            ]
            self.add(
                self.location_type(name=record["name"], parent__name=record.get("parent"), content_types=content_types)
            )
        for record in inventory["locations"]:
            self.add(
                self.location(
                    name=record["name"], location_type__name=record["location_type"], parent__name=record.get("parent")
                )
            )
        for record in inventory["manufacturers"]:
            self.add(self.manufacturer(name=record["name"]))
        for record in inventory["device_types"]:
            self.add(self.device_type(model=record["model"], manufacturer__name=record["manufacturer"]))
        for record in inventory["roles"]:
            self.add(self.role(name=record["name"], content_types=[{"app_label": "dcim", "model": "device"}]))
        for record in inventory["devices"]:
            device = self.device(
                name=record["name"],
                location__name=record["location"],
                device_type__model=record["device_type"],
                role__name=record["role"],
                serial=record.get("serial", ""),
            )
            self.add(device)
            for values in record["interfaces"]:
                interface = self.interface(device__name=device.name, **values)
                self.add(interface)
                device.add_child(interface)


class NautobotInventoryAdapter(_Models, NautobotAdapter):
    """Nautobot's side, loaded by nautobot-ssot's contrib adapter."""


class InventorySsotDataSource(DataSource):
    """Sync the inventory file into Nautobot with nautobot-ssot."""

    class Meta:
        name = "Inventory file \u27f6 Nautobot (nautobot-ssot)"
        data_source = "Inventory file"

    def load_source_adapter(self):
        self.source_adapter = InventoryFileAdapter(name="Inventory file")
        self.source_adapter.load()

    def load_target_adapter(self):
        self.target_adapter = NautobotInventoryAdapter(job=self, sync=self.sync)
        self.target_adapter.load()


class MeteredInventorySsotDataSource(MeteredPhases, InventorySsotDataSource):
    """The job the benchmark runs: the same, with each phase's queries counted."""

    class Meta(InventorySsotDataSource.Meta):
        name = "Inventory file \u27f6 Nautobot (nautobot-ssot, metered)"


register_jobs(MeteredInventorySsotDataSource)
