"""Coercive-measure figures of the annual report (行政强制措施) against an independent count of the register."""

from datetime import date

import pytest

from zhifa.reports import annual, metrics

f = pytest.importorskip("zhifa.coercion.tests.factories")


def test_coercion_figures_equal_independent_counts(world):
    from zhifa.coercion import services
    from zhifa.coercion.models import Measure

    head = world.users["head"]
    seized = [f.in_force(world) for _ in range(3)]
    sealed = f.in_force(world, code="seal_unsafe_equipment")
    services.measure_extend(actor=head, measure=seized[0], days=30, reason="情况复杂")
    services.measure_release(actor=head, measure=seized[1], reason="decided")
    f.applied(world)  # not taken: not counted
    f.in_force(world)  # another year
    Measure.objects.filter(pk__in=[m.pk for m in seized] + [sealed.pk]).update(starts_on=date(2024, 3, 1))
    Measure.objects.filter(pk=seized[0].pk).update(extended_on=date(2024, 3, 20))
    Measure.objects.filter(pk=seized[1].pk).update(released_on=date(2024, 3, 25))
    Measure.objects.filter(starts_on__isnull=False).exclude(starts_on=date(2024, 3, 1)).update(starts_on=date(2023, 12, 30))
    report = annual.build(world.county_a, 2024)

    rows = [m for m in Measure.objects.all() if m.organisation.path.startswith(world.county_a.path)]
    in_year = lambda d: d is not None and d.year == 2024  # noqa: E731
    expected = {
        "coercive_measures": sum(1 for m in rows if in_year(m.starts_on)),
        "coercive_seizures": sum(1 for m in rows if in_year(m.starts_on) and m.kind == "seize"),
        "coercive_sealings": sum(1 for m in rows if in_year(m.starts_on) and m.kind == "seal"),
        "coercive_extended": sum(1 for m in rows if in_year(m.extended_on)),
        "coercive_released": sum(1 for m in rows if in_year(m.released_on)),
        "coercive_disposed": sum(1 for m in rows if in_year(m.disposed_on)),
    }
    assert expected == {"coercive_measures": 4, "coercive_seizures": 3, "coercive_sealings": 1, "coercive_extended": 1,
                        "coercive_released": 1, "coercive_disposed": 0}
    for key, value in expected.items():
        assert report.figures[key].value.value == value, key
    text = "".join(p if isinstance(p, str) else p.text for s in report.sections for para in s.paragraphs for p in para)
    assert "实施行政强制措施4件（其中扣押财物3件、查封场所设施或者财物1件）" in text
    assert "本平台尚未登记行政强制" not in text


def test_coercion_figures_of_another_county_are_not_counted(world):
    from zhifa.coercion.models import Measure

    f.in_force(world)
    Measure.objects.update(starts_on=date(2024, 5, 1))
    assert metrics.evaluate("coercive_measures", world.county_b, date(2024, 1, 1), date(2024, 12, 31)).value == 0
    assert metrics.evaluate("coercive_measures", world.city, date(2024, 1, 1), date(2024, 12, 31)).value == 1
