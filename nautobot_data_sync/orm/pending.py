"""A write queued for the bulk writer: the declarative model's values as Django attributes, and what it is for."""

from dataclasses import dataclass, field

from django.db.models import Model

from nautobot_data_sync.speedups import manytomany

CREATE, UPDATE, DELETE = "create", "update", "delete"


@dataclass
class Resolved:
    """A declarative model's values, as Django attributes: references resolved, not yet applied."""

    fields: dict = field(default_factory=dict)  # {attname: value}
    custom_fields: dict = field(default_factory=dict)  # {key: value}
    many_to_many: dict = field(default_factory=dict)  # {accessor: [objects]}
    relationships: dict = field(default_factory=dict)  # {declared name: value}
    unresolved_many: dict = field(default_factory=dict)  # {declared name: fields.ManyToMany}, resolved at flush
    values: dict = field(default_factory=dict)  # the declared values

    def set_many_to_many(self, instance, created):
        """Set the many-to-many values on the saved ``instance``, written one by one (change-logged by Nautobot)."""
        for accessor, objects in self.many_to_many.items():
            manytomany.set_with_managers(instance, accessor, objects, created)

    def apply(self, instance):
        for name, value in self.fields.items():
            setattr(instance, name, value)
        for key, value in self.custom_fields.items():
            instance._custom_field_data[key] = value


@dataclass
class PendingWrite:
    """One queued write and what to report its outcome against."""

    model_class: type  # the NautobotModel subclass
    unique_id: str
    element: object  # the diff element being synced
    pk: object
    resolved: Resolved | None = None
    instance: Model | None = None
    diffsync_model: object = None
