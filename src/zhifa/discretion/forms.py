"""Forms of the discretion pages: the calculator (facts of a case), the edition import and the item edit."""

import json

from django import forms
from django.utils import timezone

from .models import PenaltyKind, Rounding, ViolationItem

HARM_CHOICES = [("none", "无危害后果"), ("minor", "危害后果轻微"), ("serious", "危害后果严重")]
FLAGS = [
    ("first_violation", "初次违法"),
    ("minor", "违法行为轻微"),
    ("corrected_promptly", "及时改正"),
    ("reduced_harm", "主动消除或者减轻危害后果（第三十二条第一项）"),
    ("coerced", "受他人胁迫或者诱骗（第三十二条第二项）"),
    ("confessed", "主动供述尚未掌握的违法行为（第三十二条第三项）"),
    ("meritorious", "配合查处有立功表现（第三十二条第四项）"),
    ("other_statutory", "其他法定从轻减轻情形（第三十二条第五项）"),
    ("mitigate", "依法选择减轻处罚"),
    ("no_fault", "有证据证明没有主观过错（第三十三条第二款）"),
    ("repeat_within_year", "一年内再次实施同类违法行为"),
]


class CalculatorForm(forms.Form):
    item = forms.ChoiceField(label="违法行为事项")
    violation_date = forms.DateField(label="违法行为发生日期", widget=forms.DateInput(attrs={"type": "date"}))
    party_kind = forms.ChoiceField(label="当事人", choices=[("person", "公民"), ("organisation", "法人或其他组织")])
    age = forms.IntegerField(label="年龄（公民）", required=False, min_value=0, max_value=120)
    harm = forms.ChoiceField(label="危害后果", choices=HARM_CHOICES, initial="minor")
    discovered_on = forms.DateField(label="发现日期（时效）", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    axles = forms.IntegerField(label="轴数（超限）", required=False, min_value=2, max_value=12)
    combination = forms.BooleanField(label="汽车列车", required=False)
    single_drive_axle = forms.BooleanField(label="牵引车驱动轴为单轴", required=False)
    single_tyre_axles = forms.IntegerField(label="每侧单轮胎的轴数", required=False, min_value=0, max_value=11)
    gross_kg = forms.IntegerField(label="车货总质量（千克）", required=False, min_value=0)
    height_m = forms.DecimalField(label="高度（米）", required=False, max_digits=5, decimal_places=2)
    width_m = forms.DecimalField(label="宽度（米）", required=False, max_digits=5, decimal_places=2)
    length_m = forms.DecimalField(label="长度（米）", required=False, max_digits=5, decimal_places=2)
    rounding = forms.ChoiceField(label="不足1000千克部分", required=False,
                                 choices=[("", "按施行中的裁量基准设定")] + list(Rounding.choices))
    extra = forms.CharField(label="其他情节（JSON）", required=False, widget=forms.TextInput(attrs={"placeholder": '{"own_vehicle": true}'}),
                            help_text="清单和阶次中按事项设定的条件，如 own_vehicle、objective_cause、permit_pending。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(i.code, f"{i.code} {i.name}") for i in ViolationItem.objects.filter(active=True)]
        self.fields["violation_date"].initial = timezone.localdate()
        for key, label in FLAGS:
            self.fields[key] = forms.BooleanField(label=label, required=False)
        for key in ("height_m", "width_m", "length_m"):
            self.fields[key].widget.attrs["aria-label"] = self.fields[key].label

    def flag_fields(self):
        return [self[key] for key, _ in FLAGS]

    def clean_extra(self):
        text = self.cleaned_data.get("extra", "").strip()
        if not text:
            return {}
        try:
            data = json.loads(text)
        except ValueError:
            raise forms.ValidationError("须为JSON对象，如 {\"own_vehicle\": true}") from None
        if not isinstance(data, dict):
            raise forms.ValidationError("须为JSON对象")
        return data

    def facts(self) -> dict:
        data = self.cleaned_data
        facts = {"party_kind": data["party_kind"], "harm": data["harm"]}
        for key in ("age", "axles", "single_tyre_axles", "gross_kg", "rounding", "discovered_on"):
            if data.get(key) not in (None, ""):
                facts[key] = data[key]
        for key in ("height_m", "width_m", "length_m"):
            if data.get(key) is not None:
                facts[key] = float(data[key])
        for key in ("combination", "single_drive_axle", *(k for k, _ in FLAGS)):
            if data.get(key):
                facts[key] = True
        facts.update(data.get("extra") or {})
        return facts


class ImportForm(forms.Form):
    file = forms.FileField(label="裁量基准文件（.xlsx 或 .yaml）",
                           help_text="先导出现行版本作为模板，修改后以新的版本编号和施行日期导入。")


class ItemForm(forms.ModelForm):
    penalty_kinds = forms.MultipleChoiceField(label="处罚种类", choices=PenaltyKind.choices,
                                              widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ViolationItem
        fields = ["name", "category", "violated_provision", "penalty_basis", "penalty_kinds", "statutory_min",
                  "statutory_max", "life_health_safety", "provision_status", "active", "note"]
        widgets = {"violated_provision": forms.Textarea(attrs={"rows": 2}), "penalty_basis": forms.Textarea(attrs={"rows": 2}),
                   "note": forms.Textarea(attrs={"rows": 2})}
