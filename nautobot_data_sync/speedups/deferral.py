"""Change records of one-by-one writes, built per batch instead of one save at a time.

Nautobot logs each create or update as it is saved (``_create_or_update_object_change``): the object serialized (a
query per related object it shows) and one INSERT. While a ``Deferral`` is ``deferring``, that function notes the
change in the change context as Nautobot notes it, and keeps it ``pending`` instead; the owner builds the pending
records in a batch (``orm.deferredchanges``, with ``orm.changerecords.ChangeLog``, which files them in the context
as Nautobot does). A second save of a pending object replaces the object the record is built from (Nautobot updates
the record with the data of the last save); a save of an object whose record exists is logged as Nautobot logs it.
Deletes are never deferred: Nautobot logs them from ``pre_delete``, untouched, before the object is gone.
"""

from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from nautobot.extras import signals as change_signals

from nautobot_data_sync.speedups.patching import original, replaced
from nautobot_data_sync.speedups.registry import DEFERRAL, active

RECORDER = "_create_or_update_object_change"


def change_key(content_type_id, pk, user):
    """The key Nautobot files an object's change under in a change context's ``deferred_object_changes``."""
    key = f"{content_type_id}__{pk}"
    return f"{key}__{user.pk}" if user is not None else key


class Deferral:
    """The deferred creates and updates of ``change_context`` (``pending``: ``{key: entry}``, in order)."""

    def __init__(self, change_context):
        self.context = change_context
        self.pending = {}
        self.deferring = False

    @contextmanager
    def installed(self):
        """Inside the block, changes made while ``deferring`` are deferred. Yields whether the speed-up is on."""
        if self.context is None or not active(DEFERRAL):
            yield False
            return
        record = original(change_signals, RECORDER)

        def record_or_defer(context, instance, action):
            if not self.deferring or context is not self.context:
                return record(context, instance, action)
            user = context.get_user(instance)
            key = change_key(ContentType.objects.get_for_model(instance).pk, instance.pk, user)
            if key in self.pending:  # saved again: its record is built from this save
                self.pending[key]["instance"] = instance
                return None
            if key in context.deferred_object_changes:  # logged already: updated as Nautobot updates it
                return record(context, instance, action)
            entry = {"action": action, "instance": instance, "user": user}
            context.deferred_object_changes[key] = [entry]
            self.pending[key] = entry
            return None

        with replaced(change_signals, RECORDER, record_or_defer):
            yield True
