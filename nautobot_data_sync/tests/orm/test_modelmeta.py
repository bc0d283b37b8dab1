"""Instances built from their values in field order are those built from keywords."""

from django.test import SimpleTestCase

from nautobot_data_sync.modelmeta import InOrder
from nautobot_data_sync.models import SyncChange


class InOrderTest(SimpleTestCase):
    def test_an_instance_is_the_one_keywords_build(self):
        values = {"sync_id": None, "sequence": 7, "model_name": "device", "unique_id": "ams__r1", "action": "create"}
        ours, djangos = InOrder(SyncChange)(**values), SyncChange(**values)
        self.assertNotEqual(ours.pk, djangos.pk, "each its own default key")
        ours_vars, djangos_vars = vars(ours), vars(djangos)
        for state in (ours_vars.pop("_state"), djangos_vars.pop("_state")):
            self.assertTrue(state.adding)
            self.assertIsNone(state.db)
        ours_vars.pop("id"), djangos_vars.pop("id")
        self.assertEqual(ours_vars, djangos_vars)
        self.assertEqual(ours.message, "", "a field not given takes its default")

    def test_an_unknown_field_is_refused(self):
        with self.assertRaisesRegex(TypeError, r"SyncChange has no fields \['sync'\]"):
            InOrder(SyncChange)(sync=None)
