"""The DataSource/DataTarget framework, run through Nautobot's real job execution against the real database."""

from django.db import connections
from django.test.utils import CaptureQueriesContext
from nautobot.apps.testing import TransactionTestCase
from nautobot.dcim.models import DeviceType, Manufacturer
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import JobLogEntry

from nautobot_data_sync.choices import (
    ChangeActionChoices,
    ChangeStatusChoices,
    SyncPhaseChoices,
    SyncStatusChoices,
    TransactionPolicyChoices,
)
from nautobot_data_sync.models import Sync, SyncChange
from nautobot_data_sync.tests.fixtures import jobs as sync_jobs
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing

PHASES = [SyncPhaseChoices.SOURCE_LOAD, SyncPhaseChoices.TARGET_LOAD, SyncPhaseChoices.DIFF, SyncPhaseChoices.SYNC]

CATALOGUE = [
    {"name": "Acme", "description": "routers", "device_types": [{"model": "A1", "part_number": "a-1"}]},
    {"name": "Globex", "description": "switches", "device_types": [{"model": "G1"}, {"model": "G2"}]},
]


class SyncJobTestCase(TransactionTestCase):
    """Runs the test jobs of ``sync_jobs``; their class attributes are restored after each test."""

    job_class = sync_jobs.ManufacturerSource

    def setUp(self):
        super().setUp()
        self.job_model = sync_jobs.job_model_for(self.job_class)
        self._saved = dict(vars(self.job_class))

    def tearDown(self):
        for name in ("records", "transaction_policy", "fail_job_on_object_failure", "record_unchanged", "differ_class"):
            if name in self._saved:
                setattr(self.job_class, name, self._saved[name])
            elif name in vars(self.job_class):
                delattr(self.job_class, name)
        super().tearDown()

    def run_sync(self, records, **inputs):
        self.job_class.records = records
        job_kwargs = {"dryrun": False, "memory_profiling": False, "parallel_loading": False, **inputs}
        job_result = run_job_for_testing(self.job_model, job_kwargs=job_kwargs)
        return job_result, Sync.objects.get(job_result=job_result)


class PhasesAndRecordsTest(SyncJobTestCase):
    def test_phases_run_in_order_and_are_recorded(self):
        job_result, sync = self.run_sync(CATALOGUE)

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, job_result.traceback)
        phases = list(sync.phases.order_by("start_time"))
        self.assertEqual([phase.name for phase in phases], PHASES)
        self.assertEqual([phase.object_count for phase in phases[:2]], [5, 0])
        for phase in phases:
            self.assertTrue(phase.succeeded)
            self.assertGreater(phase.duration.total_seconds(), 0)
        self.assertGreater(phases[1].query_count, 0, "loading Nautobot queries the database")
        self.assertGreaterEqual(phases[3].query_count, 5, "five objects were written")
        self.assertEqual(sync.status, SyncStatusChoices.SUCCEEDED)
        self.assertEqual((sync.source, sync.target), ("Remote catalogue", "Nautobot"))
        self.assertEqual(sync.job, self.job_model)
        self.assertFalse(sync.dry_run)
        self.assertIsNotNone(sync.end_time)
        self.assertEqual(sync.inputs["dryrun"], False)

    def test_real_run_creates_updates_and_deletes(self):
        self.run_sync(CATALOGUE)
        self.assertEqual(Manufacturer.objects.filter(name__in=["Acme", "Globex"]).count(), 2)
        self.assertEqual(DeviceType.objects.filter(manufacturer__name__in=["Acme", "Globex"]).count(), 3)

        changed = [
            {
                "name": "Acme",
                "description": "routers and more",
                "device_types": [{"model": "A1", "part_number": "a-1"}],
            },
            {"name": "Globex", "description": "switches", "device_types": [{"model": "G1"}]},
        ]
        _, sync = self.run_sync(changed)

        self.assertEqual(Manufacturer.objects.get(name="Acme").description, "routers and more")
        self.assertFalse(DeviceType.objects.filter(model="G2").exists())
        self.assertEqual((sync.create_count, sync.update_count, sync.delete_count), (0, 1, 1))
        self.assertEqual(sync.unchanged_count, 3)
        update = sync.changes.get(action=ChangeActionChoices.UPDATE)
        self.assertEqual(update.status, ChangeStatusChoices.SUCCEEDED)
        self.assertEqual(update.attributes_before, {"description": "routers"})
        self.assertEqual(update.attributes_after, {"description": "routers and more"})
        self.assertEqual(update.changed_object, Manufacturer.objects.get(name="Acme"), "linked via lookup_object")
        delete = sync.changes.get(action=ChangeActionChoices.DELETE)
        self.assertEqual((delete.model_name, delete.unique_id), ("device_type", "Globex__G2"))
        self.assertEqual(sync.counts_by_model["device_type"], {"delete": 1, "unchanged": 2})
        self.assertFalse(sync.changes.filter(action=ChangeActionChoices.UNCHANGED).exists(), "not stored by default")

    def test_second_identical_run_is_a_no_op(self):
        self.run_sync(CATALOGUE)
        _, sync = self.run_sync(CATALOGUE)
        self.assertEqual((sync.create_count, sync.update_count, sync.delete_count, sync.unchanged_count), (0, 0, 0, 5))
        self.assertEqual(sync.changes.count(), 0)

    def test_diffsync_own_differ_gives_the_same_sync(self):
        from diffsync.helpers import DiffSyncDiffer

        changed = [{**CATALOGUE[0], "description": "new"}, CATALOGUE[1]]
        self.run_sync(CATALOGUE)
        _, fast = self.run_sync(changed, dryrun=True)
        self.job_class.differ_class = DiffSyncDiffer
        _, own = self.run_sync(changed, dryrun=True)

        counted = ("create_count", "update_count", "delete_count", "unchanged_count", "counts_by_model")
        self.assertEqual([getattr(fast, name) for name in counted], [getattr(own, name) for name in counted])
        self.assertEqual((fast.update_count, fast.unchanged_count), (1, 4))
        self.assertEqual(
            list(fast.changes.values_list("unique_id", "attributes_after")),
            list(own.changes.values_list("unique_id", "attributes_after")),
        )

    def test_unchanged_objects_are_stored_when_the_job_asks(self):
        self.run_sync(CATALOGUE)
        self.job_class.record_unchanged = True
        _, sync = self.run_sync(CATALOGUE)
        self.assertEqual(sync.changes.filter(action=ChangeActionChoices.UNCHANGED).count(), 5)

    def test_dry_run_writes_nothing_but_records_planned_changes(self):
        job_result, sync = self.run_sync(CATALOGUE, dryrun=True)

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS)
        self.assertFalse(Manufacturer.objects.filter(name__in=["Acme", "Globex"]).exists())
        self.assertTrue(sync.dry_run)
        self.assertEqual([phase.name for phase in sync.phases.order_by("start_time")], PHASES[:3])
        self.assertEqual(sync.create_count, 5)
        self.assertEqual(set(sync.changes.values_list("status", flat=True)), {ChangeStatusChoices.PLANNED})
        created = sync.changes.get(model_name="manufacturer", unique_id="Acme")
        self.assertEqual(created.attributes_after, {"description": "routers"})
        self.assertIsNone(created.attributes_before)
        self.assertTrue(JobLogEntry.objects.filter(job_result=job_result, message__contains="nothing was written"))


class FailureTest(SyncJobTestCase):
    BAD = {"name": "N" * 300, "device_types": [{"model": "orphan"}]}  # longer than Manufacturer.name allows

    def test_one_failed_object_is_recorded_and_fails_the_job(self):
        job_result, sync = self.run_sync([*CATALOGUE, self.BAD])

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertEqual(sync.status, SyncStatusChoices.FAILED)
        self.assertEqual(Manufacturer.objects.filter(name__in=["Acme", "Globex"]).count(), 2, "the rest is written")
        failed = sync.changes.get(status=ChangeStatusChoices.FAILED)
        self.assertEqual((failed.model_name, failed.unique_id), ("manufacturer", "N" * 300))
        self.assertIn("name", failed.message)
        skipped = sync.changes.get(status=ChangeStatusChoices.SKIPPED)
        self.assertEqual(skipped.unique_id, "N" * 300 + "__orphan", "the child of a failed parent is skipped")
        self.assertEqual((sync.create_count, sync.failed_count, sync.skipped_count), (5, 1, 1))
        summary = JobLogEntry.objects.filter(job_result=job_result, log_level="failure")
        self.assertIn("1 failed, 1 skipped", summary.get().message)

    def test_failed_objects_can_leave_the_job_successful(self):
        self.job_class.fail_job_on_object_failure = False
        job_result, sync = self.run_sync([self.BAD])
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS)
        self.assertEqual(sync.status, SyncStatusChoices.FAILED)

    def test_all_or_nothing_rolls_back_every_write(self):
        self.job_class.transaction_policy = TransactionPolicyChoices.ALL_OR_NOTHING
        job_result, sync = self.run_sync([*CATALOGUE, self.BAD])

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertFalse(Manufacturer.objects.filter(name__in=["Acme", "Globex"]).exists())
        self.assertEqual(sync.changes.filter(status=ChangeStatusChoices.SUCCEEDED).count(), 0)
        self.assertEqual(sync.changes.filter(status=ChangeStatusChoices.FAILED).count(), 1)
        self.assertEqual((sync.create_count, sync.failed_count, sync.skipped_count), (0, 1, 6))

    def test_source_load_failure_writes_nothing(self):
        job_result, sync = self.run_sync([*CATALOGUE, {"description": "no name"}])

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertIn("manufacturers[2]: missing field 'name'", job_result.traceback)
        self.assertFalse(Manufacturer.objects.filter(name__in=["Acme", "Globex"]).exists())
        self.assertEqual(sync.status, SyncStatusChoices.FAILED)
        self.assertIn("missing field 'name'", sync.summary)
        phase = sync.phases.get()
        self.assertEqual((phase.name, phase.succeeded), (SyncPhaseChoices.SOURCE_LOAD, False))
        self.assertEqual(sync.changes.count(), 0)

    def test_missing_adapter_hook_is_a_clear_error(self):
        self.job_model = sync_jobs.job_model_for(sync_jobs.JobWithoutAdapters)
        job_result = run_job_for_testing(self.job_model, job_kwargs={"dryrun": True})
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertIn("JobWithoutAdapters must implement load_source_adapter()", job_result.traceback)

    def test_job_log_stays_bounded_with_many_failures(self):
        bad = [{"name": f"{index:03d}" + "N" * 300} for index in range(120)]
        job_result, sync = self.run_sync(bad)
        self.assertEqual(sync.failed_count, 120)
        lines = JobLogEntry.objects.filter(job_result=job_result).count()
        self.assertLess(lines, 80, "failures are capped in the job log; the change records hold them all")
        self.assertTrue(JobLogEntry.objects.filter(job_result=job_result, message__contains="were not logged"))


class ParallelAndMemoryTest(SyncJobTestCase):
    def test_parallel_loading_gives_the_same_result(self):
        self.run_sync(CATALOGUE[:1])
        job_result, sync = self.run_sync(CATALOGUE, parallel_loading=True)

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, job_result.traceback)
        self.assertEqual((sync.create_count, sync.unchanged_count), (3, 2))
        loads = sync.phases.filter(name__in=PHASES[:2])
        self.assertEqual(
            {(phase.name, phase.object_count, phase.parallel) for phase in loads},
            {(PHASES[0], 5, True), (PHASES[1], 2, True)},
        )
        self.assertGreater(loads.get(name=PHASES[1]).query_count, 0, "the thread's own connection is counted")
        groupings = set(JobLogEntry.objects.filter(job_result=job_result).values_list("grouping", flat=True))
        self.assertTrue({"Source load", "Target load"} <= groupings, "each thread logs to the job under its phase")

    def test_memory_figures_only_when_profiling(self):
        _, plain = self.run_sync(CATALOGUE, dryrun=True)
        self.assertEqual(set(plain.phases.values_list("memory_peak", flat=True)), {None})

        _, profiled = self.run_sync(CATALOGUE, memory_profiling=True)
        for phase in profiled.phases.all():
            self.assertGreater(phase.memory_peak, 0, phase.name)
            self.assertGreaterEqual(phase.memory_peak, phase.memory_final)

        import tracemalloc

        self.assertFalse(tracemalloc.is_tracing(), "profiling is always stopped after the job")

    def test_parallel_loading_with_profiling_measures_both_loads(self):
        _, sync = self.run_sync(CATALOGUE, parallel_loading=True, memory_profiling=True, dryrun=True)
        peaks = set(sync.phases.filter(name__in=PHASES[:2]).values_list("memory_peak", flat=True))
        self.assertEqual(len(peaks), 1)
        self.assertGreater(peaks.pop(), 0)


class DataTargetTest(SyncJobTestCase):
    job_class = sync_jobs.ManufacturerTarget

    def test_data_target_pushes_nautobot_into_the_remote(self):
        Manufacturer.objects.create(name="Initech", description="printers")
        job_result, sync = self.run_sync([{"name": "Gone"}])

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, job_result.traceback)
        self.assertEqual((sync.source, sync.target), ("Nautobot", "Remote catalogue"))
        actions = dict(sync.changes.values_list("unique_id", "action"))
        self.assertEqual(actions["Initech"], ChangeActionChoices.CREATE)
        self.assertEqual(actions["Gone"], ChangeActionChoices.DELETE)


class ChangeRecordingQueriesTest(TransactionTestCase):
    def test_recording_1000_changes_costs_a_handful_of_queries(self):
        from diffsync.diff import DiffElement

        from nautobot_data_sync.sync.recorder import ChangeRecorder

        sync = Sync.objects.create(source="a", target="b", start_time="2026-01-01T00:00:00Z")
        recorder = ChangeRecorder(sync, unique_id_of=lambda element: element.name, batch_size=500)
        elements = []
        for index in range(1000):
            element = DiffElement("manufacturer", f"m{index}", {"name": f"m{index}"})
            element.add_attrs(source={"description": "new"}, dest={"description": "old"})
            elements.append(element)

        with CaptureQueriesContext(connections["job_logs"]) as queries:
            for element in elements:
                recorder.add(element, ChangeStatusChoices.SUCCEEDED)
            recorder.flush()

        inserts = [query for query in queries.captured_queries if query["sql"].startswith(("INSERT", "COPY"))]
        self.assertEqual(len(inserts), 2, "one INSERT (or COPY) per batch of 500")
        self.assertLessEqual(len(queries), 6, "each inside its own BEGIN/COMMIT, nothing else")
        self.assertEqual(SyncChange.objects.filter(sync=sync).count(), 1000)
        self.assertEqual(recorder.count_fields()["update_count"], 1000)
