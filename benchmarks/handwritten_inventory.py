"""The inventory sync with hand-written diffsync models: each create, update and delete calls ``validated_save()`` or
``delete()`` itself, the style of most existing integrations and of the quickstart in docs/developer-guide.md.

The same records and the same Nautobot state as the example job "Inventory file -> Nautobot". The models and the two
adapters are shared by the contenders "ours-hand" (this app's ``DataSource``, ``jobs/inventory_handwritten.py``) and
"ssot-hand" (nautobot-ssot's ``DataSource``, ``jobs/inventory_handwritten_ssot.py``): the same job code for both apps.
"""

import os
from typing import ClassVar

from diffsync import Adapter, DiffSyncModel
from diffsync.enum import DiffSyncModelFlags
from django.contrib.contenttypes.models import ContentType
from nautobot.dcim.models import Device, DeviceType, Interface, Location, LocationType, Manufacturer
from nautobot.extras.models import Role, Status

from nautobot_data_sync.jobs.examples.inventory.inventory_file import parse_inventory


class NautobotWrites(DiffSyncModel):
    """Writes a model to Nautobot one object at a time: ``django_values()`` gives the Django fields of its values."""

    @classmethod
    def django_values(cls, values):
        raise NotImplementedError

    @classmethod
    def lookup(cls, ids):
        raise NotImplementedError

    @classmethod
    def create(cls, adapter, ids, attrs):
        obj = cls.django_model(**cls.django_values({**ids, **attrs}))
        obj.validated_save()
        cls.after_save(obj, {**ids, **attrs})
        return super().create(adapter, ids, attrs)

    def update(self, attrs):
        obj = self.lookup(self.get_identifiers())
        for name, value in self.django_values(attrs).items():
            setattr(obj, name, value)
        obj.validated_save()
        self.after_save(obj, attrs)
        return super().update(attrs)

    def delete(self):
        self.lookup(self.get_identifiers()).delete()
        return super().delete()

    @classmethod
    def after_save(cls, obj, values):
        """Many-to-many values, once the object has its primary key."""


def _status(name):
    return Status.objects.get(name=name)


class LocationTypeModel(NautobotWrites):
    _modelname = "location_type"
    _identifiers = ("name",)
    _attributes = ("parent", "nestable", "content_types", "description")
    django_model: ClassVar[type] = LocationType

    name: str
    parent: str | None = None
    nestable: bool = False
    content_types: list[str] = []
    description: str = ""

    @classmethod
    def lookup(cls, ids):
        return LocationType.objects.get(name=ids["name"])

    @classmethod
    def django_values(cls, values):
        fields = {key: values[key] for key in ("name", "nestable", "description") if key in values}
        if "parent" in values:
            fields["parent"] = LocationType.objects.get(name=values["parent"]) if values["parent"] else None
        return fields

    @classmethod
    def after_save(cls, obj, values):
        if "content_types" in values:
            labels = [label.split(".") for label in values["content_types"]]
            obj.content_types.set([ContentType.objects.get_by_natural_key(*label) for label in labels])


class LocationModel(NautobotWrites):
    _modelname = "location"
    _identifiers = ("name",)
    _attributes = ("location_type", "parent", "status", "description")
    django_model: ClassVar[type] = Location

    name: str
    location_type: str
    parent: str | None = None
    status: str = "Active"
    description: str = ""

    @classmethod
    def lookup(cls, ids):
        return Location.objects.get(name=ids["name"])

    @classmethod
    def django_values(cls, values):
        fields = {key: values[key] for key in ("name", "description") if key in values}
        if "location_type" in values:
            fields["location_type"] = LocationType.objects.get(name=values["location_type"])
        if "parent" in values:
            fields["parent"] = Location.objects.get(name=values["parent"]) if values["parent"] else None
        if "status" in values:
            fields["status"] = _status(values["status"])
        return fields


class ManufacturerModel(NautobotWrites):
    _modelname = "manufacturer"
    _identifiers = ("name",)
    _attributes = ("description",)
    django_model: ClassVar[type] = Manufacturer

    name: str
    description: str = ""

    @classmethod
    def lookup(cls, ids):
        return Manufacturer.objects.get(name=ids["name"])

    @classmethod
    def django_values(cls, values):
        return dict(values)


class DeviceTypeModel(NautobotWrites):
    _modelname = "device_type"
    _identifiers = ("model",)
    _attributes = ("manufacturer", "part_number")
    django_model: ClassVar[type] = DeviceType

    model: str
    manufacturer: str
    part_number: str = ""

    @classmethod
    def lookup(cls, ids):
        return DeviceType.objects.get(model=ids["model"])

    @classmethod
    def django_values(cls, values):
        fields = {key: values[key] for key in ("model", "part_number") if key in values}
        if "manufacturer" in values:
            fields["manufacturer"] = Manufacturer.objects.get(name=values["manufacturer"])
        return fields


class RoleModel(NautobotWrites):
    _modelname = "role"
    _identifiers = ("name",)
    _attributes = ("description",)
    django_model: ClassVar[type] = Role

    name: str
    description: str = ""

    @classmethod
    def lookup(cls, ids):
        return Role.objects.get(name=ids["name"])

    @classmethod
    def django_values(cls, values):
        return dict(values)

    @classmethod
    def after_save(cls, obj, values):
        obj.content_types.add(ContentType.objects.get_for_model(Device))


class DeviceModel(NautobotWrites):
    _modelname = "device"
    _identifiers = ("name",)
    _attributes = ("location", "device_type", "role", "status", "serial")
    _children = {"interface": "interfaces"}
    model_flags: DiffSyncModelFlags = DiffSyncModelFlags.NATURAL_DELETION_ORDER  # interfaces deleted first
    django_model: ClassVar[type] = Device

    name: str
    location: str
    device_type: str
    role: str
    status: str = "Active"
    serial: str = ""
    interfaces: list[str] = []

    @classmethod
    def lookup(cls, ids):
        return Device.objects.get(name=ids["name"])

    @classmethod
    def django_values(cls, values):
        fields = {key: values[key] for key in ("name", "serial") if key in values}
        for key, model, lookup in (("location", Location, "name"), ("device_type", DeviceType, "model")):
            if key in values:
                fields[key] = model.objects.get(**{lookup: values[key]})
        if "role" in values:
            fields["role"] = Role.objects.get(name=values["role"])
        if "status" in values:
            fields["status"] = _status(values["status"])
        return fields


class InterfaceModel(NautobotWrites):
    _modelname = "interface"
    _identifiers = ("device", "name")
    _attributes = ("type", "description", "enabled")
    django_model: ClassVar[type] = Interface

    device: str
    name: str
    type: str
    description: str = ""
    enabled: bool = True

    @classmethod
    def lookup(cls, ids):
        return Interface.objects.get(device__name=ids["device"], name=ids["name"])

    @classmethod
    def django_values(cls, values):
        fields = {key: values[key] for key in ("name", "type", "description", "enabled") if key in values}
        if "device" in values:  # a create
            fields.update(device=Device.objects.get(name=values["device"]), status=_status("Active"))
        return fields


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
    """The records of the inventory file ($DATA_SYNC_INVENTORY_FILE)."""

    def load(self):
        with open(os.environ["DATA_SYNC_INVENTORY_FILE"], encoding="utf-8") as stream:
            inventory = parse_inventory(stream)
        for record in inventory["location_types"]:
            content_types = sorted(record.get("content_types", []))
            self.add(self.location_type(name=record["name"], parent=record.get("parent"), content_types=content_types))
        for record in inventory["locations"]:
            self.add(
                self.location(
                    name=record["name"],
                    location_type=record["location_type"],
                    parent=record.get("parent"),
                    status=record.get("status", "Active"),
                )
            )
        for record in inventory["manufacturers"]:
            self.add(self.manufacturer(name=record["name"]))
        for record in inventory["device_types"]:
            self.add(self.device_type(model=record["model"], manufacturer=record["manufacturer"]))
        for record in inventory["roles"]:
            self.add(self.role(name=record["name"]))
        for record in inventory["devices"]:
            device = self.device(
                name=record["name"],
                location=record["location"],
                device_type=record["device_type"],
                role=record["role"],
                status=record.get("status", "Active"),
                serial=record.get("serial", ""),
            )
            self.add(device)
            for values in record["interfaces"]:
                interface = self.interface(device=device.name, **values)
                self.add(interface)
                device.add_child(interface)


class NautobotInventoryAdapter(_Models, Adapter):
    """Nautobot's side, read with the ORM (a query or two per model)."""

    def load(self):
        for obj in LocationType.objects.select_related("parent").prefetch_related("content_types"):
            labels = sorted(f"{ct.app_label}.{ct.model}" for ct in obj.content_types.all())
            parent = obj.parent.name if obj.parent else None
            self.add(self.location_type(name=obj.name, parent=parent, nestable=obj.nestable, content_types=labels))
        for obj in Location.objects.select_related("location_type", "parent", "status"):
            self.add(
                self.location(
                    name=obj.name,
                    location_type=obj.location_type.name,
                    parent=obj.parent.name if obj.parent else None,
                    status=obj.status.name,
                    description=obj.description,
                )
            )
        for obj in Manufacturer.objects.all():
            self.add(self.manufacturer(name=obj.name, description=obj.description))
        for obj in DeviceType.objects.select_related("manufacturer"):
            self.add(self.device_type(model=obj.model, manufacturer=obj.manufacturer.name, part_number=obj.part_number))
        for obj in Role.objects.filter(content_types__app_label="dcim", content_types__model="device"):
            self.add(self.role(name=obj.name, description=obj.description))
        devices = {}
        for obj in Device.objects.select_related("location", "device_type", "role", "status"):
            devices[obj.name] = self.device(
                name=obj.name,
                location=obj.location.name,
                device_type=obj.device_type.model,
                role=obj.role.name,
                status=obj.status.name,
                serial=obj.serial,
            )
            self.add(devices[obj.name])
        for obj in Interface.objects.select_related("device"):
            interface = self.interface(
                device=obj.device.name,
                name=obj.name,
                type=obj.type,
                description=obj.description,
                enabled=obj.enabled,
            )
            self.add(interface)
            devices[obj.device.name].add_child(interface)
