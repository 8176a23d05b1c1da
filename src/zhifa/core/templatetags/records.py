"""Template tags for the full-process record (全过程记录): readable 变更内容 and who may see the raw row."""

from django import template

from .. import history

register = template.Library()


def _resolver(context) -> history.NameResolver:
    return context.render_context.setdefault("zhifa_history_resolver", history.NameResolver())


@register.simple_tag(takes_context=True)
def prefetch_names(context, events, known=None) -> str:
    """``{% prefetch_names events known %}`` before the list: the names its changes show, read one query per
    model; ``known`` (optional): objects the page has read already, whose names are taken as they are."""
    resolver = _resolver(context)
    resolver.know(known if isinstance(known, (list, tuple)) else ())
    resolver.prefetch(events)
    return ""


@register.simple_tag(takes_context=True)
def change_rows(context, event):
    """``{% change_rows e as rows %}``: the event's changes as labelled, formatted lines (one lookup cache per page)."""
    return history.change_rows(event, resolver=_resolver(context))


@register.filter
def action_label(event) -> str:
    return history.action_label(event)


@register.filter
def action_verb(event) -> str:
    return history.action_label(event, use_summary=False)


@register.filter
def may_view_raw(user) -> bool:
    return history.may_view_raw(user)


@register.filter
def local_dt(value) -> str:
    """A datetime (or ISO string) as local ``YYYY-MM-DD HH:MM``; ``—`` when empty."""
    return history.local_datetime(value) if value else history.EMPTY


@register.filter
def local_dt_s(value) -> str:
    """Like ``local_dt`` with seconds (a weighing pass, a callback)."""
    return history.local_datetime(value, seconds=True) if value else history.EMPTY


@register.filter
def media_kind(ef) -> str:
    """``image`` / ``video`` / ``audio`` / ``pdf`` / ``file``: how an evidence file is shown."""
    from ..evidence import media_kind as kind

    return kind(ef) if ef else "file"


@register.filter
def subject_kind(subject_type: str) -> str:
    """A record type (``overload.violation``) in words: the model's name, else 关联记录."""
    return history.subject_kind(subject_type)
