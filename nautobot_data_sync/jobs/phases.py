"""The phases of a sync job: each measured (time, queries, memory; CPU profile when Nautobot profiles the job) and
stored as a SyncPhase row when it ends, the two loads one after the other or in two threads."""

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from diffsync.exceptions import ObjectAlreadyExists

from nautobot_data_sync import app_setting
from nautobot_data_sync.choices import SyncPhaseChoices
from nautobot_data_sync.models import SyncPhase
from nautobot_data_sync.speedups.threads import in_job_context
from nautobot_data_sync.sync.metrics import measure
from nautobot_data_sync.sync.profiling import PER_THREAD, profiled
from nautobot_data_sync.sync.recorder import RECORDS_DB

PHASE_LABELS = dict(SyncPhaseChoices.CHOICES)


class PhaseRunner:
    """Runs and records the phases of the sync ``self.sync`` of a DataSyncJob (``self.logger``,
    ``self.memory_profiling``, the ``load_*_adapter()`` hooks)."""

    @property
    def cpu_profiling(self):
        """Nautobot's "Profile job execution" option is on for this run (as Nautobot itself checks it): each phase
        then stores its top functions."""
        return self.celery_kwargs.get("nautobot_job_profile", False) is True

    @contextmanager
    def phase(self, name, profile_memory=None, parallel=False):
        """Measure the block as phase ``name`` and store a SyncPhase row when it ends, also on failure.

        Yields the metrics; set ``.objects`` on them to the number of objects handled.
        """
        label = PHASE_LABELS[name]
        self.logger.info("%s started", label, extra={"grouping": label})
        succeeded = False
        profile = self.memory_profiling if profile_memory is None else profile_memory
        profile_cpu = self.cpu_profiling and (PER_THREAD or not parallel)
        try:
            with profiled(profile_cpu, app_setting("profile_functions")) as functions, measure(profile) as metrics:
                yield metrics
            succeeded = True
        finally:
            SyncPhase.objects.using(RECORDS_DB).create(
                sync=self.sync,
                shard=self.shard,
                name=name,
                start_time=metrics.start_time,
                duration=metrics.duration,
                memory_final=metrics.memory_final,
                memory_peak=metrics.memory_peak,
                query_count=metrics.query_count,
                object_count=metrics.objects,
                parallel=parallel,
                succeeded=succeeded,
                profile=functions,
            )
            self.logger.info(
                "%s %s in %.2f s, %d queries%s",
                label,
                "finished" if succeeded else "failed",
                metrics.duration.total_seconds(),
                metrics.query_count,
                f", {metrics.objects:,} objects" if metrics.objects is not None else "",
                extra={"grouping": label},
            )

    def _load(self, name, parallel=False):
        load, attribute = {
            SyncPhaseChoices.SOURCE_LOAD: (self.load_source_adapter, "source_adapter"),
            SyncPhaseChoices.TARGET_LOAD: (self.load_target_adapter, "target_adapter"),
        }[name]
        with self.phase(name, profile_memory=False if parallel else None, parallel=parallel) as metrics:
            try:
                load()
            except ObjectAlreadyExists as error:  # diffsync's message names neither the side nor what to do
                duplicate = error.existing_object  # (diffsync passes the object it refused under this name)
                raise ObjectAlreadyExists(
                    f"{type(self).__name__}.{load.__name__}() loaded two {duplicate.get_type()} objects with the "
                    f"unique id {duplicate.get_unique_id()!r}: that system holds duplicates (or the adapter builds "
                    "the same identifiers for two records); remove the duplicate or make the identifiers unique",
                    duplicate,
                ) from error
            adapter = getattr(self, attribute)
            if adapter is None:
                raise TypeError(f"{type(self).__name__}.{load.__name__}() did not set self.{attribute}")
            metrics.objects = len(adapter)

    def _load_in_parallel(self):
        """Both loads at once, each in its own thread with its own connection and metrics; memory is measured
        for the two together (tracemalloc is process-wide) and stored on both phases."""
        names = (SyncPhaseChoices.SOURCE_LOAD, SyncPhaseChoices.TARGET_LOAD)
        if self.cpu_profiling and not PER_THREAD:
            self.logger.info(
                "The parallel loads get no CPU profile of their own: from Python 3.12 on one profiler covers all "
                "threads (Nautobot's whole-job profile holds it); run without parallel loading to profile them."
            )
        with measure(self.memory_profiling) as combined:
            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="data-sync-load") as pool:
                futures = [pool.submit(in_job_context(self._load), name, True) for name in names]
            errors = [future.exception() for future in futures]
        if combined.memory_peak is not None:
            SyncPhase.objects.using(RECORDS_DB).filter(sync=self.sync, shard=self.shard, name__in=names).update(
                memory_final=combined.memory_final, memory_peak=combined.memory_peak
            )
        for error in errors:
            if error:
                raise error
