"""Python's cyclic garbage collector kept off the objects that were alive when a sync started.

A sync allocates hundreds of thousands of objects (models, diffs, change records), and each of CPython's full
collections walks every object alive, the worker's whole Django and Nautobot heap included: about 0.2 s each,
sixteen of them for a 9,000-object sync. ``gc.freeze()`` takes what exists when the sync starts out of those walks
(what the sync allocates is still collected). Leaving ``frozen_heap()`` puts everything back.

While the sync loads and diffs, ``collection_paused()`` also stops the automatic collections, and freezes what the
block allocated when it ends: nearly all of it (the loaded data and the diff) lives until the sync ends, so the young
collections would walk it (each object twice, as it moves up two generations) and free almost nothing. In a no-op of
9,063 objects: 22 collections and 55 ms; then 2 and 28 ms with a collection of the young generations before the
freeze, which found no garbage at all (0 objects, in 43 ms); none now. Garbage cycles a job's own loader makes are
kept until the job ends.

While the sync writes, the collector runs, but what each written batch leaves alive (the target adapter's new
models, the sync's own records) joins the frozen heap (``batch_written()``), after a full collection of what is not
frozen yet: only that batch's objects (about 40 ms for 2,500 of them), which frees the batch's garbage cycles.
Without it each automatic full collection walked every object the sync had kept so far, each longer than the one
before (41 to 205 ms in a 27,000-object sync, 2.1 s in all; 1.1 s now): a cost that grew with the square of the
sync's size. The young collections run less often too (every ``YOUNG_GENERATION_THRESHOLD`` allocations, not
Python's 700): a sync's objects live until their batch is written, so most young collections walked objects that
all survived (610 of them in a 9,063-object initial sync, and 0.26 to 0.36 s of collecting; 13 and 0.14 to 0.25 s with
this threshold, about half of it the batches' own full collections). What they would have freed is freed by the
next one.

With the full collections it skips, the collector also stops freeing a sync's garbage cycles soon: each loaded model
refers to its adapter, whose store holds it (and holds itself, through its logger). ``release_stores()`` empties the
stores once the job ends, so the models are freed at once, without a full collection; without it a worker's memory
grew by about 35 MiB with every 9,000-object sync until one ran.
"""

import gc
from contextlib import contextmanager

from diffsync.store.local import LocalStore

_frozen_by_sync = False  # inside frozen_heap(): what batch_written() freezes is unfrozen when the block ends
YOUNG_GENERATION_THRESHOLD = 20_000
"""Allocations between young collections while a sync runs (Python's default: 700)."""


def freeze_heap():
    """Take the objects alive now out of the collector's full walks (until ``frozen_heap()`` ends). Only the young
    generations are collected first: a full collection walks the whole heap (0.1 to 0.2 s in a worker, twice per
    sync: most of a small sync's own time), while the garbage of the old generation is little (a sync's own is freed by
    ``release_stores()``)."""
    gc.collect(1)
    gc.freeze()


@contextmanager
def frozen_heap():
    """Freeze the heap for the length of the block; see the module docstring."""
    global _frozen_by_sync
    freeze_heap()
    _frozen_by_sync = True
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], YOUNG_GENERATION_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        _frozen_by_sync = False
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def batch_written():
    """A batch is written: collect its garbage, then freeze what it left alive (within ``frozen_heap()`` only)."""
    if _frozen_by_sync:
        gc.collect()
        gc.freeze()


@contextmanager
def collection_paused():
    """No automatic collection in the block (the loads and the diff; see the module docstring), and what it allocated
    frozen at its end (within ``frozen_heap()``, which unfreezes it); then the collector as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def release_stores(adapters):
    """Empty the diffsync ``LocalStore`` of each of ``adapters`` (a job's, once it ends)."""
    for adapter in adapters:
        store = getattr(adapter, "store", None)
        if type(store) is LocalStore:
            store._data.clear()
