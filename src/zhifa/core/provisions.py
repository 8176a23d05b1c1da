"""Legal provisions as structured data (法律依据): a citation is a law and a list of article / paragraph / item,
never free prose, so every document composes "违反了《…》第…条的规定，依据《…》第…条第…项的规定" the same way.

The catalogue (``discretion.ViolationItem``) and a case outside the catalogue (``cases.Case``) keep their
provisions as the citation text an administrator reads and edits (《中华人民共和国道路运输条例》第十条；…);
:func:`parse` turns it into :class:`Provision` rows and refuses text that is not a citation, so a garbled or
prose basis ("违反…，依据…") is stopped where it is entered, not on the party's paper.

Where the catalogue says a violation is "…第六十八条所列行为", the act is defined by the penalty article itself;
the document then says the act "属于《…》第六十八条所列的违法行为" instead of naming a separate duty.
"""

import re
from dataclasses import dataclass, field

from zhifa.core.errors import DomainError

NUM = "零〇一二三四五六七八九十百千0-9"
LAW = re.compile(r"《([^《》]+)》((?:（[^（）]*(?:年|修订|修正)[^（）]*）)?)")
ARTICLE = re.compile(
    rf"第([{NUM}]+)条(?:之([{NUM}]+))?"
    rf"(?:第([{NUM}]+)款)?"
    rf"(?:第((?:（[{NUM}]+）(?:至（[{NUM}]+）)?)|[{NUM}]+)项)?"
)
LISTED = "所列行为"


@dataclass(frozen=True)
class Provision:
    """One cited provision: 《law》（edition）第article条第paragraph款第（item）项."""

    law: str
    article: str
    paragraph: str = ""
    item: str = ""
    edition: str = ""  # e.g. （2023年修订）

    def cite(self, *, with_law: bool = True) -> str:
        text = (f"《{self.law}》{self.edition}" if with_law else "") + f"第{self.article}条"
        if self.paragraph:
            text += f"第{self.paragraph}款"
        if self.item:
            text += f"第{self.item}项"
        return text

    def as_dict(self) -> dict:
        return {"law": self.law, "article": self.article, "paragraph": self.paragraph, "item": self.item, "edition": self.edition}


@dataclass(frozen=True)
class Citation:
    """Several provisions, in the order written; ``listed_act`` marks "…所列行为" (the act is one the penalty
    article lists)."""

    provisions: tuple[Provision, ...] = field(default=())
    listed_act: bool = False

    def __bool__(self) -> bool:
        return bool(self.provisions)

    def text(self) -> str:
        """《A》第五十条第一款、第五十一条和《B》第三十三条 — the law named once per run of its provisions."""
        groups: list[list[Provision]] = []
        for p in self.provisions:
            if groups and (groups[-1][0].law, groups[-1][0].edition) == (p.law, p.edition):
                groups[-1].append(p)
            else:
                groups.append([p])
        parts = ["、".join(p.cite(with_law=i == 0) for i, p in enumerate(group)) for group in groups]
        if len(parts) > 1:
            return "、".join(parts[:-1]) + "和" + parts[-1]
        return parts[0] if parts else ""

    def as_list(self) -> list[dict]:
        return [p.as_dict() for p in self.provisions]


def _item(raw: str) -> str:
    raw = raw or ""
    if raw and not raw.startswith("（"):
        return f"（{raw}）"
    return raw


def parse(text: str) -> Citation:
    """The provisions cited in ``text``; an empty text gives an empty citation. Text that names no law and
    article (prose such as "相关规定", or a sentence "违反…依据…") raises ``DomainError("invalid_provision")``."""
    text = (text or "").strip().rstrip("。；;，,")
    if not text:
        return Citation()
    if re.search(r"违反|依据|根据|按照", text):
        raise DomainError("invalid_provision", f"条款应只写法规名称和条款项（如《中华人民共和国道路运输条例》第十条），不写“违反”“依据”等文字：{text[:60]}")
    listed = text.endswith(LISTED)
    body = text.removesuffix(LISTED)
    laws = list(LAW.finditer(body))
    if not laws or body[: laws[0].start()].strip("；;、，, "):
        raise DomainError("invalid_provision", f"条款应以书名号标明法规名称，如《中华人民共和国道路运输条例》第十条：{text[:60]}")
    provisions: list[Provision] = []
    for i, m in enumerate(laws):
        end = laws[i + 1].start() if i + 1 < len(laws) else len(body)
        segment = body[m.end():end]
        found = list(ARTICLE.finditer(segment))
        leftover = re.sub(r"以及|[；;、，,和及\s]", "", ARTICLE.sub("", segment))  # only separators may remain
        if not found or leftover:
            raise DomainError("invalid_provision", f"《{m.group(1)}》后应写明第几条（款、项）：{text[:60]}")
        for a in found:
            article = a.group(1) + (f"之{a.group(2)}" if a.group(2) else "")
            provisions.append(Provision(law=m.group(1), edition=m.group(2), article=article, paragraph=a.group(3) or "",
                                        item=_item(a.group(4))))
    return Citation(tuple(provisions), listed_act=listed)


def basis_sentence(violated: Citation, penalty: Citation) -> str:
    """"违反了《…》第…条的规定，依据《…》第…条第…项的规定" — the one wording every document uses. Both are
    required: a decision that does not name the duty breached and the article that punishes it is unlawful
    (行政处罚法 Art. 44, 59: the decision states the provisions violated and the basis of the penalty)."""
    if not violated or not penalty:
        missing = "违反的条款" if not violated else "处罚依据"
        raise DomainError("provision_missing", f"未写明{missing}，不能制作文书。请在违法行为事项或案件中写明。")
    if violated.listed_act:
        first = f"属于{violated.text()}所列的违法行为"
    else:
        first = f"违反了{violated.text()}的规定"
    return f"{first}，依据{penalty.text()}的规定"
