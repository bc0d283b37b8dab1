"""A sync's deletes of declarative models, done at its end: in a safe order, never taking with them what it keeps.

The writer holds every delete until the creates and updates are written (``BulkWriter.finish()``), so an update
that moves a child to another parent comes first. Then, in ``order.deletion_order()`` (what refers to an object
before it, a tree's children before their parents, one level at a time):

* an object already gone succeeded;
* a delete that protected foreign keys block (other than by objects deleted here) fails, and the deletes of what
  belongs to it are skipped: a device that cannot go keeps its interfaces (a tree's child is not held by its parent).
  Checked up front for the models a protected or restricted key can reach (``can_be_refused()``: a device, not an
  interface);
* a delete that would take with it, by cascade, an object the sync keeps fails (``cascades``);
* the others are deleted: in bulk, a batch at a time with one Django ``Collector`` (which cascades and sends the
  delete signals, as ``delete()`` does) in a savepoint, its change records built while the objects still exist and
  inserted with the delete; one by one, with the object's own ``delete()`` in a savepoint (Nautobot logs it).

A model with a ``delete()`` of its own (a prefix re-parents its children) is not judged by what the ``Collector``
would protect: its ``delete()`` decides, as it does outside a sync.
"""

from functools import cache
from itertools import groupby
from operator import itemgetter

from django.db import router, transaction
from django.db.models import CASCADE, DO_NOTHING, SET_DEFAULT, SET_NULL, ProtectedError, RestrictedError
from django.db.models.deletion import Collector, get_candidate_relations_to_delete

from nautobot_data_sync.modelmeta import foreign_keys
from nautobot_data_sync.orm.cascades import Cascades
from nautobot_data_sync.orm.messages import protected_message
from nautobot_data_sync.orm.order import deletion_order, tree_keys
from nautobot_data_sync.speedups import savetime

REFUSED = (ProtectedError, RestrictedError)
NEVER_REFUSING = (CASCADE, SET_NULL, SET_DEFAULT, DO_NOTHING)
"""Django's ``on_delete`` handlers that never refuse a delete (``PROTECT``, ``RESTRICT`` and any other may)."""


class Deleter:
    """Deletes the queued deletes of one sync (``{model: items}``); outcomes go to ``outcomes``, records to
    ``change_log``; ``in_bulk(model_class)`` tells which are written in batches, ``batches(items)`` cuts them."""

    def __init__(self, adapter, outcomes, change_log, batches, in_bulk):
        self.adapter = adapter
        self.outcomes = outcomes
        self.change_log = change_log  # a ChangeLog, or None outside Nautobot's change-logging context
        self.batches = batches
        self.in_bulk = in_bulk

    def delete_all(self, queue):
        cascades = Cascades(self.adapter, self.outcomes)
        order = self._deletable(deletion_order(self._present(queue)))
        for model, levels in groupby(order, key=itemgetter(0)):
            with savetime.tree_upkeep_once(model) as parents:
                for _, items in levels:
                    self._delete_level(model, items, cascades, parents)

    def _delete_level(self, model, items, cascades, parents):
        """Delete ``items`` (of one tree level), in batches or one by one as ``in_bulk`` says."""
        for bulk, run in groupby(items, key=lambda item: self.in_bulk(item.model_class)):
            for batch in self.batches(list(run)):
                batch, collector = cascades.taking_nothing_kept(model, batch)
                if bulk:
                    self._delete_batch(model, batch, collector, parents)
                else:
                    self._delete_each(batch)

    def _present(self, queue):
        """``queue`` with each item's instance, but for objects already gone (reported succeeded)."""
        present = {}
        for model, items in queue.items():
            instances = model._base_manager.in_bulk([item.pk for item in items])
            for item in items:
                item.instance = instances.get(item.pk)
                if item.instance is None:
                    self.outcomes.succeeded([item])
                else:
                    present.setdefault(model, []).append(item)
        return present

    def _deletable(self, order):
        """``order`` (``[(model, items)]``, children first) without the refused deletes and what belongs to them."""
        going = {item.pk for _, items in order for item in items}
        refused = set()
        for model, levels in groupby(order, key=itemgetter(0)):
            if savetime.deletes_as_collected(model) and can_be_refused(model):  # all levels: a collect walks below
                items = [item for _, level in levels for item in level]
                for batch in self.batches(items):
                    refused.update(item.pk for item in self._protected(model, batch, going - refused))
        deletable = []
        for model, items in reversed(order):  # parents first: what belongs to a refused object stays
            keys = [fk.attname for fk in foreign_keys(model) if fk.attname not in tree_keys(model)]
            kept = []
            for item in items:
                if item.pk in refused:
                    continue
                if any(getattr(item.instance, key) in refused for key in keys):
                    refused.add(item.pk)
                    self.outcomes.skipped(item, "skipped: what it belongs to could not be deleted")
                else:
                    kept.append(item)
            deletable.append((model, kept))
        return deletable[::-1]

    def _protected(self, model, items, going):
        """The items that protected foreign keys of objects not in ``going`` keep; they are reported failed."""
        using = router.db_for_write(model)
        try:
            Collector(using=using).collect([item.instance for item in items])
            return []
        except REFUSED:
            pass
        kept = []
        for item in items:
            try:
                Collector(using=using).collect([item.instance])
            except REFUSED as error:
                blocking = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
                if all(obj.pk in going for obj in blocking):
                    continue
                self.outcomes.failed(item, self._protected_message(item, error))
                kept.append(item)
        return kept

    def _delete_batch(self, model, items, collector, parents):
        """Delete one batch of ``model`` objects with what cascades from them (``collector``: collected for them, or
        None); their parents go to ``parents`` (the tree upkeep's)."""
        if not items:
            return
        if collector is None:
            collector = Collector(using=router.db_for_write(model))
            try:
                collector.collect([item.instance for item in items])
            except REFUSED as error:  # kept by an object whose own delete was skipped
                for item in items:
                    self.outcomes.failed(item, self._protected_message(item, error))
                return
        parents.update(savetime.tree_parents(model, [item.instance for item in items]))
        records = self.change_log.before_delete(collector.data) if self.change_log else []
        with transaction.atomic(), savetime.change_logging_paused():
            savetime.delete_attachments(collector.data)
            collector.delete()
            if self.change_log:
                self.change_log.deleted(records)
        self.outcomes.succeeded(items)

    def _delete_each(self, items):
        """Delete each object with its own ``delete()``: Nautobot's signals log it, its savepoint isolates it."""
        for item in items:
            try:
                with transaction.atomic():
                    item.instance.delete()
            except REFUSED as error:
                self.outcomes.failed(item, self._protected_message(item, error))
            except Exception as error:  # as the executor does: any error of delete() is this object's failure
                self.outcomes.failed(item, f"{type(error).__name__}: {error}")
            else:
                self.outcomes.succeeded([item])

    @staticmethod
    def _protected_message(item, error):
        return f"ObjectProtected: {item.model_class._modelname} {item.unique_id!r} {protected_message(error)}"


@cache
def can_be_refused(model):
    """Whether a ``Collector`` can refuse to delete ``model`` objects: some foreign key whose ``on_delete`` may refuse
    (``PROTECT``, ``RESTRICT``, a handler of its own) points at them or at what their delete cascades to (by foreign
    key or generic relation), as ``Collector.collect()`` walks it. Models are set when Django starts: once per
    process."""
    seen, pending = {model}, [model]
    while pending:
        current = pending.pop()
        reached = [
            field.related_model for field in current._meta.private_fields if hasattr(field, "bulk_related_objects")
        ]
        for relation in get_candidate_relations_to_delete(current._meta):
            on_delete = relation.field.remote_field.on_delete
            if on_delete not in NEVER_REFUSING:
                return True
            if on_delete is CASCADE:
                reached.append(relation.related_model)
        for related in reached:
            if related not in seen:
                seen.add(related)
                pending.append(related)
    return False
