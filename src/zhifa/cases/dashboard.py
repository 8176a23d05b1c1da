"""Dashboard cards of cases: cases at risk (overdue/amber clocks) — an officer's or reviewer's own, a head's whole
jurisdiction — and for heads and reviewers the cases waiting for their act.

The jurisdiction's cards (a head's at-risk card, the waiting queues) are ``unit_figures``, kept per unit and roles
(core.cards); an officer's own at-risk card is computed for them on the indexed nearest deadline."""

from django.urls import reverse

from zhifa.core.roles import Role, has_role

from . import selectors
from .workflow import Status

SHOWN = 8


def _at_risk_card(user, *, mine: bool) -> dict:
    # Counted on the indexed nearest deadline (Case.clock_due_on); clocks computed for the eight rows shown.
    red, amber = selectors.at_risk_counts(user, mine=mine)
    # The card names the party only: joined with the rows (no other relation read).
    rows = selectors.at_risk_rows(selectors.at_risk_page(selectors.at_risk_queryset(user, mine=mine), offset=0, size=SHOWN,
                                                         related=("party",)))
    items = []
    for case, clocks, worst in rows:
        urgent = next((c for c in clocks if c.done_on is None and c.tracked and c.state() == worst), None)
        items.append({"label": f"{case.number} {case.party.name}" + (f"：{urgent.label} {urgent.deadline.date:%m-%d}" if urgent else ""),
                      "url": reverse("cases:detail", args=[case.pk]), "badge": "已超期" if worst == "red" else "即将到期",
                      "badge_class": worst})
    return {"title": "案件期限预警" + ("（我承办的）" if mine else "（本辖区）"), "stat": f"{red} 超期 / {amber} 临近",
            "items": items, "link": reverse("cases:at_risk") + ("?scope=mine" if mine else "")}


def unit_figures(request) -> dict:
    user = request.user
    figures = {}
    if has_role(user, Role.HEAD):
        figures["at_risk"] = _at_risk_card(user, mine=False)
    waiting = []
    if has_role(user, Role.HEAD):
        waiting += [(Status.LEAD, "待审批立案"), (Status.INVESTIGATED, "待审查调查终结报告")]
    if has_role(user, Role.REVIEWER):
        waiting += [(Status.LEGAL_REVIEW, "待法制审核")]
    if waiting:
        qs = selectors.cases_for(user)
        items = []
        for status, label in waiting:
            for case in qs.filter(status=status).order_by("-pk")[:5]:
                flagged = status == Status.LEGAL_REVIEW and case.deviation_reason
                items.append({"label": f"{case.number} {case.party.name}", "url": reverse("cases:detail", args=[case.pk]),
                              "badge": label + ("（偏离裁量建议）" if flagged else ""), "badge_class": "amber" if flagged else ""})
        figures["waiting"] = {"title": "待我办理的案件", "stat": len(items), "items": items, "link": reverse("cases:list")}
    return figures


def widgets(request, figures: dict | None = None) -> list[dict]:
    """The cards, from the jurisdiction figures kept for the unit (computed here when not given)."""
    if figures is None:
        figures = unit_figures(request)
    user = request.user
    result = []
    if has_role(user, Role.OFFICER, Role.HEAD, Role.REVIEWER):
        result.append(figures["at_risk"] if "at_risk" in figures else _at_risk_card(user, mine=True))
    if "waiting" in figures:
        result.append(figures["waiting"])
    return result
