"""Per-batch answers to the per-object work of Nautobot's own ``clean()`` methods, while a bulk batch is validated.

Bulk mode runs each object's full ``clean()`` (the model's checks, custom validators, data-compliance rules). Two
parts of Nautobot's checks do per object what a batch can do once; inside ``checked_per_batch()`` only:

* device components (interfaces, ports, bays...): ``ModularComponentModel.clean()`` sends a query per component to
  check that no other module-less component of its device has its name. Here the names taken are read with one
  query for the batch, and a component validated earlier in the batch takes its name, as saving it one by one
  would have. Components on a module still go through Nautobot's own method, unchanged;
* tree nodes (locations...): ``ancestors()`` builds a new query at each call (every interface's ``clean()`` asks
  for its device's location's ancestors); here each node's is built once, unless the batch is of a tree model.

Both replace the Nautobot method for the length of the block; validation runs in the job's own thread.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from nautobot.dcim.models.device_components import ModularComponentModel
from tree_queries.models import TreeNode


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


@contextmanager
def checked_per_batch(model, instances):
    """Validate ``instances`` (of ``model``) inside the block; yields the batch's ``ComponentNames`` or None."""
    names = ComponentNames(model, instances) if issubclass(model, ModularComponentModel) else None
    replaced = []
    if not issubclass(model, TreeNode):  # the tree does not change while the batch is validated
        replaced.append((TreeNode, "ancestors", _ancestors_once(TreeNode.ancestors)))
    if names:
        replaced.append((ModularComponentModel, "clean", _component_clean(ModularComponentModel.clean, names)))
    originals = [(owner, name, vars(owner)[name]) for owner, name, _ in replaced]
    try:
        for owner, name, replacement in replaced:
            setattr(owner, name, replacement)
        yield names
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def _ancestors_once(ancestors):
    built = {}

    def ancestors_once(node, **kwargs):
        if node.pk is None:
            return ancestors(node, **kwargs)
        key = (type(node), node.pk, tuple(sorted(kwargs.items())))
        if key not in built:
            built[key] = ancestors(node, **kwargs)
        return built[key]

    return ancestors_once


def _component_clean(clean, names):
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
