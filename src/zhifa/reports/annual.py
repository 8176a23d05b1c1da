"""The annual administrative-enforcement report (年度行政执法工作报告) in the structure of seed 002, every
figure filled from the registers through :mod:`metrics`; training, evaluation, discretion, problems and next year's
plans from their registers; and the passages only the bureau can write (how a system was built, a highlight) from
the report-narrative register it fills on the report page (``ReportNarrative``). A passage not written is left out
— the printed report carries no placeholder. Rendered to HTML (with a link from each figure to its records), DOCX and
PDF."""

import io
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse

from zhifa.core.models import Organisation

from . import metrics


@dataclass
class Fig:
    """A figure in the text: its value and the link to the records behind it. ``metric`` is the registry's key (the
    same metric may appear for the report's year and for the next one: ``key`` tells them apart)."""

    key: str
    value: metrics.Value
    url: str
    metric: str = ""
    start: date | None = None
    end: date | None = None

    def __post_init__(self):
        self.metric = self.metric or self.key

    @property
    def text(self) -> str:
        return self.value.display()

    @property
    def available(self) -> bool:
        return self.value.available

    @property
    def definition(self) -> str:
        return metrics.definition(self.metric)


@dataclass
class Narrative:
    """A passage the bureau writes itself, from the report-narrative register (empty: not written, left out)."""

    place: str
    text: str = ""

    @property
    def hint(self) -> str:
        from .models import ReportNarrative

        return ReportNarrative.Place(self.place).label

    def __bool__(self) -> bool:
        return bool(self.text)


@dataclass
class Section:
    title: str
    level: int
    paragraphs: list[list] = field(default_factory=list)  # each paragraph: [str | Fig | Narrative, …]
    numbered: bool = True  # a part of the report (一、二、…) when level 1
    optional: bool = False  # left out when nothing is written in it


@dataclass
class AnnualReport:
    unit: Organisation
    year: int
    sections: list[Section]
    figures: dict[str, Fig]
    rates: dict[str, metrics.RateValue] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.unit.name}{self.year}年度行政执法工作报告"


def _operations_text(unit: Organisation, start: date, end: date) -> tuple[str, str]:
    """The kinds of partner departments (公安交警、市场监管 …) and one clause per special campaign (name, period,
    results, linked cases), from the rows behind the ``joint_departments`` and ``campaigns`` figures."""
    partners = metrics.queryset(metrics.BY_KEY["joint_departments"], unit, start, end)
    campaigns = metrics.queryset(metrics.BY_KEY["campaigns"], unit, start, end)
    if partners is None or campaigns is None:
        return "数据未接入", ""
    from zhifa.campaigns.models import Department

    labels = dict(Department.Kind.choices)
    kinds = sorted(set(partners.values_list("department__kind", flat=True)), key=list(labels).index)
    clauses = []
    for op in campaigns.annotate(n_cases=Count("case_links")).order_by("starts_on", "pk"):
        clauses.append(f"《{op.title}》（{op.starts_on:%m月%d日}至{op.ends_on:%m月%d日}，检查车辆{op.vehicles_checked}台次、企业"
                       f"{op.enterprises_checked}家次，发现问题{op.problems_found}处、整改到位{op.problems_rectified}处，立案查处{op.n_cases}件）")
    return "、".join(labels[k] for k in kinds) or "有关部门", ("：" + "；".join(clauses) + "。") if clauses else "。"


def _training_topics(unit: Organisation, start: date, end: date) -> str:
    """The courses held, from the training register (the rows behind ``training_events``)."""
    qs = metrics.queryset(metrics.BY_KEY["training_events"], unit, start, end)
    titles = list(dict.fromkeys(qs.order_by("start_on", "pk").values_list("title", flat=True))) if qs is not None else []
    if not titles:
        return ""
    shown = "、".join(titles[:8]) + ("等" if len(titles) > 8 else "")
    return f"培训内容包括{shown}。"


def _benchmark_text(end: date) -> str:
    """The discretion benchmark edition in force at the year's end (行政处罚法 Art. 34), from the discretion register."""
    from zhifa.discretion.models import BenchmarkEdition

    edition = BenchmarkEdition.objects.filter(effective_from__lte=end).order_by("-effective_from", "-pk").first()
    if edition is None:
        return "年末没有生效的裁量基准版本。"
    return f"执行《{edition.name}》（{edition.effective_from:%Y年%m月%d日}起施行）并向社会公开，"


def _by_category(unit: Organisation, start: date, end: date) -> str:
    rows = metrics.by_field(metrics.BY_KEY["problems"], unit, start, end, "category") or []
    return ("（" + "、".join(f"{label}{n}个" for label, n in rows) + "）") if rows else ""


def _problems(f, r) -> list[list]:
    """三、存在问题 from the registers: what remains open, short or late at the year's end. Each line only when its
    figure is not zero; a year with none says so."""
    lines = []
    candidates = [
        ("problems_open", ["截至年底仍有", None, "个执法问题未整改销号，其中已过整改时限的", "problems_overdue", "个。"]),
        ("officers_hours_short", ["执法人员培训不够均衡，", None, "名执法人员业务和法律知识学时未达年度要求。"]),
        ("evaluations_failed", ["案卷质量仍有短板，评查不合格案卷", None, "卷。"]),
        ("publications_late", ["行政执法信息公开及时性不足，超过公开时限的", None, "条。"]),
    ]
    for key, parts in candidates:
        fig = f(key)
        if fig.value.available and fig.value.value:
            lines.append([f"{len(lines) + 1}."] + [fig if p is None else f(p) if p in metrics.BY_KEY else p for p in parts])
    complaints, answered = f("complaints"), f("complaints_answered")
    if complaints.value.available and answered.value.available and complaints.value.value > answered.value.value:
        lines.append([f"{len(lines) + 1}.投诉举报答复不够及时，受理", complaints, "件中已答复", answered, "件，答复率",
                      r("complaints_answer_rate"), "。"])
    return lines or [["经核对本年度各项登记数据，未发现未销号问题、学时不达标、不合格案卷、逾期公开和未答复投诉。"]]


def _hours_text(requirement) -> str:
    """60.0 → 60 (the requirement as people write it), 62.5 stays."""
    return "—" if requirement is None else f"{requirement.min_hours.normalize():f}"


def _plans(f, year: int) -> list[list]:
    """四、下一年工作计划 from the registers: plans already made for the next year and what this year leaves open."""
    from zhifa.training.selectors import requirement_for

    nxt = (date(year + 1, 1, 1), date(year + 1, 12, 31))
    requirement = requirement_for(year + 1)
    lines = [["1.深入推进“双随机、一公开”监管，已制定", f"{year + 1}年", "抽查计划", f("random_plans", nxt), "次。"],
             ["2.加强执法队伍建设，按每人每年", _hours_text(requirement), "学时要求组织业务和法律知识培训",
              *(["，对", f("officers_hours_short"), "名学时未达标人员补训"] if f("officers_hours_short").value.value else []), "；",
              f("certificates_expiring", nxt), "名执法人员的执法证将于",
              f"{year + 1}年", "到期，按期组织换证。"],
             ["3.持续整改，", f("problems_open"), "个未销号的执法问题在", f"{year + 1}年", "逐项整改销号。"]]
    return lines


NUMERALS = "一二三四五六七八九十"


def _kept(sections: list[Section]) -> list[Section]:
    """Leave out passages not written and sections left empty by that; number the parts (一、二、…) as printed."""
    out, n = [], 0
    for section in sections:
        paragraphs = [[part for part in para if not (isinstance(part, Narrative) and not part)] for para in section.paragraphs]
        paragraphs = [p for p in paragraphs if p]
        if section.level == 1 and section.numbered:
            if not paragraphs and section.optional:
                continue
            section.title = f"{NUMERALS[n]}、{section.title}"
            n += 1
        section.paragraphs = paragraphs
        out.append(section)
    return out


def build(unit: Organisation, year: int) -> AnnualReport:
    from .models import ReportNarrative

    start, end = date(year, 1, 1), date(year, 12, 31)
    figures: dict[str, Fig] = {}
    written = dict(ReportNarrative.objects.filter(organisation=unit, year=year).values_list("place", "text"))

    def n(place: str) -> Narrative:
        return Narrative(place, written.get(place, ""))

    def f(key: str, period: tuple[date, date] = (start, end)) -> Fig:
        ref = key if period == (start, end) else f"{key}@{period[0].year}"
        if ref not in figures:
            query = urlencode({"unit": unit.code, "start": period[0].isoformat(), "end": period[1].isoformat()})
            figures[ref] = Fig(ref, metrics.evaluate(key, unit, *period), reverse("reports:records", args=[key]) + "?" + query,
                               metric=key, start=period[0], end=period[1])
        return figures[ref]

    rates: dict[str, metrics.RateValue] = {}

    def r(key: str) -> metrics.RateValue:
        rates[key] = rates.get(key) or metrics.rate(key, unit, start, end)
        return rates[key]

    grades = metrics.by_field(metrics.BY_KEY["credit_grades"], unit, start, end, "to_grade")
    dept_kinds, campaign_text = _operations_text(unit, start, end)
    grade_text = "数据未接入" if grades is None else ("、".join(f"{label}{n}户" for label, n in grades) or "无")
    from zhifa.training.selectors import requirement_for

    requirement = requirement_for(year)
    required_text = _hours_text(requirement)
    hours, officers = f("training_counted_hours").value, f("officers_active").value
    per_officer = f"{hours.value / officers.value:.1f}" if hours.available and officers.value else "—"
    S = Section
    sections = [
        S("", 0, [[f"{year}年，本单位办理行政许可", f("permits_decided"), "件、行政处罚", f("penalties"), "件、行政强制措施",
                   f("coercive_measures"), "件，公开行政执法信息", f("publications"), "条，评查行政执法案卷", f("evaluations"),
                   f"卷。现将{year}年行政执法工作报告公布如下。"]]),
        S("工作开展情况", 1),
        S(f"（一）{year}年度行政执法人员培训情况", 2, [
            ["截至", f"{year}年12月31日", "，在岗执法人员", f("officers_active"), "名，其中持有效行政执法证", f("officers_certified"), "名。"],
            [f"{year}年举办培训", f("training_events"), "期，参训", f("training_attendance"), "人次，认定培训学时", f("training_hours"),
             "学时，其中业务和法律知识学时", f("training_counted_hours"), "学时，人均", per_officer, "学时。", _training_topics(unit, start, end),
             "组织执法人员考试", f("exams"), "场，参考", f("exam_takers"), "人次，合格", f("exam_passed"), "人次，合格率", r("exam_pass_rate"),
             "。按每人每年", required_text, "学时的要求，", f("officers_hours_met"), "名执法人员业务和法律知识学时达标，",
             f("officers_hours_short"), "名未达标，达标率", r("hours_completion_rate"), "。"],
        ]),
        S("（二）行政执法规范化建设情况", 2, [
            ["1.严格落实行政执法“三项制度”。一是严格实施行政执法公示制度。", f"{year}年办理行政许可", f("permits_decided"), "件（收件",
             f("permits_received"), "件）、行政处罚", f("penalties"), "件，通过政府门户网站、公示平台公开各类行政执法信息", f("publications"),
             "条，其中超过公开时限的", f("publications_late"), "条，因决定变更或撤销而撤回", f("publications_withdrawn"), "条。",
             "实施行政强制措施", f("coercive_measures"), "件（其中扣押财物", f("coercive_seizures"), "件、查封场所设施或者财物",
             f("coercive_sealings"), "件），延长期限", f("coercive_extended"), "件，解除", f("coercive_released"), "件，依处理决定没收",
             f("coercive_disposed"), "件。对逾期不缴纳罚款的当事人催告", f("payment_reminders"), "件，申请人民法院强制执行",
             f("enforcement_applied"), "件。"],
            ["二是全面落实行政执法全过程记录制度。配备在用执法装备", f("equipment"), "件，其中执法记录仪", f("body_cameras"), "台、执法车辆",
             f("vehicles"), "台。", n("recording")],
            ["三是落实重大执法决定法制审核制度。具有法律职业资格的执法人员", f("legal_reviewers"), "名，", f"{year}年重大执法决定法制审核",
             f("legal_reviews"), "件。", n("legal_review")],
            ["2.建立健全行政裁量权基准制度。", _benchmark_text(end), "依裁量基准作出罚款决定", f("discretion_applied"),
             "件，偏离裁量建议并说明理由的", f("discretion_deviations"), "件，罚款低于裁量建议的", f("fines_reduced_cases"), "件。"],
            ["3.建立健全柔性执法工作机制。", f"{year}年共计办理首违不罚案件", f("first_no_penalty"), "件、依法免予处罚案件", f("exempt"),
             "件、从轻减轻处罚案件", f("lenient"), "件，罚款决定低于裁量建议的", f("fines_reduced_cases"), "件、减免罚款", f("fines_reduced"), "元；采取说服教育、提醒、约谈等柔性措施", f("soft_measures"), "次，开展调解", f("mediations"), "件。"],
            ["4.健全行政执法协作机制，开展跨领域跨部门联合执法。", f"{year}年开展跨部门联合执法行动", f("joint_operations"), "次，专项整治行动",
             f("campaigns"), "项，联合", dept_kinds, "等", f("joint_departments"), "个部门，出动执法人员", f("operation_officers"),
             "人次，检查车辆", f("operation_vehicles"), "台次、企业", f("operation_enterprises"), "家次，发现问题", f("operation_problems"),
             "处，立案查处", f("operation_cases"), "件；与有关部门联合开展双随机抽查", f("joint_random_plans"), "次。",
             n("cooperation")],
        ]),
        S("（三）提升行政执法质量情况", 2, [
            ["1.开展案卷评查。评查行政执法案卷", f("evaluations"), "卷，其中优秀", f("evaluations_excellent"), "卷、不合格",
             f("evaluations_failed"), "卷；发现执法问题", f("problems"), "个", _by_category(unit, start, end), "，整改销号",
             f("problems_closed"), "个。"],
            ["2.畅通投诉举报渠道。受理12328、12345等投诉举报", f("complaints"), "件，已答复", f("complaints_answered"), "件，答复率", r("complaints_answer_rate"), "。"],
            ["3.撤销或变更的行政处罚决定", f("revoked_decisions"), "件。", n("litigation")],
        ]),
        S("（四）重点领域执法情况", 2, [
            ["1.预防监管。开展宣传活动", f("publicity_events"), "场次，发放宣传资料", f("publicity_materials"), "份，悬挂宣传横幅",
             f("publicity_banners"), "条；约谈", f("interviews"), "次，其中约谈驾驶员等个人", f("interviews_drivers"), "次、企业",
             f("interviews_firms"), "次。", n("publicity")],
            ["2.日常监管。以“双随机、一公开”为基本手段，制定抽查计划", f("random_plans"), "次，检查企业", f("inspections_done"),
             "家次，发现问题", f("inspections_problems"), "处。接收省平台预警抄告", f("warnings_received"), "条，截至年底已办结", f("warnings_closed_of_received"),
             "条，办结率", r("warnings_closed_rate"), "。"],
            ["3.重点监管。非现场执法检测超限违法记录", f("offsite_violations"), "条，通过不见面执法平台远程办理案件", f("remote_cases"), "件；立案", f("cases_opened"), "件；作出罚款决定金额",
             f("fines_imposed"), "元，收缴罚款", f("fines_collected"), "元。", n("key_supervision")],
            ["4.专项监管。开展专项整治行动", f("campaigns"), "项", campaign_text, n("campaigns")],
            ["5.信用监管。对辖区市场主体评定信用等级", f("credit_grades"), "户（", grade_text, "），受理信用修复申请", f("credit_repairs"), "件。"],
        ]),
        S(f"{year}年执法工作创新亮点或典型经验", 1, [[n("highlights")]], optional=True),
        S("存在问题", 1, _problems(f, r)),
        S(f"{year + 1}年工作计划", 1, _plans(f, year)),
    ]
    return AnnualReport(unit=unit, year=year, sections=_kept(sections), figures=figures, rates=rates)


def render_html(report: AnnualReport, *, links: bool = True) -> str:
    return render_to_string("reports/annual_print.html", {"report": report, "links": links})


def render_pdf(report: AnnualReport) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(report, links=False)).write_pdf()


def render_docx(report: AnnualReport) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Serif CJK SC"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Serif CJK SC")
    style.font.size = Pt(12)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(report.title)
    run.bold = True
    run.font.size = Pt(18)
    for section in report.sections:
        if section.title:
            p = doc.add_paragraph()
            r = p.add_run(section.title)
            r.bold = True
            r.font.size = Pt(14 if section.level == 1 else 12)
        for paragraph in section.paragraphs:
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(24)
            for part in paragraph:
                r = p.add_run(part if isinstance(part, str) else part.text)
                if isinstance(part, (Fig, metrics.RateValue)):
                    r.bold = True
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
