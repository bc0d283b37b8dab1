"""Read Nautobot's configuration and cached values once per key, for the length of a sync.

Nautobot reads Constance settings (``get_settings_or_config()``) and cached values (tree depths, validation rules,
content types) from Redis each time they are used: dozens of reads per object written and change logged, and per
change record when Nautobot dispatches job hooks after the job. Inside ``read_once()`` each key is read once, in
this thread; writes and deletes go through to Redis and update what was read.

A cached queryset of model instances read once answers ``in`` with a set look-up instead of comparing each row
(Nautobot asks whether each change record's content type is in the cached change-logged content types).
"""

from contextlib import contextmanager
from functools import cache as memoize

from constance import config
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable

MISSING = object()


@memoize
def _indexed_class(queryset_class):
    """A subclass of ``queryset_class`` whose evaluated instances answer ``in`` from a set of their rows."""

    def __contains__(self, value):
        if isinstance(value, Model) and value.pk is not None:
            if "_row_set" not in self.__dict__:
                self._fetch_all()
                self._row_set = set(self._result_cache)
            return value in self._row_set
        return any(value is row or value == row for row in self)

    def __reduce_ex__(self, protocol):  # pickled (e.g. written back to the cache) as the plain queryset it is
        state = self.__getstate__()
        state.pop("_row_set", None)
        return object.__new__, (queryset_class,), state

    return type(
        f"Indexed{queryset_class.__name__}",
        (queryset_class,),
        {"__contains__": __contains__, "__reduce_ex__": __reduce_ex__},
    )


def _indexed(value):
    """``value``, if an evaluated queryset of model instances, as one that answers ``in`` by a set look-up."""
    if isinstance(value, QuerySet) and value._result_cache is not None and value._iterable_class is ModelIterable:
        value.__class__ = _indexed_class(type(value))
    return value


class _ReadOnceConfigBackend:
    """A Constance backend that reads each key from the real backend once."""

    def __init__(self, backend):
        self.backend = backend
        self.values = {}

    def get(self, key):
        if key not in self.values:
            self.values[key] = self.backend.get(key)
        return self.values[key]

    def set(self, key, value):
        """Write through (Constance writes a missing key's default on first read) and remember the value."""
        self.backend.set(key, value)
        self.values[key] = value

    def __getattr__(self, name):
        return getattr(self.backend, name)


class _ReadOnceCache:
    """A Django cache that reads each key from ``cache`` once; writes and deletes go through and update it."""

    def __init__(self, cache):
        self.cache = cache
        self.values = {}

    def get(self, key, default=None, version=None):
        if (key, version) not in self.values:
            self.values[key, version] = _indexed(self.cache.get(key, MISSING, version=version))
        value = self.values[key, version]
        return default if value is MISSING else value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.values[key, version] = value
        return self.cache.set(key, value, timeout=timeout, version=version)

    def get_or_set(self, key, default, timeout=DEFAULT_TIMEOUT, version=None):
        value = self.get(key, MISSING, version=version)
        if value is MISSING:
            value = default() if callable(default) else default
            self.set(key, value, timeout=timeout, version=version)
        return value

    def delete(self, key, version=None):
        self.values.pop((key, version), None)
        return self.cache.delete(key, version=version)

    def __getattr__(self, name):  # anything else (delete_pattern, get_many...): forget what was read
        self.values.clear()
        return getattr(self.cache, name)


def start_reading_once():
    """Read configuration and cache keys once from now on (in this thread); returns the function that stops it."""
    cache, backend = caches[DEFAULT_CACHE_ALIAS], config._backend
    if isinstance(cache, _ReadOnceCache):  # already reading once: start afresh, leave the undoing to its starter
        cache.values.clear()
        backend.values.clear()
        return lambda: None
    caches[DEFAULT_CACHE_ALIAS] = _ReadOnceCache(cache)
    config._backend = _ReadOnceConfigBackend(backend)

    def stop():
        caches[DEFAULT_CACHE_ALIAS] = cache
        config._backend = backend

    return stop


@contextmanager
def read_once():
    """``start_reading_once()`` for the length of the block."""
    stop = start_reading_once()
    try:
        yield
    finally:
        stop()
