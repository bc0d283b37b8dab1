"""Creating a location tree in bulk costs queries per level, not per location, and writes what one-by-one writes:
the same locations and the same change records; a node moved under its own descendant fails the same way."""

import pytest
from nautobot.apps.testing import TransactionTestCase
from nautobot.dcim.models import Location, LocationType
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import ObjectChange

from nautobot_data_sync.choices import ChangeStatusChoices, SyncPhaseChoices
from nautobot_data_sync.models import Sync
from nautobot_data_sync.tests.fixtures.cases import change_log
from nautobot_data_sync.tests.fixtures.jobrun import run_job_for_testing
from nautobot_data_sync.tests.fixtures.jobs import job_model_for
from nautobot_data_sync.tests.fixtures.trees import TreeBulkSource, TreeSource, prepare_statuses, tree_records

SMALL = (1, 1, 1, 1, 1, 1)  # 7 levels, 7 locations
LARGE = (3, 2, 2, 2, 2, 1)  # 7 levels, 142 locations
QUERIES_PER_LEVEL = 20
"""Bound of a bulk creation's sync phase: per level, each model's batch sends about 14 queries (validation, insert,
change records, ownership stamps, the tree's depth read again)."""


class TreeCreateTest(TransactionTestCase):
    def setUp(self):
        super().setUp()
        prepare_statuses()

    def tearDown(self):
        TreeSource.records = {"location_type": [], "location": []}
        super().tearDown()

    def run_sync(self, job_class, records):
        TreeSource.records = records
        inputs = {"dryrun": False, "memory_profiling": False, "parallel_loading": False, "allow_deletes": True}
        job_result = run_job_for_testing(job_model_for(job_class), job_kwargs=inputs)
        return job_result, Sync.objects.get(job_result=job_result)

    def create(self, job_class, fanouts):
        """Sync a new tree of ``fanouts``: its sync phase's queries."""
        records = tree_records(fanouts)
        job_result, sync = self.run_sync(job_class, records)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.assertEqual(sync.create_count, len(records["location_type"]) + len(records["location"]))
        return sync.phases.get(name=SyncPhaseChoices.SYNC).query_count

    def forget_tree(self):
        """Remove the tree and every change record, outside any change context (nothing is logged)."""
        Location.objects.order_by("-name").delete()
        LocationType.objects.order_by("-name").delete()
        ObjectChange.objects.all().delete()

    def state(self):
        locations = Location.objects.values_list("name", "parent__name", "location_type__name", "status__name")
        types = LocationType.objects.values_list("name", "parent__name")
        return sorted(locations), sorted(types, key=str), change_log()

    def test_a_bulk_tree_costs_queries_per_level_not_per_location(self):
        self.create(TreeBulkSource, SMALL)  # the first sync also reads what stays cached
        self.forget_tree()
        small = self.create(TreeBulkSource, SMALL)
        self.forget_tree()
        large = self.create(TreeBulkSource, LARGE)

        self.assertEqual(large, small, "142 locations cost what 7 do")
        self.assertLess(large, QUERIES_PER_LEVEL * (len(LARGE) + 1))

    def test_the_ancestors_of_new_locations_forget_their_cached_descendants(self):
        self.create(TreeBulkSource, SMALL)
        root, middle = Location.objects.get(name="r"), Location.objects.get(name="r-0-0-0")
        self.assertEqual((len(root.cacheable_descendants_pks()), len(middle.cacheable_descendants_pks())), (6, 3))

        job_result, sync = self.run_sync(TreeBulkSource, tree_records(LARGE))  # grows under the same locations

        self.assertEqual((job_result.status, sync.create_count), (JobResultStatusChoices.STATUS_SUCCESS, 135))
        self.assertEqual((len(root.cacheable_descendants_pks()), len(middle.cacheable_descendants_pks())), (141, 10))

    @pytest.mark.compat
    def test_bulk_and_one_by_one_give_the_same_tree_and_change_log(self):
        self.create(TreeSource, LARGE)
        one_by_one = self.state()
        self.forget_tree()
        self.create(TreeBulkSource, LARGE)
        bulk = self.state()

        self.assertEqual(bulk[:2], one_by_one[:2], "same locations and location types")
        self.assertEqual(len(bulk[2]), 142 + 7, "a change record per object")
        self.assertEqual(bulk[2], one_by_one[2], "same change records")

    @pytest.mark.compat
    def test_a_node_moved_under_its_own_descendant_fails_as_one_by_one(self):
        records = tree_records((1, 1, 1))
        outcomes = []
        for job_class in (TreeSource, TreeBulkSource):
            self.create(job_class, (1, 1, 1))
            moved = {"name": "r-0", "parent__name": "r-0-0-0", "location_type__name": "level-1"}
            looped = {**records, "location": [moved if r["name"] == "r-0" else r for r in records["location"]]}
            job_result, sync = self.run_sync(job_class, looped)
            self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE)
            outcomes.append(list(sync.changes.filter(status=ChangeStatusChoices.FAILED).values_list("message")))
            self.assertEqual(Location.objects.get(name="r-0").parent.name, "r")
            self.forget_tree()

        message = "ObjectValidationError: location 'r-0': __all__: A node cannot be made a descendant of itself."
        self.assertEqual(outcomes[1], [(message,)])
        self.assertEqual(outcomes[1], outcomes[0])
