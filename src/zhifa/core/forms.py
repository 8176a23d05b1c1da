"""Forms for the officer UI (labels in Chinese; validation messages come from the models/services)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .identifiers import PLATE_COLOURS, IdType
from .models import Party


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续多次输错后将被临时禁止登录。",
        # the same message whether or not the account exists (no usernames revealed)
        "inactive": "用户名或密码错误。连续多次输错后将被临时禁止登录。",
        "locked": "登录失败次数过多，已临时禁止登录，请稍后再试或联系管理员。",
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "zhifa_locked", False):
                raise forms.ValidationError(self.error_messages["locked"], code="locked") from None
            raise


class WorkingDaysForm(forms.Form):
    start = forms.DateField(label="起算日期", widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label="工作日数", min_value=0, max_value=400, initial=7)


class PartyForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=Party.Kind.choices)
    name = forms.CharField(label="名称/姓名", max_length=120)
    id_type = forms.ChoiceField(label="证件类型（自然人）", choices=IdType.CHOICES, initial=IdType.ID_CARD)
    id_number = forms.CharField(label="证件号码", max_length=18, required=False)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    legal_representative = forms.CharField(label="法定代表人（个体工商户为经营者）", max_length=50, required=False)
    legal_rep_id_type = forms.ChoiceField(label="法定代表人证件类型", choices=IdType.CHOICES, initial=IdType.ID_CARD)
    legal_rep_id_number = forms.CharField(label="法定代表人证件号码", max_length=18, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="住所/地址", max_length=200, required=False)


class VehicleForm(forms.Form):
    plate = forms.CharField(label="号牌号码", max_length=12, help_text="如 豫R·A1234")
    plate_colour = forms.ChoiceField(label="号牌颜色", choices=PLATE_COLOURS, initial="yellow")
    vehicle_type = forms.CharField(label="车辆类型", max_length=40, initial="重型半挂牵引车")
    axle_count = forms.IntegerField(label="轴数", min_value=2, max_value=12, initial=6)
    is_combination = forms.BooleanField(label="汽车列车", required=False, initial=True)
    owner_identifier = forms.CharField(label="所有人证件号码", max_length=18, help_text="已登记当事人的身份证号码或统一社会信用代码")
    transport_cert_number = forms.CharField(label="道路运输证号", max_length=32, required=False)
