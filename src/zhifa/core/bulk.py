"""The one bulk-work mechanism: many rows of a register acted on at once, with a preview and a per-row result.

A bulk page is two steps. The preview lists each selected row with what will happen to it (or why it will not be
acted on); nothing is changed. Once confirmed, each row goes through the same single-row service a person would use
on the row's own page — in its own transaction, with its own audit record, its own role and jurisdiction checks —
and the page shows each row's result: what was done, or the reason it was refused. A row that fails does not stop
the others and leaves nothing half-done: each row runs in a savepoint of its own, undone if the act raises —
a refusal of the service (``DomainError``, its reason shown) or any other fault (logged, the row reported as not
done with a message in Chinese).

Views build :class:`Row` objects (the register's own columns and the plan for each row), then either render the
preview or call :func:`run` with the act to perform, and render :data:`TEMPLATE` with :func:`context`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib import messages
from django.db import transaction

from .errors import DomainError

log = logging.getLogger(__name__)

TEMPLATE = "core/bulk.html"
# What a row reads when its act failed for a reason other than the service's refusal (a fault, logged).
FAULT = "办理时出错，本条未作任何更改（错误已记入系统日志），请稍后在单条页面重试或联系系统管理员"
BULK_MAX = 200  # rows per bulk action: a page of a queue, not the whole register


@dataclass
class Row:
    """One selected row: how the register shows it, what will happen to it, and (after the run) what happened."""

    pk: int
    label: str
    url: str = ""
    cells: Sequence = ()
    plan: str = ""
    ready: bool = True
    fields: dict = field(default_factory=dict)  # per-row choices carried from the preview to the confirmation
    ok: bool | None = None
    result: str = ""
    obj: object = None


def selected_ids(request, name: str = "ids", limit: int = BULK_MAX) -> list[int]:
    """The row ids ticked on the list page (or carried by the preview), in order, without repeats."""
    seen: list[int] = []
    for raw in request.POST.getlist(name):
        if raw.isdigit() and int(raw) not in seen:
            seen.append(int(raw))
    return seen[:limit]


def row_value(request, pk: int, name: str) -> str:
    """A per-row control of the list or preview form (``<name>_<pk>``)."""
    return request.POST.get(f"{name}_{pk}", "").strip()


def confirmed(request) -> bool:
    return request.POST.get("confirm") == "1"


def run(rows: Sequence[Row], act: Callable[[Row], str]) -> tuple[int, int]:
    """Act on every ready row through ``act`` (which calls the single-row service and returns what was done, in
    Chinese), each row in its own savepoint. A refused row keeps the service's reason, a row whose act raised
    anything else reads :data:`FAULT`; a row not ready keeps its plan as the reason. Returns (done, refused)."""
    done = 0
    for row in rows:
        if not row.ready:
            row.ok, row.result = False, row.plan
            continue
        try:
            with transaction.atomic():  # a savepoint per row: whatever the act wrote is undone if it raises
                row.result = act(row)
        except DomainError as exc:
            row.ok, row.result = False, exc.message
        except Exception:  # noqa: BLE001 — one row's fault is that row's result, never the batch's end
            log.exception("bulk act on row %s (%s) failed", row.pk, row.label)
            row.ok, row.result = False, FAULT
        else:
            row.ok = True
            done += 1
    return done, len(rows) - done


def report(request, what: str, done: int, refused: int) -> None:
    """The one-line summary above the per-row results."""
    text = f"{what}：成功 {done} 条" + (f"，未办理 {refused} 条（原因见各行）" if refused else "")
    (messages.success if done else messages.warning)(request, text)


def context(*, title: str, rows: Sequence[Row], headers: Sequence[str], back_url: str, back_label: str, confirm_label: str = "",
            note: str = "", shared: dict | None = None, shared_text: Sequence[tuple[str, str]] = ()) -> dict:
    """The template context of a bulk page. Before :func:`run` it is the preview (``confirm_label`` is the button);
    after it, the results. ``shared`` are choices for all rows (hidden inputs), ``shared_text`` how they read."""
    stage = "result" if any(r.ok is not None for r in rows) else "preview"
    return {"title": title, "rows": rows, "headers": headers, "back_url": back_url, "back_label": back_label, "stage": stage,
            "confirm_label": confirm_label, "note": note, "shared": (shared or {}).items(), "shared_text": shared_text,
            "ready_count": sum(1 for r in rows if r.ready), "skip_count": sum(1 for r in rows if not r.ready), "done_count": sum(1 for r in rows if r.ok),
            "refused_count": sum(1 for r in rows if r.ok is False)}
