"""factory_boy factories for the overload app."""

from datetime import date

import factory

from zhifa.core.tests.factories import OrganisationFactory
from zhifa.overload.models import Device, Station

# The Art. 3 table of MOT Order 2016 No. 62 (legal-reference §4), used when discretion's data is not loaded.
ART3_LIMITS = [
    {"axles": 2, "combination": False, "limit_kg": 18000, "single_drive_axle_limit_kg": 18000, "label": "二轴货车"},
    {"axles": 3, "combination": False, "limit_kg": 25000, "single_drive_axle_limit_kg": 25000, "label": "三轴货车"},
    {"axles": 3, "combination": True, "limit_kg": 27000, "single_drive_axle_limit_kg": 27000, "label": "三轴汽车列车"},
    {"axles": 4, "combination": False, "limit_kg": 31000, "single_drive_axle_limit_kg": 31000, "label": "四轴货车"},
    {"axles": 4, "combination": True, "limit_kg": 36000, "single_drive_axle_limit_kg": 36000, "label": "四轴汽车列车"},
    {"axles": 5, "combination": True, "limit_kg": 43000, "single_drive_axle_limit_kg": 43000, "label": "五轴汽车列车"},
    {"axles": 6, "combination": True, "limit_kg": 49000, "single_drive_axle_limit_kg": 46000, "label": "六轴及以上汽车列车"},
]


def ensure_overload_rules():
    """The rule version in force since 2016-09-21 (discretion's model), created if absent."""
    from zhifa.discretion.models import OverloadRuleVersion

    version = OverloadRuleVersion.objects.filter(effective_from__lte=date(2026, 1, 1)).order_by("-effective_from").first()
    if version is None:
        version = OverloadRuleVersion.objects.create(
            code="MOT-2016-62-test", name="超限运输车辆行驶公路管理规定（测试）", effective_from=date(2016, 9, 21),
            limits=ART3_LIMITS, dimension_bands=[{"label": "一档", "height": 4.2, "width": 3, "length": 20, "min": 0, "max": 200, "recommended": 200}],
            citation_limits="《超限运输车辆行驶公路管理规定》第三条", citation_penalty="《超限运输车辆行驶公路管理规定》第四十三条")
    return version


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"S{n:05d}")
    name = factory.Sequence(lambda n: f"测试不停车检测点{n}")
    road = "G207"
    stake = "K1234+500"
    location_published_on = date(2020, 1, 1)
    push_secret = factory.Sequence(lambda n: f"secret-{n:04d}-0123456789abcdef")


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    station = factory.SubFactory(StationFactory)
    code = factory.Sequence(lambda n: f"D{n:05d}")
    model_name = "WIM-5000"
    accuracy_class = 5
    calibration_certificate = factory.Sequence(lambda n: f"JJG907-2026-{n:05d}")
    calibration_valid_from = date(2026, 1, 1)
    calibration_valid_until = date(2026, 12, 31)
    review_passed_on = date(2020, 1, 1)
