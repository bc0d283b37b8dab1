"""A batch's change records stream into one COPY as they are built, and are Nautobot's records all the same (the
stream itself: ``tests/speedups/test_copyrows.py``)."""

import json
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext
from nautobot.apps.testing import TestCase
from nautobot.core.models.utils import serialize_object, serialize_object_v2
from nautobot.dcim.models import Device, Interface
from nautobot.extras.choices import ObjectChangeActionChoices
from nautobot.extras.context_managers import JobChangeContext
from nautobot.extras.models import ObjectChange

from nautobot_data_sync.orm import changerecords
from nautobot_data_sync.orm.changerecords import ChangeLog, load_for_logging
from nautobot_data_sync.tests.fixtures.orm import bulk_devices, make_world, sent_statements

UPDATE = ObjectChangeActionChoices.ACTION_UPDATE


@pytest.mark.compat
class StreamedChangeLogTest(TestCase):
    def setUp(self):
        self.devices = bulk_devices(make_world(), 2)  # 16 interfaces
        user = get_user_model().objects.create(username="streamer")
        self.context = JobChangeContext(user=user)
        self.pks = list(Interface.objects.filter(device__in=self.devices).order_by("name").values_list("pk", flat=True))

    def logged(self, objects):
        """Log ``objects`` as updated, 5 records to a chunk; the statements sent, how many queries were refused, and
        the records stored."""
        with mock.patch.object(changerecords, "CHANGES_PER_INSERT", 5), CaptureQueriesContext(connection) as queries:
            ChangeLog(self.context)._log(objects, UPDATE)
        refused = sum(query["sql"] is None for query in queries.captured_queries)
        records = ObjectChange.objects.filter(request_id=self.context.change_id)
        return sent_statements(queries), refused, {record.changed_object_id: record for record in records}

    def assert_nautobots_records(self, records):
        self.assertEqual(len(records), len(self.pks))
        for interface in Interface.objects.filter(pk__in=self.pks):
            record = records[interface.pk]
            self.assertEqual(record.object_data, serialize_object(interface))
            stored_v2 = json.loads(json.dumps(serialize_object_v2(interface), cls=DjangoJSONEncoder))  # as jsonb
            self.assertEqual(record.object_data_v2, stored_v2)
            self.assertEqual((record.action, record.user_name), (UPDATE, "streamer"))
            self.assertEqual(record.related_object_id, interface.device_id)
        self.assertEqual(len(self.context.deferred_object_changes), len(self.pks), "each registered in the context")

    def test_a_batch_of_prefetched_objects_is_one_copy(self):
        sent, refused, records = self.logged(load_for_logging(Interface, self.pks))
        self.assertEqual(sent.count("COPY"), 1, "16 records in 4 chunks, one COPY")
        self.assertEqual(sent[-1], "COPY", "the first chunk's queries (custom fields...) before it")
        self.assertEqual(refused, 0)
        self.assert_nautobots_records(records)

    def test_records_that_need_queries_end_the_copy_and_their_chunk_is_built_before_the_next(self):
        """Not prefetched, each chunk's serialization queries: refused while a COPY streams, the chunk is built
        before the next COPY starts, where its queries run; at most two COPY statements per chunk."""
        sent, refused, records = self.logged(list(Interface.objects.filter(pk__in=self.pks).order_by("name")))
        self.assertGreater(refused, 0)
        self.assertGreater(sent.count("COPY"), 1, "the COPY ended where a chunk needed queries")
        self.assertLessEqual(sent.count("COPY"), 2 * 4)
        self.assertGreater(sent.count("SELECT"), 0, "the queries ran, outside the COPY")
        self.assert_nautobots_records(records)

    def test_records_that_each_need_a_query_take_at_most_two_copies_per_chunk(self):
        """A model whose text needs a query for every object (as an app's ``__str__()`` may): each chunk after the
        first record that needed one is built before the next COPY, not one COPY per record."""

        def named_by_query(interface):
            device_name = Device.objects.filter(pk=interface.device_id).values_list("name", flat=True).get()
            return f"{device_name} {interface.name}"

        with mock.patch.object(Interface, "__str__", named_by_query):
            sent, refused, records = self.logged(load_for_logging(Interface, self.pks))
            self.assert_nautobots_records(records)
        self.assertGreater(refused, 0)
        self.assertLessEqual(sent.count("COPY"), 2 * 4, "16 records, 4 chunks")
        self.assertEqual(records[self.pks[0]].object_repr, f"{self.devices[0].name} eth0")
