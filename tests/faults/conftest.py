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
def web(tmp_path_factory, django_db_setup):
    """gunicorn (two worker processes) on the test database; WIM files under ``web.var``. Papers are rendered at the
    act's commit inside the request (``DOCUMENTS_RENDER_BACKGROUND=0``), so a kill can land mid-render: the embedded
    default's background thread would answer first and leave the render to a thread the kill also ends. One server
    per module (a start loads the apps in both workers: seconds of CPU); the tests that kill it start it again."""
    tmp_path = tmp_path_factory.mktemp("web")
    srv = Server(tmp_path, ZHIFA_VAR_DIR=str(tmp_path / "var"), DOCUMENTS_RENDER_BACKGROUND="0")
    srv.var = tmp_path / "var"
    srv.start()
    try:
        yield srv
    finally:
        srv.proc.stop()


@pytest.fixture
def server(web, transactional_db):
    """The module's web server for one test: running (a test may have left it killed), its error counts cleared."""
    if web.proc.proc.poll() is not None:
        web.start()
    web.errors.clear()
    return web
