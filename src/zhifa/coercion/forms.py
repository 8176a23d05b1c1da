"""Forms of the coercion pages (Chinese labels, date/time inputs usable on a tablet). They only parse: every rule is
checked by the services."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone

from zhifa.core.models import Officer
from zhifa.core.selectors import scope

from . import selectors
from .models import Measure, MeasureBasis, MeasurePause

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
ITEMS_HELP = "每行一项：名称，数量，单位，规格特征（如：重型半挂牵引车豫R·D3578，1，辆，黄色号牌）"


def parse_items(text: str) -> list[dict]:
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[，,|]", line)]
        try:
            quantity = Decimal(parts[1]) if len(parts) > 1 and parts[1] else Decimal("1")
        except InvalidOperation as exc:
            raise forms.ValidationError(f"第{n}行数量“{parts[1]}”不是数字。") from exc
        rows.append({"name": parts[0], "quantity": quantity, "unit": parts[2] if len(parts) > 2 and parts[2] else "件",
                     "description": "，".join(parts[3:])})
    return rows


class SceneForm(forms.Form):
    """The scene of the measure (行政强制法 Art. 18) and its list (Art. 24)."""

    taken_at = forms.DateTimeField(label="实施时间", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    officers = forms.ModelMultipleChoiceField(label="实施执法人员（不少于两名）", queryset=Officer.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)
    place = forms.CharField(label="实施地点", max_length=200, required=False)
    party_present = forms.BooleanField(label="当事人到场", required=False, initial=True)
    witness = forms.CharField(label="见证人（当事人不到场时）", max_length=60, required=False)
    rights_notified = forms.BooleanField(label="已当场告知理由、依据以及当事人依法享有的权利、救济途径", required=False)
    statement = forms.CharField(label="当事人陈述申辩", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    scene_record = forms.CharField(label="现场笔录", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    record_signed = forms.BooleanField(label="当事人已在现场笔录上签名", required=False, initial=True)
    refusal_note = forms.CharField(label="拒绝签名情况", max_length=200, required=False)
    items = forms.CharField(label="查封、扣押清单", widget=forms.Textarea(attrs={"rows": 3}), help_text=ITEMS_HELP, required=False)
    custody_place = forms.CharField(label="保管场所", max_length=200, required=False)
    custodian = forms.CharField(label="受委托保管的第三人", max_length=120, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = scope(Officer.objects.filter(is_active=True), user).order_by("name")
        self.fields["taken_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_items(self):
        return parse_items(self.cleaned_data["items"])

    def scene(self):
        from .services import Scene

        d = self.cleaned_data
        return Scene(taken_at=d["taken_at"], officers=list(d["officers"]), items=d["items"], rights_notified=d["rights_notified"],
                     statement=d["statement"], scene_record=d["scene_record"], custody_place=d["custody_place"],
                     party_present=d["party_present"], witness=d["witness"], record_signed=d["record_signed"],
                     refusal_note=d["refusal_note"], custodian=d["custodian"], place=d["place"])


class StartForm(SceneForm):
    """Start a measure in a case: ask for approval, or (emergency) take it at once with the scene filled in."""

    MODES = [("apply", "报请负责人批准后实施（第十八条）"), ("emergency", "情况紧急，当场实施，二十四小时内报告（第十九条）")]
    case = forms.IntegerField(widget=forms.HiddenInput)
    mode = forms.ChoiceField(label="实施方式", choices=MODES, widget=forms.RadioSelect, initial="apply")
    basis = forms.ModelChoiceField(label="措施事项及依据", queryset=MeasureBasis.objects.none())
    reason = forms.CharField(label="理由（涉嫌违法事实）", widget=forms.Textarea(attrs={"rows": 2}))
    no_coercion_reason = forms.CharField(label="违法行为列入不予实施行政强制措施清单时仍须实施的理由", required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["case", "mode", "basis", "reason", "no_coercion_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["basis"].queryset = selectors.bases_in_force()
        for name in ("taken_at", "officers"):
            self.fields[name].required = False  # only for an emergency

    def clean(self):
        data = super().clean()
        if data.get("mode") == "emergency" and not data.get("taken_at"):
            self.add_error("taken_at", "当场实施须填写实施时间。")
        return data


class OpinionForm(forms.Form):
    opinion = forms.CharField(label="意见", max_length=300, required=False)


class RefuseForm(forms.Form):
    opinion = forms.CharField(label="不予批准的意见", max_length=300)


class NoteForm(forms.Form):
    note = forms.CharField(label="报告情况", max_length=300, required=False)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label="延长天数", min_value=1, max_value=365, initial=30)
    reason = forms.CharField(label="延长理由（情况复杂的具体情形）", widget=forms.Textarea(attrs={"rows": 2}))


class PauseForm(forms.Form):
    reason = forms.ChoiceField(label="事由", choices=MeasurePause.Reason.choices)
    started_on = forms.DateField(label="开始日期", widget=DATE)
    notified_on = forms.DateField(label="书面告知当事人日期", widget=DATE)
    note = forms.CharField(label="说明（检测机构、期间）", max_length=200, required=False)


class ResumeForm(forms.Form):
    ended_on = forms.DateField(label="结束日期", widget=DATE)


class ReleaseForm(forms.Form):
    reason = forms.ChoiceField(label="解除理由", choices=Measure.ReleaseReason.choices)
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    released_on = forms.DateField(label="解除日期", widget=DATE)
    returned_to = forms.CharField(label="财物退还给", max_length=120, required=False, help_text="默认退还当事人")


class DisposeForm(forms.Form):
    note = forms.CharField(label="处理情况（没收或依法销毁的财物）", widget=forms.Textarea(attrs={"rows": 2}))
    decision_number = forms.CharField(label="处理决定文号", max_length=60, required=False, help_text="默认为案件的决定书文号")
