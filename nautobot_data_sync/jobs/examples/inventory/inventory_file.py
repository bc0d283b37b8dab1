"""Read an inventory file (YAML or JSON) into validated records, or fail with an error naming the record and the field.

The records use the file's field names, with defaults filled in (adapters.py maps them onto the models).
"""

import json
from contextlib import suppress

import yaml
from nautobot.dcim.choices import InterfaceTypeChoices

REQUIRED = object()

# Section: {field: (type, default)}, in dependency order (a section refers only to itself and to earlier ones).
# The first field is the record's name (its diffsync identifier).
SCHEMA = {
    "location_types": {
        "name": (str, REQUIRED),
        "parent": (str, None),
        "nestable": (bool, False),
        "content_types": (list, []),
        "description": (str, ""),
    },
    "locations": {
        "name": (str, REQUIRED),
        "location_type": (str, REQUIRED),
        "parent": (str, None),
        "status": (str, "Active"),
        "description": (str, ""),
    },
    "manufacturers": {"name": (str, REQUIRED), "description": (str, "")},
    "device_types": {"model": (str, REQUIRED), "manufacturer": (str, REQUIRED), "part_number": (str, "")},
    "roles": {"name": (str, REQUIRED), "description": (str, "")},
    "devices": {
        "name": (str, REQUIRED),
        "location": (str, REQUIRED),
        "device_type": (str, REQUIRED),
        "role": (str, REQUIRED),
        "status": (str, "Active"),
        "serial": (str, ""),
        "interfaces": (list, []),
    },
}
INTERFACE_SCHEMA = {"name": (str, REQUIRED), "type": (str, REQUIRED), "description": (str, ""), "enabled": (bool, True)}

# (section, field) -> the section that must hold the name it refers to (for parents: earlier in the same section).
REFERENCES = {
    ("location_types", "parent"): "location_types",
    ("locations", "location_type"): "location_types",
    ("locations", "parent"): "locations",
    ("device_types", "manufacturer"): "manufacturers",
    ("devices", "location"): "locations",
    ("devices", "device_type"): "device_types",
    ("devices", "role"): "roles",
}
RECORD_NAMES = {
    "location_types": "location type",
    "locations": "location",
    "manufacturers": "manufacturer",
    "device_types": "device type",
    "roles": "role",
    "devices": "device",
}
INTERFACE_TYPES = frozenset(InterfaceTypeChoices.values())
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class InventoryFileError(ValueError):
    """The inventory file cannot be used; the message says where: ``devices[3] (name='leaf-03'): ...``."""


def parse_inventory(content):
    """The data of YAML ``content`` (str, bytes or a file). JSON, a subset of YAML, is read by the JSON parser:
    about 20 times faster than the YAML one (most of a no-op sync of a large file is its parse)."""
    if hasattr(content, "read"):
        content = content.read()
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    except UnicodeDecodeError as error:
        raise InventoryFileError(f"not UTF-8 text: {error}") from None
    if text.lstrip().startswith("{"):
        with suppress(ValueError):  # a YAML flow mapping that is not JSON
            return json.loads(text)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise InventoryFileError(f"not valid YAML: {error}") from None


def load_inventory(content, statuses=None):
    """Parse and check YAML or JSON ``content`` (str, bytes or a file); return ``{section: [record, ...]}``.

    ``statuses``, if given, maps "locations" and "devices" to the status names Nautobot has for them.
    """
    data = parse_inventory(content) or {}
    if not isinstance(data, dict):
        raise InventoryFileError(f"the file must be a mapping with the sections {', '.join(SCHEMA)}")
    unknown = sorted(set(data) - set(SCHEMA), key=str)
    if unknown:
        raise InventoryFileError(f"unknown section {unknown[0]!r} (expected {', '.join(SCHEMA)})")

    inventory, names = {}, {}
    for section, schema in SCHEMA.items():
        items = data.get(section) or []
        if not isinstance(items, list):
            raise InventoryFileError(f"{section}: must be a list of records")
        inventory[section], names[section] = [], {}
        for index, item in enumerate(items):
            position = f"{section}[{index}]"
            record, where = _record(position, item, schema)
            _check_unique(where, record[next(iter(schema))], names[section])
            for field, value in record.items():
                target = REFERENCES.get((section, field))
                if target and value is not None and value not in names[target]:
                    hint = " (a parent must be listed before its children)" if target == section else ""
                    raise InventoryFileError(f"{where}: unknown {RECORD_NAMES[target]} {value!r}{hint}")
            if statuses and section in statuses and record["status"] not in statuses[section]:
                known = ", ".join(sorted(statuses[section]))
                raise InventoryFileError(f"{where}: unknown status {record['status']!r} (known: {known})")
            if section == "location_types":
                record["content_types"] = _content_types(where, record["content_types"])
            if section == "devices":
                record["interfaces"] = _interfaces(where, record["interfaces"])
            names[section][record[next(iter(schema))]] = position
            inventory[section].append(record)
    return inventory


def _record(where, item, schema):
    """Check one record's fields against ``schema``; return it with defaults filled in, and its description."""
    if not isinstance(item, dict):
        raise InventoryFileError(f"{where}: must be a mapping of fields, not {type(item).__name__}")
    key = next(iter(schema))
    if isinstance(item.get(key), str) and item[key]:
        where = f"{where} ({key}={item[key]!r})"
    unknown = sorted(set(item) - set(schema), key=str)
    if unknown:
        raise InventoryFileError(f"{where}: unknown field {unknown[0]!r}")
    record = {}
    for field, (kind, default) in schema.items():
        value = item.get(field)
        if value is None or value == "":
            if default is REQUIRED:
                raise InventoryFileError(f"{where}: missing field {field!r}")
            value = list(default) if isinstance(default, list) else default
        elif not isinstance(value, kind):
            raise InventoryFileError(f"{where}: field {field!r} must be a {kind.__name__}, not {type(value).__name__}")
        record[field] = value
    return record, where


def _check_unique(where, name, seen):
    if name in seen:
        raise InventoryFileError(f"{where}: duplicate name {name!r} (also {seen[name]})")


def _content_types(where, labels):
    for label in labels:
        if not isinstance(label, str) or label.count(".") != 1:
            raise InventoryFileError(f"{where}: field 'content_types' needs 'app_label.model' names, not {label!r}")
    return sorted(labels)


def _interfaces(where, items):
    records, seen = [], {}
    for index, item in enumerate(items):
        position = f"{where}.interfaces[{index}]"
        record, here = _record(position, item, INTERFACE_SCHEMA)
        _check_unique(here, record["name"], seen)
        if record["type"] not in INTERFACE_TYPES:
            raise InventoryFileError(f"{here}: unknown interface type {record['type']!r}")
        seen[record["name"]] = position
        records.append(record)
    return records
