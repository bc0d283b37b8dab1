"""The floor of the side-by-side benchmark: the inventory written with raw ``bulk_create`` (contender "raw").

No validation, no change log, no job: read the file, read what Nautobot has (by name), then ``bulk_create`` what
is missing, ``bulk_update`` interfaces whose description, type or enabled flag differ, and delete the devices and
interfaces the file no longer has. Other records are only created, never updated or deleted (the benchmark's
scenarios change nothing else). It runs in the same four phases as the jobs, measured the same way.
"""

from django.contrib.contenttypes.models import ContentType
from nautobot.dcim.models import Device, DeviceType, Interface, Location, LocationType, Manufacturer
from nautobot.extras.models import Role, Status

from nautobot_data_sync.jobs.examples.inventory.inventory_file import parse_inventory
from nautobot_data_sync.sync.metrics import measure

INTERFACE_FIELDS = ("type", "description", "enabled")


def _by_name(model, field="name"):
    return {name: pk for pk, name in model.objects.values_list("pk", field)}


def load_target():
    """What Nautobot has: pks by name per model, interfaces with their compared fields."""
    interfaces = {
        (device, name): (pk, values)
        for pk, device, name, *values in Interface.objects.values_list("pk", "device__name", "name", *INTERFACE_FIELDS)
    }
    return {
        "location_types": _by_name(LocationType),
        "locations": _by_name(Location),
        "manufacturers": _by_name(Manufacturer),
        "device_types": _by_name(DeviceType, "model"),
        "roles": _by_name(Role),
        "devices": _by_name(Device),
        "interfaces": interfaces,
    }


def plan(inventory, target):
    """(records to create per section, interface changes {pk: values}, device pks and interface pks to delete)."""
    creates = {
        section: [record for record in inventory[section] if record[key] not in target[section]]
        for section, key in (
            ("location_types", "name"),
            ("locations", "name"),
            ("manufacturers", "name"),
            ("device_types", "model"),
            ("roles", "name"),
            ("devices", "name"),
        )
    }
    source_interfaces = {
        (device["name"], interface["name"]): interface
        for device in inventory["devices"]
        for interface in device["interfaces"]
    }
    creates["interfaces"] = [key for key in source_interfaces if key not in target["interfaces"]]
    updates = {}
    for key, (pk, values) in target["interfaces"].items():
        record = source_interfaces.get(key)
        wanted = record and (record["type"], record.get("description", ""), record.get("enabled", True))
        if wanted and tuple(values) != wanted:
            updates[pk] = dict(zip(INTERFACE_FIELDS, wanted, strict=True))
    names = {device["name"] for device in inventory["devices"]}
    deletes = {
        "devices": [pk for name, pk in target["devices"].items() if name not in names],
        "interfaces": [pk for key, (pk, _) in target["interfaces"].items() if key not in source_interfaces],
    }
    return creates, source_interfaces, updates, deletes


def write(creates, source_interfaces, updates, deletes, target):
    """bulk_create, bulk_update and delete; returns the number of rows written."""
    active = Status.objects.get(name="Active")
    device_ct = ContentType.objects.get_for_model(Device)
    pks = {section: dict(names) for section, names in target.items() if section != "interfaces"}

    def create(section, model, records, key="name", **fields):
        """Build the objects in file order (a parent's pk is known before its children), then one bulk_create."""
        objects = []
        for record in records:
            obj = model(**{key: record[key]}, **{name: value(record) for name, value in fields.items()})
            pks[section][record[key]] = obj.pk
            objects.append(obj)
        model.objects.bulk_create(objects, batch_size=1000)
        return objects

    location_types = create(
        "location_types",
        LocationType,
        creates["location_types"],
        parent_id=lambda r: pks["location_types"].get(r.get("parent")),
    )
    through = LocationType.content_types.through
    through.objects.bulk_create(
        through(locationtype=obj, contenttype=device_ct)
        for obj, record in zip(location_types, creates["location_types"], strict=True)
        if "dcim.device" in record.get("content_types", ())
    )
    create(
        "locations",
        Location,
        creates["locations"],
        location_type_id=lambda r: pks["location_types"][r["location_type"]],
        parent_id=lambda r: pks["locations"].get(r.get("parent")),
        status=lambda r: active,
    )
    create("manufacturers", Manufacturer, creates["manufacturers"])
    create(
        "device_types",
        DeviceType,
        creates["device_types"],
        key="model",
        manufacturer_id=lambda r: pks["manufacturers"][r["manufacturer"]],
    )
    roles = create("roles", Role, creates["roles"])
    Role.content_types.through.objects.bulk_create(
        Role.content_types.through(role=role, contenttype=device_ct) for role in roles
    )
    create(
        "devices",
        Device,
        creates["devices"],
        location_id=lambda r: pks["locations"][r["location"]],
        device_type_id=lambda r: pks["device_types"][r["device_type"]],
        role_id=lambda r: pks["roles"][r["role"]],
        serial=lambda r: r.get("serial", ""),
        status=lambda r: active,
    )
    interfaces = [
        Interface(
            device_id=pks["devices"][device],
            name=name,
            status=active,
            type=source_interfaces[device, name]["type"],
            description=source_interfaces[device, name].get("description", ""),
            enabled=source_interfaces[device, name].get("enabled", True),
        )
        for device, name in creates["interfaces"]
    ]
    Interface.objects.bulk_create(interfaces, batch_size=1000)
    changed = [Interface(pk=pk, **values) for pk, values in updates.items()]
    Interface.objects.bulk_update(changed, INTERFACE_FIELDS, batch_size=1000)
    Interface.objects.filter(pk__in=deletes["interfaces"]).delete()
    Device.objects.filter(pk__in=deletes["devices"]).delete()
    created = sum(len(records) for records in creates.values())
    return created + len(changed) + len(deletes["interfaces"]) + len(deletes["devices"])


def run(inventory_path, profile_memory):
    """Sync the file with raw bulk operations; return {phase label: PhaseMetrics}."""
    phases = {}
    with measure(profile_memory) as phases["Source load"], open(inventory_path, encoding="utf-8") as stream:
        inventory = parse_inventory(stream)
    with measure(profile_memory) as phases["Target load"]:
        target = load_target()
    with measure(profile_memory) as phases["Diff calculation"]:
        creates, source_interfaces, updates, deletes = plan(inventory, target)
    with measure(profile_memory) as phases["Sync execution"]:
        phases["Sync execution"].objects = write(creates, source_interfaces, updates, deletes, target)
    return phases
