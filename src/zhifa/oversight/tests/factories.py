"""Factories and helpers for the oversight tests."""

from datetime import date, timedelta

import factory

from zhifa.core.models import Organisation
from zhifa.oversight import loader, services
from zhifa.oversight.models import CaseRecord, Problem


class CaseRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseRecord
        skip_postgeneration_save = True

    organisation = factory.LazyFunction(lambda: Organisation.objects.get(code="C411321DD"))
    number = factory.Sequence(lambda n: f"豫R召交罚〔2026〕{n:04d}号")
    title = "车辆违法超限运输"
    party_name = "南召县宏达物流有限公司"
    closed_on = factory.Sequence(lambda n: date(2026, 3, 1) + timedelta(days=n % 90))
    involves_enterprise = True

    @factory.post_generation
    def officers(self, create, extracted, **kwargs):
        if create and extracted:
            self.handling_officers.set(extracted)


def standard():
    return loader.load_standard()


def drawn_round(world, *, files: int = 5, sample: int = 3, officers=None, seed="s1"):
    """A round over ``files`` closed files of county A's brigade, drawn with ``seed``."""
    officers = officers or [world.officers["officer"], world.officers["officer2"]]
    for _ in range(files):
        CaseRecordFactory(officers=officers)
    rnd = services.round_create(actor=world.users["supervisor"], organisation=world.city, name="2026年案卷评查",
                                period_from=date(2026, 1, 1), period_to=date(2026, 12, 31), sample_size=sample, standard=standard())
    services.round_draw(actor=world.users["supervisor"], round=rnd, seed=seed)
    rnd.refresh_from_db()
    return rnd


def problem(world, *, owner="officer", deadline=None, found_on=None, org=None) -> Problem:
    found_on = found_on or date.today()
    return services.problem_create(actor=world.users["supervisor"], organisation=org or world.brigade_a, source=Problem.Source.HOTLINE,
                                   category=Problem.Category.SERVICE, title="12345热线反映执法人员态度生硬",
                                   measures="开展文明执法教育", deadline=deadline or found_on + timedelta(days=30),
                                   owner=world.users[owner], found_on=found_on)
