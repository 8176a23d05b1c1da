"""Demo publications: every decided permit and penalty published a few days after its decision (most within
the 7 working days, some late), flagged ones left for review, revoked ones withdrawn — as the daily job would
have done day by day."""

from datetime import timedelta

from django.db import transaction

from . import credit_export, services, sources
from .deident import Deidentifier
from .models import Publication


def load(ctx) -> None:
    rng, today = ctx.rng, ctx.today
    deident = Deidentifier.load()
    published = withdrawn = 0
    with transaction.atomic():
        for record in sorted(sources.all_records(), key=lambda r: (r.decided_on, r.subject_type, int(r.subject_id))):
            # Published a few days after the decision (the daily job; some late), at the latest today.
            day = min(today, record.decided_on + timedelta(days=rng.choice([1, 1, 2, 3, 4, 5, 6, 8, 9, 14])))
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
    # Credit repairs of the published penalties (the credit publications followed the portal), then today's run
    # (repaired and expired ones leave the portal), then the 双公示 export of every change and the platform's receipt.
    from zhifa.credit.demo import load_previous_year_repairs, load_repairs

    load_previous_year_repairs(ctx)
    services.publication_run(today=today)  # also marks the paid penalties' credit publications performed
    load_repairs(ctx)
    services.publication_run(today=today)
    sent = held = 0
    for layout in credit_export.LAYOUTS:
        result = credit_export.export(actor=None, organisation=ctx.orgs["city"], publications=Publication.objects.all(), layout=layout,
                                      file_format="xlsx")
        credit_export.reconcile(actor=None, batch=result.batch, accepted=[row["本地编号"] for row in result.rows], rejected={})
        sent, held = sent + len(result.rows), held + len(result.errors)
    review = Publication.objects.filter(status=Publication.Status.REVIEW).count()
    ctx.notes.append(f"公开门户：/portal/（无需登录）；{published} 条执法决定已登记公开，{withdrawn} 条已撤回，{review} 条待人工审核（/portal/office/）；"
                     f"双公示已报送 {sent} 条（平台回执已对账），校验未通过待报送 {held} 条（/portal/office/export/）")
