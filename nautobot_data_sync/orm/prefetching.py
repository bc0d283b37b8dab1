"""Related objects prefetched level by level, each level from the distinct objects the one before reached; a tree's
parents up to its roots."""

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db.models import ForeignKey, prefetch_related_objects


def prefetch(objects, *lookups):
    """``prefetch_related_objects(objects, *lookups)``, the same caches filled with the same queries. Django walks a
    lookup through a foreign key (``device__location``) from every object, so the eight interfaces of a device walk
    its location eight times; here what follows a foreign key is prefetched from the distinct objects it reaches."""
    if not objects:
        return
    model = type(objects[0])
    here, onwards = [], {}
    for lookup in lookups:
        head, _, rest = lookup.partition("__") if isinstance(lookup, str) else (None, "", "")
        if rest and isinstance(_field(model, head), ForeignKey):
            here.append(head)
            onwards.setdefault(head, []).append(rest)
        else:
            here.append(lookup)
    prefetch_related_objects(objects, *dict.fromkeys(here))
    for head, rests in onwards.items():
        prefetch(reached(objects, head), *rests)


def prefetch_parents(nodes):
    """The parent of each of ``nodes`` (distinct, of one tree model), and theirs, up to the roots: one query per
    level above. Nautobot's ``ancestors()`` walks ``parent`` one query per node and level, unless it is cached."""
    while nodes:
        prefetch_related_objects(nodes, "parent")
        nodes = reached(nodes, "parent")


def reached(objects, name):
    """The distinct objects the foreign key ``name`` of ``objects`` refers to (none where there is none)."""
    return _distinct(_related(obj, name) for obj in objects)


def _distinct(objects):
    """``objects`` but None, each instance once, in order."""
    return list({id(obj): obj for obj in objects if obj is not None}.values())


def _related(obj, name):
    """The object ``obj``'s foreign key ``name`` refers to, None where there is none (as Django's walk skips it)."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a property, or the name of a prefetch's own list: Django's to walk
        return None
