"""Declarative models, adapters, data builders and a DataSource job shared by the test_orm_* tests (no tests here)."""

from typing import Annotated

from diffsync import Adapter
from django.contrib.contenttypes.models import ContentType
from nautobot.apps.jobs import register_jobs
from nautobot.dcim.models import Device, DeviceType, Interface, Location, LocationType, Manufacturer
from nautobot.extras.models import CustomField as CustomFieldModel
from nautobot.extras.models import Relationship, RelationshipAssociation, Role, Status, Tag, TaggedItem
from nautobot.tenancy.models import Tenant

from nautobot_data_sync.jobs.base import DataSource
from nautobot_data_sync.orm import CustomField, NautobotAdapter, NautobotModel, RelationshipSide

INTERFACES_PER_DEVICE = 8


class InterfaceModel(NautobotModel):
    _model = Interface
    _modelname = "interface"
    _identifiers = ("device__name", "name")
    _attributes = ("type", "description", "status__name")

    device__name: str
    name: str
    type: str = "1000base-t"
    description: str = ""
    status__name: str = "Active"


class DeviceModel(NautobotModel):
    _model = Device
    _modelname = "device"
    _identifiers = ("name",)
    _attributes = (
        "location__name",
        "device_type__model",
        "device_type__manufacturer__name",
        "role__name",
        "status__name",
        "serial",
        "tags",
        "cf_owner",
        "tenants",
    )
    _children = {"interface": "interfaces"}

    name: str
    location__name: str
    device_type__model: str
    device_type__manufacturer__name: str
    role__name: str
    status__name: str = "Active"
    serial: str = ""
    tags: list[str] = []
    cf_owner: Annotated[str | None, CustomField("owner")] = None
    tenants: Annotated[list[str], RelationshipSide("device_tenants", "source", "name")] = []
    interfaces: list[str] = []


class DeviceNautobotAdapter(NautobotAdapter):
    device = DeviceModel
    interface = InterfaceModel
    top_level = ("device",)


class RecordsAdapter(Adapter):
    """The "remote" side: device records as dicts, each with a list of interface dicts."""

    device = DeviceModel
    interface = InterfaceModel
    top_level = ("device",)

    def __init__(self, records, **kwargs):
        super().__init__(**kwargs)
        self.records = records

    def load(self):
        for record in self.records:
            device = self.device(**{key: value for key, value in record.items() if key != "interfaces"})
            self.add(device)
            for values in record.get("interfaces", []):
                interface = self.interface(device__name=device.name, **values)
                self.add(interface)
                device.add_child(interface)


class OrmDeviceSource(DataSource):
    """Device records -> Nautobot through the declarative adapter. Tests set ``records`` and ``scope``."""

    records = []
    scope = {}

    class Meta(DataSource.Meta):
        name = "Test declarative device source"
        data_source = "Device records"

    def load_source_adapter(self):
        self.source_adapter = RecordsAdapter(records=self.records)
        self.source_adapter.load()

    def load_target_adapter(self):
        self.target_adapter = DeviceNautobotAdapter(job=self, scope=self.scope)
        self.target_adapter.load()


register_jobs(OrmDeviceSource)


def make_world():
    """What devices refer to: two locations, a device type, a role, tags, the "owner" custom field, a relationship."""
    device_ct = ContentType.objects.get_for_model(Device)
    active = Status.objects.get(name="Active")
    for model in (Device, Interface, Location):
        active.content_types.add(ContentType.objects.get_for_model(model))
    site_type = LocationType.objects.create(name="Test site")
    site_type.content_types.add(device_ct)
    locations = [Location.objects.create(name=name, location_type=site_type, status=active) for name in ("ams", "fra")]
    manufacturer = Manufacturer.objects.create(name="Acme")
    device_type = DeviceType.objects.create(manufacturer=manufacturer, model="A1")
    role = Role.objects.create(name="leaf")
    role.content_types.add(device_ct)
    for name in ("gold", "silver"):
        Tag.objects.create(name=name).content_types.add(device_ct)
    owner = CustomFieldModel.objects.create(label="Owner", key="owner", type="text")
    owner.content_types.add(device_ct)
    for name in ("t1", "t2"):
        Tenant.objects.create(name=name)
    Relationship.objects.create(
        label="Device tenants",
        key="device_tenants",
        type="many-to-many",
        source_type=device_ct,
        destination_type=ContentType.objects.get_for_model(Tenant),
    )
    return {"locations": locations, "device_type": device_type, "role": role, "status": active}


def bulk_devices(world, count, prefix="dev"):
    """``count`` devices at the first location, each with 8 interfaces, tag "gold", an owner and tenant "t1"."""
    location, status = world["locations"][0], world["status"]
    devices = Device.objects.bulk_create(
        Device(
            name=f"{prefix}-{index:05d}",
            location=location,
            device_type=world["device_type"],
            role=world["role"],
            status=status,
            serial=f"SN{index}",
            _custom_field_data={"owner": f"team-{index % 3}"},
        )
        for index in range(count)
    )
    Interface.objects.bulk_create(
        Interface(device=device, name=f"eth{port}", type="1000base-t", status=status)
        for device in devices
        for port in range(INTERFACES_PER_DEVICE)
    )
    device_ct = ContentType.objects.get_for_model(Device)
    gold = Tag.objects.get(name="gold")
    TaggedItem.objects.bulk_create(
        TaggedItem(content_type=device_ct, object_id=device.pk, tag=gold) for device in devices
    )
    relationship = Relationship.objects.get(key="device_tenants")
    tenant_ct = ContentType.objects.get_for_model(Tenant)
    tenant = Tenant.objects.get(name="t1")
    RelationshipAssociation.objects.bulk_create(
        RelationshipAssociation(
            relationship=relationship,
            source_type=device_ct,
            source_id=device.pk,
            destination_type=tenant_ct,
            destination_id=tenant.pk,
        )
        for device in devices
    )
    return devices
