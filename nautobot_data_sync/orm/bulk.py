"""Bulk writes of declarative models: validated, change-logged and batched, with a per-object outcome.

In bulk mode ``NautobotModel.create()/update()/delete()`` resolve references and queue the write here instead of
saving. ``flush()`` (when ``batch_size`` writes are queued, before any per-object write, and when the sync ends)
writes per Django model and batch: creates in dependency order (parents first), then updates, then deletes in
reverse order. For each batch:

* references: each foreign key's targets are read with one query (honouring ``limit_choices_to``) and attached to
  the objects, so validation and serialization reuse them; an object whose parent failed is skipped;
* validation: ``full_clean()`` per object (field checks, the model's ``clean()`` with Nautobot's custom validators and
  data-compliance rules) without its per-object uniqueness queries; uniqueness is checked for the batch with one
  query per unique constraint;
* writing: ``bulk_create`` / ``bulk_update`` / one ``Collector`` delete, in a savepoint; if the database still
  refuses the batch, its objects are written one by one to isolate the failure;
* the change log: ObjectChange records as Nautobot would write them (``changelog``), attributed to the job's user
  and request id, so Nautobot's change log, job hooks, webhooks and events see every object.

Save-time side effects handled in bulk: a new Device gets its components from its device type's templates, an
Interface without status gets the default one, a non-tagged Interface loses its tagged VLANs, and tree models
(locations, location types) invalidate their ancestors' cached descendants. Models whose ``save()`` or
``delete()`` does anything else (e.g. IP addresses and prefixes, which find their parents) are written one by one
(``writes_in_bulk()``).
"""

import copy
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache as memoize

from diffsync.exceptions import ObjectNotFound
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import ForeignKey, Model, ProtectedError, RestrictedError, prefetch_related_objects
from django.db.models.deletion import Collector
from django.utils import timezone
from nautobot.core.models.tree_queries import TreeModel
from nautobot.core.utils.cache import construct_cache_key
from nautobot.dcim.models import Device, DeviceType
from nautobot.dcim.models.device_components import BaseInterface, CableTermination, ModularComponentModel
from nautobot.extras.choices import ObjectChangeActionChoices
from nautobot.extras.models import ContactAssociation, Note, ObjectChange, Status
from nautobot.extras.signals import change_context_state
from nautobot.ipam.models import VLAN
from taggit.managers import TaggableManager

from nautobot_data_sync.choices import ChangeStatusChoices
from nautobot_data_sync.orm import batchclean, changelog, relationships
from nautobot_data_sync.orm.errors import ReferenceNotFound
from nautobot_data_sync.orm.fields import foreign_keys
from nautobot_data_sync.orm.messages import fields_of, protected_message
from nautobot_data_sync.sync.readonce import read_once

CREATE, UPDATE, DELETE = "create", "update", "delete"
CHANGES_PER_INSERT = 250
"""Change records per INSERT: each carries two JSON documents, and the statement is built in memory whole."""
COMPONENT_TEMPLATES = (
    "console_port_templates",
    "console_server_port_templates",
    "power_port_templates",
    "power_outlet_templates",
    "interface_templates",
    "rear_port_templates",
    "front_port_templates",
    "device_bay_templates",
    "module_bay_templates",
)

# Component templates whose instantiate() looks up a sibling component of the device (a front port's rear port...).
PER_DEVICE_TEMPLATES = {"power_outlet_templates", "front_port_templates"}

# Classes whose save() / delete() the bulk path reproduces (or that do nothing a sync relies on).
_SAVE_HANDLED = {Model, TreeModel, Device, DeviceType, BaseInterface, ModularComponentModel, CableTermination, VLAN}
_DELETE_HANDLED = {Model, TreeModel}


@memoize
def writes_in_bulk(model, operation):
    """True when ``operation`` ("create", "update", "delete") of Django ``model`` can be written in bulk."""
    method, handled = ("delete", _DELETE_HANDLED) if operation == DELETE else ("save", _SAVE_HANDLED)
    return all(cls in handled for cls in model.__mro__ if method in vars(cls))


@dataclass
class Resolved:
    """A declarative model's values, as Django attributes: references resolved, not yet applied."""

    fields: dict = field(default_factory=dict)  # {attname: value}
    custom_fields: dict = field(default_factory=dict)  # {key: value}
    many_to_many: dict = field(default_factory=dict)  # {accessor: [objects]}
    relationships: dict = field(default_factory=dict)  # {declared name: value}
    unresolved_many: dict = field(default_factory=dict)  # {declared name: fields.ManyToMany}, resolved at flush
    values: dict = field(default_factory=dict)  # the declared values

    def set_many_to_many(self, instance, created=False):
        """``.set()`` the many-to-many values on the saved ``instance`` (a just ``created`` one has none to clear)."""
        for accessor, objects in self.many_to_many.items():
            if objects or not created:
                getattr(instance, accessor).set(objects)

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


class BulkWriter:
    """Queues the writes of one sync and flushes them in batches; see the module docstring.

    ``report(element, status, message, obj=None)`` receives every queued write's outcome (and object) when it is
    flushed. The executor sets ``element`` to the diff element being synced before calling a model's
    create/update/delete, flushes before a write that ``accepts()`` refuses (it may depend on queued ones) and when
    the writer is ``full``.
    """

    def __init__(self, adapter, report, batch_size=1000, default=True):
        self.adapter = adapter
        self.report = report
        self.batch_size = batch_size
        self.default = default  # bulk mode of models that do not choose (``NautobotModel._bulk_mode`` None)
        self.element = None
        self.queued_element = None
        self.change_context = change_context_state.get()
        self._queues = _empty_queues()
        self._queued = 0
        self._created = {}  # pk -> instance queued or written in the current flush
        self._unwritten = set()  # pks of objects that failed or were skipped (their dependents are skipped)

    # Queuing

    def accepts(self, model_class, operation):
        """Whether ``operation`` of diffsync model class ``model_class`` is queued here (else written at once)."""
        bulk = getattr(model_class, "_bulk_mode", False)
        bulk = self.default if bulk is None else bulk
        return bool(bulk) and writes_in_bulk(model_class._model, operation)

    def queue(self, operation, item):
        item.element = self.element
        self._queues[operation][item.model_class._model].append(item)
        if operation == CREATE:
            self._created[item.pk] = item.instance
        self._queued += 1
        self.queued_element = self.element

    @property
    def full(self):
        return self._queued >= self.batch_size

    # Flushing

    def flush(self):
        """Write everything queued; each write's outcome goes to ``report``."""
        if not self._queued:
            return
        queues, self._queues = self._queues, _empty_queues()
        self._queued = 0
        with read_once():
            for model in dependency_order(queues[CREATE]):
                for generation in _generations(model, queues[CREATE][model]):
                    for batch in _batches(generation, self.batch_size):
                        self._create(model, batch)
                self.adapter.references.forget(model)  # what refers to these may be resolved next
            for model in dependency_order(queues[UPDATE]):
                for batch in _batches(queues[UPDATE][model], self.batch_size):
                    self._update(model, batch)
            deletable = self._deletable(queues[DELETE])
            for model in reversed(dependency_order(deletable)):
                for batch in _batches(deletable[model], self.batch_size):
                    self._delete(model, batch)
        self._created = {}
        for model in {*queues[CREATE], *queues[UPDATE], *queues[DELETE]}:
            self.adapter.references.forget(model)

    def _create(self, model, items):
        for item in items:
            _before_save(item.instance)
        changelog.mark_new([item.instance for item in items])
        valid = self._validate(model, items, creating=True)
        with transaction.atomic():  # the batch, its many-to-many, components, relationships and change log
            written = self._write(valid, lambda batch: model.objects.bulk_create([item.instance for item in batch]))
            if not written:
                return
            instances = [item.instance for item in written]
            with changelog.change_logging_paused():
                for item in written:
                    item.resolved.set_many_to_many(item.instance, created=True)
                if issubclass(model, Device):
                    _create_device_components(instances)
            self._write_relationships(written, created=True)
            self._log(written, ObjectChangeActionChoices.ACTION_CREATE)
        if issubclass(model, TreeModel):
            _invalidate_tree_caches(model, {instance.parent_id for instance in instances})
        self._succeeded(written)

    def _update(self, model, items):
        instances = model._base_manager.in_bulk([item.pk for item in items])
        present = []
        for item in items:
            item.instance = instances.get(item.pk)
            if item.instance is None:
                self._failed(item, f"{item.model_class._modelname} {item.unique_id!r} no longer exists in Nautobot")
            else:
                present.append(item)
        if self.change_context:
            changelog.remember_pre_change_data([item.instance for item in present], self.change_context)
        old_parents = {item.instance.parent_id for item in present} if issubclass(model, TreeModel) else set()
        changed = {"last_updated"} if any(f.name == "last_updated" for f in model._meta.fields) else set()
        now = timezone.now()
        for item in present:
            item.resolved.apply(item.instance)
            changed.update(item.resolved.fields)
            if item.resolved.custom_fields:
                changed.add("_custom_field_data")
            if "last_updated" in changed:
                item.instance.last_updated = now
            _before_save(item.instance)
        valid = self._validate(model, present, creating=False)
        names = sorted(model._meta.get_field(name).name for name in changed)
        with transaction.atomic():
            written = self._write(
                valid,
                lambda batch: model.objects.bulk_update([item.instance for item in batch], names) if names else None,
            )
            if not written:
                return
            with changelog.change_logging_paused():
                for item in written:
                    item.resolved.set_many_to_many(item.instance)
                if issubclass(model, BaseInterface):
                    _clear_untagged_vlans(model, [item.instance for item in written])
            if issubclass(model, Device):
                _move_child_devices([item.instance for item in written])
            self._write_relationships(written, created=False)
            self._log(written, ObjectChangeActionChoices.ACTION_UPDATE)
        if issubclass(model, TreeModel):
            _invalidate_tree_caches(model, old_parents | {item.instance.parent_id for item in written})
        self._succeeded(written)

    def _deletable(self, queue):
        """``{model: items}`` of ``queue`` that can be deleted. A delete that protected foreign keys block (other than
        by objects deleted in this flush) is reported failed, and the queued deletes of what belongs to it are
        skipped: a device that cannot go keeps its interfaces."""
        order = dependency_order(queue)
        present = {}
        for model in order:
            instances = model._base_manager.in_bulk([item.pk for item in queue[model]])
            for item in queue[model]:
                item.instance = instances.get(item.pk)
                if item.instance is None:  # already gone, e.g. deleted with its parent
                    self._succeeded([item])
                else:
                    present.setdefault(model, []).append(item)
        going = {item.pk for items in present.values() for item in items}
        refused = set()
        for model in reversed(dependency_order(present)):  # children first, as they are deleted
            for batch in _batches(present[model], self.batch_size):
                refused.update(item.pk for item in self._protected(model, batch, going - refused))
        deletable = {}
        for model in dependency_order(present):  # parents first: what belongs to a refused object stays
            for item in present[model]:
                if item.pk in refused:
                    continue
                if any(value in refused for value in _foreign_key_values(item.instance)):
                    refused.add(item.pk)
                    self._skipped(item, "skipped: what it belongs to could not be deleted")
                else:
                    deletable.setdefault(model, []).append(item)
        return deletable

    def _protected(self, model, items, going):
        """The items that protected foreign keys of objects not in ``going`` keep; they are reported failed."""
        using = router.db_for_write(model)
        try:
            Collector(using=using).collect([item.instance for item in items])
            return []
        except (ProtectedError, RestrictedError):
            pass
        kept = []
        for item in items:
            try:
                Collector(using=using).collect([item.instance])
            except (ProtectedError, RestrictedError) as error:
                blocking = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
                if all(obj.pk in going for obj in blocking):
                    continue
                message = f"{item.model_class._modelname} {item.unique_id!r} {protected_message(error)}"
                self._failed(item, f"ObjectProtected: {message}")
                kept.append(item)
        return kept

    def _delete(self, model, deletable):
        collector = Collector(using=router.db_for_write(model))
        try:
            collector.collect([item.instance for item in deletable])
        except (ProtectedError, RestrictedError) as error:  # kept by an object whose own delete was skipped
            for item in deletable:
                self._failed(
                    item,
                    f"ObjectProtected: {item.model_class._modelname} {item.unique_id!r} {protected_message(error)}",
                )
            return
        if issubclass(model, TreeModel):
            _invalidate_tree_caches(model, {item.instance.parent_id for item in deletable})
        changes = []
        if self.change_context:
            for related_model, objects in collector.data.items():
                if hasattr(related_model, "to_objectchange"):
                    loaded = changelog.load_for_logging(related_model, [obj.pk for obj in objects])
                    serialized = changelog.serialize_batch(loaded)
                    changes += changelog.object_changes(
                        loaded, ObjectChangeActionChoices.ACTION_DELETE, self.change_context, serialized
                    )
        with transaction.atomic(), changelog.change_logging_paused():
            for related_model, objects in collector.data.items():
                content_type = ContentType.objects.get_for_model(related_model)
                pks = [obj.pk for obj in objects]
                ContactAssociation.objects.filter(
                    associated_object_type=content_type, associated_object_id__in=pks
                ).delete()
                Note.objects.filter(assigned_object_type=content_type, assigned_object_id__in=pks).delete()
            collector.delete()
            ObjectChange.objects.bulk_create(changes, batch_size=CHANGES_PER_INSERT)
        self._remember(changes)
        self._succeeded(deletable)

    # Steps shared by creates and updates

    def _validate(self, model, items, creating):
        """The items that pass reference, field, model and uniqueness checks; the others are reported."""
        items = self._resolve_many(items)
        items = self._attach_references(model, items)
        fk_names = [fk.name for fk in foreign_keys(model)]
        valid = []
        with batchclean.checked_per_batch(model, [item.instance for item in items]) as component_names:
            for item in items:
                try:
                    item.instance.full_clean(exclude=fk_names, validate_unique=False, validate_constraints=False)
                except ValidationError as error:
                    self._failed(item, self._describe(item, error))
                    continue
                except Exception as error:  # noqa: BLE001 - any error in a model's clean() is this object's failure
                    message = f"{item.model_class._modelname} {item.unique_id!r}: {error}"
                    self._failed(item, f"{type(error).__name__}: {message}")
                    continue
                valid.append(item)
                if component_names:
                    component_names.take(item.instance)
        return self._check_uniqueness(model, valid, creating)

    def _resolve_many(self, items):
        """Resolve many-to-many values now that what they name (created in this sync) is written."""
        resolved = []
        for item in items:
            try:
                item.model_class.resolve_many(self.adapter, item.resolved, item.unique_id)
            except ReferenceNotFound as error:
                self._failed(item, f"ReferenceNotFound: {error}")
                continue
            resolved.append(item)
        return resolved

    def _attach_references(self, model, items):
        """Read every foreign key's targets once; report objects whose reference is missing, failed or invalid."""
        usable = []
        related = {}
        for fk in foreign_keys(model):
            wanted = {getattr(item.instance, fk.attname) for item in items} - {None} - set(self._created)
            query = fk.related_model._base_manager.filter(pk__in=wanted)
            if limit := fk.get_limit_choices_to():
                query = query.complex_filter(limit)
            related[fk] = query.in_bulk() if wanted else {}
            prefetch_related_objects(list(related[fk].values()), *_read_by_clean(fk.related_model))
        for item in items:
            problem = None
            for fk, found in related.items():
                value = getattr(item.instance, fk.attname)
                if value is None:
                    if not fk.null:
                        problem = ValidationError({fk.name: ["This field cannot be null."]})
                    continue
                if value in self._unwritten:
                    problem = fk.name
                    break
                target = self._created.get(value) or found.get(value)
                if target is None:
                    message = f"{fk.related_model._meta.verbose_name} instance with id {value} is not a valid choice."
                    problem = ValidationError({fk.name: [message]})
                    break
                setattr(item.instance, fk.name, target)
            if problem is None:
                usable.append(item)
            elif isinstance(problem, str):
                self._skipped(item, f"skipped: its {problem} was not written")
            else:
                self._failed(item, self._describe(item, problem))
        return usable

    def _check_uniqueness(self, model, items, creating):
        """Report objects that would break a unique constraint, against the batch and the database."""
        own_pks = {item.pk for item in items}
        for names in unique_field_sets(model):
            attnames = [model._meta.get_field(name).attname for name in names]
            keys = {}
            kept = []
            for item in items:
                key = tuple(getattr(item.instance, attname) for attname in attnames)
                if None in key:
                    kept.append(item)
                elif key in keys:
                    self._failed(item, self._unique_message(item, model, names))
                else:
                    keys[key] = item
                    kept.append(item)
            if keys:  # rows matching each field's values: a superset of the keys' rows, matched exactly below
                lookups = {f"{attname}__in": {key[index] for key in keys} for index, attname in enumerate(attnames)}
                for pk, *values in model._base_manager.filter(**lookups).values_list("pk", *attnames):
                    item = keys.get(tuple(values))
                    if item is not None and pk != item.pk and (creating or pk not in own_pks):
                        self._failed(item, self._unique_message(item, model, names))
                        kept.remove(item)
            items = kept
        return items

    def _write(self, items, write_batch):
        """Write ``items`` in one statement (in a savepoint); if refused, one by one. Returns the written items."""
        if not items:
            return []
        try:
            with transaction.atomic():
                write_batch(items)
            return items
        except IntegrityError:
            written = []
            for item in items:
                try:
                    with transaction.atomic():
                        write_batch([item])
                    written.append(item)
                except IntegrityError as error:
                    self._failed(
                        item, f"IntegrityError: {item.model_class._modelname} {item.unique_id!r}: {error}".strip()
                    )
            return written

    def _write_relationships(self, items, created):
        """Relationship associations, one object at a time (change-logged by Nautobot)."""
        for item in items:
            plan = item.model_class.plan()
            relationships.write_all(self.adapter, item.instance, plan, item.resolved.relationships, created)

    def _log(self, items, action):
        """Change records of the written ``items`` (serialized as in memory, like Nautobot's signal handlers)."""
        instances = [item.instance for item in items]
        if not self.change_context or not hasattr(instances[0], "to_objectchange"):
            return
        if action == ObjectChangeActionChoices.ACTION_CREATE:
            given = {item.pk for item in items if any(item.resolved.many_to_many.values())}
            changelog.prepare_created_for_logging(instances, with_many_to_many=given)
        else:
            changelog.prepare_for_logging(instances)
        changes = changelog.object_changes(instances, action, self.change_context)
        ObjectChange.objects.bulk_create(changes, batch_size=CHANGES_PER_INSERT)
        self._remember(changes)

    def _remember(self, changes):
        """Register the changes as Nautobot's signal handlers do, so a later save of the object updates them."""
        for change in changes:
            user_pk = change.user.pk if change.user else None
            key = f"{change.changed_object_type_id}__{change.changed_object_id}"
            key = f"{key}__{user_pk}" if user_pk is not None else key
            self.change_context.deferred_object_changes[key] = [{"action": change.action, "user": change.user}]

    # Outcomes

    def _succeeded(self, items):
        for item in items:
            self.report(item.element, ChangeStatusChoices.SUCCEEDED, "", item.instance)

    def _failed(self, item, message):
        self._unwritten.add(item.pk)
        self._forget(item)
        self.report(item.element, ChangeStatusChoices.FAILED, message)

    def _skipped(self, item, message):
        self._unwritten.add(item.pk)
        self._forget(item)
        self.report(item.element, ChangeStatusChoices.SKIPPED, message)

    def _forget(self, item):
        """A create that was not written leaves the target adapter too."""
        if item.diffsync_model is not None and item.element is not None and item.element.action == CREATE:
            with suppress(ObjectNotFound):
                self.adapter.remove(item.diffsync_model)

    def _describe(self, item, error):
        fields = fields_of(item.model_class.plan(), error)
        return f"ObjectValidationError: {item.model_class._modelname} {item.unique_id!r}: {fields}"

    def _unique_message(self, item, model, names):
        message = " ".join(item.instance.unique_error_message(model, tuple(names)).messages)
        return f"ObjectValidationError: {item.model_class._modelname} {item.unique_id!r}: {message}"


def dependency_order(models):
    """``models`` sorted so that a model comes after the models its foreign keys and many-to-many fields point to."""
    models = list(models)
    order, visiting = [], set()

    def visit(model):
        if model in order or model in visiting:
            return
        visiting.add(model)
        for relation in (*model._meta.concrete_fields, *model._meta.many_to_many):
            if relation.is_relation and relation.related_model in models and relation.related_model is not model:
                visit(relation.related_model)
        order.append(model)

    for model in models:
        visit(model)
    return order


def unique_field_sets(model):
    """Field-name tuples that must be unique together: unique fields, unique_together, unconditional constraints."""
    meta = model._meta
    sets = [(f.name,) for f in meta.concrete_fields if f.unique and not f.primary_key]
    sets += [tuple(names) for names in meta.unique_together]
    sets += [tuple(c.fields) for c in meta.total_unique_constraints if c.fields and not c.expressions]
    return list(dict.fromkeys(sets))


@memoize
def _read_by_clean(model):
    """What models' ``clean()`` reads of a referenced ``model`` object, to read once per batch: its foreign keys and
    their many-to-many fields (an interface's device's location; the content types its location type allows)."""
    paths = []
    for fk in foreign_keys(model):
        paths.append(fk.name)
        paths += [
            f"{fk.name}__{m2m.name}"
            for m2m in fk.related_model._meta.many_to_many
            if not isinstance(m2m, TaggableManager)
        ]
    return paths


def _foreign_key_values(instance):
    return [getattr(instance, field.attname) for field in foreign_keys(type(instance))]


def _empty_queues():
    return {CREATE: defaultdict(list), UPDATE: defaultdict(list), DELETE: defaultdict(list)}


def _generations(model, items):
    """``items`` in generations: objects whose parent (a foreign key to their own model) is created in the same
    flush come after it, as validation reads the parent from the database (e.g. a tree's ancestors)."""
    own = [f.attname for f in model._meta.concrete_fields if isinstance(f, ForeignKey) and f.related_model is model]
    if not own:
        return [items]
    pending = {item.pk: item for item in items}
    generation_of = {}

    def generation(item):
        if item.pk not in generation_of:
            generation_of[item.pk] = 0  # guards against a cycle
            parents = [pending.get(getattr(item.instance, attname)) for attname in own]
            generation_of[item.pk] = max((generation(parent) + 1 for parent in parents if parent), default=0)
        return generation_of[item.pk]

    generations = defaultdict(list)
    for item in items:
        generations[generation(item)].append(item)
    return [generations[number] for number in sorted(generations)]


def _batches(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _before_save(instance):
    """What the model's save() does to the instance before writing it."""
    if isinstance(instance, ModularComponentModel) and instance.device_id is None and instance.module is not None:
        instance.device = getattr(instance.module.parent_module_bay, "parent_device", None)
    if isinstance(instance, BaseInterface) and instance.status_id is None:
        instance.status = Status.objects.get_for_model(type(instance)).filter(name="Active").first()


def _create_device_components(devices):
    """As ``Device.create_components()`` for many devices: each kind of template read once for all their types, and
    each template instantiated once (Nautobot's ``instantiate()`` queries custom fields, statuses...), then copied
    for the other devices of its type; a template that refers to a sibling port is instantiated per device."""
    by_type = defaultdict(list)
    for device in devices:
        by_type[device.device_type_id].append(device)
    for accessor in COMPONENT_TEMPLATES:  # in Nautobot's order: ports before the ports that refer to them
        relation = DeviceType._meta.get_field(accessor)
        templates = defaultdict(list)
        for template in relation.related_model.objects.filter(**{f"{relation.field.name}__in": list(by_type)}):
            templates[getattr(template, relation.field.attname)].append(template)
        components = []
        for type_pk, typed in by_type.items():
            for template in templates[type_pk]:
                if accessor in PER_DEVICE_TEMPLATES:
                    components.extend(template.instantiate(device=device) for device in typed)
                else:
                    prototype = template.instantiate(device=typed[0])
                    components.append(prototype)
                    components.extend(_component_copy(prototype, typed[0], device) for device in typed[1:])
        if components:
            type(components[0]).objects.bulk_create(components)


def _component_copy(prototype, prototype_device, device):
    """A new component like ``prototype`` (instantiated for ``prototype_device``) for ``device``."""
    values = {}
    for model_field in prototype._meta.concrete_fields:
        if model_field.primary_key:
            continue
        value = getattr(prototype, model_field.attname)
        if model_field.is_relation and model_field.related_model is Device and value == prototype_device.pk:
            value = device.pk
        values[model_field.attname] = copy.deepcopy(value) if isinstance(value, (dict, list)) else value
    return type(prototype)(**values)


def _clear_untagged_vlans(model, interfaces):
    """As ``BaseInterface.save()``: an interface not in tagged mode has no tagged VLANs."""
    untagged = [interface.pk for interface in interfaces if interface.mode != "tagged"]
    through = model.tagged_vlans.through
    through.objects.filter(**{f"{model._meta.model_name}_id__in": untagged}).delete()


def _move_child_devices(devices):
    """As ``Device.save()``: devices installed in a moved device's bays follow it (saved one by one, logged)."""
    by_pk = {device.pk: device for device in devices}
    children = Device.objects.filter(parent_bay__device_id__in=by_pk).select_related("parent_bay")
    for child in children:
        parent = by_pk[child.parent_bay.device_id]
        if child.location_id != parent.location_id or child.rack_id != parent.rack_id:
            child.location_id, child.rack_id = parent.location_id, parent.rack_id
            child.save()


def _invalidate_tree_caches(model, parent_pks):
    """As ``TreeModel.save()/delete()``: ancestors of changed nodes forget their cached descendants."""
    seen = set()
    for parent in model.objects.filter(pk__in=parent_pks - {None}):
        for ancestor in parent.ancestors(include_self=True):
            if ancestor.pk not in seen:
                seen.add(ancestor.pk)
                key = construct_cache_key(ancestor, method_name="cacheable_descendants_pks", branch_aware=True)
                cache.delete_pattern(f"{key}(*)")
