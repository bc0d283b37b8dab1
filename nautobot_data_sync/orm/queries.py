"""The query plan of a NautobotModel: its rows read as values (no model instances), a fixed number of queries.

* one ``values()`` query per model type for the declared plain fields and foreign-key paths (joined by Django) and
  the ``_custom_field_data`` column when custom fields are declared;
* one query per many-to-many field (its natural key through the join table);
* children with one query per child type, restricted to the loaded parents by a subquery; a child's path through
  its parent that ends in a column the parent already read is taken from the parent's row (no join).

Relationships are read by the adapter with one query per relationship (see ``relationships``).
"""

from collections import defaultdict

from nautobot_data_sync.orm.fields import LABEL, SEP, sort_order

PK = "pk"
CHILDREN = "_data_sync_children__"  # a row's children lists are stored under CHILDREN + field name
MANY = "_data_sync_many__"  # a row's many-to-many keys are stored under MANY + declared name
CUSTOM_FIELD_DATA = "_custom_field_data"


def child_accessor(parent_class, field_name):
    """The Django reverse accessor that holds the children stored in ``field_name`` (default: the same name)."""
    return parent_class._child_accessors.get(field_name, field_name)


def read_rows(adapter, model_class, queryset=None, parent=None):
    """The rows (dicts) of ``model_class`` in ``queryset`` (default: the adapter's scoped queryset), each with its
    declared columns, many-to-many keys and children.

    ``parent`` is ``(foreign key to the parent, {child column: parent column})`` for children: the rows also hold
    the foreign key's value, and the columns reached through the parent are left out (the caller copies them).
    """
    plan = model_class.plan()
    queryset = adapter.get_queryset(model_class) if queryset is None else queryset
    columns = _columns(plan)
    if parent:
        back, from_parent = parent
        columns = [column for column in columns if column not in from_parent]
        columns.append(plan.model._meta.get_field(back).attname)
    rows = list(queryset.values(PK, *dict.fromkeys(columns)))
    if not rows:
        return rows
    pks = queryset.values(PK)
    for m2m in plan.many_to_many:
        keys = _many_to_many_keys(plan.model, m2m, pks)
        for row in rows:
            row[MANY + m2m.name] = sorted(keys.get(row[PK], ()), key=sort_order)
    for child_type, field_name in model_class._children.items():
        _read_children(adapter, model_class, getattr(adapter, child_type), field_name, rows, pks, columns)
    return rows


def make_reader(model_class):
    """A function ``row -> {declared field: value}`` for the rows of ``read_rows``."""
    plan = model_class.plan()
    names = _declared_columns(plan)
    many = [(m2m.name, MANY + m2m.name) for m2m in plan.many_to_many]
    custom = list(plan.custom_fields.items())

    def read(row):
        values = {name: row[name] for name in names}
        for name, column in many:
            values[name] = row[column]
        if custom:
            data = row[CUSTOM_FIELD_DATA] or {}
            for name, key in custom:
                values[name] = data.get(key)
        return values

    return read


def _declared_columns(plan):
    """The declared plain fields and foreign-key paths: each a column of the rows."""
    return [*plan.plain, *(path for group in plan.foreign_keys.values() for path in group.paths)]


def _columns(plan):
    """The columns to read: the declared ones, and the custom field data when custom fields are declared."""
    columns = _declared_columns(plan)
    if plan.custom_fields:
        columns.append(CUSTOM_FIELD_DATA)
    return columns


def _many_to_many_keys(model, m2m, pks):
    """``{pk: [natural key, ...]}`` of one many-to-many field for the objects ``pks`` (a subquery)."""
    as_dict = isinstance(m2m.key, tuple)
    key_paths = list(m2m.key) if as_dict else ["app_label", "model"] if m2m.key == LABEL else [m2m.key]
    lookups = [f"{m2m.accessor}{SEP}{path}" for path in key_paths]
    keys = defaultdict(list)
    for pk, *key in model._base_manager.filter(pk__in=pks).values_list(PK, *lookups):
        if all(value is None for value in key):  # an object without values (outer join)
            continue
        if as_dict:
            keys[pk].append(dict(zip(key_paths, key, strict=True)))
        else:
            keys[pk].append(".".join(key) if m2m.key == LABEL else key[0])
    return keys


def _read_children(adapter, model_class, child_class, field_name, rows, pks, parent_columns):
    """Read the children of ``rows`` into ``row[CHILDREN + field_name]``."""
    accessor = child_accessor(model_class, field_name)
    back = model_class._model._meta.get_field(accessor).field.name  # the child's foreign key to the parent
    prefix = back + SEP
    through_parent = {
        column: column[len(prefix) :]
        for column in _columns(child_class.plan())
        if column.startswith(prefix) and column[len(prefix) :] in parent_columns
    }
    queryset = adapter.get_queryset(child_class).filter(**{f"{back}__in": pks})
    children = read_rows(adapter, child_class, queryset, parent=(back, through_parent))
    back_column = child_class._model._meta.get_field(back).attname
    by_parent = defaultdict(list)
    for child in children:
        by_parent[child.pop(back_column)].append(child)
    for row in rows:
        row[CHILDREN + field_name] = own = by_parent.get(row[PK], [])
        for child in own:
            for child_column, parent_column in through_parent.items():
                child[child_column] = row[parent_column]
