"""A crawler over the signed-in UI, used by the crawl test (tests/crawl) and runnable against demo data:
follows every link a page offers (same site, GET), and reports links that do not answer 200 and visible text a
reader should never meet (English words, Python values, raw dicts, ISO times).

``python -m zhifa.crawl officer head …`` (with the usual settings) prints the findings for the demo accounts."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlparse

# Latin terms a Chinese register uses as they are (units, formats, standards, identifiers).
ALLOWED_LATIN = {
    "API", "PDF", "XLSX", "DOCX", "QR", "ID", "IP", "SHA", "ZIP", "JSON", "CSV", "YAML", "HTML", "URL", "GB", "JJG", "WIM", "GPS",
    "SMS", "KPI", "MB", "KB", "km", "kg", "kmh", "AA", "TOTP", "GB/T", "JT", "ETC", "APP", "EMS", "OCR", "CA", "OK", "NTP",
    "bytes", "B", "MiB", "SC", "Noto", "Sans", "CJK", "IC", "POS", "UTC", "Excel", "Word", "WPS", "WebM", "MP4", "JPEG", "PNG",
}
_TOKEN = re.compile(r"(?<![A-Za-z0-9_./:@-])[A-Za-z][A-Za-z0-9_./:@-]*")
_RAW = [
    (re.compile(r"\{'[^']+':"), "Python 字典"),
    (re.compile(r"\b(None|True|False)\b"), "Python 值"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"), "ISO 时间"),
    (re.compile(r"\[unconfirmed"), "开发标记"),
    (re.compile(r"legal-reference|种子0\d\d"), "开发说明"),
]
SKIP_PREFIXES = ("/admin/", "/api/", "/static/", "/logout/", "/media/")
SKIP_QUERY = ("format=xlsx", "export=xlsx", "format=csv", "format=json", "download=1", "thumb=1")


class _Page(HTMLParser):
    """Collects links and the visible text (no script/style, no collapsed raw record, no attribute values)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._skip = 0
        self._stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        hidden = tag in ("script", "style", "template", "noscript") or (tag == "details" and "raw" in (a.get("class") or ""))
        if tag not in ("br", "img", "input", "meta", "link", "hr", "source", "wbr", "col"):
            self._stack.append((tag, hidden))
            self._skip += hidden
        if tag == "a" and a.get("href") and "download" not in a:
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        while self._stack:
            t, hidden = self._stack.pop()
            self._skip -= hidden
            if t == tag:
                break

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(data.strip())


@dataclass
class Finding:
    url: str
    problem: str
    detail: str = ""


@dataclass
class Report:
    pages: int = 0
    findings: list[Finding] = field(default_factory=list)


def english_words(text: str) -> list[str]:
    """Latin words a reader would take for English: plain letters (3 or more), not a code (all capitals, digits, a
    hyphen, dot or slash: plates, certificate numbers, file names, hashes, URLs), not a product name in CamelCase,
    not an allowed term."""
    out = []
    for token in _TOKEN.findall(text):
        token = token.rstrip(".:-/")
        if len(token) < 3 or not token.isalpha() or token.isupper() or re.search(r"[a-z][A-Z]", token):
            continue
        if token in ALLOWED_LATIN or token.upper() in ALLOWED_LATIN or re.fullmatch(r"[a-f]+", token) and len(token) > 6:
            continue
        out.append(token)
    return out


def text_problems(text: str) -> list[str]:
    out = [f"英文：{w}" for w in english_words(text)]
    for pattern, what in _RAW:
        m = pattern.search(text)
        if m:
            out.append(f"{what}：{m.group(0)}")
    return out


def crawl(client, start: str = "/", *, limit: int = 400, per_pattern: int = 3) -> Report:
    """Breadth-first over links the pages offer. ``per_pattern`` caps pages per URL shape (digits replaced), so a
    list of a thousand records costs a few requests, not a thousand."""
    report = Report()
    seen, shapes = {start}, {}
    queue = deque([(start, "")])
    while queue and report.pages < limit:
        url, referrer = queue.popleft()
        response = client.get(url)
        report.pages += 1
        if response.status_code in (301, 302):
            target = response.headers.get("Location", "")
            if target.startswith("/") and target not in seen and not target.startswith("/login"):
                seen.add(target)
                queue.append((target, url))
            continue
        if response.status_code != 200:
            report.findings.append(Finding(url, f"HTTP {response.status_code}", f"来自 {referrer}"))
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        page = _Page()
        page.feed(response.content.decode("utf-8", "replace"))
        for problem in sorted(set(text_problems(" ".join(page.text)))):
            report.findings.append(Finding(url, problem))
        for href in page.links:
            target, _ = urldefrag(urljoin(url, href))
            parsed = urlparse(target)
            if parsed.netloc and parsed.netloc not in ("testserver",):
                continue
            path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            if not path.startswith("/") or path.startswith(SKIP_PREFIXES) or any(q in path for q in SKIP_QUERY) or path in seen:
                continue
            shape = re.sub(r"\d+", "#", parsed.path) + ("?" + re.sub(r"=[^&]*", "=", parsed.query) if parsed.query else "")
            if shapes.get(shape, 0) >= per_pattern:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            seen.add(path)
            queue.append((path, url))
    return report


def main(argv=None):  # pragma: no cover - a developer's tool
    import sys

    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from zhifa.core.models import User

    setup_test_environment()
    for username in (argv or sys.argv[1:]):
        client = Client()
        client.force_login(User.objects.get(username=username))
        report = crawl(client, limit=int(__import__("os").environ.get("CRAWL_LIMIT", "300")))
        print(f"== {username}: {report.pages} pages, {len(report.findings)} findings")
        for f in report.findings:
            print(f"  {f.url}  {f.problem}  {f.detail}")


if __name__ == "__main__":  # pragma: no cover
    main()
