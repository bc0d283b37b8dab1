"""Scoped runs: inputs that narrow a run to part of the data, so that its deletes never reach outside that part.

A job names some of its inputs (ordinary Nautobot job variables) in ``scope_inputs``. The values chosen for a run
are ``self.scope``, and both loads are narrowed with them: a hand-written adapter is given what it needs (e.g.
``self.scope.get("location")`` for its API query), a declarative Nautobot adapter built with ``job=self`` takes the
filters of ``nautobot_scope()``. What the target adapter does not load, a sync can neither update nor delete, and
the delete guard counts within the scope. The Data Sync records the scope as text (``Scope.display()``).
"""

from collections.abc import Mapping

from django.db.models import QuerySet
from django.forms.utils import pretty_name

MANY = (QuerySet, list, tuple, set, frozenset)


class ScopeError(Exception):
    """A job's scope is declared or applied wrongly: running it could delete outside its scope."""


class Scope(Mapping):
    """``{input name: chosen value}`` of a run's scope inputs (a model instance, a queryset, a string, a list...).

    An input left empty narrows nothing and is left out: an empty Scope is a run over everything.
    """

    def __init__(self, values=None, labels=None):
        self._values = {name: value for name, value in (values or {}).items() if not _unset(value)}
        self._labels = labels or {}

    def __getitem__(self, name):
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def display(self):
        """``{input label: text, or a list of texts for several values}``: what the Data Sync records and shows."""
        return {self._labels.get(name, pretty_name(name)): _text(value) for name, value in self._values.items()}

    def __str__(self):
        """One line for the job log, e.g. "Location: ams01; Devices: leaf-01, leaf-02"."""
        shown = self.display().items()
        return "; ".join(f"{label}: {_joined(value)}" for label, value in shown) or "everything"


class ScopedRuns:
    """The scope of a DataSyncJob's runs: its scope inputs, ``self.scope`` and ``nautobot_scope()``."""

    scope_inputs = ()
    """Names of this job's inputs that narrow a run, e.g. ``("location",)``; each must be a job variable."""

    def nautobot_scope(self):
        """``{declarative model name: Q}``: how ``self.scope`` narrows the Nautobot side's declarative adapter (an
        ``orm.NautobotAdapter`` built with ``job=self`` applies it; children follow their parents). Default: none."""
        return {}

    def choose_scope(self, inputs):
        """The Scope of a run given its ``inputs`` (the job's keyword arguments)."""
        variables = self._get_vars()
        unknown = [name for name in self.scope_inputs if name not in variables]
        if unknown:
            raise ScopeError(f"{type(self).__name__}.scope_inputs names {unknown[0]!r}: the job has no such input")
        labels = {name: variables[name].field_attrs.get("label") or pretty_name(name) for name in self.scope_inputs}
        return Scope({name: inputs.get(name) for name in self.scope_inputs}, labels)

    def check_scope_applied(self, adapter):
        """Refuse a scoped run whose declarative Nautobot ``adapter`` is not narrowed by it: its target would hold
        objects outside the scope, and the sync would delete those the source lacks."""
        if not self.scope or adapter is None:
            return
        if adapter.job is not self or not self.nautobot_scope():
            raise ScopeError(
                f"This run is scoped ({self.scope}) but {type(self).__name__}'s Nautobot adapter is not narrowed by "
                "it: build the adapter with job=self and return its filters from nautobot_scope()."
            )


def _unset(value):
    return value is None or value == "" or (isinstance(value, MANY) and not value)


def _text(value):
    return [str(item) for item in value] if isinstance(value, MANY) else str(value)


def _joined(text):
    """A recorded scope value (a text, or a list of texts) on one line."""
    return ", ".join(text) if isinstance(text, list) else text
