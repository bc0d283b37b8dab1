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
compared (set on creation only). Failures raise ``ReferenceNotFound`` or ``ObjectValidationError``,
naming the model, the unique id and the field, or ``ObjectProtected`` (a delete blocked by protected foreign keys,
naming what blocks it); the executor records them as that object's failure.

``add_child()`` checks duplicates against a set kept next to the list diffsync reads: constant time per child.
"""

from typing import Any, ClassVar

from diffsync import DiffSyncModel
from diffsync.exceptions import ObjectAlreadyExists, ObjectStoreWrongType
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, RestrictedError
from pydantic import PrivateAttr

from nautobot_data_sync.orm import relationships
from nautobot_data_sync.orm.errors import ObjectProtected, ObjectValidationError, ReferenceNotFound
from nautobot_data_sync.orm.fields import build_plan
from nautobot_data_sync.orm.references import describe


class NautobotModel(DiffSyncModel):
    """Base class of declarative Nautobot-side diffsync models; see the module docstring."""

    _model: ClassVar[type | None] = None
    """The Django model (``nautobot.dcim.models.Device``...)."""
    _child_accessors: ClassVar[dict] = {}
    """``{children field: Django reverse accessor}`` where the two names differ."""

    pk: Any = None
    """The Nautobot primary key; neither identifier nor attribute."""

    _child_ids: dict = PrivateAttr(default_factory=dict)

    @classmethod
    def plan(cls):
        """The parsed field declarations (``fields.FieldPlan``), built once per class."""
        plan = cls.__dict__.get("_field_plan")
        if plan is None:
            plan = build_plan(cls)
            cls._field_plan = plan
        return plan

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
        known = self._child_ids.get(field_name)
        if known is None or len(known) != len(child_ids):  # first child, or the list was changed elsewhere
            known = self._child_ids[field_name] = set(child_ids)
        unique_id = child.get_unique_id()
        if unique_id in known:
            raise ObjectAlreadyExists(f"Already storing a {child_type} with unique_id {unique_id}", child)
        child_ids.append(unique_id)
        known.add(unique_id)

    def remove_child(self, child):
        super().remove_child(child)
        self._child_ids.get(self._children[child.get_type()], set()).discard(child.get_unique_id())

    # CRUD

    @classmethod
    def initial_values(cls, adapter):
        """Django field values of a new object that are not compared (e.g. ``{"status_id": pk}``); default none.

        Set before the declared fields on creation only; many-to-many values are ``.set()`` after the save.
        """
        return {}

    @classmethod
    def create(cls, adapter, ids, attrs):
        values = {**ids, **attrs}
        initial = cls.initial_values(adapter)
        many = {name: initial.pop(name) for name in list(initial) if cls._model._meta.get_field(name).many_to_many}
        instance = cls._model(**initial)
        cls._write(adapter, instance, values, cls.create_unique_id(**ids), created=True)
        for name, objects in many.items():
            getattr(instance, name).set(objects)
        model = super().create(adapter, ids, attrs)
        if model is not None:
            model.pk = instance.pk
        return model

    def update(self, attrs):
        instance = self._model.objects.get(pk=self.pk)
        plan = self.plan()
        values = dict(attrs)
        for name in attrs:  # a foreign key is looked up by all its declared paths together
            if group := plan.group_of(name):
                values.update({path: attrs.get(path, getattr(self, path)) for path in group.paths})
        self._write(self.adapter, instance, values, self.get_unique_id(), created=False)
        return super().update(attrs)

    def delete(self):
        instance = self._model.objects.filter(pk=self.pk).first()
        if instance is not None:  # else already gone, e.g. deleted with its parent
            try:
                instance.delete()
            except (ProtectedError, RestrictedError) as error:
                blocking = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
                message = f"{self._modelname} {self.get_unique_id()!r} cannot be deleted: referenced by"
                raise ObjectProtected(f"{message} {_describe_objects(blocking)}") from None
            self.adapter.references.forget(self._model)
        return super().delete()

    @classmethod
    def _write(cls, adapter, instance, values, unique_id, created):
        plan = cls.plan()
        references = adapter.references

        def failed(names, error):
            shown = describe({name: values[name] for name in names})
            return ReferenceNotFound(f"{cls._modelname} {unique_id!r}: {shown} {error}")

        for name in plan.plain:
            if name in values:
                setattr(instance, name, values[name])
        for group in plan.foreign_keys.values():
            names = [name for name in group.paths if name in values]
            if not names:
                continue
            lookup = {group.paths[name]: values[name] for name in names}
            try:
                setattr(instance, group.attname, references.resolve(group.related_model, lookup))
            except ReferenceNotFound as error:
                raise failed(names, error) from None
        for name, key in plan.custom_fields.items():
            if name in values:
                instance._custom_field_data[key] = values[name]
        m2m_objects = {}
        for m2m in plan.many_to_many:
            if m2m.name in values:
                try:
                    m2m_objects[m2m] = references.resolve_many(m2m.related_model, m2m.key, values[m2m.name] or [])
                except ReferenceNotFound as error:
                    raise failed([m2m.name], error) from None
        try:
            instance.validated_save()
        except ValidationError as error:
            raise ObjectValidationError(f"{cls._modelname} {unique_id!r}: {_fields_of(plan, error)}") from None
        for m2m, objects in m2m_objects.items():
            getattr(instance, m2m.accessor).set(objects)
        for name, side in plan.relationships.items():
            if name in values:
                try:
                    relationships.write(adapter, instance, side, values[name], created)
                except ReferenceNotFound as error:
                    raise failed([name], error) from None
        references.forget(cls._model)


def _describe_objects(objects, shown=3):
    """Objects grouped by model, each as ``count plural (first names, ...)``: ``3 devices (a, b, c)``."""
    by_model = {}
    for obj in objects:
        by_model.setdefault(obj._meta, []).append(str(obj))
    groups = []
    for meta, names in sorted(by_model.items(), key=lambda item: item[0].label):
        names.sort()
        noun = meta.verbose_name if len(names) == 1 else meta.verbose_name_plural
        listed = ", ".join(names[:shown] + (["..."] if len(names) > shown else []))
        groups.append(f"{len(names)} {noun} ({listed})")
    return "; ".join(groups)


def _fields_of(plan, error):
    """A ValidationError as ``field: message; ...`` using the declared field names where possible."""
    if not hasattr(error, "error_dict"):
        return "; ".join(error.messages)
    declared = {}
    for name in (*plan.plain, *plan.custom_fields, *plan.relationships):
        for django_name in plan.django_names(name):
            declared.setdefault(django_name, name)
    for group in plan.foreign_keys.values():
        declared[group.name] = "+".join(group.paths)
    for m2m in plan.many_to_many:
        declared[m2m.accessor] = m2m.name
    parts = []
    for field_name, errors in error.message_dict.items():
        label = declared.get(field_name, field_name)
        parts.append(f"{label}: {' '.join(errors)}")
    return "; ".join(parts)
