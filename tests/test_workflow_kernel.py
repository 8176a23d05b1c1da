"""The workflow kernel (``zhifa.core.workflow``) on its own table over the case model: every refusal leaves the row,
the history and the full-process record unchanged; a move writes all three and queues its side effects for after
the commit only."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zhifa.cases.models import Case, StatusChange
from zhifa.cases.tests.factories import lead
from zhifa.cases.workflow import Status
from zhifa.core import audit
from zhifa.core.db import Compiled
from zhifa.core.errors import NotPermitted, TransitionNotAllowed
from zhifa.core.models import Event, Organisation, Party
from zhifa.core.roles import Role
from zhifa.core.workflow import SYSTEM, Transition, Workflow, created, note_step, transition

pytestmark = pytest.mark.django_db

S = Status
moved = []


def _on_move(case, action):
    moved.append((case.pk, action))


WF = Workflow(
    name="kernel-test",
    model="cases.Case",
    history="cases.StatusChange",
    history_subject="case",
    audit_prefix="kt.",
    noun="测试案件",
    states=Status,
    touch="updated_at",
    on_move=_on_move,
    transitions=[
        Transition("open", "立案", {S.LEAD}, S.OPENED, (Role.HEAD,)),
        Transition("route", "分流", {S.LEAD}, None, (Role.HEAD,), targets={S.NOT_OPENED, S.WITHDRAWN}),
        Transition("auto", "系统处理", {S.LEAD}, S.NOT_OPENED, (Role.HEAD, SYSTEM)),
        Transition("anyone", "任何人", {S.LEAD}, S.NOT_OPENED, ()),
    ],
    acts=[Transition("remark", "备注", {S.LEAD, S.OPENED}, None, (Role.OFFICER,))],
)


def _state(case):
    return (
        Case.objects.get(pk=case.pk).status,
        StatusChange.objects.filter(case=case).count(),
        Event.objects.count(),
    )


def test_move_updates_row_appends_step_records_event_and_calls_hook(world):
    case = lead(world)
    _status, steps, events = _state(case)
    moved.clear()
    case = transition(
        WF,
        case,
        "open",
        actor=world.users["head"],
        summary="立案（测试）",
        fields={"opened_on": case.occurred_on},
    )
    assert case.status == S.OPENED and case.opened_on == case.occurred_on
    step = StatusChange.objects.filter(case=case).last()
    assert (step.action, step.from_status, step.to_status, step.actor, step.note) == (
        "open",
        S.LEAD,
        S.OPENED,
        world.users["head"],
        "立案（测试）",
    )
    assert step.from_label == "线索登记" and step.to_label == S.OPENED.label
    event = Event.objects.get(seq=Event.objects.order_by("-seq").values_list("seq", flat=True).first())
    assert (
        event.action == "kt.open"
        and event.subject_id == str(case.pk)
        and event.changes["status"] == [S.LEAD, S.OPENED]
    )
    assert StatusChange.objects.filter(case=case).count() == steps + 1 and Event.objects.count() == events + 1
    assert moved == [(case.pk, "open")]


def test_move_not_in_table_for_the_state_is_refused_and_changes_nothing(world):
    case = transition(WF, lead(world), "open", actor=world.users["head"], summary="立案")
    before = _state(case)
    with pytest.raises(TransitionNotAllowed) as exc:
        WF.check("route", case, world.users["head"])
    assert (
        exc.value.code == "transition_not_allowed"
        and "测试案件当前状态为“已立案（调查取证）”，不能分流" in exc.value.message
    )
    with pytest.raises(TransitionNotAllowed):
        transition(WF, case, "route", actor=world.users["head"], target=S.NOT_OPENED, summary="分流")
    assert _state(case) == before


def test_role_and_system_are_checked(world):
    case = lead(world)
    before = _state(case)
    with pytest.raises(NotPermitted) as exc:
        transition(WF, case, "open", actor=world.users["officer"], summary="立案")
    assert exc.value.code == "forbidden" and exc.value.message == "您没有“立案”的权限。"
    with pytest.raises(NotPermitted) as exc:
        transition(WF, case, "open", actor=None, summary="立案")
    assert exc.value.message == "立案须由具有相应职责的人员办理。"
    with pytest.raises(NotPermitted):
        WF.check("open", case, world.users["officer_b"])  # another county: out of jurisdiction
    assert _state(case) == before
    # SYSTEM in the roles lets the system take the move; no roles at all lets anybody.
    assert transition(WF, case, "auto", actor=None, summary="系统处理").status == S.NOT_OPENED
    other = lead(world)
    assert (
        transition(WF, other, "anyone", actor=world.users["officer"], summary="任何人").status == S.NOT_OPENED
    )
    assert StatusChange.objects.filter(case=case).last().actor is None


def test_target_chosen_by_the_service_must_be_one_of_the_table(world):
    case = lead(world)
    before = _state(case)
    with pytest.raises(TransitionNotAllowed) as exc:
        transition(WF, case, "route", actor=world.users["head"], target=S.ARCHIVED, summary="分流")
    assert "不能使测试案件进入“已归档”" in exc.value.message
    assert _state(case) == before
    assert (
        transition(WF, case, "route", actor=world.users["head"], target=S.WITHDRAWN, summary="分流").status
        == S.WITHDRAWN
    )


def test_act_keeps_the_state_and_is_recorded(world):
    case = lead(world)
    status, steps, events = _state(case)
    case = transition(WF, case, "remark", actor=world.users["officer"], summary="备注一条")
    assert case.status == status == S.LEAD
    step = StatusChange.objects.filter(case=case).last()
    assert (step.action, step.from_status, step.to_status) == ("remark", S.LEAD, S.LEAD)
    assert _state(case) == (S.LEAD, steps + 1, events + 1)


def test_stale_object_is_refused_as_a_concurrent_change(world):
    case = lead(world)
    stale = Case.objects.get(pk=case.pk)
    transition(WF, case, "open", actor=world.users["head"], summary="立案")
    before = _state(case)
    with pytest.raises(TransitionNotAllowed) as exc:
        transition(WF, stale, "route", actor=world.users["head"], target=S.NOT_OPENED, summary="分流")
    assert (
        exc.value.code == "concurrent_change" and exc.value.message == "测试案件已被他人处理，请刷新后重试。"
    )
    assert _state(case) == before


def test_move_reads_the_row_and_the_loaded_relations_once_and_afresh(world):
    """Issue 19: after its update a move read the row back, and then the record loaded the party (the case's
    name), the organisation and the row once more (its digest), one query each. One query now reads the row
    with the related rows the caller had loaded, and the digest is taken from it; the related rows are read
    afresh, not kept from before the move (0349c0b: a party changed in the database is recorded as the
    database holds it)."""
    case = lead(world)
    assert case.party.name and case.organisation.name  # loaded by the caller
    Party.objects.filter(pk=case.party_id).update(name="改名后的当事人")
    with CaptureQueriesContext(connection) as queries:
        case = transition(WF, case, "open", actor=world.users["head"], summary="立案")
    reads = [q["sql"].split(" FROM ", 1)[1] for q in queries.captured_queries
             if q["sql"].startswith("SELECT")]
    tables = [connection.ops.quote_name(m._meta.db_table) for m in (Case, Party, Organisation)]
    assert [sql for sql in reads if sql.startswith(tuple(tables[1:]))] == []  # neither read again on its own
    assert len([sql for sql in reads if sql.startswith(tables[0]) and f"JOIN {tables[1]}" in sql]) == 1
    by_key = f"WHERE {tables[0]}.{connection.ops.quote_name(Case._meta.pk.column)} = {case.pk}"
    # the row read back once
    assert len([sql for sql in reads if sql.startswith(tables[0]) and by_key in sql]) == 1
    event = Event.objects.order_by("-seq").first()
    assert case.party.name == "改名后的当事人" and event.subject_label.endswith("改名后的当事人")
    assert event.row_digest == audit.row_digest("cases.case", str(case.pk))
    assert audit.verify(checkpoints=False).ok


def test_move_reads_the_row_back_as_refresh_from_db_does_by_a_query_compiled_once(world, monkeypatch):
    """Issue 19: the read back after a move compiled the case's row with its relations (~150 columns) at every
    move; it is compiled once per model, set of relations and connection, and leaves the object as
    ``refresh_from_db`` would: every field as the database holds it, the loaded relations read afresh, the
    reverse and prefetched caches dropped. An object loaded with deferred fields moves as before."""
    from django.db.models.sql.compiler import SQLCompiler

    first, second = lead(world), lead(world)
    for case in (first, second):
        assert case.party.name and case.organisation.name  # loaded by the caller
    transition(WF, first, "open", actor=world.users["head"], summary="立案")
    compiled, built = [], []
    execute_sql, compile_once = SQLCompiler.execute_sql, Compiled._compile
    monkeypatch.setattr(SQLCompiler, "execute_sql",
                        lambda self, *a, **kw: compiled.append(self) or execute_sql(self, *a, **kw))
    monkeypatch.setattr(Compiled, "_compile", lambda self, *a: built.append(self) or compile_once(self, *a))
    second._prefetched_objects_cache = {"stale": []}
    Party.objects.filter(pk=second.party_id).update(name="改名后的当事人")
    transition(WF, second, "open", actor=world.users["head"], summary="立案")
    refreshes = [c for c in compiled if type(c) is SQLCompiler and c.query.model is Case and c.query.select_related]
    assert refreshes == [] and built == []  # neither through the ORM nor compiled again
    monkeypatch.undo()
    expected = Case.objects.select_related("party", "organisation").get(pk=second.pk)
    assert all(getattr(second, f.attname) == getattr(expected, f.attname) for f in Case._meta.concrete_fields)
    assert second.status == S.OPENED and second.party.name == "改名后的当事人"
    assert Case.party.field.is_cached(second) and Case.organisation.field.is_cached(second)
    assert second._prefetched_objects_cache == {} and second._state.db == "default"

    deferred = Case.objects.only("pk", "status", "organisation_id").get(pk=lead(world).pk)
    transition(WF, deferred, "open", actor=world.users["head"], summary="立案")
    assert deferred.status == S.OPENED
    assert audit.verify(checkpoints=False).ok


def test_side_effects_run_after_commit_only(world, django_capture_on_commit_callbacks):
    case, ran = lead(world), []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        transition(
            WF, case, "open", actor=world.users["head"], summary="立案", effects=[lambda: ran.append("after")]
        )
        assert ran == []  # not inside the transaction
    assert ran == ["after"] and len(callbacks) >= 1
    other, ran = lead(world), []
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            transition(
                WF,
                other,
                "open",
                actor=world.users["head"],
                summary="立案",
                effects=[lambda: ran.append("after")],
            )
            raise RuntimeError("the caller's transaction fails after the move")
    assert ran == [] and Case.objects.get(pk=other.pk).status == S.LEAD


def test_created_records_the_first_step_from_new(world):
    case = lead(world)
    events = Event.objects.count()
    with transaction.atomic():
        created(WF, case, "again", actor=world.users["officer"], summary="再次登记", note="说明")
    step = StatusChange.objects.filter(case=case).last()
    assert (step.action, step.from_status, step.to_status, step.note, step.from_label) == (
        "again",
        "",
        S.LEAD,
        "说明",
        "—",
    )
    assert Event.objects.count() == events + 1 and Event.objects.order_by("-seq").first().action == "kt.again"


def test_table_refuses_an_act_with_a_target_and_an_action_twice():
    with pytest.raises(ValueError):
        Workflow(
            name="bad",
            model="cases.Case",
            audit_prefix="x.",
            noun="x",
            transitions=[],
            acts=[Transition("a", "甲", {S.LEAD}, S.OPENED)],
        )
    with pytest.raises(ValueError):
        Workflow(
            name="bad",
            model="cases.Case",
            audit_prefix="x.",
            noun="x",
            transitions=[Transition("a", "甲", {S.LEAD}, S.OPENED)],
            acts=[Transition("a", "甲", {S.LEAD})],
        )


def test_record_may_name_another_subject_and_its_own_changes(world):
    """A move whose act belongs to another object's full-process record (a payment notice's on its case):
    one step on the moved row, one record naming the other subject with the changes the service gives."""
    case, other = lead(world), lead(world)
    events = Event.objects.count()
    transition(WF, case, "open", actor=world.users["head"], summary="立案（测试）", audit_subject=other,
               audit_changes={"transaction_id": "T1"})
    event = Event.objects.order_by("-seq").first()
    assert Event.objects.count() == events + 1 and StatusChange.objects.filter(case=case).last().action == "open"
    assert (event.action, event.subject_id, event.changes) == ("kt.open", str(other.pk), {"transaction_id": "T1"})


def test_step_reads_its_action_with_the_label_of_its_apps_table():
    """A step model with no labels of its own reads the label of the table whose history it is (its app's
    ``workflow.py``); ``ACTION_LABELS`` still wins, and an action the table does not know stays as it is."""
    from zhifa.cases.workflow import WORKFLOW
    from zhifa.complaints.models import ComplaintStep

    action = next(iter(WORKFLOW.transitions))
    assert StatusChange(action=action).action_label == WORKFLOW.get(action).label
    assert StatusChange(action="no_such_action").action_label == "no_such_action"
    assert ComplaintStep(action="close").action_label == ComplaintStep.ACTION_LABELS["close"]


def _savepoints(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" in q["sql"].upper()]


def test_savepoint_none_opened_by_a_move_a_first_step_or_a_noted_act(world):
    """Issue 19: the kernel's block ran inside its service's and opened a savepoint for every move (SAVEPOINT
    and RELEASE, two round trips). It opens none now."""
    case = lead(world)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:  # a service's block
        transition(WF, case, "open", actor=world.users["head"], summary="立案")
        created(WF, case, "again", actor=world.users["officer"], summary="再次登记")
        note_step(WF, case, "remark", actor=world.users["officer"], note="备注")
    assert _savepoints(queries) == []
    assert [q["sql"].split()[0] for q in queries.captured_queries].count("INSERT") >= 6  # 3 steps, 3 events


def test_savepoint_a_refused_move_leaves_the_callers_transaction_usable(world):
    """Without a savepoint of its own a move must refuse before it writes: a caller that catches the refusal
    inside its transaction (``payments.services.collection``: a notice flagged meanwhile by another worker)
    goes on, and what it wrote before and after the refusal is committed with its transaction."""
    case, other, head = lead(world), lead(world), world.users["head"]
    stale = Case.objects.get(pk=case.pk)
    before = Event.objects.count()
    with transaction.atomic():
        transition(WF, case, "open", actor=world.users["head"], summary="立案")
        refusals = [
            lambda: transition(WF, case, "route", actor=head, target=S.NOT_OPENED, summary="分流"),
            lambda: transition(WF, other, "open", actor=world.users["officer"], summary="立案"),  # role
            lambda: transition(WF, other, "route", actor=head, target=S.OPENED, summary="分流"),
            lambda: transition(WF, stale, "route", actor=head, target=S.NOT_OPENED, summary="分流"),
        ]
        codes = []
        for refuse in refusals:
            with pytest.raises((TransitionNotAllowed, NotPermitted)) as exc:
                refuse()
            codes.append(exc.value.code)
            assert not transaction.get_rollback()
        transition(WF, other, "auto", actor=None, summary="系统处理")  # the transaction goes on
    assert codes == ["transition_not_allowed", "forbidden", "transition_not_allowed", "concurrent_change"]
    assert Case.objects.get(pk=case.pk).status == S.OPENED
    assert Case.objects.get(pk=other.pk).status == S.NOT_OPENED
    assert Event.objects.count() == before + 2
    assert StatusChange.objects.filter(case=stale).values_list("action", flat=True).last() == "open"


def test_savepoint_a_fault_after_the_moves_writes_undoes_the_callers_whole_transaction(world):
    """A fault inside the move, after its UPDATE and its record (here its ``on_move`` hook), undoes the
    caller's whole transaction: the row, the step, the record and what the caller wrote before. Caught inside
    the caller's transaction it leaves that transaction marked for rollback (nothing of it can be committed):
    a caller that must go on after a fault wraps the call in an ``atomic()`` of its own, as ``core.bulk.run``
    does."""

    def fail(case, action):
        raise RuntimeError("the hook fails")

    failing = Workflow(name="kernel-test-failing", model="cases.Case", history="cases.StatusChange",
                       history_subject="case", audit_prefix="kt.", noun="测试案件", states=Status,
                       on_move=fail,
                       transitions=[Transition("open", "立案", {S.LEAD}, S.OPENED, (Role.HEAD,))])
    case, first = lead(world), lead(world)
    before = (_state(case), _state(first))
    with pytest.raises(RuntimeError), transaction.atomic():
        transition(WF, first, "open", actor=world.users["head"], summary="立案")
        transition(failing, case, "open", actor=world.users["head"], summary="立案")
    assert (_state(case), _state(first)) == before
    with transaction.atomic():
        with pytest.raises(RuntimeError):
            transition(failing, Case.objects.get(pk=case.pk), "open", actor=world.users["head"],
                       summary="立案")
        assert transaction.get_rollback()  # the caller's block ends in a rollback
    assert _state(case) == before[0]
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():  # the caller's own savepoint
            transition(failing, Case.objects.get(pk=case.pk), "open", actor=world.users["head"],
                       summary="立案")
        transition(WF, Case.objects.get(pk=first.pk), "open", actor=world.users["head"], summary="立案")
    assert _state(case)[:2] == before[0][:2] and _state(first)[:2] == (S.OPENED, before[1][1] + 1)


def test_move_inserts_its_history_step_and_its_event_by_statements_made_once(world, monkeypatch):
    """Issue 19: the history step and the record's event of every move were INSERTs the ORM built anew each
    time; after a connection's first move they are statements made once (``core.db.insert``), and the step row
    stored is the one ``objects.create`` stored."""
    from django.db.models.sql.query import Query

    first, second = lead(world), lead(world)
    transition(WF, first, "open", actor=world.users["head"], summary="立案")
    built, get_compiler = [], Query.get_compiler
    monkeypatch.setattr(Query, "get_compiler", lambda self, *a, **kw: built.append(self.model)
                        or get_compiler(self, *a, **kw))
    transition(WF, second, "open", actor=world.users["head"], summary="立案（第二件）", note="备注")
    monkeypatch.undo()
    assert StatusChange not in built and Event not in built
    step = StatusChange.objects.filter(case=second).last()
    assert (step.case_id, step.action, step.from_status, step.to_status, step.actor_id, step.note) == (
        second.pk, "open", S.LEAD, S.OPENED, world.users["head"].pk, "备注")
    assert step.at is not None and audit.verify(checkpoints=False).ok
