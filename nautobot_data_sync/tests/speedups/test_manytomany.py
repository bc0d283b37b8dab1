"""Many-to-many values written per batch (``speedups.manytomany``): a batch's tags take as many queries for two
devices as for twelve, the rows end as the managers' ``set()`` leaves them, and a field with a receiver of its own
keeps the managers' signals."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models.signals import m2m_changed
from django.test.utils import CaptureQueriesContext
from nautobot.dcim.models import Device, Interface, Location
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import Tag, TaggedItem

from nautobot_data_sync.speedups.manytomany import set_all
from nautobot_data_sync.tests.fixtures.cases import BulkJobTestCase
from nautobot_data_sync.tests.fixtures.orm import device_record

TAGS = ["bronze", "gold", "silver"]


@pytest.mark.compat
class TagsInBulkTest(BulkJobTestCase):
    def setUp(self):
        super().setUp()
        device_ct = ContentType.objects.get_for_model(Device)
        Tag.objects.create(name="bronze").content_types.add(device_ct)

    def sync(self, records):
        """Run the bulk job on ``records``; the number of its queries on tagged items."""
        with CaptureQueriesContext(connection) as queries:
            job_result, sync = self.run_sync(records)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        return len([query for query in queries if '"extras_taggeditem"' in query["sql"]])

    def tagged(self, names, tags):
        return [device_record(name, interfaces=(), tags=tags) for name in names]

    def tags_of(self, names):
        return {name: sorted(Device.objects.get(name=name).tags.names()) for name in names}

    def test_more_tagged_devices_take_no_more_queries_on_their_tags_to_tag_or_retag(self):
        queries = {}
        for count in (2, 12):
            names = [f"leaf-{index:02d}" for index in range(count)]
            created = self.sync(self.tagged(names, ["gold", "silver"]))
            retagged = self.sync(self.tagged(names, ["bronze", "silver"]))
            self.assertEqual(self.tags_of(names), {name: ["bronze", "silver"] for name in names})
            queries[count] = (created, retagged)
            self.forget_devices()
        self.assertEqual(queries[12], queries[2])

    def test_a_kept_tag_keeps_its_row_and_the_others_go(self):
        names = ["leaf-01", "leaf-02"]
        self.sync(self.tagged(names, ["gold", "silver"]))
        kept = set(TaggedItem.objects.filter(tag__name="silver").values_list("pk", flat=True))
        self.sync([device_record("leaf-01", interfaces=(), tags=["silver", "bronze"]), *self.tagged(["leaf-02"], [])])
        self.assertEqual(self.tags_of(names), {"leaf-01": ["bronze", "silver"], "leaf-02": []})
        self.assertLessEqual(set(TaggedItem.objects.filter(tag__name="silver").values_list("pk", flat=True)), kept)
        self.assertEqual(TaggedItem.objects.filter(tag__name="gold").count(), 0)

    def test_a_field_with_a_receiver_of_its_own_is_set_by_the_managers_with_their_signals(self):
        heard = []

        def listen(sender, instance, action, pk_set, **kwargs):
            heard.append((instance.name, action, sorted(Tag.objects.filter(pk__in=pk_set or ()).values_list("name"))))

        m2m_changed.connect(listen, sender=TaggedItem, dispatch_uid="test_manytomany_listen")
        try:
            self.sync(self.tagged(["leaf-01", "leaf-02"], ["gold"]))
        finally:
            m2m_changed.disconnect(sender=TaggedItem, dispatch_uid="test_manytomany_listen")
        expected = [
            (name, action, [("gold",)]) for name in ("leaf-01", "leaf-02") for action in ("pre_add", "post_add")
        ]
        self.assertEqual(sorted(heard), sorted(expected))
        self.assertEqual(self.tags_of(["leaf-01", "leaf-02"]), {"leaf-01": ["gold"], "leaf-02": ["gold"]})

    def test_a_many_to_many_field_with_its_own_table_as_the_managers_set_it(self):
        """``Tag.content_types``: a ``ManyToManyField`` whose through model Django creates."""
        device, interface, location = (ContentType.objects.get_for_model(m) for m in (Device, Interface, Location))
        first, second = Tag.objects.create(name="t-one"), Tag.objects.create(name="t-two")
        through = Tag.content_types.through
        with transaction.atomic(), self.assertNumQueries(1):  # the rows of both, inserted together
            set_all(Tag, "content_types", [(first, [device, interface]), (second, [location])], created=True)
        kept = through.objects.get(tag=first, contenttype=interface).pk
        set_all(Tag, "content_types", [(first, [interface, location]), (second, [])], created=False)
        self.assertEqual(set(first.content_types.all()), {interface, location})
        self.assertEqual(list(second.content_types.all()), [])
        self.assertEqual(through.objects.get(tag=first, contenttype=interface).pk, kept)
