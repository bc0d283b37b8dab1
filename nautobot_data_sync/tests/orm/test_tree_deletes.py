"""Deletes of declarative models come after every create and update, a tree's children before their parents, and
never take with them by cascade what the sync keeps; one by one and in bulk."""

from django.contrib.contenttypes.models import ContentType
from nautobot.apps.testing import TransactionTestCase
from nautobot.dcim.models import Location, LocationType, RackGroup
from nautobot.extras.choices import JobResultStatusChoices, ObjectChangeActionChoices
from nautobot.extras.models import ObjectChange, Status

from nautobot_data_sync.choices import ChangeActionChoices, ChangeStatusChoices
from nautobot_data_sync.models import Sync
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing
from nautobot_data_sync.tests.fixtures.jobs import job_model_for
from nautobot_data_sync.tests.fixtures.trees import (
    TreeBulkSource,
    TreeSource,
    prepare_statuses,
    subtree,
    tree_records,
    without,
)

FANOUTS = (2, 2, 1, 1, 1, 1, 1, 1, 1)
"""10 levels, 35 locations: the root, 2 children, 4 grandchildren, then a chain of 7 under each grandchild."""
LEVEL_7 = "r-0-0" + "-0" * 5  # a location of level 7, with a child and a grandchild
LEAF = "r-1-1" + "-0" * 7  # a location of level 9


class TreeDeleteTest(TransactionTestCase):
    job_class = TreeSource

    def setUp(self):
        super().setUp()
        prepare_statuses()
        self.job_model = job_model_for(self.job_class)
        self.records = tree_records(FANOUTS)
        job_result, sync = self.run_sync(self.records)
        self.assertEqual((job_result.status, sync.create_count), (JobResultStatusChoices.STATUS_SUCCESS, 45))

    def tearDown(self):
        TreeSource.records = {"location_type": [], "location": []}
        super().tearDown()

    def run_sync(self, records):
        TreeSource.records = records
        inputs = {"dryrun": False, "memory_profiling": False, "parallel_loading": False, "allow_deletes": True}
        job_result = run_job_for_testing(self.job_model, job_kwargs=inputs)
        return job_result, Sync.objects.get(job_result=job_result)

    def assertChildrenFirst(self, order, names):
        """``order`` names each of ``names`` once, every location after its children."""
        self.assertCountEqual(order, names)
        position = {name: index for index, name in enumerate(order)}
        for name in names:
            parent = name.rsplit("-", 1)[0]
            if parent in position:
                self.assertLess(position[name], position[parent], f"{name} is deleted before its parent")

    def deleted_in_change_log(self, sync, model):
        """The object names of the sync's delete records of ``model`` in Nautobot's change log, in time order."""
        records = ObjectChange.objects.filter(
            time__gte=sync.start_time,
            action=ObjectChangeActionChoices.ACTION_DELETE,
            changed_object_type=ContentType.objects.get_for_model(model),
        )
        return list(records.order_by("time").values_list("object_repr", flat=True))

    def test_a_removed_subtree_is_deleted_children_first_each_by_its_own_delete(self):
        removed = subtree(self.records, "r-0")
        root = Location.objects.get(name="r")
        self.assertEqual(len(root.cacheable_descendants_pks()), 34)  # cached

        job_result, sync = self.run_sync(without(self.records, removed))

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.assertEqual((sync.delete_count, sync.failed_count), (17, 0))
        deleted = sync.changes.filter(action=ChangeActionChoices.DELETE).order_by("sequence")
        self.assertEqual({change.status for change in deleted}, {ChangeStatusChoices.SUCCEEDED})
        self.assertChildrenFirst([change.unique_id for change in deleted], removed)
        self.assertChildrenFirst(self.deleted_in_change_log(sync, Location), removed)
        remaining = {record["name"] for record in self.records["location"]} - removed
        self.assertEqual(set(Location.objects.values_list("name", flat=True)), remaining)
        self.assertEqual(len(root.cacheable_descendants_pks()), 17, "the root forgot its cached descendants")

    def test_a_child_moved_to_a_parent_that_stays_survives_its_old_parent(self):
        records = without(self.records, {"r-0-0"})
        records["location"] = [
            {**record, "parent__name": "r-0-1"} if record["name"] == "r-0-0-0" else record
            for record in records["location"]
        ]

        job_result, sync = self.run_sync(records)

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.assertEqual((sync.update_count, sync.delete_count, sync.failed_count), (1, 1, 0))
        self.assertFalse(Location.objects.filter(name="r-0-0").exists())
        self.assertEqual(Location.objects.get(name="r-0-0-0").parent.name, "r-0-1")
        self.assertEqual(Location.objects.filter(name__startswith="r-0-0-0").count(), 7, "its subtree follows it")
        self.assertEqual(Location.objects.count(), 34)

    def test_a_delete_that_would_take_locations_the_source_has_is_refused_and_the_rest_goes_on(self):
        job_result, sync = self.run_sync(without(self.records, {LEVEL_7, LEAF}))

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
        self.assertEqual((sync.delete_count, sync.failed_count), (1, 1))
        failed = sync.changes.get(status=ChangeStatusChoices.FAILED)
        self.assertEqual((failed.action, failed.unique_id), (ChangeActionChoices.DELETE, LEVEL_7))
        self.assertEqual(
            failed.message,
            f"ObjectProtected: location '{LEVEL_7}' cannot be deleted: it would also delete 2 locations this sync "
            f"keeps ({LEVEL_7}-0, {LEVEL_7}-0-0)",
        )
        self.assertEqual(failed.changed_object, Location.objects.get(name=LEVEL_7))
        remaining = {record["name"] for record in self.records["location"]} - {LEAF}
        self.assertEqual(set(Location.objects.values_list("name", flat=True)), remaining)

    def test_a_location_made_by_hand_keeps_its_parent(self):
        level_8 = LocationType.objects.get(name="level-8")
        Location.objects.create(
            name="by-hand",
            parent=Location.objects.get(name=LEVEL_7),
            location_type=level_8,
            status=Status.objects.get(name="Active"),
        )

        job_result, sync = self.run_sync(without(self.records, subtree(self.records, LEVEL_7)))

        kept = sync.changes.get(status=ChangeStatusChoices.KEPT)
        self.assertEqual((kept.action, kept.unique_id), (ChangeActionChoices.DELETE, "by-hand"))
        failed = sync.changes.get(status=ChangeStatusChoices.FAILED)
        self.assertEqual(
            failed.message,
            f"ObjectProtected: location '{LEVEL_7}' cannot be deleted: it would also delete 1 location this sync "
            "keeps (by-hand)",
        )
        self.assertEqual(sync.delete_count, 2, "its own children went")
        self.assertFalse(Location.objects.filter(name__in=[f"{LEVEL_7}-0", f"{LEVEL_7}-0-0"]).exists())
        self.assertEqual(Location.objects.get(name="by-hand").parent.name, LEVEL_7)

    def test_what_the_sync_does_not_load_goes_with_its_location(self):
        RackGroup.objects.create(name="cage", location=Location.objects.get(name=LEAF))

        job_result, sync = self.run_sync(without(self.records, {LEAF}))

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.assertEqual(sync.delete_count, 1)
        self.assertFalse(Location.objects.filter(name=LEAF).exists() or RackGroup.objects.exists())
        self.assertEqual(self.deleted_in_change_log(sync, RackGroup), ["cage"])

    def test_removed_levels_go_locations_first_then_their_types_children_first(self):
        records = tree_records(FANOUTS[:6])  # levels 7 to 9 removed: their types and 4 x 3 locations

        job_result, sync = self.run_sync(records)

        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.assertEqual((sync.delete_count, sync.failed_count), (15, 0))
        deleted = [
            (change.model_name, change.unique_id)
            for change in sync.changes.filter(action=ChangeActionChoices.DELETE).order_by("sequence")
        ]
        removed = {record["name"] for record in self.records["location"]} - {r["name"] for r in records["location"]}
        self.assertChildrenFirst([name for model, name in deleted[:12] if model == "location"], removed)
        self.assertEqual(deleted[12:], [("location_type", f"level-{n}") for n in (9, 8, 7)])
        self.assertEqual(Location.objects.count(), 35 - 12)
        self.assertFalse(LocationType.objects.filter(name__in=["level-7", "level-8", "level-9"]).exists())


class BulkTreeDeleteTest(TreeDeleteTest):
    job_class = TreeBulkSource
