"""Bulk writes of declarative models: queued, then flushed in validated, change-logged batches.

In bulk mode ``NautobotModel.create()/update()/delete()`` resolve references and queue the write here instead of
saving. ``flush()`` (when ``batch_size`` writes are queued, before any per-object write, and when the sync ends)
writes per Django model and batch: creates in dependency order (parents first; a model's own tree in generations),
then updates, then deletes in reverse order (``deletes``). For each batch of creates or updates:

* validation (``batchvalidation``): references attached, each object's full ``clean()``, uniqueness per batch;
* writing: ``bulk_create`` / ``bulk_update`` in a savepoint; if the database still refuses the batch, its objects
  are written one by one to isolate the failure; then many-to-many values, relationships and what ``save()`` would
  have done (``speedups.savetime``);
* the change log (``changerecords``): ObjectChange records as Nautobot would write them, attributed to the job's
  user and request id, so Nautobot's change log, job hooks, webhooks and events see every object.

Models whose ``save()``, ``delete()`` or save signals do anything the bulk path does not reproduce (e.g. IP
addresses and prefixes, which find their parents) are written one by one (``accepts()``).
"""

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import ForeignKey
from django.utils import timezone
from nautobot.extras.signals import change_context_state

from nautobot_data_sync.orm import relationships
from nautobot_data_sync.orm.batchvalidation import BatchValidator
from nautobot_data_sync.orm.changerecords import ChangeLog
from nautobot_data_sync.orm.deletes import Deleter
from nautobot_data_sync.orm.outcomes import Outcomes
from nautobot_data_sync.orm.pending import CREATE, DELETE, UPDATE
from nautobot_data_sync.speedups import savetime, validation
from nautobot_data_sync.speedups.config import read_once


class BulkWriter:
    """Queues the writes of one sync and flushes them in batches; see the module docstring.

    ``report(element, status, message, obj=None)`` receives every queued write's outcome (and object) when it is
    flushed. The executor calls ``begin(element)`` before a model's create/update/delete, flushes before a write that
    ``accepts()`` refuses (it may depend on queued ones) and when the writer is ``full``.
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
        self.deleter = Deleter(self.outcomes, self.change_log, self._batches)
        self._queues = _empty_queues()
        self._queued = 0
        self._created = {}  # pk -> instance queued or written in the current flush

    # Queuing

    def accepts(self, model_class, operation):
        """Whether ``operation`` of diffsync model class ``model_class`` is queued here (else written at once)."""
        bulk = getattr(model_class, "_bulk_mode", False)
        bulk = self.default if bulk is None else bulk
        model = model_class._model
        return bool(bulk) and savetime.writes_in_bulk(model, operation) and validation.validates_batches(model)

    def begin(self, element):
        """The executor is about to apply ``element``: what is queued next is reported against it."""
        self.element, self.queued_element = element, None

    def queue(self, operation, item):
        item.element = self.element
        self._queues[operation][item.model_class._model].append(item)
        if operation == CREATE:
            self._created[item.pk] = item.instance
        self._queued += 1
        self.queued_element = self.element

    @property
    def full(self):
        return self._queued >= self.batch_size

    # Flushing

    def flush(self):
        """Write everything queued; each write's outcome goes to ``report``."""
        if not self._queued:
            return
        queues, self._queues = self._queues, _empty_queues()
        self._queued = 0
        with read_once():
            for model in dependency_order(queues[CREATE]):
                for generation in _generations(model, queues[CREATE][model]):
                    for batch in self._batches(generation):
                        self._create(model, batch)
                self.adapter.references.forget(model)  # what refers to these may be resolved next
            for model in dependency_order(queues[UPDATE]):
                for batch in self._batches(queues[UPDATE][model]):
                    self._update(model, batch)
            order = dependency_order(queues[DELETE])
            deletable = self.deleter.deletable(queues[DELETE], order)
            for model in reversed(order):
                for batch in self._batches(deletable.get(model, [])):
                    self.deleter.delete(model, batch)
        self._created = {}
        for model in {*queues[CREATE], *queues[UPDATE], *queues[DELETE]}:
            self.adapter.references.forget(model)

    def _create(self, model, items):
        for item in items:
            savetime.before_save(item.instance)
        validation.mark_new([item.instance for item in items])
        valid = self.validator.validate(model, items, creating=True, created=self._created)
        with transaction.atomic():  # the batch, its many-to-many, components, relationships and change log
            written = self._write(valid, lambda batch: model.objects.bulk_create([item.instance for item in batch]))
            if not written:
                return
            instances = [item.instance for item in written]
            with savetime.change_logging_paused():
                for item in written:
                    item.resolved.set_many_to_many(item.instance, created=True)
            savetime.after_create(model, instances)
            self._write_relationships(written, created=True)
            if self.change_log:
                given = {item.pk for item in written if any(item.resolved.many_to_many.values())}
                self.change_log.created(instances, with_many_to_many=given)
        savetime.tree_changed(model, savetime.tree_parents(model, instances))
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
                lambda batch: model.objects.bulk_update([item.instance for item in batch], names) if names else None,
            )
            if not written:
                return
            instances = [item.instance for item in written]
            with savetime.change_logging_paused():
                for item in written:
                    item.resolved.set_many_to_many(item.instance)
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

    def _write_relationships(self, items, created):
        """Relationship associations, one object at a time (change-logged by Nautobot)."""
        for item in items:
            plan = item.model_class.plan()
            relationships.write_all(self.adapter, item.instance, plan, item.resolved.relationships, created)

    def _batches(self, items):
        for start in range(0, len(items), self.batch_size):
            yield items[start : start + self.batch_size]


def dependency_order(models):
    """``models`` sorted so that a model comes after the models its foreign keys and many-to-many fields point to."""
    models = list(models)
    order, visiting = [], set()

    def visit(model):
        if model in order or model in visiting:
            return
        visiting.add(model)
        for relation in (*model._meta.concrete_fields, *model._meta.many_to_many):
            if relation.is_relation and relation.related_model in models and relation.related_model is not model:
                visit(relation.related_model)
        order.append(model)

    for model in models:
        visit(model)
    return order


def _empty_queues():
    return {CREATE: defaultdict(list), UPDATE: defaultdict(list), DELETE: defaultdict(list)}


def _generations(model, items):
    """``items`` in generations: objects whose parent (a foreign key to their own model) is created in the same
    flush come after it, as validation reads the parent from the database (e.g. a tree's ancestors)."""
    own = [f.attname for f in model._meta.concrete_fields if isinstance(f, ForeignKey) and f.related_model is model]
    if not own:
        return [items]
    pending = {item.pk: item for item in items}
    generation_of = {}

    def generation(item):
        if item.pk not in generation_of:
            generation_of[item.pk] = 0  # guards against a cycle
            parents = [pending.get(getattr(item.instance, attname)) for attname in own]
            generation_of[item.pk] = max((generation(parent) + 1 for parent in parents if parent), default=0)
        return generation_of[item.pk]

    generations = defaultdict(list)
    for item in items:
        generations[generation(item)].append(item)
    return [generations[number] for number in sorted(generations)]
