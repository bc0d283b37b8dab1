"""Per-batch answers to the per-object work of Nautobot's own ``clean()`` methods, while a bulk batch is validated.

Bulk mode runs each object's full ``clean()`` (the model's checks, custom validators, data-compliance rules). New
objects are first marked as having no related objects (``mark_new()``: nothing points at them yet), so that neither
their validation nor their serialization reads any. Six parts of Nautobot's checks do per object what a batch can
do once; inside ``checked_per_batch()`` only:

* data validation: Nautobot's validation-rule validator looks up, for every object, the enabled rules of four kinds
  and the data-compliance rules of the object's model (registered in apps or provided by Git repositories). Here
  they are looked up once per batch; if there are none, objects of the batch skip the lookups;

* device components (interfaces, ports, bays...): ``ModularComponentModel.clean()`` sends a query per component to
  check that no other module-less component of its device has its name. Here the names taken are read with one
  query for the batch, and a component validated earlier in the batch takes its name, as saving it one by one
  would have. Components on a module still go through Nautobot's own method, unchanged;
* devices: Nautobot's ``DeviceUniquenessValidator`` sends two queries per device (is a name required, is the name
  taken under ``DEVICE_UNIQUENESS``). Here the devices holding the batch's names are read with one query, and a
  device validated earlier in the batch holds its name; an unnamed device goes through Nautobot's validator;
* tree nodes (locations...): ``ancestors()`` builds a new query at each call (every interface's ``clean()`` asks
  for its device's location's ancestors, then their ids); here each node's is built once, and its ``values_list()``
  once per arguments, unless the batch is of a tree model;
* a tree's own nodes: ``TreeNode.clean()`` refuses a node among its parent's ancestors, reading the parent, then
  each ancestor, one query at a time, then asking whether the node is among them: for every node. Here the
  ancestors are read once for the batch (``trees.TreeLinks``);
* custom fields: ``CustomFieldModel.clean()`` asks for the model's custom fields (a cache key built, a cache read,
  a tracing span) for every object; here once per batch.

Each replaces the Nautobot method for the length of the block, in the validating thread only (``patching``). With
this speed-up off (``registry``), objects are validated by Nautobot's methods as they are, one query at a time.
"""

from contextlib import ExitStack, contextmanager

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from nautobot.core.utils.config import get_settings_or_config
from nautobot.data_validation.custom_validators import BaseValidator, get_data_compliance_rules_map
from nautobot.data_validation.models import (
    MinMaxValidationRule,
    RegularExpressionValidationRule,
    RequiredValidationRule,
    UniqueValidationRule,
)
from nautobot.dcim.choices import DeviceUniquenessChoices
from nautobot.dcim.custom_validators import DeviceUniquenessValidator
from nautobot.dcim.models import Device
from nautobot.dcim.models.device_components import ModularComponentModel
from nautobot.extras.models import GitRepository
from nautobot.extras.models.customfields import CustomFieldManager
from tree_queries.models import TreeNode

from nautobot_data_sync.modelmeta import backward_relations
from nautobot_data_sync.speedups.patching import original, replaced
from nautobot_data_sync.speedups.registry import VALIDATION, active
from nautobot_data_sync.speedups.trees import TreeLinks

KNOWN_UNIQUENESS_MODES = {choice for choice, _ in DeviceUniquenessChoices.CHOICES}
RULE_MODELS = (RegularExpressionValidationRule, MinMaxValidationRule, RequiredValidationRule, UniqueValidationRule)
COMPLIANCE_CONTENT = "data_validation.data_compliance_rule"


def has_data_validation(model):
    """Whether Nautobot's validation-rule validator has anything to enforce on objects of ``model``."""
    label = model._meta.label_lower
    return (
        any(rules.objects.get_enabled_for_model(label).exists() for rules in RULE_MODELS)
        or bool(get_data_compliance_rules_map().get(label))
        or GitRepository.objects.get_for_provided_contents(COMPLIANCE_CONTENT).exists()
    )


class ComponentNames:
    """The module-less component names taken on the devices of one batch: ``{(device pk, name): component pk}``."""

    def __init__(self, model, instances):
        devices = {instance.device_id for instance in instances} - {None}
        names = {instance.name for instance in instances}
        rows = model._base_manager.filter(module__isnull=True, device_id__in=devices, name__in=names)
        self.taken = {(device, name): pk for pk, device, name in rows.values_list("pk", "device_id", "name")}

    def check(self, component):
        """Raise a ValidationError on ``name`` if another module-less component of the device has the name."""
        holder = self.taken.get((component.device_id, component.name))
        if holder is not None and holder != component.pk:
            noun = component._meta.verbose_name
            raise ValidationError({"name": f"another {noun} named {component.name!r} exists on {component.device}"})

    def take(self, component):
        """``component`` passed validation: its name is taken for the rest of the batch."""
        if component.module_id is None:
            self.taken.setdefault((component.device_id, component.name), component.pk)


class DeviceNames:
    """The names of the devices holding the batch's names: ``{name: {device pk: (location pk, tenant pk)}}``."""

    def __init__(self, instances):
        try:
            self.mode = get_settings_or_config("DEVICE_UNIQUENESS", fallback=DeviceUniquenessChoices.DEFAULT)
        except AttributeError:  # as Nautobot's validator: no such setting means the default
            self.mode = DeviceUniquenessChoices.DEFAULT
        self.holders, self.name_of = {}, {}
        rows = Device._base_manager.filter(name__in={device.name for device in instances} - {None, ""})
        for pk, name, location, tenant in rows.values_list("pk", "name", "location_id", "tenant_id"):
            self._hold(pk, name, location, tenant)

    def _hold(self, pk, name, location, tenant):
        self.holders.setdefault(name, {})[pk] = (location, tenant)
        self.name_of[pk] = name

    def check(self, device):
        """Raise a ValidationError on ``name`` if another device holds the name where it must be unique."""
        others = {pk: place for pk, place in self.holders.get(device.name, {}).items() if pk != device.pk}
        if self.mode == DeviceUniquenessChoices.NAME and others:
            raise ValidationError(
                {"name": f"another device is named {device.name!r} (DEVICE_UNIQUENESS: names are globally unique)"}
            )
        place = (device.location_id, device.tenant_id)
        if self.mode == DeviceUniquenessChoices.LOCATION_TENANT_NAME and place in others.values():
            owner = f"of tenant {device.tenant}" if device.tenant_id else "with no tenant"
            raise ValidationError(
                {"name": f"another device {owner} is named {device.name!r} at location {device.location}"}
            )

    def take(self, device):
        """``device`` passed validation: it holds its name (and no other) for the rest of the batch."""
        if device.pk in self.name_of:
            del self.holders[self.name_of.pop(device.pk)][device.pk]
        if device.name:
            self._hold(device.pk, device.name, device.location_id, device.tenant_id)


@contextmanager
def checked_per_batch(model, instances):
    """Validate ``instances`` (of ``model``) inside the block; yields the batch's names (``ComponentNames`` or
    ``DeviceNames``, to ``take()`` each instance that passes) or None (also when this speed-up is off)."""
    names = None
    replacements = []
    if active(VALIDATION):
        if not issubclass(model, TreeNode):  # the tree does not change while the batch is validated
            replacements.append((TreeNode, "ancestors", _ancestors_once()))
        else:
            replacements.append((TreeNode, "clean", _tree_clean(model, _tree_links(model, instances))))
        replacements.append((CustomFieldManager, "get_for_model", _custom_fields_once()))
        if not has_data_validation(model):
            replacements.append((BaseValidator, "clean", _nothing_to_enforce(model._meta.label_lower)))
        if issubclass(model, ModularComponentModel):
            names = ComponentNames(model, instances)
            replacements.append((ModularComponentModel, "clean", _component_clean(names)))
        elif issubclass(model, Device):
            names = DeviceNames(instances)
            if names.mode in KNOWN_UNIQUENESS_MODES:
                replacements.append((DeviceUniquenessValidator, "clean", _device_clean(names)))
    with ExitStack() as stack:
        for owner, name, replacement in replacements:
            stack.enter_context(replaced(owner, name, replacement))
        yield names


def mark_new(objects):
    """Mark objects of one model about to be inserted as having no related objects (nothing points at them yet, and
    they get their many-to-many values once saved), so that their validation and serialization read none.
    ``.set()`` of a many-to-many value drops the mark of that relation."""
    if not objects or not active(VALIDATION):
        return
    to_many = [field.name for field in objects[0]._meta.many_to_many]
    for name, relation in backward_relations(type(objects[0])):
        if relation.one_to_one:
            for obj in objects:
                relation.set_cached_value(obj, None)
        else:
            to_many.append(name)
    for name in to_many:
        _prime_empty(objects, name)


def _prime_empty(objects, name):
    """Mark the to-many relation ``name`` of ``objects`` as prefetched and empty (one empty, never evaluated
    queryset, shared: Django reads a prefetched queryset, or builds new ones from it)."""
    manager = getattr(objects[0], name)
    empty = QuerySet(model=manager.model)
    empty.query.set_empty()  # so is anything built from it (e.g. by ``.set()``)
    empty._result_cache, empty._prefetch_done = [], True
    for obj in objects:
        obj.__dict__.setdefault("_prefetched_objects_cache", {})[manager.prefetch_cache_name] = empty


def _ancestors_once():
    ancestors = original(TreeNode, "ancestors")
    built = {}

    def ancestors_once(node, **kwargs):
        if node.pk is None:
            return ancestors(node, **kwargs)
        key = (type(node), node.pk, tuple(sorted(kwargs.items())))
        if key not in built:
            built[key] = _values_list_once(ancestors(node, **kwargs))
        return built[key]

    return ancestors_once


def _values_list_once(queryset):
    """``queryset``, its ``values_list()`` built once per arguments: every interface's ``clean()`` asks for its
    device's location's ancestors' ids (and most never evaluate them)."""
    built = {}
    values_list = queryset.values_list

    def values_list_once(*fields, **kwargs):
        key = (fields, tuple(sorted(kwargs.items())))
        if key not in built:
            built[key] = values_list(*fields, **kwargs)
        return built[key]

    queryset.values_list = values_list_once  # this object's only: a clone of it has Django's
    return queryset


def _tree_links(model, instances):
    """The links above a batch of tree nodes: new nodes are walked up through the parents attached to them; moved
    ones from the database (an earlier batch of the flush may have moved what is attached)."""
    if instances and instances[0]._state.adding:
        return TreeLinks(model, nodes=instances)
    return TreeLinks(model, parent_pks={node.parent_id for node in instances})


def _tree_clean(model, links):
    clean = original(TreeNode, "clean")

    def clean_with_batch_links(node):
        ancestors = links.ancestors(node.parent_id) if type(node) is model else None
        if ancestors is None:  # Nautobot's check reads what is not known here (and raises if it is not found)
            return clean(node)
        # TreeNode.clean(): its parents' checks, then no node among its own parent's ancestors.
        super(TreeNode, node).clean()
        if node.pk and node.pk in ancestors:
            raise ValidationError(_("A node cannot be made a descendant of itself."))
        return None

    return clean_with_batch_links


def _custom_fields_once():
    """``CustomFieldManager.get_for_model`` answering once per model (class or instance) and options, as Nautobot
    caches its answers."""
    get_for_model = original(CustomFieldManager, "get_for_model")
    answers = {}

    def get_for_model_once(manager, model, exclude_filter_disabled=False, get_queryset=True):
        key = (model._meta.concrete_model, exclude_filter_disabled, get_queryset)
        if key not in answers:
            answers[key] = get_for_model(manager, model, exclude_filter_disabled, get_queryset)
        return answers[key]

    return get_for_model_once


def _component_clean(names):
    clean = original(ModularComponentModel, "clean")

    def clean_with_batch_names(component):
        if component.module_id is not None:
            return clean(component)
        # Nautobot's checks of a module-less component: its parents' checks, the name (here from the batch's set)
        # and that it has a device.
        super(ModularComponentModel, component).clean()
        names.check(component)
        if component.device_id is None:
            raise ValidationError("Either device or module must be set")
        return None

    return clean_with_batch_names


def _device_clean(names):
    clean = original(DeviceUniquenessValidator, "clean")

    def clean_with_batch_names(validator):
        device = validator.context["object"]
        if not device.name:  # whether a name is required: Nautobot's validator decides
            return clean(validator)
        names.check(device)
        return None

    return clean_with_batch_names


def _nothing_to_enforce(label):
    clean = original(BaseValidator, "clean")

    def clean_without_rules(validator, exclude_disabled_rules=True):
        if exclude_disabled_rules and validator.model == label:
            return None
        return clean(validator, exclude_disabled_rules)

    return clean_without_rules


def validates_batches(model):
    """Whether objects of ``model`` can be validated a batch at a time. Nautobot's name checks of devices and device
    components look in the database only: without this speed-up's per-batch names, two new objects of one batch
    could take one name, so they are validated (and written) one by one."""
    return active(VALIDATION) or not issubclass(model, (Device, ModularComponentModel))
