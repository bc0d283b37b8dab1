"""Rows inserted with COPY are the rows bulk_create() inserts, its errors are Django's, and the query count sees it."""

import datetime
import uuid
import warnings

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from nautobot.apps.testing import TestCase
from nautobot.dcim.models import Device
from nautobot.extras.models import JobResult

from nautobot_data_sync.models import Sync, SyncChange
from nautobot_data_sync.speedups.copyrows import QueryDuringCopy, _plain_types, insert_rows, insert_stream
from nautobot_data_sync.sync.metrics import QueryCounter
from nautobot_data_sync.tests.fixtures.orm import AWKWARD, awkward_devices, make_world, sent_statements, stored_rows


@pytest.mark.compat
class CopyRowsTest(TestCase):
    def setUp(self):
        self.world = make_world()

    def test_the_rows_are_those_bulk_create_inserts(self):
        copied, created = awkward_devices(self.world, "copy"), awkward_devices(self.world, "bulk")
        with CaptureQueriesContext(connection) as queries:
            insert_rows(copied, batch_size=3)
        Device.objects.bulk_create(created)
        self.assertEqual(stored_rows(copied, "copy"), stored_rows(created, "bulk"))
        self.assertEqual(len(stored_rows(copied, "copy")), len(AWKWARD))
        self.assertEqual(
            [query["sql"].split(" (")[0] for query in queries.captured_queries],
            ['COPY "dcim_device"'] * 3,
            "three batches, each one COPY, in Django's query log",
        )
        for device in copied:
            self.assertFalse(device._state.adding, "saved, as bulk_create() leaves them")
            self.assertIsNotNone(device.created)

    def test_values_taken_as_they_are_only_where_djangos_own_methods_prepare_them(self):
        def plain(name):
            return _plain_types(Device._meta.get_field(name))

        self.assertEqual(plain("name"), (str, type(None)))
        self.assertEqual(plain("device_type"), (uuid.UUID, type(None)), "a foreign key: its target's preparation")
        self.assertEqual(plain("id"), (uuid.UUID, type(None)))
        self.assertEqual(plain("vc_position"), (int, type(None)))
        self.assertEqual(plain("local_config_context_data_owner_content_type"), (int, type(None)), "an automatic key")
        self.assertEqual(plain("_name"), (), "a natural-ordering field computes its value in pre_save()")
        self.assertEqual(plain("_custom_field_data"), (), "JSON: Django's preparation adapts it")
        self.assertEqual(plain("created"), (), "a date-time set in pre_save()")

    def test_date_times_are_those_bulk_create_inserts(self):
        """The time ``auto_now_add`` stamps, and given times: aware in two zones, naive (made aware, with Django's
        warning), none."""
        given = [
            datetime.datetime(2026, 12, 7, 9, 41, 46, 356362, tzinfo=datetime.timezone.utc),
            datetime.datetime(2026, 12, 7, 15, 11, 46, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=5.5))),
            datetime.datetime(2026, 12, 7, 9, 41, 46),
            None,
        ]

        def results(prefix):
            return [JobResult(name=f"{prefix}-{index}", date_done=when) for index, when in enumerate(given)]

        copied, created = results("copy"), results("bulk")
        with warnings.catch_warnings(record=True) as copy_warnings:
            warnings.simplefilter("always")
            insert_rows(copied)
        with warnings.catch_warnings(record=True) as bulk_warnings:
            warnings.simplefilter("always")
            JobResult.objects.bulk_create(created)
        self.assertEqual(
            [str(w.message).split(" received")[0] for w in copy_warnings], ["DateTimeField JobResult.date_done"]
        )
        self.assertEqual(len(bulk_warnings), 1)
        stored = {result.name: result for result in JobResult.objects.filter(pk__in=[r.pk for r in copied + created])}
        for copy, bulk in zip(copied, created, strict=True):
            with self.subTest(date_done=bulk.date_done):
                self.assertEqual(stored[copy.name].date_done, stored[bulk.name].date_done)
                self.assertEqual(stored[copy.name].date_created, copy.date_created, "the time stamped, as stored")
                self.assertIsNotNone(copy.date_created.utcoffset())

    def test_the_sync_query_count_sees_it(self):
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            insert_rows(awkward_devices(self.world, "counted"))
        self.assertEqual(counter.count, 1)

    def test_a_refused_row_raises_djangos_integrity_error(self):
        first = awkward_devices(self.world, "dup")[:1]
        insert_rows(first)
        again = awkward_devices(self.world, "dup")[:1]
        again[0].pk = first[0].pk
        with self.assertRaises(IntegrityError), transaction.atomic():
            insert_rows(again)
        self.assertEqual(Device.objects.filter(name__startswith="dup-").count(), 1)

    def test_rows_from_an_expression_on_take_bulk_create(self):
        for position, statements in ((0, ["INSERT"]), (3, ["COPY", "INSERT"])):  # three rows copied before it
            with self.subTest(position=position):
                prefix = f"expression{position}"
                devices = awkward_devices(self.world, prefix)
                devices[position].comments = Concat(Value("made "), Value("in SQL"))
                with CaptureQueriesContext(connection) as queries:
                    insert_rows(devices)
                self.assertEqual([query["sql"].split(" ")[0] for query in queries.captured_queries], statements)
                self.assertEqual(Device.objects.get(pk=devices[position].pk).comments, "made in SQL")
                self.assertEqual(Device.objects.filter(name__startswith=f"{prefix}-").count(), len(AWKWARD))
                self.assertTrue(all(not device._state.adding for device in devices))

    def test_an_error_preparing_a_row_is_raised_as_itself_and_nothing_is_inserted(self):
        devices = awkward_devices(self.world, "unwritable")
        devices[4]._custom_field_data = {"owner": object()}
        with self.assertRaisesRegex(TypeError, "not JSON serializable"), transaction.atomic():
            insert_rows(devices)  # its rows before the fifth are already sent
        self.assertFalse(Device.objects.filter(name__startswith="unwritable-").exists())

    def test_a_key_the_database_assigns_takes_bulk_create_and_is_read_back(self):
        content_type = ContentType.objects.get_for_model(Device)
        permission = Permission(name="Copy test", codename="copy_test", content_type=content_type)
        with CaptureQueriesContext(connection) as queries:
            insert_rows([permission])
        self.assertNotIn("COPY", [query["sql"].split(" ")[0] for query in queries.captured_queries])
        self.assertIsNotNone(permission.pk, "read back, as bulk_create() does")
        self.assertEqual(Permission.objects.get(pk=permission.pk).codename, "copy_test")

    def test_assigned_related_objects_are_checked_as_bulk_create_checks_them(self):
        sync = Sync.objects.create(source="Inventory", target="Nautobot", start_time=timezone.now())

        def change(number, content_type=None):
            row = SyncChange(sync=sync, sequence=number, model_name="device", unique_id=f"leaf-{number}")
            row.action, row.status = "create", "succeeded"
            if content_type is not None:
                row.changed_object_type = content_type
            return row

        unsaved = ContentType(app_label="nowhere", model="nothing")
        for insert in (insert_rows, SyncChange.objects.bulk_create):
            with (
                self.subTest(insert=insert.__name__),
                self.assertRaisesMessage(ValueError, "unsaved related object 'changed_object_type'"),
                transaction.atomic(),
            ):
                insert([change(1), change(2, unsaved)])
        self.assertFalse(SyncChange.objects.filter(sync=sync).exists())
        saved_later = ContentType(app_label="data_sync_test", model="later")
        rows = [change(3), change(4, saved_later)]
        saved_later.save()  # after it was assigned: its key is taken at the insert, as bulk_create() takes it
        insert_rows(rows)
        self.assertEqual(SyncChange.objects.get(pk=rows[1].pk).changed_object_type_id, saved_later.pk)
        self.assertIsNone(SyncChange.objects.get(pk=rows[0].pk).changed_object_type_id)

    def test_rows_are_those_bulk_create_inserts_in_one_copy(self):
        streamed, created = awkward_devices(self.world, "stream"), awkward_devices(self.world, "bulk")
        with CaptureQueriesContext(connection) as queries:
            insert_stream(Device, iter(streamed))
        Device.objects.bulk_create(created)
        self.assertEqual(sent_statements(queries), ["COPY"])
        self.assertEqual(stored_rows(streamed, "stream"), stored_rows(created, "bulk"))
        self.assertTrue(all(not device._state.adding for device in streamed))

    def test_a_query_while_the_copy_streams_is_refused_where_it_is_asked(self):
        devices = awkward_devices(self.world, "refused")

        def made_one_by_one():
            for index, device in enumerate(devices):
                if index == 3:
                    try:
                        Device.objects.count()
                    except QueryDuringCopy:
                        return  # the rest after the COPY
                yield device

        with CaptureQueriesContext(connection) as queries:
            insert_stream(Device, made_one_by_one())
        self.assertEqual(sent_statements(queries), ["COPY"], "the refused query was not sent")
        self.assertEqual(Device.objects.filter(name__startswith="refused-").count(), 3)
        insert_stream(Device, iter(devices[3:]))
        self.assertEqual(Device.objects.filter(name__startswith="refused-").count(), len(devices))

    def test_an_iterator_that_goes_on_after_a_refusal_is_an_error(self):
        def careless():
            yield from awkward_devices(self.world, "careless")[:2]
            Device.objects.count()

        with self.assertRaisesRegex(RuntimeError, "no query while a COPY streams"):
            insert_stream(Device, careless())
