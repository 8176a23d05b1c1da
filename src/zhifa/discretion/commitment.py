"""The written commitment (告知承诺书) and the education record (教育记录) for a no-penalty outcome.

行政处罚法 Art. 33 ¶1: a first violation with minor harm, promptly corrected, may be not penalised; Art. 33 ¶3:
whoever is not penalised must be educated. The texts are built from the engine's ``Assessment`` so the
commitment names the item, the list and the articles that justified it."""

from dataclasses import dataclass, field
from datetime import date

from .engine import Assessment


@dataclass
class Letter:
    """A document body: title and paragraphs; blanks (“＿＿”) are filled in by hand or by the case."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)


COMMITMENT_TITLE = "首次违法行为不予行政处罚告知承诺书"


def commitment_paragraphs(*, party: str, you: str, item: str, findings: str, articles: str, authority: str) -> list[str]:
    """The body of a 告知承诺书: the finding, the decision not to penalise with the education (Art. 33 ¶1, ¶3)
    and the party's commitment. ``you`` is how the party is addressed (你 / 你单位 / 你（单位） on a blank);
    one text for the calculator's blank and the letter generated for a case."""
    me = "本人" if you == "你" else ("本单位" if you == "你单位" else "本人（单位）")
    return [
        f"{party}：",
        f"经查，{you}实施了{item}的违法行为。{findings}",
        f"依据{articles}，{authority}决定对{you}不予行政处罚，并依法对{you}进行教育。",
        f"{me}承诺：已知悉上述违法事实和相关法律规定，已经改正违法行为；今后严格遵守交通运输法律、法规和规章，"
        "不再实施同类违法行为。如再次实施同类违法行为，愿意依法承担相应法律责任，本次首次违法情节不再作为不予处罚的理由。",
    ]


def commitment_letter(a: Assessment, *, party_name: str = "", authority_name: str = "", on: date | None = None) -> Letter:
    """告知承诺书 for a first-violation no-penalty outcome (``a.commitment_required``), as a blank to fill in."""
    if not a.commitment_required:
        raise ValueError("该裁量结果不要求签署告知承诺书")
    party = party_name or "＿＿＿＿＿＿"
    authority = authority_name or "＿＿＿＿＿＿（执法机关）"
    day = f"{on:%Y年%m月%d日}" if on else "＿＿＿＿年＿＿月＿＿日"
    articles = "、".join(c for c in a.citations if "行政处罚法" in c)
    return Letter(
        title=COMMITMENT_TITLE,
        paragraphs=commitment_paragraphs(party=party, you="你（单位）", item=f"“{a.item_name}”（事项编码{a.item_code}）",
                                         findings=a.reasoning, articles=articles, authority=authority),
        signatures=[f"承诺人（签名或盖章）：{party_name or '＿＿＿＿＿＿'}　　{day}", f"执法机关（印章）：{authority}　　{day}"],
    )


def education_record(a: Assessment, *, party_name: str = "", officers: str = "", on: date | None = None) -> Letter:
    """教育记录 for every no-penalty outcome (行政处罚法 Art. 33 ¶3)."""
    if a.outcome != "no_penalty":
        raise ValueError("只有不予处罚的结果需要制作教育记录")
    day = f"{on:%Y年%m月%d日}" if on else "＿＿＿＿年＿＿月＿＿日"
    basis = "；".join(a.citations)
    return Letter(
        title="不予行政处罚教育记录",
        paragraphs=[
            f"时间：{day}　　执法人员：{officers or '＿＿＿＿＿＿、＿＿＿＿＿＿'}　　被教育人：{party_name or '＿＿＿＿＿＿'}",
            f"违法行为：{a.item_code} {a.item_name}。",
            f"不予处罚理由：{a.reasoning}",
            f"教育内容：向当事人讲解上述违法行为违反的规定及依据（{basis}），告知其危害后果和再次违法的法律责任，"
            "督促其改正并遵守相关规定。",
            "当事人意见：＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿",
        ],
        signatures=[f"被教育人签名：{party_name or '＿＿＿＿＿＿'}", f"执法人员签名：{officers or '＿＿＿＿＿＿、＿＿＿＿＿＿'}"],
    )
