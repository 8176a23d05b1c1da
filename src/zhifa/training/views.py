"""Pages of the training app beyond the generic registers: the yearly hours table with who is short, and the
actions on an event (attendance), an exam (scores) and an item of equipment (assign, return)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.core import xlsx
from zhifa.core.errors import DomainError
from zhifa.core.selectors import get_scoped

from . import selectors, services
from .forms import AssignForm, AttendanceForm, ScoreForm, YearForm
from .models import Equipment, Exam, TrainingEvent


def _error_text(exc) -> str:
    return getattr(exc, "message", None) or "；".join(getattr(exc, "messages", [str(exc)]))


def _form_error(form) -> DomainError:
    return DomainError("invalid", "；".join(f"{form.fields[k].label if k in form.fields else ''}：{e}" for k, errs in form.errors.items() for e in errs))


@login_required
def hours(request):
    """Per-officer business and law hours in a year against the requirement; ``?short=1`` lists only who is short."""
    today = timezone.localdate()
    form = YearForm(request.GET or None, initial={"year": today.year})
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else today.year
    search = request.GET.get("q", "").strip()
    rows, requirement = selectors.officer_hours(request.user, year, search=search)
    only_short = request.GET.get("short") == "1"
    if only_short:
        rows = [r for r in rows if r.is_short]
    rows.sort(key=lambda r: (not r.is_short, r.hours, r.officer.name))
    if request.GET.get("format") == "xlsx":
        return xlsx.xlsx_response(f"{year}年培训学时", xlsx.Sheet(
            f"{year}年培训学时", ["姓名", "执法证号", "所属机构", "业务和法律学时", "要求学时", "差额", "是否达标"],
            [(r.officer.name, r.officer.cert_number, str(r.officer.organisation), r.hours, r.required, r.short_by, not r.is_short)
             for r in rows],
            caption=xlsx.filter_caption(f"{year}年培训学时", {"姓名或证号": search, "范围": "仅未达标" if only_short else ""})))
    short_count = sum(1 for r in rows if r.is_short)
    return render(request, "training/hours.html", {"rows": rows, "year": year, "requirement": requirement, "form": form,
                                                   "search": search, "only_short": only_short, "short_count": short_count})


@require_POST
@login_required
def event_attendance(request, pk: int):
    event = get_scoped(TrainingEvent.objects.all(), request.user, pk=pk)
    form = AttendanceForm(request.POST, user=request.user)
    try:
        if not form.is_valid():
            raise _form_error(form)
        services.attendance_record(actor=request.user, event=event, officers=list(form.cleaned_data["officers"]), hours=form.cleaned_data["hours"])
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"已登记 {len(form.cleaned_data['officers'])} 人参训。")
    return redirect("training:detail", "events", pk)


@require_POST
@login_required
def exam_score(request, pk: int):
    exam = get_scoped(Exam.objects.all(), request.user, pk=pk)
    form = ScoreForm(request.POST, user=request.user)
    try:
        if not form.is_valid():
            raise _form_error(form)
        services.exam_score_record(actor=request.user, exam=exam, **form.cleaned_data)
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "成绩已登记。")
    return redirect("training:detail", "exams", pk)


@require_POST
@login_required
def equipment_action(request, pk: int, action: str):
    item = get_scoped(Equipment.objects.all(), request.user, pk=pk)
    try:
        if action == "assign":
            form = AssignForm(request.POST, user=request.user)
            if not form.is_valid():
                raise _form_error(form)
            services.equipment_assign(actor=request.user, equipment=item, **form.cleaned_data)
        elif action == "return":
            services.equipment_return(actor=request.user, equipment=item, returned_on=timezone.localdate())
        else:
            raise Http404
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "已办理。")
    return redirect("training:detail", "equipment", pk)
