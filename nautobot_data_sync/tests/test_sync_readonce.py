"""Inside read_once(), each configuration key and cache key is read once."""

from constance.models import Constance
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from nautobot.apps.testing import TestCase
from nautobot.core.utils.config import get_settings_or_config

from nautobot_data_sync.sync.readonce import read_once

KEY = "LOCATION_NAME_AS_NATURAL_KEY"


class ReadOnceTest(TestCase):
    def test_a_missing_setting_is_read_and_written_once(self):
        Constance.objects.filter(key=KEY).delete()
        cache.clear()
        with read_once():
            with CaptureQueriesContext(connection) as first:
                value = get_settings_or_config(KEY)
            with CaptureQueriesContext(connection) as again:
                for _ in range(5):
                    self.assertEqual(get_settings_or_config(KEY), value)
        self.assertGreater(len(first), 0, "Constance reads the missing key, then writes its default")
        self.assertEqual(len(again), 0)

    def test_cache_writes_go_through_and_are_read_back(self):
        with read_once():
            cache.set("data-sync-test", 1)
            self.assertEqual(cache.get("data-sync-test"), 1)
            cache.delete("data-sync-test")
            self.assertIsNone(cache.get("data-sync-test"))
        cache.set("data-sync-test", 2)
        self.assertEqual(cache.get("data-sync-test"), 2)
