"""A remote Nautobot as data source and as data target, written for nautobot-ssot's API in the style of its own
example jobs (contrib models shared by both sides, a ``requests`` adapter for the remote, positional ``DataMapping``).

This file imports nautobot-ssot and is not imported as it is: tests/porting/test_remote_port.py ports it with
``compat.port`` (its imports only) into a JOBS_ROOT, and runs the result against a live second Nautobot.
"""

from typing import Annotated, ClassVar, Optional

import requests
from diffsync import Adapter
from django.urls import reverse
from nautobot.apps.jobs import ObjectVar, register_jobs
from nautobot.dcim.models import DeviceType, Location, LocationType, Manufacturer
from nautobot.extras.choices import SecretsGroupAccessTypeChoices, SecretsGroupSecretTypeChoices
from nautobot.extras.models import ExternalIntegration, Tag
from nautobot.tenancy.models import Tenant
from nautobot_ssot.contrib import CustomFieldAnnotation, NautobotAdapter, NautobotModel
from nautobot_ssot.contrib.typeddicts import ContentTypeDict, TagDict
from nautobot_ssot.jobs.base import DataMapping, DataSource, DataTarget


class TagModel(NautobotModel):
    _model = Tag
    _modelname = "tag"
    _identifiers = ("name",)
    _attributes = ("color", "description", "content_types")

    name: str
    color: str = "9e9e9e"
    description: str = ""
    content_types: list[ContentTypeDict] = []


class TenantModel(NautobotModel):
    _model = Tenant
    _modelname = "tenant"
    _identifiers = ("name",)
    _attributes = ("description", "tags")

    name: str
    description: str = ""
    tags: list[TagDict] = []


class LocationTypeModel(NautobotModel):
    _model = LocationType
    _modelname = "locationtype"
    _identifiers = ("name",)
    _attributes = ("parent__name", "nestable", "content_types", "description")

    name: str
    parent__name: Optional[str] = None  # noqa: UP045 - written as nautobot-ssot's documentation writes it
    nestable: bool = False
    content_types: list[ContentTypeDict] = []
    description: str = ""


class LocationModel(NautobotModel):
    _model = Location
    _modelname = "location"
    _identifiers = ("name",)
    _attributes = (
        "location_type__name",
        "parent__name",
        "status__name",
        "tenant__name",
        "description",
        "tags",
        "site_code",
    )

    name: str
    location_type__name: str
    parent__name: Optional[str] = None  # noqa: UP045
    status__name: str = "Active"
    tenant__name: Optional[str] = None  # noqa: UP045
    description: str = ""
    tags: list[TagDict] = []
    site_code: Annotated[Optional[str], CustomFieldAnnotation(key="site_code")] = None  # noqa: UP045


class DeviceTypeModel(NautobotModel):
    _model = DeviceType
    _modelname = "device_type"
    _identifiers = ("manufacturer__name", "model")
    _attributes = ("part_number",)

    manufacturer__name: str
    model: str
    part_number: str = ""


class ManufacturerModel(NautobotModel):
    _model = Manufacturer
    _modelname = "manufacturer"
    _identifiers = ("name",)
    _attributes = ("description",)
    _children = {"device_type": "device_types"}

    name: str
    description: str = ""
    device_types: list[str] = []


def rest_payload(values):
    """Declared field values as a REST body: ``status__name`` -> ``{"status": {"name": ...}}``, custom fields apart."""
    body = {}
    for name, value in values.items():
        if name == "site_code":
            body.setdefault("custom_fields", {})[name] = value
        elif "__" in name:
            field, path = name.split("__", 1)
            body[field] = None if value is None else {path: value}
        else:
            body[name] = value
    return body


class RemoteWrites:
    """Writes to the remote Nautobot's REST API instead of this Nautobot's database (``_endpoint``: its collection).

    The in-memory model is kept by diffsync's ``create_base``/``update_base``/``delete_base``: NautobotModel's
    ``create``/``update``/``delete`` would write to this Nautobot.
    """

    _endpoint: ClassVar[str] = ""

    @classmethod
    def create(cls, adapter, ids, attrs):
        record = adapter.request("POST", cls._endpoint, rest_payload({**ids, **attrs}))
        return cls.create_base(adapter, ids, {**attrs, "pk": record["id"]})

    def update(self, attrs):
        self.adapter.request("PATCH", f"{self._endpoint}{self.pk}/", rest_payload(attrs))
        return self.update_base(attrs)

    def delete(self):
        self.adapter.request("DELETE", f"{self._endpoint}{self.pk}/")
        return self.delete_base()


class TenantRemoteModel(RemoteWrites, TenantModel):
    _endpoint: ClassVar[str] = "tenancy/tenants/"


class LocationRemoteModel(RemoteWrites, LocationModel):
    _endpoint: ClassVar[str] = "dcim/locations/"


def names(records):
    return [{"name": record["name"]} for record in records]


def content_types(labels):
    return [dict(zip(("app_label", "model"), label.split("."), strict=True)) for label in labels]


def name_of(record):
    return record["name"] if record else None


def parents_first(records):
    """Tree records ordered so that each comes after its parent."""
    done, ordered, pending = set(), [], list(records)
    while pending:
        ready = [record for record in pending if not record["parent"] or record["parent"]["name"] in done]
        if not ready:
            raise ValueError(f"parents missing for {[record['name'] for record in pending]}")
        ordered += ready
        done.update(record["name"] for record in ready)
        pending = [record for record in pending if record["name"] not in done]
    return ordered


class NautobotRemote(Adapter):
    """A remote Nautobot read (and written) through its REST API with ``requests``."""

    tag = TagModel
    tenant = TenantModel
    locationtype = LocationTypeModel
    location = LocationModel
    manufacturer = ManufacturerModel
    device_type = DeviceTypeModel
    top_level = ["tag", "tenant", "locationtype", "location", "manufacturer"]

    def __init__(self, *args, url, token, job=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.url = url.rstrip("/") + "/api/"
        self.job = job
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Token {token}", "Accept": "application/json"})

    def request(self, method, path, body=None):
        response = self.session.request(method, self.url + path, json=body, timeout=30)
        if response.status_code >= 400:
            raise ValueError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    def fetch(self, path):
        """Every record of a collection, page by page."""
        url, records = f"{self.url}{path}?depth=1&limit=200", []
        while url:
            response = self.session.get(url, timeout=30)
            response.raise_for_status()
            records += response.json()["results"]
            url = response.json()["next"]
        return records

    def load(self):
        for name in self.top_level:
            getattr(self, f"load_{name}")()

    def load_tag(self):
        for record in self.fetch("extras/tags/"):
            self.add(
                self.tag(
                    name=record["name"],
                    color=record["color"],
                    description=record["description"],
                    content_types=content_types(record["content_types"]),
                    pk=record["id"],
                )
            )

    def load_tenant(self):
        for record in self.fetch("tenancy/tenants/"):
            self.add(
                self.tenant(
                    name=record["name"], description=record["description"], tags=names(record["tags"]), pk=record["id"]
                )
            )

    def load_locationtype(self):
        for record in parents_first(self.fetch("dcim/location-types/")):
            self.add(
                self.locationtype(
                    name=record["name"],
                    parent__name=name_of(record["parent"]),
                    nestable=record["nestable"],
                    content_types=content_types(record["content_types"]),
                    description=record["description"],
                    pk=record["id"],
                )
            )

    def load_location(self):
        for record in parents_first(self.fetch("dcim/locations/")):
            self.add(
                self.location(
                    name=record["name"],
                    location_type__name=record["location_type"]["name"],
                    parent__name=name_of(record["parent"]),
                    status__name=record["status"]["name"],
                    tenant__name=name_of(record["tenant"]),
                    description=record["description"],
                    tags=names(record["tags"]),
                    site_code=record["custom_fields"].get("site_code"),
                    pk=record["id"],
                )
            )

    def load_manufacturer(self):
        for record in self.fetch("dcim/manufacturers/"):
            self.add(self.manufacturer(name=record["name"], description=record["description"], pk=record["id"]))
        for record in self.fetch("dcim/device-types/"):
            device_type = self.device_type(
                manufacturer__name=record["manufacturer"]["name"],
                model=record["model"],
                part_number=record["part_number"],
                pk=record["id"],
            )
            self.add(device_type)
            self.get(self.manufacturer, record["manufacturer"]["name"]).add_child(device_type)


class NautobotRemoteTenancy(NautobotRemote):
    """The remote's tenants and locations, written by the data target."""

    tenant = TenantRemoteModel
    location = LocationRemoteModel
    top_level = ["tenant", "location"]


class NautobotLocal(NautobotAdapter):
    """This Nautobot, loaded and written by nautobot-ssot's contrib adapter."""

    tag = TagModel
    tenant = TenantModel
    locationtype = LocationTypeModel
    location = LocationModel
    manufacturer = ManufacturerModel
    device_type = DeviceTypeModel
    top_level = ["tag", "tenant", "locationtype", "location", "manufacturer"]


class NautobotLocalTenancy(NautobotLocal):
    top_level = ["tenant", "location"]


class RemoteNautobotJob:
    """The remote, as an External Integration whose Secrets Group holds an HTTP token."""

    remote = ObjectVar(model=ExternalIntegration, description="The remote Nautobot")

    def run(self, dryrun, memory_profiling, remote, *args, **kwargs):
        self.remote = remote
        return super().run(dryrun=dryrun, memory_profiling=memory_profiling, *args, **kwargs)  # noqa: B026

    def remote_adapter(self, adapter_class):
        token = self.remote.secrets_group.get_secret_value(
            access_type=SecretsGroupAccessTypeChoices.TYPE_HTTP, secret_type=SecretsGroupSecretTypeChoices.TYPE_TOKEN
        )
        return adapter_class(url=self.remote.remote_url, token=token, job=self)

    @classmethod
    def config_information(cls):
        return {"Remote": "an External Integration (URL, and an HTTP token in its Secrets Group)"}


class RemoteNautobotSource(RemoteNautobotJob, DataSource):
    """Tags, tenants, locations and device types from a remote Nautobot."""

    class Meta:
        name = "Remote Nautobot \u27f6 Nautobot (nautobot-ssot style)"
        data_source = "Remote Nautobot"
        data_source_icon = "https://nautobot.com/favicon.ico"

    def load_source_adapter(self):
        self.source_adapter = self.remote_adapter(NautobotRemote)
        self.source_adapter.load()

    def load_target_adapter(self):
        self.target_adapter = NautobotLocal(job=self, sync=self.sync)
        self.target_adapter.load()

    def lookup_object(self, model_name, unique_id):
        model = {"tag": Tag, "tenant": Tenant, "locationtype": LocationType, "location": Location}.get(model_name)
        return model.objects.filter(name=unique_id).first() if model else None

    @classmethod
    def data_mappings(cls):
        return (
            DataMapping("Tenant (remote)", None, "Tenant", reverse("tenancy:tenant_list")),
            DataMapping("Location (remote)", None, "Location", reverse("dcim:location_list")),
        )


class RemoteNautobotTarget(RemoteNautobotJob, DataTarget):
    """Tenants and locations to a remote Nautobot."""

    class Meta:
        name = "Nautobot \u27f6 Remote Nautobot (nautobot-ssot style)"
        data_target = "Remote Nautobot"

    def load_source_adapter(self):
        self.source_adapter = NautobotLocalTenancy(job=self, sync=self.sync)
        self.source_adapter.load()

    def load_target_adapter(self):
        self.target_adapter = self.remote_adapter(NautobotRemoteTenancy)
        self.target_adapter.load()

    @classmethod
    def data_mappings(cls):
        return (DataMapping("Tenant", reverse("tenancy:tenant_list"), "Tenant (remote)", None),)


jobs = [RemoteNautobotSource, RemoteNautobotTarget]
register_jobs(*jobs)
