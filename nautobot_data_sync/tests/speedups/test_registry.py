"""Every speed-up's functions have the sources it was reviewed against; one that differs switches it off."""

import inspect
import linecache
from unittest import mock

import pytest
from django.db.models.sql.compiler import SQLUpdateCompiler
from django.test import SimpleTestCase

from nautobot_data_sync.speedups import registry
from nautobot_data_sync.speedups.registry import SPEEDUPS, VALIDATION, VALUES_UPDATE, active, enabled, source_digest

COMPONENT_CLEAN = "nautobot.dcim.models.device_components:ModularComponentModel.clean"


@pytest.mark.compat
class ReviewedSourcesTest(SimpleTestCase):
    def test_every_function_has_a_reviewed_source(self):
        for speedup in SPEEDUPS.values():
            if not speedup.applies():  # an older Nautobot than it was made for: off there, by design
                self.assertFalse(enabled(speedup.name))
                continue
            for path, reviewed in speedup.sources.items():
                with self.subTest(speedup=speedup.name, function=path):
                    self.assertIn(
                        source_digest(path),
                        reviewed,
                        f"{path} is not the source {speedup.name!r} ({speedup.module}) was reviewed against: review "
                        "that module against it, then add its digest with the Nautobot version",
                    )
        self.assertEqual(registry.switched_off(), {})


class SwitchTest(SimpleTestCase):
    def test_a_differing_source_switches_its_speedup_off_only(self):
        with mock.patch.dict(SPEEDUPS[VALIDATION].sources, {COMPONENT_CLEAN: {"000000000000": "never"}}):
            self.assertFalse(enabled(VALIDATION))
            self.assertEqual(registry.switched_off(), {VALIDATION: [COMPONENT_CLEAN]})
        self.assertTrue(enabled(VALIDATION))

    def test_reading_the_sources_leaves_none_in_linecache(self):
        path = "django.db.models.sql.compiler:SQLUpdateCompiler.as_sql"
        filename = inspect.getsourcefile(SQLUpdateCompiler)
        linecache.cache.pop(filename, None)
        source_digest.cache_clear()
        self.assertEqual(source_digest(path), next(iter(SPEEDUPS[VALUES_UPDATE].sources[path])))
        self.assertNotIn(filename, linecache.cache, "Django's compiler is not kept as lines for the worker's life")
        linecache.getlines(filename)  # where they were already, they stay
        source_digest.cache_clear()
        source_digest(path)
        self.assertIn(filename, linecache.cache)

    def test_an_unreadable_function_counts_as_differing(self):
        self.assertIsNone(source_digest("nautobot.dcim.models:NoSuchModel.save"))
        self.assertIsNone(source_digest("no_such_module:function"))
        missing = {"nautobot.dcim.models:NoSuchModel.save": {"000000000000": "never"}}
        with mock.patch.dict(SPEEDUPS[VALIDATION].sources, missing):
            self.assertFalse(enabled(VALIDATION))

    def test_a_job_hears_of_each_speedup_off_once(self):
        heard = []
        registry.start_job(heard.append)
        try:
            with mock.patch.dict(SPEEDUPS[VALIDATION].sources, {COMPONENT_CLEAN: {"000000000000": "never"}}):
                self.assertFalse(active(VALIDATION))
                self.assertFalse(active(VALIDATION))
            self.assertFalse(active(VALIDATION), "decided once per job")
        finally:
            registry.end_job()
        self.assertEqual(heard, [SPEEDUPS[VALIDATION]])
        self.assertTrue(active(VALIDATION), "outside a job, decided at each call")
