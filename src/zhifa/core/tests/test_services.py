"""Core services: identifier validation on registration, certificate rules, login lockout."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from zhifa.core import services
from zhifa.core.errors import DomainError, NotPermitted
from zhifa.core.models import Event, Officer, Party


@pytest.mark.django_db
def test_party_with_invalid_id_number_is_rejected_and_nothing_changes(world):
    before = Event.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.party_create(actor=world.users["officer"], organisation=world.brigade_a, kind=Party.Kind.PERSON, name="张三", id_number="110105194912310021")
    assert "校验位" in str(exc.value)
    assert not Party.objects.exists() and Event.objects.count() == before


@pytest.mark.django_db
def test_party_with_gb_sample_id_is_accepted(world):
    party = services.party_create(actor=world.users["officer"], organisation=world.brigade_a, kind=Party.Kind.PERSON, name="张三", id_number="11010519491231002x")
    assert party.id_number == "11010519491231002X"
    assert party.birth_date == date(1949, 12, 31)


@pytest.mark.django_db
def test_duplicate_party_is_refused_with_a_clear_message(world):
    kwargs = dict(actor=world.users["officer"], organisation=world.brigade_a, kind=Party.Kind.PERSON, name="张三", id_number="11010519491231002X")
    services.party_create(**kwargs)
    with pytest.raises((DomainError, ValidationError)):
        services.party_create(**kwargs)
    assert Party.objects.count() == 1


@pytest.mark.django_db
def test_two_certified_officers_required_art42(world):
    today = date.today()
    with pytest.raises(DomainError) as exc:
        services.assert_officers_can_act([world.officers["officer"]], on=today)
    assert "第四十二条" in exc.value.message
    with pytest.raises(DomainError) as exc:
        services.assert_officers_can_act([world.officers["officer"], world.officers["expired"]], on=today)
    assert exc.value.code == "officer_not_certified" and "过期" in exc.value.message
    assert len(services.assert_officers_can_act([world.officers["officer"], world.officers["officer2"]], on=today)) == 2


@pytest.mark.django_db
def test_suspended_certificate_cannot_act_and_change_is_audited(world):
    officer = world.officers["officer2"]
    services.officer_update(actor=world.users["head"], officer=officer, cert_status=Officer.CertStatus.SUSPENDED)
    assert not officer.can_enforce(date.today())
    event = Event.objects.get(action="officer.update")
    assert event.changes["cert_status"] == ["valid", "suspended"]


@pytest.mark.django_db
def test_officer_may_not_change_certificates(world):
    with pytest.raises(NotPermitted):
        services.officer_update(actor=world.users["officer"], officer=world.officers["officer2"], cert_status="revoked")


@pytest.mark.django_db
def test_certificate_not_yet_valid(world):
    officer = world.officers["officer"]
    assert officer.certificate_problem(officer.cert_issued_on - timedelta(days=1))


@pytest.mark.django_db
def test_failed_login_lockout(world, client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        r = client.post("/login/", {"username": "officer", "password": "wrong"})
        assert r.status_code == 200
    r = client.post("/login/", {"username": "officer", "password": "pw-test-123!"})
    assert r.status_code == 200 and "禁止登录" in r.content.decode()
    # the lock is in the (shared) cache per account and address, not on the account (issue 17: anyone could lock
    # an account for everyone); tests/test_login_security.py covers the rest
    world.users["officer"].refresh_from_db()
    assert world.users["officer"].locked_until is None


@pytest.mark.django_db
def test_login_and_dashboard(world, client):
    r = client.post("/login/", {"username": "officer", "password": "pw-test-123!"})
    assert r.status_code == 302
    page = client.get("/").content.decode()
    assert "工作台" in page and "执法人员" in page
