"""The diffsync models of a Nautobot-to-Nautobot sync, declared once and used on both sides.

They are declarative ``NautobotModel`` classes (docs/orm.md): the local adapter loads and writes them through the ORM,
the remote adapter fills the same field paths from the REST API (``rest.py``) and writes them back through bulk
endpoints (``writer.py``). References are natural keys (names), never primary keys, which differ between the two
instances. Simplifications of this example: locations and devices are identified by name alone (Nautobot allows the
same name under different parents or tenants), interfaces by device name and interface name.
"""

from diffsync.enum import DiffSyncModelFlags, DiffSyncStatus
from django.core.exceptions import ValidationError
from nautobot.dcim import models as dcim
from nautobot.extras import models as extras
from nautobot.ipam import models as ipam
from nautobot.tenancy import models as tenancy

from nautobot_data_sync.orm import NautobotModel, ObjectValidationError, ReferenceNotFound

TOP_LEVEL = (
    "tag",
    "status",
    "tenant",
    "location_type",
    "location",
    "manufacturer",
    "platform",
    "device_type",
    "role",
    "device",
    "vlan_group",
    "vlan",
    "namespace",
    "prefix",
    "ip_address",
    "ip_assignment",
)
"""Creation order: every model comes after the models it refers to (deletes run in reverse)."""


class Tag(NautobotModel):
    _model = extras.Tag
    _modelname = "tag"
    _identifiers = ("name",)
    _attributes = ("color", "description", "content_types")

    name: str
    color: str = "9e9e9e"
    description: str = ""
    content_types: list[str] = []


class Status(NautobotModel):
    """Statuses are created and updated, never deleted: both sides have Nautobot's defaults, still in use."""

    _model = extras.Status
    _modelname = "status"
    _identifiers = ("name",)
    _attributes = ("color", "description", "content_types")
    model_flags: DiffSyncModelFlags = DiffSyncModelFlags.SKIP_UNMATCHED_DST

    name: str
    color: str = "9e9e9e"
    description: str = ""
    content_types: list[str] = []


class Tenant(NautobotModel):
    _model = tenancy.Tenant
    _modelname = "tenant"
    _identifiers = ("name",)
    _attributes = ("description", "tags")

    name: str
    description: str = ""
    tags: list[str] = []


class LocationType(NautobotModel):
    _model = dcim.LocationType
    _modelname = "location_type"
    _identifiers = ("name",)
    _attributes = ("parent__name", "nestable", "content_types", "description")

    name: str
    parent__name: str | None = None
    nestable: bool = False
    content_types: list[str] = []
    description: str = ""


class Location(NautobotModel):
    _model = dcim.Location
    _modelname = "location"
    _identifiers = ("name",)
    _attributes = ("location_type__name", "parent__name", "status__name", "tenant__name", "description", "tags")

    name: str
    location_type__name: str
    parent__name: str | None = None
    status__name: str
    tenant__name: str | None = None
    description: str = ""
    tags: list[str] = []


class Manufacturer(NautobotModel):
    _model = dcim.Manufacturer
    _modelname = "manufacturer"
    _identifiers = ("name",)
    _attributes = ("description",)

    name: str
    description: str = ""


class Platform(NautobotModel):
    _model = dcim.Platform
    _modelname = "platform"
    _identifiers = ("name",)
    _attributes = ("manufacturer__name", "network_driver", "description")

    name: str
    manufacturer__name: str | None = None
    network_driver: str = ""
    description: str = ""


class DeviceType(NautobotModel):
    _model = dcim.DeviceType
    _modelname = "device_type"
    _identifiers = ("manufacturer__name", "model")
    _attributes = ("part_number", "is_full_depth", "comments")

    manufacturer__name: str
    model: str
    part_number: str = ""
    is_full_depth: bool = True
    comments: str = ""


class Role(NautobotModel):
    _model = extras.Role
    _modelname = "role"
    _identifiers = ("name",)
    _attributes = ("color", "description", "content_types")

    name: str
    color: str = "9e9e9e"
    description: str = ""
    content_types: list[str] = []


class Device(NautobotModel):
    _model = dcim.Device
    _modelname = "device"
    _bulk_mode = True  # the bulk of the objects: written in validated, change-logged batches (orm.bulk)
    _identifiers = ("name",)
    _attributes = (
        "location__name",
        "device_type__manufacturer__name",
        "device_type__model",
        "role__name",
        "status__name",
        "platform__name",
        "tenant__name",
        "serial",
        "tags",
    )
    _children = {"interface": "interfaces"}
    # Delete (and record) the interfaces before their device.
    model_flags: DiffSyncModelFlags = DiffSyncModelFlags.NATURAL_DELETION_ORDER

    name: str
    location__name: str
    device_type__manufacturer__name: str
    device_type__model: str
    role__name: str
    status__name: str
    platform__name: str | None = None
    tenant__name: str | None = None
    serial: str = ""
    tags: list[str] = []
    interfaces: list[str] = []


class Interface(NautobotModel):
    _model = dcim.Interface
    _modelname = "interface"
    _bulk_mode = True  # the bulk of the objects: written in validated, change-logged batches (orm.bulk)
    _identifiers = ("device__name", "name")
    _attributes = ("type", "status__name", "enabled", "mgmt_only", "mtu", "description")

    device__name: str
    name: str
    type: str
    status__name: str
    enabled: bool = True
    mgmt_only: bool = False
    mtu: int | None = None
    description: str = ""


class VLANGroup(NautobotModel):
    _model = ipam.VLANGroup
    _modelname = "vlan_group"
    _identifiers = ("name",)
    _attributes = ("location__name", "description")

    name: str
    location__name: str | None = None
    description: str = ""


class VLAN(NautobotModel):
    _model = ipam.VLAN
    _modelname = "vlan"
    _identifiers = ("vlan_group__name", "vid")
    _attributes = ("name", "status__name", "tenant__name", "description", "tags")

    vlan_group__name: str | None = None
    vid: int
    name: str
    status__name: str
    tenant__name: str | None = None
    description: str = ""
    tags: list[str] = []


class Namespace(NautobotModel):
    _model = ipam.Namespace
    _modelname = "namespace"
    _identifiers = ("name",)
    _attributes = ("location__name", "description")

    name: str
    location__name: str | None = None
    description: str = ""


class Prefix(NautobotModel):
    _model = ipam.Prefix
    _modelname = "prefix"
    _identifiers = ("namespace__name", "network", "prefix_length")
    _attributes = ("type", "status__name", "tenant__name", "description", "tags")

    namespace__name: str
    network: str
    prefix_length: int
    type: str = "network"
    status__name: str
    tenant__name: str | None = None
    description: str = ""
    tags: list[str] = []


class IPAddress(NautobotModel):
    """An IP address in a namespace: its ``parent`` prefix is found by Nautobot, so creation passes the namespace."""

    _model = ipam.IPAddress
    _modelname = "ip_address"
    _identifiers = ("parent__namespace__name", "host")
    _attributes = ("mask_length", "type", "status__name", "tenant__name", "dns_name", "description", "tags")

    parent__namespace__name: str
    host: str
    mask_length: int
    type: str = "host"
    status__name: str
    tenant__name: str | None = None
    dns_name: str = ""
    description: str = ""
    tags: list[str] = []

    @classmethod
    def create(cls, adapter, ids, attrs):
        """Create the address in its namespace (Nautobot picks the parent prefix), then set the other fields."""
        unique_id = cls.create_unique_id(**ids)
        namespace = ipam.Namespace.objects.filter(name=ids["parent__namespace__name"]).first()
        if namespace is None:
            name = ids["parent__namespace__name"]
            raise ReferenceNotFound(f"ip_address {unique_id!r}: parent__namespace__name {name!r} is no namespace")
        status_name = attrs["status__name"]
        try:
            status = adapter.references.resolve(extras.Status, {"name": status_name})
        except ReferenceNotFound as error:
            raise ReferenceNotFound(f"ip_address {unique_id!r}: status__name {status_name!r} {error}") from None
        instance = ipam.IPAddress(
            host=ids["host"], mask_length=attrs["mask_length"], namespace=namespace, status_id=status
        )
        try:
            instance.validated_save()
        except ValidationError as error:
            raise ObjectValidationError(f"ip_address {unique_id!r}: {'; '.join(error.messages)}") from None
        adapter.references.forget(ipam.IPAddress)
        model = cls(**ids, **attrs, adapter=adapter, pk=instance.pk)
        model.update(attrs)
        model.set_status(DiffSyncStatus.SUCCESS, "Created successfully")
        return model


class IPAssignment(NautobotModel):
    """An IP address assigned to a device's interface (Nautobot's IPAddressToInterface)."""

    _model = ipam.IPAddressToInterface
    _modelname = "ip_assignment"
    _identifiers = (
        "ip_address__parent__namespace__name",
        "ip_address__host",
        "interface__device__name",
        "interface__name",
    )
    _attributes = ()

    ip_address__parent__namespace__name: str
    ip_address__host: str
    interface__device__name: str
    interface__name: str
