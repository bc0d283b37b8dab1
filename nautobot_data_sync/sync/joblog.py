"""Keep the job log readable: diffsync's structlog output bridged in with a cap, and timed progress lines."""

import logging
import time

import structlog

# diffsync binds these keys; they name the object a message is about.
_CONTEXT_KEYS = ("action", "model", "unique_id")


def _render(_logger, _method_name, event_dict):
    """Render a diffsync event as 'message (action model unique_id)'; adapters and diffs are left out."""
    context = " ".join(str(event_dict[key]) for key in _CONTEXT_KEYS if event_dict.get(key) is not None)
    event = event_dict.get("event", "")
    return f"{event} ({context})" if context else event


class _JobLogSink:
    """structlog logger that forwards warnings and errors to a Nautobot job logger, at most ``limit`` of them."""

    def __init__(self, job_logger, grouping, limit):
        self.job_logger = job_logger
        self.grouping = grouping
        self.limit = limit
        self.forwarded = 0
        self.suppressed = 0

    def _forward(self, level, message):
        if self.forwarded < self.limit:
            self.forwarded += 1
            self.job_logger.log(level, message, extra={"grouping": self.grouping})
        else:
            self.suppressed += 1

    def warning(self, message):
        self._forward(logging.WARNING, message)

    def error(self, message):
        self._forward(logging.ERROR, message)

    exception = critical = error


def diffsync_logger(job_logger, grouping, limit):
    """A structlog logger for diffsync's differ/syncer that writes into the job log, without touching global config.

    Debug and info events (diffsync's per-object chatter, which the change records hold) are dropped before they are
    rendered: three or four per object synced. Returns ``(bound_logger, sink)``; ``sink.suppressed`` counts
    messages past the cap.
    """
    sink = _JobLogSink(job_logger, grouping, limit)
    wrapper_class = structlog.make_filtering_bound_logger(logging.WARNING)
    return structlog.wrap_logger(sink, processors=[_render], wrapper_class=wrapper_class), sink


class ProgressLogger:
    """A diffsync-style ``callback(stage, current, total)`` that logs at most once per ``interval`` seconds."""

    def __init__(self, job_logger, grouping, interval):
        self.job_logger = job_logger
        self.grouping = grouping
        self.interval = interval
        self._last = time.monotonic()

    def __call__(self, stage, current, total):
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            percent = f" ({100 * current / total:.0f}%)" if total else ""
            self.job_logger.info(
                "%s: %s of %s elements processed%s",
                stage,
                f"{current:,}",
                f"{total:,}",
                percent,
                extra={"grouping": self.grouping},
            )
