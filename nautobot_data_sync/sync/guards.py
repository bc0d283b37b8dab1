"""Guards on a calculated diff: the delete guard, and attributes the target's models do not own.

The delete guard: a sync whose source answered empty or cut short must not delete half of the target.

Before anything is written, the planned deletes of each model are compared with what the target holds of that model
(what its adapter loaded: the job's scope). A model is blocked when its deletes are more than ``limit`` in number, or
more than ``fraction`` of its count (a model with ``floor`` deletes or fewer is never blocked by the fraction: a small
lab may lose three of its ten devices); and, whatever the numbers, when the source loaded none of a model it would
delete objects of. Works on any diffsync adapters, declarative or hand-written.
"""

from collections import Counter
from dataclasses import dataclass

from nautobot_data_sync.sync.recorder import iter_elements


@dataclass(frozen=True)
class DeleteGuard:
    """The limits of one run: ``fraction`` of a model's count, at most ``limit`` deletes per model."""

    fraction: float = 0.2
    limit: int = 1000
    floor: int = 10

    def refuses(self, deletes, count):
        """Why ``deletes`` planned deletes of a model the target holds ``count`` of are refused, or None."""
        if deletes > self.limit:
            return f"{deletes:,} planned deletes of {count:,}, more than the limit of {self.limit:,}"
        if deletes > self.floor and deletes > self.fraction * count:
            return f"{deletes:,} planned deletes of {count:,}, more than {self.fraction:.0%}"
        return None


@dataclass(frozen=True)
class BlockedModel:
    """Why the deletes of one model are refused."""

    model: str
    deletes: int
    count: int
    reason: str

    def __str__(self):
        return f"{self.model}: {self.reason}"


def planned_deletes(diff, kept=frozenset()):
    """``{model type: number of deletes}`` of ``diff``, children included, but for the elements in ``kept``."""
    return Counter(
        element.type for element in iter_elements(diff) if element.action == "delete" and id(element) not in kept
    )


def blocked_models(diff, source_count, target, guard, kept=frozenset()):
    """The models whose planned deletes ``guard`` refuses, and those with planned deletes the source loaded none of
    (``source_count(model)``: how many it loaded, None if it has no such model; ``kept``: ids of delete elements that
    will not be done)."""
    blocked = []
    deletes_by_model = planned_deletes(diff, kept)
    for model, deletes in sorted(deletes_by_model.items()):
        count = len(target.get_all(model))
        if reason := guard.refuses(deletes, count):
            blocked.append(BlockedModel(model, deletes, count, reason))
    refused = {entry.model for entry in blocked}
    for model in sorted(set(deletes_by_model) - refused):
        if source_count(model) == 0:
            count = len(target.get_all(model))
            reason = f"the source loaded none, the target holds {count:,}"
            blocked.append(BlockedModel(model, deletes_by_model[model], count, reason))
    return blocked


def leave_not_owned(diff, target):
    """Take the attributes the target's models do not own (``_not_owned``: set when the sync creates an object, never
    overwritten) out of the comparison of objects both sides have, so that no update writes them."""
    for element in iter_elements(diff):
        if element.source_attrs is None or element.dest_attrs is None:
            continue
        not_owned = getattr(getattr(target, element.type, None), "_not_owned", ())
        if not_owned:
            element.source_attrs = {key: value for key, value in element.source_attrs.items() if key not in not_owned}
            element.dest_attrs = {key: value for key, value in element.dest_attrs.items() if key not in not_owned}
