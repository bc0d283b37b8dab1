"""Inside read_once(), each configuration key and cache key is read once."""

import pickle

from constance.models import Constance
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from nautobot.apps.testing import TestCase
from nautobot.core.utils.config import get_settings_or_config
from nautobot.dcim.models import Device
from nautobot.extras.models import Status

from nautobot_data_sync.speedups.config import read_once

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

    def test_a_cached_queryset_answers_in_by_set_lookup_with_the_same_answers(self):
        key = "data-sync-test-content-types"
        cache.set(key, ContentType.objects.filter(app_label="dcim"))
        device_type = ContentType.objects.get_for_model(Device)
        status_type = ContentType.objects.get_for_model(Status)
        impostor = Status(pk=device_type.pk)  # another model with the same primary key
        with read_once():
            cached = cache.get(key)
            with CaptureQueriesContext(connection) as queries:
                self.assertIn(device_type, cached)
                self.assertNotIn(status_type, cached)
                self.assertNotIn(impostor, cached)
                self.assertNotIn("dcim.device", cached)
            self.assertEqual(len(queries), 0)
            cache.set(key, cached)  # written back: pickled as the plain queryset
        restored = pickle.loads(pickle.dumps(cached))
        self.assertIs(type(restored), type(ContentType.objects.all()))
        self.assertEqual(list(restored), list(cached))
        cache.delete(key)
