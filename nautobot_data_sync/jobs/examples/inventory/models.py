"""The diffsync models of the inventory, shared by both adapters: what is compared, and nothing else.

References between records are by name. ``pk`` is the Nautobot primary key, filled in on the Nautobot side only;
it is neither an identifier nor an attribute, so it never shows up in a diff.
"""

from uuid import UUID

from diffsync import DiffSyncModel

TOP_LEVEL = ("location_type", "location", "manufacturer", "device_type", "role", "device")
"""Creation order: every record comes after the records it refers to (deletes run in reverse, see diff.py)."""


class LocationType(DiffSyncModel):
    _modelname = "location_type"
    _identifiers = ("name",)
    _attributes = ("parent", "nestable", "content_types", "description")

    name: str
    parent: str | None = None
    nestable: bool = False
    content_types: list[str] = []  # "app_label.model", sorted
    description: str = ""
    pk: UUID | None = None


class Location(DiffSyncModel):
    _modelname = "location"
    _identifiers = ("name",)
    _attributes = ("location_type", "parent", "status", "description")

    name: str
    location_type: str
    parent: str | None = None
    status: str = "Active"
    description: str = ""
    pk: UUID | None = None


class Manufacturer(DiffSyncModel):
    _modelname = "manufacturer"
    _identifiers = ("name",)
    _attributes = ("description",)

    name: str
    description: str = ""
    pk: UUID | None = None


class DeviceType(DiffSyncModel):
    """Identified by its model name alone, which this example requires to be unique."""

    _modelname = "device_type"
    _identifiers = ("model",)
    _attributes = ("manufacturer", "part_number")

    model: str
    manufacturer: str
    part_number: str = ""
    pk: UUID | None = None


class Role(DiffSyncModel):
    """A role for devices (content type dcim.device)."""

    _modelname = "role"
    _identifiers = ("name",)
    _attributes = ("description",)

    name: str
    description: str = ""
    pk: UUID | None = None


class Device(DiffSyncModel):
    _modelname = "device"
    _identifiers = ("name",)
    _attributes = ("location", "device_type", "role", "status", "serial")
    _children = {"interface": "interfaces"}

    name: str
    location: str
    device_type: str
    role: str
    status: str = "Active"
    serial: str = ""
    interfaces: list[str] = []
    pk: UUID | None = None


class Interface(DiffSyncModel):
    _modelname = "interface"
    _identifiers = ("device", "name")
    _attributes = ("type", "description", "enabled")

    device: str
    name: str
    type: str
    description: str = ""
    enabled: bool = True
    pk: UUID | None = None
