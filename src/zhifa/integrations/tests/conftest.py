import socket

import pytest

from zhifa.integrations.simulator import Simulator
from zhifa.overload.tests.conftest import rules, station  # noqa: F401 (a weighing station: 四级联网 tests)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fast_outbox(settings):
    settings.INTEGRATION_TIMEOUT = 0.5
    settings.INTEGRATION_MAX_ATTEMPTS = 4
    settings.INTEGRATION_BACKOFF_BASE = 30
    settings.INTEGRATION_LEASE_SECONDS = 60
    settings.INTEGRATION_ENDPOINTS = {}
    # Papers are made after the commit, which these tests do not run: a supervision message does not wait for
    # them (test_supervision_documents.py sets the wait and makes the paper).
    settings.INTEGRATION_DOCUMENT_WAIT = 0
    return settings


@pytest.fixture
def simulator(fast_outbox):
    """The local simulator on a free loopback port; every target is sent to it."""
    sim = Simulator(port=0, timeout_seconds=1.5).start()
    fast_outbox.INTEGRATION_SIMULATOR_URL = sim.url
    yield sim
    sim.stop()
