"""NautobotAdapter: loads every declared NautobotModel with a fixed number of queries per model type.

```python
class MyNautobotAdapter(NautobotAdapter):
    device = DeviceModel
    interface = InterfaceModel
    top_level = ("device",)
    scope = {"device": Q(location__name="ams01")}  # optional; or pass scope=... or override get_queryset()
```

Built with ``job=``, it is narrowed by the job's run scope too (``job.nautobot_scope()``, see ``jobs.scope``); the
class's ``scope``, the job's and the ``scope=`` argument all apply (a model in several is narrowed by each).

``load()`` reads, for each model in ``top_level``, the rows of ``queries.read_rows`` (values, not model instances:
one query per model type and many-to-many field, children included; relationships add three queries each), then
builds the diffsync models and links children in constant time. Only what the scope lets the adapter load can be
updated or deleted by a sync: a scoped sync never deletes objects outside its scope. Objects Nautobot holds twice
(the same declared identifiers, made by hand or by another tool) are not a load error: the first is loaded, the
others are left alone and listed in ``conflicts`` (the job records them on the Data Sync).
"""

from contextlib import contextmanager
from dataclasses import dataclass

from diffsync import Adapter
from diffsync.exceptions import ObjectAlreadyExists
from django.db.models import Q

from nautobot_data_sync.orm import relationships
from nautobot_data_sync.orm.model import NautobotModel
from nautobot_data_sync.orm.queries import CHILDREN, PK, make_reader, read_rows
from nautobot_data_sync.orm.references import ReferenceCache


@dataclass(frozen=True)
class Conflict:
    """Nautobot holds more than one object with the same declared identifiers: the first loaded (``kept_pk``) is the
    one the sync uses, ``duplicate_pk`` is left alone."""

    model_class: type  # the NautobotModel subclass
    unique_id: str
    kept_pk: object
    duplicate_pk: object


def narrowed(*scopes):
    """The scopes ``{modelname: Q}`` together: a model narrowed by several of them is narrowed by each."""
    combined = {}
    for scope in scopes:
        for name, condition in scope.items():
            combined[name] = combined[name] & condition if name in combined else condition
    return combined


class NautobotAdapter(Adapter):
    """A diffsync adapter for declarative Nautobot models; see the module docstring."""

    scope = {}
    """``{modelname: Q}``: restricts what is loaded (and so what a sync may update or delete)."""

    def __init__(self, *args, job=None, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job
        self.scope = narrowed(type(self).scope, scope or {})
        self.run_scope = job.nautobot_scope() if hasattr(job, "nautobot_scope") else {}
        """The job's run scope (``jobs.scope``): what the run may delete; it also finds the objects its source has."""
        self.references = ReferenceCache(self)
        self.bulk_writer = None
        """The ``writer.BulkWriter`` the models queue their writes in, inside ``writing_through()``."""
        self.conflicts = []
        """``Conflict``: objects loaded with the identifiers of one loaded before (duplicates in Nautobot)."""
        self.restored_pks = {}
        """``{(modelname, unique id): pk}``: the primary keys objects are created with (a revert re-creating what a
        sync deleted); the others get new ones."""

    def __bool__(self):
        """Always true. diffsync asks ``not model.adapter`` for every model it stores, meaning "has no adapter", and
        Python would answer through ``__len__``: a count of every object stored so far."""
        return True

    @contextmanager
    def writing_through(self, writer):
        """Inside the block, the models' writes that ``writer`` (a ``writer.BulkWriter``, or None) accepts are queued
        there."""
        self.bulk_writer = writer
        try:
            yield
        finally:
            self.bulk_writer = None

    def declared_models(self):
        """The NautobotModel classes of this adapter."""
        return [
            model_class
            for model_class in (getattr(self, name, None) for name in self._modelnames())
            if isinstance(model_class, type) and issubclass(model_class, NautobotModel)
        ]

    def get_queryset(self, model_class):
        """The objects of ``model_class`` to load; by default all of them, filtered by ``scope`` and by the run's
        scope. Override freely."""
        queryset = model_class._model.objects.all()
        condition = self.scope.get(model_class.get_type())
        if condition is not None:
            queryset = queryset.filter(condition)
        run_condition = self.run_scope.get(model_class.get_type())
        if run_condition is not None:
            queryset = queryset.filter(run_condition | self._in_source(model_class))
        return queryset

    def _in_source(self, model_class):
        """The objects of ``model_class`` the job's source has, wherever they are: an object that moved into the run's
        scope since the last sync is found (and updated in place), not created a second time. For a model with one
        identifier (a field path, matched exactly); none for others."""
        source = getattr(self.job, "source_adapter", None)
        (path, *others) = model_class._identifiers
        plan = model_class.plan()
        if source is None or source is self or others or not (path in plan.plain or plan.group_of(path)):
            return Q(pk__in=[])
        return Q(**{f"{path}__in": {getattr(record, path) for record in source.get_all(model_class.get_type())}})

    def load(self):
        """Load the top-level models (those the job's run loads, in a job run of a sharded sync)."""
        loads = getattr(self.job, "loads_model", None)
        for name in self.top_level:
            if loads is None or loads(name):
                self.load_model(getattr(self, name))

    def load_model(self, model_class):
        """Load every (in-scope) object of ``model_class`` with its children."""
        builder = _Builder(self)
        for row in read_rows(self, model_class):
            builder.add(model_class, row)

    def lookup_object(self, model_name, unique_id):
        """The Nautobot object a loaded or created model stands for, or None (for ``DataSyncJob.lookup_object``)."""
        return self.lookup_objects(model_name, [unique_id])[unique_id]

    def lookup_objects(self, model_name, unique_ids):
        """``{unique_id: Nautobot object or None}`` for models of one type, in one query."""
        pks = {}
        for unique_id in unique_ids:
            model = self.get_or_none(model_name, unique_id)
            if isinstance(model, NautobotModel) and model.pk is not None:
                pks[unique_id] = model.pk
        objects = getattr(self, model_name)._model.objects.in_bulk(list(pks.values())) if pks else {}
        return {unique_id: objects.get(pks.get(unique_id)) for unique_id in unique_ids}

    def _modelnames(self):
        names = set(self.top_level)
        pending = list(names)
        while pending:
            model_class = getattr(self, pending.pop(), None)
            for child_type in getattr(model_class, "_children", {}):
                if child_type not in names:
                    names.add(child_type)
                    pending.append(child_type)
        return sorted(names)


class _Builder:
    """Turns loaded rows into diffsync models: readers and relationship values computed once per model type."""

    def __init__(self, adapter):
        self.adapter = adapter
        self.readers = {}
        self.relationship_values = {}

    def add(self, model_class, row):
        if model_class not in self.readers:
            self.readers[model_class] = make_reader(model_class)
            sides = model_class.plan().relationships
            self.relationship_values[model_class] = relationships.load(self.adapter, model_class._model, sides)
        values = self.readers[model_class](row)
        pk = row[PK]
        for name, by_pk in self.relationship_values[model_class].items():
            side = model_class.plan().relationships[name]
            values[name] = by_pk.get(pk, relationships.empty(side))
        model = model_class(pk=pk, adapter=self.adapter, **values)  # not set again as the store adds it
        try:
            self.adapter.add(model)
        except ObjectAlreadyExists:  # a duplicate in Nautobot: recorded, left out (with its children) of the sync
            unique_id = model.get_unique_id()
            kept = self.adapter.get(model_class, unique_id)
            self.adapter.conflicts.append(Conflict(model_class, unique_id, kept.pk, pk))
            return None
        for child_type, field_name in model_class._children.items():
            child_class = getattr(self.adapter, child_type)
            for child_row in row[CHILDREN + field_name]:
                child = self.add(child_class, child_row)
                if child is not None:
                    model.add_child(child)
        return model
