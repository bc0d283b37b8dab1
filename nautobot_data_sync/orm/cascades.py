"""What a delete would take with it by cascade that the sync keeps: such a delete is refused.

Nautobot deletes by cascade what refers to a deleted object through a CASCADE foreign key: a location's child
locations, a device's interfaces. The writer deletes children first, so a planned delete's cascade finds none of
them left; what it still finds of the models the target adapter loads, and the adapter still holds, the sync keeps:
the source still has it (a location whose parent the source dropped, but not the location), the sync created it, or
it is not the job's to delete (``delete_only_owned``). Objects of models
the adapter does not load (a device's console ports when only devices are declared) go with what they belong to, as
in Nautobot's UI. (Nautobot listens to every model's delete signals, so the ``Collector`` fast-deletes none of
them: all it would delete is in its ``data``.)
"""

from django.db import router
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector

from nautobot_data_sync.orm.messages import cascade_message


class Cascades:
    """Checks one sync's deletes against what the target ``adapter`` holds; refusals go to ``outcomes``."""

    def __init__(self, adapter, outcomes):
        self.adapter = adapter
        self.outcomes = outcomes
        self._held = None  # {concrete Django model: pks}, read once the creates, updates and removals are done

    def taking_nothing_kept(self, model, items):
        """``(items, collector)``: the items (of ``model``, instances loaded) whose delete removes nothing the sync
        keeps, the others reported failed; and their collected ``Collector`` when that is all of them, else None."""
        using = router.db_for_write(model)
        collector = Collector(using=using)
        try:
            collector.collect([item.instance for item in items])
        except (ProtectedError, RestrictedError):  # the delete reports it, or a delete() of its own decides
            return items, None
        if not self._kept(collector, {item.pk for item in items}):
            return items, collector
        taking_nothing = []
        for item in items:
            collector = Collector(using=using)
            try:
                collector.collect([item.instance])
            except (ProtectedError, RestrictedError):  # restricted but for the rest of the batch: as above
                taking_nothing.append(item)
                continue
            kept = self._kept(collector, {item.pk})
            if kept:
                named = f"{item.model_class._modelname} {item.unique_id!r}"
                self.outcomes.failed(item, f"ObjectProtected: {named} {cascade_message(kept)}")
            else:
                taking_nothing.append(item)
        return taking_nothing, None

    def _kept(self, collector, deleting):
        """What ``collector`` would delete that the adapter holds, but for ``deleting`` (the deletes' own pks)."""
        held = self._held_pks()
        kept = []
        for model, objects in collector.data.items():
            pks = held.get(model._meta.concrete_model)
            if pks:
                kept += [obj for obj in objects if obj.pk in pks and obj.pk not in deleting]
        return kept

    def _held_pks(self):
        if self._held is None:
            self._held = {}
            for model_class in self.adapter.declared_models():
                pks = self._held.setdefault(model_class._model._meta.concrete_model, set())
                pks.update(model.pk for model in self.adapter.get_all(model_class) if model.pk is not None)
        return self._held
