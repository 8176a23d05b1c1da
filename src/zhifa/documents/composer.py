"""The document composer: the one place where the fields of a form become the words a party reads.

Every form of 《交通运输行政执法文书式样》 goes through :func:`compose` (via ``render.render_html``), so each rule
below holds on every paper the bureau hands out:

- every date and time in Beijing time (Asia/Shanghai), never UTC;
- the party addressed as 你 (a citizen) or 你单位 (an organisation), never "你（单位）";
- the legal basis composed from structured provisions (``core.provisions``): "违反了《…》第…条的规定，依据《…》第…条
  第…项的规定" — the violated provision and the penalty provision are never confused or repeated;
- the defence, the waiver, the hearing and the authority's review stated as they were recorded, each in its own
  sentence (a waiver never replaces the party's defence; a decision after a hearing says what the hearing heard);
- the issuer and signer is the enforcement body (执法主体), never a squad or a weighing station;
- amounts in capital numerals (大写) with the figure.

:func:`lint` reads the finished text and refuses a paper that still contains "None", English words, an unfilled
placeholder, a doubled phrase (违反了违反, 依据依据) or a template tag; ``services.document_issue`` will not number,
store or hand out such a paper.
"""

import re
from datetime import date, datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from zhifa.core import provisions
from zhifa.core.errors import DomainError
from zhifa.core.identifiers import PLATE_IN_TEXT

BEIJING = ZoneInfo("Asia/Shanghai")  # documents state Beijing time whatever the server's zone
ORGANISATION_KINDS = {"organisation", "法人或其他组织", "法人或者其他组织", "单位"}
# Other names callers use for the same field (the canonical name is the key); explicit canonical keys win.
ALIASES = {
    "party_legal_rep": ("legal_representative",),
    "cause": ("violation", "violation_name"),
    "violation_at": ("occurred_at",),
    "served_at": ("delivered_on",),
    "penalty_provision": ("legal_basis",),
}
# Forms that state the legal basis of a penalty (both provisions required) or of not penalising.
PENALTY_BASIS_KINDS = {"violation_notice", "onspot_decision", "penalty_decision"}
NO_PENALTY_BASIS_KINDS = {"no_penalty_decision"}


# ---------------------------------------------------------------------------------------------------------------
# time


def local(value):
    """A datetime in Beijing time (aware values converted; naive values are taken as already local)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(BEIJING).replace(tzinfo=None)
    return value


def parse_when(value):
    """A date, a datetime or an ISO string → date / local naive datetime (strings that are not ISO stay)."""
    if isinstance(value, str) and value[:4].isdigit() and len(value) >= 10 and value[4] == "-":
        try:
            value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
        except ValueError:
            return value
    return local(value)


def localise(data):
    """Every datetime anywhere in ``data`` as a local (Beijing) ISO string without offset, so the stored context
    and the rendered paper read the same local time."""
    if isinstance(data, datetime):
        return local(data).isoformat(timespec="minutes")
    if isinstance(data, dict):
        return {k: localise(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [localise(v) for v in data]
    return data


# ---------------------------------------------------------------------------------------------------------------
# the party, the basis, the defence


def is_organisation(data: dict) -> bool:
    return data.get("party_kind") in ORGANISATION_KINDS


def address(data: dict) -> str:
    """你 for a citizen, 你单位 for an organisation."""
    return "你单位" if is_organisation(data) else "你"


def legal_basis(data: dict, kind: str) -> dict:
    """The basis clauses from the structured provisions in ``violated_provision`` / ``penalty_provision``."""
    if kind not in PENALTY_BASIS_KINDS | NO_PENALTY_BASIS_KINDS:
        return {}
    violated = provisions.parse(data.get("violated_provision") or "")
    penalty = provisions.parse(data.get("penalty_provision") or "")
    if kind in NO_PENALTY_BASIS_KINDS and data.get("no_violation"):
        # 行政处罚法 Art. 57 ¶1 (三): the facts were not established — the paper names no violated provision
        if not penalty:
            raise DomainError("provision_missing", "未写明不予行政处罚的法律依据，不能制作文书。")
        return {"penalty_citation": penalty.text(), "violated_clause": ""}
    sentence = provisions.basis_sentence(violated, penalty)  # raises provision_missing when one is absent
    clause = sentence.split("，依据", 1)[0]
    return {"basis": sentence, "violated_clause": clause, "penalty_citation": penalty.text(),
            "violated_citation": violated.text()}


def _cn(value) -> str:
    from .templatetags.docforms import cn_date

    return cn_date(value)


def defence(data: dict) -> str:
    """The statement/defence paragraph as recorded: the party's own words, the authority's review of them, the
    written waiver (its own sentence, never in place of a defence) and the hearing (request, date, record)."""
    you = address(data)
    hearing_right = bool(data.get("hearing_right"))
    out = []
    statement = (data.get("statement") or "").strip().rstrip("。")
    if statement:
        out.append(f"{you}提出陈述、申辩意见：“{statement}”。")
    if data.get("hearing_held_on"):
        requested = f"于{_cn(data['hearing_requested_on'])}" if data.get("hearing_requested_on") else ""
        record = (data.get("hearing_record") or "").strip().rstrip("。")
        out.append(f"{you}{requested}要求举行听证，本机关于{_cn(data['hearing_held_on'])}依法举行了听证"
                   + (f"。听证笔录记载：{record}。" if record else "。"))
    adopted = (data.get("statement_adopted") or "").strip().rstrip("。")
    if adopted and (statement or data.get("hearing_held_on")):
        out.append(f"经复核，{adopted}。")
    if data.get("rights_waived_on"):
        what = "陈述、申辩和要求听证" if hearing_right else "陈述、申辩"
        waiver = (data.get("waiver_statement") or "").strip().rstrip("。")
        out.append(f"{you}于{_cn(data['rights_waived_on'])}书面声明放弃{what}的权利" + (f"（“{waiver}”）。" if waiver else "。"))
    if not out:
        out.append(f"{you}在规定期限内未提出陈述、申辩意见" + ("，也未要求举行听证。" if hearing_right else "。"))
    return "".join(out)


def reconsideration_body(organisation) -> str:
    """Where the party applies for administrative reconsideration: 行政复议法 (2023 revision, in force 2024-01-01)
    Art. 24 — against a working department of a local government at county level or above (or an organisation it
    manages, e.g. a 综合行政执法大队), the people's government at that level. The old choice "上一级主管部门或者本级
    人民政府" survives only for vertically managed agencies (Art. 27: customs, finance, tax …), not for transport."""
    org = organisation
    while org is not None and getattr(org, "kind", "") not in ("county", "city", "province"):
        org = getattr(org, "parent", None)
    name = getattr(org or organisation, "name", "") or ""
    for end in ("县", "区", "市", "省"):
        if end in name:
            return name[: name.index(end) + 1] + "人民政府"
    return "本机关所属的本级人民政府"


def compose(*, kind, organisation, number: str, context: dict) -> dict:
    """The template context of form ``kind`` issued by ``organisation`` under ``number``."""
    from .render import rights_deadlines

    data = localise(dict(context))
    for name, others in ALIASES.items():
        if not data.get(name):
            data[name] = next((data[o] for o in others if data.get(o)), data.get(name, ""))
    for name, sep in (("officers", "、"), ("evidence", "；")):
        value = data.get(name)
        if isinstance(value, str):
            data[name] = [part.strip() for part in value.split(sep) if part.strip()]
    org = is_organisation(data)
    data["party_kind"] = "organisation" if org else "person"
    ident = data.get("party_identifier")
    if ident:
        data.setdefault("party_credit_code" if org else "party_id_number", ident)
    data["you"] = address(data)
    data.update(legal_basis(data, kind.code))
    if not data.get("defence") and kind.code in {"penalty_decision", "no_penalty_decision", "onspot_decision"}:
        if kind.code != "onspot_decision" or data.get("statement"):
            data["defence"] = defence(data)
    # names the templates use as filter arguments (``x|default:legal_basis``) must exist, or rendering fails
    for name in ("amount", "opened_on", "party_address", "decided_on", "issued_on", "delivery_address"):
        data.setdefault(name, "")
    statements = data.get("statements")
    if isinstance(statements, str):  # a hearing record kept as text: one paragraph per line
        data["statements"] = [{"speaker": "", "text": line.strip()} for line in statements.splitlines() if line.strip()]
    if data.get("pay_url") and not data.get("pay_qr"):
        data["pay_qr"] = qr_data_uri(data["pay_url"])
    delivered = parse_when(data.get("delivered_on"))
    rights = rights_deadlines(delivered if isinstance(delivered, date) else None)
    if kind.code in ("reminder", "execution_announcement") and rights:
        # 行政强制法 Arts. 44, 53: only once the review (60 days) and litigation (6 months) periods have run out may
        # the paper say the party did not seek them; before that it says nothing about them.
        issued = parse_when(data.get("issued_on")) or date.today()
        data["review_expired"] = issued > rights["reconsideration"].date
        data["litigation_expired"] = issued > rights["litigation"].date
    # the enforcement body issues and signs, never a squad or a weighing station (行政处罚法 Art. 17)
    issuer = organisation.enforcement_body() if hasattr(organisation, "enforcement_body") else organisation
    data.setdefault("reconsideration_body", reconsideration_body(issuer))
    data.update(kind=kind, agency=issuer, number=number, rights=rights)
    return data


def qr_png(text: str) -> bytes:
    """A QR code (PNG) for a payment link — the same image on the paper and on the notice page."""
    import io

    import qrcode

    out = io.BytesIO()
    qrcode.make(text, box_size=6, border=2).save(out, format="PNG")
    return out.getvalue()


def qr_data_uri(text: str) -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode()


# ---------------------------------------------------------------------------------------------------------------
# the lint


class _Text(HTMLParser):
    """The text a reader sees: no <head>, no CSS, and no blanks left for the party to fill in by hand
    (``class="handwrite"``)."""

    SKIP = {"head", "style", "script", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "meta", "img", "link"):
            if tag == "br":
                self.parts.append("\n")
            return
        classes = (dict(attrs).get("class") or "").split()
        self.stack.append((tag, tag in self.SKIP or "handwrite" in classes))

    def handle_endtag(self, tag):
        while self.stack:
            top, _ = self.stack.pop()
            if top == tag:
                break
        if tag in ("p", "div", "tr", "h1", "li", "table"):
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")  # a label and its value are two cells, not one phrase

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


URL = re.compile(r"https?://\S+")
CHECKS = [
    ("“None”等空值", re.compile(r"(?<![A-Za-z])(None|null|nan|undefined|True|False)(?![A-Za-z])")),
    ("英文", re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{3,}(?![A-Za-z0-9])")),
    ("模板标记", re.compile(r"\{\{|\}\}|\{%|%\}|\{[a-z_]+(?::[^}]*)?\}|&[a-z]+;|&#\d+;")),
    # XXX only standing alone: a 统一社会信用代码 may contain it (its alphabet has X), e.g. 9141132102CXXXTGUY.
    ("未填写的占位", re.compile(r"你（单位）|（单位）的|（空）|×××|(?<![A-Za-z0-9])XXX(?![A-Za-z0-9])|＿{2,}|_{3,}|《》|（）|〔〕|第条"
                          r"|　+年　+月　+日|年　*月　*日号")),
    ("重复的词语", re.compile(r"(违反|依据|根据|按照|依照|经查|本机关)了?\1|的规定的规定|([\u4e00-\u9fff]{2,8})\2|([。，；：、])\3|[，；、][。，；]|。[，；、]")),
    ("笼统的法律依据", re.compile(r"违反了?相关规定|违反了?有关规定|依据相关规定|依据有关规定")),
]


def lint(text: str) -> list[str]:
    """Problems in the text of a finished document: each "类别：…上下文…"; an empty list when it may be issued."""
    # A plate's letters (豫R·DEXAE) are the plate, not English: read around them.
    plain = PLATE_IN_TEXT.sub("〔号牌〕", URL.sub("", text))
    problems = []
    for label, pattern in CHECKS:
        for m in pattern.finditer(plain):
            start, end = max(m.start() - 12, 0), min(m.end() + 12, len(plain))
            problems.append(f"{label}：…{plain[start:end].replace(chr(10), ' ')}…")
    return problems


def assert_clean(*, title: str, html: str) -> str:
    """The document's text, or ``DomainError("document_lint")`` naming what is wrong — nothing is issued."""
    text = html_text(html)
    problems = lint(text)
    if problems:
        raise DomainError("document_lint", f"{title}内容有误，不能制作：" + "；".join(problems[:5]), problems=problems)
    return text


def document_text(doc) -> str:
    """The text of an issued document as its reader sees it, re-rendered from its stored fields and number (the
    same composer as at issue)."""
    from .kinds import KINDS
    from .render import render_html

    return html_text(render_html(kind=KINDS[doc.kind], organisation=doc.organisation, number=doc.number, context=doc.context))
