"""Keyset (cursor) pagination for API lists: a fixed number of queries and stable cost at any depth."""

from django.db.models import QuerySet
from ninja import Schema


class Page(Schema):
    next_cursor: int | None = None


def keyset(qs: QuerySet, *, after: int | None, limit: int, key: str = "pk") -> tuple[list, int | None]:
    """Rows of ``qs`` with ``key`` > ``after`` in ascending order, at most ``limit``; and the next cursor."""
    limit = max(1, min(limit, 200))
    if after is not None:
        qs = qs.filter(**{f"{key}__gt": after})
    rows = list(qs.order_by(key)[: limit + 1])
    next_cursor = getattr(rows[limit - 1], key) if len(rows) > limit else None
    return rows[:limit], next_cursor
