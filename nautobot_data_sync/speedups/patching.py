"""The one way the app changes an attribute of Nautobot, Django or a library for a while, and puts it back.

``replaced(owner, name, value)`` sets ``owner.name`` for the length of a block and restores it when the last block
that replaced it ends, also when a block raises. A function put in place of a function applies in the thread that
put it there only: Celery's thread pool, a web server's threads and the loaders of a parallel sync share the
process, and every other thread still calls the original. The first replacement installs a dispatcher that picks,
per call, the innermost replacement of the calling thread; blocks may end in any order across threads.
``original(owner, name)`` is what a replacement calls to reach the attribute underneath every replacement.

Any other value (not a function in place of a function) is the same for every thread: two threads may replace it
at once only with equal values (e.g. a class property fixed to what it computes).

``replaced(mapping, key, value, item=True)`` replaces ``mapping[key]`` instead, for stores that are per thread
already (Django's ``caches``).
"""

import threading
from contextlib import contextmanager
from functools import wraps
from inspect import getattr_static, isfunction
from types import ModuleType

MISSING = object()
_lock = threading.Lock()
_patches = {}  # (id(owner), name) -> _Patch while any block replaces owner.name


class _Patch:
    """``owner.name`` while replaced: what was there, and each thread's replacements (innermost last)."""

    def __init__(self, owner, name):
        self.owner, self.name = owner, name
        own = isinstance(owner, (type, ModuleType))
        self.saved = vars(owner).get(name, MISSING) if own else getattr(owner, name)
        self.original = self.saved if self.saved is not MISSING else getattr_static(owner, name)
        self.by_thread = {}
        self.shared = []  # replacements that apply to every thread (values other than functions)
        self.dispatch = self._dispatcher() if isfunction(self.original) else None
        if self.dispatch is not None:
            setattr(owner, name, self.dispatch)

    def _dispatcher(self):
        by_thread, original, get_ident = self.by_thread, self.original, threading.get_ident

        @wraps(original)
        def dispatch(*args, **kwargs):
            replacements = by_thread.get(get_ident())
            return (replacements[-1] if replacements else original)(*args, **kwargs)

        return dispatch

    def push(self, value):
        if self.dispatch is not None and isfunction(value):
            self.by_thread.setdefault(threading.get_ident(), []).append(value)
            return
        if self.shared and self.shared[-1] != value:
            raise RuntimeError(f"{self.name} is replaced with another value by another thread")
        self.shared.append(value)
        setattr(self.owner, self.name, value)

    def pop(self, value):
        """Drop ``value``; returns True when nothing replaces the attribute any more (it is restored)."""
        replacements = self.by_thread.get(threading.get_ident())
        if replacements and replacements[-1] is value:
            replacements.pop()
            if not replacements:
                del self.by_thread[threading.get_ident()]
        else:
            self.shared.remove(value)
        if self.by_thread or self.shared:
            return False
        if self.saved is MISSING:
            delattr(self.owner, self.name)
        else:
            setattr(self.owner, self.name, self.saved)
        return True


@contextmanager
def replaced(owner, name, value, *, item=False):
    """``owner.name`` (``owner[name]`` with ``item``) is ``value`` inside the block; see the module docstring."""
    if item:
        saved = owner[name]
        owner[name] = value
        try:
            yield
        finally:
            owner[name] = saved
        return
    key = (id(owner), name)
    with _lock:
        patch = _patches.get(key) or _patches.setdefault(key, _Patch(owner, name))
        patch.push(value)
    try:
        yield
    finally:
        with _lock:
            if patch.pop(value):
                del _patches[key]


def original(owner, name):
    """``owner.name`` as it is underneath every replacement (what a replacement calls to do the real work)."""
    with _lock:
        patch = _patches.get((id(owner), name))
    if patch is not None:
        return patch.original
    return vars(owner)[name] if name in vars(owner) else getattr_static(owner, name)
