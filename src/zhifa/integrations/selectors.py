"""Reads of the delivery console: messages in the user's jurisdiction (a message without an organisation is the
city's: only users whose organisation is the root or who have no organisation see it)."""

from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.http import Http404

from zhifa.core.errors import NotPermitted
from zhifa.core.roles import Role, has_role
from zhifa.core.selectors import get_scoped, organisations_for, scope, within

from .models import Message, Reconciliation, Target

CONSOLE_ROLES = (Role.ADMIN, Role.SUPERVISOR)


def assert_console(user) -> None:
    if not has_role(user, *CONSOLE_ROLES):
        raise NotPermitted("forbidden", "只有系统管理员和法制监督人员可以查看接口报送。")


def messages_for(user, *, target: str = "", day: date | None = None, status: str = ""):
    assert_console(user)
    qs = scope(Message.objects.all(), user)
    if target:
        qs = qs.filter(target=target)
    if day:
        qs = qs.filter(created_at__date=day)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("organisation")


def message_get(user, pk: int) -> Message:
    assert_console(user)
    return get_scoped(Message.objects.select_related("organisation"), user, pk=pk)


def daily_summary(user, *, days: int = 14) -> list[dict]:
    """Per target and day (of registration): sent (tried at least once), acknowledged, rejected, pending, dead."""
    qs = messages_for(user).annotate(day=TruncDate("created_at")).values("target", "day").annotate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(attempts__gt=0) | Q(status=Message.Status.ACKNOWLEDGED)),
        acknowledged=Count("pk", filter=Q(status=Message.Status.ACKNOWLEDGED)),
        rejected=Count("pk", filter=Q(status=Message.Status.REJECTED)),
        pending=Count("pk", filter=Q(status__in=[Message.Status.PENDING, Message.Status.SENDING])),
        dead=Count("pk", filter=Q(status=Message.Status.DEAD)),
    ).order_by("-day", "target")
    return list(qs[: days * len(Target.values)])


def failures_for(user):
    """Rejected and dead messages (the dashboard card and the console's default filter)."""
    return messages_for(user).filter(status__in=[Message.Status.REJECTED, Message.Status.DEAD])


def _visible_differences(user):
    """A test of one reconciliation difference: its unit lies in the user's jurisdiction. A difference without a unit
    (or recorded before differences named one) is the city's, like a message without an organisation."""
    root = getattr(user, "organisation", None) is not None and user.organisation.parent_id is None
    if within(user, None) or root:
        return lambda d: True
    ids = set(organisations_for(user).values_list("pk", flat=True))
    return lambda d: d.get("organisation") in ids


def _scoped(row: Reconciliation, keep) -> Reconciliation:
    """The row as the user may see it: the differences and the totals (应报送, 已确认) of the units in their
    jurisdiction only — a county's console counts its own records, not the city's."""
    row.differences = [d for d in row.differences if keep(d)]
    if row.by_organisation or row.expected == 0:
        mine = [v for org, v in row.by_organisation.items() if keep({"organisation": int(org) if org else None})]
        row.expected, row.acknowledged = sum(v[0] for v in mine), sum(v[1] for v in mine)
    return row


def reconciliations_for(user) -> list[Reconciliation]:
    """The daily reconciliations, each with only the differences and totals within the user's jurisdiction (the
    differences name cases and parties: a county sees its own, never another county's)."""
    assert_console(user)
    keep = _visible_differences(user)
    return [_scoped(row, keep) for row in Reconciliation.objects.all()]


def reconciliation_get(user, pk: int) -> Reconciliation:
    assert_console(user)
    row = Reconciliation.objects.filter(pk=pk).first()
    if row is None:
        raise Http404
    return _scoped(row, _visible_differences(user))
