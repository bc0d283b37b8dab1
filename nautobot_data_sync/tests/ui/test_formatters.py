"""The formatters of the Data Sync pages: the HTML and text they render."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.test import TestCase
from django.utils import timezone
from nautobot.extras.models import Status

from nautobot_data_sync import choices, formatters
from nautobot_data_sync.installed_jobs import SyncJob
from nautobot_data_sync.models import Sync, SyncChange

PLACEHOLDER = '<span class="text-secondary">&mdash;</span>'


class BadgeTestCase(TestCase):
    def test_every_choice_has_a_color(self):
        for choice_set in (
            choices.SyncStatusChoices,
            choices.PhaseOutcomeChoices,
            choices.ChangeActionChoices,
            choices.ChangeStatusChoices,
        ):
            with self.subTest(choices=choice_set.__name__):
                self.assertEqual(set(choice_set.CSS_CLASSES), set(choice_set.values()))

    def test_badge(self):
        self.assertEqual(
            formatters.badge(choices.SyncStatusChoices, "failed"), '<span class="badge bg-danger">Failed</span>'
        )
        self.assertEqual(
            formatters.badge(choices.PhaseOutcomeChoices, "dry_run"),
            '<span class="badge bg-secondary">Not run: dry-run</span>',
        )
        self.assertEqual(
            formatters.badge(choices.ChangeActionChoices, "create", label=3), '<span class="badge bg-success">3</span>'
        )
        self.assertEqual(
            formatters.badge(choices.ChangeStatusChoices, "<new>"),
            '<span class="badge bg-secondary">&lt;new&gt;</span>',
        )
        self.assertEqual(formatters.badge(choices.ChangeStatusChoices, ""), PLACEHOLDER)


class ChangeLinksTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sync = Sync.objects.create(
            source="Inventory", target="Nautobot", dry_run=True, start_time=timezone.now(), create_count=2
        )

    def test_change_list_url(self):
        pk = self.sync.pk
        self.assertEqual(formatters.change_list_url(self.sync), f"/plugins/data-sync/changes/?sync={pk}")
        self.assertEqual(
            formatters.change_list_url(self.sync, status="failed"),
            f"/plugins/data-sync/changes/?sync={pk}&status=failed",
        )
        self.assertEqual(formatters.change_list_url(self.sync, tab=True), f"/plugins/data-sync/syncs/{pk}/changes/")
        self.assertEqual(
            formatters.change_list_url(self.sync, tab=True, action="create"),
            f"/plugins/data-sync/syncs/{pk}/changes/?action=create",
        )

    def test_count_badge(self):
        pk = self.sync.pk
        self.assertEqual(
            formatters.count_badge(self.sync, "create_count", 2),
            f'<a href="/plugins/data-sync/changes/?sync={pk}&amp;action=create">'
            '<span class="badge bg-success">2</span></a>',
        )
        self.assertEqual(
            formatters.count_badge(self.sync, "skipped_count", 1, tab=True),
            f'<a href="/plugins/data-sync/syncs/{pk}/changes/?status=skipped">'
            '<span class="badge bg-warning">1</span></a>',
        )
        self.assertEqual(
            formatters.count_badge(self.sync, "failed_count", 4, link=False), '<span class="badge bg-danger">4</span>'
        )
        self.assertEqual(formatters.count_badge(self.sync, "delete_count", 0), '<span class="text-secondary">0</span>')

    def test_changed_object_link(self):
        active = Status.objects.get(name="Active")
        status_type = ContentType.objects.get_for_model(Status)
        url = active.get_absolute_url()

        def change(**fields):
            return SyncChange(sync=self.sync, sequence=1, model_name="status", unique_id="x", **fields)

        renamed = change(changed_object_type=status_type, changed_object_id=active.pk, object_repr="Was active")
        # A list names the object as the change recorded it, the change's own page by its current name.
        self.assertEqual(formatters.changed_object_link(renamed), f'<a href="{url}">Was active</a>')
        self.assertEqual(
            formatters.changed_object_link(renamed, current_name=True),
            f'<a href="{url}" title="{active.description}">Active</a>',
        )
        gone = change(changed_object_type=status_type, changed_object_id=self.sync.pk, object_repr="Retired")
        self.assertEqual(formatters.changed_object_link(gone), "Retired")
        self.assertEqual(formatters.changed_object_link(change(object_repr="")), PLACEHOLDER)

    def test_direction(self):
        self.assertEqual(formatters.direction(self.sync), "Inventory &rarr; Nautobot")
        icons = {"data_source_icon": "mdi-database", "data_target_icon": "/static/img/nautobot_icon.svg"}
        job_class = type("Job", (), {"data_source": "CMDB <prod>", "data_target": "Nautobot", **icons})
        job = SyncJob(job_model=None, job_class=job_class)
        self.assertEqual(
            formatters.direction(job),
            '<span class="mdi mdi-database me-1" aria-hidden="true"></span>CMDB &lt;prod&gt; &rarr; '
            '<img src="/static/img/nautobot_icon.svg" alt="" height="20" class="me-1">Nautobot',
        )

    def test_dry_run_mark(self):
        self.assertEqual(formatters.dry_run_mark(self.sync, "Succeeded"), "Succeeded (dry-run)")
        self.sync.dry_run = False
        self.assertEqual(formatters.dry_run_mark(self.sync, "Succeeded"), "Succeeded")


class ValueTestCase(TestCase):
    def test_durations(self):
        for value, text in (
            (timedelta(milliseconds=850), "850 ms"),
            (timedelta(seconds=12.34), "12.3 s"),
            (timedelta(minutes=4, seconds=5), "4 min 05 s"),
            (timedelta(hours=2, minutes=3, seconds=59), "2 h 03 min"),
            (None, PLACEHOLDER),
        ):
            with self.subTest(text=text):
                self.assertEqual(formatters.format_duration(value), text)
        self.assertEqual(formatters.seconds(timedelta(seconds=1.23456)), 1.235)
        self.assertIsNone(formatters.seconds(None))

    def test_mib(self):
        self.assertEqual(formatters.format_mib(12 * 1024 * 1024 + 512 * 1024), "12.5 MiB")
        self.assertEqual(formatters.format_mib(1536 * 1024 * 1024), "1,536.0 MiB")
        self.assertEqual(formatters.format_mib(None), PLACEHOLDER)
        self.assertEqual(formatters.mib(3 * 1024 * 1024 + 1), 3.0)
        self.assertIsNone(formatters.mib(None))

    def test_compact_json(self):
        self.assertEqual(formatters.compact_json({"b": 1, "a": "é"}), '{"a": "é", "b": 1}')
        long = formatters.compact_json({"text": "x" * 500})
        self.assertEqual(len(long), formatters.COMPACT_LENGTH)
        self.assertTrue(long.endswith("\u2026"))
        for empty in (None, {}, []):
            self.assertEqual(formatters.compact_json(empty), PLACEHOLDER)

    def test_attributes(self):
        change = SyncChange(
            attributes_before={"color": "aaaaaa", "gone": 1, "same": None},
            attributes_after={"color": "4caf50", "new": [1, 2], "same": None},
        )
        self.assertEqual(
            formatters.attribute_changes(change),
            'color: "aaaaaa" \u2192 "4caf50"; gone: 1 \u2192 \u2205; new: [1, 2]; same: null \u2192 null',
        )
        rows = [
            (name, formatters.attribute_text(before), formatters.attribute_text(after))
            for name, before, after in formatters.attribute_pairs(change)
        ]
        self.assertEqual(
            rows,
            [("color", "aaaaaa", "4caf50"), ("gone", "1", None), ("new", None, "[1, 2]"), ("same", "null", "null")],
        )
        self.assertEqual(formatters.attribute_changes(SyncChange()), PLACEHOLDER)
