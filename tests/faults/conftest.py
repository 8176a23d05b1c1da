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


@pytest.fixture
def server(tmp_path, transactional_db):
    """gunicorn (two worker processes) on the test database; WIM files under ``server.var``. Papers are rendered at
    the act's commit inside the request (``DOCUMENTS_RENDER_BACKGROUND=0``), so a kill can land mid-render: the
    embedded default's background thread would answer first and leave the render to a thread the kill also ends.
    One server per test, not per module: a server shared by the module's tests answered 500 to the second test's
    first request on PostgreSQL (not investigated: something a process keeps from an earlier test's rows)."""
    srv = Server(tmp_path, ZHIFA_VAR_DIR=str(tmp_path / "var"), DOCUMENTS_RENDER_BACKGROUND="0")
    srv.var = tmp_path / "var"
    srv.start()
    try:
        yield srv
    finally:
        srv.proc.stop()
