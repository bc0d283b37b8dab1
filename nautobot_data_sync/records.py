"""Diffsync adapters filled from plain records, and saved back as them: ``{model name: [field values, ...]}``.

The shape a JSON file, a CSV reader or a test writes naturally::

    {"device": [{"name": "leaf-01", "location__name": "ams01",
                 "interfaces": [{"name": "eth0", "type": "1000base-t"}]}]}

A record nests its children under the parent's children field (``interfaces``). A child's fields that name its parent
(``device__name`` under a device: the parent's model name, ``__``, one of the parent's identifiers) may be left out:
they are taken from the parent when loading, and left out when saving. Bad input raises ``ValueError`` naming the
record (``device[3].interfaces[0]``) and the field.
"""


def load_records(adapter, records, where=""):
    """Add ``records`` to ``adapter`` (whose attributes name the model classes); ``where`` prefixes error messages."""
    for model_name, items in records.items():
        for index, values in enumerate(items):
            _add(adapter, model_name, f"{where}{model_name}[{index}]", values, parent=None)


def dump_records(adapter):
    """The records of ``adapter``'s top-level models and their children, as ``load_records()`` reads them."""
    return {name: [_record(adapter, model) for model in adapter.get_all(name)] for name in adapter.top_level}


def _parent_keys(parent):
    return {f"{parent.get_type()}__{name}": value for name, value in parent.get_identifiers().items()}


def _add(adapter, model_name, where, values, parent):
    model_class = getattr(adapter, model_name, None)
    if not isinstance(model_class, type):
        raise ValueError(f"{where}: no model named {model_name!r} on {type(adapter).__name__}")
    if not isinstance(values, dict):
        raise ValueError(f"{where}: a record must be a mapping of field names to values, not {values!r}")
    children = {field: values.get(field) or [] for field in model_class._children.values()}
    fields = {name: value for name, value in values.items() if name not in children}
    if parent is not None:
        inherited = _parent_keys(parent)
        fields.update({name: value for name, value in inherited.items() if name in model_class.model_fields})
    unknown = sorted(set(fields) - set(model_class.model_fields))
    if unknown:
        raise ValueError(f"{where}: {model_class.__name__} has no field {unknown[0]!r}")
    try:
        model = model_class(**fields)
    except ValueError as error:  # pydantic's ValidationError names the field
        raise ValueError(f"{where}: {error}") from None
    adapter.add(model)
    for child_type, field in model_class._children.items():
        for index, child_values in enumerate(children[field]):
            model.add_child(_add(adapter, child_type, f"{where}.{field}[{index}]", child_values, parent=model))
    return model


def _record(adapter, model):
    record = {**model.get_identifiers(), **model.get_attrs()}
    for child_type, field in model._children.items():
        children = [adapter.get(child_type, unique_id) for unique_id in getattr(model, field)]
        inherited = _parent_keys(model)
        record[field] = [
            {name: value for name, value in _record(adapter, child).items() if name not in inherited}
            for child in children
        ]
    return record
