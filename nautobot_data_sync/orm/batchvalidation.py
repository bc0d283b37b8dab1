"""Validation of a batch of queued creates or updates: references, fields, the model's checks and uniqueness.

Each object gets its full ``clean()`` (field checks, the model's ``clean()`` with Nautobot's custom validators and
data-compliance rules), answered per batch where Nautobot queries per object (``speedups.validation``). Foreign keys
are read with one query per key (honouring ``limit_choices_to``) and attached to the objects, so that validation
and serialization reuse them; so are an updated device's software image files, which its ``clean()`` reads, and
the parents of the tree nodes they refer to, up to the roots (an interface's ``clean()`` walks its device's
location's ancestors), one query per level.
Uniqueness is checked with one query per unique constraint, against the batch and the database. An object that
fails is reported with the declared names of its fields; one whose parent was not written is skipped.
"""

from functools import cache as memoize
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from nautobot.dcim.models import Device
from taggit.managers import TaggableManager
from tree_queries.models import TreeNode

from nautobot_data_sync.modelmeta import foreign_keys
from nautobot_data_sync.orm.errors import ReferenceNotFound
from nautobot_data_sync.orm.prefetching import prefetch_parents, reached
from nautobot_data_sync.speedups.validation import checked_per_batch


class BatchValidator:
    """Validates batches of queued writes to the target of ``adapter``, reporting failures to ``outcomes``."""

    def __init__(self, adapter, outcomes):
        self.adapter = adapter
        self.outcomes = outcomes

    def validate(self, model, items, creating, created):
        """The items that pass reference, field, model and uniqueness checks; the others are reported. ``created``:
        ``{pk: instance}`` of the objects created in this flush (referable before they are read back)."""
        items = self._resolve_many(items)
        items = self._attach_references(model, items, created)
        if not creating:
            prefetch_related_objects([item.instance for item in items], *_own_read_by_clean(model))
        fk_names = [fk.name for fk in foreign_keys(model)]
        valid = []
        with checked_per_batch(model, [item.instance for item in items]) as batch_names:
            for item in items:
                try:
                    item.instance.full_clean(exclude=fk_names, validate_unique=False, validate_constraints=False)
                except ValidationError as error:
                    self.outcomes.invalid(item, error)
                    continue
                except Exception as error:  # any error in a model's clean() is this object's failure
                    message = f"{item.model_class._modelname} {item.unique_id!r}: {error}"
                    self.outcomes.failed(item, f"{type(error).__name__}: {message}")
                    continue
                valid.append(item)
                if batch_names:
                    batch_names.take(item.instance)
        return self._check_uniqueness(model, valid, creating)

    def _resolve_many(self, items):
        """Resolve many-to-many values now that what they name (created in this sync) is written."""
        resolved = []
        for item in items:
            try:
                item.model_class.resolve_many(self.adapter, item.resolved, item.unique_id)
            except ReferenceNotFound as error:
                self.outcomes.failed(item, f"ReferenceNotFound: {error}")
                continue
            resolved.append(item)
        return resolved

    def _attach_references(self, model, items, created):
        """Read every foreign key's targets once; report objects whose reference is missing, failed or invalid."""
        usable = []
        related = {}
        instances = [item.instance for item in items]
        for fk in foreign_keys(model):
            wanted = set(map(attrgetter(fk.attname), instances)) - {None} - set(created)
            query = fk.related_model._base_manager.filter(pk__in=wanted)
            if limit := fk.get_limit_choices_to():
                query = query.complex_filter(limit)
            related[fk] = query.in_bulk() if wanted else {}
            targets = list(related[fk].values())
            prefetch_related_objects(targets, *_read_by_clean(fk.related_model))
            for tree_key in _tree_keys(fk.related_model):  # an interface's clean() walks its device's location up
                prefetch_parents(reached(targets, tree_key))
        for item in items:
            problem = None
            for fk, found in related.items():
                value = getattr(item.instance, fk.attname)
                if value is None:
                    if not fk.null:
                        problem = ValidationError({fk.name: ["This field cannot be null."]})
                    continue
                if value in self.outcomes.unwritten:
                    problem = fk.name
                    break
                target = created.get(value) or found.get(value)
                if target is None:
                    message = f"{fk.related_model._meta.verbose_name} instance with id {value} is not a valid choice."
                    problem = ValidationError({fk.name: [message]})
                    break
                setattr(item.instance, fk.name, target)
            if problem is None:
                usable.append(item)
            elif isinstance(problem, str):
                self.outcomes.skipped(item, f"skipped: its {problem} was not written")
            else:
                self.outcomes.invalid(item, problem)
        return usable

    def _check_uniqueness(self, model, items, creating):
        """Report objects that would break a unique constraint, against the batch and the database."""
        own_pks = {item.pk for item in items}
        for names in unique_field_sets(model):
            attnames = [model._meta.get_field(name).attname for name in names]
            values_of, single = attrgetter(*attnames), len(attnames) == 1
            keys = {}
            kept = []
            for item in items:
                key = (values_of(item.instance),) if single else values_of(item.instance)
                if None in key:
                    kept.append(item)
                elif key in keys:
                    self._not_unique(item, model, names)
                else:
                    keys[key] = item
                    kept.append(item)
            if keys:  # rows matching each field's values: a superset of the keys' rows, matched exactly below
                lookups = {f"{attname}__in": {key[index] for key in keys} for index, attname in enumerate(attnames)}
                for pk, *values in model._base_manager.filter(**lookups).values_list("pk", *attnames):
                    item = keys.get(tuple(values))
                    if item is not None and pk != item.pk and (creating or pk not in own_pks):
                        self._not_unique(item, model, names)
                        kept.remove(item)
            items = kept
        return items

    def _not_unique(self, item, model, names):
        message = " ".join(item.instance.unique_error_message(model, tuple(names)).messages)
        self.outcomes.failed(
            item, f"ObjectValidationError: {item.model_class._modelname} {item.unique_id!r}: {message}"
        )


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


@memoize
def _tree_keys(model):
    """The names of ``model``'s foreign keys to tree models (a device's location), whose ancestors ``clean()`` reads."""
    return [fk.name for fk in foreign_keys(model) if issubclass(fk.related_model, TreeNode)]


def _own_read_by_clean(model):
    """What ``model``'s own ``clean()`` reads of the object's many-to-many values, to read once per batch of updates
    (new objects have none: ``validation.mark_new()``): a device's software image files, with their device types."""
    return ["software_image_files__device_types"] if issubclass(model, Device) else []
