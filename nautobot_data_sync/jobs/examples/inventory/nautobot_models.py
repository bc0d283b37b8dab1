"""The Nautobot side of the inventory models: create, update and delete through the ORM with validated_save().

Each model finds its Nautobot object again by the stored ``pk``. References by name are resolved by the adapter:
records it holds by their stored pk (no query), statuses and content types from a per-sync cache.
"""

from typing import ClassVar

from diffsync import DiffSyncModel
from diffsync.enum import DiffSyncModelFlags
from django.contrib.contenttypes.models import ContentType
from nautobot.dcim import models as dcim
from nautobot.extras import models as extras

from nautobot_data_sync.jobs.examples.inventory import models


class NautobotModel(DiffSyncModel):
    """create/update/delete of a diffsync model that stands for one object of ``orm_model``."""

    orm_model: ClassVar[type]

    @classmethod
    def orm_values(cls, adapter, values):
        """Django field values for diffsync ``values`` (identifiers and/or attributes); by default the same."""
        return values

    @classmethod
    def initial_values(cls, adapter):
        """Django field values that are not diffsync attributes, set only on creation."""
        return {}

    @classmethod
    def create(cls, adapter, ids, attrs):
        values = {**cls.initial_values(adapter), **cls.orm_values(adapter, {**ids, **attrs})}
        instance = _save(cls.orm_model(), values)
        model = super().create(adapter, ids, attrs)
        model.pk = instance.pk
        return model

    def update(self, attrs):
        _save(self.orm_model.objects.get(pk=self.pk), self.orm_values(self.adapter, attrs))
        return super().update(attrs)

    def delete(self):
        self.orm_model.objects.get(pk=self.pk).delete()
        return super().delete()


def _save(instance, values):
    """Set ``values`` on ``instance``, validated_save() it, then set its many-to-many values."""
    many = {}
    for name, value in values.items():
        if instance._meta.get_field(name).many_to_many:
            many[name] = value
        else:
            setattr(instance, name, value)
    instance.validated_save()
    for name, value in many.items():
        getattr(instance, name).set(value)
    return instance


class NautobotLocationType(NautobotModel, models.LocationType):
    orm_model = dcim.LocationType

    @classmethod
    def orm_values(cls, adapter, values):
        values = dict(values)
        if "parent" in values:
            values["parent_id"] = adapter.pk_of("location_type", values.pop("parent"))
        if "content_types" in values:
            values["content_types"] = [adapter.content_type(label) for label in values["content_types"]]
        return values


class NautobotLocation(NautobotModel, models.Location):
    orm_model = dcim.Location

    @classmethod
    def orm_values(cls, adapter, values):
        values = dict(values)
        if "location_type" in values:
            values["location_type_id"] = adapter.pk_of("location_type", values.pop("location_type"))
        if "parent" in values:
            values["parent_id"] = adapter.pk_of("location", values.pop("parent"))
        if "status" in values:
            values["status"] = adapter.status(dcim.Location, values["status"])
        return values


class NautobotManufacturer(NautobotModel, models.Manufacturer):
    orm_model = dcim.Manufacturer


class NautobotDeviceType(NautobotModel, models.DeviceType):
    orm_model = dcim.DeviceType

    @classmethod
    def orm_values(cls, adapter, values):
        values = dict(values)
        if "manufacturer" in values:
            values["manufacturer_id"] = adapter.pk_of("manufacturer", values.pop("manufacturer"))
        return values


class NautobotRole(NautobotModel, models.Role):
    orm_model = extras.Role

    @classmethod
    def initial_values(cls, adapter):
        return {"content_types": [ContentType.objects.get_for_model(dcim.Device)]}


class NautobotDevice(NautobotModel, models.Device):
    orm_model = dcim.Device
    # Delete (and record) the interfaces before their device.
    model_flags: DiffSyncModelFlags = DiffSyncModelFlags.NATURAL_DELETION_ORDER

    @classmethod
    def orm_values(cls, adapter, values):
        values = dict(values)
        for field in ("location", "device_type", "role"):
            if field in values:
                values[f"{field}_id"] = adapter.pk_of(field, values.pop(field))
        if "status" in values:
            values["status"] = adapter.status(dcim.Device, values["status"])
        return values


class NautobotInterface(NautobotModel, models.Interface):
    orm_model = dcim.Interface

    @classmethod
    def orm_values(cls, adapter, values):
        values = dict(values)
        if "device" in values:
            values["device_id"] = adapter.pk_of("device", values.pop("device"))
        return values

    @classmethod
    def initial_values(cls, adapter):
        return {"status": adapter.status(dcim.Interface, "Active")}
