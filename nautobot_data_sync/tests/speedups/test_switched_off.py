"""On a Nautobot whose sources differ from the reviewed ones, a speed-up is off: the bulk sync takes Nautobot's own
path for that part, ends with the same Nautobot state and change log as one-by-one writes, and its job log says so."""

from unittest import mock

import pytest
from nautobot.extras.models import JobLogEntry, JobResult

from nautobot_data_sync.speedups.registry import (
    CONFIGURATION,
    COPY_ROWS,
    DISPATCH,
    IDENTIFIERS,
    JSON_TEXT,
    MANY_TO_MANY,
    OBJECT_CHANGES,
    PRIVATE_DEFAULTS,
    SAVE_TIME,
    SERIALIZATION,
    SHARED_FIELD_NAMES,
    SPEEDUPS,
    VALIDATION,
    VALUES_UPDATE,
    switched_off,
)
from nautobot_data_sync.tests.fixtures.cases import BulkJobTestCase
from nautobot_data_sync.tests.fixtures.orm import OrmDeviceBulkSource, OrmDeviceSource


@pytest.mark.compat
class SwitchedOffTest(BulkJobTestCase):
    def test_a_bulk_sync_with_a_speedup_off_ends_as_one_by_one_and_says_which(self):
        one_by_one = self.run_scenario(OrmDeviceSource)
        for name in (
            VALIDATION,
            SERIALIZATION,
            SAVE_TIME,
            CONFIGURATION,
            DISPATCH,
            COPY_ROWS,
            VALUES_UPDATE,
            IDENTIFIERS,
            MANY_TO_MANY,
            SHARED_FIELD_NAMES,
            PRIVATE_DEFAULTS,
            JSON_TEXT,
            OBJECT_CHANGES,
        ):
            with self.subTest(speedup=name):
                self.forget_devices()
                first = next(iter(SPEEDUPS[name].sources))
                with mock.patch.dict(SPEEDUPS[name].sources, {first: {"000000000000": "a version never reviewed"}}):
                    bulk = self.run_scenario(OrmDeviceBulkSource)
                self.assert_same_outcome(bulk, one_by_one)
                # the second sync creates, updates and deletes; the first only creates, so it may not need the
                # speed-up (an update's) at all
                second, first_run = JobResult.objects.filter(job_model=self.job_model).order_by("-date_created")[:2]
                off_anyway = set(switched_off())  # off on this Nautobot whatever the test does
                for job_result in (second, first_run):
                    said = JobLogEntry.objects.filter(job_result=job_result, message__startswith="Speed-up off:")
                    names = {entry.message.split(" (")[0].removeprefix("Speed-up off: ") for entry in said}
                    if job_result == first_run and name not in names:
                        self.assertEqual(names - off_anyway, set())
                        continue
                    self.assertEqual(names - off_anyway, {name})
                    forced = next(entry for entry in said if entry.message.startswith(f"Speed-up off: {name} ("))
                    self.assertIn(first, forced.message, "names the function that differs")
