"""Fixtures shared by the case tests."""

import pytest


@pytest.fixture
def shipped_catalogue(db):
    """The discretion app's shipped catalogue (loaded by its migration; reloaded if a transactional test's flush
    emptied a reused test database)."""
    from types import SimpleNamespace

    from zhifa.discretion import loader
    from zhifa.discretion import models as dm

    names = ["ViolationItem", "BenchmarkEdition", "BenchmarkLevel", "ListEntry", "ReviewRule", "OverloadRuleVersion"]
    loader.load_shipped(SimpleNamespace(**{n: getattr(dm, n) for n in names}))


@pytest.fixture
def world(named_world):
    """Cases produce documents a party reads: the people acting carry Chinese names (the document lint refuses the
    shared world's English account names on a party's paper)."""
    return named_world
