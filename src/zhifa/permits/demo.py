"""Demo permit register: about 400 applications over the last two years in both counties, accepted, decided
(mostly on time, some late, a few refused or revoked), with their time limits on the legal calendar."""

from datetime import date, timedelta

from django.db import transaction

from zhifa.core import audit, legal_calendar, numbering
from zhifa.core.models import Party
from zhifa.documents.models import DOCUMENT_NUMBERS
from zhifa.documents.numbering import format_number, numbering_body, series_for

from .models import PermitApplication, PermitItem, PermitStatusChange
from .services import SERIES_KIND

S = PermitApplication.Status
# the action of the workflow table (workflow.WORKFLOW) that leads to each state of the demo's history
ACTION_BY_TARGET = {S.SUBMITTED: "submit", S.ACCEPTED: "accept", S.NOT_ACCEPTED: "refuse", S.APPROVED: "decide", S.DENIED: "decide",
                    S.REVOKED: "revoke"}


def load(ctx) -> None:
    rng, today = ctx.rng, ctx.today
    cal = legal_calendar.calendar()
    items = list(PermitItem.objects.filter(is_active=True))
    start = date(today.year - 1, 1, 1)
    span = (today - start).days
    apps, changes = [], []
    counters: dict[tuple, int] = {}
    with transaction.atomic():
        for brigade_key, officer_key in (("nz_brigade", "officer"), ("fc_brigade", "fc_officer")):
            org = ctx.orgs[brigade_key]
            body = org.enforcement_body()
            parties = list(Party.objects.filter(organisation=org).order_by("pk")[:600])
            handler = ctx.users.get(officer_key)
            for i in range(200 * ctx.scale):
                item = rng.choice(items)
                party = rng.choice(parties)
                submitted = start + timedelta(days=rng.randint(0, span))
                while not cal.is_working_day(submitted):
                    submitted += timedelta(days=1)
                if submitted > today:
                    continue
                app = PermitApplication(organisation=org, item=item, applicant=party, submitted_on=submitted, handled_by=handler,
                                        number=f"XK{org.code}{submitted.year}{i + 1:05d}",
                                        content=f"申请{item.name}" + (f"（联系电话{party.phone}）" if party.phone and rng.random() < 0.1 else "")
                                        + (f"，经营场所位于白河路{rng.randint(1, 300)}号" if rng.random() < 0.02 else ""))
                history = [("", S.SUBMITTED, submitted, "收到申请")]
                if rng.random() < 0.04:
                    app.status, app.reason, app.decided_on = S.NOT_ACCEPTED, "申请材料不齐全且逾期未补正", submitted
                    history.append((S.SUBMITTED, S.NOT_ACCEPTED, submitted, app.reason))
                else:
                    statutory = cal.add_working_days(submitted, item.statutory_days)
                    committed = cal.add_working_days(submitted, item.committed_days)
                    app.accepted_on, app.statutory_due, app.committed_due = submitted, statutory.date, committed.date
                    app.due_confirmed = statutory.confirmed and committed.confirmed
                    app.status = S.ACCEPTED
                    history.append((S.SUBMITTED, S.ACCEPTED, submitted, "受理"))
                    late = rng.random() < 0.06
                    decided = cal.add_working_days(submitted, item.committed_days + (rng.randint(1, 5) if late else -rng.randint(0, max(item.committed_days - 1, 0)))).date
                    if decided <= today:
                        year_key = (body.pk, decided.year)
                        counters[year_key] = counters.get(year_key, 0) + 1
                        app.decided_on = decided
                        # the permit series of the one numbering authority (…交许〔2026〕0001号, never 交罚许)
                        app.decision_number = format_number(doc_prefix=numbering_body(body).doc_prefix, series=series_for(body, SERIES_KIND),
                                                            year=decided.year, seq=counters[year_key])
                        if rng.random() < 0.05:
                            app.status, app.reason = S.DENIED, "申请人不符合法定条件"
                        else:
                            app.status = S.APPROVED
                            app.certificate_number = f"ZS{org.code}{decided.year}{counters[year_key]:05d}"
                            app.valid_from = decided
                            app.valid_until = date(decided.year + item.validity_years, decided.month, min(decided.day, 28)) if item.validity_years else None
                        history.append((S.ACCEPTED, app.status, decided, app.reason or "准予许可"))
                        revoked = decided + timedelta(days=rng.randint(20, 200))
                        if app.status == S.APPROVED and rng.random() < 0.015 and revoked <= today:
                            app.status, app.revoked_on, app.reason = S.REVOKED, revoked, "以欺骗手段取得许可，依法撤销"
                            history.append((S.APPROVED, S.REVOKED, revoked, app.reason))
                apps.append(app)
                changes.append(history)
        PermitApplication.objects.bulk_create(apps, batch_size=500)
        # the live numbering continues after the demo's history (application and certificate numbers continue
        # after the highest in the table by themselves; the decision series is shared with other papers)
        bodies = {ctx.orgs[k].enforcement_body().pk: ctx.orgs[k].enforcement_body() for k in ("nz_brigade", "fc_brigade")}
        for (body_pk, year), last in counters.items():
            body = bodies[body_pk]
            numbering.raise_to(DOCUMENT_NUMBERS, organisation=numbering_body(body), year=year, part=series_for(body, SERIES_KIND), last=last)
        rows = [PermitStatusChange(application=a, action=ACTION_BY_TARGET[t], from_status=f, to_status=t, on=on, actor=a.handled_by, note=note)
                for a, history in zip(apps, changes, strict=True) for f, t, on, note in history]
        PermitStatusChange.objects.bulk_create(rows, batch_size=1000)
        audit.record(actor=None, action="demo.load_permits", subject=("permits.demo", "permits"), organisation=ctx.orgs["city"],
                     summary="载入演示许可数据", changes={"applications": len(apps)})
    ctx.notes.append(f"行政许可：{len(apps)} 件申请（/permits/，窗口统计 /permits/statistics/）")
