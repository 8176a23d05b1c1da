"""Document numbers (文书编号) per agency, year and series, e.g. 豫R召交罚〔2026〕0123号 — the one numbering
authority for every number a party reads. A decision's number is reserved with :func:`reserve_number` inside the
deciding transaction and then used unchanged by the case, the decision document, the payment notice, the 催告书,
the portal and the API answer; a document issued later for that decision passes it in (``document_issue(number=)``)
instead of taking another. The series word per kind (罚, 简罚, 不罚, 许 …) is data per agency (``NumberSeries``).

The agency's prefix comes from ``Organisation.doc_prefix`` (the nearest ancestor that has one, so a squad
numbers under its brigade); the layout from ``settings.ZHIFA_DOC_NUMBER_FORMAT``. The count is the platform's
one numbering service (``zhifa.core.numbering``, series ``documents.document``, one counter per agency × year ×
series word), taken inside the caller's transaction: concurrent issuers are serialised and a rolled-back issue
also rolls back its number — no gaps, no duplicates.
"""

from django.conf import settings

from zhifa.core import numbering
from zhifa.core.errors import DomainError
from zhifa.core.models import Organisation

from .kinds import KINDS
from .models import DOCUMENT_NUMBERS, NumberSeries

# Numbered papers that are not forms of 《交通运输行政执法文书式样》 but share the numbering authority.
OTHER_SERIES = {"permit_decision": ("行政许可决定书", "许")}
DEFAULT_SERIES = {k.code: k.series for k in KINDS.values() if k.series} | {k: v[1] for k, v in OTHER_SERIES.items()}
SERIES_KINDS = [(k.code, k.title) for k in KINDS.values() if k.series] + [(k, v[0]) for k, v in OTHER_SERIES.items()]


def numbering_body(organisation: Organisation) -> Organisation:
    """The organisation whose prefix numbers documents made by ``organisation``."""
    org = organisation
    while org is not None:
        if org.doc_prefix:
            return org
        org = org.parent
    raise DomainError("no_doc_prefix", f"{organisation} 及其上级机构均未设置文书字号前缀，无法编号。请管理员在“执法主体”中设置。")


def series_prefix(doc_prefix: str, series: str) -> str:
    """The agency prefix with the series word: the configured prefix names the penalty series (…交罚), so
    other series replace its final 罚 (豫R召交罚 → 豫R召交违通)."""
    base = doc_prefix[:-1] if doc_prefix.endswith("罚") else doc_prefix
    return base + series


def format_number(*, doc_prefix: str, series: str, year: int, seq: int) -> str:
    return settings.ZHIFA_DOC_NUMBER_FORMAT.format(prefix=series_prefix(doc_prefix, series), agency=doc_prefix,
                                                   series=series, year=year, seq=seq)


def next_number(*, organisation: Organisation, series: str, year: int) -> str:
    """Take the next number of the series. Must run inside the transaction that stores the document."""
    body = numbering_body(organisation)
    seq = numbering.take(DOCUMENT_NUMBERS, organisation=body, year=year, part=series)
    return format_number(doc_prefix=body.doc_prefix, series=series, year=year, seq=seq)


def series_for(organisation: Organisation, kind: str) -> str:
    """The series word for ``kind`` at ``organisation``: the nearest organisation's own setting, else the national
    default of the form."""
    # the organisation and its ancestors, nearest first, from the materialised path of codes (one query
    # instead of a look-up per level for every numbered paper)
    chain = [code for code in organisation.path.split("/") if code][::-1]
    rows = dict(NumberSeries.objects.filter(organisation__code__in=chain, kind=kind)
                .values_list("organisation__code", "series"))
    for code in chain:
        if rows.get(code):
            return rows[code]
    if kind not in DEFAULT_SERIES:
        raise DomainError("unknown_series", f"文书种类 {kind} 没有文书代字。")
    return DEFAULT_SERIES[kind]


def reserve_number(*, organisation: Organisation, kind: str, year: int) -> str:
    """Reserve the number of a ``kind`` paper made by ``organisation`` (numbered by its enforcement body). Must run
    inside the transaction that records the act (the decision), so the act and its number commit together."""
    body = organisation.enforcement_body()
    return next_number(organisation=body, series=series_for(body, kind), year=year)
