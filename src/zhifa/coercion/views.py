"""Officer UI of coercive measures: the list with filters and period colours, starting a measure from a case, and
the measure page (items, period, history, documents and only the next allowed actions). Each view parses a form
and calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.cases.selectors import case_get
from zhifa.core import audit
from zhifa.core.errors import DomainError
from zhifa.core.roles import has_role

from . import forms, periods, selectors, services, workflow
from .models import Kind, MeasureStep
from .workflow import Status

# action → (form class, service call, success message)
ACTIONS = {
    "approve": (forms.OpinionForm, lambda r, m, d: services.measure_approve(actor=r.user, measure=m, **d), "已批准实施"),
    "refuse": (forms.RefuseForm, lambda r, m, d: services.measure_refuse(actor=r.user, measure=m, **d), "已不予批准"),
    "take": (forms.SceneForm, lambda r, m, f: services.measure_take(actor=r.user, measure=m, scene=f), "已实施，决定书和清单已制作"),
    "report": (forms.NoteForm, lambda r, m, d: services.measure_report(actor=r.user, measure=m, **d), "已报告负责人"),
    "confirm": (forms.OpinionForm, lambda r, m, d: services.measure_confirm(actor=r.user, measure=m, **d), "已补办批准"),
    "extend": (forms.ExtendForm, lambda r, m, d: services.measure_extend(actor=r.user, measure=m, **d), "已延长期限，已制作延长通知书"),
    "pause": (forms.PauseForm, lambda r, m, d: services.measure_pause(actor=r.user, measure=m, **d), "已登记检测鉴定期间"),
    "resume": (forms.ResumeForm, lambda r, m, d: services.measure_resume(actor=r.user, measure=m, **d), "已恢复计算期限"),
    "release": (forms.ReleaseForm, lambda r, m, d: services.measure_release(actor=r.user, measure=m, **d), "已解除，已制作解除决定书"),
    "dispose": (forms.DisposeForm, lambda r, m, d: services.measure_dispose(actor=r.user, measure=m, **d), "已依处理决定处理"),
}


def _form(action: str, request, data=None):
    cls = ACTIONS[action][0]
    today = timezone.localdate()
    if cls is forms.SceneForm:
        return cls(data, user=request.user, prefix=action)
    return cls(data, prefix=action, initial={"started_on": today, "notified_on": today, "ended_on": today, "released_on": today})


def _allowed_actions(request, measure) -> list[dict]:
    paused = measure.pauses.filter(ended_on__isnull=True).exists()
    result = []
    for t in workflow.next_actions(measure.status):
        if not has_role(request.user, *t.roles) or (t.action == "pause" and paused) or (t.action == "resume" and not paused):
            continue
        result.append({"action": t.action, "label": t.label, "form": _form(t.action, request)})
    return result


@login_required
def measure_list(request):
    g = request.GET
    search, status, kind, deadline = g.get("q", "").strip(), g.get("status", ""), g.get("kind", ""), g.get("deadline", "")
    case_id = g.get("case", "")
    qs = selectors.measures_for(request.user, search=search, status=status, kind=kind,
                                case_id=int(case_id) if case_id.isdigit() else None).prefetch_related("pauses")
    if g.get("format") == "xlsx":
        return _export(request, qs, search=search, status=status, kind=kind, deadline=deadline, case_id=case_id)
    if deadline:
        rows = selectors.with_periods(qs.filter(status__in=workflow.RUNNING), deadline=deadline)
        page = Paginator(rows, 25).get_page(g.get("page"))
        rows = list(page)
    else:
        page = Paginator(qs, 25).get_page(g.get("page"))
        rows = selectors.with_periods(page)
    context = {"page": page, "rows": rows, "search": search, "status": status, "kind": kind, "deadline": deadline, "case": case_id,
               "statuses": Status.choices, "kinds": Kind.choices, "query": g.urlencode()}
    return render(request, "coercion/_table.html" if request.htmx else "coercion/list.html", context)


EXPORT_COLUMNS = [
    ("登记编号", "number"), ("实施机关", "organisation.name"), ("案件编号", "case.number"), ("当事人", "party.name"),
    ("涉及车辆", "vehicle.plate"), ("种类", "get_kind_display"), ("状态", "get_status_display"), ("当场实施", "emergency"),
    ("实施地点", "place"), ("实施时间", "taken_at"), ("期限起算日", "starts_on"), ("期限（日）", "period_days"),
    ("延长（日）", "extended_days"), ("决定书文号", "decision_number"),
]
DEADLINES = {"red": "已超期", "amber": "即将到期", "green": "期限内"}


def _export(request, qs, *, search, status, kind, deadline, case_id):
    """The list as XLSX with the page's filters (a deadline filter is computed per running measure, as on the page)."""
    from zhifa.core import xlsx

    qs = qs.select_related("organisation", "case", "party", "vehicle").order_by("-pk")
    if deadline:
        qs = [m for m, _ in selectors.with_periods(qs.filter(status__in=workflow.RUNNING), deadline=deadline)]
    return xlsx.list_response(request.user, kind="coercion.measure", title="行政强制措施", qs=qs, columns=EXPORT_COLUMNS, filters={
        "关键词": search, "状态": dict(Status.choices).get(status, ""), "种类": dict(Kind.choices).get(kind, ""),
        "期限": DEADLINES.get(deadline, ""), "案件": case_id})


@login_required
def measure_new(request):
    if not has_role(request.user, "officer"):
        raise Http404
    case_pk = request.POST.get("case") or request.GET.get("case")
    case = case_get(request.user, int(case_pk)) if case_pk and str(case_pk).isdigit() else None
    form = forms.StartForm(request.POST or None, user=request.user, initial={"case": case.pk if case else None,
                                                                              "place": case.place if case else ""})
    if request.method == "POST" and case is not None and form.is_valid():
        d = form.cleaned_data
        args = {"actor": request.user, "case": case, "basis": d["basis"], "reason": d["reason"], "place": d["place"],
                "no_coercion_reason": d["no_coercion_reason"]}
        try:
            if d["mode"] == "emergency":
                measure = services.measure_take_emergency(scene=form.scene(), **args)
            else:
                measure = services.measure_apply(**args)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已登记行政强制措施 {measure.number}")
            return redirect("coercion:detail", measure.pk)
    listed = services.no_coercion_entry(case) if case is not None else None
    recent = selectors.measures_for(request.user).filter(applied_by=request.user)[:5] if case is None else []
    return render(request, "coercion/new.html", {"form": form, "case": case, "listed": listed, "recent": recent})


@login_required
def measure_detail(request, pk: int):
    measure = selectors.measure_get(request.user, pk)
    documents = []
    try:
        from django.contrib.contenttypes.models import ContentType

        from zhifa.documents.selectors import subject_documents
    except ImportError:  # the documents app is optional
        pass
    else:
        documents = subject_documents(request.user, subject_type=ContentType.objects.get_for_model(measure), subject_id=str(measure.pk))
    context = {
        "m": measure, "period": periods.current(measure), "items": measure.items.all(), "pauses": measure.pauses.all(),
        "officers": measure.officers.all(), "steps": MeasureStep.objects.filter(measure=measure).select_related("actor"),
        "events": audit.history(measure), "actions": _allowed_actions(request, measure), "documents": documents,
    }
    return render(request, "coercion/detail.html", context)


@require_POST
@login_required
def measure_act(request, pk: int, action: str):
    measure = selectors.measure_get(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    form = _form(action, request, request.POST)
    label = workflow.get(action).label
    if not form.is_valid():
        errors = "；".join(f"{form.fields[f].label + '：' if f in form.fields else ''}{' '.join(e)}" for f, e in form.errors.items())
        messages.error(request, f"{label}未完成：{errors}")
        return redirect("coercion:detail", pk)
    try:
        ACTIONS[action][1](request, measure, form.scene() if isinstance(form, forms.SceneForm) else form.cleaned_data)
    except DomainError as exc:
        messages.error(request, f"{label}未完成：{exc.message}")
    else:
        messages.success(request, ACTIONS[action][2])
    return redirect("coercion:detail", pk)
