"""core.db.Compiled: the token's and the signed-in user's look-ups compiled once give what the ORM gives — the
same rows with the same values (the database's converters applied: dates, booleans), the related objects of
``select_related`` loaded in the one query, nothing for a missing or refused key — on SQLite and
PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhifa.core.auth import _SIGNED_IN, _TOKEN, LockoutModelBackend, token_create, token_hash
from zhifa.core.db import NUMBER_PLACEHOLDER, Compiled
from zhifa.core.models import ApiToken, Organisation, User


def _values(instance):
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_the_token_look_up_gives_what_the_orm_gives_in_one_query(world):
    officer = world.users["officer"]
    User.objects.filter(pk=officer.pk).update(last_login=timezone.now() - timedelta(days=1))
    key = token_create(user=officer, name="测试")
    ApiToken.objects.filter(key_hash=token_hash(key)).update(last_used_at=timezone.now())
    expected = ApiToken.objects.select_related("user", "user__organisation").get(key_hash=token_hash(key))
    for _ in range(2):  # compiled at the first call, reused at the second
        with CaptureQueriesContext(connection) as queries:
            row = _TOKEN.first(token_hash(key))
            assert _values(row) == _values(expected)
            assert _values(row.user) == _values(expected.user)
            assert _values(row.user.organisation) == _values(expected.user.organisation)
            assert row.user.organisation.name == world.brigade_a.name
            assert row.user.last_login is not None and row.last_used_at.tzinfo is not None
        assert len(queries) == 1
        assert row._state.db == "default" and not row._state.adding


def test_a_missing_or_revoked_key_finds_nothing(world):
    key = token_create(user=world.users["officer"], name="测试")
    assert _TOKEN.first(token_hash("zf_not-a-token")) is None
    ApiToken.objects.filter(key_hash=token_hash(key)).update(revoked=True)
    assert _TOKEN.first(token_hash(key)) is None


def test_the_signed_in_user_comes_with_their_organisation(world):
    head = world.users["head"]
    user = LockoutModelBackend().get_user(head.pk)
    with CaptureQueriesContext(connection) as queries:
        assert user.organisation == world.county_a and user.username == "head"
    assert len(queries) == 0
    assert _values(_SIGNED_IN.first(head.pk)) == _values(User.objects.get(pk=head.pk))
    assert LockoutModelBackend().get_user(10**9) is None
    User.objects.filter(pk=head.pk).update(is_active=False)
    assert LockoutModelBackend().get_user(head.pk) is None


def test_a_query_that_does_not_take_its_value_once_is_refused(db):
    with pytest.raises(ValueError):
        Compiled(lambda value: User.objects.filter(pk=1)).first(1)


@pytest.mark.parametrize("rows", ["values", "flat", "named"])
def test_rows_other_than_instances_or_a_values_list_are_refused(db, rows):
    build = {
        "values": lambda value: User.objects.filter(username=value).values("username"),
        "flat": lambda value: User.objects.filter(username=value).values_list("username", flat=True),
        "named": lambda value: User.objects.filter(username=value).values_list("username", named=True),
    }[rows]
    with pytest.raises(ValueError):
        Compiled(build).first("head")


def test_a_values_list_gives_the_orm_s_converted_tuple(world):
    """The record's read of a row for its digest (audit._read_row) is a values_list(): the tuple the ORM
    gives, its values converted (dates, booleans) on both databases."""
    head = world.users["head"]
    User.objects.filter(pk=head.pk).update(last_login=timezone.now())
    names = ("username", "is_active", "last_login", "organisation_id")
    row = Compiled(lambda value: User.objects.filter(username=value).values_list(*names)).first("head")
    assert row == User.objects.filter(pk=head.pk).values_list(*names).get()
    assert isinstance(row, tuple) and row[1] is True and row[2].tzinfo is not None


def test_a_new_compiled_query_does_not_find_a_gone_one_s_sql(world):
    """The compiled SQL is found on the connection under a name of its own: a name made from id() found, once
    a Compiled was gone and its id reused, that other query's SQL (found in review). The names differ whatever
    the ids; the rounds below also let CPython reuse an address, as it usually does."""
    first, second = Compiled(lambda value: User.objects.filter(username=value)[:1]), Compiled(
        lambda value: Organisation.objects.filter(name=value)[:1])
    assert first._slot != second._slot
    for _ in range(20):
        users = Compiled(lambda value: User.objects.filter(username=value)[:1])
        assert users.first("head").username == "head"
        del users
        units = Compiled(lambda value: Organisation.objects.filter(name=value)[:1])
        assert units.first(world.county_a.name) == world.county_a
        del units


def test_a_user_without_an_organisation(world):
    """The LEFT JOIN of a user without a unit (a superuser) gives no organisation, as the ORM's (found
    missing in review); the compiled query keeps answering for the next user."""
    admin = User.objects.create_superuser(username="root-no-unit", password="pw-123456789")
    assert admin.organisation_id is None
    found = _SIGNED_IN.first(admin.pk)
    assert found.organisation is None and _values(found) == _values(User.objects.get(pk=admin.pk))
    assert _SIGNED_IN.first(world.users["head"].pk).organisation == world.county_a


def test_compiled_is_checked_against_this_django():
    """Compiled builds rows with the ORM's compiler internals (klass_info, related populators, converters) as
    Django 5.2 has them; it is the one place that does (the token's and signed-in user's look-ups, the
    record's read of a row for its digest, the case page's reads): a Django upgrade must check it again (and
    this test) before it lands."""
    import django

    assert django.VERSION[:2] == (5, 2), "core.db.Compiled was written against Django 5.2: check it again"


def _rows_of_every_kind(world, case) -> None:
    """Three rows of each kind the decided case lacks, in an order of dates that is neither their keys' nor
    its reverse (so a compiled query in another order than the model's fails), the selected related rows (an
    evidence item's file, a preservation's approver) present."""
    from datetime import timedelta

    from django.utils import timezone

    from zhifa.cases.models import (
        ClockSuspension,
        Correction,
        EvidenceItem,
        EvidencePreservation,
        Extension,
        Transcript,
    )
    from zhifa.core.models import EvidenceFile

    head, officer = world.users["head"], world.users["officer"]
    today, now = timezone.localdate(), timezone.now()
    for back in (1, 5, 3):  # by date neither by key nor against it
        day = today - timedelta(days=back)
        ClockSuspension.objects.create(case=case, reason="testing", started_on=day, ended_on=today)
        Extension.objects.create(case=case, days=30, basis="head", reason="复杂", approved_by=head,
                                 approved_on=day)
        Transcript.objects.create(case=case, kind="inquiry", started_at=now - timedelta(days=back),
                                  ended_at=now - timedelta(days=back, hours=-1), place="站前",
                                  person_name="张三", recorded_by=officer)
        file = EvidenceFile.objects.create(sha256=f"{back:064x}", size=10, content_type="image/jpeg",
                                           original_name=f"{back}.jpg", organisation=case.organisation)
        EvidenceItem.objects.create(case=case, kind="photo", title=f"照片{back}", file=file)
        Correction.objects.create(case=case, field_label="地址", old_text="甲", new_text="乙", reason="笔误",
                                  corrected_by=head, corrected_on=day)
        EvidencePreservation.objects.create(case=case, kind="preservation", status="preserved",
                                            place="停车场", requested_by=officer, approved_by=head,
                                            approved_on=day)


def test_all_gives_the_rows_the_orm_gives_in_its_order(world):
    """``all()``: every row of a case's kind, as the related manager reads it (order, select_related, the
    database's converters), in one query; for a lead, what a lead has."""
    from zhifa.cases import selectors
    from zhifa.cases.tests import factories as case_factories

    case = case_factories.decided(world, legal_review=True)
    _rows_of_every_kind(world, case)
    empty = case_factories.lead(world)
    for name, compiled in selectors.CASE_ROWS.items():
        expected = list(getattr(case, name).all())
        assert expected, name  # every kind compared on rows (two or more for all but the one review)
        for _ in range(2):  # compiled at the first call, reused at the second
            with CaptureQueriesContext(connection) as queries:
                rows = compiled.all(case.pk)
            assert len(queries) == 1
            assert [_values(r) for r in rows] == [_values(r) for r in expected], name
        expected = [_values(r) for r in getattr(empty, name).all()]
        assert [_values(r) for r in compiled.all(empty.pk)] == expected, name
    reviews = selectors.CASE_ROWS["legal_reviews"].all(case.pk)
    assert not selectors.CASE_ROWS["legal_reviews"].all(empty.pk)
    assert reviews and reviews[0].reviewer == world.users["reviewer"]  # the select_related's row came along
    items = selectors.CASE_ROWS["evidence_items"].all(case.pk)
    assert [i.file.original_name for i in items] == [i.file.original_name for i in case.evidence_items.all()]
    kept = selectors.CASE_ROWS["preservations"].all(case.pk)
    assert {p.approved_by for p in kept} == {world.users["head"]}
    changes = selectors.CASE_ROWS["status_changes"].all(case.pk)
    assert [c.to_status for c in changes] == [c.to_status for c in case.status_changes.all()]
    assert changes[0].at.tzinfo is not None


def test_the_case_rows_read_into_the_case_answer_without_a_query_and_filter_within_it(world):
    """selectors.case_rows fills the related managers as prefetch_related_objects does: ``.all()`` answers
    from what was read, and a ``.filter()`` on it still reads this case's rows only (not the whole table)."""
    from zhifa.cases import selectors
    from zhifa.cases.tests import factories as case_factories

    case, other = case_factories.decided(world), case_factories.decided(world)
    selectors.case_rows(case, "status_changes", "officers", "documents")
    with CaptureQueriesContext(connection) as queries:
        assert {c.case_id for c in case.status_changes.all()} == {case.pk}
        assert case.status_changes.all()[0].case is case
        assert list(case.officers.all()) == list(other.officers.all())  # the same two officers, read already
    assert len(queries) == 1  # other's
    assert set(case.status_changes.filter(to_status="decided").values_list("case_id", flat=True)) == {case.pk}


def test_many_values_give_the_rows_the_orm_gives_compiled_once_per_power_of_two(world):
    """``many=True`` (the lists' reads of their cases' rows): the rows of ``filter(case_id__in=ids)`` as
    the ORM gives them, in its order, in one query, for any number of ids; compiled for 4 ids when asked for
    3 or 4 (the values filled up with the last one), no query for none, refused beyond MANY_LIMIT."""
    from zhifa.cases.models import StatusChange
    from zhifa.cases.tests import factories as case_factories
    from zhifa.core.db import MANY_LIMIT, NUMBER_PLACEHOLDER

    cases = [case_factories.opened(world) for _ in range(5)]
    compiled = Compiled(lambda ids: StatusChange.objects.filter(case_id__in=ids).select_related("actor"),
                        placeholder=NUMBER_PLACEHOLDER, many=True)
    dates = Compiled(lambda ids: StatusChange.objects.filter(case_id__in=ids).values_list("case_id", "at"),
                     placeholder=NUMBER_PLACEHOLDER, many=True)
    for ids in ([cases[0].pk], [c.pk for c in cases[:3]], [c.pk for c in cases[1:5]], [c.pk for c in cases],
                [cases[2].pk, cases[2].pk], [cases[0].pk, 10**12]):
        expected = StatusChange.objects.filter(case_id__in=ids).select_related("actor")
        with CaptureQueriesContext(connection) as queries:
            rows = compiled.all(ids)
        assert len(queries) == 1
        assert [_values(r) for r in rows] == [_values(r) for r in expected] and rows
        assert [_values(r.actor) for r in rows] == [_values(r.actor) for r in expected]
        assert dates.all(ids) == list(expected.values_list("case_id", "at"))
    from django.db import connections

    held = connections["default"].__dict__
    sizes = sorted(int(key.rsplit("_", 1)[1]) for key in held if key.startswith(compiled._slot + "_"))
    assert sizes == [1, 2, 4, 8]
    with CaptureQueriesContext(connection) as queries:
        assert compiled.all([]) == []
    assert len(queries) == 0
    with pytest.raises(ValueError):
        compiled.all(range(1, MANY_LIMIT + 2))


def test_count_gives_what_the_orm_s_count_gives_in_one_query(world):
    """``count`` (the inbox's unread count in every page's header): the rows the compiled query finds, counted
    by the database; 0 for none, the same after rows change."""
    from zhifa.notifications import services
    from zhifa.notifications.models import Notification
    from zhifa.notifications.selectors import _UNREAD

    officer, other = world.users["officer"], world.users["reviewer"]

    def orm(user):
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    assert _UNREAD.count(officer.pk) == orm(officer) == 0
    for i, user in enumerate([officer, officer, officer, other]):
        services.notify(kind="clock_red", event=f"count:{i}", users=[user], title="期限已届满",
                        body="案件已超期。")
    first = Notification.objects.filter(recipient=officer).order_by("pk")[0]
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())
    assert orm(officer) == 2
    for _ in range(2):  # compiled at the first call, reused at the second
        with CaptureQueriesContext(connection) as queries:
            assert _UNREAD.count(officer.pk) == 2
        assert len(queries) == 1 and "COUNT(*)" in queries[0]["sql"] and "ORDER BY" not in queries[0]["sql"]
    assert _UNREAD.count(other.pk) == orm(other) == 1
    assert _UNREAD.count(NUMBER_PLACEHOLDER + 1) == 0
    with pytest.raises(ValueError):
        Compiled(lambda ids: Organisation.objects.filter(pk__in=ids), many=True).count([1])


def test_insert_writes_the_row_save_writes_and_leaves_the_rest_to_save(world):
    """core.db.insert: a plain model's row by an INSERT made once per model and connection, the object marked
    saved; a model with a ``save`` of its own, a ``post_save`` listener, an ``auto_now_add`` column or a value
    that is an expression goes through ``save`` itself (the listener called, the column set, the expression
    evaluated)."""
    from django.db.models import Value
    from django.db.models.functions import Upper
    from django.db.models.signals import post_save

    from zhifa.core.db import insert
    from zhifa.core.models import Party, TotpDevice

    def make(name="插入测试"):
        return Party(organisation=world.brigade_a, kind=Party.Kind.PERSON, name=name)

    insert(make())  # made on this connection
    party = make()
    with CaptureQueriesContext(connection) as queries:
        insert(party)
    assert len(queries.captured_queries) == 1 and "RETURNING" in queries.captured_queries[0]["sql"]
    assert party.pk and not party._state.adding and party._state.db == "default"
    assert _values(Party.objects.get(pk=party.pk)) == _values(party)

    heard = []

    def listener(sender, instance, created, **kwargs):
        heard.append((instance.pk, created))

    post_save.connect(listener, sender=Party)
    try:
        party = make()
        insert(party)
    finally:
        post_save.disconnect(listener, sender=Party)
    assert heard == [(party.pk, True)]
    party = make(Upper(Value("expr")))
    insert(party)
    assert Party.objects.get(pk=party.pk).name == "EXPR"
    device = TotpDevice(user=world.users["officer"], secret="S" * 32)
    insert(device)
    assert device.pk and TotpDevice.objects.get(pk=device.pk).created_at == device.created_at is not None
    unit = Organisation(code="990001", name="插入测试单位", kind=world.brigade_a.kind, parent=world.brigade_a)
    insert(unit)
    assert Organisation.objects.get(pk=unit.pk).path == f"{world.brigade_a.path}990001/"


def test_insert_leaves_to_save_the_models_whose_save_writes_more_than_the_columns():
    """``_plain_fields`` (stranger review, 2026-12-06): ``order_with_respect_to`` (``save`` computes
    ``_order``), a field with a placeholder of its own (a binary value's cast) and a model overriding
    ``save_base`` go through ``save``; a plain model does not."""
    from django.db import models
    from django.test.utils import isolate_apps

    from zhifa.core.db import _plain_fields

    with isolate_apps("zhifa.core"):
        class Plain(models.Model):  # noqa: DJ008 - a model of this test only
            name = models.CharField(max_length=10)

        class Parent(models.Model):  # noqa: DJ008 - a model of this test only
            pass

        class Ordered(models.Model):  # noqa: DJ008 - a model of this test only
            parent = models.ForeignKey(Parent, on_delete=models.CASCADE)

            class Meta:
                order_with_respect_to = "parent"

        class Binary(models.Model):  # noqa: DJ008 - a model of this test only
            data = models.BinaryField()

        class OwnSaveBase(models.Model):  # noqa: DJ008 - a model of this test only
            def save_base(self, *args, **kwargs):
                return super().save_base(*args, **kwargs)

        assert _plain_fields(Plain) is not None
        for model in (Ordered, Binary, OwnSaveBase):
            assert _plain_fields(model) is None, model.__name__
