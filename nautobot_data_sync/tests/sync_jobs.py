"""Small sync jobs used by the framework tests: an in-memory "remote" of manufacturers and their device types.

The remote system is a Python list (the far side of a network boundary); Nautobot, its database and the job
machinery are real.
"""

from diffsync import Adapter, DiffSyncModel
from nautobot.apps.jobs import register_jobs
from nautobot.dcim.models import DeviceType, Manufacturer
from nautobot.extras.models import Job as JobModel
from nautobot.extras.models import JobQueue
from nautobot.extras.utils import refresh_job_model_from_job_class

from nautobot_data_sync.jobs.base import DataSource, DataTarget


class ManufacturerModel(DiffSyncModel):
    _modelname = "manufacturer"
    _identifiers = ("name",)
    _attributes = ("description",)
    _children = {"device_type": "device_types"}

    name: str
    description: str = ""
    device_types: list[str] = []


class DeviceTypeModel(DiffSyncModel):
    _modelname = "device_type"
    _identifiers = ("manufacturer", "model")
    _attributes = ("part_number",)

    manufacturer: str
    model: str
    part_number: str = ""


class NautobotManufacturer(ManufacturerModel):
    pk: str | None = None

    @classmethod
    def create(cls, adapter, ids, attrs):
        obj = Manufacturer(name=ids["name"], description=attrs.get("description", ""))
        obj.validated_save()
        return super().create(adapter, ids, {**attrs, "pk": str(obj.pk)})

    def update(self, attrs):
        obj = Manufacturer.objects.get(name=self.name)
        for key, value in attrs.items():
            setattr(obj, key, value)
        obj.validated_save()
        return super().update(attrs)

    def delete(self):
        Manufacturer.objects.get(name=self.name).delete()
        return super().delete()


class NautobotDeviceType(DeviceTypeModel):
    @classmethod
    def create(cls, adapter, ids, attrs):
        manufacturer = Manufacturer.objects.get(name=ids["manufacturer"])
        DeviceType(manufacturer=manufacturer, model=ids["model"], **attrs).validated_save()
        return super().create(adapter, ids, attrs)

    def update(self, attrs):
        obj = DeviceType.objects.get(manufacturer__name=self.manufacturer, model=self.model)
        for key, value in attrs.items():
            setattr(obj, key, value)
        obj.validated_save()
        return super().update(attrs)

    def delete(self):
        DeviceType.objects.get(manufacturer__name=self.manufacturer, model=self.model).delete()
        return super().delete()


class RemoteAdapter(Adapter):
    """Loads records shaped like ``{"name", "description", "device_types": [{"model", "part_number"}]}``."""

    manufacturer = ManufacturerModel
    device_type = DeviceTypeModel
    top_level = ["manufacturer"]

    def __init__(self, records, **kwargs):
        super().__init__(**kwargs)
        self.records = records

    def load(self):
        for index, record in enumerate(self.records):
            if "name" not in record:
                raise ValueError(f"manufacturers[{index}]: missing field 'name'")
            parent = self.manufacturer(name=record["name"], description=record.get("description", ""))
            self.add(parent)
            for child in record.get("device_types", []):
                device_type = self.device_type(manufacturer=record["name"], **child)
                self.add(device_type)
                parent.add_child(device_type)


class NautobotAdapter(Adapter):
    manufacturer = NautobotManufacturer
    device_type = NautobotDeviceType
    top_level = ["manufacturer"]

    def load(self):
        parents = {}
        for obj in Manufacturer.objects.all():
            parents[obj.name] = self.manufacturer(name=obj.name, description=obj.description, pk=str(obj.pk))
            self.add(parents[obj.name])
        for obj in DeviceType.objects.select_related("manufacturer"):
            child = self.device_type(manufacturer=obj.manufacturer.name, model=obj.model, part_number=obj.part_number)
            self.add(child)
            parents[obj.manufacturer.name].add_child(child)


class ManufacturerSource(DataSource):
    """Remote manufacturers -> Nautobot. Tests set ``records`` (and other class attributes) before running."""

    records = []

    class Meta(DataSource.Meta):
        name = "Test manufacturer source"
        data_source = "Remote catalogue"

    def load_source_adapter(self):
        self.source_adapter = RemoteAdapter(records=self.records)
        self.source_adapter.load()

    def load_target_adapter(self):
        self.target_adapter = NautobotAdapter()
        self.target_adapter.load()

    def lookup_object(self, model_name, unique_id):
        if model_name == "manufacturer":
            return Manufacturer.objects.filter(name=unique_id).first()
        return None


class ManufacturerTarget(DataTarget):
    """Nautobot -> an in-memory remote; writes go to ``written`` (the remote's storage)."""

    records = []

    class Meta(DataTarget.Meta):
        name = "Test manufacturer target"
        data_target = "Remote catalogue"

    def load_source_adapter(self):
        self.source_adapter = NautobotAdapter()
        self.source_adapter.load()

    def load_target_adapter(self):
        self.target_adapter = RemoteAdapter(records=self.records)
        self.target_adapter.load()


class JobWithoutAdapters(DataSource):
    class Meta(DataSource.Meta):
        name = "Test job missing its adapters"


def job_model_for(job_class):
    """The Job database record of ``job_class``, created as Nautobot does when it discovers a job."""
    return refresh_job_model_from_job_class(JobModel, job_class, JobQueue)[0]


register_jobs(ManufacturerSource, ManufacturerTarget, JobWithoutAdapters)
