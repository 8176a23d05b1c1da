"""The WIM command line (issue 18 item 8): ``zhifa wim import`` stores and records an exchange file whole or not at
all (行政处罚法 Art. 47: every act in the full-process record); ``zhifa wim ingest`` opens cases only for the
violations the file itself brought, the backlog being ``zhifa wim cases``."""

import json

import pytest
from django.core.management import call_command

from zhifa.core import audit
from zhifa.core.models import Event
from zhifa.core.tests.factories import VehicleFactory
from zhifa.overload import ingest, services
from zhifa.overload.models import ExchangeRecord, Violation

from .conftest import at, record
from .test_services import detected, exchange_row


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_exchange_import_from_the_command_line_is_recorded(station, tmp_path):
    path = tmp_path / "exchange.jsonl"
    path.write_text("".join(json.dumps(exchange_row("C411300", i, plate=f"豫R·C30{i}", when=at(3 + i, 9))) + "\n" for i in range(3)),
                    encoding="utf-8")
    call_command("wim", "import", str(path))
    assert ExchangeRecord.objects.count() == 3
    assert Event.objects.filter(action="overload.exchange_import").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_exchange_import_failing_midway_stores_nothing(station, tmp_path, monkeypatch):
    rows = [exchange_row("C411300", i, plate=f"豫R·C40{i}", when=at(3 + i, 9)) for i in range(7)]
    path = tmp_path / "exchange.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    def refuse(**kwargs):
        raise RuntimeError("record store unavailable")

    monkeypatch.setattr(audit, "record", refuse)
    with pytest.raises(RuntimeError):
        call_command("wim", "import", str(path))
    assert ExchangeRecord.objects.count() == 0


@pytest.mark.django_db
def test_ingest_opens_cases_only_for_what_it_ingested(station, world, tmp_path):
    detected(station, world, plate="豫R·A1001")  # a backlog violation, ingested without cases
    backlog = Violation.objects.get()
    VehicleFactory(organisation=world.brigade_a, plate="豫R·A2002")
    path = tmp_path / "day.jsonl"
    path.write_text(json.dumps(record(90, when=at(9, 9), plate="豫R·A2002", gross=60_000)) + "\n", encoding="utf-8")
    batch = ingest.ingest_file(path)  # as ``zhifa wim ingest`` does: the ingest, then cases for its batches
    services.violations_open_cases(batch_ids=ingest.same_file_batches([batch.pk]))
    new = Violation.objects.get(batch=batch)
    backlog.refresh_from_db()
    new.refresh_from_db()
    assert new.status == Violation.Status.CASE and backlog.status == Violation.Status.DETECTED
    call_command("wim", "cases")  # the backlog has its own command
    backlog.refresh_from_db()
    assert backlog.status == Violation.Status.CASE
