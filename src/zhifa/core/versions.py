"""Reference data kept in each process's memory under version tokens the database changes.

Every officer page read the same small tables again on every request: the legal calendar (two tables),
the user's roles, the organisation tree of the user's jurisdiction, the procedure periods. They change
when an administrator edits them, a few times a year. Each kind of data has a key (:data:`KEYS`) and a row
in ``core.DataVersion`` whose token the database itself changes, in the same transaction, on every write
to the tables the data is read from (triggers made by :func:`track` in the owning app's migration): an ORM
save, a queryset update, a bulk write, a data migration and raw SQL all count. A process keeps the data
under the token it was read at (:class:`Memo`), so

- **the next request sees a change**: a request reads the tokens before it uses the data, and a change
  committed before that read has a new token; a role taken away, a holiday entered, a unit moved apply
  from the next request on;
- **a rolled-back change leaves nothing behind**: its token was random and is never seen again (a counter
  would come back to the same number);
- **a transaction sees its own change**: its own reads of the token see the trigger's update.

A read-only request (GET, HEAD, OPTIONS: :func:`snapshot`, bound by ``RequestContextMiddleware``) reads
all the tokens once, in one query, at its first use of any of them; everything else (a POST, a task, a
command, a test) reads the one token at each use, so a change it has just made is seen by its next read.
A key without its row (a test database emptied by a transactional test's flush) keeps nothing: the data
is read at each use.

The discretion engine's results are kept under the ``discretion`` key (migration discretion/0007; until then
under a token of its own, ``discretion.CatalogueVersion``, the pattern this module generalises).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import migrations

from .db import Compiled

# key → what it keeps (its tables are named in the migration that calls track()).
KEYS = {
    "calendar": "the legal calendar's overrides and year statuses (core.CalendarDay, core.CalendarYear)",
    "roles": "the role names of each user (auth groups and users' group memberships)",
    "organisations": "the organisation tree: the organisations of each jurisdiction",
    "procedure_periods": "the administrator's procedure periods (cases.ProcedurePeriod)",
    "discretion": "the discretion catalogue: items, editions and levels, list entries, overload rules",
}

# Inside snapshot(): a one-item list, the tokens once read ({key: token}), None before.
_snapshot: ContextVar[list | None] = ContextVar("zhifa_data_versions", default=None)


def _token_query(key: str):
    from .models import DataVersion

    return DataVersion.objects.filter(key=key).values_list("token")[:1]  # the key is the primary key


# Read outside a snapshot at every use on a write path (each case move's clocks, each paper's calendar, each
# freshly loaded user's roles …): the query compiled once per connection, not at every read
# (core.db.Compiled): 454 -> 46 µs a read on SQLite, 530 -> 183 µs on PostgreSQL (2026-12-06).
_TOKEN = Compiled(_token_query)


def _tokens_query(absent: str):
    from .models import DataVersion

    # A Compiled query takes one value: every key but one no row has (a key is never empty).
    return DataVersion.objects.exclude(key=absent).values_list("key", "token")


# Every tracked key's token, read once by each read-only request (snapshot()): compiled once per connection
# too, ~0.2 ms of CPU a page on SQLite (2026-12-06).
_TOKENS = Compiled(_tokens_query)


def token(key: str) -> str | None:
    """The current token of ``key`` (None when its row is missing): the request's snapshot inside
    :func:`snapshot`, else read now."""
    held = _snapshot.get()
    if held is None:
        row = _TOKEN.first(key)
        return row[0] if row else None
    if held[0] is None:
        held[0] = dict(_TOKENS.all(""))
    return held[0].get(key)


@contextmanager
def snapshot():
    """Within the block every token is read once, by one query at the first use. For work that changes
    none of the tracked tables (a read-only request): a change made inside the block would not be seen by
    the block's later reads."""
    reset = _snapshot.set([None])
    try:
        yield
    finally:
        _snapshot.reset(reset)


class Memo:
    """Values computed from the data of one key, kept in this process while the key's token stays the
    same: ``Memo("roles").get(user_id, compute)``. The values are shared by every request of the process:
    keep immutable ones (a frozenset, a tuple) or objects nobody changes."""

    def __init__(self, key: str, *, size: int = 10_000):
        if key not in KEYS:
            raise ValueError(f"unknown data key {key!r}")
        self.key, self.size = key, size
        # (token, values) replaced as one object: a thread never files a value under another's token.
        self._state: tuple[str | None, dict] = (None, {})

    def get(self, arg: Hashable, compute: Callable[[], Any]) -> Any:
        current = token(self.key)
        if current is None:
            return compute()
        state = self._state
        if state[0] != current:
            state = self._state = (current, {})
        values = state[1]
        try:
            return values[arg]
        except KeyError:
            pass
        # Computed after the token was read: the value is at least as new as the token it is filed under.
        value = compute()
        if len(values) >= self.size:
            values.clear()
        values[arg] = value
        return value


# --- Triggers (used by migrations) -------------------------------------------------------------------

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION zhifa_data_changed() RETURNS trigger AS $$
BEGIN
  UPDATE core_dataversion SET token = md5(random()::text || clock_timestamp()::text), changed_at = now()
   WHERE key = TG_ARGV[0];
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
_PG_TRIGGER = ("DROP TRIGGER IF EXISTS zhifa_{key}_changed ON {table}; "
               "CREATE TRIGGER zhifa_{key}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
               "FOR EACH STATEMENT EXECUTE FUNCTION zhifa_data_changed('{key}');")
_SQLITE_TRIGGER = ("CREATE TRIGGER IF NOT EXISTS zhifa_{table}_{key}_{op} AFTER {OP} ON {table} BEGIN "
                   "UPDATE core_dataversion SET token = lower(hex(randomblob(16))), "
                   "changed_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE key = '{key}'; END;")
_OPS = ("insert", "update", "delete")


def track(key: str, tables: tuple[str, ...]) -> migrations.RunPython:
    """A migration operation: ``key``'s row (a fresh token) and the triggers that give it a new token on
    every write to ``tables``. Written for PostgreSQL and SQLite, the two databases the project runs on."""
    if key not in KEYS:
        raise ValueError(f"unknown data key {key!r}")

    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        versions = apps.get_model("core", "DataVersion").objects
        versions.update_or_create(key=key, defaults={"token": uuid.uuid4().hex})
        if vendor == "postgresql":
            schema_editor.execute(_PG_FUNCTION)
            for table in tables:
                schema_editor.execute(_PG_TRIGGER.format(key=key, table=table))
        elif vendor == "sqlite":
            for table in tables:
                for op in _OPS:
                    schema_editor.execute(_SQLITE_TRIGGER.format(key=key, table=table, op=op, OP=op.upper()))
        else:
            raise NotImplementedError(f"version triggers exist for PostgreSQL and SQLite, not {vendor}")

    def backwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for table in tables:
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS zhifa_{key}_changed ON {table};")
            elif vendor == "sqlite":
                for op in _OPS:
                    schema_editor.execute(f"DROP TRIGGER IF EXISTS zhifa_{table}_{key}_{op};")
        apps.get_model("core", "DataVersion").objects.filter(key=key).delete()

    return migrations.RunPython(forwards, backwards)
