"""Database helpers: what differs between SQLite and PostgreSQL, a query compiled once (:class:`Compiled`) and
a new row inserted by a statement made once (:func:`insert`)."""

import itertools
from collections.abc import Callable
from importlib import import_module

from django.db import connection, connections, models, router, transaction
from django.db.models import QuerySet, signals
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators


def set_event_triggers(enabled: bool) -> None:
    """Switch the append-only triggers of the event table on or off (on PostgreSQL the chain head's trigger
    with them: while it is off, ``audit.record`` moves the head with each event).

    Off only for maintenance that must empty the whole database (test flushes, restore into an empty
    database); never in normal operation."""
    connection.__dict__.pop(HEAD_TRIGGER_KNOWN, None)  # audit asks again whether the head trigger is in force
    migration = import_module("zhifa.core.migrations.0002_event_append_only")
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # PostgreSQL refuses to ALTER a table with trigger events pending (the chain head's, deferred
            # to the commit): fire them now, if the trigger exists yet (0007 runs before 0010 installs it).
            fire_head_trigger()
            cur.execute(f"ALTER TABLE core_event {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")
        elif enabled:
            for statement in migration.SQLITE_SQL:
                cur.execute(statement)
        else:
            cur.execute("DROP TRIGGER IF EXISTS core_event_no_update")
            cur.execute("DROP TRIGGER IF EXISTS core_event_no_delete")


# Migration 0010: sets the chain head from a transaction's last event, at commit (PostgreSQL).
HEAD_TRIGGER = "core_event_head"
# Where a connection keeps whether that trigger is in force (core.audit asks once per connection).
HEAD_TRIGGER_KNOWN = "_zhifa_head_trigger_in_force"


def fire_head_trigger() -> None:
    """PostgreSQL: run the chain head's deferred trigger now for this transaction's pending events, so the
    head row is current within the transaction (``SET CONSTRAINTS ... IMMEDIATE`` fires the events deferred so
    far; the trigger is deferred again for the events to come). No-op on SQLite and outside a transaction."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    with connection.cursor() as cur:
        # Not installed yet (0007 runs before 0010) or dropped: nothing pending, SET CONSTRAINTS would fail.
        cur.execute("SELECT 1 FROM pg_trigger WHERE tgrelid = 'core_event'::regclass AND tgname = %s",
                    [HEAD_TRIGGER])
        if cur.fetchone() is None:
            return
        cur.execute(f"SET CONSTRAINTS {HEAD_TRIGGER} IMMEDIATE")
        cur.execute(f"SET CONSTRAINTS {HEAD_TRIGGER} DEFERRED")


# What stands for the value while the query is compiled: found again among the compiled query's parameters.
TEXT_PLACEHOLDER = "\x00zhifa-compiled-parameter\x00"
NUMBER_PLACEHOLDER = -8_361_028_471_930_562_517  # an integer key: fits 64 bits, never a real key
_slots = itertools.count()
# The most values a ``many`` query takes at once (so at most 11 compiled queries of it per connection).
MANY_LIMIT = 1024


class Compiled:
    """A query of fixed shape run again and again with another value (the bearer token's look-up, the
    signed-in user's, the record's read of the audited row for its digest, the case page's reads: the case,
    its rows of each kind, its list application and its history), its SQL compiled once per
    database connection instead of at every call: the ORM compiles each query anew, and for a
    ``select_related`` of three tables (~40 columns) or a row of many fields the compilation and the column
    converters' look-up cost more CPU than the query itself (cProfile, 2026-12-06: 2/3 of the token look-up;
    11.5 → 1.3 ms for the record's read of a case, 2026-12-05). The one place that uses the ORM's compiler
    internals for this (written for Django 5.2, pinned by core/tests/test_compiled_query.py).

    ``Compiled(lambda value: Model.objects.select_related(...).filter(key=value)[:1])``; ``first(value)`` →
    the first row as the ORM would give it, or None: a model instance (``from_db``, the related objects of
    ``select_related``, the database's value converters), or for a ``values_list()`` query the tuple of the
    row's values, converted alike; ``all(value)`` → every row so given, in the queryset's order (a case's rows
    of one kind on the case page). The queryset must use ``value`` exactly once as a query parameter and
    select model instances or a plain ``values_list()`` (no ``values()``, ``flat``/``named``, annotations,
    prefetches or composite keys). ``value`` goes to the database as given, without the field's conversion:
    pass a str for a text column, an int for an integer key (and say so: ``placeholder=`` a value within the
    column's range — ``NUMBER_PLACEHOLDER`` for a 64-bit key; for a narrower column Django compiles an
    out-of-range value to no query at all on PostgreSQL, as ``audit._row_reader``'s ``1`` avoids).

    ``many=True``: the value is a sequence of values (a page's case ids), the query built from a tuple of
    them, each used exactly once (``filter(case_id__in=ids)``: the lists' reads of the rows of their cases).
    An ``IN (…)`` has one parameter per value, so the query is compiled per length — for the powers of two,
    the values filled up with the last one (the same rows) — at most :data:`MANY_LIMIT` values a call."""

    def __init__(self, build: Callable[[object], QuerySet], *, placeholder: object = TEXT_PLACEHOLDER,
                 many: bool = False):
        self._build, self._placeholder, self._many = build, placeholder, many
        # One compiled query per connection object (thread), kept on the connection itself, so it goes with
        # the connection: the compiled query holds its connection, and a dictionary keyed by connections here
        # kept every connection it had seen (a thread per request). A counter names the slot, not id(self): an
        # id is reused once its object is gone, and would find another query's SQL.
        self._slot = f"_zhifa_compiled_{next(_slots)}"

    def _compile(self, connection_, slot: str, size: int):
        if self._many:  # distinct stand-ins: the n-th is found again among the parameters
            placeholders = tuple(self._placeholder + (str(i) if isinstance(self._placeholder, str) else i)
                                 for i in range(size))
            queryset = self._build(placeholders)
        else:
            placeholders = (self._placeholder,)
            queryset = self._build(self._placeholder)
        compiler = queryset.query.get_compiler(connection=connection_)
        sql, params = compiler.as_sql()
        params = list(params)
        if (any(params.count(p) != 1 for p in placeholders) or queryset.query.annotations
                or queryset.query.extra_select
                or queryset._prefetch_related_lookups
                or queryset._iterable_class not in (ModelIterable, ValuesListIterable)):
            raise ValueError("a Compiled query takes its value once and selects model instances or values")
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise ValueError("a Compiled query cannot select composite keys")
        instances = None  # a values_list() row is the converted row itself
        if queryset._iterable_class is ModelIterable:
            klass_info = compiler.klass_info
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            instances = (
                klass_info["model"], [column[0].target.attname for column in compiler.select[start:end]],
                start, end, get_related_populators(klass_info, compiler.select, connection_.alias),
            )
        compiled = (sql, params, [params.index(p) for p in placeholders], compiler,
                    compiler.get_converters(fields), instances)
        connection_.__dict__[slot] = compiled
        return compiled

    def _execute(self, value, using: str, fetch):
        connection_ = connections[using]
        if self._many:
            values = list(value)
            if not values:
                return []  # as the ORM: an empty IN (…) is no query
            if len(values) > MANY_LIMIT:
                raise ValueError(f"a Compiled query takes at most {MANY_LIMIT} values: read in batches")
            # compiled for a power of two of values, the rest filled with the last one (the same rows: IN (…)
            # with a value twice): a few compiled queries per connection, whatever the lengths asked
            size = 1 << (len(values) - 1).bit_length()
            values += values[-1:] * (size - len(values))
            slot = f"{self._slot}_{size}"
        else:
            values, size, slot = [value], 1, self._slot
        compiled = connection_.__dict__.get(slot) or self._compile(connection_, slot, size)
        sql, params, indexes, compiler, converters, instances = compiled
        params = params.copy()
        for index, one in zip(indexes, values, strict=True):
            params[index] = one
        with connection_.cursor() as cursor:
            cursor.execute(sql, params)
            rows = fetch(cursor)
        if converters and rows:
            rows = list(compiler.apply_converters(rows, converters))
        if instances is None:
            return [tuple(row) for row in rows]
        model, init_list, start, end, related = instances
        built = []
        for row in rows:
            instance = model.from_db(using, init_list, row[start:end])
            for populator in related:
                populator.populate(row, instance)
            built.append(instance)
        return built

    def first(self, value, *, using: str = "default"):
        rows = self._execute(value, using, lambda cursor: [row] if (row := cursor.fetchone()) else [])
        return rows[0] if rows else None

    def all(self, value, *, using: str = "default") -> list:
        """Every row, in the queryset's order: what ``list(queryset)`` gives."""
        return self._execute(value, using, lambda cursor: cursor.fetchall())

    def count(self, value, *, using: str = "default") -> int:
        """How many rows: what ``queryset.count()`` gives, the compiled query counted by the database
        (``SELECT COUNT(*) FROM (…)``; build it with ``.order_by()``, a count needs no order). Not for
        ``many``."""
        if self._many:
            raise ValueError("count() takes one value")
        connection_ = connections[using]
        compiled = connection_.__dict__.get(self._slot) or self._compile(connection_, self._slot, 1)
        sql, params, indexes = compiled[:3]
        params = params.copy()
        params[indexes[0]] = value
        with connection_.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) zhifa_counted", params)
            return cursor.fetchone()[0]


# --- A new row by an INSERT made once -----------------------------------------------------------------------

_INSERT_PREFIX = "_zhifa_insert_"


def _plain_fields(model) -> tuple | None:
    """The columns ``insert`` writes for ``model`` (every concrete field but its automatic key), or None when
    ``save()`` does more than write them: a ``save`` of its own, a parent table, a key that is not the
    database's, a generated or database-default column, a field whose ``pre_save`` does more than read the
    attribute (``auto_now``, a file …), a field with a placeholder of its own (binary, array and range
    fields cast their value), a column read back on insert besides the key, ``order_with_respect_to`` (the
    ``_order`` column ``save`` computes), and a model that overrides how ``save`` writes (``save_base``,
    ``_save_table``, ``_do_insert``)."""
    meta = model._meta
    overrides = any(getattr(model, name) is not getattr(models.Model, name)
                    for name in ("save", "save_base", "_save_table", "_do_insert", "_save_parents"))
    if (overrides or meta.parents or meta.proxy or meta.order_with_respect_to
            or not isinstance(meta.pk, models.AutoField)):
        return None
    fields = tuple(f for f in meta.concrete_fields if f is not meta.pk)
    for f in fields:
        plain = type(f).pre_save is models.Field.pre_save or (
            isinstance(f, models.DateField) and not (f.auto_now or f.auto_now_add)
            and type(f).pre_save in (models.DateField.pre_save, models.DateTimeField.pre_save))
        if (not plain or f.generated or f.db_default is not models.NOT_PROVIDED or f.db_returning
                or hasattr(f, "get_placeholder")):
            return None
    return fields


_plain = {}


def insert(obj) -> None:
    """``obj.save(force_insert=True)`` for a new row (its key not set) of a model whose ``save`` only writes
    the columns (``_plain_fields``), without the ORM building the INSERT anew each time: the statement is
    made once per model and connection and sent with the values the ORM sends (each field's
    ``get_db_prep_save`` of its ``pre_save``); the new key is read back by ``RETURNING`` and the object is
    marked saved, as ``save`` does. Anything else — a ``pre_save``/``post_save`` listener of the model, a
    value that is an expression, a key already set, a database that cannot return the key — goes through
    ``save`` itself. For the rows written by the thousand (the record's events, the workflow's history
    steps; docs/testing.md "The whole-demo test: rows inserted by statements made once")."""
    model = type(obj)
    fields = _plain.get(model, False)
    if fields is False:
        fields = _plain[model] = _plain_fields(model)
    # The statement is kept per connection and model class (not label: a migration's historical model shares
    # the label and may have other columns).
    alias = router.db_for_write(model, instance=obj)
    conn = connections[alias]
    if (fields is None or obj.pk is not None or not conn.features.can_return_columns_from_insert
            or signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model)):
        obj.save(force_insert=True, using=alias)
        return
    obj._prepare_related_fields_for_save(operation_name="save")
    values = [f.pre_save(obj, True) for f in fields]
    if any(hasattr(value, "resolve_expression") for value in values):
        obj.save(force_insert=True, using=alias)
        return
    params = [f.get_db_prep_save(value, conn) for f, value in zip(fields, values, strict=True)]
    slot = f"{_INSERT_PREFIX}{model._meta.label_lower}_{id(model)}"
    sql = conn.__dict__.get(slot)
    if sql is None:
        qn, meta = conn.ops.quote_name, model._meta
        sql = conn.__dict__[slot] = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {qn(meta.pk.column)}")
    with transaction.mark_for_rollback_on_error(using=alias), conn.cursor() as cursor:
        cursor.execute(sql, params)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = alias
