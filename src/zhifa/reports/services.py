"""State changes of reports: the bureau writes the narrative passages of its annual report (audited)."""

from django.db import transaction

from zhifa.core import audit
from zhifa.core.errors import DomainError
from zhifa.core.models import Organisation
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role

from .models import ReportNarrative

WRITERS = (Role.HEAD, Role.ADMIN)
MAX_LENGTH = 2000


def narrative_save(*, actor, organisation: Organisation, year: int, place: str, text: str) -> ReportNarrative | None:
    """Write (or clear, with an empty text) one passage of ``organisation``'s annual report for ``year``."""
    assert_role(actor, *WRITERS, message="只有负责人或系统管理员可以填写年度报告。")
    assert_in_jurisdiction(actor, organisation)
    if place not in ReportNarrative.Place.values:
        raise DomainError("invalid_place", "年度报告中没有该位置。")
    if not 2000 <= year <= 2100:
        raise DomainError("invalid_year", "年度不正确。")
    text = text.strip()
    if len(text) > MAX_LENGTH:
        raise DomainError("text_too_long", f"每段内容不超过{MAX_LENGTH}字。")
    with transaction.atomic():
        row = ReportNarrative.objects.select_for_update(no_key=True).filter(organisation=organisation, year=year, place=place).first()
        before = audit.snapshot(row) if row else None
        if row is None and not text:
            return None  # nothing written, nothing to clear
        if row is None:
            row = ReportNarrative.objects.create(organisation=organisation, year=year, place=place, text=text, updated_by=actor)
        elif row.text != text:
            row.text, row.updated_by = text, actor
            row.save()
        else:
            return row
        audit.record(actor=actor, action="reports.narrative_save", subject=row, before=before, after=audit.snapshot(row),
                     organisation=organisation, summary=f"填写{year}年度报告：{row.get_place_display()}" + ("（清空）" if not text else ""))
    return row
