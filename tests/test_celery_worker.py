"""A real Celery worker on the local Redis broker runs jobs against the same database as the web process."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from zhifa.core import services
from zhifa.core.tasks import audit_verify_task

ROOT = Path(__file__).resolve().parent.parent
BROKER = os.environ.get("ZHIFA_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return ""


@pytest.fixture
def worker(tmp_path):
    queue = f"zhifa-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_BROKER_URL": BROKER, "CELERY_RESULT_BACKEND": BROKER, "CELERY_TASK_ALWAYS_EAGER": "0",
           "PYTHONPATH": str(ROOT / "src")}
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = _database_url()
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(connection.settings_dict["NAME"])
    log = tmp_path / "worker.log"
    proc = subprocess.Popen([sys.executable, "-m", "celery", "-A", "zhifa", "worker", "--pool=solo", "-Q", queue, "--loglevel=INFO"],
                            env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        yield queue, log
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.django_db(transaction=True)
def test_worker_verifies_the_chain_written_by_the_web_process(world, worker):
    queue, log = worker
    services.party_create(actor=world.users["officer"], organisation=world.brigade_a, kind="person", name="张三", id_number="11010519491231002X")
    try:
        # Generous: on a loaded 2-core CI machine the worker's start (importing every app) can take a while.
        # A client app of its own: the project's app in this test process may already hold an eager/in-memory
        # broker and backend from earlier tests.
        client = Celery("zhifa-test-client", broker=BROKER, backend=BROKER)
        result = client.send_task(audit_verify_task.name, queue=queue).get(timeout=300)
    except Exception:
        print(log.read_text(errors="replace")[-3000:])
        raise
    assert result["ok"] is True and result["checked"] >= 1
