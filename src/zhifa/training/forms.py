"""Forms of the training app."""

from django import forms

from zhifa.core.kit import KitForm
from zhifa.core.models import Officer
from zhifa.core.selectors import scope

from .models import CertificateReview, Equipment, SocialSupervisor, SupervisorFeedback, TrainingEvent


def _officers(user):
    return scope(Officer.objects.filter(is_active=True).select_related("organisation"), user)


class TrainingEventForm(KitForm):
    title = forms.CharField(label="培训名称", max_length=120)
    category = forms.ChoiceField(label="类别", choices=TrainingEvent.Category.choices)
    start_on = forms.DateField(label="开始日期")
    end_on = forms.DateField(label="结束日期")
    hours = forms.DecimalField(label="学时", max_digits=5, decimal_places=1, min_value=0.5, max_value=200)
    place = forms.CharField(label="地点/方式", max_length=100, required=False)
    teacher = forms.CharField(label="授课人", max_length=100, required=False)

    def clean(self):
        data = super().clean()
        if data.get("start_on") and data.get("end_on") and data["end_on"] < data["start_on"]:
            self.add_error("end_on", "结束日期不能早于开始日期。")
        return data


class AttendanceForm(forms.Form):
    officers = forms.ModelMultipleChoiceField(label="参训人员", queryset=Officer.objects.none(), widget=forms.SelectMultiple(attrs={"size": 10}))
    hours = forms.DecimalField(label="认定学时（不填为培训学时）", max_digits=5, decimal_places=1, min_value=0.5, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = _officers(user)


class ExamForm(KitForm):
    title = forms.CharField(label="考试名称", max_length=120)
    held_on = forms.DateField(label="考试日期")
    full_score = forms.DecimalField(label="满分", max_digits=5, decimal_places=1, min_value=1, initial=100)
    pass_score = forms.DecimalField(label="合格分", max_digits=5, decimal_places=1, min_value=0, initial=60)


class ScoreForm(forms.Form):
    officer = forms.ModelChoiceField(label="执法人员", queryset=Officer.objects.none())
    score = forms.DecimalField(label="成绩", max_digits=5, decimal_places=1, min_value=0)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = _officers(user)


class ReviewForm(KitForm):
    officer = forms.ModelChoiceField(label="执法人员", queryset=Officer.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    reviewed_on = forms.DateField(label="年审日期")
    result = forms.ChoiceField(label="结论", choices=CertificateReview.Result.choices)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def setup(self):
        self.fields["officer"].queryset = _officers(self.user)


class EquipmentForm(KitForm):
    kind = forms.ChoiceField(label="类别", choices=Equipment.Kind.choices)
    asset_number = forms.CharField(label="资产编号", max_length=40)
    model_name = forms.CharField(label="品牌型号", max_length=80)
    serial = forms.CharField(label="序列号/车牌", max_length=60, required=False)
    purchased_on = forms.DateField(label="购置日期", required=False)
    status = forms.ChoiceField(label="状态", choices=Equipment.Status.choices, initial=Equipment.Status.IN_SERVICE)

    def setup(self):
        if self.instance_obj is not None:
            del self.fields["asset_number"]


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(label="领用人", queryset=Officer.objects.none())
    assigned_on = forms.DateField(label="领用日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = _officers(user)


class SupervisorForm(KitForm):
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.RegexField(label="联系电话", regex=r"^[0-9\-]{7,20}$", error_messages={"invalid": "请填写有效的电话号码。"})
    employer = forms.CharField(label="工作单位/身份", max_length=100, required=False)
    appointed_on = forms.DateField(label="聘任日期")
    term_ends_on = forms.DateField(label="聘期至")
    active = forms.BooleanField(label="在聘", required=False, initial=True)

    def clean(self):
        data = super().clean()
        if data.get("appointed_on") and data.get("term_ends_on") and data["term_ends_on"] <= data["appointed_on"]:
            self.add_error("term_ends_on", "聘期截止日期应晚于聘任日期。")
        return data


class FeedbackForm(KitForm):
    supervisor = forms.ModelChoiceField(label="监督员", queryset=SocialSupervisor.objects.none())
    kind = forms.ChoiceField(label="类型", choices=SupervisorFeedback.Kind.choices)
    received_on = forms.DateField(label="收到日期")
    content = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}))
    response = forms.CharField(label="办理回复", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    responded_on = forms.DateField(label="回复日期", required=False)

    def setup(self):
        self.fields["supervisor"].queryset = scope(SocialSupervisor.objects.all(), self.user)
        if self.instance_obj is not None:
            del self.fields["supervisor"]
            del self.fields["received_on"]

    def clean(self):
        data = super().clean()
        if bool((data.get("response") or "").strip()) != bool(data.get("responded_on")):
            self.add_error("responded_on", "回复内容与回复日期须同时填写。")
        return data


class YearForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
