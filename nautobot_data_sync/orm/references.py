"""Resolving references by natural key to Nautobot primary keys, cached for one sync (misses included).

Order of look-up for ``resolve(model, {path: value})``:

1. the adapter's own store: a declared model of the same Django model whose ``_identifiers`` are exactly the looked-up
   paths, found by unique id (no query; covers objects created earlier in the same sync);
2. the cache of this sync;
3. the database: the first look-up of a (model, paths) signature loads the whole table for those paths in one query
   when it has at most ``preload_limit`` rows (then a miss needs no query either), else one query per new key.

Writes through the declarative models call ``forget(model)``, which drops what was cached for that Django model.
"""

from functools import reduce
from operator import or_

from django.db.models import Q

from nautobot_data_sync.orm.errors import ReferenceNotFound
from nautobot_data_sync.orm.fields import LABEL, hashable, key_of

MISS = object()
AMBIGUOUS = object()


def describe(values):
    """``{"location__name": "x"}`` -> ``location__name 'x'`` for error messages."""
    return ", ".join(f"{name} {value!r}" for name, value in values.items())


class ReferenceCache:
    """Primary keys (and many-to-many objects) by natural key, for one adapter during one sync."""

    preload_limit = 10_000

    def __init__(self, adapter):
        self.adapter = adapter
        self._pks = {}  # {(model, paths): {values: pk or MISS}}
        self._complete = set()  # (model, paths) signatures loaded in full
        self._tried = set()  # signatures whose preload was attempted
        self._objects = {}  # {(model, key): {value: instance}} for many-to-many
        self._store_classes = None  # {(Django model, identifiers): declared model class}
        self.memo = {}  # other per-sync look-ups (e.g. Relationship objects by key)

    def resolve(self, model, lookup):
        """The pk of the ``model`` object whose ``{path: value}`` match ``lookup``; None if every value is None.

        Raises ``ReferenceNotFound`` (message without the referring object) when nothing or several match.
        """
        if all(value is None for value in lookup.values()):
            return None
        paths = tuple(sorted(lookup))
        values = tuple(lookup[path] for path in paths)
        pk = self._from_store(model, lookup)
        if pk is not None:
            return pk
        signature = (model, paths)
        cached = self._pks.setdefault(signature, {})
        if values not in cached:
            if signature not in self._tried:
                self._tried.add(signature)
                self._preload(signature)
            if values not in cached:
                cached[values] = MISS if signature in self._complete else self._query(model, lookup)
        pk = cached[values]
        if pk is MISS:
            raise ReferenceNotFound(f"does not match any {model._meta.verbose_name}")
        if pk is AMBIGUOUS:
            raise ReferenceNotFound(f"matches several {model._meta.verbose_name_plural}")
        return pk

    def resolve_many(self, model, key, values):
        """The ``model`` objects whose ``key`` is each of ``values`` (one query for the uncached ones); ``key`` a tuple
        of paths: each value is a dict of them."""
        cached = self._objects.setdefault((model, key), {})
        wanted = [value for value in values if hashable(value) not in cached]
        if wanted:
            if key == LABEL:
                objects = model.objects.all()
            elif isinstance(key, tuple):
                objects = model.objects.filter(reduce(or_, (Q(**value) for value in wanted)))
            else:
                objects = model.objects.filter(**{f"{key}__in": wanted})
            found = {hashable(key_of(obj, key)): obj for obj in objects}
            for value in wanted:
                cached[hashable(value)] = found.get(hashable(value), MISS)
        missing = [value for value in values if cached[hashable(value)] is MISS]
        if missing:
            raise ReferenceNotFound(f"{missing!r} match no {model._meta.verbose_name}")
        return [cached[hashable(value)] for value in values]

    def forget(self, model):
        """Drop everything cached for ``model`` (after this sync created, changed or deleted one)."""
        for signature in [signature for signature in self._pks if signature[0] is model]:
            del self._pks[signature]
            self._complete.discard(signature)
            self._tried.discard(signature)
        for signature in [signature for signature in self._objects if signature[0] is model]:
            del self._objects[signature]

    def _from_store(self, model, lookup):
        if self._store_classes is None:
            self._store_classes = {
                (model_class._model, frozenset(model_class._identifiers)): model_class
                for model_class in self.adapter.declared_models()
            }
        model_class = self._store_classes.get((model, frozenset(lookup)))
        if model_class is None:
            return None
        found = self.adapter.get_or_none(model_class, model_class.create_unique_id(**lookup))
        return None if found is None else found.pk

    def _preload(self, signature):
        model, paths = signature
        rows = list(model.objects.values_list("pk", *paths)[: self.preload_limit + 1])
        if len(rows) > self.preload_limit:
            return
        cached = self._pks[signature]
        for pk, *values in rows:
            values = tuple(values)
            cached[values] = AMBIGUOUS if values in cached else pk
        self._complete.add(signature)

    @staticmethod
    def _query(model, lookup):
        pks = list(model.objects.filter(**lookup).values_list("pk", flat=True)[:2])
        return pks[0] if len(pks) == 1 else AMBIGUOUS if pks else MISS
