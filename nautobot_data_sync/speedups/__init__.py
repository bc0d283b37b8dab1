"""Every change the app makes to Nautobot's, Django's or a library's behaviour for speed, in one place.

One module per area: ``config`` (configuration and cache reads), ``dispatch`` (Nautobot's post-job dispatch of
change records), ``heap`` (the garbage collector), ``validation`` (Nautobot's ``clean()`` checks per batch),
``serialization`` (change-record data per batch), ``savetime`` (what ``save()`` and the save signals do, for objects
written in batches), ``threads`` (the job's log from loader threads), ``deferral`` (change records of one-by-one
writes built per batch), ``copyrows`` and ``valuesupdate`` (inserts and updates in one statement), ``identifiers``
(a declarative model's identifiers and unique id), ``fieldnames`` (a declarative model's set of given field names,
shared), ``privates`` (its private attributes started from their constant defaults) and ``manytomany``
(many-to-many values per batch). Those that replace
attributes do it through one helper (``patching.replaced``, which restores them and applies a replaced function in
the replacing thread only), and each is listed in ``registry`` with the sources it was reviewed against: on a
Nautobot whose sources differ, it is off and the sync takes the slower path Nautobot itself takes.

A sync job enters ``SyncSpeedups`` when it starts and leaves it once Nautobot has dispatched its change records.
"""

from contextlib import ExitStack, nullcontext

from nautobot_data_sync.speedups import registry
from nautobot_data_sync.speedups.config import read_once
from nautobot_data_sync.speedups.dispatch import change_data_in_chunks
from nautobot_data_sync.speedups.heap import collection_paused, frozen_heap, release_stores
from nautobot_data_sync.speedups.registry import CONFIGURATION, DISPATCH, HEAP, active


class SyncSpeedups:
    """The job-wide speed-ups of one sync job (configuration read once, the heap frozen, change records dispatched in
    chunks), and the job log's one line per speed-up that is off. ``change_id``: the job's change-logging request,
    if any (its records are dispatched after the job)."""

    def __init__(self, logger, change_id=None):
        self.logger = logger
        self.change_id = change_id
        self._stack = ExitStack()

    def __enter__(self):
        registry.start_job(self._report)
        self._stack.callback(registry.end_job)
        if active(CONFIGURATION):
            self._stack.enter_context(read_once())
        if active(HEAP):
            self._stack.enter_context(frozen_heap())
        if self.change_id is not None and active(DISPATCH):
            self._stack.enter_context(change_data_in_chunks(self.change_id))
        return self

    def __exit__(self, *exc_info):
        return self._stack.__exit__(*exc_info)

    def loading(self):
        """A context for the loads and the diff: the collector's automatic collections paused, and what they allocated
        (alive until the sync ends) frozen after them (``heap``)."""
        return collection_paused() if active(HEAP) else nullcontext()

    def release(self, *adapters):
        """The job has ended: let its adapters' loaded models go without a full garbage collection."""
        if active(HEAP):
            release_stores(adapters)

    def _report(self, speedup):
        self.logger.warning(
            "Speed-up off: %s (%s). This Nautobot's %s differ from the sources it was reviewed against, so the sync "
            "takes the slower path Nautobot itself takes.",
            speedup.name,
            speedup.what,
            ", ".join(speedup.unreviewed()),
            extra={"grouping": "data sync"},
        )
