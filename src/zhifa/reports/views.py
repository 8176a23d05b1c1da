"""Statistics dashboards (ECharts, with tables, filters by period and unit, XLSX export), the records behind
each figure, and the annual report (preview in the browser, DOCX and PDF download)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from zhifa.core.errors import DomainError
from zhifa.core.roles import has_role
from zhifa.core.selectors import history_visible, organisations_for

from . import annual, charts, metrics, services
from .models import ReportNarrative


def _filters(request):
    """(unit, start, end) from the query string, the unit always within the user's jurisdiction."""
    today = timezone.localdate()
    units = organisations_for(request.user)
    code = request.GET.get("unit", "")
    unit = units.filter(code=code).first() if code else None
    if unit is None:
        unit = request.user.organisation or units.order_by("path").first()
    if unit is None:
        raise Http404
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = date(today.year, 1, 1)
    try:
        end = date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    if end < start:
        start, end = end, start
    return unit, start, end, units


@login_required
def dashboard(request):
    unit, start, end, units = _filters(request)
    built = [charts.build(c, unit, start, end) for c in charts.CHARTS]
    if request.GET.get("format") == "xlsx":
        return _xlsx(built, unit, start, end)
    query = request.GET.urlencode()
    return render(request, "reports/dashboard.html", {"charts": built, "unit": unit, "start": start, "end": end, "units": units,
                                                      "query": query})


def _xlsx(built, unit, start, end):
    from zhifa.core import xlsx

    sheets = []
    for i, chart in enumerate(built):
        caption = f"{chart['title']}：{unit.name} {start} 至 {end}"
        if not chart["available"]:
            caption += "（数据未接入：" + "、".join(chart["missing"]) + "）"
        sheets.append(xlsx.Sheet(f"{i + 1:02d}{chart['title'][:26]}", chart["headers"], chart["rows"], caption=caption))
    return xlsx.xlsx_response(f"统计-{unit.name}-{start}-{end}", sheets)


def _record_url(obj, user) -> str:
    """The record's own page, else its full-process record — only where the user may open it (no link to a 404)."""
    if hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url()
    if not history_visible(user, obj):
        return ""
    try:
        return reverse("core:history", args=[obj._meta.label_lower, obj.pk])
    except NoReverseMatch:
        return ""


@login_required
def records(request, key: str):
    """The records behind one figure (same query as the figure), each linking to its own history."""
    metric = metrics.BY_KEY.get(key)
    if metric is None:
        raise Http404
    unit, start, end, _ = _filters(request)
    qs = metrics.queryset(metric, unit, start, end)
    value = metrics.evaluate(metric, unit, start, end)
    if request.GET.get("format") == "xlsx" and qs is not None:
        from zhifa.core import xlsx

        return xlsx.list_response(request.user, kind=f"reports.{key}", title=f"{metric.label}明细", qs=qs.order_by("pk"), columns=[
            ("序号", "pk"), ("记录", str), ("机构", lambda o: getattr(o, "organisation", None))],
            filters={"机构": unit.name, "期间": f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"})
    page = Paginator(qs.order_by("pk") if qs is not None else [], 50).get_page(request.GET.get("page"))
    rows = [{"obj": obj, "url": _record_url(obj, request.user), "org": getattr(obj, "organisation", None)} for obj in page]
    return render(request, "reports/records.html", {"metric": metric, "value": value, "page": page, "rows": rows, "unit": unit,
                                                    "start": start, "end": end, "query": request.GET.urlencode(),
                                                    "definition": metrics.definition(metric)})


@login_required
def annual_report(request):
    unit, _start, _end, units = _filters(request)
    try:
        year = int(request.GET.get("year", "") or timezone.localdate().year - 1)
    except ValueError:
        year = timezone.localdate().year - 1
    if request.method == "POST":
        try:
            for place in ReportNarrative.Place.values:
                if place in request.POST:
                    services.narrative_save(actor=request.user, organisation=unit, year=year, place=place, text=request.POST[place])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已保存，报告已按填写的内容更新。")
        return redirect(f"{reverse('reports:annual')}?unit={unit.code}&year={year}")
    report = annual.build(unit, year)
    fmt = request.GET.get("format")
    if fmt == "docx":
        response = HttpResponse(annual.render_docx(report), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        response["Content-Disposition"] = f'attachment; filename="annual-report-{unit.code}-{year}.docx"'
        return response
    if fmt == "pdf":
        response = HttpResponse(annual.render_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="annual-report-{unit.code}-{year}.pdf"'
        return response
    written = dict(ReportNarrative.objects.filter(organisation=unit, year=year).values_list("place", "text"))
    narratives = [(place, label, written.get(place, "")) for place, label in ReportNarrative.Place.choices]
    return render(request, "reports/annual.html", {"report": report, "units": units, "unit": unit, "year": year, "links": True,
                                                   "narratives": narratives, "can_write": has_role(request.user, *services.WRITERS)})
