"""Fixtures of the fault-injection tests: the rows that data migrations ship (a transactional test elsewhere may
have flushed them) and a seeded random generator per test."""

import random
from importlib import import_module

import pytest

from tests.faults.procs import Server

# (migration module, loader) of the shipped rows these tests need; every loader is idempotent (get_or_create).
SHIPPED = [
    ("zhifa.discretion.migrations.0003_shipped_data", "load"),
    ("zhifa.overload.migrations.0002_default_policies", "forwards"),
]


@pytest.fixture
def shipped_data(transactional_db):
    from django.apps import apps

    for module, name in SHIPPED:
        getattr(import_module(module), name)(apps, None)


@pytest.fixture
def rng(request):
    """Deterministic randomness: the seed is the test's name (override with ZHIFA_FAULT_SEED)."""
    import os

    seed = os.environ.get("ZHIFA_FAULT_SEED") or request.node.name
    print(f"fault seed: {seed}")
    return random.Random(seed)


@pytest.fixture(scope="module")
def module_server(tmp_path_factory, django_db_setup):
    """gunicorn (two worker processes) on the test database, one per module; WIM files under ``server.var``.
    Papers are rendered at the act's commit inside the request (``DOCUMENTS_RENDER_BACKGROUND=0``), so a kill
    can land mid-render: the embedded default's background thread would answer first and leave the render to a
    thread the kill also ends."""
    tmp_path = tmp_path_factory.mktemp("web")
    srv = Server(tmp_path, ZHIFA_VAR_DIR=str(tmp_path / "var"), DOCUMENTS_RENDER_BACKGROUND="0")
    srv.var = tmp_path / "var"
    srv.start()
    try:
        yield srv
    finally:
        srv.proc.stop()


@pytest.fixture
def server(module_server, transactional_db):
    """The module's gunicorn for one test (a start costs ~2.5 CPU-s). Its processes keep nothing of a test's
    rows between requests: no transaction outlives a request, the content types a process caches keep their
    ids across the flush that ends a transactional test (``zhifa.testing``: rows deleted, content types kept),
    and every test makes its own users, tokens and cases. Started once per module (pytest tears a module's
    fixtures down before another module's test runs, under xdist too). A test that restarts it leaves it
    running for the next."""
    module_server.errors.clear()
    if module_server.proc.proc.poll() is not None:  # a test ended between a kill and the start
        module_server.start()
    return module_server
