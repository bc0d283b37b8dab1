"""What a job module declares: mappings in nautobot-ssot's field order, and the example jobs only when not hidden."""

from django.conf import settings
from django.test import SimpleTestCase, override_settings
from nautobot.apps.testing import TestCase
from nautobot.extras.models import Job

from nautobot_data_sync.jobs import DataMapping
from nautobot_data_sync.jobs.examples import register
from nautobot_data_sync.jobs.examples.inventory import InventoryFileDataSource


class DataMappingTest(SimpleTestCase):
    def test_positional_fields_are_in_nautobot_ssot_order(self):
        mapping = DataMapping("CMDB server", "https://cmdb/servers", "Device", "/dcim/devices/")
        self.assertEqual(
            (mapping.source_name, mapping.source_url, mapping.target_name, mapping.target_url),
            ("CMDB server", "https://cmdb/servers", "Device", "/dcim/devices/"),
        )

    def test_keywords_work_and_a_target_is_required(self):
        mapping = DataMapping(source_name="VLAN", target_name="VLAN", target_url="/ipam/vlans/")
        self.assertEqual((mapping.source_url, mapping.target_url), (None, "/ipam/vlans/"))
        with self.assertRaisesRegex(TypeError, "target_name"):
            DataMapping("VLAN")


class ExampleJobsTest(TestCase):
    def test_the_examples_are_registered_by_default(self):
        self.assertIn(InventoryFileDataSource, register.example_jobs())
        self.assertTrue(Job.objects.filter(module_name="nautobot_data_sync.jobs.examples.inventory").exists())

    def test_hide_example_jobs_leaves_them_out(self):
        config = {**settings.PLUGINS_CONFIG["nautobot_data_sync"], "hide_example_jobs": True}
        with override_settings(PLUGINS_CONFIG={**settings.PLUGINS_CONFIG, "nautobot_data_sync": config}):
            self.assertEqual(register.example_jobs(), [])
