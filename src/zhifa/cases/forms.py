"""Forms of the case pages: one per action, each parsed here and handed to one service (views.ACTIONS)."""

from django import forms

from zhifa.core.errors import DomainError
from zhifa.core.models import Officer
from zhifa.core.selectors import enforcing_officers
from zhifa.discretion.models import ListKind

from . import penalties
from .execution import SUSPEND_REASONS as _SUSPEND
from .execution import TERMINATE_REASONS as _TERMINATE
from .models import (
    Case,
    ClockSuspension,
    EvidenceItem,
    ExecutionAct,
    Extension,
    LegalReview,
    ListApplication,
    Transcript,
)

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})


class OfficersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.cert_number}，{obj.organisation.short_name or obj.organisation.name}）"


def officer_field(user, label="执法人员（至少两名）"):
    org = user.organisation.enforcement_body() if user.organisation_id else None
    qs = enforcing_officers(org) if org else Officer.objects.none()
    own = Officer.objects.filter(user=user).values_list("pk", flat=True).first() if user is not None else None
    # The signed-in officer's own organisation first, then the rest of the agency.
    qs = qs.select_related("organisation").order_by("organisation__path", "name")
    field = OfficersField(queryset=qs, label=label, widget=forms.CheckboxSelectMultiple(attrs={"class": "officer-choice"}),
                          help_text="须持有有效执法证（行政处罚法第四十二条）")
    field.initial = [own] if own else []
    return field


class LeadForm(forms.Form):
    source = forms.ChoiceField(label="案件来源", choices=Case.Source.choices)
    party_identifier = forms.CharField(label="当事人证件号码", max_length=18, help_text="身份证号码或统一社会信用代码（须已登记）")
    plate = forms.CharField(label="车辆号牌", max_length=12, required=False, help_text="如 豫R·A1234（须已登记）")
    occurred_at = forms.DateTimeField(label="违法行为发生时间", widget=DATETIME)
    place = forms.CharField(label="地点", max_length=200)
    facts = forms.CharField(label="案情", widget=TEXT)
    violation_item_code = forms.CharField(label="违法行为事项编码", max_length=40, required=False)
    act_ended_on = forms.DateField(label="违法行为终了日期", widget=DATE, required=False,
                                   help_text="违法行为有连续或者继续状态的填写，追责期限从终了之日起计算（行政处罚法第三十六条第二款）")
    discovered_on = forms.DateField(label="发现日期", widget=DATE, required=False,
                                    help_text="早于今天发现的填写（如举报、移送之日），须写明依据；不填以登记日期为发现日期")
    discovery_evidence = forms.CharField(label="发现日期的依据", max_length=300, required=False,
                                         help_text="如 12328举报登记编号、检查记录、移送函文号")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"] = officer_field(user, "承办执法人员")
        self.fields["officers"].required = False


NOT_SAME_ACT_HELP = ("系统发现当事人在相近时间、地点的相同事实已被罚款时，须写明理由确认不是同一违法行为"
                     "（行政处罚法第二十九条），否则不予处罚；理由记入全过程记录")


class DiscoveryForm(forms.Form):
    discovered_on = forms.DateField(label="发现日期", widget=DATE, required=False, help_text="不填以线索登记日期为发现日期")
    evidence = forms.CharField(label="发现日期的依据", max_length=300, required=False)
    act_ended_on = forms.DateField(label="违法行为终了日期（连续或者继续状态）", widget=DATE, required=False)


class SimplifiedForm(forms.Form):
    party_identifier = forms.CharField(label="当事人证件号码", max_length=18, help_text="身份证号码或统一社会信用代码（须已登记）")
    plate = forms.CharField(label="车辆号牌", max_length=12, required=False)
    occurred_at = forms.DateTimeField(label="违法时间", widget=DATETIME)
    place = forms.CharField(label="地点", max_length=200)
    facts = forms.CharField(label="违法事实", widget=TEXT)
    violation_item_code = forms.CharField(label="违法行为事项编码", max_length=40, required=False)
    penalty_kind = forms.ChoiceField(label="处罚种类", choices=[("warning", "警告"), ("fine", "罚款")])
    amount = forms.DecimalField(label="罚款金额（元）", max_digits=12, decimal_places=2, required=False,
                                help_text="对公民罚款二百元以下、对单位三千元以下（行政处罚法第五十一条）")
    violated_provision = forms.CharField(label="违反条款", widget=TEXT, required=False,
                                         help_text="违法行为不在事项目录中的必填，如《中华人民共和国道路运输条例》第十条")
    legal_basis = forms.CharField(label="处罚依据条款", widget=TEXT, help_text="如《中华人民共和国道路运输条例》第六十三条第（二）项")
    not_same_act = forms.CharField(label="确认非同一违法行为的理由", widget=TEXT, required=False, help_text=NOT_SAME_ACT_HELP)
    deviation_reason = forms.CharField(label="偏离裁量建议的理由", widget=TEXT, required=False,
                                       help_text="罚款金额与该事项裁量基准的建议金额不同时必填，将写入决定书")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"] = officer_field(user)


class OpenForm(forms.Form):
    limitation_override = forms.CharField(label="超过追责期限仍立案的理由", widget=TEXT, required=False,
                                          help_text="仅在违法行为已超过追责期限（第三十六条）时填写，将被记录")

    def __init__(self, *args, user=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"] = officer_field(user, "承办执法人员（至少两名）")
        if case is not None:
            self.fields["officers"].initial = list(case.officers.values_list("pk", flat=True))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=TEXT)


class TransferForm(forms.Form):
    to = forms.CharField(label="移送机关", max_length=120)
    reason = forms.CharField(label="理由", widget=TEXT)


class SetReviewForm(forms.Form):
    legal_review_required = forms.BooleanField(label="需要法制审核（第五十八条）", required=False)
    discussion_required = forms.BooleanField(label="需要集体讨论（第五十七条）", required=False)
    basis = forms.CharField(label="依据/理由", max_length=300, required=False)


class ReportForm(forms.Form):
    report_text = forms.CharField(label="调查终结报告", widget=forms.Textarea(attrs={"rows": 6}))
    proposed_outcome = forms.ChoiceField(label="拟处理意见", choices=[("penalty", "给予行政处罚"), ("no_penalty", "不予行政处罚")])
    proposed_amount = forms.DecimalField(label="拟罚款金额（元）", max_digits=12, decimal_places=2, required=False)
    deviation_reason = forms.CharField(label="偏离裁量建议的理由", widget=TEXT, required=False,
                                       help_text="拟罚款金额与裁量建议不同时必填，案件将提交法制审核")


class InternalReviewForm(forms.Form):
    approve = forms.TypedChoiceField(label="审查结论", choices=[("1", "同意"), ("0", "退回补充调查")], coerce=lambda v: v == "1")
    opinion = forms.CharField(label="审查意见", widget=TEXT)


class LegalReviewForm(forms.Form):
    opinion = forms.ChoiceField(label="审核意见", choices=LegalReview.Opinion.choices)
    text = forms.CharField(label="审核意见说明", widget=TEXT)
    modified_amount = forms.DecimalField(label="建议罚款金额（元，修改时填）", max_digits=12, decimal_places=2, required=False)
    range_check = forms.CharField(label="罚款幅度核对", widget=TEXT, required=False,
                                  help_text="罚款幅度未能自动核对的案件必填：写明处罚依据条款规定的罚款幅度，以及拟罚款金额是否在幅度内")


class RangeCheckForm(forms.Form):
    range_check = forms.CharField(label="罚款幅度核对", widget=TEXT,
                                  help_text="写明处罚依据条款规定的罚款幅度，以及现拟罚款金额是否在幅度内（核对的金额和处罚依据将一并记录）")


class DiscussForm(forms.Form):
    minutes = forms.CharField(label="集体讨论记录", widget=TEXT)


class ProvisionsForm(forms.Form):
    violated_provision = forms.CharField(label="违反条款", widget=TEXT, help_text="只写法规名称和条款，如《中华人民共和国道路运输条例》第十条")
    penalty_provision = forms.CharField(label="处罚依据条款", widget=TEXT, help_text="如《中华人民共和国道路运输条例》第六十三条第（二）项")


KIND_CHOICES = [c for c in Case.PenaltyKind.choices]
EXTRA_LINES = 2  # further penalty kinds one decision may combine (行政处罚法 Art. 9), besides the first


class PenaltyLinesForm(forms.Form):
    """The penalty as lines (行政处罚法 Art. 9): the first kind with its amount, licence/items and term, and up to
    two further kinds combined in the same decision (e.g. 没收违法所得 + 罚款). Cleaned into ``lines``."""

    kind_label = "处罚种类"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {
            "penalty_kind": forms.ChoiceField(label=self.kind_label, choices=KIND_CHOICES),
            "amount": forms.DecimalField(label="金额（元）", max_digits=12, decimal_places=2, required=False,
                                         help_text="罚款、没收违法所得的金额（没收非法财物可填价值）"),
            "subject": forms.CharField(label="证照/物品/范围", max_length=300, required=False,
                                       help_text="吊销、暂扣的许可证件名称和编号；没收的物品及数量；限制的活动"),
            "term": forms.CharField(label="期限", max_length=60, required=False, help_text="暂扣许可证件等须写明期限"),
        }
        for i in range(2, EXTRA_LINES + 2):
            fields[f"kind_{i}"] = forms.ChoiceField(label=f"并处第{i}项处罚种类", choices=[("", "（无）"), *KIND_CHOICES], required=False)
            fields[f"amount_{i}"] = forms.DecimalField(label=f"第{i}项金额（元）", max_digits=12, decimal_places=2, required=False)
            fields[f"subject_{i}"] = forms.CharField(label=f"第{i}项证照/物品/范围", max_length=300, required=False)
            fields[f"term_{i}"] = forms.CharField(label=f"第{i}项期限", max_length=60, required=False)
        # The penalty fields first, the form's own fields after them.
        own = dict(self.fields)
        self.fields = {**fields, **own}

    def clean(self):
        data = super().clean()
        rows = [{"kind": data.get("penalty_kind"), "amount": data.get("amount"), "subject": data.get("subject", ""),
                 "term": data.get("term", "")}]
        for i in range(2, EXTRA_LINES + 2):
            if data.get(f"kind_{i}"):
                rows.append({"kind": data[f"kind_{i}"], "amount": data.get(f"amount_{i}"), "subject": data.get(f"subject_{i}", ""),
                             "term": data.get(f"term_{i}", "")})
        try:
            penalties.parse_lines(rows)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        for name in list(data):
            if name in ("penalty_kind", "amount", "subject", "term") or name.split("_")[0] in ("kind", "amount", "subject", "term") \
                    and name.rsplit("_", 1)[-1].isdigit():
                data.pop(name)
        data["lines"] = rows
        return data


class NotifyForm(PenaltyLinesForm):
    kind_label = "拟处罚种类"


class StatementForm(forms.Form):
    statement = forms.CharField(label="当事人陈述申辩意见", widget=TEXT)
    adopted = forms.CharField(label="复核意见（是否采纳及理由）", widget=TEXT, required=False)
    no_fault = forms.BooleanField(label="当事人有证据足以证明没有主观过错（第三十三条）", required=False)


class WaiveForm(forms.Form):
    statement = forms.CharField(label="当事人放弃权利的书面声明", widget=TEXT, required=False,
                                help_text="单独记载，不替代已记录的陈述申辩意见")


class HearingRequestForm(forms.Form):
    requested_on = forms.DateField(label="申请日期", widget=DATE)


class HearingScheduleForm(forms.Form):
    hearing_on = forms.DateField(label="听证日期", widget=DATE, help_text="应在通知之日起7个工作日后（第六十四条）")
    public = forms.BooleanField(label="公开举行", required=False, initial=True)
    private_reason = forms.CharField(label="不公开举行的理由", max_length=200, required=False,
                                     help_text="涉及国家秘密、商业秘密或者个人隐私的，依法不公开（第六十四条）")


class HearingHoldForm(forms.Form):
    record = forms.CharField(label="听证笔录", widget=forms.Textarea(attrs={"rows": 5}))


class DecideForm(PenaltyLinesForm):
    legal_basis = forms.CharField(label="法律依据", widget=TEXT)
    reasoning = forms.CharField(label="处罚理由（说理）", widget=forms.Textarea(attrs={"rows": 4}))
    lenient = forms.BooleanField(label="从轻或减轻处罚", required=False)
    deviation_reason = forms.CharField(label="偏离裁量建议的理由", widget=TEXT, required=False,
                                       help_text="决定金额与裁量建议不同时必填，将提示法制审核人员")
    not_same_act = forms.CharField(label="确认非同一违法行为的理由", widget=TEXT, required=False, help_text=NOT_SAME_ACT_HELP)


class NoPenaltyForm(forms.Form):
    reason = forms.ChoiceField(label="不予处罚理由", choices=[c for c in Case.NoPenaltyReason.choices if c[0]])
    reasoning = forms.CharField(label="说理及教育情况", widget=TEXT)
    legal_basis = forms.CharField(label="法律依据", widget=TEXT, required=False)


class DeliverForm(forms.Form):
    method = forms.ChoiceField(label="送达方式", choices=Case.DeliveryMethod.choices)
    delivered_on = forms.DateField(label="送达日期", widget=DATE)
    consent = forms.CharField(label="电子送达确认书", widget=TEXT, required=False, help_text="电子送达须当事人签署确认书（第六十一条）")
    address = forms.CharField(label="送达地址/电子地址", max_length=200, required=False)


class CloseForm(forms.Form):
    report = forms.CharField(label="结案报告", widget=TEXT)


class EmptyForm(forms.Form):
    pass


class CorrectForm(forms.Form):
    field_label = forms.CharField(label="更正事项", max_length=60)
    old_text = forms.CharField(label="原内容", widget=TEXT)
    new_text = forms.CharField(label="更正为", widget=TEXT)
    reason = forms.CharField(label="理由", widget=TEXT)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label="延长天数", min_value=1, max_value=365)
    basis = forms.ChoiceField(label="依据", choices=Extension.Basis.choices)
    reason = forms.CharField(label="理由", widget=TEXT)


class SuspendForm(forms.Form):
    reason = forms.ChoiceField(label="中止事由", choices=ClockSuspension.Reason.choices)
    started_on = forms.DateField(label="开始日期", widget=DATE)
    note = forms.CharField(label="说明", max_length=200, required=False)


class ResumeForm(forms.Form):
    ended_on = forms.DateField(label="恢复日期", widget=DATE)


class TranscriptForm(forms.Form):
    kind = forms.ChoiceField(label="笔录种类", choices=Transcript.Kind.choices)
    started_at = forms.DateTimeField(label="开始时间", widget=DATETIME)
    ended_at = forms.DateTimeField(label="结束时间", widget=DATETIME)
    place = forms.CharField(label="地点", max_length=200)
    person_name = forms.CharField(label="被询问人/当事人/见证人", max_length=60)
    person_id_number = forms.CharField(label="身份证号码", max_length=18, required=False)
    person_relation = forms.CharField(label="与案件关系", max_length=40, required=False)
    qa = forms.CharField(label="问答（询问笔录）", widget=forms.Textarea(attrs={"rows": 8}), required=False,
                         help_text="每行一条，以“问：”或“答：”开头")
    observations = forms.CharField(label="现场/勘验情况（现场笔录、勘验笔录）", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    measures = forms.CharField(label="采取的措施", widget=TEXT, required=False)
    signed_by_person = forms.BooleanField(label="被询问人/当事人已签名确认", required=False, initial=True)
    refusal_note = forms.CharField(label="拒绝签名情况", max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"] = officer_field(user)

    def content(self):
        data = self.cleaned_data
        if data["kind"] == Transcript.Kind.INQUIRY:
            pairs, current = [], None
            for line in data["qa"].splitlines():
                line = line.strip()
                if line.startswith(("问：", "问:")):
                    current = {"q": line[2:].strip(), "a": ""}
                    pairs.append(current)
                elif line.startswith(("答：", "答:")) and current is not None:
                    current["a"] = (current["a"] + " " + line[2:].strip()).strip()
            return pairs
        return {"observations": data["observations"], "measures": data["measures"]}


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label="证据种类", choices=EvidenceItem.Kind.choices)
    title = forms.CharField(label="名称", max_length=120)
    description = forms.CharField(label="证明内容", widget=TEXT, required=False)
    file = forms.FileField(label="文件（照片、录音、视频、PDF）", required=False)
    captured_at = forms.DateTimeField(label="采集时间", widget=DATETIME, required=False)
    capture_device = forms.CharField(label="采集设备", max_length=80, required=False, help_text="如 执法记录仪编号")
    capture_place = forms.CharField(label="采集地点", max_length=200, required=False)
    quantity = forms.CharField(label="数量", max_length=40, required=False)


ITEMS_HELP = "每行一项：名称｜规格、特征｜数量｜单位，如：重型半挂牵引车｜豫R·D3578 黄色｜1｜辆"


def _items(text: str) -> list[dict]:
    rows = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.replace("|", "｜").split("｜")]
        if parts and parts[0]:
            parts += [""] * (4 - len(parts))
            rows.append({"name": parts[0], "spec": parts[1], "quantity": parts[2], "unit": parts[3]})
    return rows


class PreservationRequestForm(forms.Form):
    """先行登记保存 (行政处罚法 Art. 56): the items, where they are kept, why the evidence may be lost."""

    items = forms.CharField(label="登记保存的物品", widget=forms.Textarea(attrs={"rows": 4}), help_text=ITEMS_HELP)
    place = forms.CharField(label="保存地点", max_length=200)
    reason = forms.CharField(label="证据可能灭失或者以后难以取得的情形", widget=TEXT)
    holder = forms.CharField(label="物品持有人/见证人", max_length=60, required=False)

    def clean_items(self):
        return _items(self.cleaned_data["items"])


class SamplingForm(forms.Form):
    items = forms.CharField(label="抽取的样品", widget=forms.Textarea(attrs={"rows": 3}), help_text=ITEMS_HELP)
    place = forms.CharField(label="抽样地点", max_length=200)
    purpose = forms.CharField(label="抽样用途", max_length=200, required=False, help_text="如 送检测机构检测")
    holder = forms.CharField(label="见证人", max_length=60, required=False)

    def clean_items(self):
        return _items(self.cleaned_data["items"])


class PreservationDecideForm(forms.Form):
    """The head's approval, or the decision within seven working days (release or another handling)."""

    decision = forms.ChoiceField(label="决定", choices=[("approve", "批准先行登记保存"), ("refuse", "不予批准"),
                                                      ("release", "解除登记保存（退还物品）"), ("handle", "其他处理决定")])
    text = forms.CharField(label="意见、解除理由或处理决定", widget=TEXT, required=False)
    returned_to = forms.CharField(label="退还对象（解除时）", max_length=60, required=False)


class ListApplyForm(forms.Form):
    """四张清单: the list the outcome relies on and the facts that meet its conditions (行政处罚法 Art. 32, 33)."""

    list_kind = forms.ChoiceField(label="适用清单", choices=[(k, ListKind(k).label) for k in
                                                         (ListKind.FIRST_VIOLATION, ListKind.MINOR_NO_PENALTY, ListKind.LENIENT, ListKind.MITIGATED)])
    harm = forms.ChoiceField(label="危害后果", choices=[("", "—"), *ListApplication.Harm.choices], required=False)
    corrected_on = forms.DateField(label="改正日期", widget=DATE, required=False, help_text="首违不罚、轻微不罚须已改正（第三十三条）")
    correction = forms.CharField(label="改正情况", widget=TEXT, required=False)


class CommitmentSignForm(forms.Form):
    signed_on = forms.DateField(label="当事人签署日期", widget=DATE)


class ExecutionForm(forms.Form):
    """行政强制执行 by the agency where a law gives it the power (行政强制法 Arts. 13, 37, 39-40, 44, 51)."""

    kind = forms.ChoiceField(label="文书", choices=ExecutionAct.Kind.choices)
    statute = forms.CharField(label="授予强制执行权的法律条款", max_length=300, required=False,
                              help_text="决定书、代履行决定书、执行公告必填，如《中华人民共和国公路法》第八十一条（行政强制法第十三条）")
    obligation = forms.CharField(label="当事人应履行的义务", widget=TEXT, required=False)
    method = forms.CharField(label="强制执行方式/代履行方式和时间", widget=TEXT, required=False)
    reminded_on = forms.DateField(label="催告书送达日期", widget=DATE, required=False)
    deadline = forms.DateField(label="公告限期", widget=DATE, required=False)
    executor = forms.CharField(label="代履行人", max_length=120, required=False)
    cost = forms.DecimalField(label="代履行费用预算（元）", max_digits=12, decimal_places=2, required=False)
    reason = forms.ChoiceField(label="中止/终结事由", required=False,
                               choices=[("", "—"), ("中止事由（第三十九条）", list(_SUSPEND.items())),
                                        ("终结事由（第四十条）", list(_TERMINATE.items()))])
    reason_text = forms.CharField(label="具体情况", widget=TEXT, required=False)
