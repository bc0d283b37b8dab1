"""CPU profile per phase: stored when the job runs with Nautobot's "Profile job execution", never otherwise, and
Nautobot's own whole-job profile kept."""

import marshal
import sys

from nautobot.extras.choices import JobResultStatusChoices

from nautobot_data_sync.choices import SyncPhaseChoices
from nautobot_data_sync.models import Sync
from nautobot_data_sync.sync.profiling import PER_THREAD, running_profiler
from nautobot_data_sync.tests.engine.test_jobs_base import CATALOGUE, PHASES, SyncJobTestCase
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing


def function_names(phase):
    return [row["function"] for row in phase.profile]


class PhaseProfileTest(SyncJobTestCase):
    def run_profiled(self, records, **inputs):
        self.job_class.records = records
        job_kwargs = {"dryrun": False, "memory_profiling": False, "parallel_loading": False, **inputs}
        job_result = run_job_for_testing(self.job_model, job_kwargs=job_kwargs, profile=True)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, job_result.traceback)
        return job_result, Sync.objects.get(job_result=job_result)

    def test_each_phase_stores_its_top_functions(self):
        _, sync = self.run_profiled(CATALOGUE)

        phases = {phase.name: phase for phase in sync.phases.all()}
        self.assertEqual(sorted(phases), sorted(PHASES))
        for phase in phases.values():
            self.assertTrue(phase.profile, phase.name)
            self.assertLessEqual(len(phase.profile), 25, "the app setting profile_functions")
            cumulative = [row["cumulative"] for row in phase.profile]
            self.assertEqual(cumulative, sorted(cumulative, reverse=True), "ranked by cumulative time")
            for row in phase.profile:
                self.assertEqual(set(row), {"function", "cumulative", "own", "calls"})
                self.assertGreater(row["calls"], 0)
                self.assertLessEqual(row["own"], row["cumulative"] + 1e-6)
                self.assertLessEqual(row["cumulative"], phase.duration.total_seconds() + 1e-3, row)
        source = function_names(phases[SyncPhaseChoices.SOURCE_LOAD])
        self.assertIn("load_source_adapter", source[0], "the hook is the phase's outermost function")
        self.assertTrue(any(name.startswith("nautobot_data_sync/tests/fixtures/jobs.py:") for name in source))
        self.assertTrue(any(name.endswith("(load)") for name in source), "the adapter's load()")
        self.assertFalse(any("load_target_adapter" in name for name in source), "only this phase's functions")
        self.assertIn("load_target_adapter", function_names(phases[SyncPhaseChoices.TARGET_LOAD])[0])
        self.assertTrue(any("calculate_diff" in name for name in function_names(phases[SyncPhaseChoices.DIFF])))
        self.assertTrue(any("execute_sync" in name for name in function_names(phases[SyncPhaseChoices.SYNC])))

    def test_nautobot_whole_job_profile_is_kept(self):
        job_result, _ = self.run_profiled(CATALOGUE)

        stats_file = job_result.files.get(name=f"nautobot-jobresult-{job_result.id}.pstats")
        with stats_file.file.open("rb") as handle:
            stats = marshal.loads(handle.read())
        profiled = {name for (_, _, name) in stats}
        self.assertTrue({"run", "load_source_adapter", "calculate_diff", "execute_sync"} <= profiled)
        self.assertIsNone(running_profiler(), "no profiler is left running")

    def test_parallel_loads_are_profiled_in_their_own_threads(self):
        self.run_sync(CATALOGUE[:1])
        _, sync = self.run_profiled(CATALOGUE, parallel_loading=True, dryrun=True)

        source = sync.phases.get(name=SyncPhaseChoices.SOURCE_LOAD)
        target = sync.phases.get(name=SyncPhaseChoices.TARGET_LOAD)
        self.assertTrue(source.parallel and target.parallel)
        if not PER_THREAD:  # one process-wide profiler from Python 3.12 on: it cannot tell the threads apart
            self.assertEqual((source.profile, target.profile), (None, None))
            return
        self.assertIn("load_source_adapter", function_names(source)[0])
        self.assertIn("load_target_adapter", function_names(target)[0])
        self.assertFalse(any("load_target_adapter" in name for name in function_names(source)))
        self.assertFalse(any("load_source_adapter" in name for name in function_names(target)))

    def test_nothing_is_profiled_without_the_option(self):
        _, sync = self.run_sync(CATALOGUE)

        self.assertEqual(set(sync.phases.values_list("profile", flat=True)), {None})
        self.assertIsNone(sys.getprofile())
