"""The workflow kernel: one way to move anything that has a status (a case, a coercive measure, a listing …).

Each app keeps its own table in its ``workflow.py`` (read like Signalen's): a list of ``Transition`` rows
wrapped in a ``Workflow`` that also names the model, its history model and the words of its refusals.
A service then

1. calls ``wf.check(action, obj, actor)`` early, before it validates its input, so a refused move says why
   (jurisdiction → role → state, in that order; ``NotPermitted`` / ``TransitionNotAllowed``), and
2. calls ``transition(wf, obj, action, actor=…, summary=…, fields=…)``, which in one transaction checks the
   jurisdiction and the table again, updates the row with a condition on its old state (``filter(pk=…, status=old).update(…)``
   must touch exactly one row, else ``TransitionNotAllowed("concurrent_change")``), appends the history
   step, writes the full-process record (``core.audit``) and registers the side effects to run after the
   commit.

API (stable; other apps build on it):

``Transition(action, label, sources, target=None, roles=(), targets=())``
    ``target=None`` is an act that keeps the state, or — with ``targets`` — a move whose target the service
    chooses among ``targets``. ``roles=()`` lets anybody within the jurisdiction (and the system) take it;
    ``SYSTEM`` (``None``) in ``roles`` lets the system (``actor=None``) take it beside the roles named.
    ``NEW`` (``""``) as a source is the state of an object not yet created.

``Workflow(name=…, model="app.Model", history="app.Step", history_subject="fk name",
audit_prefix="app.", noun="该…", transitions=[…], acts=[…], states=TextChoices, …)``
    Options: ``status_field``; the refusal templates ``refused``, ``concurrent``, ``role_refused``,
    ``system_refused`` (``{noun}``, ``{state}``, ``{label}``, ``{roles}`` are filled in); ``touch`` (a
    timestamp column set on every move); ``organisation`` (obj → the unit the record names, default
    ``obj.organisation``); ``jurisdiction(actor, obj)`` (refuses when the actor may not act on the object;
    default: ``organisation(obj)`` within the actor's subtree); ``audit_exclude`` (columns kept out of the
    record); ``on_move(obj, action)``
    (called inside the transaction after each move, e.g. an outbox message); ``snapshot(obj) -> dict`` (what the
    record shows of the object when the app's view is wider than its row, e.g. with its links).
    ``wf.transitions`` / ``wf.acts`` (dicts by action), ``wf.get(action)``, ``wf.allowed(action, status)``,
    ``wf.next_actions(status)``, ``wf.state_label(status)``, ``wf.check(action, obj_or_status, actor,
    organisation=None)``, ``wf.check_role(transition, actor)``, ``wf.check_jurisdiction(actor, obj)``. Models are named by label, so the table
    can live beside the ``Status`` the models import.

``transition(wf, obj, action, *, actor, summary, target=None, fields=None, note="", step=None,
effects=(), audit_after=None, audit_subject=None, audit_changes=None, expect=None) -> obj``
    The move itself (see above), refused unless the actor may act on ``obj`` (``check_jurisdiction``: every
    caller passes the acting user; ``None`` is the system). ``fields``: other columns written by the same UPDATE; ``step``: extra
    columns of the history row (e.g. the date of the act); ``note``: the history row's note (default the
    summary); ``effects``: callables run by ``transaction.on_commit``; ``audit_after``: what the record
    shows instead of the row's snapshot; ``audit_subject``: the object the record names when the act belongs to
    another's full-process record (a payment notice's moves are recorded on its case); ``audit_changes``: the
    record's changes instead of the snapshots' difference; ``expect``: other columns the row must still hold for the UPDATE to
    touch it (e.g. the deadline an extension starts from), else ``concurrent_change``. ``obj`` is refreshed from the database and returned.

``created(wf, obj, action, *, actor, summary, note="", step=None, effects=(), audit_after=None,
audit_subject=None) -> obj``
    The first step of an object the service has just inserted in its first state: history row from
    ``NEW`` and the record, in the caller's transaction.

``note_step(wf, obj, action, *, actor, note, summary="", step=None)``
    A recorded act beside a move that changes nothing in the row (history row keeping the state, record).

Transactions: ``transition``, ``created`` and ``note_step`` write in the caller's transaction (their own
when there is none) and open **no savepoint** (``atomic(savepoint=False)``): a move runs inside its service's
block, and the savepoint cost two statements a move (issue 19). That is safe because nothing they refuse is
refused from inside their block: jurisdiction, role and table are checked before it, a concurrent change is
raised after it (its UPDATE touched no row), so a caller that catches a refusal keeps a usable transaction.
A fault inside the block (a database error, a failing ``on_move``) marks the caller's transaction for
rollback: let it propagate, or wrap the call in an ``atomic()`` of its own to catch it and go on
(``core.bulk.run`` does, per row). Tests: ``tests/test_workflow_kernel.py`` ("savepoint").

``AbstractStep``
    The history row every app's step model inherits (action, from/to state, actor, note, at); statuses are
    appended, never edited. A subclass adds the foreign key to its subject, ``STATES`` (its TextChoices, for
    ``from_label``/``to_label``) and, where it has them, columns of its own (e.g. the date of the act).
    ``action_label`` reads ``ACTION_LABELS``, else the label of the action in the table whose ``history`` the
    model is (the app's ``workflow.py``), so the words are written once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.utils import timezone

from zhifa.core import audit
from zhifa.core.db import Compiled, insert
from zhifa.core.errors import NotPermitted, TransitionNotAllowed
from zhifa.core.roles import Role, has_role
from zhifa.core.services import assert_in_jurisdiction

NEW = ""  # the state of an object not yet created (source of the actions that create one)
SYSTEM = None  # in ``Transition.roles``: the system (``actor=None``) may take the action


@dataclass(frozen=True)
class Transition:
    """One row of a transition table: the action, its label as users read it, the states it may start
    from, the state it leads to (``None``: the state is kept, or chosen among ``targets``) and the roles
    that may take it."""

    action: str
    label: str
    sources: frozenset
    target: str | None = None
    roles: tuple = ()
    targets: frozenset = frozenset()

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(self.sources))
        object.__setattr__(self, "roles", tuple(self.roles))
        object.__setattr__(self, "targets", frozenset(self.targets))

    @property
    def moves(self) -> bool:
        """Whether the action can change the state (an act keeping it does not)."""
        return self.target is not None or bool(self.targets)


class Workflow:
    """One state machine: its table, the model whose ``status_field`` it moves, the history model it
    appends to and the words of its refusals (``{noun}``, ``{state}``, ``{label}``, ``{roles}`` are
    filled in)."""

    def __init__(
        self,
        *,
        name: str,
        model: str,
        transitions: Iterable[Transition],
        acts: Iterable[Transition] = (),
        history: str | None = None,
        history_subject: str = "",
        audit_prefix: str,
        noun: str,
        states: type[models.TextChoices] | None = None,
        status_field: str = "status",
        new_label: str = "未登记",
        refused: str = "{noun}当前状态为“{state}”，不能{label}。",
        concurrent: str = "{noun}已被他人处理，请刷新后重试。",
        role_refused: str = "您没有“{label}”的权限。",
        system_refused: str = "{label}须由具有相应职责的人员办理。",
        touch: str = "",
        organisation: Callable | None = None,
        audit_exclude: Iterable[str] = (),
        on_move: Callable[[models.Model, str], None] | None = None,
        snapshot: Callable[[models.Model], dict] | None = None,
        jurisdiction: Callable[[object, models.Model], None] | None = None,
    ):
        self.name = name
        self.transitions: dict[str, Transition] = {t.action: t for t in transitions}
        self.acts: dict[str, Transition] = {t.action: t for t in acts}
        clash = set(self.transitions) & set(self.acts)
        if clash:
            raise ValueError(f"{name}: actions both moves and acts: {sorted(clash)}")
        for t in self.acts.values():
            if t.moves:
                raise ValueError(f"{name}: act {t.action} has a target")
        self._model, self._history = model, history
        self.history_subject = history_subject
        self.audit_prefix = audit_prefix
        self.noun, self.states, self.status_field, self.new_label = noun, states, status_field, new_label
        self.refused, self.concurrent = refused, concurrent
        self.role_refused, self.system_refused = role_refused, system_refused
        self.touch = touch  # a timestamp column set on every move (e.g. ``updated_at``)
        self.organisation = organisation or (lambda obj: obj.organisation)
        self.on_move = on_move  # called inside the transaction after each move (e.g. an outbox message)
        self._snapshot = snapshot  # the record's view of the row when the app's is wider (e.g. with its links)
        self._jurisdiction = jurisdiction  # (actor, obj) → refuses; default: the unit in the actor's subtree
        self.audit_exclude = frozenset(
            audit_exclude
        )  # columns never written into the record (e.g. a secret code)

    def __repr__(self):
        return f"<Workflow {self.name}>"

    def snapshot(self, obj) -> dict:
        """The row as the full-process record shows it (without ``audit_exclude``)."""
        if self._snapshot is not None:
            return self._snapshot(obj)
        if not self.audit_exclude:
            return audit.snapshot(obj)
        return audit.snapshot(
            obj,
            [
                f.attname
                for f in obj._meta.concrete_fields
                if f.name not in self.audit_exclude and f.attname not in self.audit_exclude
            ],
        )

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self._model)

    @property
    def history(self) -> type[models.Model] | None:
        return apps.get_model(self._history) if self._history else None

    # --- reading the table --------------------------------------------------------------------------------

    def get(self, action: str) -> Transition:
        """The row of ``action`` (a move or an act); KeyError for an action the table does not know."""
        t = self.transitions.get(action) or self.acts.get(action)
        if t is None:
            raise KeyError(f"{self.name}: no action {action!r}")
        return t

    def allowed(self, action: str, status: str) -> bool:
        t = self.transitions.get(action) or self.acts.get(action)
        return t is not None and status in t.sources

    def next_actions(self, status: str) -> list[Transition]:
        """Moves and acts available from ``status`` (what a detail page offers)."""
        return [t for t in (*self.transitions.values(), *self.acts.values()) if status in t.sources]

    def state_label(self, status: str) -> str:
        if status == NEW:
            return self.new_label
        if self.states is not None and status in self.states.values:
            return self.states(status).label
        return status

    def _words(self, template: str, t: Transition, status: str = "") -> str:
        roles = "、".join(Role(r).label for r in t.roles if r is not SYSTEM)
        return template.format(noun=self.noun, state=self.state_label(status), label=t.label, roles=roles)

    # --- refusing -----------------------------------------------------------------------------------------

    def check_jurisdiction(self, actor, obj) -> None:
        """Refuse (``NotPermitted("out_of_jurisdiction")``) unless ``actor`` may act on ``obj``: by default the
        unit the record names (``organisation``) lies in the actor's subtree (``core.services``); the system
        (``None``) acts everywhere. An app with a wider rule (a drawn inspector) passes ``jurisdiction=``."""
        if actor is None:
            return
        if self._jurisdiction is not None:
            self._jurisdiction(actor, obj)
        else:
            assert_in_jurisdiction(actor, self.organisation(obj))

    def check(self, action: str, obj_or_status, actor, *, organisation=None) -> Transition:
        """Refuse unless ``actor`` may take ``action`` on ``obj_or_status`` (a model instance, or a state —
        ``NEW`` for an object not created yet — with its ``organisation``; ``None``: role and jurisdiction
        only, the state is checked by ``transition``): jurisdiction, role, then the state. Returns the
        transition."""
        t = self.get(action)
        if isinstance(obj_or_status, models.Model):
            status = getattr(obj_or_status, self.status_field)
            if organisation is None:
                self.check_jurisdiction(actor, obj_or_status)
        else:
            status = obj_or_status
        if organisation is not None:
            assert_in_jurisdiction(actor, organisation)
        self.check_role(t, actor)
        if status is not None and status not in t.sources:
            raise TransitionNotAllowed("transition_not_allowed", self._words(self.refused, t, status))
        return t

    def check_role(self, t: Transition, actor) -> None:
        roles = [r for r in t.roles if r is not SYSTEM]
        if not t.roles:
            return  # anybody within the jurisdiction, the system included
        if actor is None:
            if SYSTEM not in t.roles:
                raise NotPermitted("forbidden", self._words(self.system_refused, t))
            return
        if not roles or not has_role(actor, *roles):
            raise NotPermitted("forbidden", self._words(self.role_refused, t))


# ----------------------------------------------------------------------------------------------------------
# moving


def _actor_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def _append_step(
    wf: Workflow, obj, action: str, *, actor, from_status: str, to_status: str, note: str, step: dict | None
):
    history = wf.history
    if history is None:
        return None
    limit = history._meta.get_field("note").max_length
    values = {
        wf.history_subject: obj,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "actor": _actor_or_none(actor),
        "note": note[:limit] if limit else note,
    }
    values.update(step or {})
    row = history(**values)
    insert(row)  # history.objects.create(**values), its INSERT made once per model and connection
    return row


def _refresh_with_relations(obj) -> None:
    """``obj.refresh_from_db()``, reading again in the same query the related rows the caller had loaded (the
    organisation, the party …): the record names them and the next step uses them, and a plain refresh drops
    them all, so each was loaded again by its own query after every move. They are read from the database
    after the update, as the record and the on-commit effects must see them, never kept from before the move
    (0349c0b).

    The query is compiled once per model, set of relations and connection (``_refresher``): compiling the
    case's row with its relations (~150 columns) cost more than reading it, at every move. What is done with
    the row is what ``Model.refresh_from_db`` does with it (Django 5.2); an object with deferred fields takes
    ``refresh_from_db`` itself."""
    related = tuple(f.name for f in obj._meta.concrete_fields if f.is_relation and f.is_cached(obj))
    model = type(obj)
    if obj.get_deferred_fields() or not isinstance(model._meta.pk, models.IntegerField):
        obj.refresh_from_db(from_queryset=model._base_manager.select_related(*related) if related else None)
        return
    fresh = _refresher(model, related).first(obj.pk, using=obj._state.db or DEFAULT_DB_ALIAS)
    if fresh is None:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    obj._prefetched_objects_cache = {}
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(fresh, field.attname))
        if field.is_relation:
            if field.is_cached(fresh):
                field.set_cached_value(obj, field.get_cached_value(fresh))
            elif field.is_cached(obj):
                field.delete_cached_value(obj)
    for rel in obj._meta.related_objects:
        if rel.is_cached(obj):
            rel.delete_cached_value(obj)
    for field in obj._meta.private_fields:
        if field.is_relation and field.is_cached(obj):
            field.delete_cached_value(obj)
    obj._state.db = fresh._state.db


@cache  # one per model and set of relations, kept: its compiled query is found on the connection by this object
def _refresher(model, related: tuple[str, ...]) -> Compiled:
    # The key is the query's only parameter: 1 stands for it (an integer within every integer key's range).
    # (``select_related()`` without names would follow every relation: none is asked for then.)
    def build(pk):
        rows = model._base_manager.filter(pk=pk)
        return rows.select_related(*related) if related else rows

    return Compiled(build, placeholder=1)


def transition(
    wf: Workflow,
    obj,
    action: str,
    *,
    actor,
    summary: str,
    target: str | None = None,
    fields: dict | None = None,
    note: str = "",
    step: dict | None = None,
    effects: Iterable[Callable[[], None]] = (),
    audit_after: dict | None = None,
    audit_subject=None,
    audit_changes: dict | None = None,
    expect: dict | None = None,
):
    """Move ``obj`` by ``action`` (see the module docstring): table, role, conditional UPDATE of one row,
    history step, full-process record and on-commit side effects, atomically. Returns ``obj`` refreshed."""
    t = wf.get(action)
    old = getattr(obj, wf.status_field)
    wf.check_jurisdiction(actor, obj)
    wf.check_role(t, actor)
    if old not in t.sources:
        raise TransitionNotAllowed("transition_not_allowed", wf._words(wf.refused, t, old))
    target = target or t.target or old
    if target not in (t.targets or {t.target or old}):
        raise TransitionNotAllowed(
            "transition_not_allowed", f"{t.label}不能使{wf.noun}进入“{wf.state_label(target)}”。"
        )
    values = dict(fields or {})
    if wf.touch:
        values.setdefault(wf.touch, timezone.now())
    model = type(obj)
    with transaction.atomic(savepoint=False):  # no savepoint: see "Transactions" in the module docstring
        before = wf.snapshot(obj)
        moved = model.objects.filter(pk=obj.pk, **{wf.status_field: old}, **(expect or {})).update(
            **{wf.status_field: target}, **values
        ) == 1
        if moved:
            _refresh_with_relations(obj)
            _append_step(
                wf, obj, action, actor=actor, from_status=old, to_status=target, note=note or summary,
                step=step,
            )
            audit.record(
                actor=actor,
                action=f"{wf.audit_prefix}{action}",
                subject=obj if audit_subject is None else audit_subject,
                summary=summary,
                before=None if audit_after is not None else before,
                after=audit_after if audit_after is not None else wf.snapshot(obj),
                changes=audit_changes,
                organisation=wf.organisation(obj),
                read_back=obj,
            )
            if wf.on_move is not None:
                wf.on_move(obj, action)
            for effect in effects:
                transaction.on_commit(effect)
    if not moved:  # raised after the block, which wrote nothing: the caller's transaction stays usable
        raise TransitionNotAllowed("concurrent_change", wf._words(wf.concurrent, t, old))
    return obj


def created(
    wf: Workflow,
    obj,
    action: str,
    *,
    actor,
    summary: str,
    note: str = "",
    step: dict | None = None,
    effects: Iterable[Callable[[], None]] = (),
    audit_after: dict | None = None,
    audit_subject=None,
):
    """Record the first step of ``obj``, just inserted by the service in its first state: the history row from
    ``NEW`` and the full-process record (the caller holds the transaction and has checked the table)."""
    wf.check_jurisdiction(actor, obj)
    with transaction.atomic(savepoint=False):  # see "Transactions" in the module docstring
        _append_step(
            wf,
            obj,
            action,
            actor=actor,
            from_status=NEW,
            to_status=getattr(obj, wf.status_field),
            note=note or summary,
            step=step,
        )
        audit.record(
            actor=actor,
            action=f"{wf.audit_prefix}{action}",
            subject=obj if audit_subject is None else audit_subject,
            summary=summary,
            after=audit_after if audit_after is not None else wf.snapshot(obj),
            organisation=wf.organisation(obj),
        )
        for effect in effects:
            transaction.on_commit(effect)
    return obj


def note_step(
    wf: Workflow, obj, action: str, *, actor, note: str, summary: str = "", step: dict | None = None
):
    """A recorded act that is neither in the table nor a change of the row (e.g. a head's written override
    beside the move it accompanies): a history row keeping the state, and the record."""
    wf.check_jurisdiction(actor, obj)
    status = getattr(obj, wf.status_field)
    with transaction.atomic(savepoint=False):  # see "Transactions" in the module docstring
        _append_step(wf, obj, action, actor=actor, from_status=status, to_status=status, note=note, step=step)
        audit.record(
            actor=actor,
            action=f"{wf.audit_prefix}{action}",
            subject=obj,
            summary=summary or note,
            organisation=wf.organisation(obj),
        )


# ----------------------------------------------------------------------------------------------------------
# history


class AbstractStep(models.Model):
    """One appended step of an object's procedure: which action moved it from which state to which, who
    took it, when, and a note. Statuses are appended, never edited. Each app's step model inherits this
    and adds the foreign key to its subject (``related_name="steps"`` or the app's own) and ``STATES``
    (its TextChoices)."""

    STATES: type[models.TextChoices] | None = None
    ACTION_LABELS: dict[str, str] = {}

    action = models.CharField("动作", max_length=40)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("说明", max_length=500, blank=True)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def _label(self, status: str) -> str:
        if not status:
            return "—"
        if self.STATES is not None and status in self.STATES.values:
            return self.STATES(status).label
        return status

    @property
    def from_label(self) -> str:
        return self._label(self.from_status)

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)

    @property
    def action_label(self) -> str:
        if self.action in self.ACTION_LABELS:
            return self.ACTION_LABELS[self.action]
        wf = _workflow_of(type(self))
        t = wf and (wf.transitions.get(self.action) or wf.acts.get(self.action))
        return t.label if t else self.action


@cache
def _workflow_of(step_model) -> Workflow | None:
    """The workflow in the step model's app (its ``workflow.py``) whose ``history`` the model is."""
    try:
        module = import_module(f"{step_model._meta.app_config.name}.workflow")
    except ModuleNotFoundError:
        return None
    label = step_model._meta.label_lower
    return next(
        (v for v in vars(module).values() if isinstance(v, Workflow) and (v._history or "").lower() == label),
        None,
    )
