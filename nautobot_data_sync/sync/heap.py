"""Python's cyclic garbage collector kept off the objects that were alive when a sync started.

A sync allocates hundreds of thousands of objects (models, diffs, change records), and each of CPython's full
collections walks every object alive, the worker's whole Django and Nautobot heap included: about 0.2 s each,
sixteen of them for a 9,000-object sync. ``gc.freeze()`` takes what exists when the sync starts out of those walks
(what the sync allocates is still collected); called again, it adds what is alive by then (the loaded data and
the diff, alive until the sync ends). The function it returns puts everything back.
"""

import gc


def freeze_heap():
    """Freeze the objects alive now until the returned function (``gc.unfreeze``) is called."""
    gc.collect()
    gc.freeze()
    return gc.unfreeze
