"""CPU profile of one phase: its top functions by cumulative time, as plain rows to store with the phase.

Nautobot's "Profile job execution" option runs the whole job under one ``cProfile.Profile``. Only one cProfile can
be active per thread (Python 3.11 and older) or per process (3.12 on, through ``sys.monitoring``), so a phase running
under it is measured from that profiler: its statistics are read before and after the phase and subtracted, which
leaves Nautobot's whole-job profile untouched. The functions that enclose the phase (the job's ``run()``, the context
managers around the block...) are left out: those that return inside it, as a generator yields, would bring the time
they spent before it. A phase in a thread of its own (the parallel loads) has no profiler there on Python 3.11 and
older and gets its own; from 3.12 on the process-wide profiler cannot tell threads apart, so such a phase is not
profiled (``PER_THREAD``).
"""

import cProfile
import pstats
import sys
from contextlib import contextmanager

PER_THREAD = sys.version_info < (3, 12)
"""cProfile profiles one thread (a thread may run its own profiler); from 3.12 on it profiles the whole process."""


def running_profiler():
    """The cProfile profiler active for this thread, or None."""
    if PER_THREAD:
        profiler = sys.getprofile()  # cProfile installs itself as the thread's profile function object
        return profiler if isinstance(profiler, cProfile.Profile) else None
    monitoring = sys.monitoring
    if monitoring.get_tool(monitoring.PROFILER_ID) != "cProfile":
        return None
    # No getter exists: swap the start callback out and back to read it (a bound method of the profiler); a call that
    # another thread starts in between is not in the whole-job profile.
    callback = monitoring.register_callback(monitoring.PROFILER_ID, monitoring.events.PY_START, None)
    monitoring.register_callback(monitoring.PROFILER_ID, monitoring.events.PY_START, callback)
    profiler = getattr(callback, "__self__", None)
    return profiler if isinstance(profiler, cProfile.Profile) else None


@contextmanager
def profiled(enabled, limit):
    """Yield a list that holds, once the block has ended (also when it raised), the top ``limit`` functions it ran
    (see ``top_functions``); yield None and measure nothing when not ``enabled``."""
    if not enabled:
        yield None
        return
    rows = []
    outer = running_profiler()
    if outer is not None:
        enclosing = set()
        frame = sys._getframe()
        while frame is not None:
            enclosing.add(cProfile.label(frame.f_code))
            frame = frame.f_back
        before = outer.getstats()
        try:
            yield rows
        finally:
            rows[:] = top_functions(outer.getstats(), limit, before, enclosing)
        return
    own = cProfile.Profile()
    own.enable()
    try:
        yield rows
    finally:
        own.disable()
        rows[:] = top_functions(own.getstats(), limit)


def top_functions(stats, limit, before=(), enclosing=()):
    """``[{"function", "cumulative", "own", "calls"}, ...]``: the ``limit`` functions of the largest cumulative time
    (seconds) among cProfile ``stats`` (``Profile.getstats()``), less what ``before`` (an earlier read) held.

    The functions ``enclosing`` the block (``cProfile.label()`` of the frames around it) are left out, and so are the
    calls of C functions they made: those began before the block (``next()`` resuming a context manager, the read of
    ``before`` itself)."""
    totals = {}
    for sign, entries in ((1, stats), (-1, before)):
        for entry in entries:
            _add(totals, entry, sign)
            if cProfile.label(entry.code) in enclosing:
                for call in entry.calls or ():
                    if isinstance(call.code, str):
                        _add(totals, call, -sign)
    kept = (item for item in totals.items() if item[1][2] > 0 and item[0] not in enclosing)
    ranked = sorted(kept, key=lambda item: item[1][0], reverse=True)
    return [
        {"function": function_name(key), "cumulative": round(cumulative, 6), "own": round(own, 6), "calls": calls}
        for key, (cumulative, own, calls) in ranked[:limit]
    ]


def _add(totals, entry, sign):
    row = totals.setdefault(cProfile.label(entry.code), [0.0, 0.0, 0])
    row[0] += sign * entry.totaltime
    row[1] += sign * entry.inlinetime
    row[2] += sign * entry.callcount


def function_name(key):
    """``file:line(name)`` as pstats prints it, the file relative to the ``sys.path`` entry that holds it."""
    filename, line, name = key
    folders = [folder.rstrip("/") + "/" for folder in sys.path if folder]
    prefix = max((folder for folder in folders if filename.startswith(folder)), key=len, default="")
    filename = filename[len(prefix) :]
    return pstats.func_std_string((filename, line, name))
