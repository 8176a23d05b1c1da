"""Officer UI of credit supervision and the public credit-repair pages (guide and online application)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.core import audit
from zhifa.core.errors import DomainError
from zhifa.core.models import Party
from zhifa.core.ratelimit import rate_limited
from zhifa.core.roles import Role, has_role
from zhifa.core.selectors import get_scoped

from . import selectors, services
from .forms import DecideForm, DishonestyForm, PublicRepairForm, RemovalForm, RepairOnBehalfForm
from .models import CreditPublication, GradePolicy, RepairApplication, RepairRegime


@login_required
def grade_list(request):
    grade = request.GET.get("grade", "")
    qs = selectors.grades_for_user(request.user)
    if grade:
        qs = qs.filter(grade=grade)
    if request.GET.get("format") == "xlsx":
        from zhifa.core import xlsx

        return xlsx.list_response(request.user, kind="credit.creditgrade", title="企业信用等级", qs=qs.order_by("party__name"), filters={"等级": grade},
                                  columns=[("企业", "party.name"), ("统一社会信用代码", "party.credit_code"), ("等级", "grade"), ("得分", "score"),
                                           ("不良行为记分", "bad_points"), ("近12个月处罚起数", "penalties_12m"), ("评定日期", "computed_on")])
    rs = selectors.rule_set_on(timezone.localdate())
    return render(request, "credit/grades.html", {
        "page": Paginator(qs, 30).get_page(request.GET.get("page")), "grade": grade, "dist": selectors.grade_distribution(request.user),
        "policies": GradePolicy.objects.filter(rule_set=rs), "rule_set": rs,
        "changes": selectors.grade_changes_for(request.user)[:15], "is_head": has_role(request.user, Role.HEAD, Role.ADMIN),
    })


@login_required
@require_POST
def recompute(request):
    try:
        n = services.grades_recompute(actor=request.user, organisation=request.user.organisation)
        messages.success(request, f"已重新评定，等级变化 {n} 户。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("credit:grades")


@login_required
def party_credit(request, party_id: int):
    party = get_scoped(Party.objects.all(), request.user, pk=party_id)
    form = DishonestyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dishonesty_list_add(actor=request.user, party=party, source="人工", **form.cleaned_data)
            messages.success(request, "已列入严重失信主体名单。")
            return redirect("credit:party", party.pk)
        except DomainError as exc:
            form.add_error(None, exc.message)
    grade = getattr(party, "credit_grade", None) if hasattr(party, "credit_grade") else None
    if party.kind == Party.Kind.PERSON:
        audit.log_personal_view(request, party, person=party.name, what="当事人信用记录")
    return render(request, "credit/party.html", {
        "party": party, "grade": grade, "changes": party.grade_changes.all()[:50], "events": party.credit_events.all()[:100],
        "entries": party.dishonesty_entries.all(), "publications": party.credit_publications.all(), "form": form,
    })


@login_required
def dishonesty_list(request):
    if request.GET.get("format") == "xlsx":
        from zhifa.core import xlsx

        return xlsx.list_response(request.user, kind="credit.dishonestyentry", title="严重失信主体名单", qs=selectors.dishonesty_for(request.user),
                                  columns=[("当事人", "party.name"), ("列入机关", "organisation.name"), ("列入日期", "listed_on"), ("列入事由", "reason"),
                                           ("列入依据", "basis"), ("联合惩戒措施", "joint_punishment"), ("状态", "get_status_display"),
                                           ("移出日期", "removed_on"), ("移出原因", "removal_reason")])
    return render(request, "credit/dishonesty.html", {"page": Paginator(selectors.dishonesty_for(request.user), 30).get_page(request.GET.get("page")),
                                                      "form": RemovalForm()})


@login_required
@require_POST
def dishonesty_remove(request, pk: int):
    entry = get_scoped(selectors.dishonesty_for(request.user), request.user, pk=pk)
    try:
        services.dishonesty_list_remove(actor=request.user, entry=entry, reason=request.POST.get("reason", ""))
        messages.success(request, f"{entry.party.name} 已移出名单。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("credit:dishonesty")


@login_required
def publication_list(request):
    return render(request, "credit/publications.html", {"page": Paginator(selectors.publications_for(request.user), 30).get_page(request.GET.get("page"))})


@login_required
def repair_on_behalf(request, pk: int):
    pub = get_scoped(selectors.publications_for(request.user), request.user, pk=pk)
    form = RepairOnBehalfForm(request.POST or None, initial={"applicant_name": pub.party.name})
    if request.method == "POST" and form.is_valid():
        try:
            app = services.repair_apply(actor=request.user, publication=pub, channel=RepairApplication.Channel.OFFICER, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            (messages.success if app.status == RepairApplication.Status.CHECKED else messages.warning)(
                request, f"修复申请已登记：{app.get_status_display()}")
            return redirect("credit:repairs")
    return render(request, "core/form.html", {"form": form, "title": f"代为申请信用修复：{pub.party.name} {pub.decision_number}",
                                              "submit_label": "提交并自动核查", "back": "credit:publications"})


@login_required
def repair_list(request):
    return render(request, "credit/repairs.html", {"page": Paginator(selectors.repairs_for(request.user), 30).get_page(request.GET.get("page")),
                                                   "form": DecideForm(), "is_head": has_role(request.user, Role.HEAD, Role.ADMIN)})


@login_required
@require_POST
def repair_decide(request, pk: int):
    app = get_scoped(selectors.repairs_for(request.user), request.user, "publication__organisation", pk=pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.repair_decide(actor=request.user, application=app, **form.cleaned_data)
            messages.success(request, "审批已完成。")
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("credit:repairs")


# --- public pages -------------------------------------------------------------------------------------------

def public_guide(request):
    regimes = RepairRegime.objects.prefetch_related("periods")
    return render(request, "credit/public_guide.html", {"regimes": regimes, "today": timezone.localdate(),
                                                        "current": selectors.regime_on(timezone.localdate())})


@rate_limited("credit_public_repair", limit=10, window=600)
def public_repair(request):
    form = PublicRepairForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        pub = CreditPublication.objects.filter(party__credit_code=d["credit_code"].strip().upper(), decision_number=d["decision_number"].strip(),
                                               status=CreditPublication.Status.PUBLISHED).select_related("party").first()
        if pub is None:
            form.add_error(None, "未找到该企业正在公示的行政处罚信息，请核对统一社会信用代码和决定书文号。")
        else:
            try:
                result = services.repair_apply(actor=None, publication=pub, channel=RepairApplication.Channel.PUBLIC,
                                               applicant_name=d["applicant_name"], applicant_phone=d["applicant_phone"],
                                               commitment_signed=d["commitment_signed"], commitment_text=form.fields["commitment_signed"].label)
            except DomainError as exc:
                form.add_error(None, exc.message)
    return render(request, "credit/public_repair.html", {"form": form, "result": result})
