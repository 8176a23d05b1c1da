"""The shared partner-department catalogue (全辖共用): the departments the seeds name as partners of joint
enforcement. Units add their local departments (a named township, an airport police branch) themselves."""

from django.db import migrations

DEPARTMENTS = [
    ("公安机关交通管理部门（交警）", "traffic_police"),
    ("公安机关（派出所、治安）", "police"),
    ("市场监督管理部门", "market"),
    ("应急管理部门", "emergency"),
    ("生态环境部门", "ecology"),
    ("农业农村部门", "agriculture"),
    ("住房和城乡建设部门", "housing"),
    ("城市管理综合执法部门", "urban"),
    ("商务部门", "commerce"),
    ("上级交通运输综合执法机构", "transport"),
    ("乡镇人民政府、街道办事处", "township"),
]


def load(apps, schema_editor):
    Department = apps.get_model("campaigns", "Department")
    for name, kind in DEPARTMENTS:
        if not Department.objects.filter(organisation__isnull=True, name=name).exists():
            Department.objects.create(name=name, kind=kind, organisation=None)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
