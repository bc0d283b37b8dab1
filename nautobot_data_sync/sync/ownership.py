"""Ownership, provenance and "last seen", as Nautobot's own object metadata, written in bulk.

Two metadata types, set up by the app: **Data Sync owner** (text: the owning job's name, ``owner``) and **Data Sync
last seen** (a date-time). After a sync, every object it created or updated is stamped owned (if no job owns it
yet); every object the source still has is stamped last seen, and adopted (stamped owned) if no job owned it: a
first sync against an existing Nautobot takes over what it matches, and nothing else. When and by which job an
object was last written is Nautobot's own record (its ``last_updated`` and its change log), not stamped again. Stamps
are written with a fixed number of queries per model and batch of ``CHUNK`` objects: never a save of the object,
never a change record (a stamp is bookkeeping, not a change).
"""

import uuid
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from nautobot.extras.choices import MetadataTypeDataTypeChoices
from nautobot.extras.models import MetadataType, ObjectMetadata
from nautobot.extras.signals import invalidate_models_cache

OWNER = "Data Sync owner"
LAST_SEEN = "Data Sync last seen"
TYPES = {
    OWNER: (MetadataTypeDataTypeChoices.TYPE_TEXT, "The sync job that owns the object: only it deletes the object."),
    LAST_SEEN: (MetadataTypeDataTypeChoices.TYPE_DATETIME, "When a sync job last found the object in its source."),
}
CHUNK = 20_000  # objects per query (PostgreSQL takes at most 65,535 parameters per statement)


def metadata_types():
    """``{name: MetadataType}`` of the app's three types (made by migration 0002; made again if deleted)."""
    found = {metadata_type.name: metadata_type for metadata_type in MetadataType.objects.filter(name__in=TYPES)}
    missing = [
        MetadataType(name=name, data_type=data_type, description=description)
        for name, (data_type, description) in TYPES.items()
        if name not in found
    ]
    if missing:  # the app's set-up, not a change of the sync's; the shards of a sharded sync may race to it
        MetadataType.objects.bulk_create(missing, ignore_conflicts=True)
        found = {metadata_type.name: metadata_type for metadata_type in MetadataType.objects.filter(name__in=TYPES)}
    return found


class Ownership:
    """The owner ``owner`` (a job's name) reading and stamping object metadata, for one run; a "last seen" is renewed
    once older than ``last_seen_resolution`` seconds."""

    def __init__(self, owner, last_seen_resolution=0):
        self.owner = owner
        now = timezone.now().replace(microsecond=0)
        self.now = now.isoformat()
        # A "last seen" younger than the resolution is left as it is: a sync every few minutes rewrites no stamps.
        self.renew_before = (now - timedelta(seconds=last_seen_resolution) + timedelta(seconds=1)).isoformat()
        self._types = None
        self._allowed = set()  # (metadata type pk, content type pk) known to be allowed

    @property
    def types(self):
        if self._types is None:
            self._types = metadata_types()
            allowed = MetadataType.content_types.through.objects.filter(metadatatype__in=self._types.values())
            self._allowed.update(allowed.values_list("metadatatype_id", "contenttype_id"))
        return self._types

    def values(self, model, pks, name=OWNER):
        """``{pk: value}`` of the metadata type ``name`` (default: the owner) of the objects ``pks`` of ``model``."""
        content_type = ContentType.objects.get_for_model(model)
        found = {}
        for chunk in _chunks(list(pks)):
            rows = ObjectMetadata.objects.filter(
                metadata_type=self.types[name], assigned_object_type=content_type, assigned_object_id__in=chunk
            ).values_list("assigned_object_id", "_value")
            found.update(rows)
        return found

    def stamp(self, model, written, seen):
        """Stamp the objects of Django ``model``: ``written`` (pks created or updated by this run) owned if unowned;
        ``seen`` (pks the source has) last seen, and adopted if unowned."""
        content_type = ContentType.objects.get_for_model(model)
        self._allow(content_type)
        self._stamp(self.types[OWNER], content_type, set(written) | set(seen), self.owner)
        self._stamp(self.types[LAST_SEEN], content_type, set(seen), self.now, renew_before=self.renew_before)

    def _stamp(self, metadata_type, content_type, pks, value, renew_before=None):
        """Give every object of ``pks`` the ``value`` of ``metadata_type``: created where missing; with
        ``renew_before``, also replaced where older than that (a date-time stamp renewed at its resolution)."""
        for chunk in _chunks(list(pks)):
            if renew_before is not None:
                ObjectMetadata.objects.filter(
                    metadata_type=metadata_type,
                    assigned_object_type=content_type,
                    assigned_object_id__in=chunk,
                    _value__lt=renew_before,
                ).update(_value=value)
            _insert_missing(
                ObjectMetadata(
                    metadata_type=metadata_type, assigned_object_type=content_type, scoped_fields=[], _value=value
                ),
                chunk,
            )

    def _allow(self, content_type):
        """Let the app's metadata types be assigned to objects of ``content_type`` (Nautobot checks it when one is
        edited): the app's own bookkeeping, so not a change record, but Nautobot's cache of the types per model is
        cleared as its signal handler clears it (once for all the types)."""
        missing = [(self.types[name].pk, content_type.pk) for name in TYPES]
        missing = [key for key in missing if key not in self._allowed]
        if not missing:
            return
        through = MetadataType.content_types.through
        # ignore_conflicts: the job runs of a sharded sync may allow it at the same time
        through.objects.bulk_create(
            [through(metadatatype_id=type_pk, contenttype_id=model_pk) for type_pk, model_pk in missing],
            ignore_conflicts=True,
        )
        invalidate_models_cache(sender=through)
        self._allowed.update(missing)


def _insert_missing(template, pks):
    """Insert a copy of the unsaved ObjectMetadata ``template`` for each object of ``pks`` that has no stamp of its
    type yet, in one statement: the rows ``bulk_create()`` would insert (each field's value prepared by its own
    field), without building an instance per row or reading first which stamps exist."""
    columns, values, params = [], [], []
    for field in ObjectMetadata._meta.concrete_fields:
        columns.append(connection.ops.quote_name(field.column))
        if field.name in ("id", "assigned_object_id"):
            values.append(f"rows.{field.name}")
        else:
            values.append(f"%s::{field.db_type(connection)}")
            params.append(field.get_db_prep_save(field.pre_save(template, add=True), connection))
    table = connection.ops.quote_name(ObjectMetadata._meta.db_table)
    type_column, object_type_column, object_column = (
        connection.ops.quote_name(ObjectMetadata._meta.get_field(name).column)
        for name in ("metadata_type", "assigned_object_type", "assigned_object_id")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
            "FROM unnest(%s::uuid[], %s::uuid[]) AS rows(id, assigned_object_id) "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS stamp WHERE stamp.{type_column} = %s "
            f"AND stamp.{object_type_column} = %s AND stamp.{object_column} = rows.assigned_object_id)",
            [
                *params,
                [uuid.uuid4() for _ in pks],
                list(pks),
                template.metadata_type_id,
                template.assigned_object_type_id,
            ],
        )


def _chunks(items):
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
