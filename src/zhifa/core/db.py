"""Database helpers: what differs between SQLite and PostgreSQL, and a query compiled once
(:class:`Compiled`)."""

from collections.abc import Callable
from importlib import import_module

from django.db import connection, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators


def set_event_triggers(enabled: bool) -> None:
    """Switch the append-only triggers of the event table on or off.

    Off only for maintenance that must empty the whole database (test flushes, restore into an empty
    database); never in normal operation."""
    migration = import_module("zhifa.core.migrations.0002_event_append_only")
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"ALTER TABLE core_event {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")
        elif enabled:
            for statement in migration.SQLITE_SQL:
                cur.execute(statement)
        else:
            cur.execute("DROP TRIGGER IF EXISTS core_event_no_update")
            cur.execute("DROP TRIGGER IF EXISTS core_event_no_delete")


# What stands for the value while the query is compiled: found again among the compiled query's parameters.
TEXT_PLACEHOLDER = "\x00zhifa-compiled-parameter\x00"
NUMBER_PLACEHOLDER = -8_361_028_471_930_562_517  # an integer key: fits 64 bits, never a real key


class Compiled:
    """A query of fixed shape that every request runs with another value (the bearer token's look-up, the
    signed-in user's), its SQL compiled once per database connection instead of at every call: the ORM
    compiles each query anew, and for a ``select_related`` of three tables (~40 columns) the compilation and
    the column converters' look-up cost more CPU than the query itself (cProfile, 2026-12-06: 2/3 of the token
    look-up).

    ``Compiled(lambda value: Model.objects.select_related(...).filter(key=value)[:1])``; ``first(value)`` →
    the first row as the ORM would build it (``from_db``, the related objects of ``select_related``, the
    database's value converters) or None; ``all(value)`` → every row so built, in the queryset's order (a
    case's rows of one kind on the case page). The queryset must use ``value`` exactly once as a query
    parameter and select model instances (no ``values()``, annotations, prefetches or composite keys).
    ``value`` goes to the database as given, without the field's conversion: pass a str for a text column,
    an int for an integer key (and say so: ``placeholder=NUMBER_PLACEHOLDER``)."""

    def __init__(self, build: Callable[[object], QuerySet], *, placeholder: object = TEXT_PLACEHOLDER):
        self._build, self._placeholder = build, placeholder
        # One compiled query per connection object (thread), kept on the connection itself (as audit._read_row
        # keeps its readers), so it goes with the connection: the compiled query holds its connection, and a
        # dictionary keyed by connections here kept every connection it had seen (a thread per request).
        self._slot = f"_zhifa_compiled_{id(self)}"

    def _compile(self, connection_):
        queryset = self._build(self._placeholder)
        compiler = queryset.query.get_compiler(connection=connection_)
        sql, params = compiler.as_sql()
        params = list(params)
        if (params.count(self._placeholder) != 1 or compiler.annotation_col_map
                or queryset._prefetch_related_lookups):
            raise ValueError("a Compiled query takes its value once and selects plain model instances")
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise ValueError("a Compiled query cannot select composite keys")
        klass_info = compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in compiler.select[start:end]]
        compiled = (
            sql, params, params.index(self._placeholder), compiler, compiler.get_converters(fields),
            klass_info["model"], init_list, start, end,
            get_related_populators(klass_info, compiler.select, connection_.alias),
        )
        connection_.__dict__[self._slot] = compiled
        return compiled

    def _execute(self, value, using: str, fetch):
        connection_ = connections[using]
        compiled = connection_.__dict__.get(self._slot) or self._compile(connection_)
        sql, params, index, compiler, converters, model, init_list, start, end, related = compiled
        params = params.copy()
        params[index] = value
        with connection_.cursor() as cursor:
            cursor.execute(sql, params)
            rows = fetch(cursor)
        if converters and rows:
            rows = list(compiler.apply_converters(rows, converters))
        instances = []
        for row in rows:
            instance = model.from_db(using, init_list, row[start:end])
            for populator in related:
                populator.populate(row, instance)
            instances.append(instance)
        return instances

    def first(self, value, *, using: str = "default"):
        instances = self._execute(value, using, lambda cursor: [row] if (row := cursor.fetchone()) else [])
        return instances[0] if instances else None

    def all(self, value, *, using: str = "default") -> list:
        """Every row, in the queryset's order: what ``list(queryset)`` gives."""
        return self._execute(value, using, lambda cursor: cursor.fetchall())
