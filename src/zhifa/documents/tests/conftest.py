"""Documents are read by parties: in these tests the people who sign them carry Chinese names (``named_world``)."""

import pytest


@pytest.fixture
def world(named_world):
    return named_world
