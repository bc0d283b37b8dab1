"""Queued deletes: which can go, then each batch removed with its change records.

A delete that protected foreign keys block (other than by objects deleted in the same flush) is reported failed,
and the queued deletes of what belongs to it are skipped: a device that cannot go keeps its interfaces. Each batch
is removed with one Django ``Collector`` (which cascades and sends the delete signals, as ``delete()`` does) in a
savepoint, its change records built while the objects still exist and inserted with the delete.
"""

from django.db import router, transaction
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector

from nautobot_data_sync.modelmeta import foreign_keys
from nautobot_data_sync.orm.messages import protected_message
from nautobot_data_sync.speedups import savetime


class Deleter:
    """Plans and writes the queued deletes of one flush; outcomes go to ``outcomes``, records to ``change_log``."""

    def __init__(self, outcomes, change_log, batches):
        self.outcomes = outcomes
        self.change_log = change_log  # a ChangeLog, or None outside Nautobot's change-logging context
        self.batches = batches  # batches(items): the items in batches of the writer's size

    def deletable(self, queue, order):
        """``{model: items}`` of ``queue`` (``{model: items}``) that can be deleted; ``order``: the models of the queue,
        parents first."""
        present = {}
        for model in order:
            instances = model._base_manager.in_bulk([item.pk for item in queue[model]])
            for item in queue[model]:
                item.instance = instances.get(item.pk)
                if item.instance is None:  # already gone, e.g. deleted with its parent
                    self.outcomes.succeeded([item])
                else:
                    present.setdefault(model, []).append(item)
        going = {item.pk for items in present.values() for item in items}
        refused = set()
        for model in reversed([model for model in order if model in present]):  # children first, as deleted
            for batch in self.batches(present[model]):
                refused.update(item.pk for item in self._protected(model, batch, going - refused))
        deletable = {}
        for model in order:  # parents first: what belongs to a refused object stays
            for item in present.get(model, ()):
                if item.pk in refused:
                    continue
                if any(getattr(item.instance, fk.attname) in refused for fk in foreign_keys(model)):
                    refused.add(item.pk)
                    self.outcomes.skipped(item, "skipped: what it belongs to could not be deleted")
                else:
                    deletable.setdefault(model, []).append(item)
        return deletable

    def delete(self, model, items):
        """Delete one batch of ``model`` objects (all deletable), with what cascades from them."""
        collector = Collector(using=router.db_for_write(model))
        try:
            collector.collect([item.instance for item in items])
        except (ProtectedError, RestrictedError) as error:  # kept by an object whose own delete was skipped
            for item in items:
                self.outcomes.failed(item, self._protected_message(item, error))
            return
        savetime.tree_changed(model, savetime.tree_parents(model, [item.instance for item in items]))
        records = self.change_log.before_delete(collector.data) if self.change_log else []
        with transaction.atomic(), savetime.change_logging_paused():
            savetime.delete_attachments(collector.data)
            collector.delete()
            if self.change_log:
                self.change_log.deleted(records)
        self.outcomes.succeeded(items)

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
                self.outcomes.failed(item, self._protected_message(item, error))
                kept.append(item)
        return kept

    @staticmethod
    def _protected_message(item, error):
        return f"ObjectProtected: {item.model_class._modelname} {item.unique_id!r} {protected_message(error)}"
