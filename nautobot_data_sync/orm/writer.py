"""Bulk writes of declarative models: queued, then flushed in validated, change-logged batches.

In bulk mode ``NautobotModel.create()/update()`` resolve references and queue the write here instead of saving.
``flush()`` (when ``batch_size`` writes are queued, before any per-object write, and when the sync ends) writes per
Django model and batch: creates in dependency order (parents first; a model's own tree in generations), then
updates. Deletes of declarative models are held until ``finish()``, after every create and update of the sync, and
done children first (``deletes``): in one-by-one mode too, so a sync of declarative models always has a writer. For
each batch of creates or updates:

* validation (``batchvalidation``): references attached, each object's full ``clean()``, uniqueness per batch;
* writing: ``bulk_create`` / ``bulk_update`` in a savepoint (as ``COPY`` and a ``VALUES`` join: ``speedups.copyrows``,
  ``speedups.valuesupdate``); if the database still refuses the batch, its objects are written one by one to
  isolate the failure; then many-to-many values (per field for the batch: ``speedups.manytomany``), relationships
  and what ``save()`` would have done (``speedups.savetime``);
* the change log (``changerecords``): ObjectChange records as Nautobot would write them, attributed to the job's
  user and request id, so Nautobot's change log, job hooks, webhooks and events see every object.

Models whose ``save()``, ``delete()`` or save signals do anything the bulk path does not reproduce (e.g. IP
addresses and prefixes, which find their parents) are written one by one (``accepts()``), as are models with a
declared many-to-many field whose related objects Nautobot logs a change of too
(``speedups.manytomany.logs_related_objects()``).
"""

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone
from nautobot.extras.signals import change_context_state

from nautobot_data_sync.orm import relationships
from nautobot_data_sync.orm.batchvalidation import BatchValidator
from nautobot_data_sync.orm.changerecords import ChangeLog
from nautobot_data_sync.orm.deletes import Deleter
from nautobot_data_sync.orm.model import NautobotModel
from nautobot_data_sync.orm.order import dependency_order, generations
from nautobot_data_sync.orm.outcomes import Outcomes
from nautobot_data_sync.orm.pending import CREATE, DELETE, UPDATE
from nautobot_data_sync.speedups import heap, manytomany, savetime, validation
from nautobot_data_sync.speedups.config import read_once
from nautobot_data_sync.speedups.copyrows import insert_rows
from nautobot_data_sync.speedups.valuesupdate import update_rows


class BulkWriter:
    """Queues the writes of one sync and flushes them in batches; see the module docstring.

    ``report(element, status, message, obj=None)`` receives every queued write's outcome (and object) when it is
    written. The executor calls ``begin(element)`` before a model's create/update/delete, flushes before a write that
    ``accepts()`` refuses (it may depend on queued ones) and when the writer is ``full``, and calls ``finish()`` when
    the sync ends.
    """

    def __init__(self, adapter, report, batch_size=1000, default=True):
        self.adapter = adapter
        self.batch_size = batch_size
        self.default = default  # bulk mode of models that do not choose (``NautobotModel._bulk_mode`` None)
        self.element = None  # the diff element whose write is being queued
        self.queued_element = None  # the last element queued here (not written at once)
        change_context = change_context_state.get()
        self.change_log = ChangeLog(change_context) if change_context else None
        self.outcomes = Outcomes(adapter, report)
        self.validator = BatchValidator(adapter, self.outcomes)
        self.deleter = Deleter(adapter, self.outcomes, self.change_log, self._batches, self._deletes_in_bulk)
        self._queues = _empty_queues()
        self._queued = 0  # creates and updates: deletes wait for finish()
        self._created = {}  # pk -> instance queued or written in the current flush
        self._in_bulk_answers = {}  # (model class, operation) -> _in_bulk(), decided once per sync

    # Queuing

    def accepts(self, model_class, operation):
        """Whether ``operation`` of diffsync model class ``model_class`` is queued here (else written at once): creates
        and updates in bulk mode, and every delete of a declarative model."""
        if not (isinstance(model_class, type) and issubclass(model_class, NautobotModel)):
            return False
        return operation == DELETE or self._in_bulk(model_class, operation)

    @staticmethod
    def only_queues(model_class, operation):
        """Whether ``operation`` of a model class whose writes are queued here writes nothing at once: the declarative
        model's own method, not an override that may write before queuing (the executor then needs no savepoint)."""
        return next(klass for klass in model_class.__mro__ if operation in vars(klass)) is NautobotModel

    def _in_bulk(self, model_class, operation):
        """Whether ``operation`` of ``model_class`` is written in bulk; decided at its first write, for the sync (it
        reads the model's save signal receivers, asked for every object written)."""
        key = (model_class, operation)
        if key not in self._in_bulk_answers:
            self._in_bulk_answers[key] = self._decide_in_bulk(model_class, operation)
        return self._in_bulk_answers[key]

    def _decide_in_bulk(self, model_class, operation):
        bulk = model_class._bulk_mode
        bulk = self.default if bulk is None else bulk
        model = model_class._model
        return (
            bool(bulk)
            and savetime.writes_in_bulk(model, operation)
            and validation.validates_batches(model)
            and (operation == DELETE or not manytomany.logs_related_objects(model_class.plan()))
        )

    def _deletes_in_bulk(self, model_class):
        return self._in_bulk(model_class, DELETE)

    def begin(self, element):
        """The executor is about to apply ``element``: what is queued next is reported against it."""
        self.element, self.queued_element = element, None

    def queue(self, operation, item):
        item.element = self.element
        self._queues[operation][item.model_class._model].append(item)
        if operation == CREATE:
            self._created[item.pk] = item.instance
        if operation != DELETE:
            self._queued += 1
        self.queued_element = self.element

    @property
    def full(self):
        return self._queued >= self.batch_size

    # Flushing

    def flush(self):
        """Write the queued creates and updates; each write's outcome goes to ``report``."""
        if not self._queued:
            return
        creates, updates = self._queues[CREATE], self._queues[UPDATE]
        self._queues[CREATE], self._queues[UPDATE] = defaultdict(list), defaultdict(list)
        self._queued = 0
        with read_once():
            for model in dependency_order(creates):
                for generation in generations(model, creates[model]):
                    for batch in self._batches(generation):
                        self._create(model, batch)
                self.adapter.references.forget(model)  # what refers to these may be resolved next
            for model in dependency_order(updates):
                for batch in self._batches(updates[model]):
                    self._update(model, batch)
        self._created = {}
        for model in {*creates, *updates}:
            self.adapter.references.forget(model)
        heap.batch_written()

    def finish(self):
        """The sync ends: write what is queued, then the deletes (``deletes``)."""
        self.flush()
        deletes, self._queues[DELETE] = self._queues[DELETE], defaultdict(list)
        if deletes:
            with read_once():
                self.deleter.delete_all(deletes)
        for model in deletes:
            self.adapter.references.forget(model)
        heap.batch_written()

    def _create(self, model, items):
        for item in items:
            savetime.before_save(item.instance)
        validation.mark_new([item.instance for item in items])
        valid = self.validator.validate(model, items, creating=True, created=self._created)
        with transaction.atomic():  # the batch, its many-to-many, components, relationships and change log
            written = self._write(valid, lambda batch: insert_rows([item.instance for item in batch]))
            if not written:
                return
            instances = [item.instance for item in written]
            self._set_many_to_many(model, written, created=True)
            savetime.after_create(model, instances)
            self._write_relationships(written, created=True)
            if self.change_log:
                given = {item.pk for item in written if any(item.resolved.many_to_many.values())}
                self.change_log.created(instances, with_many_to_many=given)
        savetime.tree_changed(model, nodes=instances)
        self.outcomes.succeeded(written)

    def _update(self, model, items):
        instances = model._base_manager.in_bulk([item.pk for item in items])
        present = []
        for item in items:
            item.instance = instances.get(item.pk)
            if item.instance is None:
                self.outcomes.failed(
                    item, f"{item.model_class._modelname} {item.unique_id!r} no longer exists in Nautobot"
                )
            else:
                present.append(item)
        if self.change_log:
            self.change_log.before_update([item.instance for item in present])
        old_parents = savetime.tree_parents(model, [item.instance for item in present])
        changed = {"last_updated"} if any(f.name == "last_updated" for f in model._meta.fields) else set()
        now = timezone.now()
        for item in present:
            item.resolved.apply(item.instance)
            changed.update(item.resolved.fields)
            if item.resolved.custom_fields:
                changed.add("_custom_field_data")
            if "last_updated" in changed:
                item.instance.last_updated = now
            savetime.before_save(item.instance)
        valid = self.validator.validate(model, present, creating=False, created=self._created)
        names = sorted(model._meta.get_field(name).name for name in changed)
        with transaction.atomic():
            written = self._write(
                valid,
                lambda batch: update_rows([item.instance for item in batch], names) if names else None,
            )
            if not written:
                return
            instances = [item.instance for item in written]
            self._set_many_to_many(model, written, created=False)
            savetime.after_update(model, instances)
            self._write_relationships(written, created=False)
            if self.change_log:
                self.change_log.updated(instances)
        savetime.tree_changed(model, old_parents | savetime.tree_parents(model, instances))
        self.outcomes.succeeded(written)

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
                    message = f"IntegrityError: {item.model_class._modelname} {item.unique_id!r}: {error}"
                    self.outcomes.failed(item, message.strip())
            return written

    @staticmethod
    def _set_many_to_many(model, items, created):
        """The written items' many-to-many values, per field for the whole batch (``speedups.manytomany``); the
        writer logs the objects' changes itself."""
        by_accessor = defaultdict(list)
        for item in items:
            for accessor, objects in item.resolved.many_to_many.items():
                by_accessor[accessor].append((item.instance, objects))
        with savetime.change_logging_paused():
            for accessor, values in by_accessor.items():
                manytomany.set_all(model, accessor, values, created)

    def _write_relationships(self, items, created):
        """Relationship associations, one object at a time (change-logged by Nautobot)."""
        for item in items:
            plan = item.model_class.plan()
            relationships.write_all(self.adapter, item.instance, plan, item.resolved.relationships, created)

    def _batches(self, items):
        for start in range(0, len(items), self.batch_size):
            yield items[start : start + self.batch_size]


def _empty_queues():
    return {CREATE: defaultdict(list), UPDATE: defaultdict(list), DELETE: defaultdict(list)}
