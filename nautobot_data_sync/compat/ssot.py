"""nautobot-ssot's public API on this app: a job written for nautobot-ssot runs here with only its imports changed.

```python
# before                                                  # after
from nautobot_ssot.contrib import NautobotAdapter, NautobotModel  -> from nautobot_data_sync.compat.ssot import ...
from nautobot_ssot.contrib.typeddicts import ContentTypeDict      -> (the same module)
from nautobot_ssot.jobs.base import DataMapping, DataSource       -> (the same module)
```

Everything here is a thin layer over the app's own classes, so a ported job gets the Data Sync records, the UI, the
safety guards and (``bulk_mode = True``) the bulk writer:

* the jobs (``DataSyncBaseJob``, ``DataSource``, ``DataTarget``) are ``jobs.base``'s, with nautobot-ssot's
  ``sync_data(memory_profiling)`` signature, and lists of dicts (``list[ContentTypeDict]``...) sorted on both sides
  before the diff, as nautobot-ssot does;
* the contrib models and adapter are ``orm``'s (which reads ``_model``, ``__`` paths, ``_children``, ``top_level``
  and lists of TypedDicts as nautobot-ssot declares them), with nautobot-ssot's constructor arguments (``job=``,
  ``sync=``), a model's ``get_queryset()`` and helpers (``get_from_db()``, ``get_from_orm_cache()``);
* ``CustomFieldAnnotation`` is ``orm.CustomField`` under its nautobot-ssot name (``key=``, or the older ``name=``);
  ``CustomRelationshipAnnotation`` is ``compat.relationships``'.

What cannot behave the same is listed, with its replacement, in docs/migrating-from-nautobot-ssot.md.
"""

from dataclasses import dataclass
from functools import cache

from nautobot_data_sync.compat.relationships import CustomRelationshipAnnotation, RelationshipSideEnum
from nautobot_data_sync.compat.typeddicts import (
    ContentTypeDict,
    DeviceDict,
    InterfaceDict,
    IPAddressDict,
    LocationDict,
    PrefixDict,
    SortKey,
    TagDict,
    VirtualMachineDict,
    VLANDict,
)
from nautobot_data_sync.jobs import base
from nautobot_data_sync.jobs.base import DataMapping
from nautobot_data_sync.orm import adapter as orm_adapter
from nautobot_data_sync.orm import model as orm_model
from nautobot_data_sync.orm.fields import CustomField, sort_order, typed_dict_keys

__all__ = [
    "ContentTypeDict",
    "CustomFieldAnnotation",
    "CustomRelationshipAnnotation",
    "DataMapping",
    "DataSource",
    "DataSyncBaseJob",
    "DataTarget",
    "DeviceDict",
    "IPAddressDict",
    "InterfaceDict",
    "LocationDict",
    "NautobotAdapter",
    "NautobotModel",
    "PrefixDict",
    "RelationshipSideEnum",
    "SortKey",
    "TagDict",
    "VLANDict",
    "VirtualMachineDict",
]


@dataclass(frozen=True)
class CustomFieldAnnotation(CustomField):
    """``Annotated[str, CustomFieldAnnotation(key="owner")]``: a custom field by its key (``name=`` as an alias)."""

    key: str | None = None
    name: str | None = None

    def __post_init__(self):
        if not self.key:
            if not self.name:
                raise ValueError("CustomFieldAnnotation() needs the custom field's key: CustomFieldAnnotation(key=...)")
            object.__setattr__(self, "key", self.name)


class NautobotModel(orm_model.NautobotModel):
    """nautobot-ssot's contrib model on the declarative layer (``orm.NautobotModel``)."""

    @classmethod
    def get_queryset(cls):
        """The Nautobot objects this model stands for: all of ``_model``'s. Override to leave some out for good (e.g.
        roles of devices only); ``NautobotAdapter`` loads only these, so the others are never updated or deleted."""
        return cls._model.objects.all()

    def get_from_db(self):
        """The Nautobot object this model stands for, by its primary key."""
        return self._model.objects.get(pk=self.pk)


class NautobotAdapter(orm_adapter.NautobotAdapter):
    """nautobot-ssot's contrib adapter on the declarative layer (``orm.NautobotAdapter``): built with ``job=`` and
    optionally ``sync=`` (kept as ``self.sync``, the job's Data Sync record)."""

    def __init__(self, *args, job=None, sync=None, **kwargs):
        super().__init__(*args, job=job, **kwargs)
        self.sync = sync
        self._orm_cache = {}

    def get_queryset(self, model_class):
        """The declarative adapter's queryset (scoped), within the model's own ``get_queryset()`` if it has one."""
        queryset = super().get_queryset(model_class)
        own = getattr(model_class, "get_queryset", None)
        if own is None or own.__func__ is NautobotModel.get_queryset.__func__:
            return queryset
        return queryset.filter(pk__in=own().values("pk"))

    def load(self):
        if not self.top_level:
            raise ValueError(f"{type(self).__name__}: set 'top_level' to the names of the models to load")
        super().load()

    def get_from_orm_cache(self, parameters, model_class):
        """The ``model_class`` object matching ``parameters`` (``Model.objects.get()``), cached for this sync."""
        key = (model_class, tuple(sorted(parameters.items())))
        if key not in self._orm_cache:
            self._orm_cache[key] = model_class.objects.get(**parameters)
        return self._orm_cache[key]


@cache
def _dict_lists(model_class):
    """``[(field, TypedDict keys)]``: the fields of a diffsync model class that hold lists of dicts."""
    fields = getattr(model_class, "model_fields", {})
    return [(name, keys) for name, info in fields.items() if (keys := typed_dict_keys(info.annotation))]


def sort_dict_lists(adapter):
    """Sort every list of dicts held by ``adapter``'s models (in place), the order the Nautobot side loads them in."""
    for model_name in adapter.get_all_model_names():
        for model in adapter.get_all(model_name):
            for name, _keys in _dict_lists(type(model)):
                values = getattr(model, name)
                if isinstance(values, list):
                    values.sort(key=sort_order)


class SsotJobMixin:
    """What nautobot-ssot's job classes do differently from ``jobs.base``'s, kept for ported jobs."""

    def run(self, *args, memory_profiling=False, **kwargs):
        # jobs.base calls sync_data() without arguments; nautobot-ssot's hook (and its overrides) take
        # memory_profiling. An instance attribute stands in for the method for this run only.
        sync_data = self.sync_data
        self.sync_data = lambda: sync_data(memory_profiling)
        try:
            return super().run(*args, memory_profiling=memory_profiling, **kwargs)
        finally:
            del self.sync_data

    def sync_data(self, memory_profiling=False):
        """The four phases (``jobs.base``); each phase's memory is traced when ``memory_profiling`` was asked for."""
        return super().sync_data()

    def calculate_diff(self):
        """Sort lists of dicts on both sides (nautobot-ssot compares them sorted), then diff as ``jobs.base`` does."""
        for adapter in (self.source_adapter, self.target_adapter):
            if adapter is not None:
                sort_dict_lists(adapter)
        return super().calculate_diff()


class DataSyncBaseJob(SsotJobMixin, base.DataSyncJob):
    """nautobot-ssot's common job base class."""


class DataSource(SsotJobMixin, base.DataSource):
    """nautobot-ssot's ``DataSource``: another system -> Nautobot."""


class DataTarget(SsotJobMixin, base.DataTarget):
    """nautobot-ssot's ``DataTarget``: Nautobot -> another system."""
