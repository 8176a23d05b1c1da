import factory

from zhifa.core.tests.factories import OrganisationFactory, PersonPartyFactory
from zhifa.permits.models import PermitApplication, PermitItem


class PermitItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PermitItem
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T-XK-{n:03d}")
    name = factory.Sequence(lambda n: f"测试许可事项{n}")
    basis = "《中华人民共和国道路运输条例》第二十一条"
    statutory_days = 20
    committed_days = 5
    validity_years = 4


class PermitApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PermitApplication

    organisation = factory.SubFactory(OrganisationFactory)
    item = factory.SubFactory(PermitItemFactory)
    applicant = factory.SubFactory(PersonPartyFactory)
    number = factory.Sequence(lambda n: f"XKTEST{n:06d}")
    submitted_on = factory.LazyFunction(lambda: __import__("datetime").date(2026, 9, 1))
