"""Fault injection (issue 20): the process delivering from the outbox is SIGKILLed while its POST is at the receiver —
the receiver recorded the message, the answer never came back. After a restart the message is taken over when its
lease has run out and delivered again with the same idempotency key; the receiver answers "duplicate", so it holds
each message exactly once and the outbox shows every message acknowledged."""

import os
import signal
import sys
import time

import pytest
from django.db import transaction

from tests.faults.procs import Proc, database_env
from zhifa.integrations import outbox
from zhifa.integrations.models import Attempt, Message
from zhifa.integrations.simulator import Simulator

MESSAGES = 6


def drain_worker(tmp_path, sim_url: str, n: int) -> Proc:
    """``zhifa integrations drain`` in its own process group, on the test database, sending to the simulator.
    Without the system checks (1.4 of the command's 2.2 CPU-s; they load every URL and model and are tested on
    their own in tests/test_settings.py): what is under test is the delivery."""
    env = database_env(INTEGRATION_SIMULATOR_URL=sim_url, INTEGRATION_LEASE_SECONDS="1", INTEGRATION_TIMEOUT="20",
                       CELERY_TASK_ALWAYS_EAGER="1", ZHIFA_VAR_DIR=str(tmp_path / "var"))
    return Proc([sys.executable, "manage.py", "integrations", "--skip-checks", "drain"], env,
                tmp_path / f"drain-{n}.log")


@pytest.mark.django_db(transaction=True)
def test_worker_sigkilled_mid_delivery_then_restarted_delivers_each_message_once(world, settings, tmp_path):
    settings.INTEGRATION_ENDPOINTS = {}
    settings.INTEGRATION_SIMULATOR_URL = ""  # enqueue only: nothing is sent from the test process
    with transaction.atomic():
        for i in range(MESSAGES):
            outbox.outbox_enqueue(target="supervision", subject=("cases.case", str(9000 + i), f"案件{i}"), kind="case_decided",
                                  idempotency_key=f"kill:{i}", organisation=world.brigade_a,
                                  payload={"party": {"name": "某运输有限公司", "address": "南召县"}, "decision": {"number": f"决{i}"}})
    sim = Simulator(port=0, timeout_seconds=30).start()
    # The first message the worker posts is recorded by the receiver, whose answer then waits: the worker is killed.
    sim.script({"target": "supervision", "mode": "hold", "seconds": 30, "times": 1})
    worker = drain_worker(tmp_path, sim.url, 1).start()
    try:
        deadline = time.monotonic() + 15
        while not sim.accepted():
            assert time.monotonic() < deadline and worker.proc.poll() is None, worker.tail()
            time.sleep(0.02)
        os.kill(worker.proc.pid, signal.SIGKILL)  # mid-delivery: the POST is at the receiver, unanswered
        worker.proc.wait(timeout=10)
        held = sim.accepted()[0]["key"]
        m = Message.objects.get(idempotency_key=held)
        assert m.status == Message.Status.SENDING and m.attempts == 1 and not m.attempt_set.exists()
        assert Message.objects.filter(target="supervision", status=Message.Status.ACKNOWLEDGED).count() == 0

        time.sleep(1.2)  # the dead worker's lease (1 s) runs out
        restarted = drain_worker(tmp_path, sim.url, 2).start()
        assert restarted.proc.wait(timeout=60) == 0, restarted.tail()
    finally:
        worker.stop()
        sim.stop()
    # The receiver holds each message once; the held one was answered "duplicate" on the second try.
    keys = [r["key"] for r in sim.accepted()]
    assert sorted(keys) == sorted(f"kill:{i}" for i in range(MESSAGES)) and len(set(keys)) == MESSAGES
    assert set(Message.objects.filter(target="supervision").values_list("status", flat=True)) == {Message.Status.ACKNOWLEDGED}
    again = Message.objects.get(idempotency_key=held)
    assert again.attempts == 2 and [a.outcome for a in again.attempt_set.all()] == [Attempt.Outcome.DUPLICATE]
