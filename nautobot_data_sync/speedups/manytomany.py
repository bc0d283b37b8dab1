"""Many-to-many values of a batch written with one read and one statement per field, not a few per object.

Django's and taggit's managers ``set()`` one object's values at a time: a read of the values it has, the rows it no
longer has deleted, the new rows inserted (Django's ``add()`` with one ``bulk_create()``, taggit's with one
``get_or_create()`` per tag), ``m2m_changed`` sent around each step. ``set_all()`` does what ``set()`` (or, on new
objects, ``add()``) would do for every object of a batch and one field: one read of the rows they have, the rows no
longer wanted deleted with one ``QuerySet.delete()`` (which sends the delete signals of each row, as the managers'
deletes do), the missing rows inserted with one ``bulk_create()``; each object forgets its prefetched values, as the
managers make it.

It sends no ``m2m_changed``, and no ``pre_save``/``post_save`` for the rows taggit would save one by one. So a field
is written this way only where the only receivers of those signals for its through model are Nautobot's change-logging
handlers, which log nothing while the bulk writer writes many-to-many values (``savetime.change_logging_paused()``:
the writer logs the objects itself). Any other receiver (Nautobot's checks of an interface's tagged VLANs or of a
device's clusters, another app's), and the field's values are set object by object with the managers; with this
speed-up off, too.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import cache as memoize

from django.contrib.contenttypes.models import ContentType
from django.db.models import ManyToManyField
from django.db.models.signals import m2m_changed, post_save, pre_save
from nautobot.extras import utils as extras_utils
from nautobot.extras.signals import _handle_changed_object, _handle_changed_object_pre_save
from taggit.managers import TaggableManager
from taggit.models import CommonGenericTaggedItemBase

from nautobot_data_sync.speedups.registry import MANY_TO_MANY, active
from nautobot_data_sync.speedups.savetime import live_receivers

RECEIVERS_HANDLED = {_handle_changed_object_pre_save, _handle_changed_object}


@dataclass(frozen=True)
class Links:
    """How a many-to-many field's rows name their two ends: ``source`` (the object's column) and ``target`` (the
    related object's); ``tagged``: taggit's tags, whose rows also name the object's content type, and which taggit
    saves one by one (their save signals are not sent here either)."""

    through: type
    source: str
    target: str
    tagged: bool = False


def set_all(model, accessor, values, created):
    """Give each instance of ``values`` (``[(instance, objects)]``, saved ``model`` objects) exactly its objects for
    many-to-many field ``accessor``; ``created``: the instances are new (they have none yet)."""
    links = _links(model, accessor) if active(MANY_TO_MANY) else None
    if links is None or not _signals_handled(links):
        for instance, objects in values:
            set_with_managers(instance, accessor, objects, created)
        return
    fixed = {"content_type_id": ContentType.objects.get_for_model(model).pk} if links.tagged else {}
    wanted = {instance.pk: dict.fromkeys(obj.pk for obj in objects) for instance, objects in values}
    have, stale = defaultdict(set), []
    if not created:
        rows = links.through._default_manager.filter(**{f"{links.source}__in": list(wanted)}, **fixed)
        for row_pk, source, target in rows.values_list("pk", links.source, links.target):
            if target in wanted[source]:
                have[source].add(target)
            else:
                stale.append(row_pk)
    if stale:
        links.through._default_manager.filter(pk__in=stale).delete()
    new = [
        links.through(**fixed, **{links.source: pk, links.target: target})
        for pk, targets in wanted.items()
        for target in targets
        if target not in have[pk]
    ]
    if new:
        links.through._default_manager.bulk_create(new)
    for instance, objects in values:
        if objects or not created:  # as the managers' add() and set(), forget the prefetched values (cached by name)
            instance.__dict__.get("_prefetched_objects_cache", {}).pop(accessor, None)


def set_with_managers(instance, accessor, objects, created):
    """Django's (or taggit's) way, one object: ``set()``; on a new one, which has none, ``add()`` (what ``set()``
    does there, without first reading the values it has)."""
    if not created:
        getattr(instance, accessor).set(objects)
    elif objects:
        getattr(instance, accessor).add(*objects)


def logs_related_objects(plan):
    """Whether Nautobot logs a change of the related objects too when a declared many-to-many field of ``plan``
    changes: from Nautobot 3.2, a field whose through model is its own and change-logged (a device's clusters: each
    cluster gets a record). The bulk writer logs only the objects it writes, so such a model is written one by one."""
    logged = getattr(extras_utils, "get_change_logged_m2m_through_side_field_names", None)
    if logged is None:
        return False
    for m2m in plan.many_to_many:
        django_field = plan.model._meta.get_field(m2m.accessor)
        through = getattr(django_field.remote_field, "through", None)
        if through in logged() and hasattr(m2m.related_model, "to_objectchange"):
            return True
    return False


def _signals_handled(links):
    """Whether only ``RECEIVERS_HANDLED`` listen to the signals the managers would send for the field's rows."""
    signals = (m2m_changed, pre_save, post_save) if links.tagged else (m2m_changed,)
    return all(
        receiver in RECEIVERS_HANDLED for signal in signals for receiver in live_receivers(signal, links.through)
    )


@memoize
def _links(model, accessor):
    """The ``Links`` of ``model``'s forward many-to-many field ``accessor``, or None if it is not one this module
    writes: a ``ManyToManyField`` between primary keys, or taggit's tags on a generic tagged-item model."""
    django_field = model._meta.get_field(accessor)
    if isinstance(django_field, TaggableManager):
        through = django_field.through
        if not issubclass(through, CommonGenericTaggedItemBase):
            return None
        return Links(through, "object_id", through._meta.get_field("tag").attname, tagged=True)
    if not isinstance(django_field, ManyToManyField):
        return None
    through = django_field.remote_field.through
    source = through._meta.get_field(django_field.m2m_field_name())
    target = through._meta.get_field(django_field.m2m_reverse_field_name())
    if not (source.target_field.primary_key and target.target_field.primary_key):
        return None
    return Links(through, source.attname, target.attname)
