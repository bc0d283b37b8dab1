"""Configuration and cached values read once per key, in the sync's thread, for the length of a sync.

Nautobot reads Constance settings (``get_settings_or_config()``) and cached values (tree depths, validation rules,
content types) from Redis each time they are used: dozens of reads per object written and change logged, and per
change record when Nautobot dispatches job hooks after the job. Inside ``read_once()`` each key is read once by the
thread that entered it (Django's cache handler is per thread; the Constance backend's methods are replaced for this
thread only); writes and deletes go through to Redis and update what was read.

A cached queryset of model instances read once answers ``in`` with a set look-up instead of comparing each row
(Nautobot asks whether each change record's content type is in the cached change-logged content types).
"""

from contextlib import ExitStack, contextmanager
from functools import cache as memoize

from constance import config
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable

from nautobot_data_sync.speedups.patching import original, replaced

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


class _ReadOnceCache:
    """A Django cache that reads each key from ``cache`` once; writes and deletes go through and update it."""

    def __init__(self, cache):
        self.cache = cache
        self.values = {}
        self.config_values = {}  # Constance's, read in the same block

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


@contextmanager
def read_once():
    """Read configuration and cache keys once inside the block, in this thread. Nested: the inner block starts
    afresh (what was read is forgotten) and the outer one undoes it all."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(cache, _ReadOnceCache):
        cache.values.clear()
        cache.config_values.clear()
        yield
        return
    read_once_cache = _ReadOnceCache(cache)
    backend_class = type(config._backend)
    with ExitStack() as stack:
        stack.enter_context(replaced(caches, DEFAULT_CACHE_ALIAS, read_once_cache, item=True))
        stack.enter_context(replaced(backend_class, "get", _config_get_once(backend_class, read_once_cache)))
        stack.enter_context(replaced(backend_class, "set", _config_set_through(backend_class, read_once_cache)))
        yield


def _config_get_once(backend_class, read_once_cache):
    """The Constance backend's ``get()``, reading each key once (Constance asks its backend for every read)."""
    get = original(backend_class, "get")
    values = read_once_cache.config_values

    def get_once(backend, key):
        if key not in values:
            values[key] = get(backend, key)
        return values[key]

    return get_once


def _config_set_through(backend_class, read_once_cache):
    """The Constance backend's ``set()``, remembering the value (Constance writes a missing key's default on its
    first read)."""
    set_value = original(backend_class, "set")
    values = read_once_cache.config_values

    def set_through(backend, key, value):
        set_value(backend, key, value)
        values[key] = value

    return set_through
