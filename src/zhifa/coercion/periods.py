"""The running period of a measure as red/amber/green, like the case clocks: computed on each read from the
decision day, the extension and the testing/appraisal pauses, so a correction of any of them shows at once."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from . import rules
from .models import Measure
from .workflow import Status

LABELS = {"red": "已超期", "amber": "即将到期", "green": "期限内", "done": "已结束", "": "未起算"}


@dataclass(frozen=True)
class Period:
    """The deadline that matters now: the 24-hour report of an emergency measure, or the measure's period."""

    key: str  # "emergency_report" / "period" / ""
    label: str
    due: date | datetime | None
    state: str
    basis: str

    @property
    def state_label(self) -> str:
        return LABELS[self.state]


def _colour(remaining_days: int) -> str:
    if remaining_days < 0:
        return "red"
    return "amber" if remaining_days <= rules.AMBER_DAYS else "green"


def current(measure: Measure, *, today: date | None = None, now: datetime | None = None) -> Period:
    today = today or timezone.localdate()
    now = now or timezone.now()
    if measure.is_ended:
        return Period("", "", None, "done", "")
    if measure.status == Status.EMERGENCY:
        due = measure.emergency_report_due
        state = "red" if now > due else ("amber" if (due - now).total_seconds() <= 6 * 3600 else "green")
        return Period("emergency_report", "报告负责人时限", due, state, "行政强制法第十九条")
    due = measure.due_on(today)
    if due is None:
        return Period("", "", None, "", "")
    return Period("period", "查封、扣押期限", due, _colour((due - today).days), "行政强制法第二十五条")
