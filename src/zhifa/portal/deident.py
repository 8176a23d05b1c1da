"""De-identification (去标识化) before publication (国办发〔2018〕118号: personal privacy is treated before
publication — ID numbers, addresses and phone numbers removed, natural persons' names partly masked).

The rules are rows of :class:`DeidentRule`; the party's own identifiers are also removed literally, so a
number the patterns miss (a typo'd ID, an unusual phone) never leaks. Anything a ``flag`` rule matches
afterwards sends the publication to an officer's review instead of straight to the portal."""

import re
from dataclasses import dataclass, field

from django.conf import settings

from .models import DeidentRule

REMOVED = "（已删除）"


def mask_name(name: str) -> str:
    """Partly mask a natural person's name: keep the first ``PORTAL_NAME_KEEP`` characters (default 1, the
    surname), replace the rest with ＊ — 王建国 → 王＊＊. Provincial rules vary, hence the setting."""
    keep = getattr(settings, "PORTAL_NAME_KEEP", 1)
    name = name.strip()
    if len(name) <= keep:
        return name[:1] + "＊"
    return name[:keep] + "＊" * (len(name) - keep)


@dataclass
class Cleaned:
    text: str
    flags: list[str] = field(default_factory=list)


@dataclass
class Deidentifier:
    """Rules loaded once; ``clean(text, persons=…, secrets=…)`` for each text of a publication."""

    replace: list[tuple[str, re.Pattern, str]]
    flag: list[tuple[str, re.Pattern]]

    @classmethod
    def load(cls) -> "Deidentifier":
        replace, flag = [], []
        for rule in DeidentRule.objects.filter(is_active=True):
            pattern = re.compile(rule.pattern)
            if rule.kind == DeidentRule.Kind.FLAG:
                flag.append((rule.name, pattern))
            else:
                replace.append((rule.name, pattern, rule.replacement or REMOVED))
        return cls(replace, flag)

    def clean(self, text: str, *, persons: list[str] = (), secrets: list[str] = ()) -> Cleaned:
        text = text or ""
        for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
            text = text.replace(secret, REMOVED)
        for _name, pattern, replacement in self.replace:
            text = pattern.sub(replacement, text)
        for person in sorted({p for p in persons if p}, key=len, reverse=True):
            text = text.replace(person, mask_name(person))
        flags = [f"{name}：“{m.group(0)}”" for name, pattern in self.flag for m in pattern.finditer(text)]
        return Cleaned(text, flags)
