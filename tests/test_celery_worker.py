"""A real Celery worker, on the local Redis or RabbitMQ broker, runs jobs against the same database as the web
process: the audit-chain check, an overload ingest (whole file and partitioned across worker processes) and the
portal's publication run. Results come back through Redis; a broker that is down skips its tests."""

import os
import shutil
from datetime import date

import pytest
from celery import Celery, chord

from tests.faults import wim_data
from tests.faults.procs import celery_worker, port_open
from zhifa.core import services
from zhifa.core.tasks import audit_verify_task

REDIS = os.environ.get("ZHIFA_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
RABBITMQ = os.environ.get("ZHIFA_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
BROKERS = [
    pytest.param(REDIS, id="redis", marks=pytest.mark.skipif(not port_open("127.0.0.1", 6379), reason="no Redis on 127.0.0.1:6379")),
    pytest.param(RABBITMQ, id="rabbitmq", marks=[pytest.mark.engine_once, pytest.mark.skipif(
        not (port_open("127.0.0.1", 5672) and port_open("127.0.0.1", 6379)),
        reason="no RabbitMQ on 127.0.0.1:5672 (or no Redis for results)")]),
]
# Generous: on a loaded 2-core CI machine the worker's start (importing every app) can take a while.
TIMEOUT = 300


@pytest.fixture(scope="module", params=BROKERS)
def worker(request, tmp_path_factory, django_db_setup):
    """Two worker processes (prefork) on a queue of their own; WIM files under a directory of their own. One worker
    per broker serves every test of the module (a start imports every app: seconds of CPU); each test's data is
    its own (transactional tests: the tables are emptied after each), the worker keeps nothing between tasks."""
    tmp_path = tmp_path_factory.mktemp("worker")
    var = tmp_path / "var"
    proc, queue = celery_worker(tmp_path, request.param, concurrency=2, backend=REDIS, ZHIFA_VAR_DIR=str(var))
    proc.start()
    # A client app of its own: the project's app in this test process may already hold an eager/in-memory broker
    # and backend from earlier tests. Not made current: the project's tasks sent by later tests in this process
    # (shared tasks follow the current app) would go to this broker, where no worker takes them.
    client = Celery("zhifa-test-client", broker=request.param, backend=REDIS, set_as_current=False)
    try:
        yield client, queue, var, proc
    except Exception:
        print(proc.tail())
        raise
    finally:
        proc.stop()


def run(worker, name, *args, **kwargs):
    client, queue, _, proc = worker
    try:
        return client.send_task(name, args=args, kwargs=kwargs, queue=queue).get(timeout=TIMEOUT)
    except Exception:
        print(proc.tail())
        raise


@pytest.mark.django_db(transaction=True)
def test_worker_verifies_the_chain_written_by_the_web_process(world, worker):
    services.party_create(actor=world.users["officer"], organisation=world.brigade_a, kind="person", name="张三", id_number="11010519491231002X")
    result = run(worker, audit_verify_task.name)
    assert result["ok"] is True and result["checked"] >= 1


@pytest.mark.django_db(transaction=True)
def test_worker_ingests_a_wim_file_whole_and_partitioned_exactly_once(world, worker, settings, tmp_path):
    from zhifa.overload.tests.test_tasks import sample, single_then_rollback, state, write_jsonl

    client, queue, var, proc = worker
    wim_data.stations(world)
    first = write_jsonl(tmp_path / "first.jsonl", sample())
    second = write_jsonl(tmp_path / "second.jsonl", wim_data.later_sample(days=5, offset=2000))

    # (a) overload.ingest_file in the worker leaves what a single in-process ingest leaves (measured and rolled back).
    expected, single = single_then_rollback(settings, tmp_path, first)
    settings.VAR_DIR = var  # read what the worker wrote
    summary = run(worker, "overload.ingest_file", str(first))
    assert summary["reconciles"] and (summary["read"], summary["rejected"], summary["duplicates"]) == (62, 1, 1)
    for key in ("accepted", "flagged", "violations", "passes_merged", "cases"):
        assert summary[key] == single[key], key
    assert state(settings) == expected and expected["cases"] > 0

    # (b) the partitioned form: two partition tasks on the two worker processes, then the merge (a chord).
    # Measured over a copy of the worker's files: the first file's parts are referenced by committed rows.
    shutil.copytree(var / "wim", tmp_path / "second" / "single" / "wim")
    expected, single = single_then_rollback(settings, tmp_path / "second", second)
    settings.VAR_DIR = var
    from zhifa.overload import ingest

    sha = ingest.file_sha256(second)
    header = [client.signature("overload.ingest_partition", args=(str(second), k, 2), kwargs={"sha256": sha}, queue=queue)
              for k in range(2)]
    merge = client.signature("overload.ingest_merge", kwargs={"open_cases": True}, queue=queue)
    try:
        merged = chord(header, app=client)(merge).get(timeout=TIMEOUT)
    except Exception:
        print(proc.tail())
        raise
    assert merged["reconciles"] and len(merged["batches"]) == 2
    for key in ("read", "accepted", "rejected", "duplicates", "violations", "passes_merged", "cases"):
        assert merged[key] == single[key], key
    assert state(settings) == expected

    # (c) the first file again: every record a duplicate, nothing new anywhere.
    again = run(worker, "overload.ingest_file", str(first))
    assert (again["accepted"], again["duplicates"], again["violations"], again["cases"]) == (0, 61, 0, 0)
    assert state(settings) == expected


@pytest.mark.django_db(transaction=True)
def test_worker_publishes_a_decision_with_masked_personal_data(world, worker):
    from importlib import import_module

    from django.apps import apps

    from zhifa.core.tests.factories import PersonPartyFactory
    from zhifa.permits import services as permits
    from zhifa.permits.tests.factories import PermitItemFactory
    from zhifa.portal.models import Publication

    for module in ("zhifa.portal.migrations.0002_rules", "zhifa.permits.migrations.0002_permit_items"):
        import_module(module).load(apps, None)  # publication rules, flushed by earlier transactional tests
    officer = world.users["officer"]
    person = PersonPartyFactory(organisation=world.brigade_a, name="王建国", id_number="11010519491231002X", phone="13912345678")
    app = permits.application_submit(actor=officer, organisation=world.brigade_a, item=PermitItemFactory(), applicant=person,
                                     submitted_on=date(2026, 9, 28), content="申请人王建国（身份证11010519491231002X，电话13912345678）申请普通货运")
    permits.application_accept(actor=officer, application=app, on=date(2026, 9, 29))
    permits.application_decide(actor=officer, application=app, on=date(2026, 9, 30), approve=True)

    counts = run(worker, "portal.publication_run", "2026-10-08")
    assert counts["published"] == 1
    pub = Publication.objects.get(subject_type="permits.permitapplication", subject_id=str(app.pk))
    assert pub.status == Publication.Status.PUBLISHED and pub.published_on == date(2026, 10, 8)
    text = " ".join(str(part) for part in (pub.title, pub.body))
    for secret in ("11010519491231002X", "13912345678", "王建国"):
        assert secret not in text
    assert "王＊＊" in text
    assert run(worker, "portal.publication_run", "2026-10-09")["published"] == 0  # idempotent: published once
