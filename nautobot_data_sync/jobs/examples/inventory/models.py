"""The diffsync models of the inventory, declared once and used by both adapters.

They are declarative ``NautobotModel`` classes (docs/orm.md): each field is a path on a Nautobot model, so the
Nautobot adapter loads them and writes them back without hand-written code, and the file adapter fills the same
fields from the file. ``pk`` (the Nautobot primary key) is only set on the Nautobot side and is never compared.
"""

from diffsync.enum import DiffSyncModelFlags
from django.contrib.contenttypes.models import ContentType
from nautobot.dcim import models as dcim
from nautobot.extras import models as extras

from nautobot_data_sync.orm import NautobotModel

TOP_LEVEL = ("location_type", "location", "manufacturer", "device_type", "role", "device")
"""Creation order: every record comes after the records it refers to (deletes run in reverse, see diff.py)."""


class LocationType(NautobotModel):
    _model = dcim.LocationType
    _modelname = "location_type"
    _identifiers = ("name",)
    _attributes = ("parent__name", "nestable", "content_types", "description")

    name: str
    parent__name: str | None = None
    nestable: bool = False
    content_types: list[str] = []  # "app_label.model", sorted
    description: str = ""


class Location(NautobotModel):
    _model = dcim.Location
    _modelname = "location"
    _identifiers = ("name",)
    _attributes = ("location_type__name", "parent__name", "status__name", "description")

    name: str
    location_type__name: str
    parent__name: str | None = None
    status__name: str = "Active"
    description: str = ""


class Manufacturer(NautobotModel):
    _model = dcim.Manufacturer
    _modelname = "manufacturer"
    _identifiers = ("name",)
    _attributes = ("description",)

    name: str
    description: str = ""


class DeviceType(NautobotModel):
    """Identified by its model name alone, which this example requires to be unique."""

    _model = dcim.DeviceType
    _modelname = "device_type"
    _identifiers = ("model",)
    _attributes = ("manufacturer__name", "part_number")

    model: str
    manufacturer__name: str
    part_number: str = ""


class Role(NautobotModel):
    """A role for devices: created with the content type dcim.device (the Nautobot adapter loads only those)."""

    _model = extras.Role
    _modelname = "role"
    _identifiers = ("name",)
    _attributes = ("description",)

    name: str
    description: str = ""

    @classmethod
    def initial_values(cls, adapter):
        return {"content_types": [ContentType.objects.get_for_model(dcim.Device)]}


class Device(NautobotModel):
    _model = dcim.Device
    _modelname = "device"
    _identifiers = ("name",)
    _attributes = ("location__name", "device_type__model", "role__name", "status__name", "serial")
    _children = {"interface": "interfaces"}
    # Delete (and record) the interfaces before their device.
    model_flags: DiffSyncModelFlags = DiffSyncModelFlags.NATURAL_DELETION_ORDER

    name: str
    location__name: str
    device_type__model: str
    role__name: str
    status__name: str = "Active"
    serial: str = ""
    interfaces: list[str] = []


class Interface(NautobotModel):
    """Created with the status Active; the file does not set an interface's status, so it is not compared."""

    _model = dcim.Interface
    _modelname = "interface"
    _identifiers = ("device__name", "name")
    _attributes = ("type", "description", "enabled")

    device__name: str
    name: str
    type: str
    description: str = ""
    enabled: bool = True

    @classmethod
    def initial_values(cls, adapter):
        return {"status_id": adapter.references.resolve(extras.Status, {"name": "Active"})}
