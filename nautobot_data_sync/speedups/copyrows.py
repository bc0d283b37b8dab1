"""Rows inserted with PostgreSQL's ``COPY`` rather than ``bulk_create()``'s multi-row ``INSERT``.

A sync inserts many rows at once: the objects it creates, their change records (two JSON documents each) and its own
per-object records. ``bulk_create()`` renders each batch as one ``INSERT`` whose every value is a literal that
PostgreSQL parses again; ``COPY`` streams the same values as text, which PostgreSQL reads far faster. ``insert_rows()``
prepares every value exactly as ``bulk_create()`` does (the primary key's default, each field's ``pre_save()`` and
``get_db_prep_save()``, the check of the related objects assigned to it where it has any), so the rows are the same.
Where those are Django's own methods and they would return the value itself (a ``str`` of a ``CharField``, a
``UUID`` of a foreign key, ``None``...: ``_plain_types()``), the value is taken as it is, without the calls (a
``UUID`` written as its 32 hex digits, which PostgreSQL reads as the same uuid), as is the aware time a
``DateTimeField`` stamps or holds (``_stamped()``); a JSON column's text may come from ``jsontext``. Each row is
prepared as the driver reads the text, while PostgreSQL inserts the rows sent before it; ``insert_stream()`` takes
the objects themselves from an iterator as it reads (change records built as they are sent). No query can run on
the connection while a ``COPY`` streams: one is refused (``QueryDuringCopy``) where it was asked. It takes the
``bulk_create()`` path for what it does not cover: another database, a model with parent tables or a
column the database computes (a generated one, a primary key it assigns), and from the first expression or value of
a type it does not write (arrays, binary data...) on, the rest of the batch. The statement goes through the
connection's execute wrappers, so the sync's query count sees it, and its errors are Django's (an ``IntegrityError``
stays one).
"""

import datetime
import decimal
import io
import math
import time
import uuid

from django.db import connections, transaction
from django.db.backends.postgresql.operations import DatabaseOperations as PostgreSQLOperations
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    TextField,
    UUIDField,
)
from django.db.models.fields import AutoFieldMixin
from psycopg2.extras import Json

from nautobot_data_sync.speedups.jsontext import column_text
from nautobot_data_sync.speedups.registry import COPY_ROWS, active

COPY_CHUNK = 2**15
"""Characters of ``COPY`` text prepared per read of the driver (a few change records; many objects)."""
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))  # the backslash first


_NULL = type(None)
_PLAIN_PREPARATION = {
    (Field.get_db_prep_value, CharField.get_prep_value, CharField.to_python): (str, _NULL),
    (Field.get_db_prep_value, TextField.get_prep_value, TextField.to_python): (str, _NULL),
    (Field.get_db_prep_value, BooleanField.get_prep_value, BooleanField.to_python): (bool, _NULL),
    # on PostgreSQL, whose operations adapt an integer as it is (``adapt_integerfield_value()``)
    (IntegerField.get_db_prep_value, IntegerField.get_prep_value, IntegerField.to_python): (int, _NULL),
    # an automatic key (a content type's), whose ``validate_autopk_value()`` returns the value on PostgreSQL
    (AutoFieldMixin.get_db_prep_value, IntegerField.get_prep_value, IntegerField.to_python): (int, _NULL),
    (UUIDField.get_db_prep_value, UUIDField.get_prep_value, UUIDField.to_python): (uuid.UUID, _NULL),
}
"""Django's own methods that prepare a field's value (``get_db_prep_value``, ``get_prep_value``, ``to_python``), and
the value types they leave as they are: a value of exactly such a type is its own prepared value."""


_CHECKS_ASSIGNED_OBJECTS = Model._prepare_related_fields_for_save
"""Django's check of the related objects assigned to an object (only those it has cached), before it is inserted."""


class QueryDuringCopy(BaseException):  # noqa: N818 - not an error: the caller ends its rows there
    """A query on a connection while its ``COPY`` streams (the driver would refuse it). A ``BaseException``, so
    that code catching ``Exception`` lets it through to the rows' maker."""


def _refused_during_copy(execute, sql, params, many, context):
    raise QueryDuringCopy(f"no query while a COPY streams: {sql[:60]}")


class _NotCopied(Exception):
    """A value ``COPY`` text is not written for here: the rows from its object on take ``bulk_create()``."""


def insert_rows(objects, using="default", batch_size=None):
    """Insert ``objects`` (unsaved instances of one Django model) as ``bulk_create(objects, batch_size)`` would."""
    if not objects:
        return
    model = type(objects[0])
    connection = connections[using]
    if not copies(model, using):
        model._base_manager.using(using).bulk_create(objects, batch_size=batch_size)
        return
    step = batch_size or len(objects)
    with transaction.atomic(using=using, savepoint=False):  # all batches or none, as bulk_create()
        for start in range(0, len(objects), step):
            batch = objects[start : start + step]
            _insert(model, batch, connection, using)
            for obj in batch:  # saved, as bulk_create() leaves them once all are inserted
                obj._state.adding = False
                obj._state.db = using


def insert_stream(model, objects, using="default"):
    """Insert the unsaved instances of ``model`` that the iterator ``objects`` yields, in one ``COPY`` that reads
    each as it is yielded: PostgreSQL inserts the rows already sent while the next objects are made (a change
    record's data serialized). Each is marked saved when its row is read. Making an object must not query the
    database while the ``COPY`` streams: such a query raises ``QueryDuringCopy`` in the code that asked, which the
    iterator may catch to end there (it may go on after this returns)."""
    connection = connections[using]
    if not copies(model, using):
        model._base_manager.using(using).bulk_create(list(objects))
        return
    with transaction.atomic(using=using, savepoint=False):
        _insert(model, objects, connection, using, mark_read=True)


def copies(model, using="default"):
    """Whether rows of ``model`` are inserted with ``COPY`` here (else ``bulk_create()``)."""
    connection = connections[using]
    return on_psycopg2(connection) and active(COPY_ROWS) and not model._meta.parents and not _read_back(model)


def _insert(model, objects, connection, using, mark_read=False):
    """``COPY`` the rows of ``objects`` (a list or an iterator), then ``bulk_create()`` the objects from the first one
    no text is written for on."""
    rows = _RowStream(model, objects, connection, using if mark_read else None)
    if rows.pending:
        _copy(model, rows, connection)
    if rows.error:  # raised as bulk_create() raises it, not as the driver's "error in .read() call"
        raise rows.error
    if rows.unsent is not None:  # from the first row COPY text is not written for
        model._base_manager.using(using).bulk_create([rows.unsent, *rows.objects])


def on_psycopg2(connection):
    """Whether ``connection`` is PostgreSQL through psycopg2, the driver these speed-ups write for."""
    return connection.vendor == "postgresql" and connection.Database.__name__ == "psycopg2"


def _read_back(model):
    """Whether the database computes a column ``bulk_create()`` reads back (a generated one, or one it returns)."""
    return any(getattr(field, "generated", False) or field.db_returning for field in model._meta.concrete_fields)


class _RowStream(io.TextIOBase):
    """The ``COPY`` text of ``objects``, each row prepared as ``bulk_create()`` prepares it, and only when the driver
    reads it: PostgreSQL inserts the rows already sent while the next ones are prepared. The text ends before the
    first object it cannot be written for or that needed a query to prepare (``unsent``; the objects after it are
    left in ``objects``), or whose preparation raised (``error``). With ``marked_as`` (a database alias), each object
    is marked saved there as its row is read."""

    def __init__(self, model, objects, connection, marked_as=None):
        fields = model._meta.concrete_fields
        self.fields = [
            (field, _plain_types(field), column_text(field, connection), _stamped(field, connection))
            for field in fields
        ]
        self.objects = iter(objects)
        self.connection = connection
        self.marked_as = marked_as
        self.unsent = None
        self.error = None
        self.pending, self.pending_object = "", None
        self._next_row()  # the first row is prepared before the COPY starts

    def read(self, size=-1):
        parts, length = [], 0
        while self.pending and (size < 0 or length < size):
            parts.append(self.pending)
            length += len(self.pending)
            if self.marked_as is not None:
                self.pending_object._state.adding = False
                self.pending_object._state.db = self.marked_as
            self._next_row()
        return "".join(parts)

    def _next_row(self):
        self.pending = ""
        try:
            self.pending_object = next(self.objects, None)
        except QueryDuringCopy as error:  # an iterator that does not end where its objects need the database
            self.error = RuntimeError(f"{error}; the rows' iterator must end before such an object")
            return
        except Exception as error:  # noqa: BLE001 - raised after the COPY, as the iterator raised it
            self.error = error
            return
        if self.pending_object is None:
            return
        try:
            self.pending = _row(self.pending_object, self.fields, self.connection)
        except (_NotCopied, QueryDuringCopy):
            self.unsent = self.pending_object
        except Exception as error:  # noqa: BLE001 - kept for insert_rows() to raise after the COPY
            self.error = error


def _row(obj, fields, connection):
    """One line of ``COPY`` text: the values of new ``obj`` (``fields``: each with its ``_plain_types()``, its
    ``jsontext.column_text()`` and whether it is ``_stamped()``)."""
    if obj.pk is None:
        obj.pk = obj._meta.pk.get_pk_value_on_save(obj)
        if obj.pk is None:  # no default (a key the database assigns never gets here): as bulk_create() does
            raise _NotCopied
    prepare = type(obj)._prepare_related_fields_for_save
    if obj._state.fields_cache or prepare is not _CHECKS_ASSIGNED_OBJECTS:  # else no related object was assigned
        prepare(obj, operation_name="bulk_create")
    texts = []
    for field, plain, json_text, stamped in fields:
        if plain:
            value = getattr(obj, field.attname)  # as ``Field.pre_save()`` reads it
            if type(value) in plain:
                texts.append(_PLAIN_TEXT[type(value)](value))
                continue
        elif json_text:
            value = getattr(obj, field.attname)
            if value is None:  # SQL NULL, as ``JSONField.get_db_prep_save()`` sends it
                texts.append("\\N")
                continue
            text = json_text(value)
            if text is not None:
                texts.append(_escaped(text))
                continue
        elif stamped:
            value = field.pre_save(obj, add=True)  # the time it stamps, or the attribute
            if type(value) is datetime.datetime and value.utcoffset() is not None:  # aware: prepared into itself
                texts.append(value.isoformat())
                continue
            texts.append(_text(_prepared_value(field, value, connection)))
            continue
        texts.append(_text(_prepared_value(field, field.pre_save(obj, add=True), connection)))
    return "\t".join(texts) + "\n"


def _plain_types(field):
    """The value types ``field`` prepares (for a new object) into themselves: none unless its ``pre_save()`` is
    Django's reading of the attribute, and its preparation Django's own methods (``_PLAIN_PREPARATION``; a foreign
    key's, its target field's)."""
    kind = type(field)
    if kind.pre_save is not Field.pre_save:
        return ()
    if isinstance(field, ForeignKey):
        if kind.get_db_prep_save is not ForeignKey.get_db_prep_save:
            return ()
        kind = type(field.target_field)
    if kind.get_db_prep_save is not Field.get_db_prep_save:
        return ()
    return _PLAIN_PREPARATION.get((kind.get_db_prep_value, kind.get_prep_value, kind.to_python), ())


def _stamped(field, connection):
    """Whether ``field`` is Django's ``DateTimeField`` throughout (its ``pre_save()`` stamps the time where it is
    ``auto_now``), on PostgreSQL, whose operations adapt a date-time as it is: an aware ``datetime`` its
    ``pre_save()`` gives is then prepared into itself."""
    kind = type(field)
    return (
        kind.pre_save is DateTimeField.pre_save
        and kind.get_db_prep_save is Field.get_db_prep_save
        and kind.get_db_prep_value is DateTimeField.get_db_prep_value
        and kind.get_prep_value is DateTimeField.get_prep_value
        and kind.to_python is DateTimeField.to_python
        and type(connection.ops).adapt_datetimefield_value is PostgreSQLOperations.adapt_datetimefield_value
    )


def _prepared_value(field, value, connection):
    """``value`` (what ``field.pre_save()`` of a new object gave) for the database, as ``SQLInsertCompiler``
    prepares it."""
    if hasattr(value, "resolve_expression"):  # SQL, not a value
        raise _NotCopied
    return field.get_db_prep_save(value, connection)


def _text(value):
    """``value`` (prepared for the database) in ``COPY``'s text format, as the driver would write it in a literal."""
    plain = _PLAIN_TEXT.get(type(value))
    if plain is not None:
        return plain(value)
    if isinstance(value, str):
        return _escaped(str.__str__(value))  # its characters, not a subclass's __str__()
    if isinstance(value, float) and not math.isfinite(value):
        raise _NotCopied
    if isinstance(value, (int, float, decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Json):  # a JSON value as the backend adapts it
        return _escaped(value.dumps(value.adapted))
    raise _NotCopied


def _escaped(text):
    """``text`` with what ``COPY`` reads as special escaped (``str.replace()`` per character: far faster than
    ``str.translate()`` on the long JSON documents of change records)."""
    for character, escape in _ESCAPES:
        if character in text:
            text = text.replace(character, escape)
    return text


_PLAIN_TEXT = {
    str: _escaped,
    bool: lambda value: "t" if value else "f",
    int: str,
    uuid.UUID: lambda value: "%032x" % value.int,  # noqa: UP031 - PostgreSQL's uuid from 32 digits: 5x str()'s speed
    _NULL: lambda value: "\\N",
}
"""The ``COPY`` text of a value of exactly one of these types (those of ``_PLAIN_PREPARATION``); ``_text()`` starts
here."""


def _copy(model, rows, connection):
    """Run ``COPY`` through the connection's execute wrappers and into its query log, as ``execute()`` would."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:

        def copy(sql, params, many, context):
            started = time.monotonic()
            connection.execute_wrappers.insert(0, _refused_during_copy)  # first: no other wrapper sees the query
            try:
                with connection.wrap_database_errors:
                    cursor.cursor.copy_expert(sql, rows, size=COPY_CHUNK)
            finally:
                connection.execute_wrappers.remove(_refused_during_copy)
            if connection.queries_logged:
                connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})

        run = copy
        for wrapper in reversed(connection.execute_wrappers):
            run = _wrapped(wrapper, run)
        run(sql, None, False, {"connection": connection, "cursor": cursor})


def _wrapped(wrapper, run):
    return lambda sql, params, many, context: wrapper(run, sql, params, many, context)
