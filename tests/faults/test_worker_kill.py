"""Fault injection: the Celery worker is killed (SIGKILL, the whole process group) in the middle of an overload
ingest of a larger file, then started again and the ingest runs again — sent again on Redis, redelivered by the
broker on RabbitMQ (tasks are acknowledged late). The records, violations with their passes and the cases are
exactly those of one clean run, and the audit chain verifies."""

import time

import pytest
from celery import Celery
from django.db import transaction

from tests.faults import wim_data
from tests.faults.procs import celery_worker, port_open
from zhifa.core import audit
from zhifa.overload.models import IngestBatch, WimPart
from zhifa.overload.tests.test_tasks import state, write_jsonl

REDIS = "redis://127.0.0.1:6379/15"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"
ROWS, CHUNK = 20_000, 500


@pytest.mark.skipif(not port_open("127.0.0.1", 6379), reason="no Redis on 127.0.0.1:6379 (broker or result backend)")
@pytest.mark.parametrize("broker", [
    pytest.param(REDIS, id="redis"),
    pytest.param(RABBITMQ, id="rabbitmq", marks=[
        pytest.mark.engine_once, pytest.mark.skipif(not port_open("127.0.0.1", 5672), reason="no RabbitMQ")]),
])
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_ingest_then_rerun_gives_one_clean_run(world, settings, tmp_path, rng, broker):
    wim_data.stations(world)
    path = write_jsonl(tmp_path / "large.jsonl", wim_data.large_sample(ROWS, rng))
    # One clean run, measured in-process and rolled back (own WIM directory).
    settings.VAR_DIR = tmp_path / "clean"
    with transaction.atomic():
        from zhifa.overload import tasks

        clean = tasks.ingest_file(str(path), chunk_rows=CHUNK)
        expected = state(settings)
        transaction.set_rollback(True)
    assert expected["cases"] > 0 and clean["reconciles"] and clean["read"] == ROWS

    var = tmp_path / "var"
    settings.VAR_DIR = var
    worker, queue = celery_worker(tmp_path, broker, concurrency=1, backend=REDIS, ZHIFA_VAR_DIR=str(var))
    client = Celery("zhifa-fault-client", broker=broker, backend=REDIS, set_as_current=False)
    worker.start()
    try:
        result = client.send_task("overload.ingest_file", args=[str(path)], kwargs={"chunk_rows": CHUNK}, queue=queue)
        deadline = time.monotonic() + 300
        while WimPart.objects.count() < 6:  # a few chunks committed: the ingest is under way
            assert time.monotonic() < deadline and not result.ready(), worker.tail()
            time.sleep(0.02)
        worker.kill()
        partial = state(settings)
        assert 0 < len(partial["records"]) < ROWS, "the kill did not land mid-ingest"
        assert IngestBatch.objects.filter(status=IngestBatch.Status.RUNNING).count() == 1  # the dead run's batch

        worker.start()
        if broker == REDIS:
            # Redis gives an unacknowledged message back only after its visibility timeout: the operator (or the
            # sender's retry) sends the same job again.
            result = client.send_task("overload.ingest_file", args=[str(path)], kwargs={"chunk_rows": CHUNK}, queue=queue)
        # On RabbitMQ the message is redelivered to the restarted worker (acks_late), under the same task id.
        summary = result.get(timeout=600)
    except Exception:
        print(worker.tail())
        raise
    finally:
        worker.stop()
    print(f"killed after {len(partial['records'])} of {ROWS} records; rerun: {summary}")

    assert summary["reconciles"] and summary["duplicates"] == len(partial["records"])
    assert summary["accepted"] == ROWS - len(partial["records"])
    assert state(settings) == expected  # records, violations with their passes, cases: as from one clean run
    assert audit.verify().ok
    # The dead run's batch stays "running" with what it had committed: the record of an interrupted import.
    assert IngestBatch.objects.filter(status=IngestBatch.Status.DONE).count() == 1
