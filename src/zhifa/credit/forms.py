"""Forms of the credit UI."""

from django import forms


class DishonestyForm(forms.Form):
    reason = forms.CharField(label="列入事由", max_length=300)
    basis = forms.CharField(label="列入依据", max_length=300, help_text="如《公路安全保护条例》第六十六条")
    joint_punishment = forms.CharField(label="联合惩戒措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RemovalForm(forms.Form):
    reason = forms.CharField(label="移出原因", max_length=300)


class RepairOnBehalfForm(forms.Form):
    applicant_name = forms.CharField(label="申请人（企业）", max_length=100)
    applicant_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    commitment_signed = forms.BooleanField(label="已签署信用承诺书", required=False)


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(label="审批结果", choices=[("1", "同意修复，撤下公示"), ("0", "不予修复")], coerce=lambda v: v == "1")
    note = forms.CharField(label="审批意见", max_length=300, required=False)


class PublicRepairForm(forms.Form):
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18)
    decision_number = forms.CharField(label="行政处罚决定书文号", max_length=60)
    applicant_name = forms.CharField(label="申请人", max_length=100)
    applicant_phone = forms.CharField(label="联系电话", max_length=30)
    commitment_signed = forms.BooleanField(label="本单位已阅读并签署《信用修复承诺书》，承诺所提交材料真实，今后依法诚信经营", required=False)
