"""Demo publications: every decided permit and penalty published a few days after its decision (most within
the 7 working days, some late), flagged ones left for review, revoked ones withdrawn — as the daily job would
have done day by day."""

from datetime import timedelta

from django.db import transaction

from . import services, sources
from .deident import Deidentifier
from .models import Publication


def load(ctx) -> None:
    rng, today = ctx.rng, ctx.today
    deident = Deidentifier.load()
    published = withdrawn = 0
    with transaction.atomic():
        for record in sorted(sources.all_records(), key=lambda r: (r.decided_on, r.subject_type, int(r.subject_id))):
            day = record.decided_on + timedelta(days=rng.choice([1, 1, 2, 3, 4, 5, 6, 8, 9, 14]))
            if day > today:
                continue  # the daily job publishes it
            pub = services.publication_create(record=record, today=day, deident=deident)
            if pub is None:
                continue
            published += 1
            if record.changed_on and pub.status in (Publication.Status.PUBLISHED, Publication.Status.REVIEW):
                on = record.changed_on + timedelta(days=rng.choice([1, 2, 3, 6]))
                if on <= today:
                    services.publication_withdraw(actor=None, publication=pub, today=on, changed_on=record.changed_on,
                                                  reason="决定已被撤销")
                    withdrawn += 1
    review = Publication.objects.filter(status=Publication.Status.REVIEW).count()
    ctx.notes.append(f"公开门户：/portal/（无需登录）；{published} 条执法决定已登记公开，{withdrawn} 条已撤回，{review} 条待人工审核（/portal/office/）")
