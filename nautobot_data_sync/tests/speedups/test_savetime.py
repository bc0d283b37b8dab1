"""What save() and the save signals do is reproduced for objects written in bulk, or the objects are written one by
one: a receiver the bulk path does not reproduce (another app's) still sees every save."""

from django.core.cache import cache
from django.db.models.signals import post_save
from django.test import SimpleTestCase
from nautobot.dcim.models import Device, Location, Manufacturer
from nautobot.extras.choices import JobResultStatusChoices

from nautobot_data_sync.speedups import savetime
from nautobot_data_sync.speedups.savetime import writes_in_bulk
from nautobot_data_sync.tests.fixtures.cases import RECORDS_V1, BulkJobTestCase


class SavedDevices:
    """A post_save receiver for devices, as another app might connect one."""

    def __init__(self):
        self.names = []

    def __call__(self, sender, instance, created, **kwargs):
        self.names.append((instance.name, created))


class ReceiversTest(SimpleTestCase):
    def test_a_model_with_a_receiver_not_reproduced_is_written_one_by_one(self):
        self.assertTrue(writes_in_bulk(Manufacturer, "create"))
        receiver = SavedDevices()
        post_save.connect(receiver, sender=Manufacturer, weak=False, dispatch_uid="data-sync-test")
        try:
            self.assertFalse(writes_in_bulk(Manufacturer, "create"))
            self.assertFalse(writes_in_bulk(Manufacturer, "update"))
            self.assertTrue(writes_in_bulk(Manufacturer, "delete"), "deletes send their signals")
        finally:
            post_save.disconnect(sender=Manufacturer, dispatch_uid="data-sync-test")
        self.assertTrue(writes_in_bulk(Manufacturer, "create"))


class TreeTest(SimpleTestCase):
    def test_a_changed_tree_forgets_its_cached_depth(self):
        key = Location.objects.max_depth_cache_key
        cache.set(key, 99)
        savetime.tree_changed(Location, set())
        self.assertIsNone(cache.get(key))


class AnotherAppTest(BulkJobTestCase):
    def test_a_bulk_sync_hands_every_device_save_to_another_app_s_receiver(self):
        receiver = SavedDevices()
        post_save.connect(receiver, sender=Device, weak=False, dispatch_uid="data-sync-test")
        self.addCleanup(post_save.disconnect, sender=Device, dispatch_uid="data-sync-test")
        job_result, sync = self.run_sync(RECORDS_V1)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)
        self.assertEqual(sorted(receiver.names), [("leaf-01", True), ("leaf-02", True), ("leaf-03", True)])
