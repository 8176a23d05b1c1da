"""The bulk-work mechanism (core.bulk.run): each row in a savepoint of its own, so one row's failure
— the service's refusal or any other exception — is that row's result, leaves nothing of that row
written and does not stop the batch."""

from zhifa.core import bulk
from zhifa.core.errors import DomainError
from zhifa.core.models import Event, Party
from zhifa.core.services import party_create
from zhifa.core.tests.factories import PersonPartyFactory


def _rows(n):
    return [bulk.Row(pk=i, label=f"第{i}行") for i in range(1, n + 1)]


def test_a_row_failing_with_any_exception_is_reported_and_leaves_nothing_half_written(world):
    actor, org = world.users["officer"], world.brigade_a
    events, parties = Event.objects.count(), Party.objects.count()

    def act(row):
        template = PersonPartyFactory.build()
        # Written and audited, then (rows 2 and 3) the act fails after the write.
        party_create(actor=actor, organisation=org, kind="person", name=f"批量当事人{row.pk}",
                     id_number=template.id_number, phone=template.phone, address=template.address)
        if row.pk == 2:
            raise KeyError("a fault after the write")  # not a DomainError: a bug or a broken dependency
        if row.pk == 3:
            raise DomainError("refused", "当事人已登记。")
        return "已登记"

    rows = _rows(4)
    done, refused = bulk.run(rows, act)
    assert (done, refused) == (2, 2)
    assert [r.ok for r in rows] == [True, False, False, True]
    assert rows[1].result == bulk.FAULT and "未作任何更改" in rows[1].result
    assert rows[2].result == "当事人已登记。"
    # Rows 2 and 3 wrote a party and its audit event before failing: both undone with their savepoint.
    names = set(Party.objects.filter(name__startswith="批量当事人").values_list("name", flat=True))
    assert names == {"批量当事人1", "批量当事人4"}
    assert Party.objects.count() == parties + 2 and Event.objects.count() == events + 2


def test_a_row_not_ready_keeps_its_plan_and_is_not_acted_on(world):
    rows = _rows(2)
    rows[0].ready, rows[0].plan = False, "当前状态为“已立案”"
    called = []
    done, refused = bulk.run(rows, lambda row: called.append(row.pk) or "已办理")
    assert (done, refused, called) == (1, 1, [2])
    assert (rows[0].ok, rows[0].result) == (False, "当前状态为“已立案”")
