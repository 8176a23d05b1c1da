"""factory_boy factories for the core registers (valid identifiers, realistic values)."""

import random
from datetime import date, timedelta

import factory
from django.contrib.auth.models import Group

from zhifa.core.demo import make_credit_code, make_id_number
from zhifa.core.models import (
    Driver,
    Officer,
    Organisation,
    Party,
    SourceUnit,
    TransportCompany,
    User,
    Vehicle,
)

_rng = random.Random(7)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试交通运输局{n}")
    kind = Organisation.Kind.COUNTY
    region_code = "411321"
    doc_prefix = "豫R测交罚"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.django.Password("pw-test-123!")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set([Group.objects.get_or_create(name=str(r))[0] for r in extracted])


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"执法员{n}")
    cert_number = factory.Sequence(lambda n: f"41132199{n:04d}")
    cert_status = Officer.CertStatus.VALID
    cert_issued_on = factory.LazyFunction(lambda: date.today() - timedelta(days=800))
    cert_expires_on = factory.LazyFunction(lambda: date.today() + timedelta(days=800))


class PersonPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    organisation = factory.SubFactory(OrganisationFactory)
    kind = Party.Kind.PERSON
    name = factory.Sequence(lambda n: f"当事人{n}")
    id_number = factory.LazyFunction(lambda: make_id_number(_rng, "411321", date(_rng.randint(1960, 2000), _rng.randint(1, 12), _rng.randint(1, 28))))
    phone = "13800000000"
    address = "南召县城关镇1号"


class OrgPartyFactory(PersonPartyFactory):
    kind = Party.Kind.ORGANISATION
    name = factory.Sequence(lambda n: f"测试物流有限公司{n}")
    id_number = ""
    credit_code = factory.LazyFunction(lambda: make_credit_code(_rng, "411321"))
    legal_representative = "张三"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TransportCompany

    organisation = factory.SubFactory(OrganisationFactory)
    party = factory.SubFactory(OrgPartyFactory, organisation=factory.SelfAttribute("..organisation"))
    name = factory.SelfAttribute("party.name")
    credit_code = factory.SelfAttribute("party.credit_code")
    kind = TransportCompany.Kind.FREIGHT
    licence_number = factory.Sequence(lambda n: f"豫交运管许可宛字{n:06d}号")


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    organisation = factory.SubFactory(OrganisationFactory)
    plate = factory.Sequence(lambda n: f"豫R·T{n % 10000:04d}")
    plate_colour = "yellow"
    vehicle_type = "重型半挂牵引车"
    is_combination = True
    axle_count = 6
    owner = factory.SubFactory(PersonPartyFactory, organisation=factory.SelfAttribute("..organisation"))
    transport_cert_number = factory.Sequence(lambda n: f"豫交运管宛字{n:06d}号")


class DriverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Driver

    organisation = factory.SubFactory(OrganisationFactory)
    party = factory.SubFactory(PersonPartyFactory, organisation=factory.SelfAttribute("..organisation"))
    name = factory.SelfAttribute("party.name")
    id_number = factory.SelfAttribute("party.id_number")
    qualification_number = factory.SelfAttribute("party.id_number")


class SourceUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceUnit

    organisation = factory.SubFactory(OrganisationFactory)
    party = factory.SubFactory(OrgPartyFactory, organisation=factory.SelfAttribute("..organisation"))
    name = factory.SelfAttribute("party.name")
    credit_code = factory.SelfAttribute("party.credit_code")
    kind = SourceUnit.Kind.SAND
