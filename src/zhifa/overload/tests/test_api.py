"""Station push API: HMAC signature, timestamp window, idempotence; officers' violation list is scoped."""

import json
import time

from django.test import Client

from zhifa.overload.api import signature
from zhifa.overload.models import IngestBatch, Violation

from .conftest import record


def post(station, body: bytes, *, secret=None, stamp=None):
    stamp = str(int(time.time())) if stamp is None else stamp
    sig = signature(secret or station.push_secret, stamp, body)
    return Client().post("/api/v1/overload/push", data=body, content_type="application/json",
                         HTTP_X_STATION=station.code, HTTP_X_TIMESTAMP=stamp, HTTP_X_SIGNATURE=sig)


def test_signed_push_is_ingested_and_replay_creates_nothing(station):
    station.push_secret = "s3cret-for-test"
    station.save()
    body = json.dumps({"records": [record(1, gross=60_000), record(2)]}, ensure_ascii=False).encode()
    first = post(station, body)
    assert first.status_code == 200, first.content
    assert first.json()["accepted"] == 2 and first.json()["violations_new"] == 1
    again = post(station, body)
    assert again.json()["duplicates"] == 2 and Violation.objects.count() == 1


def test_bad_signature_or_stale_timestamp_is_refused_and_changes_nothing(station):
    body = json.dumps({"records": [record(1, gross=60_000)]}).encode()
    assert post(station, body, secret="wrong").status_code == 401
    assert post(station, body, stamp=str(int(time.time()) - 3600)).status_code == 401
    assert IngestBatch.objects.count() == 0


def test_a_station_cannot_push_another_stations_records(station):
    body = json.dumps({"records": [record(1, gross=60_000, station="OTHER")]}).encode()
    data = post(station, body).json()
    assert data["rejected"] == 1 and data["accepted"] == 0


def test_violation_list_is_scoped_to_jurisdiction(station, api_for):
    post(station, json.dumps({"records": [record(1, gross=60_000)]}).encode())
    assert len(api_for("officer").get("/api/v1/overload/violations").json()["items"]) == 1
    assert api_for("officer_b").get("/api/v1/overload/violations").json()["items"] == []
