"""Plans: a reviewed dry-run applied exactly as reviewed (no source load), drift, expiry, and revert of a sync."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from nautobot.dcim.models import Device, Interface, Manufacturer
from nautobot.extras.choices import ApprovalWorkflowStateChoices, JobResultStatusChoices, ScheduledJobStateChoices
from nautobot.extras.models import (
    ApprovalWorkflowDefinition,
    ApprovalWorkflowStageDefinition,
    ApprovalWorkflowStageResponse,
    ObjectChange,
    ScheduledJob,
)
from nautobot.users.models import Token

from nautobot_data_sync.choices import ChangeStatusChoices, SyncStatusChoices
from nautobot_data_sync.jobs.planjobs import ApplyPlan, RevertSync
from nautobot_data_sync.models import Sync
from nautobot_data_sync.tests.fixtures.cases import (
    RECORDS_V1,
    RECORDS_V2,
    OrmJobTestCase,
    change_log,
    nautobot_state,
)
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing
from nautobot_data_sync.tests.fixtures.jobs import ManufacturerSource, job_model_for
from nautobot_data_sync.tests.fixtures.orm import OrmDeviceBulkSource, OrmDeviceSource


def logged(job_result):
    """The job's log, one text."""
    return "\n".join(job_result.job_log_entries.values_list("message", flat=True))


def counts(sync):
    return (sync.create_count, sync.update_count, sync.delete_count, sync.failed_count, sync.drifted_count)


class PlanTestCase(OrmJobTestCase):
    job_class = OrmDeviceSource

    def setUp(self):
        super().setUp()
        self.job_model = job_model_for(self.job_class)
        self.apply_job, self.revert_job = job_model_for(ApplyPlan), job_model_for(RevertSync)

    def plan(self, records):
        """A dry-run of ``records``: the plan."""
        OrmDeviceSource.records = records
        job_result = run_job_for_testing(self.job_model, job_kwargs={"dryrun": True})
        return Sync.objects.get(job_result=job_result)

    def run_plan_job(self, job_model, **inputs):
        job_kwargs = {key: str(value.pk) if isinstance(value, Sync) else value for key, value in inputs.items()}
        job_result = run_job_for_testing(job_model, job_kwargs=job_kwargs)
        return job_result, Sync.objects.filter(job_result=job_result).first()

    def apply(self, plan, **options):
        return self.run_plan_job(self.apply_job, plan=plan, **options)

    def revert(self, sync, **options):
        return self.run_plan_job(self.revert_job, data_sync=sync, **options)


class ApplyPlanTest(PlanTestCase):
    def test_apply_writes_the_plan_without_loading_the_source_and_ends_as_the_direct_sync(self):
        self.run_sync(RECORDS_V1)
        plan = self.plan(RECORDS_V2)
        OrmDeviceSource.records = []  # a source that would now delete everything: the apply never reads it
        job_result, applied = self.apply(plan)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, applied.summary)
        self.assertEqual((applied.plan, applied.dry_run, applied.job), (plan, False, self.job_model))
        self.assertEqual(counts(applied), counts(plan)[:3] + (0, 0))
        self.assertEqual(list(plan.applications.all()), [applied], "the plan shows it was applied")
        self.assertEqual(applied.job_result.user.username, "test-user", "and by whom")
        planned = plan.changes.filter(status=ChangeStatusChoices.PLANNED)
        written = applied.changes.filter(status=ChangeStatusChoices.SUCCEEDED)
        fields = ("model_name", "unique_id", "action", "attributes_before", "attributes_after")
        self.assertCountEqual(written.values_list(*fields), planned.values_list(*fields))
        applied_state, applied_log = nautobot_state(), change_log()

        Device.objects.all().delete()
        ObjectChange.objects.all().delete()
        self.run_sync(RECORDS_V1)
        self.run_sync(RECORDS_V2)
        self.assertEqual(applied_state, nautobot_state())
        self.assertEqual(applied_log, change_log(), "the same change log as the direct sync")

    def test_drifted_objects_are_recorded_with_their_current_values_and_not_written(self):
        self.run_sync(RECORDS_V1)
        plan = self.plan(RECORDS_V2)
        self.run_sync([*RECORDS_V1, RECORDS_V2[2]])  # leaf-04 (and 2 interfaces), planned as creates, exist now
        Device.objects.filter(name="leaf-01").update(serial="BY-HAND")  # planned: serial S1 -> S2
        Device.objects.get(name="leaf-03").delete()  # planned: delete (and its 2 interfaces)
        job_result, applied = self.apply(plan)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, applied.summary)
        rows = applied.changes.filter(status=ChangeStatusChoices.DRIFTED, model_name="device")
        drifted = {row.unique_id: row for row in rows}
        self.assertEqual(set(drifted), {"leaf-01", "leaf-03", "leaf-04"})
        self.assertIn("serial is 'BY-HAND', the plan found 'S1'", drifted["leaf-01"].message)
        self.assertEqual(drifted["leaf-01"].attributes_before["serial"], "BY-HAND", "its current values")
        self.assertIn("does not exist any more", drifted["leaf-03"].message)
        self.assertIn("exists already", drifted["leaf-04"].message)
        self.assertEqual(applied.drifted_count, 7, "with the interfaces of leaf-03 and leaf-04")
        self.assertEqual(Device.objects.get(name="leaf-01").serial, "BY-HAND", "a drifted object is not written")
        self.assertEqual(
            set(Interface.objects.filter(device__name="leaf-01").values_list("name", flat=True)),
            {"eth0"},
            "what is planned under a drifted object still applies",
        )

    def test_refuse_if_drifted_writes_nothing(self):
        self.run_sync(RECORDS_V1)
        plan = self.plan(RECORDS_V2)
        Device.objects.filter(name="leaf-01").update(serial="BY-HAND")
        before = nautobot_state()
        job_result, applied = self.apply(plan, refuse_if_drifted=True)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertEqual(applied.status, SyncStatusChoices.BLOCKED)
        self.assertIn("1 planned changes drifted", applied.summary)
        self.assertEqual(nautobot_state(), before)

    def test_an_apply_dry_run_checks_drift_and_writes_nothing(self):
        self.run_sync(RECORDS_V1)
        plan = self.plan(RECORDS_V2)
        Device.objects.filter(name="leaf-01").update(serial="BY-HAND")
        before = nautobot_state()
        job_result, checked = self.apply(plan, dryrun=True)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, checked.summary)
        self.assertEqual((checked.dry_run, checked.plan, checked.drifted_count), (True, plan, 1))
        self.assertEqual(nautobot_state(), before)

    def test_a_plan_too_old_or_applied_already_is_refused(self):
        self.run_sync(RECORDS_V1)
        plan = self.plan(RECORDS_V2)
        Sync.objects.filter(pk=plan.pk).update(end_time=plan.end_time - timedelta(hours=25))
        before = nautobot_state()
        job_result, applied = self.apply(plan)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertIsNone(applied, "nothing ran")
        self.assertIn("older than 24 hours", logged(job_result))
        self.assertEqual(nautobot_state(), before)

        plan = self.plan(RECORDS_V2)
        self.apply(plan)
        job_result, again = self.apply(plan)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertIn("was applied already, by test-user", logged(job_result))

    def test_only_a_user_who_may_run_the_plans_job_may_apply_it(self):
        self.run_sync(RECORDS_V1)
        plan = self.plan(RECORDS_V2)
        user = get_user_model().objects.create(username="reviewer")  # no permissions
        before = nautobot_state()
        job_result = run_job_for_testing(self.apply_job, job_kwargs={"plan": plan.pk}, username=user.username)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertIn("reviewer may not run", logged(job_result))
        self.assertEqual(nautobot_state(), before)


class BulkApplyPlanTest(ApplyPlanTest):
    job_class = OrmDeviceBulkSource


class RevertTest(PlanTestCase):
    job_class = OrmDeviceBulkSource

    def test_revert_of_a_changed_sync_restores_the_state_before_it(self):
        self.run_sync(RECORDS_V1)
        state_before = nautobot_state()
        interface_pks = set(Interface.objects.values_list("pk", flat=True))
        _, changed = self.run_sync(RECORDS_V2)
        self.assertGreater(changed.delete_count, 0)

        job_result, undo = self.revert(changed)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, undo.summary)
        self.assertEqual((undo.dry_run, undo.reverts), (True, changed), "a revert is a plan first")
        self.assertEqual(
            (undo.create_count, undo.update_count, undo.delete_count),
            (changed.delete_count, changed.update_count, changed.create_count),
            "creates undone by deletes, deletes by creates",
        )
        job_result, reverted = self.apply(undo)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, reverted.summary)
        self.assertEqual(nautobot_state(), state_before)
        self.assertEqual(
            interface_pks, set(Interface.objects.values_list("pk", flat=True)), "re-created under their primary keys"
        )
        logged = ObjectChange.objects.filter(request_id=reverted.change_id)
        self.assertTrue(logged.exists())
        self.assertEqual(set(logged.values_list("user_name", flat=True)), {"test-user"})

    def test_objects_changed_since_the_sync_are_not_reverted(self):
        self.run_sync(RECORDS_V1)
        _, changed = self.run_sync(RECORDS_V2)
        Device.objects.filter(name="leaf-01").update(serial="BY-HAND")  # the sync set S2
        _, undo = self.revert(changed)
        drifted = undo.changes.get(status=ChangeStatusChoices.DRIFTED, unique_id="leaf-01")
        self.assertIn("serial is 'BY-HAND', the plan found 'S2'", drifted.message)
        self.apply(undo)
        self.assertEqual(Device.objects.get(name="leaf-01").serial, "BY-HAND")

    def test_a_dry_run_is_not_revertible(self):
        plan = self.plan(RECORDS_V1)
        job_result, undo = self.revert(plan)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertIn("nothing of it to revert", logged(job_result))


class PerObjectRevertTest(RevertTest):
    job_class = OrmDeviceSource


class HandWrittenPlanTest(PlanTestCase):
    """Plans of a job whose DiffSyncModels write Nautobot themselves (no declarative layer)."""

    job_class = ManufacturerSource

    def tearDown(self):
        ManufacturerSource.records = []
        super().tearDown()

    @staticmethod
    def catalogue():
        """What Nautobot holds, as catalogue records."""
        return [
            {
                "name": manufacturer.name,
                "description": manufacturer.description,
                "device_types": [
                    {"model": dt.model, "part_number": dt.part_number} for dt in manufacturer.device_types.all()
                ],
            }
            for manufacturer in Manufacturer.objects.all()
        ]

    def test_a_plan_of_hand_written_models_is_applied_and_reverted(self):
        before = self.catalogue()
        changed = self.catalogue()
        changed[0]["description"] = "anvils"
        changed[0]["device_types"].append({"model": "A2", "part_number": "P2"})
        ManufacturerSource.records = changed
        job_result = run_job_for_testing(self.job_model, job_kwargs={"dryrun": True})
        plan = Sync.objects.get(job_result=job_result)
        ManufacturerSource.records = []  # never read by the apply
        job_result, applied = self.apply(plan)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, applied.summary)
        self.assertEqual(counts(applied), (1, 1, 0, 0, 0))
        self.assertEqual(self.catalogue(), changed)

        _, undo = self.revert(applied)
        self.assertEqual(counts(undo), (0, 1, 1, 0, 0))
        job_result, reverted = self.apply(undo)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, reverted.summary)
        self.assertEqual(self.catalogue(), before)


class ApprovalTest(PlanTestCase):
    """An approval workflow on the apply job: applies wait in Nautobot's approvals; the sync job's dry-runs do not."""

    def test_an_apply_writes_nothing_until_approved_then_applies(self):
        self.run_sync(RECORDS_V1)
        plan = self.plan(RECORDS_V2)
        before = nautobot_state()
        reviewers = Group.objects.create(name="Network reviewers")
        approver = get_user_model().objects.create(username="approver")
        reviewers.user_set.add(approver)
        definition = ApprovalWorkflowDefinition.objects.create(
            name="Apply Data Sync plans",
            model_content_type=ContentType.objects.get_for_model(ScheduledJob),
            model_constraints={"job_model__job_class_name": "ApplyPlan"},
        )
        ApprovalWorkflowStageDefinition.objects.create(
            approval_workflow_definition=definition,
            sequence=1,
            name="Review",
            min_approvers=1,
            approver_group=reviewers,
        )
        requester = get_user_model().objects.get(username="test-user")
        dry_run = ScheduledJob.create_schedule(self.job_model, requester, job_kwargs={"dryrun": True})
        self.assertFalse(dry_run.has_approval_workflow_definition(), "the sync job's runs are not gated")

        scheduled = ScheduledJob.create_schedule(self.apply_job, requester, job_kwargs={"plan": str(plan.pk)})
        scheduled.refresh_from_db()
        self.assertEqual((scheduled.state, scheduled.enabled), (ScheduledJobStateChoices.PENDING, False))
        self.assertFalse(Sync.objects.filter(plan=plan).exists())
        self.assertEqual(nautobot_state(), before, "unapproved: nothing written")

        workflow = scheduled.associated_approval_workflows.get()
        ApprovalWorkflowStageResponse.objects.create(
            approval_workflow_stage=workflow.approval_workflow_stages.get(),
            user=approver,
            state=ApprovalWorkflowStateChoices.APPROVED,
        )
        scheduled.refresh_from_db()
        self.assertEqual((scheduled.state, scheduled.enabled), (ScheduledJobStateChoices.ACTIVE, True))
        job_result = run_job_for_testing(self.apply_job, job_kwargs=scheduled.kwargs)  # as Celery beat runs it now
        applied = Sync.objects.get(job_result=job_result)
        self.assertEqual((applied.plan, applied.status), (plan, SyncStatusChoices.SUCCEEDED))
        self.assertNotEqual(nautobot_state(), before)


class PlanApiTest(PlanTestCase):
    """Plans read through the app's REST API (an apply is queued through Nautobot's job API: tests/live/test_worker)."""

    def test_a_plan_and_its_application_are_read_through_the_api(self):
        self.run_sync(RECORDS_V1)
        plan = self.plan(RECORDS_V2)
        _, applied = self.apply(plan)
        self.user.is_superuser = True
        self.user.save()
        token = Token.objects.create(user=self.user)
        headers = {"HTTP_AUTHORIZATION": f"Token {token.key}", "HTTP_ACCEPT": "application/json"}

        planned = self.client.get(f"/api/plugins/data-sync/changes/?sync={plan.pk}&status=planned", **headers).json()
        self.assertEqual(planned["count"], plan.changes.filter(status=ChangeStatusChoices.PLANNED).count())
        leaf = next(row for row in planned["results"] if row["unique_id"] == "leaf-01__eth1")
        self.assertEqual(
            (leaf["identifiers"], leaf["parents"]),
            ({"device__name": "leaf-01", "name": "eth1"}, [["device", {"name": "leaf-01"}]]),
        )
        listed = self.client.get(f"/api/plugins/data-sync/syncs/?plan={plan.pk}", **headers).json()
        self.assertEqual([row["id"] for row in listed["results"]], [str(applied.pk)])
