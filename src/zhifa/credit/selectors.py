"""Reads of the credit app. The count of penalties in a window is behind one selector
(:func:`penalty_count`) so the source can switch to the ``cases`` app without touching the grading."""

from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, QuerySet

from zhifa.core.selectors import scope

from .models import (
    CreditEvent,
    CreditGrade,
    CreditPublication,
    CreditRuleSet,
    DishonestyEntry,
    GradeChange,
    GradePolicy,
    RepairApplication,
    RepairPeriod,
    RepairRegime,
)


def rule_set_on(day: date) -> CreditRuleSet:
    """The grading rule set in force on ``day`` (latest effective_from not after it)."""
    rs = CreditRuleSet.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if rs is None:
        from zhifa.core.errors import DomainError

        raise DomainError("no_credit_rules", f"{day}没有生效的信用评价规则，请管理员先配置。")
    return rs


def regime_on(day: date) -> RepairRegime:
    """The credit-repair regime that applies to an application made on ``day``: the 2023 measures (NDRC Order
    No. 58) before 2026-04-01, the 《信用修复管理办法》 from then on (legal-reference §8)."""
    regime = RepairRegime.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if regime is None:
        from zhifa.core.errors import DomainError

        raise DomainError("no_repair_regime", f"{day}没有适用的信用修复制度。")
    return regime


def repair_period(regime: RepairRegime, publication: CreditPublication) -> RepairPeriod:
    """The publication period of ``publication`` under ``regime``: a tiered regime looks up the severity, the
    2023 regime has one period (longer for the special fields)."""
    periods = list(regime.periods.all())
    for p in periods:
        if p.severity == publication.severity and p.special_field == publication.special_field:
            return p
    for p in periods:
        if p.severity == "any" and p.special_field == publication.special_field:
            return p
    for p in periods:
        if p.severity in ("any", publication.severity) and not p.special_field:
            return p
    raise LookupError(f"no period for {regime.code}/{publication.severity}")


def _cases_penalty_model():
    """The cases app's penalty source when it exists: a model with a party and a decision date."""
    try:
        model = apps.get_model("cases", "Case")
    except LookupError:
        return None
    names = {f.name for f in model._meta.get_fields()}
    if {"party", "decided_on", "outcome"} <= names:
        return model
    return None


def penalty_count(party_id: int, *, since: date, until: date) -> int:
    """Administrative penalties decided against the party in [since, until]. Source: the ``penalty`` events of
    the credit ledger, which the cases app (and this app's tests and demo) append through
    ``credit_event_record``; when the cases app exposes decided cases they are counted from there too, without
    double counting the ones already mirrored in the ledger."""
    ledger = CreditEvent.objects.filter(party_id=party_id, kind=CreditEvent.Kind.PENALTY, occurred_on__gte=since, occurred_on__lte=until)
    count = ledger.count()
    model = _cases_penalty_model()
    if model is not None:
        mirrored = set(ledger.filter(source_type="cases.case").values_list("source_id", flat=True))
        decided = model.objects.filter(party_id=party_id, decided_on__gte=since, decided_on__lte=until, outcome="penalty")
        count += sum(1 for pk in decided.values_list("pk", flat=True) if str(pk) not in mirrored)
    return count


def penalty_counts(party_ids, *, since: date, until: date) -> dict[int, int]:
    """:func:`penalty_count` for many parties at once (the draw's target directory), in two queries."""
    party_ids = list(party_ids)
    ledger = CreditEvent.objects.filter(party_id__in=party_ids, kind=CreditEvent.Kind.PENALTY, occurred_on__gte=since, occurred_on__lte=until)
    result = {r["party_id"]: r["n"] for r in ledger.values("party_id").annotate(n=Count("id"))}
    model = _cases_penalty_model()
    if model is not None:
        mirrored = set(ledger.filter(source_type="cases.case").values_list("source_id", flat=True))
        decided = model.objects.filter(party_id__in=party_ids, decided_on__gte=since, decided_on__lte=until, outcome="penalty")
        for pk, pid in decided.values_list("pk", "party_id"):
            if str(pk) not in mirrored:
                result[pid] = result.get(pid, 0) + 1
    return result


def complaint_counts(party_ids, *, since: date, until: date) -> dict[int, int]:
    """Complaints about each firm in the window: the ledger's complaint events plus, when the complaints app is
    installed, its complaints linked to the firm (``complaints.selectors.complaint_counts_by_firm``; counted from
    ``since`` on). Used for the draw weight (seeds 002/004: many complaints raise the sampling ratio)."""
    party_ids = list(party_ids)
    rows = (CreditEvent.objects.filter(party_id__in=party_ids, kind=CreditEvent.Kind.COMPLAINT, occurred_on__gte=since, occurred_on__lte=until)
            .values("party_id").annotate(n=Count("id")))
    result = {r["party_id"]: r["n"] for r in rows}
    try:
        from zhifa.complaints.selectors import complaint_counts_by_firm
    except ImportError:
        return result
    wanted = set(party_ids)
    for pid, n in complaint_counts_by_firm(since).items():
        if pid in wanted:
            result[pid] = result.get(pid, 0) + n
    return result


def overload_trigger_count(party_id: int, *, since: date, until: date) -> int:
    """一超四罚 triggers of the overload app against the party in the window (0 when the app is absent)."""
    try:
        model = apps.get_model("overload", "FourPenaltyTrigger")
    except LookupError:
        return 0
    return model.objects.filter(party_id=party_id, triggered_on__gte=since, triggered_on__lte=until).count()


def grades_for(party_ids) -> dict[int, str]:
    """Current grade per party; a party never graded counts as B (the ordinary grade)."""
    found = dict(CreditGrade.objects.filter(party_id__in=list(party_ids)).values_list("party_id", "grade"))
    return {pid: found.get(pid, "B") for pid in party_ids}


def sampling_weights(day: date) -> dict[str, Decimal]:
    """Draw weight per grade from the rule set in force on ``day``."""
    rs = rule_set_on(day)
    return {p.grade: p.sampling_weight for p in GradePolicy.objects.filter(rule_set=rs)}


def grades_for_user(user) -> QuerySet:
    return scope(CreditGrade.objects.select_related("party", "rule_set"), user)


def grade_distribution(user) -> dict[str, int]:
    rows = grades_for_user(user).values("grade").annotate(n=Count("id"))
    counts = {g: 0 for g in ("AA", "A", "B", "C", "D")}
    counts.update({r["grade"]: r["n"] for r in rows})
    return counts


def grade_changes_for(user) -> QuerySet:
    return scope(GradeChange.objects.select_related("party"), user, "party__organisation")


def dishonesty_for(user) -> QuerySet:
    return scope(DishonestyEntry.objects.select_related("party", "organisation"), user)


def publications_for(user) -> QuerySet:
    return scope(CreditPublication.objects.select_related("party", "organisation"), user)


def repairs_for(user) -> QuerySet:
    return scope(RepairApplication.objects.select_related("publication__party", "regime"), user, "publication__organisation")


def events_for_party(party_id: int, *, days: int = 365, on: date | None = None) -> QuerySet:
    on = on or date.today()
    return CreditEvent.objects.filter(party_id=party_id, occurred_on__gt=on - timedelta(days=days), occurred_on__lte=on)
