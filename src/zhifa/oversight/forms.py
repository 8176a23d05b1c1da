"""Forms of the oversight UI (labels in Chinese; business validation is in the services)."""

from django import forms

from zhifa.core.models import Officer, Organisation, User
from zhifa.core.selectors import organisations_for, scope

from .models import Power, Problem, SupervisionEntry, SupervisionListing

DATE = forms.DateInput(attrs={"type": "date"})


def _users(user):
    return scope(User.objects.filter(is_active=True).select_related("organisation"), user).order_by("organisation__path", "username")


class OrgChoiceMixin:
    def _orgs(self, user):
        self.fields["organisation"].queryset = organisations_for(user)
        if user.organisation_id:
            self.fields["organisation"].initial = user.organisation_id


class ProblemForm(OrgChoiceMixin, forms.Form):
    organisation = forms.ModelChoiceField(label="责任单位", queryset=Organisation.objects.none())
    source = forms.ChoiceField(label="问题来源", choices=Problem.Source.choices)
    source_ref = forms.CharField(label="来源编号", max_length=60, required=False, help_text="如投诉工单号、督查通报文号")
    category = forms.ChoiceField(label="问题类别", choices=Problem.Category.choices)
    title = forms.CharField(label="问题概述", max_length=200)
    description = forms.CharField(label="具体表现", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    found_on = forms.DateField(label="发现日期", widget=DATE)
    measures = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label="整改时限", widget=DATE)
    owner = forms.ModelChoiceField(label="责任人", queryset=User.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._orgs(user)
        self.fields["owner"].queryset = _users(user)

    def clean(self):
        data = super().clean()
        if data.get("deadline") and data.get("found_on") and data["deadline"] < data["found_on"]:
            self.add_error("deadline", "整改时限不能早于发现日期。")
        return data


class ProblemEditForm(forms.Form):
    category = forms.ChoiceField(label="问题类别", choices=Problem.Category.choices)
    title = forms.CharField(label="问题概述", max_length=200)
    description = forms.CharField(label="具体表现", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    source_ref = forms.CharField(label="来源编号", max_length=60, required=False)
    measures = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(label="责任人", queryset=User.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _users(user)


class ExtendForm(forms.Form):
    deadline = forms.DateField(label="新的整改时限", widget=DATE)
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 2}))


class ListKeyForm(forms.Form):
    reason = forms.ChoiceField(label="督办事由", choices=SupervisionListing.Reason.choices)
    requirement = forms.CharField(label="督办要求", widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label="督办时限", widget=DATE)


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=SupervisionEntry.Kind.choices)
    on = forms.DateField(label="日期", widget=DATE)
    note = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}))


class RoundForm(OrgChoiceMixin, forms.Form):
    organisation = forms.ModelChoiceField(label="组织单位", queryset=Organisation.objects.none(), help_text="从本单位及下级单位的已结案卷中抽取")
    name = forms.CharField(label="名称", max_length=120, initial="案卷评查")
    period_from = forms.DateField(label="结案起始日", widget=DATE)
    period_to = forms.DateField(label="结案截止日", widget=DATE)
    sample_size = forms.IntegerField(label="抽取数量", min_value=1, max_value=1000, initial=20)
    enterprise_only = forms.BooleanField(label="仅涉企案件", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._orgs(user)

    def clean(self):
        data = super().clean()
        if data.get("period_from") and data.get("period_to") and data["period_from"] > data["period_to"]:
            self.add_error("period_to", "结案截止日不能早于起始日。")
        return data


class CaseRecordForm(OrgChoiceMixin, forms.Form):
    organisation = forms.ModelChoiceField(label="办案机构", queryset=Organisation.objects.none())
    number = forms.CharField(label="案号", max_length=60)
    title = forms.CharField(label="案由", max_length=200)
    party_name = forms.CharField(label="当事人", max_length=120, required=False)
    closed_on = forms.DateField(label="结案日期", widget=DATE)
    officers = forms.ModelMultipleChoiceField(label="承办人员", queryset=Officer.objects.none(), widget=forms.SelectMultiple(attrs={"size": 6}))
    involves_enterprise = forms.BooleanField(label="涉企案件", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._orgs(user)
        self.fields["officers"].queryset = scope(Officer.objects.select_related("organisation"), user)


class PowerForm(OrgChoiceMixin, forms.Form):
    organisation = forms.ModelChoiceField(label="公布单位", queryset=Organisation.objects.none())
    code = forms.CharField(label="事项编码", max_length=40)
    kind = forms.ChoiceField(label="权力类型", choices=Power.Kind.choices)
    name = forms.CharField(label="事项名称", max_length=200)
    legal_basis = forms.CharField(label="设定依据", widget=forms.Textarea(attrs={"rows": 3}))
    basis_verified = forms.BooleanField(label="依据条款已核对", required=False)
    responsible_unit = forms.CharField(label="实施主体/承办机构", max_length=120)
    responsibilities = forms.CharField(label="责任事项", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    process = forms.CharField(label="办理流程", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    time_limit = forms.CharField(label="办理时限", max_length=100, required=False)
    remedy = forms.CharField(label="救济途径", widget=forms.Textarea(attrs={"rows": 2}))
    accountability = forms.CharField(label="追责情形", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    violation_codes = forms.CharField(label="对应违法行为编码", max_length=300, required=False, help_text="裁量基准目录中的事项编码，多个以逗号分隔")
    reason = forms.CharField(label="调整理由", widget=forms.Textarea(attrs={"rows": 2}))
    authority = forms.CharField(label="调整依据", max_length=200, required=False, help_text="如 编办审核备案文号、法规修改")

    def __init__(self, *args, user, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self._orgs(user)
        if editing:
            del self.fields["organisation"]
            del self.fields["code"]


class CancelPowerForm(forms.Form):
    reason = forms.CharField(label="取消理由", widget=forms.Textarea(attrs={"rows": 2}))
    authority = forms.CharField(label="调整依据", max_length=200, required=False)
