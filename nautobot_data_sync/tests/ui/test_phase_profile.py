"""The CPU profile of each phase on the Data Sync page and in the REST API, from a job run with Nautobot's "Profile job
execution" option."""

from django.test import override_settings
from nautobot.apps.testing import TransactionTestCase

from nautobot_data_sync.choices import SyncPhaseChoices
from nautobot_data_sync.models import Sync
from nautobot_data_sync.tests.fixtures import jobs as sync_jobs
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing

CATALOGUE = [{"name": "Acme", "device_types": [{"model": "A1"}]}]


@override_settings(EXEMPT_VIEW_PERMISSIONS=[])
class PhaseProfilePageTest(TransactionTestCase):
    def setUp(self):
        super().setUp()
        self.add_permissions("nautobot_data_sync.view_sync")
        sync_jobs.ManufacturerSource.records = CATALOGUE
        self.addCleanup(setattr, sync_jobs.ManufacturerSource, "records", [])
        self.job_model = sync_jobs.job_model_for(sync_jobs.ManufacturerSource)

    def run_sync(self, profile):
        inputs = {"dryrun": False, "memory_profiling": False, "parallel_loading": False}
        job_result = run_job_for_testing(self.job_model, job_kwargs=inputs, profile=profile)
        return Sync.objects.get(job_result=job_result)

    def test_page_shows_the_top_functions_of_each_phase(self):
        sync = self.run_sync(profile=True)

        response = self.client.get(sync.get_absolute_url())
        self.assertHttpStatus(response, 200)
        for label in SyncPhaseChoices.as_dict().values():
            self.assertBodyContains(response, f"<strong>CPU Profile: {label.title()}</strong>")  # titled by Nautobot
        self.assertBodyContains(response, "<code>nautobot_data_sync/tests/fixtures/jobs.py:", html=False)
        self.assertBodyContains(response, "(load_source_adapter)</code>")
        self.assertBodyContains(response, "Share of phase")
        source = sync.phases.get(name=SyncPhaseChoices.SOURCE_LOAD)
        top = source.profile[0]
        self.assertIn("load_source_adapter", top["function"])
        self.assertBodyContains(response, f"{top['cumulative'] * 1000:,.1f} ms")

    def test_page_has_no_profile_when_the_job_was_not_profiled(self):
        sync = self.run_sync(profile=False)

        response = self.client.get(sync.get_absolute_url())
        self.assertHttpStatus(response, 200)
        self.assertNotIn("CPU Profile", response.content.decode())

    def test_api_returns_the_profile_of_each_phase(self):
        profiled, plain = self.run_sync(profile=True), self.run_sync(profile=False)

        response = self.client.get(f"/api/plugins/data-sync/syncs/{profiled.pk}/", HTTP_ACCEPT="application/json")
        self.assertHttpStatus(response, 200)
        phases = {phase["name"]["value"]: phase for phase in response.json()["phases"]}
        self.assertEqual(set(phases), set(SyncPhaseChoices.values()))
        stored = {phase.name: phase.profile for phase in profiled.phases.all()}
        for name, phase in phases.items():
            self.assertEqual(phase["profile"], stored[name])
        self.assertIn("load_source_adapter", phases[SyncPhaseChoices.SOURCE_LOAD]["profile"][0]["function"])
        self.assertEqual(set(phases[SyncPhaseChoices.DIFF]["profile"][0]), {"function", "cumulative", "own", "calls"})

        data = self.client.get(f"/api/plugins/data-sync/syncs/{plain.pk}/", HTTP_ACCEPT="application/json").json()
        self.assertEqual({phase["profile"] for phase in data["phases"]}, {None})
