"""Reads of the credit app. The count of penalties in a window is behind one selector
(:func:`penalty_count`) so the source can switch to the ``cases`` app without touching the grading."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.complaints.selectors import complaint_counts_by_firm
from zhifa.core.selectors import get_scoped, scope

from .models import (
    GRADE_ORDER,
    CreditEvent,
    CreditGrade,
    CreditPublication,
    CreditRuleSet,
    DishonestyCategory,
    DishonestyEntry,
    GradeChange,
    GradePolicy,
    RepairApplication,
    RepairPeriod,
    RepairRegime,
)
from .workflow import Status


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


# Where a decided case came from, as the credit page names it (``Case.origin_type``).
CASE_ORIGINS = {"overload.violation": "overload_cases", "overload.four_penalty": "four_penalty_cases"}


def _decided_penalties(party_ids, *, since: date, until: date):
    """(case pk, party id, origin type) of the penalty decisions of the cases app in [since, until] — every origin:
    cases opened by officers, off-site overload cases, 一超四罚 follow-up cases. A revoked decision is no penalty."""
    qs = Case.objects.filter(party_id__in=list(party_ids), decided_on__gte=since, decided_on__lte=until,
                             outcome=Case.Outcome.PENALTY, revoked_on__isnull=True)
    return list(qs.values_list("pk", "party_id", "origin_type"))


def _ledger_penalties(party_ids, *, since: date, until: date) -> QuerySet:
    """Penalty events of the ledger in the window; those mirroring a case of the cases app are left to that app
    (its decision date and revocation are the truth), so no penalty is counted twice."""
    qs = CreditEvent.objects.filter(party_id__in=list(party_ids), kind=CreditEvent.Kind.PENALTY, occurred_on__gte=since, occurred_on__lte=until)
    return qs.exclude(source_type="cases.case")


def penalty_breakdown(party_id: int, *, since: date, until: date) -> dict:
    """The administrative penalties of the party in [since, until] by source — the one definition behind every
    "近12个月处罚" figure: decided penalty cases of the cases app (of which off-site overload cases and 一超四罚
    follow-up cases), plus the ``penalty`` events of the credit ledger that do not mirror a case (penalties imported
    from the provincial platform before go-live). 一超四罚 triggers are shown beside it: a trigger is a count of
    violations, not a penalty decision, and is not added."""
    ledger = _ledger_penalties([party_id], since=since, until=until)
    decided = _decided_penalties([party_id], since=since, until=until)
    result = {"cases": 0, "overload_cases": 0, "four_penalty_cases": 0}
    for _pk, _pid, origin in decided:
        result["cases"] += 1
        if origin in CASE_ORIGINS:
            result[CASE_ORIGINS[origin]] += 1
    result["ledger"] = ledger.count()
    result["total"] = result["cases"] + result["ledger"]
    result["four_penalty_triggers"] = overload_trigger_count(party_id, since=since, until=until)
    result["since"], result["until"] = since, until
    return result


def penalty_count(party_id: int, *, since: date, until: date) -> int:
    """Administrative penalties decided against the party in [since, until] (:func:`penalty_breakdown`)."""
    return penalty_breakdown(party_id, since=since, until=until)["total"]


def penalty_counts(party_ids, *, since: date, until: date) -> dict[int, int]:
    """:func:`penalty_count` for many parties at once (the draw's target directory), in two queries."""
    party_ids = list(party_ids)
    decided = _decided_penalties(party_ids, since=since, until=until)
    ledger = _ledger_penalties(party_ids, since=since, until=until)
    result = {r["party_id"]: r["n"] for r in ledger.values("party_id").annotate(n=Count("id"))}
    for _pk, pid, _origin in decided:
        result[pid] = result.get(pid, 0) + 1
    return result


def complaint_counts(party_ids, *, since: date, until: date) -> dict[int, int]:
    """Complaints about each firm in the window: the ledger's complaint events plus the complaints app's
    complaints linked to the firm (``complaints.selectors.complaint_counts_by_firm``; counted from
    ``since`` on). Used for the draw weight (seeds 002/004: many complaints raise the sampling ratio)."""
    party_ids = list(party_ids)
    rows = (CreditEvent.objects.filter(party_id__in=party_ids, kind=CreditEvent.Kind.COMPLAINT, occurred_on__gte=since, occurred_on__lte=until)
            .values("party_id").annotate(n=Count("id")))
    result = {r["party_id"]: r["n"] for r in rows}
    wanted = set(party_ids)
    for pid, n in complaint_counts_by_firm(since).items():
        if pid in wanted:
            result[pid] = result.get(pid, 0) + n
    return result


# Counters of 一超四罚 triggers against a party, provided by the app that records them: overload registers its own
# (``OverloadConfig.ready``). Credit sits below overload in the layering (overload proposes listings here) and
# does not import it.
_trigger_counters: list = []


def register_trigger_counter(counter) -> None:
    """Register ``counter(party_ids, *, since, until) -> {party_id: n}`` (once): the parties' triggers in the
    window, counted for many parties at once (the regrading of a county's firms), a party without any left
    out."""
    if counter not in _trigger_counters:
        _trigger_counters.append(counter)


def overload_trigger_counts(party_ids, *, since: date, until: date) -> dict[int, int]:
    """一超四罚 triggers against each party in the window, as counted by the registered counters (a party
    without any is left out; none at all without a counter)."""
    party_ids = list(party_ids)
    result: dict[int, int] = {}
    for counter in _trigger_counters:
        for pid, n in counter(party_ids, since=since, until=until).items():
            result[pid] = result.get(pid, 0) + n
    return result


def overload_trigger_count(party_id: int, *, since: date, until: date) -> int:
    """:func:`overload_trigger_counts` of one party."""
    return overload_trigger_counts([party_id], since=since, until=until).get(party_id, 0)


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
    return scope(DishonestyEntry.objects.select_related("party", "organisation", "category"), user)


def publications_for(user) -> QuerySet:
    return scope(CreditPublication.objects.select_related("party", "organisation"), user)


def repairs_for(user) -> QuerySet:
    return scope(RepairApplication.objects.select_related("publication__party", "regime"), user, "publication__organisation")


def events_for_party(party_id: int, *, days: int = 365, on: date | None = None) -> QuerySet:
    on = on or date.today()
    return CreditEvent.objects.filter(party_id=party_id, occurred_on__gt=on - timedelta(days=days), occurred_on__lte=on)


# --- the serious-dishonesty list ----------------------------------------------------------------------------

def listing_in_force(party_id: int, on: date) -> DishonestyEntry | None:
    """The party's listing in force on ``on`` (decided, not yet removed, ``on`` within its term), or None."""
    return (DishonestyEntry.objects.filter(party_id=party_id, status=Status.LISTED, listed_on__lte=on)
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on)).select_related("category").first())


def listings_in_force(party_ids, on: date) -> dict[int, DishonestyEntry]:
    """:func:`listing_in_force` for many parties at once (the same listing each: the first by primary key)."""
    result: dict[int, DishonestyEntry] = {}
    qs = (DishonestyEntry.objects.filter(party_id__in=list(party_ids), status=Status.LISTED, listed_on__lte=on)
          .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on)).select_related("category").order_by("party_id", "pk"))
    for entry in qs:
        result.setdefault(entry.party_id, entry)
    return result


def latest_listings(party_ids) -> dict[int, DishonestyEntry]:
    """The most recent listing procedure of each party (any state) — for pages of other apps that show where a
    party stands (e.g. overload's 一超四罚 list)."""
    result = {}
    for entry in DishonestyEntry.objects.filter(party_id__in=list(party_ids)).order_by("party_id", "-proposed_on", "-pk"):
        result.setdefault(entry.party_id, entry)
    return result


def dishonesty_entry_for(user, pk: int) -> DishonestyEntry:
    """One listing procedure within the user's jurisdiction (404 otherwise)."""
    return get_scoped(DishonestyEntry.objects.select_related("party", "organisation", "category", "decided_by", "proposed_by"), user, pk=pk)


def categories_in_force(on: date) -> QuerySet:
    return DishonestyCategory.objects.filter(active=True, effective_from__lte=on)


# --- consistency reads (used by ``zhifa check figures``) ----------------------------------------------------
# Pure reads: each recomputes one invariant from the source rows and returns the rows that break it (empty = holds).

def dishonesty_grade_conflicts(on: date | None = None) -> list[dict]:
    """Parties listed on ``on`` whose stored grade is better than the rule set allows for a listed party
    (``CreditRuleSet.listed_max_grade`` of the rule set in force), e.g. a listed firm graded AA or A."""
    on = on or timezone.localdate()
    cap = rule_set_on(on).listed_max_grade
    if not cap:
        return []
    better = GRADE_ORDER[:GRADE_ORDER.index(cap)]
    listed = (DishonestyEntry.objects.filter(status=Status.LISTED, listed_on__lte=on)
              .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on)))
    grades = CreditGrade.objects.filter(party_id__in=listed.values("party_id"), grade__in=better).select_related("party")
    entries = {e.party_id: e for e in listed}
    return [{"party_id": g.party_id, "party": g.party.name, "grade": g.grade, "max_grade": cap, "entry_id": entries[g.party_id].pk,
             "organisation_id": g.organisation_id} for g in grades]


def dishonesty_listings_without_decision() -> list[dict]:
    """Listed entries without a decision document number (国办发〔2020〕49号 (八): a listing is a written decision) —
    entries carried over from the one-step listing are the expected cases."""
    rows = DishonestyEntry.objects.filter(status=Status.LISTED, decision_number="").select_related("party")
    return [{"entry_id": e.pk, "party_id": e.party_id, "party": e.party.name, "listed_on": e.listed_on, "source": e.get_source_display()}
            for e in rows]


def dishonesty_overdue_exits(on: date | None = None) -> list[dict]:
    """Entries still listed after the last day of their term (the nightly exit has not run for them)."""
    on = on or timezone.localdate()
    rows = DishonestyEntry.objects.filter(status=Status.LISTED, expires_on__lt=on).select_related("party")
    return [{"entry_id": e.pk, "party_id": e.party_id, "party": e.party.name, "expires_on": e.expires_on} for e in rows]


def grade_penalty_count_mismatches() -> list[dict]:
    """Stored grades whose "近12个月处罚" differs from a recount over the same window (the window of their rule set
    ending on the day they were computed): a decision recorded after the grade, or a stale grade."""
    out = []
    for g in CreditGrade.objects.select_related("rule_set", "party"):
        since = g.computed_on - timedelta(days=g.rule_set.window_days - 1)
        n = penalty_count(g.party_id, since=since, until=g.computed_on)
        if n != g.penalties_12m:
            out.append({"party_id": g.party_id, "party": g.party.name, "stored": g.penalties_12m, "recount": n, "computed_on": g.computed_on})
    return out
