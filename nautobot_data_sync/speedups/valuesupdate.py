"""Rows updated from one ``VALUES`` list rather than ``bulk_update()``'s ``CASE`` expressions.

``bulk_update()`` sets each field to a ``CASE WHEN pk = ... THEN ...`` with one branch per object: Django builds and
compiles an expression per object and field, and PostgreSQL tries the branches one after the other for every row,
so both sides grow with the square of the batch. ``update_rows()`` joins the table to a ``VALUES`` list of the
objects' primary keys and new values instead, each value prepared as ``bulk_update()`` prepares it
(``get_db_prep_save()``) and cast to the field's type as its ``CAST`` does: the same rows, in one statement that
grows with the batch. It takes ``bulk_update()`` for what it does not cover: another database or driver, a model
with parent tables or a manager that filters, a field without a cast type, an expression, an object given twice.
"""

from django.db import connections, transaction

from nautobot_data_sync.speedups.copyrows import on_psycopg2
from nautobot_data_sync.speedups.registry import VALUES_UPDATE, active

ROWS_PER_STATEMENT = 1000
"""Objects per statement: the statement is built in memory whole."""


def update_rows(objects, field_names, using="default"):
    """Update ``field_names`` of ``objects`` (saved instances of one model) as ``bulk_update()`` would; returns the
    number of rows updated."""
    if not objects:
        return 0
    model = type(objects[0])
    fields = [model._meta.get_field(name) for name in field_names]
    connection = connections[using]
    if not _covered(model, fields, objects, connection):
        return model.objects.using(using).bulk_update(objects, field_names)
    for obj in objects:
        obj._prepare_related_fields_for_save(operation_name="bulk_update", fields=fields)
    updated = 0
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:  # as bulk_update()
        for start in range(0, len(objects), ROWS_PER_STATEMENT):
            cursor.execute(*_statement(model, fields, objects[start : start + ROWS_PER_STATEMENT], connection))
            updated += cursor.rowcount
    return updated


def _covered(model, fields, objects, connection):
    """Whether this update is one ``update_rows()`` writes (see the module docstring)."""
    if (
        not (on_psycopg2(connection) and active(VALUES_UPDATE))
        or model._meta.parents
        or model.objects.all().query.has_filters()
    ):
        return False
    if not fields or any(
        not field.concrete
        or field.many_to_many
        or field.primary_key
        or hasattr(field, "get_placeholder")  # its own SQL around the value
        or not field.cast_db_type(connection)
        for field in fields
    ):
        return False  # bulk_update() raises its own error for the invalid ones
    pks = {obj.pk for obj in objects}
    if len(pks) < len(objects) or None in pks:
        return False  # an object twice: CASE takes its first branch, a join any of its rows
    return not any(hasattr(getattr(obj, field.attname), "resolve_expression") for obj in objects for field in fields)


def _statement(model, fields, objects, connection):
    """``UPDATE table SET column = v.column ... FROM (VALUES ...) v WHERE table.pk = v.pk`` and its parameters."""
    quote = connection.ops.quote_name
    pk = model._meta.pk
    columns = [pk, *fields]
    row = "(" + ", ".join(f"%s::{field.cast_db_type(connection)}" for field in columns) + ")"
    params = [field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objects for field in columns]
    names = ", ".join(quote(field.column) for field in columns)
    table = quote(model._meta.db_table)
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in fields)
    sql = (
        f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(objects))}) AS v ({names}) "
        f"WHERE {table}.{quote(pk.column)} = v.{quote(pk.column)}"
    )
    return sql, params
