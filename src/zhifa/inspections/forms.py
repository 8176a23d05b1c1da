"""Forms of the inspections UI (Chinese labels; the rules are checked in the services)."""

from django import forms

from .models import SUBJECT_TYPES, InspectionItem


class PlanForm(forms.Form):
    title = forms.CharField(label="计划名称", max_length=200)
    target_types = forms.MultipleChoiceField(label="检查对象类型", choices=SUBJECT_TYPES, widget=forms.CheckboxSelectMultiple)
    items = forms.ModelMultipleChoiceField(label="抽查事项", queryset=InspectionItem.objects.filter(active=True), widget=forms.CheckboxSelectMultiple,
                                           help_text="重点事项（★）由风险点确定，不设比例上限")
    target_count = forms.IntegerField(label="抽取对象数", min_value=1, required=False)
    ratio_percent = forms.DecimalField(label="或抽取比例（%）", min_value=0, max_value=100, decimal_places=2, required=False)
    inspectors_per_target = forms.IntegerField(label="每户检查人员数", min_value=2, max_value=6, initial=2)
    joint_departments = forms.CharField(label="联合抽查部门", max_length=300, required=False, help_text="部门联合抽查时填写")
    starts_on = forms.DateField(label="检查开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="检查结束日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].label_from_instance = lambda i: f"{'★' if i.is_key else ''}{i.name}（{i.get_subject_type_display()}）"


class RedrawForm(forms.Form):
    reason = forms.CharField(label="重新抽取原因", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(forms.Form):
    on = forms.DateField(label="回访日期", widget=forms.DateInput(attrs={"type": "date"}))
    rectified = forms.TypedChoiceField(label="整改情况", choices=[("1", "已按要求整改"), ("0", "逾期未整改（移送立案）")], coerce=lambda v: v == "1")
    result = forms.CharField(label="回访情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class WarningFileForm(forms.Form):
    file = forms.FileField(label="省平台预警导出文件", help_text="省平台导出的 CSV 或 JSON 文件（列：预警编号、预警类别、预警类型、预警内容、发生时间、统一社会信用代码、号牌，列名按省平台格式，见接口文档）")


class WarningNotifyForm(forms.Form):
    deadline = forms.DateField(label="整改期限", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="整改通知内容", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class RectificationNoticeForm(forms.Form):
    """责令改正违法行为通知书: the provisions violated and the basis of the order, as the notice states them."""

    legal_basis = forms.CharField(label="违反的规定及责令改正的依据", max_length=400, widget=forms.Textarea(attrs={"rows": 2}),
                                  required=False, help_text="写明法规名称和条款；检查记录可留空，按不符合事项的检查依据填写")
    requirements = forms.CharField(label="改正要求", max_length=300, required=False)


class WarningCloseForm(forms.Form):
    result = forms.CharField(label="处置结果", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
