"""CI runs the consistency check over the demo: every invariant holds on the demo data, the full-process record
verifies (chain, signatures and every audited row against its last event), and the previous year's annual report
reads like a year's work (non-zero figures in every section the issue names)."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhifa.core import audit
from zhifa.core.models import Organisation
from zhifa.reports import annual


@pytest.mark.slow
def test_check_figures_passes_over_the_demo_and_last_year_is_full(db):
    call_command("demo_data", stdout=io.StringIO())
    out = io.StringIO()
    try:
        call_command("check_figures", stdout=out)
    finally:
        print(out.getvalue())
    assert "一致性核对全部通过" in out.getvalue()
    # Regression: the overload demo wrote its proposal to 50 cases after their last event; verify flagged them.
    result = audit.verify(checkpoints=False)
    assert result.ok, result.describe()
    report = annual.build(Organisation.objects.get(code="4113"), timezone.localdate().year - 1)
    zero = [key for key in ("penalties", "permits_decided", "coercive_measures", "training_events", "legal_reviews", "evaluations",
                            "complaints", "credit_grades", "fines_collected", "publications")
            if not report.figures[key].value.value]
    assert zero == []
