"""Measure one phase: wall time, database queries on this thread's connection, traced memory."""

import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connections
from django.utils import timezone


@dataclass
class PhaseMetrics:
    """Figures of one phase; ``objects`` may be set by the code that runs the phase."""

    start_time: datetime = field(default_factory=timezone.now)
    duration: timedelta = timedelta(0)
    query_count: int = 0
    memory_final: int | None = None
    memory_peak: int | None = None
    objects: int | None = None


class QueryCounter:
    """A Django ``execute_wrapper`` that counts statements sent on one connection."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def measure(profile_memory, using="default"):
    """Yield a PhaseMetrics that is filled in when the block ends (also when it raises).

    Queries are counted on this thread's connection ``using``. Memory comes from tracemalloc, which the caller
    starts and stops; the peak is reset here so it covers this block only.
    """
    metrics = PhaseMetrics()
    counter = QueryCounter()
    tracing = profile_memory and tracemalloc.is_tracing()
    if tracing:
        tracemalloc.reset_peak()
    started = time.perf_counter()
    try:
        with connections[using].execute_wrapper(counter):
            yield metrics
    finally:
        metrics.duration = timedelta(seconds=time.perf_counter() - started)
        metrics.query_count = counter.count
        if tracing:
            metrics.memory_final, metrics.memory_peak = tracemalloc.get_traced_memory()


@contextmanager
def traced_memory(enabled):
    """Run tracemalloc for the duration of the block when ``enabled``; it is always stopped afterwards."""
    if not enabled:
        yield
        return
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()
