"""The outcome of each queued write, reported to the executor as the bulk writer learns it."""

from contextlib import suppress

from diffsync.exceptions import ObjectNotFound

from nautobot_data_sync.choices import ChangeStatusChoices
from nautobot_data_sync.orm.messages import fields_of
from nautobot_data_sync.orm.pending import CREATE, DELETE


class Outcomes:
    """Sends each write's outcome to ``report(element, status, message, obj=None)`` and remembers the objects that
    were not written (what refers to them is skipped)."""

    def __init__(self, adapter, report):
        self.adapter = adapter
        self.report = report
        self.unwritten = set()  # pks of objects that failed or were skipped

    def succeeded(self, items):
        for item in items:
            if item.instance is not None and item.instance.pk is None:  # Django clears it on delete
                item.instance.pk = item.pk  # the record names the object it deleted (a revert re-creates it so)
            self.report(item.element, ChangeStatusChoices.SUCCEEDED, "", item.instance)

    def failed(self, item, message):
        self._not_written(item, ChangeStatusChoices.FAILED, message)

    def skipped(self, item, message):
        self._not_written(item, ChangeStatusChoices.SKIPPED, message)

    def invalid(self, item, error):
        """``item`` failed validation with ValidationError ``error`` (named by the declared fields)."""
        fields = fields_of(item.model_class.plan(), error)
        self.failed(item, f"ObjectValidationError: {item.model_class._modelname} {item.unique_id!r}: {fields}")

    def _not_written(self, item, status, message):
        self.unwritten.add(item.pk)
        if item.diffsync_model is not None and item.element is not None and item.element.action == CREATE:
            with suppress(ObjectNotFound):  # a create that was not written leaves the target adapter too
                self.adapter.remove(item.diffsync_model)
        kept = item.instance if item.element is not None and item.element.action == DELETE else None
        self.report(item.element, status, message, kept)  # an object not deleted is linked: the adapter dropped it
