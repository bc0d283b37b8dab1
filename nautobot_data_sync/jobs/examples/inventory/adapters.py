"""The two sides of the inventory sync: the inventory file (source) and Nautobot (target), on the same models."""

from diffsync import Adapter
from django.db.models import Q
from nautobot.dcim import models as dcim
from nautobot.extras.models import Status

from nautobot_data_sync import orm
from nautobot_data_sync.jobs.examples.inventory import models

SECTIONS = {
    "location_types": "location_type",
    "locations": "location",
    "manufacturers": "manufacturer",
    "device_types": "device_type",
    "roles": "role",
    "devices": "device",
}
# The file's fields that name another record, and the model field (the path of that name in Nautobot) they fill.
REFERENCE_FIELDS = {
    "parent": "parent__name",
    "location_type": "location_type__name",
    "status": "status__name",
    "manufacturer": "manufacturer__name",
    "location": "location__name",
    "device_type": "device_type__model",
    "role": "role__name",
}


class _Models:
    """The models of both adapters."""

    location_type = models.LocationType
    location = models.Location
    manufacturer = models.Manufacturer
    device_type = models.DeviceType
    role = models.Role
    device = models.Device
    interface = models.Interface
    top_level = models.TOP_LEVEL


class InventoryFileAdapter(_Models, Adapter):
    """The records of an inventory file, as checked by ``inventory_file.load_inventory()``; with ``locations`` (a
    set of location names), only the devices at those locations (a scoped run); with ``loads`` (a job's
    ``loads_model``), only the models it names (a job run of a sharded sync). It loads once and lets the records go
    then: the models hold what they said, and the sync need not hold the file twice."""

    def __init__(self, inventory, *args, locations=None, loads=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.inventory = inventory
        self.locations = locations
        self.loads = loads

    def load(self):
        inventory, self.inventory = self.inventory, None
        for section, modelname in SECTIONS.items():
            if self.loads is not None and not self.loads(modelname):
                continue
            model_class = getattr(self, modelname)
            for record in inventory[section]:
                if section == "devices" and self.locations is not None and record["location"] not in self.locations:
                    continue
                values = {REFERENCE_FIELDS.get(field, field): value for field, value in record.items()}
                interfaces = values.pop("interfaces", ())
                model = model_class(**values)
                self.add(model)
                for interface_values in interfaces:
                    interface = self.interface(device__name=model.name, **interface_values)
                    self.add(interface)
                    model.add_child(interface)


class NautobotAdapter(_Models, orm.NautobotAdapter):
    """Every Nautobot object of the synced types (roles: those for devices), loaded in a fixed number of queries.

    The file is the source of truth for these types: what is missing from it is deleted by a sync.
    """

    scope = {
        "role": Q(content_types__app_label="dcim", content_types__model="device"),
        "device": Q(name__isnull=False),
    }

    def get_queryset(self, model_class):
        """Location types and locations with parents first, so that deletes (in reverse) take children first."""
        queryset = super().get_queryset(model_class)
        return queryset.with_tree_fields() if hasattr(queryset, "with_tree_fields") else queryset

    @staticmethod
    def status_names():
        """Status names Nautobot has for locations and devices, by inventory section."""
        models_by_section = {"locations": dcim.Location, "devices": dcim.Device}
        return {
            section: set(Status.objects.get_for_model(model).values_list("name", flat=True))
            for section, model in models_by_section.items()
        }
