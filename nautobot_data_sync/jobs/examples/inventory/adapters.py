"""The two sides of the inventory sync: the inventory file (source) and Nautobot (target)."""

from diffsync import Adapter
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from nautobot.dcim import models as dcim
from nautobot.extras import models as extras

from nautobot_data_sync.jobs.examples.inventory import models, nautobot_models
from nautobot_data_sync.jobs.examples.inventory.models import TOP_LEVEL

SECTIONS = {
    "location_types": "location_type",
    "locations": "location",
    "manufacturers": "manufacturer",
    "device_types": "device_type",
    "roles": "role",
}


class InventoryFileAdapter(Adapter):
    """The records of an inventory file, as checked by ``inventory_file.load_inventory()``."""

    location_type = models.LocationType
    location = models.Location
    manufacturer = models.Manufacturer
    device_type = models.DeviceType
    role = models.Role
    device = models.Device
    interface = models.Interface
    top_level = TOP_LEVEL

    def __init__(self, inventory, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.inventory = inventory

    def load(self):
        for section, modelname in SECTIONS.items():
            model_class = getattr(self, modelname)
            for record in self.inventory[section]:
                self.add(model_class(**record))
        for record in self.inventory["devices"]:
            device = self.device(**{field: value for field, value in record.items() if field != "interfaces"})
            self.add(device)
            for values in record["interfaces"]:
                interface = self.interface(device=device.name, **values)
                self.add(interface)
                device.add_child(interface)


class NautobotAdapter(Adapter):
    """Every Nautobot object of the synced types (roles: those for devices), loaded in a fixed number of queries.

    The file is the source of truth for these types: what is missing from it is deleted by a sync.
    """

    location_type = nautobot_models.NautobotLocationType
    location = nautobot_models.NautobotLocation
    manufacturer = nautobot_models.NautobotManufacturer
    device_type = nautobot_models.NautobotDeviceType
    role = nautobot_models.NautobotRole
    device = nautobot_models.NautobotDevice
    interface = nautobot_models.NautobotInterface
    top_level = TOP_LEVEL

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._statuses = {}

    def load(self):
        location_types = dcim.LocationType.objects.select_related("parent").prefetch_related("content_types")
        for obj in _parents_first(location_types):
            self.add(
                self.location_type(
                    name=obj.name,
                    parent=obj.parent.name if obj.parent else None,
                    nestable=obj.nestable,
                    content_types=sorted(f"{ct.app_label}.{ct.model}" for ct in obj.content_types.all()),
                    description=obj.description,
                    pk=obj.pk,
                )
            )
        locations = dcim.Location.objects.select_related("location_type", "parent", "status").only(
            "name", "description", "location_type__name", "parent__name", "status__name"
        )
        for obj in _parents_first(locations):
            self.add(
                self.location(
                    name=obj.name,
                    location_type=obj.location_type.name,
                    parent=obj.parent.name if obj.parent else None,
                    status=obj.status.name,
                    description=obj.description,
                    pk=obj.pk,
                )
            )
        for obj in dcim.Manufacturer.objects.only("name", "description"):
            self.add(self.manufacturer(name=obj.name, description=obj.description, pk=obj.pk))
        device_types = dcim.DeviceType.objects.select_related("manufacturer")
        for obj in device_types.only("model", "part_number", "manufacturer__name"):
            self.add(
                self.device_type(
                    model=obj.model, manufacturer=obj.manufacturer.name, part_number=obj.part_number, pk=obj.pk
                )
            )
        for obj in extras.Role.objects.get_for_model(dcim.Device).only("name", "description"):
            self.add(self.role(name=obj.name, description=obj.description, pk=obj.pk))
        self._load_devices()

    def _load_devices(self):
        interfaces = dcim.Interface.objects.only("device", "name", "type", "description", "enabled")
        devices = (
            dcim.Device.objects.filter(name__isnull=False)
            .select_related("location", "device_type", "role", "status")
            .only("name", "serial", "location__name", "device_type__model", "role__name", "status__name")
            .prefetch_related(Prefetch("interfaces", queryset=interfaces))
        )
        for obj in devices:
            device = self.device(
                name=obj.name,
                location=obj.location.name,
                device_type=obj.device_type.model,
                role=obj.role.name,
                status=obj.status.name,
                serial=obj.serial,
                pk=obj.pk,
            )
            self.add(device)
            for interface in obj.interfaces.all():
                child = self.interface(
                    device=obj.name,
                    name=interface.name,
                    type=interface.type,
                    description=interface.description,
                    enabled=interface.enabled,
                    pk=interface.pk,
                )
                self.add(child)
                device.add_child(child)

    # References, for the models' create() and update()

    def pk_of(self, modelname, name):
        """The Nautobot pk of the ``modelname`` called ``name`` (loaded or created in this sync), or None for None."""
        return None if name is None else self.get(modelname, name).pk

    def status(self, model, name):
        """The Status ``name`` for ``model``, looked up once per sync."""
        key = (model, name)
        if key not in self._statuses:
            try:
                self._statuses[key] = extras.Status.objects.get_for_model(model).get(name=name)
            except extras.Status.DoesNotExist:
                raise ValueError(f"no status {name!r} for {model._meta.verbose_name_plural}") from None
        return self._statuses[key]

    @staticmethod
    def content_type(label):
        """The ContentType of an "app_label.model" label (Django caches these)."""
        return ContentType.objects.get_by_natural_key(*label.split("."))

    @staticmethod
    def status_names():
        """Status names Nautobot has for locations and devices, by inventory section."""
        models_by_section = {"locations": dcim.Location, "devices": dcim.Device}
        return {
            section: set(extras.Status.objects.get_for_model(model).values_list("name", flat=True))
            for section, model in models_by_section.items()
        }


def _parents_first(objects):
    """Tree objects (with ``parent_id``) sorted so that every parent comes before its children."""
    objects = list(objects)
    parent_of = {obj.pk: obj.parent_id for obj in objects}

    def depth(obj):
        level, parent = 0, obj.parent_id
        while parent in parent_of:
            level, parent = level + 1, parent_of[parent]
        return level

    return sorted(objects, key=depth)
