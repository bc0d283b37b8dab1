"""NautobotModel: a diffsync model for one Nautobot (Django) model, declared by field paths, with generic CRUD.

```python
class DeviceModel(NautobotModel):
    _model = Device
    _modelname = "device"
    _identifiers = ("name",)
    _attributes = ("location__name", "device_type__model", "status__name", "tags", "cf_owner")
    _children = {"interface": "interfaces"}  # the Django reverse accessor, unless set in _child_accessors

    name: str
    location__name: str
    device_type__model: str
    status__name: str
    tags: list[str] = []
    cf_owner: Annotated[str | None, CustomField("owner")] = None
    interfaces: list[str] = []
```

Field paths are described in ``fields``. ``pk`` holds the Nautobot primary key (loaded, or set by ``create()``), so
``update()``/``delete()`` and ``adapter.lookup_object()`` need no natural-key lookup. ``create()``/``update()``
resolve references through the adapter's ``ReferenceCache``, set plain fields, foreign keys and custom fields, call
``validated_save()`` (inside the job, Nautobot's change-logging context attributes every write to the job's user),
then set many-to-many fields and relationships; ``initial_values()`` gives a new object's values that are not
compared (set on creation only). In a sync, ``delete()`` hands the delete to the job's writer, which does it after
every create and update, children first (``deletes``); without a writer, it deletes at once. Failures raise
``ReferenceNotFound`` or ``ObjectValidationError``, naming the model, the unique id and the field, or
``ObjectProtected`` (a delete blocked by protected foreign keys, naming what blocks it); the executor records them as
that object's failure.

``add_child()`` checks duplicates against a set kept next to the list diffsync reads: constant time per child.
"""

import inspect
from typing import Any, ClassVar

from diffsync import DiffSyncModel
from diffsync.exceptions import ObjectAlreadyExists, ObjectStoreWrongType
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, RestrictedError
from pydantic import PrivateAttr

from nautobot_data_sync.orm import relationships
from nautobot_data_sync.orm.errors import ObjectProtected, ObjectValidationError, ReferenceNotFound
from nautobot_data_sync.orm.fields import build_plan
from nautobot_data_sync.orm.messages import fields_of, protected_message
from nautobot_data_sync.orm.pending import CREATE, DELETE, UPDATE, PendingWrite, Resolved
from nautobot_data_sync.orm.references import describe
from nautobot_data_sync.speedups import fieldnames, privates
from nautobot_data_sync.speedups.identifiers import forget_unique_id, identifiers_of, unique_id_of
from nautobot_data_sync.sync.modelprofile import same_result


class NautobotModel(DiffSyncModel):
    """Base class of declarative Nautobot-side diffsync models; see the module docstring."""

    _model: ClassVar[type | None] = None
    """The Django model (``nautobot.dcim.models.Device``...)."""
    _child_accessors: ClassVar[dict] = {}
    """``{children field: Django reverse accessor}`` where the two names differ."""
    _not_owned: ClassVar[tuple] = ()
    """Attributes Nautobot's users own: set when the sync creates an object, never overwritten by an update."""
    _bulk_mode: ClassVar[bool | None] = None
    """Write this model through the bulk path (True), one by one (False), or as the job says (None)."""

    pk: Any = None
    """The Nautobot primary key; neither identifier nor attribute."""

    _child_ids: dict | None = PrivateAttr(default=None)
    """``{children field: set of unique ids}``, from the first ``add_child()`` on."""
    _unique_id: str | None = PrivateAttr(default=None)
    """``get_unique_id()`` once computed, until an identifier is set (``speedups.identifiers``)."""

    def model_post_init(self, context):
        fieldnames.share(self)  # the largest part of a model's memory

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs):
        super().__pydantic_init_subclass__(**kwargs)
        privates.install(cls, inspect.unwrap(NautobotModel.model_post_init))

    def __setattr__(self, name, value):
        fieldnames.before_setattr(self, name)
        super().__setattr__(name, value)
        if name in self._identifiers:
            forget_unique_id(self)

    def model_copy(self, *, update=None, deep=False):
        copied = super().model_copy(update=update, deep=deep)
        forget_unique_id(copied)  # ``update`` may hold identifiers, set without __setattr__()
        return copied

    @classmethod
    def plan(cls):
        """The parsed field declarations (``fields.FieldPlan``), built once per class."""
        plan = cls.__dict__.get("_field_plan")
        if plan is None:
            plan = build_plan(cls)
            cls._field_plan = plan
        return plan

    @same_result
    def get_identifiers(self):
        """As diffsync's, read from the fields where that gives the same (``speedups.identifiers``)."""
        identifiers = identifiers_of(self)
        return super().get_identifiers() if identifiers is None else identifiers

    @same_result
    def get_unique_id(self):
        """As diffsync's, computed once (``speedups.identifiers``): the store's key and the parent's list share it."""
        return unique_id_of(self, super().get_unique_id)

    # Children in constant time

    def add_child(self, child):
        """As diffsync's ``add_child()``, without scanning the list of children."""
        child_type = child.get_type()
        if child_type not in self._children:
            raise ObjectStoreWrongType(
                f"Unable to store {child_type} as a child of {self.get_type()}; "
                f"valid types are {sorted(self._children)}"
            )
        field_name = self._children[child_type]
        child_ids = getattr(self, field_name)
        private = self.__pydantic_private__  # ``self._child_ids``, without pydantic's __getattr__
        sets = private["_child_ids"]
        if sets is None:
            sets = private["_child_ids"] = {}
        known = sets.get(field_name)
        if known is None or len(known) != len(child_ids):  # first child, or the list was changed elsewhere
            known = sets[field_name] = set(child_ids)
        unique_id = child.get_unique_id()
        if unique_id in known:
            raise ObjectAlreadyExists(f"Already storing a {child_type} with unique_id {unique_id}", child)
        child_ids.append(unique_id)
        known.add(unique_id)

    def remove_child(self, child):
        super().remove_child(child)
        (self._child_ids or {}).get(self._children[child.get_type()], set()).discard(child.get_unique_id())

    # CRUD

    @classmethod
    def initial_values(cls, adapter):
        """Django field values of a new object that are not compared (e.g. ``{"status_id": pk}``); default none.

        Set before the declared fields on creation only; many-to-many values are ``.set()`` after the save.
        """
        return {}

    @classmethod
    def create(cls, adapter, ids, attrs):
        unique_id = cls.create_unique_id(**ids)
        initial = cls.initial_values(adapter)
        many = {name: initial.pop(name) for name in list(initial) if cls._model._meta.get_field(name).many_to_many}
        writer = cls._writer(adapter, CREATE)
        resolved = cls._resolve(adapter, {**ids, **attrs}, unique_id, defer_many=writer is not None)
        resolved.many_to_many = {**many, **resolved.many_to_many}
        instance = cls._model(**initial)
        if (pk := adapter.restored_pks.get((cls._modelname, unique_id))) is not None:
            instance.pk = pk
        resolved.apply(instance)
        if writer is None:
            cls._save(adapter, instance, resolved, unique_id, created=True)
        model = super().create(adapter, ids, attrs)
        if model is not None:
            model.pk = instance.pk
            if writer is not None:
                writer.queue(CREATE, PendingWrite(cls, unique_id, None, instance.pk, resolved, instance, model))
        return model

    def update(self, attrs):
        plan = self.plan()
        values = dict(attrs)
        for name in attrs:  # a foreign key is looked up by all its declared paths together
            if group := plan.group_of(name):
                values.update({path: attrs.get(path, getattr(self, path)) for path in group.paths})
        unique_id = self.get_unique_id()
        writer = self._writer(self.adapter, UPDATE)
        resolved = self._resolve(self.adapter, values, unique_id, defer_many=writer is not None)
        if writer is not None:
            writer.queue(UPDATE, PendingWrite(type(self), unique_id, None, self.pk, resolved, diffsync_model=self))
        else:
            instance = self._model.objects.get(pk=self.pk)
            resolved.apply(instance)
            self._save(self.adapter, instance, resolved, unique_id, created=False)
        return super().update(attrs)

    def delete(self):
        unique_id = self.get_unique_id()
        writer = self._writer(self.adapter, DELETE)
        if writer is not None:
            writer.queue(DELETE, PendingWrite(type(self), unique_id, None, self.pk, diffsync_model=self))
            return super().delete()
        instance = self._model.objects.filter(pk=self.pk).first()
        if instance is not None:  # else already gone, e.g. deleted with its parent
            try:
                instance.delete()
            except (ProtectedError, RestrictedError) as error:
                raise ObjectProtected(f"{self._modelname} {unique_id!r} {protected_message(error)}") from None
            self.adapter.references.forget(self._model)
        return super().delete()

    @classmethod
    def _writer(cls, adapter, operation):
        """The adapter's bulk writer when this write is queued there, else None (written at once)."""
        writer = getattr(adapter, "bulk_writer", None)
        return writer if writer is not None and writer.accepts(cls, operation) else None

    @classmethod
    def _resolve(cls, adapter, values, unique_id, defer_many=False):
        """``values`` (declared names) as Django attribute values, references resolved (``pending.Resolved``); with
        ``defer_many``, many-to-many values are left for ``resolve_many()``."""
        plan = cls.plan()
        references = adapter.references
        resolved = Resolved()

        def failed(names, error):
            shown = describe({name: values[name] for name in names})
            return ReferenceNotFound(f"{cls._modelname} {unique_id!r}: {shown} {error}")

        for name in plan.plain:
            if name in values:
                resolved.fields[name] = values[name]
        for group in plan.foreign_keys.values():
            names = [name for name in group.paths if name in values]
            if not names:
                continue
            lookup = {group.paths[name]: values[name] for name in names}
            try:
                resolved.fields[group.attname] = references.resolve(group.related_model, lookup)
            except ReferenceNotFound as error:
                raise failed(names, error) from None
        for name, key in plan.custom_fields.items():
            if name in values:
                resolved.custom_fields[key] = values[name]
        for m2m in plan.many_to_many:
            if m2m.name in values:
                if defer_many:  # resolved when the batch is written: the objects may be created in the same sync
                    resolved.unresolved_many[m2m.name] = m2m
                    continue
                try:
                    objects = references.resolve_many(m2m.related_model, m2m.key, values[m2m.name] or [])
                except ReferenceNotFound as error:
                    raise failed([m2m.name], error) from None
                resolved.many_to_many[m2m.accessor] = objects
        for name, side in plan.relationships.items():
            if name in values:
                try:
                    resolved.relationships[name] = relationships.peer_ids(adapter, side, values[name])
                except ReferenceNotFound as error:
                    raise failed([name], error) from None
        resolved.values = values
        return resolved

    @classmethod
    def resolve_many(cls, adapter, resolved, unique_id):
        """Resolve the many-to-many values ``_resolve(defer_many=True)`` left (raises ``ReferenceNotFound``)."""
        for name, m2m in resolved.unresolved_many.items():
            values = resolved.values[name] or []
            try:
                objects = adapter.references.resolve_many(m2m.related_model, m2m.key, values)
            except ReferenceNotFound as error:
                raise ReferenceNotFound(f"{cls._modelname} {unique_id!r}: {name} {values!r} {error}") from None
            resolved.many_to_many[m2m.accessor] = objects
        resolved.unresolved_many = {}

    @classmethod
    def _save(cls, adapter, instance, resolved, unique_id, created):
        """Write one object: ``validated_save()`` (change-logged by Nautobot), many-to-many, relationships."""
        try:
            instance.validated_save()
        except ValidationError as error:
            raise ObjectValidationError(f"{cls._modelname} {unique_id!r}: {fields_of(cls.plan(), error)}") from None
        resolved.set_many_to_many(instance, created)
        relationships.write_all(adapter, instance, cls.plan(), resolved.relationships, created)
        adapter.references.forget(cls._model)
