"""factory_boy factories for the inspections app."""

import factory

from zhifa.core.tests.factories import OrganisationFactory
from zhifa.inspections.models import InspectionItem, RiskPoint


class InspectionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionItem

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"JC-{n:04d}")
    name = factory.Sequence(lambda n: f"道路运输企业安全生产管理检查{n}")
    subject_type = "freight"
    legal_basis = "《中华人民共和国道路运输条例》第六十条"
    is_key = True
    max_ratio_percent = 5
    checklist = ["安全生产管理制度", "动态监控"]


class RiskPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskPoint

    subject_type = "freight"
    title = factory.Sequence(lambda n: f"车辆超限超载运输风险{n}")
    level = RiskPoint.Level.HIGH
    advice = "装载前过磅，严禁超限装载。"
