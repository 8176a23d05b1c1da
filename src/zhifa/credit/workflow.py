"""The explicit transition table of a serious-dishonesty listing (严重失信主体名单认定). Every step in ``services``
looks its action up here: the states it may start from, the state it leads to and the roles that may take it
(``None`` in ``roles`` = the system may take it, e.g. 一超四罚 proposing or the nightly expiry). Anything not in
the table is refused (``TransitionNotAllowed``).

国办发〔2020〕49号 (八): before deciding, the authority tells the party the reasons, the basis and its rights and
hears its statement and defence; the listing is a written decision naming the facts, reasons, basis, the
disciplinary measures, the exit conditions and procedure and the remedies. The list has a term (exit on expiry)
and a party that has corrected its conduct may leave earlier by credit repair (《信用修复管理办法》, 2026)."""

from dataclasses import dataclass

from django.db import models

from zhifa.core.roles import Role


class Status(models.TextChoices):
    PROPOSED = "proposed", "拟列入（待告知）"
    NOTIFIED = "notified", "已告知（陈述申辩期）"
    LISTED = "listed", "在列（公示中）"
    NOT_LISTED = "not_listed", "不予列入"
    REMOVED = "removed", "已移出"


S = Status
NEW = ""
SYSTEM = None
OFFICER, HEAD = Role.OFFICER, Role.HEAD

# A party has at most one open procedure (DB constraint ``dishonesty_one_open``).
OPEN = frozenset({S.PROPOSED, S.NOTIFIED, S.LISTED})


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset
    target: str | None  # None: an act that keeps the state
    roles: tuple


def _t(action, label, sources, target, roles):
    return Transition(action, label, frozenset(sources), target, tuple(roles))


TRANSITIONS: dict[str, Transition] = {t.action: t for t in [
    # A proposal by an officer, or by the system for 一超四罚 (交办公路〔2017〕8号) — never a listing by itself.
    _t("propose", "提出列入建议", {NEW}, S.PROPOSED, (OFFICER, HEAD, SYSTEM)),
    # 49号 (八): prior notice of the reasons, basis and the right to state and defend (告知书).
    _t("notify", "告知（送达告知书）", {S.PROPOSED}, S.NOTIFIED, (OFFICER, HEAD)),
    _t("state", "记录陈述申辩", {S.NOTIFIED}, None, (OFFICER, HEAD)),
    # The decision is the head's (负责人), after the statement period or after hearing the statement.
    _t("decide_list", "决定列入（制作决定书）", {S.NOTIFIED}, S.LISTED, (HEAD,)),
    _t("decide_not_list", "决定不予列入", {S.PROPOSED, S.NOTIFIED}, S.NOT_LISTED, (HEAD,)),
    # Exit: the term has run out (the nightly job, or the head), or early by credit repair.
    _t("expire", "有效期届满移出", {S.LISTED}, S.REMOVED, (HEAD, SYSTEM)),
    _t("repair_remove", "信用修复提前移出", {S.LISTED}, S.REMOVED, (HEAD,)),
]}


def get(action: str) -> Transition:
    return TRANSITIONS[action]


def next_actions(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
