"""Apply a calculated diff to a remote Nautobot with bulk requests, recording each object's outcome.

Creates and updates go model by model in creation order (``models.TOP_LEVEL``, interfaces after devices), deletes
in the reverse order. Within a model every create is one ``POST`` of a list, every update one ``PATCH`` of a list
and every delete one ``DELETE`` of a list (``client.batch_size`` objects per request). Records of a hierarchy
(locations, location types) that refer to a parent created or deleted in the same run go in waves: parents are
created first and deleted last.

A batch that Nautobot refuses with a list of errors (its bulk validation: one entry per object, nothing written) has
those objects recorded as failed, with the remote's message, and the others sent again. A batch refused otherwise
is sent again one object at a time, so that each failure is attributed to its object.
"""

from collections import defaultdict

from diffsync.enum import DiffSyncActions

from nautobot_data_sync.choices import ChangeStatusChoices
from nautobot_data_sync.jobs.examples.nautobot_remote.adapters import HIERARCHIES
from nautobot_data_sync.jobs.examples.nautobot_remote.rest import endpoint, payload
from nautobot_data_sync.sync.recorder import iter_elements

CREATE, UPDATE, DELETE = DiffSyncActions.CREATE, DiffSyncActions.UPDATE, DiffSyncActions.DELETE
METHODS = {CREATE: "POST", UPDATE: "PATCH", DELETE: "DELETE"}


class RemoteWriter:
    """Writes a diff from ``source`` (this Nautobot) to ``target`` (a ``RemoteNautobotAdapter``)."""

    def __init__(self, client, source, target, recorder, logger=None):
        self.client = client
        self.source = source
        self.target = target
        self.recorder = recorder
        self.logger = logger
        self.failures = 0

    def apply(self, diff):
        """Write every change of ``diff``; return the number of objects that failed."""
        pending = defaultdict(list)
        for element in iter_elements(diff):
            if element.action is None:
                self.recorder.add(element, ChangeStatusChoices.SUCCEEDED)
            else:
                pending[element.type, element.action].append(element)
        names = self.target.model_names()
        for name in names:
            for wave in _waves(name, pending[name, CREATE], CREATE):
                self._send(name, CREATE, wave)
            self._send(name, UPDATE, pending[name, UPDATE])
        for name in reversed(names):
            for wave in _waves(name, pending[name, DELETE], DELETE):
                self._send(name, DELETE, wave)
        return self.failures

    def _send(self, name, action, elements):
        if not elements:
            return
        model_class = getattr(self.target, name)
        items = [self._item(model_class, action, element) for element in elements]
        self._write(model_class, action, list(zip(elements, items, strict=True)))

    def _item(self, model_class, action, element):
        if action == CREATE:
            return payload(model_class, {**element.keys, **element.source_attrs})
        remote_id = self.target.get(model_class, element.keys).pk
        if action == DELETE:
            return {"id": remote_id}
        return {"id": remote_id, **payload(model_class, _changed(model_class, element))}

    def _write(self, model_class, action, pairs):
        """Send ``pairs`` of (element, item) in bulk; attribute failures to their objects."""
        path = endpoint(model_class)
        position = 0
        for batch, response in self.client.bulk(METHODS[action], path, [item for _, item in pairs]):
            elements = [element for element, _ in pairs[position : position + len(batch)]]
            position += len(batch)
            if response.ok or (action == DELETE and response.status_code == 404 and len(batch) == 1):
                for element in elements:
                    self.recorder.add(element, ChangeStatusChoices.SUCCEEDED)
                continue
            errors = _item_errors(response, len(batch))
            if errors is not None and any(errors):
                retry = []
                for element, item, error in zip(elements, batch, errors, strict=True):
                    if error:
                        self._failed(element, f"{response.status_code}: {_describe(error)}")
                    else:
                        retry.append((element, item))
                if retry:
                    self._write(model_class, action, retry)
            elif len(batch) > 1:
                for element, item in zip(elements, batch, strict=True):
                    self._write(model_class, action, [(element, item)])
            else:
                self._failed(elements[0], f"{response.status_code}: {_describe(_body(response))}")

    def _failed(self, element, message):
        self.failures += 1
        self.recorder.add(element, ChangeStatusChoices.FAILED, message)
        if self.logger and self.failures <= 20:
            unique_id = self.recorder.unique_id_of(element)
            self.logger.error("%s %s %r failed: %s", element.action, element.type, unique_id, message)


def _changed(model_class, element):
    """The changed attributes of an update, with every path of a changed foreign key (it is looked up whole)."""
    source, dest = element.source_attrs, element.dest_attrs
    changed = {name: value for name, value in source.items() if dest.get(name) != value}
    plan = model_class.plan()
    for name in list(changed):
        if group := plan.group_of(name):
            changed.update({path: source[path] for path in group.paths})
    if model_class._modelname == "ip_address" and "mask_length" in changed:
        changed["host"] = element.keys["host"]  # written together as ``address``
    return changed


def _waves(name, elements, action):
    """Elements of a hierarchy grouped by how many of their ancestors are in the same list (parents first for
    creates, last for deletes); other models: one wave."""
    if name not in HIERARCHIES or len(elements) < 2:
        return [elements]
    attrs = "source_attrs" if action == CREATE else "dest_attrs"
    parents = {element.keys["name"]: getattr(element, attrs).get("parent__name") for element in elements}

    def depth(element):
        level, parent = 0, parents[element.keys["name"]]
        while parent in parents and level < len(parents):
            level, parent = level + 1, parents[parent]
        return level

    waves = defaultdict(list)
    for element in elements:
        waves[depth(element)].append(element)
    ordered = [waves[level] for level in sorted(waves)]
    return ordered if action == CREATE else ordered[::-1]


def _body(response):
    try:
        return response.json()
    except ValueError:
        return response.text[:500]


def _item_errors(response, count):
    """Nautobot's per-object errors of a refused bulk request (a list, ``{}`` for valid objects), else None."""
    body = _body(response)
    if response.status_code == 400 and isinstance(body, list) and len(body) == count:
        return body
    return None


def _describe(error):
    """``{"field": ["message"]}`` -> ``field: message``."""
    if isinstance(error, dict):
        parts = []
        for field, messages in error.items():
            text = " ".join(map(str, messages)) if isinstance(messages, list) else str(messages)
            parts.append(f"{field}: {text}")
        return "; ".join(parts)
    return str(error)[:500]
