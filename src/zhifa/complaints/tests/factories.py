"""factory_boy factories for the complaints app."""

from datetime import date

import factory

from zhifa.complaints.models import RoutingRule, SoftMeasure
from zhifa.core.tests.factories import OfficerFactory, OrganisationFactory


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    organisation = factory.SubFactory(OrganisationFactory)
    target_unit = factory.SelfAttribute("organisation")
    priority = 100


class SoftMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SoftMeasure

    organisation = factory.SubFactory(OrganisationFactory)
    kind = SoftMeasure.Kind.PERSUASION
    occurred_on = factory.LazyFunction(date.today)
    officer = factory.SubFactory(OfficerFactory, organisation=factory.SelfAttribute("..organisation"))
    matter = "货车驾驶员未随车携带道路运输证"
