"""Forms of the credit UI."""

from django import forms


class ProposeForm(forms.Form):
    """A proposal only: the notice, the statement period and the head's decision follow (国办发〔2020〕49号)."""

    category = forms.ModelChoiceField(label="名单类别（认定标准）", queryset=None, empty_label=None)
    reason = forms.CharField(label="列入事由", max_length=300)
    facts = forms.CharField(label="认定事实", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="写明违法失信的事实及其证据（行政处罚决定书文号等），将写入告知书和决定书。")

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories


class ActDateForm(forms.Form):
    on = forms.DateField(label="办理日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                         help_text="留空为今天；补录纸质办理的，填写实际日期。")


class StatementForm(ActDateForm):
    statement = forms.CharField(label="陈述申辩内容", widget=forms.Textarea(attrs={"rows": 3}))


class DecideListingForm(ActDateForm):
    list_party = forms.TypedChoiceField(label="决定", choices=[("1", "列入严重失信主体名单（制作决定书）"), ("0", "不予列入")],
                                        coerce=lambda v: v == "1")
    review_note = forms.CharField(label="陈述申辩复核意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="不予列入的理由", required=False, max_length=300)


class RepairRemoveForm(ActDateForm):
    reason = forms.CharField(label="修复情况说明", max_length=300)
    corrected = forms.BooleanField(label="已纠正失信行为、履行法定义务", required=False)
    commitment_signed = forms.BooleanField(label="已作出信用承诺", required=False)


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
