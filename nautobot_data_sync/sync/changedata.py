"""Nautobot's dispatch of a job's change records, with the records' data read in chunks.

After a job, Nautobot walks every change record of the job (for job hooks, webhooks and events) with the records'
data deferred, and reads each record's data with a query of its own when it builds the record's snapshots
(nautobot/nautobot#6303): 9,000 queries for a sync that wrote 9,000 objects. While ``read_change_data_in_chunks()``
is active, a change record of the given request loaded without its data gets it from a chunk of the request's next
records in time order (the dispatch's order), read with one query.
"""

from django.db.models.signals import post_init
from nautobot.extras.models import ObjectChange

DATA_FIELDS = ("object_data", "object_data_v2")


class _ChunkedChangeData:
    """A ``post_init`` receiver filling the deferred data of ``request_id``'s change records from chunks."""

    def __init__(self, request_id, chunk_size):
        self.request_id = request_id
        self.chunk_size = chunk_size
        self.chunk = {}

    def __call__(self, sender, instance, **kwargs):
        loaded = instance.__dict__
        if (
            loaded.get("request_id") != self.request_id
            or "time" not in loaded
            or any(name in loaded for name in DATA_FIELDS)
        ):
            return
        if instance.pk not in self.chunk:
            rows = (
                ObjectChange.objects.filter(request_id=self.request_id, time__gte=instance.time)
                .order_by("time")
                .values_list("pk", *DATA_FIELDS)[: self.chunk_size]
            )
            self.chunk = {pk: data for pk, *data in rows}
        data = self.chunk.pop(instance.pk, None)
        if data is not None:  # else (records sharing one timestamp beyond the chunk) Django reads it as usual
            loaded.update(zip(DATA_FIELDS, data, strict=True))


def read_change_data_in_chunks(request_id, chunk_size=500):
    """From now on, change records of ``request_id`` loaded without their data get it in chunks; returns the
    function that stops it."""
    receiver = _ChunkedChangeData(request_id, chunk_size)
    post_init.connect(receiver, sender=ObjectChange, weak=False)

    def stop():
        post_init.disconnect(receiver, sender=ObjectChange)

    return stop
