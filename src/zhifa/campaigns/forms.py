"""Forms of the operations pages. Choices are narrowed to the user's jurisdiction; the services re-check."""

from django import forms

from zhifa.cases.models import Case
from zhifa.core.selectors import organisations_for, scope

from . import selectors, services
from .models import Department, Material, Operation


class _DateWidgets:
    def _dates(self):
        for f in self.fields.values():
            if isinstance(f, forms.DateField):
                f.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OperationForm(_DateWidgets, forms.Form):
    kind = forms.ChoiceField(label="类别", choices=Operation.Kind.choices)
    organisation = forms.ModelChoiceField(label="实施单位", queryset=None)
    title = forms.CharField(label="名称", max_length=200)
    starts_on = forms.DateField(label="开始日期")
    ends_on = forms.DateField(label="结束日期（计划）")
    location = forms.CharField(label="地点/路段", max_length=200)
    description = forms.CharField(label="工作方案/内容", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    lead_department = forms.ModelChoiceField(label="牵头部门", queryset=None, required=False, help_text="由其他部门牵头时选择；本单位牵头不选")
    partners = forms.ModelMultipleChoiceField(label="参加部门", queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
                                              help_text="联合执法行动至少选择一个；目录中没有的部门请先在“合作部门目录”中添加")
    officers = forms.ModelMultipleChoiceField(label="参加执法人员", queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 8}))

    def __init__(self, *args, user, operation: Operation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._dates()
        depts = selectors.departments_for(user, active_only=True)
        self.fields["lead_department"].queryset = depts
        self.fields["partners"].queryset = depts
        org = operation.organisation if operation else user.organisation
        self.fields["officers"].queryset = scope(services.officers_choosable(org), user).select_related("organisation") if org else Department.objects.none()
        self.fields["organisation"].queryset = organisations_for(user)
        if operation is not None:  # the kind and the unit of a registered operation do not change
            del self.fields["kind"], self.fields["organisation"]
        elif user.organisation_id:
            self.fields["organisation"].initial = user.organisation_id

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "结束日期不能早于开始日期。")
        return data


class ConcludeForm(_DateWidgets, forms.Form):
    ends_on = forms.DateField(label="实际结束日期")
    summary = forms.CharField(label="总结（做法、成效、存在问题）", widget=forms.Textarea(attrs={"rows": 5}))
    vehicles_checked = forms.IntegerField(required=False, label="检查车辆（台次）", min_value=0, initial=0)
    enterprises_checked = forms.IntegerField(required=False, label="检查企业（家次）", min_value=0, initial=0)
    problems_found = forms.IntegerField(required=False, label="发现问题/隐患（处）", min_value=0, initial=0)
    problems_rectified = forms.IntegerField(required=False, label="整改到位（处）", min_value=0, initial=0)
    audience = forms.IntegerField(required=False, label="受众（人次）", min_value=0, initial=0)

    def __init__(self, *args, operation: Operation, **kwargs):
        super().__init__(*args, **kwargs)
        self._dates()
        self.fields["ends_on"].initial = operation.ends_on
        if operation.kind == Operation.Kind.PUBLICITY:
            for name in ("vehicles_checked", "enterprises_checked", "problems_found", "problems_rectified"):
                del self.fields[name]
            for kind, label in Material.Kind.choices:
                self.fields[f"m_{kind}"] = forms.IntegerField(label=f"{label}（数量）", min_value=0, initial=0, required=False)
        else:
            del self.fields["audience"]

    def results(self) -> tuple[dict, dict]:
        d = self.cleaned_data
        materials = {k[2:]: v for k, v in d.items() if k.startswith("m_") and v}
        results = {k: v or 0 for k, v in d.items() if k in services.RESULT_FIELDS}
        return results, materials


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=300)


class LinkCaseForm(forms.Form):
    case_number = forms.CharField(label="案件编号", max_length=40)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_case_number(self):
        number = self.cleaned_data["case_number"].strip()
        case = scope(Case.objects.all(), self.user).filter(number=number).first()
        if case is None:
            raise forms.ValidationError("本辖区内没有该编号的案件。")
        self.case = case
        return number


class AttachmentForm(forms.Form):
    title = forms.CharField(label="说明", max_length=100)
    file = forms.FileField(label="文件")


class DepartmentForm(forms.Form):
    name = forms.CharField(label="部门名称", max_length=100)
    kind = forms.ChoiceField(label="部门类别", choices=Department.Kind.choices)


class FilterForm(_DateWidgets, forms.Form):
    kind = forms.ChoiceField(label="类别", choices=[("", "全部类别"), *Operation.Kind.choices], required=False)
    status = forms.ChoiceField(label="状态", choices=[("", "全部状态"), *Operation.Status.choices], required=False)
    unit = forms.ModelChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位", to_field_name="code")
    start = forms.DateField(label="起", required=False)
    end = forms.DateField(label="止", required=False)
    q = forms.CharField(label="搜索", required=False, max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._dates()
        self.fields["unit"].queryset = organisations_for(user)
