from django import forms

from .models import PermitItem


class ApplicationForm(forms.Form):
    item = forms.ModelChoiceField(label="许可事项", queryset=PermitItem.objects.filter(is_active=True))
    applicant_identifier = forms.CharField(label="申请人证件号码", max_length=18, help_text="身份证号码或统一社会信用代码（须已登记为当事人）")
    submitted_on = forms.DateField(label="申请日期", widget=forms.DateInput(attrs={"type": "date"}))
    content = forms.CharField(label="申请内容", max_length=300, required=False)


class ActionForm(forms.Form):
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="理由", max_length=300, required=False)
    certificate_number = forms.CharField(label="许可证书编号", max_length=60, required=False, help_text="留空则自动编号")


class PeriodForm(forms.Form):
    start = forms.DateField(label="起", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="止", widget=forms.DateInput(attrs={"type": "date"}))
