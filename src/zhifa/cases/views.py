"""Officer UI of cases: lists with clocks, the at-risk list, lead and simplified-procedure forms, and the case
page (timeline, clocks, and only the next allowed actions). Each view parses a form and calls one service."""

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from zhifa.core import audit
from zhifa.core.errors import DomainError
from zhifa.core.evidence import evidence_serve
from zhifa.core.roles import has_role
from zhifa.core.selectors import organisations_for, parties_for, vehicles_for

from . import clocks, execution, forms, leniency, penalties, preservation, selectors, services, workflow
from .models import Case, CaseDocument, EvidencePreservation

# action → (form class, whether the form takes user/case, service call, success message)
ACTIONS = {
    "open": (forms.OpenForm, lambda r, c, d: services.case_open(actor=r.user, case=c, officers=list(d["officers"]),
                                                                limitation_override=d["limitation_override"]), "已批准立案"),
    "decline": (forms.ReasonForm, lambda r, c, d: services.case_decline(actor=r.user, case=c, reason=d["reason"]), "已决定不予立案"),
    "discovery": (forms.DiscoveryForm, lambda r, c, d: services.case_discovery_record(actor=r.user, case=c, **d), "已记录发现日期"),
    "set_review": (forms.SetReviewForm, lambda r, c, d: services.case_set_review(actor=r.user, case=c, **d), "已设定"),
    "report": (forms.ReportForm, lambda r, c, d: services.case_report(actor=r.user, case=c, **d), "已提交调查终结报告"),
    "internal_review": (forms.InternalReviewForm, lambda r, c, d: services.case_internal_review(actor=r.user, case=c, **d), "已审查"),
    "legal_review": (forms.LegalReviewForm, lambda r, c, d: services.case_legal_review(actor=r.user, case=c, **d), "已提交法制审核意见"),
    "range_check": (forms.RangeCheckForm, lambda r, c, d: services.case_range_check(actor=r.user, case=c, **d), "已记录罚款幅度核对"),
    "discuss": (forms.DiscussForm, lambda r, c, d: services.case_discuss(actor=r.user, case=c, **d), "已记录集体讨论"),
    "provisions": (forms.ProvisionsForm, lambda r, c, d: services.case_set_provisions(actor=r.user, case=c, **d), "已写明违反条款和处罚依据"),
    "notify": (forms.NotifyForm, lambda r, c, d: services.case_notify(actor=r.user, case=c, **d), "已告知拟处罚"),
    "statement": (forms.StatementForm, lambda r, c, d: services.case_statement(actor=r.user, case=c, **d), "已记录陈述申辩"),
    "waive": (forms.WaiveForm, lambda r, c, d: services.case_waive(actor=r.user, case=c, **d), "已记录当事人放弃权利"),
    "hearing_request": (forms.HearingRequestForm, lambda r, c, d: services.case_hearing_request(actor=r.user, case=c, **d), "已记录听证申请"),
    "hearing_schedule": (forms.HearingScheduleForm, lambda r, c, d: services.case_hearing_schedule(actor=r.user, case=c, **d), "已通知听证"),
    "hearing_hold": (forms.HearingHoldForm, lambda r, c, d: services.case_hearing_hold(actor=r.user, case=c, **d), "已记录听证"),
    "decide": (forms.DecideForm, lambda r, c, d: services.case_decide(actor=r.user, case=c, **d), "已作出处罚决定"),
    "no_penalty": (forms.NoPenaltyForm, lambda r, c, d: services.case_no_penalty(actor=r.user, case=c, **d), "已作出不予处罚决定"),
    "deliver": (forms.DeliverForm, lambda r, c, d: services.case_deliver(actor=r.user, case=c, **d), "已送达"),
    "close": (forms.CloseForm, lambda r, c, d: services.case_close(actor=r.user, case=c, **d), "已结案"),
    "archive": (forms.EmptyForm, lambda r, c, d: services.case_archive(actor=r.user, case=c), "已归档"),
    "withdraw": (forms.ReasonForm, lambda r, c, d: services.case_withdraw(actor=r.user, case=c, **d), "已撤销立案"),
    "transfer": (forms.TransferForm, lambda r, c, d: services.case_transfer(actor=r.user, case=c, **d), "已移送"),
    "revoke": (forms.ReasonForm, lambda r, c, d: services.case_revoke(actor=r.user, case=c, **d), "已撤销处罚决定"),
    "correct": (forms.CorrectForm, lambda r, c, d: services.case_correct(actor=r.user, case=c, **d), "已补正"),
    "extend": (forms.ExtendForm, lambda r, c, d: services.case_extend(actor=r.user, case=c, **d), "已延长办案期限"),
    "suspend": (forms.SuspendForm, lambda r, c, d: services.case_suspend(actor=r.user, case=c, **d), "办案期限已中止"),
    "resume": (forms.ResumeForm, lambda r, c, d: services.case_resume(actor=r.user, case=c, **d), "办案期限已恢复计算"),
    "list_apply": (forms.ListApplyForm, lambda r, c, d: leniency.case_list_apply(actor=r.user, case=c, **d), "已记录适用清单的事实"),
    "preserve": (forms.PreservationRequestForm, lambda r, c, d: preservation.preservation_request(actor=r.user, case=c, **d),
                 "已提交先行登记保存申请，待负责人批准"),
    "sample": (forms.SamplingForm, lambda r, c, d: preservation.sampling_record(actor=r.user, case=c, **d), "已抽样取证并制作抽样取证凭证"),
    "execute": (forms.ExecutionForm, lambda r, c, d: execution.execution_issue(actor=r.user, case=c, **d), "已制作行政强制执行文书"),
    "commitment_sign": (forms.CommitmentSignForm, lambda r, c, d: leniency.case_commitment_sign(actor=r.user, case=c, **d),
                        "已记录当事人签署告知承诺书"),
}
# Acts with their own page (a longer form).
PAGES = {"transcript": "cases:transcript_new", "evidence": "cases:evidence_new"}
AT_RISK_PAGE = 25  # rows of the at-risk list a page shows, most urgent first (as many as the case list)


def _initial(action: str, case: Case) -> dict:
    today = timezone.localdate()
    if action == "notify":
        return {"penalty_kind": "fine" if case.proposed_amount else "warning", "amount": case.proposed_amount}
    if action == "provisions":
        item = case.violation_item
        return {"violated_provision": case.violated_provision or (item.violated_provision if item else ""),
                "penalty_provision": case.penalty_provision or (item.penalty_basis if item else "")}
    if action == "hearing_schedule":
        return {"public": case.hearing_public}
    if action == "decide":
        # The decision starts from the notified lines (never heavier, Art. 45).
        initial = {"legal_basis": case.penalty_provision or (case.violation_item.penalty_basis if case.violation_item_id else "")}
        for i, line in enumerate(case.notified_lines, 1):
            suffix = "" if i == 1 else f"_{i}"
            initial.update({("penalty_kind" if i == 1 else f"kind_{i}"): line.kind, f"amount{suffix}": line.amount,
                            f"subject{suffix}": line.subject, f"term{suffix}": line.term})
        if not case.notified_lines:
            initial.update(penalty_kind=case.notified_penalty_kind or "fine", amount=case.notified_amount)
        return initial
    if action in ("list_apply", "commitment_sign"):
        return {"corrected_on": today, "signed_on": today}
    if action in ("deliver", "suspend", "resume", "hearing_request"):
        return {"delivered_on": today, "started_on": today, "ended_on": today, "requested_on": today, "method": "direct"}
    if action == "report":
        proposal = _assessment(case)
        return {"proposed_outcome": "penalty", "proposed_amount": proposal.amount if proposal is not None else None}
    return {}


def _make_form(action, request, case, data=None):
    form_class = ACTIONS[action][0]
    if form_class is forms.OpenForm:
        return form_class(data, user=request.user, case=case, prefix=action)
    return form_class(data, initial=_initial(action, case), prefix=action)


def _assessment(case):
    """The discretion proposal, computed once per request (the report form and the page both show it)."""
    if not hasattr(case, "_assessment"):
        case._assessment = services.assessment_proposal(case)
    return case._assessment


_UNREAD = object()


def _allowed_actions(request, case, application=_UNREAD):
    """The acts this user may take on the case now: those with a page of their own, and those done with a
    short form. The form is not built here: the page loads it when the officer opens the act
    (:func:`case_act_form`). ``application``: the case's list application (None: it has none) when the caller
    has read it."""
    result = []
    suspended = any(s.ended_on is None for s in case.suspensions.all())
    for t in workflow.next_actions(case.status):
        if t.roles and not has_role(request.user, *t.roles):
            continue
        if (t.action == "resume" and not suspended) or (t.action == "suspend" and suspended):
            continue
        if t.action == "hearing_request" and not case.hearing_right:
            continue
        if t.action == "commitment_sign":
            if application is _UNREAD:
                application = selectors.list_application(case)
            if application is None or not application.commitment_required or application.commitment_signed_on:
                continue
        if t.action in PAGES:
            result.append({"action": t.action, "label": t.label, "page": PAGES[t.action]})
        elif t.action in ACTIONS:
            result.append({"action": t.action, "label": t.label})
    return result


def _error_text(exc) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    return "；".join(exc.messages)


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _list(request, *, title: str, mine: bool):
    g = request.GET
    filters = {"search": g.get("q", "").strip()[:100], "status": g.get("status", ""), "procedure": g.get("procedure", ""),
               "unit": _int(g.get("unit")), "registered_from": _date(g.get("from")), "registered_to": _date(g.get("to"))}
    if g.get("format") == "xlsx":
        return _export(request, title, selectors.cases_for(request.user, mine=mine, **filters), filters)
    # Keyset pages (newest first): no COUNT and no OFFSET, whatever the size of the register.
    cases, next_cursor = selectors.table_page(request.user, before=_int(g.get("before")), mine=mine,
                                              **filters)
    query = {k: v for k, v in {"q": filters["search"], "status": filters["status"], "procedure": filters["procedure"],
                               "unit": filters["unit"], "from": g.get("from", ""), "to": g.get("to", "")}.items() if v}
    context = {"title": title, "rows": selectors.with_clocks(cases), "next_cursor": next_cursor, "query": urlencode(query),
               "first_page": "before" in g, "statuses": workflow.Status.choices, "procedures": Case.Procedure.choices, "mine": mine,
               "units": _units(request.user), "search_min": selectors.SEARCH_MIN_CASE_TERM,
               "detail_prefix": _detail_prefix(),
               **filters}
    return render(request, "cases/_table.html" if request.htmx else "cases/list.html", context)


EXPORT_COLUMNS = [
    ("案件编号", "number"), ("办案机构", "organisation.name"), ("当事人", "party.name"), ("号牌", "vehicle.plate"),
    ("程序", "get_procedure_display"), ("状态", "get_status_display"), ("违法时间", "occurred_at"), ("地点", "place"),
    ("违法行为", "violation_name"), ("立案日期", "opened_on"), ("决定日期", "decided_on"), ("处理结果", "get_outcome_display"),
    ("罚款金额（元）", "fine_amount"), ("决定书文号", "decision_number"),
]


def _export(request, title: str, qs, filters: dict):
    """The list as XLSX with the same filters (streamed: rows are read in chunks and written to disk)."""
    from zhifa.core import xlsx

    status = dict(workflow.Status.choices).get(filters["status"], "")
    procedure = dict(Case.Procedure.choices).get(filters["procedure"], "")
    unit = organisations_for(request.user).filter(pk=filters["unit"]).first() if filters["unit"] else None
    applied = {"关键词": filters["search"], "状态": status, "程序": procedure, "办案机构": unit.name if unit else "",
               "登记日期起": filters["registered_from"], "登记日期止": filters["registered_to"]}
    return xlsx.list_response(request.user, kind="cases.case", title=title, qs=qs.order_by("-pk"), columns=EXPORT_COLUMNS, filters=applied)


def _detail_prefix() -> str:
    """The case page's address without its key (``/cases/``), reversed once per page for the rows' links: a
    ``{% url %}`` per row was 4 ms of a 25-row page at load 9 (docs/performance.md, 2026-12-06 13:50)."""
    return reverse("cases:detail", args=[0]).removesuffix("0/")


def _units(user):
    """Units the user may narrow the list to: the organisations of their jurisdiction (their own columns only: with
    the parent ``organisations_for`` joins, ``only`` raised an error that the template's ``|length`` swallowed, and
    no head or supervisor was ever offered the filter)."""
    return organisations_for(user).select_related(None).only("pk", "name", "path")


@login_required
def case_list(request):
    return _list(request, title="案件列表", mine=False)


@login_required
def my_cases(request):
    return _list(request, title="我的案件", mine=True)


@login_required
def at_risk(request):
    mine = request.GET.get("scope") == "mine"
    if request.GET.get("format") == "xlsx":
        return _at_risk_export(request, selectors.at_risk(request.user, mine=mine), mine)
    # Counted and paged on the indexed nearest deadline; clocks computed for the shown rows only.
    red, amber = selectors.at_risk_counts(request.user, mine=mine)
    qs = selectors.at_risk_queryset(request.user, mine=mine)
    paginator = Paginator(qs, AT_RISK_PAGE)
    paginator.count = red + amber  # known already: no second COUNT
    page = paginator.get_page(request.GET.get("page"))
    # What the rows show: number, party, status, handling officers and the clocks (no vehicle, unit or penalty lines).
    page.object_list = selectors.at_risk_rows(selectors.at_risk_page(qs, offset=page.start_index() - 1 if red + amber else 0,
                                                                     size=AT_RISK_PAGE, related=("party",),
                                                                     fields=selectors.AT_RISK_FIELDS))
    selectors.with_officers(row[0] for row in page.object_list)
    return render(request, "cases/at_risk.html", {"page": page, "mine": mine, "red": red, "amber": amber,
                                                  "detail_prefix": _detail_prefix()})


@login_required
def bulk_notify(request):
    """违法行为通知书 issued in bulk (an officer's reviewed cases, e.g. a day's off-site overload cases): each ticked
    case is told the penalty its investigation report proposed (a fine of the proposed amount, else a warning);
    preview first, then services.case_notify per case — its own transaction, audit record and paper, its rules
    (two certified officers, legal review where required, the penalty the item provides) checked there — and each
    case's result."""
    from zhifa.core import bulk

    if not has_role(request.user, "officer"):
        raise Http404
    waiting = selectors.cases_for(request.user, mine=True, status=workflow.Status.REVIEWED).select_related("party", "vehicle")
    back = reverse("cases:bulk_notify")
    if request.method != "POST":
        return render(request, "cases/bulk_notify.html", {"rows": waiting.order_by("pk")[:bulk.BULK_MAX], "total": waiting.count()})
    ids = bulk.selected_ids(request)
    found = {c.pk: c for c in selectors.cases_for(request.user).filter(pk__in=ids).select_related("party", "vehicle")}
    if not found:
        messages.error(request, "请先勾选要告知的案件。")
        return redirect(back)
    rows = []
    for pk in ids:
        if pk not in found:
            continue
        case = found[pk]
        kind, amount = ("fine", case.proposed_amount) if case.proposed_amount else ("warning", None)
        row = bulk.Row(pk=case.pk, label=case.number, url=reverse("cases:detail", args=[case.pk]), obj=case,
                       cells=[case.party.name, case.vehicle.plate if case.vehicle_id else "", case.get_status_display()])
        row.lines = penalties.lines_from(kind, amount)
        if case.status != workflow.Status.REVIEWED:
            row.ready, row.plan = False, f"当前状态为“{case.get_status_display()}”，审查完毕后方可告知"
        else:
            row.plan = "送达违法行为通知书：拟" + (f"罚款人民币{amount:,.2f}元" if amount else "警告")
        rows.append(row)
    if bulk.confirmed(request):
        def act(row):
            case = services.case_notify(actor=request.user, case=row.obj, lines=row.lines)
            return "已告知，" + ("告知听证权利" if case.hearing_right else "告知陈述申辩权利") + "；违法行为通知书随后生成"
        bulk.report(request, "批量告知", *bulk.run(rows, act))
    return render(request, bulk.TEMPLATE, bulk.context(
        title="批量送达违法行为通知书", rows=rows, headers=["案件编号", "当事人", "号牌", "状态"], confirm_label="确认告知",
        back_url=back, back_label="待告知的案件",
        note="拟处罚为调查终结报告建议的罚款金额（无金额的为警告）；须变更的，请在案件页面逐件告知。"))


def _urgent(case_clocks) -> str:
    return "；".join(f"{c.label}：{c.deadline.date:%Y-%m-%d} {c.state_label}" for c in case_clocks
                    if c.done_on is None and c.tracked and c.state() in ("red", "amber"))


def _at_risk_export(request, rows, mine: bool):
    """The at-risk list as the page shows it (the same bounded set, overdue first), one row per case."""
    from zhifa.core import xlsx

    selectors.with_display(row[0] for row in rows)
    return xlsx.list_response(request.user, kind="cases.at_risk", title="期限预警", qs=rows, filters={"范围": "我承办的" if mine else ""}, columns=[
        ("案件编号", lambda r: r[0].number), ("当事人", lambda r: r[0].party.name), ("状态", lambda r: r[0].get_status_display()),
        ("承办人", lambda r: "、".join(o.name for o in r[0].officers.all())), ("立案日期", lambda r: r[0].opened_on),
        ("预警", lambda r: "已超期" if r[2] == "red" else "即将到期"), ("期限", lambda r: _urgent(r[1]))])


@login_required
def case_detail(request, pk: int):
    case = _case_for_acts(request, pk)
    # Every row the page shows read by a query compiled once per connection (selectors.CASE_ROWS).
    selectors.case_rows(case, "documents", "status_changes", "officers", "transcripts", "evidence_items",
                        "legal_reviews", "preservations", *(("corrections",) if case.decided_on else ()))
    application = selectors.list_application(case)
    docs = _documents(case)
    timeline = list(case.status_changes.all())
    officers = list(case.officers.all())
    transcripts = list(case.transcripts.all())
    prefetch_related_objects(transcripts, "officers")
    # The history names the case, its unit, party, vehicle, officers and the people who moved it: all read.
    known = [case, case.organisation, case.party, case.vehicle, case.violation_item, request.user, *officers,
             *(change.actor for change in timeline)]
    context = {
        "case": case, "clocks": clocks.clocks(case), "actions": _allowed_actions(request, case, application),
        "timeline": timeline, "events": audit.history_rows(case), "events_known": known,
        "transcripts": transcripts,
        "evidence": case.evidence_items.all(), "reviews": case.legal_reviews.all(),
        "extensions": case.extensions.all(), "suspensions": case.suspensions.all(),
        "corrections": case.corrections.all() if case.decided_on else (),
        **_documents_context(request, case, docs), "officers": officers, "proposal": _proposal(case),
        "party_age": case.party.age_on(case.occurred_on) if case.party.kind == "person" else None,
        "penalty_text": penalties.lines_text(penalties.case_lines(case)) if case.outcome == Case.Outcome.PENALTY else "",
        "notified_text": penalties.lines_text(penalties.case_lines(case, "notified")),
        "list_application": application, "list_facts": leniency.facts_sentence(application) if application else "",
        "preservations": _preservations(request, case),
    }
    return render(request, "cases/detail.html", context)


def _case_for_acts(request, pk: int) -> Case:
    """The case in the user's jurisdiction with what the clocks, the allowed acts and their forms read, read
    once."""
    case = selectors.case_get(request.user, pk)
    return selectors.case_rows(case, "suspensions", "extensions", "penalty_lines")


@login_required
def case_act_form(request, pk: int, action: str):
    """The fields of one act's form, loaded into the case page when the officer opens the act (HTMX); opened
    directly (no script), the act on a page of its own. Only an act the user may take on the case now."""
    case = _case_for_acts(request, pk)
    allowed = {a["action"]: a for a in _allowed_actions(request, case)}
    if action not in ACTIONS or action not in allowed:
        if request.htmx and action in ACTIONS:
            # the case moved on, or the user's roles changed, since the page was read
            response = render(request, "cases/_act_form.html", {"gone": True, "case": case})
        else:
            raise Http404
    else:
        form, label = _make_form(action, request, case), allowed[action]["label"]
        if request.htmx:
            response = render(request, "cases/_act_form.html", {"form": form, "label": label})
        else:
            response = render(request, "cases/form.html", {
                "case": case, "form": form, "title": f"{case.number} {label}", "submit_label": label,
                "form_action": reverse("cases:act", args=[pk, action]),
            })
    patch_vary_headers(response, ["HX-Request"])  # one URL, a fragment for HTMX and a page without it
    return response


@login_required
def case_documents(request, pk: int):
    """The case's papers (the page's 文书 block), polled by the page while one is still being made."""
    case = selectors.case_get(request.user, pk)
    return render(request, "cases/_documents.html", {"case": case, **_documents_context(request, case, _documents(case))})


def _documents_context(request, case, docs) -> dict:
    return {"documents": docs, "documents_pending": _pending(docs),
            "can_retry_documents": has_role(request.user, "officer", "head", "reviewer")}


@login_required
@require_POST
def case_document_retry(request, pk: int, document_id: int):
    """重新生成 on a paper that could not be made: asked again, then the block (HTMX) or the page shows it pending."""
    case = selectors.case_get(request.user, pk)
    document = CaseDocument.objects.filter(case=case, pk=document_id).first()
    if document is None:
        raise Http404
    document.case = case
    try:
        services.case_document_retry(actor=request.user, document=document)
    except DomainError as exc:
        messages.error(request, exc.message)
    if request.htmx:
        return case_documents(request, pk)
    return redirect("cases:detail", pk=pk)


def _pending(docs) -> bool:
    return any(d.state == CaseDocument.State.PENDING for d in docs)


def _documents(case):
    try:
        from zhifa.documents.kinds import KINDS
    except ImportError:
        KINDS = {}
    docs = list(case.documents.all())
    for d in docs:
        d.title = KINDS[d.kind].title if d.kind in KINDS else d.kind
    return docs


def _proposal(case):
    if case.decided_on:
        # Fixed at decision time. A case decided without one stored (simplified procedure, a register loaded from
        # elsewhere) shows none: today's proposal under the heading "决定时固定" would misstate what was decided on,
        # and computing it cost the page eight queries of the benchmark tables.
        return case.assessment or None
    proposal = _assessment(case)
    return proposal.as_dict() if proposal is not None else None


@login_required
@xframe_options_sameorigin
def evidence_file(request, pk: int, item_id: int):
    """An evidence file of the case: thumbnail, inline view (photo, video, audio, PDF) or download with its hash."""
    item = selectors.evidence_item_get(request.user, pk, item_id)
    return evidence_serve(request, item.file, title=item.title)


@require_POST
@login_required
def case_act(request, pk: int, action: str):
    case = selectors.case_get(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    form = _make_form(action, request, case, request.POST)
    if not form.is_valid():
        errors = "；".join(f"{form.fields[f].label if f in form.fields else ''}{'：' if f in form.fields else ''}{' '.join(e)}"
                          for f, e in form.errors.items())
        messages.error(request, f"{workflow.TRANSITIONS.get(action, workflow.ACTS.get(action)).label}未完成：{errors}")
        return redirect("cases:detail", pk)
    try:
        ACTIONS[action][1](request, case, form.cleaned_data)
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, ACTIONS[action][2])
    return redirect("cases:detail", pk)


def _find_party(user, ident: str):
    ident = ident.strip().upper()
    return parties_for(user).filter(Q(id_number=ident) | Q(credit_code=ident)).first()


def _find_vehicle(user, plate: str):
    plate = plate.strip()
    return vehicles_for(user, search=plate).first() if plate else None


@login_required
def lead_new(request):
    form = forms.LeadForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        party = _find_party(request.user, d["party_identifier"])
        vehicle = _find_vehicle(request.user, d["plate"])
        if party is None:
            form.add_error("party_identifier", "未找到该证件号码的当事人，请先在“当事人”中登记。")
        elif d["plate"] and vehicle is None:
            form.add_error("plate", "未找到该号牌的车辆。")
        else:
            try:
                case = services.lead_register(actor=request.user, organisation=request.user.organisation.enforcement_body(), source=d["source"],
                                              party=party, vehicle=vehicle, occurred_at=d["occurred_at"], place=d["place"], facts=d["facts"],
                                              violation_item_code=d["violation_item_code"] or None, officers=list(d["officers"]),
                                              act_ended_on=d["act_ended_on"], discovered_on=d["discovered_on"],
                                              discovery_evidence=d["discovery_evidence"])
            except (DomainError, ValidationError) as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, f"已登记线索 {case.number}，请负责人审批立案。")
                return redirect("cases:detail", case.pk)
    return render(request, "cases/form.html", {"form": form, "title": "登记案件线索", "submit_label": "登记"})


@login_required
def simplified_new(request):
    form = forms.SimplifiedForm(request.POST or None, user=request.user,
                                initial={"occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        party = _find_party(request.user, d["party_identifier"])
        vehicle = _find_vehicle(request.user, d["plate"])
        if party is None:
            form.add_error("party_identifier", "未找到该证件号码的当事人，请先在“当事人”中登记。")
        else:
            try:
                case = services.case_simplified(actor=request.user, organisation=request.user.organisation.enforcement_body(), party=party,
                                                vehicle=vehicle, officers=list(d["officers"]), occurred_at=d["occurred_at"], place=d["place"],
                                                facts=d["facts"], penalty_kind=d["penalty_kind"], amount=d["amount"],
                                                legal_basis=d["legal_basis"], violation_item_code=d["violation_item_code"] or None,
                                                not_same_act=d["not_same_act"], deviation_reason=d["deviation_reason"],
                                                violated_provision=d["violated_provision"])
            except (DomainError, ValidationError) as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, f"已当场作出处罚决定 {case.decision_number} 并自动备案。")
                return redirect("cases:detail", case.pk)
    return render(request, "cases/form.html", {"form": form, "title": "简易程序 · 当场行政处罚", "submit_label": "作出当场处罚决定",
                                               "intro": "适用条件：违法事实确凿并有法定依据，对公民处200元以下、对法人或者其他组织处3000元以下罚款或者警告（行政处罚法第五十一条）。"})


@login_required
def transcript_new(request, pk: int):
    case = selectors.case_get(request.user, pk)
    form = forms.TranscriptForm(request.POST or None, user=request.user, initial={"place": case.place, "person_name": case.party.name})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.transcript_create(actor=request.user, case=case, kind=d["kind"], started_at=d["started_at"], ended_at=d["ended_at"],
                                       place=d["place"], officers=list(d["officers"]), person_name=d["person_name"],
                                       person_id_number=d["person_id_number"], person_relation=d["person_relation"], content=form.content(),
                                       signed_by_person=d["signed_by_person"], refusal_note=d["refusal_note"])
        except (DomainError, ValidationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, "笔录已保存。")
            return redirect("cases:detail", pk)
    return render(request, "cases/form.html", {"form": form, "title": f"制作笔录 · {case.number}", "case": case, "submit_label": "保存笔录"})


@login_required
def evidence_new(request, pk: int):
    case = selectors.case_get(request.user, pk)
    form = forms.EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        upload = d.pop("file")
        kwargs = {"fileobj": upload, "name": upload.name, "content_type": upload.content_type} if upload else {}
        try:
            services.evidence_add(actor=request.user, case=case, **d, **kwargs)
        except (DomainError, ValidationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, "证据已登记。")
            return redirect("cases:detail", pk)
    return render(request, "cases/form.html", {"form": form, "title": f"登记证据 · {case.number}", "case": case, "submit_label": "登记证据"})


@login_required
def evidence_register(request, pk: int):
    """证据登记保存清单 of a case (printable)."""
    case = selectors.case_get(request.user, pk)
    items = case.evidence_items.filter(preserved=True).select_related("file").prefetch_related("captured_by")
    return render(request, "cases/evidence_register.html", {"case": case, "items": items})


def _preservations(request, case):
    """先行登记保存 and 抽样取证 of the case, each with the head's form while a decision is due."""
    rows = []
    today = timezone.localdate()
    for p in selectors.case_rows(case, "preservations").preservations.all():
        due = p.status in (EvidencePreservation.Status.REQUESTED, EvidencePreservation.Status.PRESERVED)
        form = forms.PreservationDecideForm(prefix=f"p{p.pk}") if due and has_role(request.user, "head") else None
        if form is not None:
            allowed = ["approve", "refuse"] if p.status == EvidencePreservation.Status.REQUESTED else ["release", "handle"]
            form.fields["decision"].choices = [c for c in form.fields["decision"].choices if c[0] in allowed]
        rows.append({"p": p, "form": form, "overdue": p.status == EvidencePreservation.Status.PRESERVED and p.decide_by and p.decide_by < today})
    return rows


@login_required
@require_POST
def preservation_act(request, pk: int, preservation_id: int):
    """The head approves a preservation, or decides on it within seven working days (行政处罚法 Art. 56)."""
    case = selectors.case_get(request.user, pk)
    p = case.preservations.filter(pk=preservation_id).first()
    if p is None:
        raise Http404
    form = forms.PreservationDecideForm(request.POST, prefix=f"p{p.pk}")
    if not form.is_valid():
        messages.error(request, "请选择决定。")
        return redirect("cases:detail", pk)
    d = form.cleaned_data
    try:
        if d["decision"] in ("approve", "refuse"):
            preservation.preservation_approve(actor=request.user, preservation=p, approve=d["decision"] == "approve", opinion=d["text"])
        elif d["decision"] == "release":
            preservation.preservation_release(actor=request.user, preservation=p, reason=d["text"], returned_to=d["returned_to"])
        else:
            preservation.preservation_handle(actor=request.user, preservation=p, handling=d["text"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已办理。")
    return redirect("cases:detail", pk)
