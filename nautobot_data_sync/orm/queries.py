"""The query plan of a NautobotModel: one queryset per model type, and reading a diffsync record from its rows.

* ``select_related`` every foreign-key prefix of the declared paths, and ``only()`` the columns read;
* ``prefetch_related`` many-to-many fields (``Prefetch`` limited to the natural key) and children (the child model's
  own plan, scoped by the adapter), into lists (``to_attr``) so reading them never queries;
* custom fields come from the ``_custom_field_data`` JSON column (no extra query); relationships are read by the
  adapter with one query per relationship (see ``relationships``).
"""

from django.db.models import Prefetch
from taggit.managers import TaggableManager

from nautobot_data_sync.orm.fields import LABEL, SEP, key_of

PREFIX = "_data_sync_"


def _prefixes(path):
    """``a__b__c`` -> ``["a", "a__b"]``: the foreign keys traversed to reach ``c``."""
    parts = path.split(SEP)
    return [SEP.join(parts[:index]) for index in range(1, len(parts))]


def _traverse(obj, path):
    for part in path.split(SEP):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def _related_queryset(model, path):
    """Rows of ``model`` with only ``path`` (and its foreign keys) loaded."""
    prefixes = _prefixes(path)
    queryset = model.objects.all()
    if prefixes:
        queryset = queryset.select_related(prefixes[-1])
    return queryset.only(*prefixes, path)


def _m2m_prefetch(model, m2m):
    """Prefetch of a many-to-many field, limited to its natural key (taggit's tags accept no custom queryset)."""
    if m2m.key == LABEL or isinstance(model._meta.get_field(m2m.accessor), TaggableManager):
        return Prefetch(m2m.accessor, to_attr=PREFIX + m2m.name)
    return Prefetch(m2m.accessor, queryset=_related_queryset(m2m.related_model, m2m.key), to_attr=PREFIX + m2m.name)


def child_accessor(parent_class, field_name):
    """The Django reverse accessor that holds the children stored in ``field_name`` (default: the same name)."""
    return parent_class._child_accessors.get(field_name, field_name)


def _columns(plan):
    """(columns to load, foreign-key paths to join) for the declared fields of ``plan``."""
    columns, related = set(plan.plain), set()
    for group in plan.foreign_keys.values():
        for name in group.paths:
            columns.update((*_prefixes(name), name))
            related.update(_prefixes(name))
    if plan.custom_fields:
        columns.add("_custom_field_data")
    return columns, related


def build_queryset(adapter, model_class, parent=None):
    """The queryset that loads ``model_class`` (scoped by ``adapter.get_queryset``) with everything it reads.

    ``parent`` is ``(foreign key to the parent, the parent's columns)`` for children: the prefetch sets that foreign
    key to the already loaded parent, so paths through it that end in a loaded parent column need no join.
    """
    plan = model_class.plan()
    queryset = adapter.get_queryset(model_class)
    columns, related = _columns(plan)
    if parent:
        back, parent_columns = parent
        through_parent = {path for path in columns if path.startswith(back + SEP)}
        if all(path[len(back) + len(SEP) :] in parent_columns for path in through_parent):
            columns -= through_parent
            related = {path for path in related if path != back and not path.startswith(back + SEP)}
        columns.add(back)
    deepest = [path for path in related if not any(other.startswith(path + SEP) for other in related)]
    if deepest:
        queryset = queryset.select_related(*deepest)
    prefetches = [_m2m_prefetch(plan.model, m2m) for m2m in plan.many_to_many]
    for child_type, field_name in model_class._children.items():
        child_class = getattr(adapter, child_type)
        accessor = child_accessor(model_class, field_name)
        back = plan.model._meta.get_field(accessor).field.name  # the child's foreign key to this model
        child_queryset = build_queryset(adapter, child_class, parent=(back, columns))
        prefetches.append(Prefetch(accessor, queryset=child_queryset, to_attr=PREFIX + field_name))
    if prefetches:
        queryset = queryset.prefetch_related(*prefetches)
    return queryset.only(*columns)


def make_reader(model_class):
    """A function ``row -> {declared field: value}`` for the rows of ``build_queryset`` (never queries)."""
    plan = model_class.plan()
    readers = [(name, _plain_getter(name)) for name in plan.plain]
    for group in plan.foreign_keys.values():
        readers += [(name, _path_getter(name)) for name in group.paths]
    readers += [(m2m.name, _m2m_getter(m2m)) for m2m in plan.many_to_many]
    readers += [(name, _custom_field_getter(key)) for name, key in plan.custom_fields.items()]

    def read(row):
        return {name: getter(row) for name, getter in readers}

    return read


def _plain_getter(name):
    return lambda row: getattr(row, name)


def _path_getter(path):
    return lambda row: _traverse(row, path)


def _m2m_getter(m2m):
    attribute = PREFIX + m2m.name
    return lambda row: sorted(key_of(item, m2m.key) for item in getattr(row, attribute))


def _custom_field_getter(key):
    return lambda row: row._custom_field_data.get(key)
