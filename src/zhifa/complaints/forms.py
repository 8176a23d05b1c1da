"""Forms of the complaints app (Chinese labels; choices limited to the user's jurisdiction)."""

from django import forms
from django.utils import timezone

from zhifa.core.kit import KitForm
from zhifa.core.models import Officer, Organisation, Party, TransportCompany
from zhifa.core.selectors import organisations_for, scope

from .models import Category, Channel, Complaint, Mediation, SoftMeasure


class ComplaintForm(KitForm):
    channel = forms.ChoiceField(label="渠道", choices=Channel.choices)
    external_id = forms.CharField(label="平台工单号", max_length=40, required=False)
    received_at = forms.DateTimeField(label="受理时间", required=False, help_text="不填为当前时间")
    complainant_name = forms.CharField(label="投诉人", max_length=50, required=False)
    complainant_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    content = forms.CharField(label="投诉内容", widget=forms.Textarea(attrs={"rows": 4}))
    firm = forms.ModelChoiceField(label="被投诉企业", queryset=TransportCompany.objects.none(), required=False)
    firm_name = forms.CharField(label="被投诉企业（未登记时填写名称）", max_length=120, required=False)
    plate = forms.CharField(label="车牌", max_length=16, required=False)
    place = forms.CharField(label="地点", max_length=120, required=False)
    route = forms.CharField(label="线路", max_length=60, required=False)
    case_number = forms.CharField(label="关联案件号", max_length=60, required=False)
    inspection_number = forms.CharField(label="关联检查编号", max_length=60, required=False)

    def setup(self):
        self.fields["firm"].queryset = scope(TransportCompany.objects.all(), self.user)
        if self.instance_obj is not None:
            for name in ("channel", "external_id", "received_at"):
                del self.fields[name]
        else:
            for name in ("case_number", "inspection_number"):
                del self.fields[name]

    def clean_received_at(self):
        value = self.cleaned_data.get("received_at")
        if value and value > timezone.now():
            raise forms.ValidationError("受理时间不能晚于当前时间。")
        return value


class ReplyForm(forms.Form):
    reply = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 3}))


class VisitForm(forms.Form):
    satisfaction = forms.ChoiceField(label="回访满意度", choices=Complaint.Satisfaction.choices)
    note = forms.CharField(label="回访记录", max_length=300, required=False)


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(label="承办单位", queryset=Organisation.objects.none())
    officer = forms.ModelChoiceField(label="承办人", queryset=Officer.objects.none(), required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = organisations_for(user)
        self.fields["officer"].queryset = scope(Officer.objects.filter(is_active=True), user)


class ImportForm(forms.Form):
    file = forms.FileField(label="工单表（.xlsx）", help_text="表头须含：工单编号、受理时间、诉求内容；可含来源渠道、诉求人、联系电话、诉求类别、被投诉企业、车牌号、发生地点、线路")
    default_channel = forms.ChoiceField(label="默认渠道", choices=[(Channel.HOTLINE_12345, "12345政务服务便民热线"), (Channel.HOTLINE_12328, "12328交通运输服务监督电话")])


class PublicComplaintForm(forms.Form):
    organisation = forms.ModelChoiceField(label="投诉受理单位", queryset=Organisation.objects.filter(kind__in=[Organisation.Kind.COUNTY, Organisation.Kind.CITY]))
    category = forms.ChoiceField(label="投诉类别", choices=Category.choices)
    content = forms.CharField(label="投诉内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    place = forms.CharField(label="发生地点", max_length=120, required=False)
    plate = forms.CharField(label="车牌号", max_length=16, required=False)
    complainant_name = forms.CharField(label="您的姓名", max_length=50, required=False)
    complainant_phone = forms.RegexField(label="手机号码", regex=r"^1\d{10}$", error_messages={"invalid": "请填写11位手机号码。"},
                                         help_text="用于答复与回访，并作为查询时的验证")


class TrackForm(forms.Form):
    number = forms.CharField(label="受理编号", max_length=24)
    phone_tail = forms.RegexField(label="手机号后四位", regex=r"^\d{4}$", error_messages={"invalid": "请填写4位数字。"})


class MediationForm(KitForm):
    kind = forms.ChoiceField(label="纠纷类型", choices=Mediation.Kind.choices)
    applicant = forms.ModelChoiceField(label="申请人", queryset=Party.objects.none())
    respondent = forms.ModelChoiceField(label="被申请人", queryset=Party.objects.none())
    applied_on = forms.DateField(label="申请日期")
    claim = forms.CharField(label="调解请求与事实理由", widget=forms.Textarea(attrs={"rows": 4}))
    amount = forms.DecimalField(label="争议金额（元）", max_digits=12, decimal_places=2, min_value=0, required=False)

    def setup(self):
        parties = scope(Party.objects.all(), self.user)
        self.fields["applicant"].queryset = parties
        self.fields["respondent"].queryset = parties
        if self.instance_obj is not None:
            for name in ("applicant", "respondent", "applied_on"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("applicant") and data.get("applicant") == data.get("respondent"):
            self.add_error("respondent", "申请人与被申请人不能为同一当事人。")
        if data.get("applied_on") and data["applied_on"] > timezone.localdate():
            self.add_error("applied_on", "申请日期不能晚于今天。")
        return data


class MediationDecisionForm(forms.Form):
    accept = forms.TypedChoiceField(label="决定", choices=[("1", "受理"), ("0", "不予受理")], coerce=lambda v: v == "1")
    decided_on = forms.DateField(label="决定日期", widget=forms.DateInput(attrs={"type": "date"}))
    mediator = forms.ModelChoiceField(label="调解员", queryset=Officer.objects.none(), required=False)
    reason = forms.CharField(label="不予受理理由", max_length=300, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mediator"].queryset = scope(Officer.objects.filter(is_active=True), user)


class MediationSessionForm(forms.Form):
    held_on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label="地点", max_length=100, initial="调解室")
    attendees = forms.CharField(label="参加人员", max_length=300)
    record = forms.CharField(label="调解笔录", widget=forms.Textarea(attrs={"rows": 3}))


class MediationConcludeForm(forms.Form):
    agreed = forms.TypedChoiceField(label="结果", choices=[("1", "达成协议"), ("0", "调解不成")], coerce=lambda v: v == "1")
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    agreement_text = forms.CharField(label="调解协议书内容", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    outcome = forms.CharField(label="结果说明", max_length=300, required=False)


class SoftMeasureForm(KitForm):
    kind = forms.ChoiceField(label="方式", choices=SoftMeasure.Kind.choices)
    party = forms.ModelChoiceField(label="当事人", queryset=Party.objects.none())
    officer = forms.ModelChoiceField(label="执法人员", queryset=Officer.objects.none())
    occurred_on = forms.DateField(label="日期")
    matter = forms.CharField(label="事由", max_length=200)
    minutes = forms.CharField(label="记录/约谈纪要", widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="行政指导约谈必填")
    commitment = forms.CharField(label="承诺内容", widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="书面承诺必填")
    follow_up_on = forms.DateField(label="回访/复查日期", required=False)
    case_number = forms.CharField(label="关联案件号", max_length=60, required=False)

    def setup(self):
        self.fields["party"].queryset = scope(Party.objects.all(), self.user)
        self.fields["officer"].queryset = scope(Officer.objects.filter(is_active=True), self.user)
        if self.instance_obj is not None:
            del self.fields["party"]
            del self.fields["officer"]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == SoftMeasure.Kind.INTERVIEW and not (data.get("minutes") or "").strip():
            self.add_error("minutes", "行政指导约谈须记录约谈纪要。")
        if kind == SoftMeasure.Kind.COMMITMENT and not (data.get("commitment") or "").strip():
            self.add_error("commitment", "书面承诺须填写承诺内容。")
        return data


class PeriodForm(forms.Form):
    start = forms.DateField(label="起", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label="止", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data

