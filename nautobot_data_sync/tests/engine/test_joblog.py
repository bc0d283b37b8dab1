"""diffsync's log events in the job log: warnings and errors forwarded (capped), per-object chatter dropped."""

import logging

from django.test import SimpleTestCase

from nautobot_data_sync.sync.joblog import diffsync_logger


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


class _Unprintable:
    def __str__(self):
        raise AssertionError("a dropped event was rendered")


class DiffsyncLoggerTest(SimpleTestCase):
    def setUp(self):
        self.handler = _Records()
        self.job_logger = logging.getLogger(f"{__name__}.{self.id()}")
        self.job_logger.addHandler(self.handler)
        self.job_logger.propagate = False

    def test_warnings_and_errors_are_forwarded_with_their_object_up_to_the_cap(self):
        logger, sink = diffsync_logger(self.job_logger, "Sync execution", limit=2)
        bound = logger.bind(action="create", model="interface", unique_id="leaf-01__eth0")
        bound.warning("No object resulted from sync")
        bound.error("Create failed")
        bound.error("Another failure")
        messages = [(record.levelno, record.getMessage(), record.grouping) for record in self.handler.records]
        self.assertEqual(
            messages,
            [
                (logging.WARNING, "No object resulted from sync (create interface leaf-01__eth0)", "Sync execution"),
                (logging.ERROR, "Create failed (create interface leaf-01__eth0)", "Sync execution"),
            ],
        )
        self.assertEqual((sink.forwarded, sink.suppressed), (2, 1))

    def test_debug_and_info_events_are_dropped_before_they_are_rendered(self):
        logger, sink = diffsync_logger(self.job_logger, "Sync execution", limit=10)
        bound = logger.bind(model=_Unprintable())
        bound.debug("Attempting model create")
        bound.info("Created successfully", status="success")
        self.assertEqual((self.handler.records, sink.forwarded, sink.suppressed), ([], 0, 0))
        with self.assertRaisesMessage(AssertionError, "a dropped event was rendered"):
            bound.warning("rendered, so the unprintable value is asked for its text")
