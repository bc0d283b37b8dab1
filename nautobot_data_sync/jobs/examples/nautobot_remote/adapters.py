"""The two sides of a Nautobot-to-Nautobot sync: this Nautobot (ORM) and a remote one (REST), on the same models."""

from diffsync import Adapter
from django.db.models import Q

from nautobot_data_sync import orm
from nautobot_data_sync.jobs.examples.nautobot_remote import models
from nautobot_data_sync.jobs.examples.nautobot_remote.rest import MissingReference, RecordIndex, endpoint
from nautobot_data_sync.orm import ReferenceNotFound

HIERARCHIES = ("location_type", "location")
"""Models whose records refer to a parent of the same model by ``parent__name``: loaded parents first."""


class _Models:
    """The models of both adapters."""

    tag = models.Tag
    status = models.Status
    tenant = models.Tenant
    location_type = models.LocationType
    location = models.Location
    manufacturer = models.Manufacturer
    platform = models.Platform
    device_type = models.DeviceType
    role = models.Role
    device = models.Device
    interface = models.Interface
    vlan_group = models.VLANGroup
    vlan = models.VLAN
    namespace = models.Namespace
    prefix = models.Prefix
    ip_address = models.IPAddress
    ip_assignment = models.IPAssignment
    top_level = models.TOP_LEVEL

    @classmethod
    def model_names(cls):
        """Every model name, in creation order (interfaces right after devices)."""
        names = list(cls.top_level)
        names.insert(names.index("device") + 1, "interface")
        return names


class LocalNautobotAdapter(_Models, orm.NautobotAdapter):
    """This Nautobot: every object of the synced types, loaded in a fixed number of queries."""

    scope = {"device": Q(name__isnull=False), "ip_assignment": Q(interface__isnull=False)}

    def get_queryset(self, model_class):
        """Location types and locations parents first, so that deletes (in reverse) take children first."""
        queryset = super().get_queryset(model_class)
        return queryset.with_tree_fields() if hasattr(queryset, "with_tree_fields") else queryset


class RemoteNautobotAdapter(_Models, Adapter):
    """A remote Nautobot, read through its REST API: one collection per model, all fetched at once.

    ``filters`` (``{model name: {query parameter: value}}``) are passed to that model's list endpoint; a record that
    refers to an object the remote did not return (filtered out, or created meanwhile) is an error naming the record
    and the field. ``pk`` of each model is the remote id, used by the writer to update and delete.
    """

    def __init__(self, client, *args, filters=None, parallel=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.filters = filters or {}
        self.parallel = parallel

    def load(self):
        names = self.model_names()
        collections = {name: (endpoint(getattr(self, name)), self._params(name)) for name in names}
        records = self.client.fetch_collections(collections, parallel=self.parallel)
        index = RecordIndex()
        for collection in records.values():
            index.add(collection)
        for name in names:
            model_class = getattr(self, name)
            rows = records[name]
            if name in HIERARCHIES:
                rows = _parents_first(rows)
            for record in rows:
                if self._ignored(name, record):
                    continue
                values = self._read(index, model_class, record)
                if name == "interface" and values["device__name"] is None:
                    continue  # an interface of an unnamed device
                model = model_class(pk=record["id"], **values)
                self.add(model)
                if name == "interface":
                    self.get("device", model.device__name).add_child(model)

    def _params(self, name):
        """Query parameters of a model's list endpoint: its filters, and no many-to-many fields it does not read."""
        params = dict(self.filters.get(name, {}))
        if not getattr(self, name).plan().many_to_many:
            params.setdefault("exclude_m2m", "true")
        return params

    @staticmethod
    def _ignored(name, record):
        """Unnamed devices and IP assignments to virtual machine interfaces are not synced."""
        return (name == "device" and not record.get("name")) or (name == "ip_assignment" and not record["interface"])

    @staticmethod
    def _read(index, model_class, record):
        try:
            return index.read(model_class, record)
        except MissingReference as error:
            reference = error.reference
            what = f"{reference.get('object_type', 'object')} {reference['id']}"
            raise ReferenceNotFound(
                f"{model_class._modelname} {_identity(index, model_class, record)}: "
                f"{error.field} refers to {what}, which the remote Nautobot did not return"
            ) from None


def _identity(index, model_class, record):
    """A record's unique id if its identifiers can be read, else its display name and remote id."""
    try:
        ids = {name: index.follow(record, name, name) for name in model_class._identifiers}
    except MissingReference:
        return f"{record.get('display')!r} (remote id {record['id']})"
    return repr(model_class.create_unique_id(**ids))


def _parents_first(records):
    """Records of a hierarchy ordered so that each comes after its parent (by depth)."""
    by_id = {record["id"]: record for record in records}

    def depth(record):
        level = 0
        while record.get("parent") and record["parent"]["id"] in by_id and level < len(by_id):
            record = by_id[record["parent"]["id"]]
            level += 1
        return level

    return sorted(records, key=depth)
