"""Shared pytest fixtures: a small jurisdiction tree (city → county A, county B), a user per role, certified
officers, and API clients. Use them in every app's tests (see docs/testing.md)."""

import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.test import Client

from zhifa.core.auth import token_create
from zhifa.core.models import Organisation
from zhifa.core.roles import Role


@dataclass
class World:
    city: Organisation
    county_a: Organisation
    brigade_a: Organisation
    county_b: Organisation
    brigade_b: Organisation
    users: dict
    officers: dict

    def user(self, key):
        return self.users[key]


@pytest.fixture
def world(db):
    """Jurisdictions and people (``build_world``)."""
    return build_world()


def paired_with_sqlite() -> bool:
    """True in the PostgreSQL run of ``scripts/test.sh`` when the SQLite run of the same suite runs beside it
    (``ZHIFA_TEST_PAIRED=1``): what cannot differ by engine (docs/testing.md, "What runs once") is left to
    SQLite."""
    return os.environ.get("ZHIFA_TEST_PAIRED") == "1"


# The world's organisations, each after its parent: (attribute, parent, OrganisationFactory's arguments).
WORLD_ORGANISATIONS = (
    ("city", None, {"code": "C4113", "name": "南阳市交通运输局", "kind": Organisation.Kind.CITY,
                    "region_code": "411300", "doc_prefix": "宛交罚"}),
    ("county_a", "city", {"code": "C411321", "name": "南召县交通运输局", "kind": Organisation.Kind.COUNTY}),
    ("brigade_a", "county_a", {"code": "C411321DD", "name": "南召县交通运输综合行政执法大队",
                               "kind": Organisation.Kind.BRIGADE, "doc_prefix": "豫R召交罚"}),
    ("county_b", "city", {"code": "C411322", "name": "方城县交通运输局", "kind": Organisation.Kind.COUNTY,
                          "region_code": "411322"}),
    ("brigade_b", "county_b", {"code": "C411322DD", "name": "方城县交通运输综合行政执法大队",
                               "kind": Organisation.Kind.BRIGADE, "doc_prefix": "豫R方交罚",
                               "region_code": "411322"}),
)
# The world's people: key → (their organisation, roles, an officer too, legal qualification).
WORLD_PEOPLE = {
    "officer": ("brigade_a", [Role.OFFICER], True, False),
    "officer2": ("brigade_a", [Role.OFFICER], True, False),
    "officer3": ("brigade_a", [Role.OFFICER], True, False),
    "reviewer": ("county_a", [Role.REVIEWER, Role.OFFICER], True, True),
    "head": ("county_a", [Role.HEAD, Role.OFFICER], True, True),
    "supervisor": ("city", [Role.SUPERVISOR], False, True),
    "admin": ("city", [Role.ADMIN], False, False),
    "officer_b": ("brigade_b", [Role.OFFICER], True, False),
    "officer_b2": ("brigade_b", [Role.OFFICER], True, False),
    "expired": ("brigade_a", [Role.OFFICER], True, False),  # the certificate expired five days ago
}


def build_world() -> World:
    """Jurisdictions and people: ``officer``, ``officer2`` (county A brigade, certified), ``reviewer`` (county A,
    legal qualification), ``head`` (county A), ``supervisor`` and ``admin`` (city), ``officer_b``/``officer_b2``
    (county B brigade), ``expired`` (county A, certificate expired).

    The rows and objects are those of ``OrganisationFactory.build``, ``UserFactory.build`` and
    ``OfficerFactory.build`` with the arguments of ``WORLD_ORGANISATIONS`` and ``WORLD_PEOPLE``, each
    organisation saved (``Organisation.save`` sets its path), the people written in bulk, in the same order
    (the same ids). About a thousand tests a database build it: the factories run once per process
    (``_RowMaker``), each call copies their instances and computes what differs from call to call (sequence
    numbers, dates, ``date_joined``), and each ``INSERT`` is written once (``_insert``): 4.6 times less CPU on
    SQLite, 3 times on PostgreSQL (docs/testing.md, "The world fixture, cheaper")."""
    from datetime import date, timedelta

    from django.contrib.auth.models import Group

    from zhifa.core.models import User

    makers = _world_makers()
    orgs = {}
    for name, parent_name, _ in WORLD_ORGANISATIONS:
        node = makers[name].make()
        parent = orgs.get(parent_name)
        if parent is not None:
            node.parent_id = parent.pk
            node._state.fields_cache["parent"] = parent
        node.path = (parent.path if parent is not None else "/") + f"{node.code}/"  # as Organisation.save
        _insert_rows([(makers[name], node)])
        orgs[name] = node
    role_names = list(dict.fromkeys(str(role) for _, roles, _, _ in WORLD_PEOPLE.values() for role in roles))
    group_ids = _group_ids(Group, role_names)
    users, officers, user_rows, officer_rows = {}, {}, [], []
    for key, (org_name, _, is_officer, _) in WORLD_PEOPLE.items():
        org_ = orgs[org_name]
        users[key] = user = makers["user", key].make()
        user.organisation_id = org_.pk
        user._state.fields_cache["organisation"] = org_
        user_rows.append((makers["user", key], user))
        if is_officer:
            officers[key] = officer = makers["officer", key].make()
            officer.organisation_id = org_.pk
            officer._state.fields_cache.update(user=user, organisation=org_)
            user._state.fields_cache["officer"] = officer
            if key == "expired":
                officer.cert_expires_on = date.today() - timedelta(days=5)
            officer_rows.append((makers["officer", key], officer))
    _insert_rows(user_rows)
    _insert(User.groups.through, ("user_id", "group_id"), [(users[key].pk, group_ids[str(role)])
                                                            for key, (_, roles, _, _) in WORLD_PEOPLE.items()
                                                            for role in roles])
    for key, officer in officers.items():
        officer.user = users[key]  # its id now, as bulk_create sets it (the user stays cached)
    _insert_rows(officer_rows)
    return World(orgs["city"], orgs["county_a"], orgs["brigade_a"], orgs["county_b"], orgs["brigade_b"],
                 users, officers)


def _group_ids(group_model, names) -> dict:
    """The ids of the groups named ``names``, those missing made (all of them in a test database: the
    migrations make none)."""
    from django.db import connections, router

    connection = connections[router.db_for_read(group_model)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, id FROM {connection.ops.quote_name(group_model._meta.db_table)} "
                       f"WHERE name IN ({', '.join(['%s'] * len(names))})", names)
        ids = dict(cursor.fetchall())
    missing = [name for name in names if name not in ids]
    if missing:
        ids |= zip(missing, _insert(group_model, ("name",), [(name,) for name in missing]), strict=True)
    return ids


_world_row_makers: dict = {}


def _world_makers() -> dict:
    """The world's ``_RowMaker`` of each organisation (by attribute), user (``("user", key)``) and officer
    (``("officer", key)``), made once per process."""
    if not _world_row_makers:
        from zhifa.core.tests.factories import OfficerFactory, OrganisationFactory, UserFactory

        makers: dict = {}  # filled here and kept only whole: a maker that refuses leaves nothing half made
        for name, _, kwargs in WORLD_ORGANISATIONS:
            makers[name] = _RowMaker(OrganisationFactory, kwargs, set_by_caller=("parent", "path"))
        for key, (_, _, is_officer, legal) in WORLD_PEOPLE.items():
            makers["user", key] = _RowMaker(
                UserFactory, {"username": key, "full_name": key, "is_staff": key == "admin"},
                set_by_caller=("organisation",))
            if is_officer:  # the expired certificate's end is build_world's
                by_caller = ("user", "organisation") + (("cert_expires_on",) if key == "expired" else ())
                makers["officer", key] = _RowMaker(
                    OfficerFactory, {"name": key, "legal_qualification": legal}, set_by_caller=by_caller)
        _world_row_makers.update(makers)
    return _world_row_makers


class _RowMaker:
    """A model instance as ``factory_class.build(**kwargs)`` makes it, without factory_boy's machinery on
    every call (it was 40 % of the world's cost). The factory builds it once, its sequence left as it was;
    ``make()`` copies that instance's attributes and computes afresh what may differ from one call to the
    next, as the factory would: it takes the factory's next sequence number (as every build does) for the
    ``Sequence`` declarations, calls the ``LazyFunction`` declarations and the model's callable defaults
    (``date_joined``) again, and hashes a ``factory.django.Password`` once per process and hasher setting. A
    declaration of another kind (not overridden by ``kwargs``) is refused. ``set_by_caller``: the fields the
    caller sets on each instance (None for the build: no ``SubFactory`` runs). The instance is made without
    ``Model.__init__`` (12 % of the cost) unless the model has ``pre_init`` or ``post_init`` receivers.
    ``params`` gives an instance's row as ``bulk_create`` sends it."""

    def __init__(self, factory_class, kwargs: dict, set_by_caller=()):
        import factory
        from django.db import models
        from django.db.models import signals

        self.factory, self.model = factory_class, factory_class._meta.model
        meta = self.model._meta
        declarations = factory_class._meta.declarations
        self.sequences, self.lazy, self.password = {}, {}, None
        for name, declaration in declarations.items():
            if name in kwargs or name in set_by_caller or isinstance(declaration, factory.PostGeneration):
                continue  # a post-generation hook does nothing in build() (create=False)
            attname = meta.get_field(name).attname
            if isinstance(declaration, factory.Sequence):
                self.sequences[attname] = declaration.function
            elif isinstance(declaration, factory.LazyFunction):
                self.lazy[attname] = declaration.function
            elif isinstance(declaration, factory.django.Password):
                self.password = (attname, declaration)
            elif isinstance(declaration, factory.declarations.BaseDeclaration):
                raise TypeError(f"_RowMaker cannot compute {factory_class.__name__}.{name} ({declaration!r})")
        for field in meta.concrete_fields:
            if (field.name not in {*kwargs, *set_by_caller, *declarations} and field.has_default()
                    and callable(field.default)):
                self.lazy[field.attname] = field.get_default
        built = factory_class.build(**kwargs, **dict.fromkeys(set_by_caller), **{"__sequence": 0})
        self.values = {name: value for name, value in vars(built).items() if name != "_state"}
        self.with_init = signals.pre_init.has_listeners(self.model) or signals.post_init.has_listeners(
            self.model)
        self.fields = [field for field in meta.concrete_fields if not (field.primary_key or field.generated)]
        # the fields whose pre_save gives the attribute as it is (no auto_now …): prepared once a database
        self.plain = {field.attname for field in self.fields
                      if type(field).pre_save is models.Field.pre_save
                      or isinstance(field, models.DateField) and not (field.auto_now or field.auto_now_add)}
        self.prepared: dict = {}
        self.hashed: dict = {}

    def make(self):
        from django.conf import settings
        from django.db.models.base import ModelState

        values = self.values.copy()
        n = self.factory._meta.next_sequence()
        for attname, function in self.sequences.items():
            values[attname] = function(n)
        for attname, function in self.lazy.items():
            values[attname] = function()
        if self.password:
            attname, declaration = self.password
            hashers = tuple(settings.PASSWORD_HASHERS)
            if hashers not in self.hashed:
                self.hashed[hashers] = declaration.transform(declaration.default)
            values[attname] = self.hashed[hashers]
        if self.with_init:
            return self.model(**values)
        obj = self.model.__new__(self.model)
        obj.__dict__.update(values)
        obj._state = ModelState()
        return obj

    def params(self, obj, connection) -> list:
        """``obj``'s row as ``bulk_create`` sends it: each field's ``get_db_prep_save`` of its ``pre_save``
        (prepared once for an attribute still the built instance's)."""
        prepared = self.prepared.get(connection.alias)
        if prepared is None:
            prepared = self.prepared[connection.alias] = {
                field.attname: field.get_db_prep_save(self.values[field.attname], connection)
                for field in self.fields if field.attname in self.plain}
        row = []
        for field in self.fields:
            if field.attname in prepared and obj.__dict__[field.attname] is self.values[field.attname]:
                row.append(prepared[field.attname])
            else:
                row.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
        return row


def _insert_rows(rows) -> None:
    """``bulk_create`` of the world's rows: ``rows`` are ``(maker, instance)`` pairs (``_RowMaker``), of one
    model, without ids. The ids are set on the instances, each marked as saved."""
    from django.db import connections, router

    model = type(rows[0][1])
    alias = router.db_for_write(model)
    ids = _insert(model, [field.column for field in rows[0][0].fields],
                  [maker.params(obj, connections[alias]) for maker, obj in rows], using=alias)
    for (_, obj), pk in zip(rows, ids, strict=True):
        setattr(obj, model._meta.pk.attname, pk)
        obj._state.adding = False
        obj._state.db = alias


_insert_sql: dict = {}


def _insert(model, columns, rows, using=None) -> list:
    """One ``INSERT … RETURNING`` of ``rows`` (each the values of ``columns``, as the database takes them) in
    ``model``'s table, its statement made once per size; the new ids, in order."""
    from django.db import connections, router

    alias = using or router.db_for_write(model)
    connection = connections[alias]
    key = (alias, model, tuple(columns), len(rows))
    sql = _insert_sql.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        row = f"({', '.join(['%s'] * len(columns))})"
        table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
        sql = _insert_sql[key] = (f"INSERT INTO {table} ({', '.join(map(qn, columns))}) VALUES "
                                  f"{', '.join([row] * len(rows))} RETURNING {pk}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        return [pk for (pk,) in cursor.fetchall()]


# The names people sign documents with. The world's accounts are named by role key, which the document lint
# rightly refuses as English on a party's paper; tests that read documents use ``named_world``.
CHINESE_NAMES = {"officer": "王建国", "officer2": "李明", "officer3": "赵磊", "reviewer": "张法审", "head": "刘振华",
                 "supervisor": "陈立", "admin": "周敏", "officer_b": "孙方", "officer_b2": "吴城", "expired": "郑远"}


def name_people(world) -> None:
    """Give the fixture's users and officers their Chinese names (``CHINESE_NAMES``, as in the demo), for tests that
    read a page or a paper as its reader would — the one naming helper (``named_world`` is its fixture form)."""
    for key, user in world.users.items():
        user.full_name = CHINESE_NAMES[key]
        user.save(update_fields=["full_name"])
    for key, officer in world.officers.items():
        officer.name = CHINESE_NAMES[key]
        officer.save(update_fields=["name"])


@pytest.fixture
def named_world(world):
    """The same world, its users and officers carrying Chinese names (as in the demo)."""
    name_people(world)
    return world


@pytest.fixture
def client_for(world):
    """``client_for("officer")`` → a Django test client signed in as that user (``signed_in``)."""
    return lambda key: signed_in(world, key)


@pytest.fixture
def api_for(world):
    """``api_for("officer")`` → a client that sends a bearer token for that user on every request
    (``with_token``)."""
    return lambda key: with_token(world, key)


def signed_in(world, key: str) -> Client:
    """A Django test client signed in as ``world.users[key]`` (for module-scoped data, where the fixtures are
    not at hand)."""
    client = Client()
    client.force_login(world.users[key])
    return client


def with_token(world, key: str) -> Client:
    """A Django test client that sends a new bearer token of ``world.users[key]`` on every request."""
    token = token_create(user=world.users[key], name=f"test-{key}")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


SQLITE_TEST_BUSY_TIMEOUT = 120


# The test processes' collector thresholds (not the product's; zhifa/wsgi.py freezes what a web process
# loaded). A pytest worker holds a million long-lived objects (Django, the collected tests, schemathesis's
# schema, module-scoped worlds): at Python's default (700, 10, 10) a full collection came every ten
# young-generation sweeps of a few thousand objects and scanned all of them — in the case tests and the API
# fuzz (SQLite, 2026-12-06) 41.6 s of the worker's 148 CPU-s were spent collecting (36 full collections,
# 32 s). With 20,000 allocations between sweeps: 28.6 s (4 full collections), the same tests passing, the
# worker's peak memory 539 → 558 MB (docs/testing.md, "The collector in the test processes").
TEST_GC_THRESHOLDS = (20_000, 10, 10)


def pytest_configure(config):
    gc.set_threshold(*TEST_GC_THRESHOLDS)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test databases are thrown away: their commits need not wait for the disk. PostgreSQL sessions run with
    ``synchronous_commit=off`` (a per-session setting; the server's fsync is not ours), SQLite connections with
    ``synchronous=OFF``. A crash could lose a test database's last commits, nothing else. Child processes the fault
    tests start (gunicorn, Celery) connect with the ordinary settings.

    SQLite writers wait up to ``SQLITE_TEST_BUSY_TIMEOUT`` seconds for the write lock (20 s in the settings): on a
    machine at load 30 the first transition of a process imports modules while it holds the lock, and the
    concurrency test's second thread gave up after 20 s with "database is locked" (issue 19 item 7)."""
    from django.db import connections

    for alias in connections:
        db = connections[alias].settings_dict
        options = db.setdefault("OPTIONS", {})
        if db["ENGINE"] == "django.db.backends.postgresql":
            options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
        elif db["ENGINE"] == "django.db.backends.sqlite3":
            if "init_command" in options:
                options["init_command"] = options["init_command"].replace("synchronous=NORMAL", "synchronous=OFF")
            options["timeout"] = max(options.get("timeout", 5), SQLITE_TEST_BUSY_TIMEOUT)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the (per-process) cache: one test's requests must not count against the next."""
    from django.conf import settings
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):  # never flush a shared Redis
        cache.clear()


@pytest.fixture(autouse=True)
def _captured_sms(settings):
    """SMS go to an in-memory outbox in tests (e-mail goes to Django's locmem ``mail.outbox``)."""
    from zhifa.notifications.sms import Memory

    settings.ZHIFA_SMS_GATEWAY = "zhifa.notifications.sms.Memory"
    Memory.outbox.clear()
    yield Memory.outbox


@pytest.fixture(autouse=True)
def _documents_at_commit(settings):
    """Papers are made at the commit of the act, in the test's thread (eager Celery), not on the web process's
    background thread (documents.queue): tests read them right after the act."""
    settings.DOCUMENTS_RENDER_BACKGROUND = False


@pytest.fixture(autouse=True)
def _dashboard_uncached(settings):
    """The dashboard's cards are computed on every visit in tests (core.cards keeps them a minute otherwise): a test
    that changes a register between two visits reads the new figures."""
    settings.DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at full strength costs ~0.3 s a user; tests use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, tmp_path):
    """Each test signs and reads its own checkpoints of the record's head (never another test's or the demo's)."""
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "audit-checkpoints")


@contextmanager
def shared_data(django_db_blocker, directory):
    """Build data once for several tests that only read it (a module- or class-scoped fixture):

        @pytest.fixture(scope="module")
        def shared(django_db_setup, django_db_blocker, tmp_path_factory):
            with shared_data(django_db_blocker, tmp_path_factory.mktemp("shared")):
                yield build_world()

    The data is written in a transaction that stays open while the tests run (each test's ``db`` is a savepoint
    inside it) and is rolled back at the end. The function-scoped autouse fixtures above do not run for a wider
    fixture: the same test settings are applied here (``directory`` holds the audit checkpoints). Only for tests that
    read; a test that changes a shared object in memory changes it for the next one."""
    from django.db import transaction
    from django.test import override_settings

    from zhifa.core.db import set_event_triggers
    from zhifa.notifications.sms import Memory

    with django_db_blocker.unblock(), transaction.atomic(), override_settings(
        ZHIFA_SMS_GATEWAY="zhifa.notifications.sms.Memory", DOCUMENTS_RENDER_BACKGROUND=False, DASHBOARD_CACHE_SECONDS=0,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], AUDIT_CHECKPOINT_DIR=str(directory / "audit-checkpoints"),
    ):
        set_event_triggers(True)
        yield
        Memory.outbox.clear()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _append_only_events(request):
    """Keep the event table append-only during every test, but let a transactional test's final flush
    empty it (the flush is the only thing allowed to delete events)."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db"}:
        yield
        return
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))) or "transactional_db" in names
    request.getfixturevalue("transactional_db" if transactional else "db")
    from zhifa.core.db import set_event_triggers

    set_event_triggers(True)
    yield
    if transactional:
        set_event_triggers(False)


KEPT_BY_FLUSH = ("django_content_type", "auth_permission")


def delete_every_row(connection, *, keep=()) -> None:
    """Empty every table of the test database but ``keep``, with ``DELETE`` in one transaction (one round trip
    on PostgreSQL). The foreign keys are deferred (Django creates them so), so the order does not matter."""
    from django.db import transaction

    tables = [name for name in connection.introspection.django_table_names(only_existing=True,
                                                                           include_views=False)
              if name not in keep]
    statements = [f"DELETE FROM {connection.ops.quote_name(name)}" for name in tables]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(";\n".join(statements))
        else:
            for statement in statements:
                cursor.execute(statement)


# Data migrations whose rows some test packages need and load again before each test (a transactional test's
# closing flush deletes them): the loader of each and the models it fills.
DEFAULT_ROW_LOADERS = {
    "zhifa.portal.migrations.0002_rules": ("load", ("portal.PublicationRule", "portal.DeidentRule")),
    "zhifa.portal.migrations.0004_severity_rules": ("load", ("portal.SeverityRule",)),
    "zhifa.permits.migrations.0002_permit_items": ("load", ("permits.PermitItem",)),
    "zhifa.credit.migrations.0002_default_rules": (
        "forwards",
        ("credit.CreditRuleSet", "credit.GradePolicy", "credit.RepairRegime", "credit.RepairPeriod")),
    "zhifa.complaints.migrations.0002_default_deadline_rules": ("forwards", ("complaints.DeadlineRule",)),
}


def restore_default_rows(*modules: str) -> None:
    """Run the loaders of the data migrations ``modules`` (keys of ``DEFAULT_ROW_LOADERS``) whose tables are
    empty.

    A test database holds these rows from its migrations until a transactional test's closing flush deletes
    every row (``_flush_by_delete``); a rolled-back test leaves them as it found them. So each table holds
    either the migration's rows or none, and one query tells which: the loaders (idempotent
    ``update_or_create`` / ``get_or_create``, ~30 ms of CPU for the portal's four on SQLite) run only after a
    flush. Run before each test of the portal, reports and permits packages, they took 39 s of a py-spy
    profile of src/zhifa on SQLite (833 s, 2026-12-06) when they ran every time."""
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    tables = {module: [apps.get_model(label)._meta.db_table for label in DEFAULT_ROW_LOADERS[module][1]]
              for module in modules}
    probes = [f"EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})"
              for module in modules for table in tables[module]]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(probes))
        present = iter(cursor.fetchone())
    for module in modules:
        if not all([bool(next(present)) for _table in tables[module]]):
            getattr(import_module(module), DEFAULT_ROW_LOADERS[module][0])(apps, None)


# The kept tables' mark (``_kept_rows_mark``) after the flush's last ``post_migrate``, per database alias.
_KEPT_MARKS: dict[str, tuple] = {}
# The databases (aliases) a transactional test's closing flush emptied since their migrated rows were last
# there: the next rolled-back test restores them first (``_migrated_rows_back``, only in the order
# ``ZHIFA_TEST_TRANSACTIONAL_FIRST`` gives).
_EMPTIED: set[str] = set()
# A sum over the names of each kept table's rows: a row renamed in place (another length, another model).
_KEPT_NAMES = {"django_content_type": "LENGTH(app_label) + LENGTH(model)",
               "auth_permission": "LENGTH(codename) + content_type_id"}


def _kept_rows_mark(connection) -> tuple:
    """The row count, the largest id and a sum over the names of each table ``_flush_by_delete`` keeps: a
    row removed lowers the count, a row added raises the largest id, a row renamed (to a name of another
    length, or a permission moved to another model) changes the sum. Equal to the mark taken after the last
    ``post_migrate``, the content types and permissions are taken to be those it left."""
    parts = ", ".join(f"(SELECT COUNT(*) FROM {name}), (SELECT MAX(id) FROM {name}),"
                      f" (SELECT SUM({_KEPT_NAMES[name]}) FROM {name})" for name in KEPT_BY_FLUSH)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        return tuple(cursor.fetchone())


def _flush_by_delete(self):
    """``TransactionTestCase``'s closing flush, cheaper and with the same outcome (patched in by
    ``_test_database_upkeep``).

    Django's flush runs ``TRUNCATE`` over all 176 tables on PostgreSQL (a new file for every table and index:
    0.55 s at idle, 3–6 s at load 6, measured 2026-12-06) and, unless the test restores a serialized copy,
    empties the content types and permissions only for ``post_migrate`` to write the same rows again (0.1
    CPU-s). Here the rows go with ``DELETE`` (20 ms), the content types and permissions stay, and
    ``post_migrate`` runs when a test changed the content types or permissions (``_kept_rows_mark``): it adds
    whatever a test removed. Left unchanged, it is a no-op that still read every model's content type and
    permissions — 28 of the 34 s the flushes took in a py-spy profile of src/zhifa on SQLite (2026-12-06), so
    it is skipped then. After a ``serialized_rollback`` test the database is left entirely empty, as Django
    leaves it. The sequences are not reset, as with Django's flush."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connections

    if self.available_apps is not None:  # Django's flush of a subset of the apps (no test here uses it)
        return _django_originals["teardown"](self)
    for alias in self._databases_names(include_mirrors=False):
        connection = connections[alias]
        restores = self.serialized_rollback and hasattr(connection, "_test_serialized_contents")
        delete_every_row(connection, keep=() if restores else KEPT_BY_FLUSH)
        if not restores:
            mark = _kept_rows_mark(connection)
            if _KEPT_MARKS.get(alias) != mark:
                emit_post_migrate_signal(0, False, alias)
                _KEPT_MARKS[alias] = _kept_rows_mark(connection)
        _EMPTIED.add(alias)
    # The content types may be gone (after a restoring test) or made again with other ids; the process keeps
    # them by model (``get_for_model``), and a later test then wrote a document with a content type id no
    # longer in the table (a foreign-key violation on PostgreSQL, tests/faults/test_retries.py, 2026-12-06).
    ContentType.objects.clear_cache()


def reset_sequences(connection) -> None:
    """Set every table's id sequence past its largest id (PostgreSQL; SQLite's autoincrement follows the rows
    by itself). Needed after rows were written with their ids (a serialized copy restored): the sequence does
    not move then, and the next row made the ordinary way took an id already in use — e.g. a permit item's id
    1 after a backup test's ``loaddata`` had set the sequence low (the portal browser tests failed so on
    PostgreSQL)."""
    from django.apps import apps
    from django.core.management.color import no_style

    if connection.vendor != "postgresql":
        return
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
    if statements:
        with connection.cursor() as cursor:
            cursor.execute(";\n".join(statements))


_django_originals = {}


def _deserialize_then_reset_sequences(self, data):
    restore_then_reset_sequences(self.connection, data)


def restore_then_reset_sequences(connection, data: str) -> None:
    """A serialized copy restored (``restore_serialized``) and the sequences set past its rows."""
    restore_serialized(connection, data)
    reset_sequences(connection)


def restore_serialized(connection, data: str) -> None:
    """``deserialize_db_from_string`` (the copy a ``serialized_rollback`` test restores) with one ``INSERT``
    per model and batch instead of a raw ``save()`` per row (an ``UPDATE`` tried, then the ``INSERT``): ~1,300
    rows, the data migrations' and the content types and permissions, restored before every browser test (0.26
    → 0.13 CPU-s on SQLite, 0.97 → 0.11 on PostgreSQL, 2026-12-06). The rows are written as the raw save
    writes them (the field values as serialized, no ``pre_save``; the raw save's signals are ignored by every
    receiver here). A row already in the table (the first restoring test after the non-transactional ones) and
    a row with many-to-many data still go through the raw save, as do models ordered with respect to another;
    the foreign keys are checked at the end, as Django does."""
    from io import StringIO

    from django.core import serializers
    from django.core.serializers.base import DeserializedObject
    from django.db import transaction

    alias = connection.alias
    by_model: dict = {}
    saved_one_by_one = []
    with transaction.atomic(using=alias), connection.constraint_checks_disabled():
        for obj in serializers.deserialize("json", StringIO(data), using=alias):
            meta = obj.object._meta
            if obj.m2m_data or obj.deferred_fields or meta.order_with_respect_to:
                saved_one_by_one.append(obj)
            else:
                by_model.setdefault(type(obj.object), []).append(obj.object)
        for model, objs in by_model.items():
            rows = model._base_manager.using(alias).filter(pk__in=[o.pk for o in objs])
            present = set(rows.values_list("pk", flat=True))
            saved_one_by_one += [DeserializedObject(o) for o in objs if o.pk in present]
            new = [o for o in objs if o.pk not in present]
            if not new:
                continue
            fields = [f for f in model._meta.local_concrete_fields if not f.generated]
            size = connection.ops.bulk_batch_size(fields, new) or len(new)
            for start in range(0, len(new), size):
                # the raw save's own insert (Model._do_insert), for a batch of rows
                model._base_manager._insert(new[start:start + size], fields=fields, using=alias, raw=True)
        for obj in saved_one_by_one:
            obj.save()
        connection.check_constraints(table_names={model._meta.db_table for model in by_model}
                                     | {obj.object._meta.db_table for obj in saved_one_by_one})


def _static_files_key(settings) -> str:
    """What WhiteNoise's list of the finders' files depends on: its own settings and the static files'."""
    names = sorted(name for name in dir(settings) if name.startswith("WHITENOISE_"))
    names += ["STATIC_URL", "STATIC_ROOT", "STORAGES", "FORCE_SCRIPT_NAME", "DEBUG", "STATICFILES_DIRS",
              "STATICFILES_FINDERS", "INSTALLED_APPS"]
    return repr([(name, getattr(settings, name, None)) for name in names])


@pytest.fixture(autouse=True, scope="session")
def _static_files_listed_once():
    """WhiteNoise lists the static files of every finder, with a ``stat`` and its headers for each, whenever
    its middleware is made (``WHITENOISE_USE_FINDERS``, on outside production) — that is for every test
    client, whose handler loads the middleware anew: 18 s of a py-spy profile of src/zhifa on SQLite (833 s,
    2026-12-06). The files do not change while the tests run: the list is made once per process and settings,
    and each later middleware gets its entries."""
    from django.conf import settings
    from whitenoise.middleware import WhiteNoiseMiddleware

    original, listed = WhiteNoiseMiddleware.add_files_from_finders, {}

    def add_files_from_finders(self):
        key = _static_files_key(settings)
        if key not in listed:
            before = dict(self.files)
            original(self)
            listed[key] = {url: entry for url, entry in self.files.items() if before.get(url) is not entry}
        self.files.update(listed[key])

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders
    yield
    WhiteNoiseMiddleware.add_files_from_finders = original


@pytest.fixture(autouse=True, scope="session")
def _test_database_upkeep():
    """Two changes to Django's handling of the test database, for the whole session:
    - every transactional test (live server, workers, fault and concurrency tests) ends with
      ``_flush_by_delete``;
    - restoring a serialized copy (``serialized_rollback``, the e2e tests' migration rows) resets the
      sequences."""
    from django.db.backends.base.creation import BaseDatabaseCreation
    from django.test import TransactionTestCase

    _django_originals["teardown"] = TransactionTestCase._fixture_teardown
    _django_originals["deserialize"] = BaseDatabaseCreation.deserialize_db_from_string
    TransactionTestCase._fixture_teardown = _flush_by_delete
    BaseDatabaseCreation.deserialize_db_from_string = _deserialize_then_reset_sequences
    yield
    TransactionTestCase._fixture_teardown = _django_originals["teardown"]
    BaseDatabaseCreation.deserialize_db_from_string = _django_originals["deserialize"]


def _migrated_rows_back(item) -> None:
    """Before a rolled-back test that follows a transactional one (the order
    ``ZHIFA_TEST_TRANSACTIONAL_FIRST`` gives), put the database back as the migrations left it: every row
    deleted, then the worker's serialized copy of the migrated database restored (the rows of the data
    migrations — the shipped catalogue, rules, screening policies, data versions — and the content types
    and permissions with their ids), the sequences set past them and the process's content-type cache
    emptied. Once per switch from the transactional tests to the rolled-back ones (one restore, as before
    each browser test); never in pytest-django's own order, where no rolled-back test follows a flush."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for alias in sorted(_EMPTIED):
            connection = connections[alias]
            data = getattr(connection, "_test_serialized_contents", None)
            if data is None:
                raise RuntimeError(
                    f"database {alias!r} was emptied by a transactional test and has no serialized copy "
                    "of its migrated rows to restore before the rolled-back test that follows it (a "
                    "rolled-back test after a transactional one needs ZHIFA_TEST_TRANSACTIONAL_FIRST=1 "
                    "or pytest-django's order)")
            delete_every_row(connection)
            restore_then_reset_sequences(connection, data)
            _KEPT_MARKS.pop(alias, None)
            _EMPTIED.discard(alias)
        ContentType.objects.clear_cache()
        # The last transactional test's teardown switched the event table's triggers off (for its flush):
        # back on, as the migrations left them.
        from zhifa.core.db import set_event_triggers

        set_event_triggers(True)


@pytest.fixture(autouse=True, scope="session")
def _serialized_for_transactional_first(request, django_db_blocker):
    """With ``ZHIFA_TEST_TRANSACTIONAL_FIRST``: a serialized copy of the migrated database for
    ``_migrated_rows_back``, taken before the first test when the session has none (pytest-django takes one
    only when a collected test asks for ``serialized_rollback``, as the browser tests do)."""
    if not transactional_first():
        return
    request.getfixturevalue("django_db_setup")
    from django.db import connections

    with django_db_blocker.unblock():
        for alias in connections:
            connection = connections[alias]
            if getattr(connection, "_test_serialized_contents", None) is None:
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Restore the migrated rows before a rolled-back test that follows a flush (``_migrated_rows_back``).

    Before a ``serialized_rollback`` test restores the database's serialized copy, drop the content types that
    ``post_migrate`` recreated after an earlier transactional test's flush (a restore test leaves them in another
    order, with other ids): the copy brings them back with the ids it was taken with. Without this, the restore
    fails on the unique (app_label, model) and the test errors at setup, depending on which tests ran before it."""
    if _EMPTIED and django_phase(item) == 0:
        _migrated_rows_back(item)
    marker = item.get_closest_marker("django_db")
    if not marker or not marker.kwargs.get("serialized_rollback"):
        return
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    from zhifa.documents.models import Document

    if getattr(connection, "_test_serialized_contents", None) is None:
        return  # the test database is not set up yet (first test of the run): nothing was flushed before it
    with item.config.stash[blocking_manager_key].unblock():
        if not Document.objects.exists():  # the only rows that point at a content type (PROTECT)
            ContentType.objects.all().delete()
        ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def django_db_createdb(request, django_db_modify_db_settings, django_db_use_migrations, django_db_blocker):
    """``--create-db`` under xdist: the test database is migrated once per run, not once per worker.

    Migrating an empty database costs ~27 s of CPU (Django re-rendering the migration states, the same on SQLite and
    PostgreSQL), and every xdist worker used to pay it for its own database. Now the first worker to get the lock
    migrates a template database (``<test name>_tpl``, with every data migration, exactly as before) and copies it
    for each worker (SQLite: the file; PostgreSQL: ``CREATE DATABASE … TEMPLATE``); each worker then opens its copy
    like a kept database (``migrate`` finds nothing to apply, the serialized rollback copy is taken from it as
    before). Without xdist, or without ``--create-db``, nothing changes."""
    create = request.config.getvalue("create_db")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")
    if not (create and worker and count > 1 and run and django_db_use_migrations):
        return create
    from django.db import connections

    with django_db_blocker.unblock():
        for alias in connections:
            _copy_migrated_template(connections[alias], worker, count, run)
    return False  # the copy counts as a kept database: setup_databases(keepdb=True) opens it


def _copy_migrated_template(connection, worker: str, count: int, run: str) -> None:
    import fcntl
    import shutil
    from pathlib import Path

    from django.conf import settings

    test = connection.settings_dict.setdefault("TEST", {})
    name = test.get("NAME") or ""
    suffix = f"_{worker}"
    if not name.endswith(suffix) or name == ":memory:":
        return
    base = name[: -len(suffix)]
    template = f"{base}_tpl"
    sqlite = connection.vendor == "sqlite"
    marker_dir = Path(settings.VAR_DIR)
    marker_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(base).name
    marker = marker_dir / f"{stem}.template-run"
    with open(marker_dir / f"{stem}.template-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other workers wait here while the first one migrates
        if marker.exists() and marker.read_text() == run:
            return  # built and copied in this run by another worker
        original_name = connection.settings_dict["NAME"]
        test["NAME"] = template
        try:
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
            if sqlite:  # the copy is of the file alone: everything written must be in it
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            test["NAME"] = name
            connection.close()
            connection.settings_dict["NAME"] = original_name
            settings.DATABASES[connection.alias]["NAME"] = original_name
        for n in range(count):
            target = f"{base}_gw{n}"
            if sqlite:
                for extra in ("", "-wal", "-shm"):
                    Path(target + extra).unlink(missing_ok=True)
                shutil.copyfile(template, target)
            else:
                with connection._nodb_cursor() as cursor:
                    qn = connection.ops.quote_name
                    cursor.execute(f"DROP DATABASE IF EXISTS {qn(target)}")
                    cursor.execute(f"CREATE DATABASE {qn(target)} WITH TEMPLATE {qn(template)}")
        marker.write_text(run)


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server", "world"}


# The longest tests, scheduled first (docs/testing.md, "Longest first"). pytest-xdist hands out tests in
# collection order; a test of minutes collected near the end starts late and its worker finishes alone while
# the other waits. With these first and small batches (scripts/test.sh: --maxschedchunk), the long ones spread
# over the workers from the start and the many short tests fill in behind them. Node-id prefixes, longest
# first, from the per-test CPU recorder (2026-12-06); tests/test_scheduling.py checks that each still names a
# test file or directory. Only within pytest-django's phases (django_phase): a transactional test's flush must
# not come before a rolled-back test, unless the migrated rows are restored after it (transactional_first).
LONGEST_FIRST = (
    "src/zhifa/reports/tests/test_consistency_demo.py",
    "tests/faults/test_worker_kill.py",
    "tests/faults/test_web_kill.py",
    "tests/test_crawl.py",
    "tests/e2e/",
    "tests/faults/",
    "tests/test_celery_worker.py",
    "tests/test_query_counts.py",
)


def django_phase(item) -> int:
    """pytest-django's (and Django's) order of tests: 0 those in a transaction rolled back, 1 transactional
    ones, 2 those without a database. A transactional test's closing flush empties the database
    (``_flush_by_delete``): the rows the migrations made (the shipped catalogue, the data versions …) are gone
    for every later test of the worker, so no test of phase 0 may run after one of phase 1 — the same rule as
    ``pytest_django.plugin``'s — unless they are restored first (``ZHIFA_TEST_TRANSACTIONAL_FIRST``,
    ``_migrated_rows_back``)."""
    from django.test import TestCase, TransactionTestCase
    from pytest_django.fixtures import validate_django_db

    cls = getattr(item, "cls", None)
    if cls and issubclass(cls, TransactionTestCase):  # Django's test classes (TestCase is one of them)
        return 0 if issubclass(cls, TestCase) else 1
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    transactional = bool(marker and any(validate_django_db(marker)[:2]))  # transaction, reset_sequences
    transactional = transactional or "transactional_db" in fixtures or "live_server" in fixtures
    if transactional:
        return 1
    return 0 if marker or "db" in fixtures else 2


def longest_first_rank(nodeid: str) -> int:
    """The place of ``nodeid`` in ``LONGEST_FIRST`` (``len(LONGEST_FIRST)`` when it is not listed)."""
    ranks = (rank for rank, prefix in enumerate(LONGEST_FIRST) if nodeid.startswith(prefix))
    return next(ranks, len(LONGEST_FIRST))


def pytest_collection_modifyitems(config, items):
    """A test marked ``engine_independent`` runs on SQLite only (scripts/test.sh deselects it on PostgreSQL): the
    marker is refused on a test that opens the test database, whose outcome could depend on the engine. Then
    the longest tests go first (``LONGEST_FIRST``) within each phase of pytest-django's order
    (``django_phase``)."""
    wrong = [item.nodeid for item in items if item.get_closest_marker("engine_independent")
             and (item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))]
    if wrong:
        raise pytest.UsageError("engine_independent on tests that use the test database: " + ", ".join(wrong))
    # Within each of pytest-django's phases (django_phase): a stable sort, the rest keep their order.
    order = PHASE_ORDER_TRANSACTIONAL_FIRST if transactional_first() else (0, 1, 2)
    items.sort(key=lambda item: (order[django_phase(item)], longest_first_rank(item.nodeid)))


# Where each of django_phase's phases goes when the transactional tests come first: 1, then 0, then 2.
PHASE_ORDER_TRANSACTIONAL_FIRST = (1, 0, 2)


def transactional_first() -> bool:
    """``ZHIFA_TEST_TRANSACTIONAL_FIRST=1``: the transactional tests (phase 1 of ``django_phase``: live
    server, browser, worker, fault and concurrency tests) run before the rolled-back ones, and the first
    rolled-back test after them restores the migrated rows (``_migrated_rows_back``). ``scripts/test.sh``
    sets it for the PostgreSQL run beside the SQLite one: the transactional tests spend much of their time
    waiting for their subprocesses (chromium, gunicorn, Celery), and in the same order both runs waited at
    the same time, at the end (docs/testing.md, "Transactional tests first on one engine")."""
    return os.environ.get("ZHIFA_TEST_TRANSACTIONAL_FIRST", "") == "1"
