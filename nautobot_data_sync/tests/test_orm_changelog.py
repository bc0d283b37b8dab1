"""The bulk change log's serialization shortcuts give what Nautobot's own code gives."""

import uuid

from nautobot.apps.testing import TestCase
from nautobot.core import models as core_models
from nautobot.core.models.utils import construct_natural_slug
from rest_framework.reverse import reverse

from nautobot_data_sync.orm.changelog import TemplatedReverse, _slug_parts_once

PKS = [None, uuid.UUID("4f2c9a6e-0000-4000-8000-000000000001"), 17, "not-a-uuid"]


class TemplatedReverseTest(TestCase):
    def test_urls_are_drf_urls(self):
        templated = TemplatedReverse()
        pks = [uuid.uuid4() for _ in range(3)]
        for pk in pks:
            for viewname in ("dcim-api:device-detail", "dcim-api:interface-detail"):
                self.assertEqual(templated(viewname, kwargs={"pk": pk}), reverse(viewname, kwargs={"pk": pk}))
            self.assertEqual(templated("dcim-api:device-notes", args=[pk]), reverse("dcim-api:device-notes", args=[pk]))
        self.assertEqual(templated("dcim-api:device-detail", kwargs={"pk": pks[0]}), f"/api/dcim/devices/{pks[0]}/")
        self.assertEqual(len(templated.templates), 3, "one template per route")

    def test_other_arguments_are_reversed_by_drf(self):
        templated = TemplatedReverse()
        odd = "a b"  # not URL-safe: quoted by Django, not put in a template
        self.assertEqual(
            templated("dcim-api:device-detail", kwargs={"pk": odd}),
            reverse("dcim-api:device-detail", kwargs={"pk": odd}),
        )
        self.assertEqual(templated("dcim-api:device-list"), reverse("dcim-api:device-list"))
        self.assertEqual(
            templated("dcim-api:device-detail", kwargs={"pk": 1}, format="json"),
            reverse("dcim-api:device-detail", kwargs={"pk": 1}, format="json"),
        )


class NaturalSlugTest(TestCase):
    def test_slugs_are_nautobot_slugs(self):
        values = ["leaf-01", "Héllo Wörld", "🚀 rocket", "ÆØÅ", "a  b--c__", "#1 *", None, 42, ""]
        expected = [construct_natural_slug([value], pk=pk) for value in values for pk in PKS]
        with _slug_parts_once():
            slugs = [core_models.construct_natural_slug([value], pk=pk) for value in values for pk in PKS]
            self.assertEqual(core_models.construct_natural_slug(values), construct_natural_slug(values))
        self.assertEqual(slugs, expected)
        self.assertEqual("rocket-rocket", expected[2 * len(PKS)], "the emoji's name is part of the slug")
