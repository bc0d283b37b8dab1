"""Between a remote Nautobot's REST records and the declared fields of the models (``models.py``).

Reading (``depth=0``): a reference is ``{"id": ..., "object_type": ...}``; ``RecordIndex`` holds every record loaded
from the remote by id, so a path such as ``device_type__manufacturer__name`` is followed from record to record
without any request. Writing: declared values become a payload whose references are natural-key dictionaries,
``{"device_type": {"manufacturer__name": "Arista", "model": "DCS-7280"}}``, which Nautobot resolves on its side.
"""

from django.urls import reverse
from nautobot.apps.utils import get_route_for_model

from nautobot_data_sync.orm.fields import LABEL, SEP


class MissingReference(LookupError):
    """A record refers to an object that is not among the records loaded from the remote."""

    def __init__(self, field, reference):
        super().__init__(field, reference)
        self.field = field
        self.reference = reference


def endpoint(model_class):
    """The REST list endpoint of a declared model, relative to the base URL: ``api/dcim/devices/``."""
    return list_path(model_class, api=True)


def list_path(model_class, api=False):
    """The path of the model's list view (``dcim/devices/``) or REST endpoint, without the leading slash."""
    return reverse(get_route_for_model(model_class._model, "list", api=api)).lstrip("/")


def plain(value):
    """A plain field's value: choice fields come as ``{"value": ..., "label": ...}``."""
    return value["value"] if isinstance(value, dict) and "value" in value else value


class RecordIndex:
    """Every record loaded from the remote, by id."""

    def __init__(self):
        self.by_id = {}

    def add(self, records):
        for record in records:
            self.by_id[record["id"]] = record

    def follow(self, record, path, field):
        """The value at the end of ``path`` (``a__b__c``) from ``record``; None if a reference on the way is null."""
        *hops, last = path.split(SEP)
        for hop in hops:
            reference = record.get(hop)
            if reference is None:
                return None
            record = self.by_id.get(reference["id"])
            if record is None:
                raise MissingReference(field, reference)
        return plain(record.get(last))

    def read(self, model_class, record):
        """The declared field values of ``model_class`` for one REST record."""
        plan = model_class.plan()
        values = {name: plain(record.get(name)) for name in plan.plain}
        for group in plan.foreign_keys.values():
            for name in group.paths:
                values[name] = self.follow(record, name, name)
        for m2m in plan.many_to_many:
            references = record.get(m2m.accessor) or []
            if m2m.key == LABEL:
                values[m2m.name] = sorted(references)
            else:
                values[m2m.name] = sorted(
                    self.follow({"item": reference}, f"item{SEP}{m2m.key}", m2m.name) for reference in references
                )
        return values


def payload(model_class, values):
    """The REST fields for ``values`` (declared name -> value, any subset of the model's fields)."""
    plan = model_class.plan()
    body = {name: values[name] for name in plan.plain if name in values}
    for group in plan.foreign_keys.values():
        lookup = {path: values[name] for name, path in group.paths.items() if name in values}
        if lookup:
            body[group.name] = None if all(value is None for value in lookup.values()) else lookup
    for m2m in plan.many_to_many:
        if m2m.name in values:
            keys = values[m2m.name] or []
            body[m2m.accessor] = list(keys) if m2m.key == LABEL else [{m2m.key: key} for key in keys]
    return _SPECIAL.get(model_class._modelname, _unchanged)(body)


def _unchanged(body):
    return body


def _prefix(body):
    """Nautobot writes a prefix as ``prefix`` (``network`` and ``prefix_length`` are derived)."""
    network, length = body.pop("network", None), body.pop("prefix_length", None)
    if network is not None:
        body["prefix"] = f"{network}/{length}"
    return body


def _ip_address(body):
    """Nautobot writes an IP address as ``address``, in a ``namespace`` (its parent prefix is derived)."""
    host, length = body.pop("host", None), body.pop("mask_length", None)
    if host is not None and length is not None:
        body["address"] = f"{host}/{length}"
    parent = body.pop("parent", None)
    if parent:
        body["namespace"] = {"name": parent["namespace__name"]}
    return body


_SPECIAL = {"prefix": _prefix, "ip_address": _ip_address}
