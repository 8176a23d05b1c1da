"""Forms of the payments UI."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms

from .models import PaymentPlan


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label="申请类型", choices=PaymentPlan.Kind.choices)
    reason = forms.CharField(label="经济困难情况（申请理由）", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    applied_on = forms.DateField(label="申请日期", widget=forms.DateInput(attrs={"type": "date"}))
    schedule = forms.CharField(label="缴纳期限和金额", widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="每行一期：日期 金额，如 <code>2026-12-31 1500.00</code>；延期缴纳只填一行。")

    def clean_schedule(self):
        rows = []
        for line in self.cleaned_data["schedule"].splitlines():
            if not line.strip():
                continue
            try:
                day, amount = line.split()
                rows.append((date.fromisoformat(day), Decimal(amount)))
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(f"无法识别：{line}（格式：日期 金额）") from None
        return rows


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(label="审批", choices=[("1", "批准"), ("0", "不予批准")], coerce=lambda v: v == "1")
    opinion = forms.CharField(label="审批意见", required=False, max_length=300)
