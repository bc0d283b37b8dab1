"""A reviewed dry-run as a diff to apply as it was reviewed, and the drift check that guards it.

A dry-run's planned change records hold, for each object, its identifiers, where it sits in the diff (``parents``)
and its attribute values before and after. ``PlanDiff`` rebuilds diffsync's ``Diff`` from them, with no source load
and no recomputed diff, so the job's own models write it through diffsync's syncer as they would have then. Before
an object goes into that diff, its current state in the target is compared with the plan's "before": an object that
drifted since the review is left out and reported, never written.
"""

import json
from dataclasses import dataclass
from functools import cache

from diffsync.diff import DiffElement
from pydantic import TypeAdapter, ValidationError

from nautobot_data_sync.choices import ChangeActionChoices
from nautobot_data_sync.encoders import AttributeEncoder


class PlanError(Exception):
    """The plan cannot be applied: say which record and why."""


@dataclass(frozen=True)
class PlannedChange:
    """One planned change record, as stored (JSON values)."""

    model_name: str
    unique_id: str
    action: str
    identifiers: dict
    parents: list
    before: dict | None
    after: dict | None
    object_id: object = None  # the Nautobot object the record is linked to (a deleted one: the one it was)


@dataclass(frozen=True)
class Drift:
    """A planned change not applied: ``why``, and ``current`` (the object's values of the plan's attributes now)."""

    change: PlannedChange
    why: str
    current: dict | None


def as_stored(value):
    """``value`` as a change record stores it (JSON), so current values compare with recorded ones."""
    return json.loads(json.dumps(value, cls=AttributeEncoder))


@cache
def _type_adapter(model_class, name):
    field = model_class.model_fields.get(name)
    return TypeAdapter(field.annotation) if field is not None and field.annotation is not None else None


def typed(model_class, values, change):
    """Recorded (JSON) ``values`` of ``model_class``'s fields as the model's own types (pydantic's validation), so
    create() and update() get what they got when the diff was calculated (dates, addresses, tuples...)."""
    result = {}
    for name, value in values.items():
        adapter = _type_adapter(model_class, name)
        try:
            result[name] = adapter.validate_python(value) if adapter is not None else value
        except ValidationError as error:
            raise PlanError(
                f"{change.model_name} {change.unique_id!r}: the plan's value of {name!r} ({value!r}) is not a valid "
                f"{model_class.__name__}.{name} any more: {error.errors()[0]['msg']}"
            ) from None
    return result


class PlanDiff:
    """Builds ``diff_class`` from ``changes`` (in their recorded order) against the loaded ``target`` adapter.

    ``diff``: the changes still applicable; ``drifts``: those that are not; ``carriers``: ids of the elements that
    only hold others (an unchanged or drifted object above a planned change), applied and recorded as nothing.
    """

    def __init__(self, changes, target, diff_class):
        self.target = target
        self.diff_class = diff_class
        self.diff = diff_class()
        self.drifts = []
        self.carriers = set()
        self._elements = {}
        for change in changes:
            self._add(change)

    def _model_class(self, model_name, change):
        model_class = getattr(self.target, model_name, None)
        if not isinstance(model_class, type):
            raise PlanError(
                f"{change.model_name} {change.unique_id!r}: the target adapter {type(self.target).__name__} has no "
                f"model {model_name!r} any more; the plan was made by another version of the job"
            )
        return model_class

    def _place(self, element, parent):
        (parent.child_diff if parent is not None else self.diff).add(element)
        self._elements[(element.type, element.name)] = element

    def _carrier(self, model_name, identifiers, parent, change):
        """The element of an object above a planned change: the one already built, else one that changes nothing."""
        model_class = self._model_class(model_name, change)
        keys = typed(model_class, identifiers, change)
        unique_id = model_class.create_unique_id(**keys)
        element = self._elements.get((model_name, unique_id))
        if element is None:
            element = DiffElement(model_name, unique_id, keys, diff_class=self.diff_class)
            element.add_attrs(source={}, dest={})
            self.carriers.add(id(element))
            self._place(element, parent)
        return element

    def _add(self, change):
        parent = None
        for model_name, identifiers in change.parents or ():
            parent = self._carrier(model_name, identifiers, parent, change)
        model_class = self._model_class(change.model_name, change)
        keys = typed(model_class, change.identifiers, change)
        unique_id = model_class.create_unique_id(**keys)
        element = self._elements.get((change.model_name, unique_id))
        if element is None:
            element = DiffElement(change.model_name, unique_id, keys, diff_class=self.diff_class)
            self._place(element, parent)
        elif id(element) in self.carriers:  # placed earlier to hold a change recorded before this one
            self.carriers.discard(id(element))
        else:
            raise PlanError(f"{change.model_name} {unique_id!r} is planned twice")
        drift = self._drift(change, self.target.get_or_none(model_class, unique_id))
        before = typed(model_class, change.before, change) if change.before is not None else None
        after = typed(model_class, change.after, change) if change.after is not None else None
        if drift is not None:
            self.drifts.append(drift)
            before = after = {}  # kept only to hold what is planned under it
            self.carriers.add(id(element))
        elif change.action == ChangeActionChoices.CREATE:
            before = None
        elif change.action == ChangeActionChoices.DELETE:
            after = None
        element.source_attrs, element.dest_attrs = after, before

    @staticmethod
    def _drift(change, current):
        """Why ``change`` no longer applies to the object as it is now (``current``: its diffsync model, or None)."""
        if change.action == ChangeActionChoices.CREATE:
            if current is not None:
                return Drift(change, "Drifted: it exists already.", as_stored(current.get_attrs()))
            return None
        if current is None:
            return Drift(change, "Drifted: it does not exist any more.", None)
        now = as_stored({name: getattr(current, name, None) for name in change.before or {}})
        moved = {name: value for name, value in (change.before or {}).items() if now.get(name) != value}
        if not moved:
            return None
        shown = "; ".join(f"{name} is {now.get(name)!r}, the plan found {value!r}" for name, value in moved.items())
        return Drift(change, f"Drifted since the plan: {shown}.", now)
