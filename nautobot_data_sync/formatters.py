"""How the Data Sync pages show values (durations, sizes, JSON, badges, links), so that a list, a detail panel, a
chart and the dashboard show one value the same way."""

import json

from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import Truncator
from nautobot.apps.templatetags import hyperlinked_field, hyperlinked_object, placeholder

from nautobot_data_sync.choices import ChangeActionChoices, ChangeStatusChoices

MIB = 1024 * 1024
COMPACT_LENGTH = 120

# Sync count field -> the changes it counts: the change filter that selects them, and the choice set and value that
# label and color its badge.
COUNTED_CHANGES = {
    "create_count": ("action", ChangeActionChoices, ChangeActionChoices.CREATE),
    "update_count": ("action", ChangeActionChoices, ChangeActionChoices.UPDATE),
    "delete_count": ("action", ChangeActionChoices, ChangeActionChoices.DELETE),
    "unchanged_count": ("action", ChangeActionChoices, ChangeActionChoices.UNCHANGED),
    "failed_count": ("status", ChangeStatusChoices, ChangeStatusChoices.FAILED),
    "skipped_count": ("status", ChangeStatusChoices, ChangeStatusChoices.SKIPPED),
    "conflict_count": ("status", ChangeStatusChoices, ChangeStatusChoices.CONFLICT),
    "kept_count": ("status", ChangeStatusChoices, ChangeStatusChoices.KEPT),
    "drifted_count": ("status", ChangeStatusChoices, ChangeStatusChoices.DRIFTED),
}

# An attribute a change does not record on one side: a create has nothing before, a delete nothing after.
ABSENT = object()


def badge(choices, value, label=None):
    """``value`` of ``choices`` as a badge in its ``CSS_CLASSES`` color, showing its label or ``label`` (a count of
    such changes...); a placeholder when there is no value. Every badge of the app is drawn here."""
    if not value:
        return placeholder(value)
    text = choices.as_dict().get(value, value) if label is None else label
    return format_html('<span class="badge bg-{}">{}</span>', choices.CSS_CLASSES.get(value, "secondary"), text)


def dry_run_mark(sync, text):
    """``text`` about ``sync``, marked for a dry-run: what it shows was planned, not written."""
    return f"{text} (dry-run)" if sync.dry_run else text


def change_list_url(sync, tab=False, **filters):
    """The changes of ``sync``, optionally filtered (``action=...``, ``status=...``).

    With ``tab``, on the sync's own Changes tab, which keeps the sync's page around them (its header, other tabs and a
    filter of its models): where the sync's page leads. Otherwise in the list of changes across syncs, where the sync
    is one filter the user may clear: where a list of syncs leads, keeping the user among lists.
    """
    if tab:
        url = reverse("plugins:nautobot_data_sync:sync_changes", kwargs={"pk": sync.pk})
    else:
        url, filters = reverse("plugins:nautobot_data_sync:syncchange_list"), {"sync": sync.pk, **filters}
    return f"{url}?{urlencode(filters)}" if filters else url


def count_badge(sync, field, count, tab=False, link=True):
    """A count of ``sync`` (a COUNTED_CHANGES field) as a badge colored like the changes it counts, with ``link`` a
    link to them (see change_list_url); a muted 0, with nothing to link to, when there are none."""
    if not count:
        return format_html('<span class="text-secondary">0</span>')
    name, choices, value = COUNTED_CHANGES[field]
    shown = badge(choices, value, label=count)
    return hyperlinked_field(shown, change_list_url(sync, tab, **{name: value})) if link else shown


def format_duration(value):
    """A timedelta as "850 ms", "12.3 s", "4 min 05 s" or "2 h 03 min"; a placeholder for None."""
    if value is None:
        return placeholder(None)
    seconds = value.total_seconds()
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def seconds(duration):
    """A timedelta as a number of seconds for a chart, or None."""
    return round(duration.total_seconds(), 3) if duration is not None else None


def mib(value):
    """A number of bytes as a number of MiB for a chart, or None (memory not profiled)."""
    return round(value / MIB, 1) if value is not None else None


def format_mib(value):
    """A number of bytes as "12.3 MiB"; a placeholder for None (memory not profiled)."""
    return placeholder(None) if value is None else f"{mib(value):,.1f} MiB"


def compact(text):
    """``text`` cut to COMPACT_LENGTH characters, to keep a table row on one line."""
    return Truncator(text).chars(COMPACT_LENGTH)


def to_json(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def compact_json(value):
    """One line of JSON, cut to COMPACT_LENGTH characters; a placeholder when empty."""
    return placeholder(None) if value in (None, {}, []) else compact(to_json(value))


def attribute_pairs(change):
    """``(name, value before, value after)`` of each attribute of a change, by name; ABSENT where a side lacks it."""
    before, after = change.attributes_before or {}, change.attributes_after or {}
    return [(name, before.get(name, ABSENT), after.get(name, ABSENT)) for name in sorted(before.keys() | after.keys())]


def attribute_changes(change):
    """The attributes of a change on one line: "name: before → after", only the value after for a create,
    "before → ∅" for a delete."""
    parts = []
    for name, before, after in attribute_pairs(change):
        if before is ABSENT:
            parts.append(f"{name}: {to_json(after)}")
        elif after is ABSENT:
            parts.append(f"{name}: {to_json(before)} \u2192 \u2205")
        else:
            parts.append(f"{name}: {to_json(before)} \u2192 {to_json(after)}")
    return compact("; ".join(parts)) if parts else placeholder(None)


def attribute_text(value):
    """One attribute value as text (strings as they are, anything else as JSON); None, a placeholder, if ABSENT."""
    if value is ABSENT:
        return None
    return value if isinstance(value, str) and value else to_json(value)


def changed_object_link(change, current_name=False):
    """The object a change touched, linked; its recorded text when it is gone or was never linked.

    As in Nautobot's change log, a list names the object as the change recorded it, and the change's own page by its
    current name (``current_name``).
    """
    obj = change.changed_object if change.changed_object_id else None
    if obj is None or not hasattr(obj, "get_absolute_url"):
        return placeholder(change.object_repr)
    if current_name:
        return hyperlinked_object(obj)
    return hyperlinked_field(change.object_repr or obj, obj.get_absolute_url())


def endpoint(name, icon=None):
    """A source or target name after its icon: an MDI icon name ("mdi-database") or an image URL."""
    if not icon:
        return format_html("{}", name)
    if "/" in icon:
        return format_html('<img src="{}" alt="" height="20" class="me-1">{}', icon, name)
    return format_html('<span class="mdi {} me-1" aria-hidden="true"></span>{}', icon, name)


def direction(obj):
    """ "source → target" of a Sync or a SyncJob, with the job's icons (a Sync records none)."""
    return format_html(
        "{} &rarr; {}",
        endpoint(obj.source, getattr(obj, "source_icon", None)),
        endpoint(obj.target, getattr(obj, "target_icon", None)),
    )
