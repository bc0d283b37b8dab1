"""Nautobot's post-job walk over a job's change records reads their data in chunks while a sync job runs."""

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from nautobot.apps.testing import TestCase
from nautobot.core.events import deregister_event_broker, register_event_broker
from nautobot.dcim.models import Manufacturer
from nautobot.extras.choices import ObjectChangeActionChoices
from nautobot.extras.models import JobHook, ObjectChange, Webhook

from nautobot_data_sync.speedups.dispatch import change_data_in_chunks, nothing_takes, snapshots_are_consumed
from nautobot_data_sync.tests.fixtures.events import DeviceHookReceiver, TopicBroker
from nautobot_data_sync.tests.fixtures.jobs import job_model_for

RECORDS = 25
UPDATED = 12


def dispatch_walk(request_id):
    """Snapshots of the request's change records, read the way Nautobot's post-job dispatch reads them."""
    records = (
        ObjectChange.objects.select_related("changed_object_type", "user")
        .filter(request_id=request_id)
        .order_by("time")
        .defer("object_data", "object_data_v2")
        .iterator()
    )
    return {record.changed_object_id: record.get_snapshots() for record in records}


class ChunkedChangeDataTest(TestCase):
    def setUp(self):
        """RECORDS records in this request: creates, and updates of objects created in an earlier request (one
        update's object also updated again in this request)."""
        super().setUp()
        self.request_id = uuid.uuid4()
        earlier, changes = [], []
        for index in range(RECORDS):
            manufacturer = Manufacturer.objects.create(name=f"Vendor {index}", description=f"#{index}")
            change = manufacturer.to_objectchange(ObjectChangeActionChoices.ACTION_CREATE)
            (earlier if index < UPDATED else changes).append(change)
        for change in earlier:
            change.request_id = uuid.uuid4()
        ObjectChange.objects.bulk_create(earlier)
        updated = Manufacturer.objects.filter(name__in=[f"Vendor {index}" for index in range(UPDATED)])
        for index, manufacturer in enumerate(updated):
            manufacturer.description = f"updated {index}"
            manufacturer.save()
            changes.append(manufacturer.to_objectchange(ObjectChangeActionChoices.ACTION_UPDATE))
        manufacturer.description = "updated twice"
        manufacturer.save()
        changes.append(manufacturer.to_objectchange(ObjectChangeActionChoices.ACTION_UPDATE))
        for change in changes:
            change.request_id = self.request_id
        ObjectChange.objects.bulk_create(changes)
        other = Manufacturer.objects.create(name="Another request's")
        other_change = other.to_objectchange(ObjectChangeActionChoices.ACTION_CREATE)
        other_change.request_id = self.other_request_id = uuid.uuid4()
        other_change.save()

    def consumed_by(self, broker):
        register_event_broker(broker)
        self.addCleanup(deregister_event_broker, broker)

    def chunked_walk(self, request_id):
        """``dispatch_walk()`` while the request's data is read in chunks of 10, and its queries."""
        with change_data_in_chunks(self.request_id, chunk_size=10), CaptureQueriesContext(connection) as queries:
            return dispatch_walk(request_id), queries

    def test_records_get_their_data_with_one_query_per_chunk(self):
        self.consumed_by(TopicBroker(include_topics=["nautobot.*.dcim.manufacturer"]))
        with CaptureQueriesContext(connection) as one_by_one:
            expected = dispatch_walk(self.request_id)
        snapshots, chunked = self.chunked_walk(self.request_id)

        self.assertEqual(len(snapshots), RECORDS)
        self.assertEqual(snapshots, expected)
        self.assertEqual(snapshots[Manufacturer.objects.get(name="Vendor 20").pk]["postchange"]["description"], "#20")
        twice = snapshots[Manufacturer.objects.get(description="updated twice").pk]
        self.assertEqual(twice["differences"]["removed"]["description"][:8], "updated ")
        self.assertEqual(twice["differences"]["added"], {"description": "updated twice"})
        updated_once = snapshots[Manufacturer.objects.get(name="Vendor 0").pk]
        self.assertEqual(updated_once["prechange"]["description"], "#0")
        self.assertGreaterEqual(len(one_by_one), RECORDS + 1 + UPDATED + 1, "Nautobot's way: queries per record")
        self.assertLessEqual(len(chunked), 1 + 3 * 2 + 2, "the walk, three chunks of 10 (data, previous records)")

    def test_records_nothing_takes_get_no_data(self):
        self.consumed_by(TopicBroker(include_topics=["nautobot.*"], exclude_topics=["nautobot.create.*"]))
        snapshots, _ = self.chunked_walk(self.request_id)
        self.assertEqual(len(snapshots), RECORDS)
        created = Manufacturer.objects.filter(name__in=[f"Vendor {index}" for index in range(UPDATED, RECORDS)])
        self.assertEqual({snapshots[manufacturer.pk]["postchange"] for manufacturer in created}, {None}, "not built")
        self.assertEqual(snapshots[Manufacturer.objects.get(name="Vendor 0").pk]["prechange"]["description"], "#0")

    def test_webhooks_and_brokers_decide_what_is_consumed(self):
        manufacturer = ContentType.objects.get_for_model(Manufacturer)
        self.assertFalse(snapshots_are_consumed(manufacturer, ObjectChangeActionChoices.ACTION_UPDATE))
        webhook = Webhook.objects.create(name="updates", type_update=True, payload_url="http://127.0.0.1:9/")
        webhook.content_types.add(manufacturer)
        self.assertTrue(snapshots_are_consumed(manufacturer, ObjectChangeActionChoices.ACTION_UPDATE))
        self.assertFalse(snapshots_are_consumed(manufacturer, ObjectChangeActionChoices.ACTION_CREATE))
        webhook.enabled = False
        webhook.save()
        self.assertFalse(snapshots_are_consumed(manufacturer, ObjectChangeActionChoices.ACTION_UPDATE))
        self.consumed_by(TopicBroker(include_topics=["nautobot.update.dcim.*"]))
        self.assertTrue(snapshots_are_consumed(manufacturer, ObjectChangeActionChoices.ACTION_UPDATE))
        self.assertFalse(snapshots_are_consumed(manufacturer, ObjectChangeActionChoices.ACTION_DELETE))

    def test_other_requests_and_stopped_reads_are_untouched(self):
        self.consumed_by(TopicBroker())
        walked, _ = self.chunked_walk(self.other_request_id)
        (other,) = walked.values()
        self.assertEqual(other["postchange"]["name"], "Another request's")

        with CaptureQueriesContext(connection) as after_stop:
            dispatch_walk(self.request_id)
        self.assertGreaterEqual(len(after_stop), RECORDS + 1)


class UntakenWalkTest(TestCase):
    """Where nothing takes any record of the request, the dispatch walks none; once anything takes one, all."""

    def setUp(self):
        super().setUp()
        self.request_id = uuid.uuid4()
        for index in range(3):
            change = Manufacturer.objects.create(name=f"Vendor {index}").to_objectchange(
                ObjectChangeActionChoices.ACTION_CREATE
            )
            change.request_id = self.request_id
            change.save()
        self.manufacturer = ContentType.objects.get_for_model(Manufacturer)

    def walk(self):
        with change_data_in_chunks(self.request_id), CaptureQueriesContext(connection) as queries:
            return dispatch_walk(self.request_id), queries

    def test_a_request_nothing_takes_is_not_walked(self):
        self.assertTrue(nothing_takes(self.request_id))
        walked, queries = self.walk()
        self.assertEqual(walked, {})
        self.assertFalse([query for query in queries if 'ORDER BY "extras_objectchange"."time" ASC' in query["sql"]])
        self.assertEqual(len(dispatch_walk(self.request_id)), 3, "outside the block, Nautobot's walk as it is")
        other = ObjectChange.objects.filter(request_id=self.request_id).order_by("time").iterator()
        with change_data_in_chunks(self.request_id):
            self.assertEqual(len(list(other)), 3, "another read of the records is not the walk")

    def test_a_job_hook_webhook_or_broker_of_any_record_has_them_all_walked(self):
        receiver = job_model_for(DeviceHookReceiver)
        hook = JobHook.objects.create(name="manufacturers", job=receiver, type_create=True)
        hook.content_types.add(self.manufacturer)
        self.assertFalse(nothing_takes(self.request_id))
        self.assertEqual(len(self.walk()[0]), 3)
        hook.enabled = False
        hook.save()
        webhook = Webhook.objects.create(name="creates", type_create=True, payload_url="http://127.0.0.1:9/")
        webhook.content_types.add(self.manufacturer)
        self.assertFalse(nothing_takes(self.request_id))
        webhook.delete()
        self.assertTrue(nothing_takes(self.request_id))
        broker = TopicBroker(include_topics=["nautobot.create.dcim.*"])
        register_event_broker(broker)
        self.addCleanup(deregister_event_broker, broker)
        self.assertEqual(len(self.walk()[0]), 3)
