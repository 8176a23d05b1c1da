"""Fixtures shared by the inspection tests."""

import pytest


@pytest.fixture
def world(named_world):
    """Inspections issue 责令改正违法行为通知书: the officers carry Chinese names (the document lint refuses the shared
    world's English account names on a party's paper)."""
    return named_world
