"""What ``save()``, ``delete()`` and Nautobot's save signals do, reproduced for objects written in batches.

``bulk_create``/``bulk_update`` call no ``save()`` and send no ``pre_save``/``post_save`` signal. A model is written
in bulk (``writes_in_bulk()``) only when this module reproduces all of them for it:

* ``save()``/``delete()`` methods: Django's, and Nautobot's of trees (ancestors forget their cached descendants),
  devices (components from the device type's templates; devices in its bays follow it), interfaces (the default
  status; no tagged VLANs unless tagged), device components (a module's device) and the few that do nothing a sync
  relies on (device types, cable terminations, VLANs);
* save signals: Nautobot's change logging (``orm.changerecords`` writes the records) and the tree depth cache
  (``invalidate_max_depth_cache``, called once per batch). Any other receiver of a model's ``pre_save`` or
  ``post_save`` (one of Nautobot's for racks, another app's...) makes the model's objects be written one by one.

Deletes go through Django's ``Collector``, which sends the delete signals; with change logging paused
(``change_logging_paused()``), the contacts and notes Nautobot's delete handler removes are removed here. A tree's
cache upkeep is done once per model's deletes (``tree_upkeep_once()``), in batches or one by one.
With this speed-up off, every object is written one by one.
"""

import copy
from collections import defaultdict
from contextlib import contextmanager, nullcontext
from functools import cache as memoize

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from nautobot.core.models.tree_queries import TreeModel
from nautobot.core.signals import invalidate_max_depth_cache
from nautobot.core.utils.cache import construct_cache_key
from nautobot.dcim.models import Device, DeviceType
from nautobot.dcim.models.device_components import BaseInterface, CableTermination, ModularComponentModel
from nautobot.extras.models import ContactAssociation, Note, Status
from nautobot.extras.signals import _handle_changed_object, _handle_changed_object_pre_save, change_context_state
from nautobot.ipam.models import VLAN

from nautobot_data_sync.speedups.patching import replaced
from nautobot_data_sync.speedups.registry import SAVE_TIME, active
from nautobot_data_sync.speedups.trees import TreeLinks

DELETE = "delete"
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

# Classes whose save() / delete() is reproduced here (or does nothing a sync relies on).
SAVE_HANDLED = {Model, TreeModel, Device, DeviceType, BaseInterface, ModularComponentModel, CableTermination, VLAN}
DELETE_HANDLED = {Model, TreeModel}
# Nautobot 3.2's save() of a device component on a module also sets the module's device (3.1 has no such save()).
MODULE_GIVES_DEVICE = "save" in vars(ModularComponentModel)
# Save-signal receivers reproduced for objects written in bulk.
RECEIVERS_HANDLED = {_handle_changed_object_pre_save, _handle_changed_object, invalidate_max_depth_cache}


def writes_in_bulk(model, operation):
    """Whether ``operation`` ("create", "update", "delete") of Django ``model`` can be written in bulk."""
    if not active(SAVE_TIME) or not _methods_reproduced(model, operation):
        return False
    return operation == DELETE or all(receiver in RECEIVERS_HANDLED for receiver in save_receivers(model))


def deletes_as_collected(model):
    """Whether deleting a ``model`` object does what Django's ``Collector`` does and the tree upkeep reproduced here:
    no other ``delete()`` of its own, which may decide otherwise (a prefix re-parents its children first)."""
    return _methods_reproduced(model, DELETE)


@memoize
def _methods_reproduced(model, operation):
    """Whether every ``save()`` (or ``delete()``) in ``model``'s MRO is one this module reproduces (models and their
    methods are set when Django starts: answered once per process)."""
    method, handled = ("delete", DELETE_HANDLED) if operation == DELETE else ("save", SAVE_HANDLED)
    return all(cls in handled for cls in model.__mro__ if method in vars(cls))


def save_receivers(model):
    """The receivers of ``pre_save`` and ``post_save`` for objects of ``model``."""
    return [*live_receivers(pre_save, model), *live_receivers(post_save, model)]


def live_receivers(signal, sender):
    """The receivers ``signal`` sends to for ``sender`` (Django caches them per sender)."""
    live = signal._live_receivers(sender)
    return [*live[0], *live[1]] if isinstance(live, tuple) else live  # Django 5 splits sync and async


@contextmanager
def change_logging_paused():
    """Nautobot's signal handlers log nothing inside the block (the bulk writer logs the changes itself)."""
    token = change_context_state.set(None)
    try:
        yield
    finally:
        change_context_state.reset(token)


def before_save(instance):
    """What the model's save() does to the instance before writing it."""
    if (
        MODULE_GIVES_DEVICE
        and isinstance(instance, ModularComponentModel)
        and instance.device_id is None
        and instance.module is not None
    ):
        instance.device = getattr(instance.module.parent_module_bay, "parent_device", None)
    if isinstance(instance, BaseInterface) and instance.status_id is None:
        instance.status = Status.objects.get_for_model(type(instance)).filter(name="Active").first()


def after_create(model, instances):
    """What saving new ``instances`` would do after writing them, but for the change log and tree caches."""
    if issubclass(model, Device):
        with change_logging_paused():
            _create_device_components(instances)


def after_update(model, instances):
    """What saving changed ``instances`` would do after writing them, but for the change log and tree caches."""
    if issubclass(model, BaseInterface):
        with change_logging_paused():
            _clear_untagged_vlans(model, instances)
    if issubclass(model, Device):
        _move_child_devices(instances)


def tree_parents(model, instances):
    """The parents of ``instances`` if ``model`` is a tree (whose ancestors ``tree_changed()`` tells), else none."""
    return {instance.parent_id for instance in instances} if issubclass(model, TreeModel) else set()


def tree_changed(model, parent_pks=(), nodes=()):
    """As ``TreeModel.save()/delete()`` and the tree signals: the ancestors of changed nodes (the nodes ``parent_pks``
    and theirs, those of the parents of the saved ``nodes``) forget their cached descendants, and the tree's depth is
    read again. The ancestors are read once (``trees.TreeLinks``), not one query per level and node."""
    if not issubclass(model, TreeModel):
        return
    invalidate_max_depth_cache(sender=model)
    keys = {
        construct_cache_key(model(pk=pk), method_name="cacheable_descendants_pks", branch_aware=True): pk
        for pk in TreeLinks(model, nodes, parent_pks).parent_of
    }
    if keys:
        _forget_cached_descendants(keys)


def _forget_cached_descendants(keys):
    """As ``cache.delete_pattern(f"{key}(*)")`` for each of ``keys`` (``{key: pk}``, the pk in each key), with one
    scan of the cache instead of one per key."""
    key, pk = next(iter(keys.items()))
    pattern = key.replace(str(pk), "*", 1)
    cache.delete_many([found for found in cache.iter_keys(f"{pattern}(*)") if found.partition("(")[0] in keys])


@contextmanager
def tree_upkeep_once(model):
    """Deletes of ``model`` objects inside the block leave the tree upkeep (``tree_changed()``) to its end, done once
    for the parents they add to the yielded set (the bulk path adds them; with this speed-up on, ``delete()`` does).
    ``TreeModel.delete()`` makes every ancestor of the node forget its cached descendants, a scan of the cache per
    ancestor and node; deleting a subtree children first, the ancestors that go too need none of it."""
    parents = set()
    if not issubclass(model, TreeModel):
        yield parents
        return

    def delete(instance, *args, **kwargs):  # TreeModel.delete() but for the upkeep
        parents.add(instance.parent_id)
        return Model.delete(instance, *args, **kwargs)

    on = active(SAVE_TIME) and deletes_as_collected(model)
    try:
        with replaced(TreeModel, "delete", delete) if on else nullcontext():
            yield parents
    finally:
        tree_changed(model, parents)


def delete_attachments(collected):
    """As Nautobot's delete handler: the contacts and notes of the objects a delete removes (``{model: objects}``)."""
    for model, objects in collected.items():
        content_type = ContentType.objects.get_for_model(model)
        pks = [obj.pk for obj in objects]
        ContactAssociation.objects.filter(associated_object_type=content_type, associated_object_id__in=pks).delete()
        Note.objects.filter(assigned_object_type=content_type, assigned_object_id__in=pks).delete()


def _create_device_components(devices):
    """As ``Device.create_components()`` for many devices: each kind of template read once for all their types, and
    each template instantiated once (Nautobot's ``instantiate()`` queries custom fields, statuses...), then copied
    for the other devices of its type; a template that refers to a sibling port is instantiated per device. The
    devices' cached answers to whether they have bays are forgotten (their validation may have cached "no")."""
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
    cache.delete_many(
        [
            construct_cache_key(device, method_name=method, branch_aware=True)
            for device in devices
            for method in ("has_device_bays", "has_module_bays")
        ]
    )


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
