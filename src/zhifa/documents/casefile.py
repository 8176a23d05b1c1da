"""The case file (案卷): a closed case exported as one PDF in the standard order — cover and table of contents
(卷内目录), every issued document, the evidence list (证据清单, with each file's SHA-256) — plus each document
as its own PDF, every stored evidence file (photos, video, audio, PDFs under ``证据/``) and ``manifest.json`` of
file hashes, packed in a ZIP that ``zhifa audit verify-file`` checks
(core.manifest)."""

import io
import json
import zipfile
from types import SimpleNamespace

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from zhifa.core import audit
from zhifa.core.errors import DomainError
from zhifa.core.evidence import download_name, evidence_read
from zhifa.core.manifest import build_manifest, sha256_bytes
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role

from .render import html_to_pdf
from .services import documents_of

EXPORTABLE = {"closed", "archived"}


def _evidence_rows(case) -> list[dict]:
    """The evidence list's rows; an item with a stored file names the file's place in the ZIP (``证据/NN-title.ext``)."""
    rows = []
    for n, item in enumerate(case.evidence_items.select_related("file").order_by("pk"), 1):
        rows.append({
            "kind": item.get_kind_display(), "title": item.title, "description": item.description,
            "quantity": item.quantity, "captured_at": item.captured_at, "place": item.capture_place,
            "preserved": item.preserved, "sha256": item.file.sha256 if item.file_id else "",
            "name": item.file.original_name if item.file_id else "",
            "file": item.file if item.file_id else None,
            "archive_name": f"证据/{n:02d}-{download_name(item.file, item.title)}" if item.file_id else "",
        })
    return rows


def _page_stamps(count: int) -> bytes:
    """Transparent A4 pages carrying the volume page number (卷内页号) in the top right corner, laid over the
    merged file so each page shows its place in the volume as the contents list it."""
    from weasyprint import HTML

    pages = "".join(f'<div class="p">{n}</div>' for n in range(1, count + 1))
    html = ("<html><head><style>@page { size: A4; margin: 0 } html, body { margin: 0; background: transparent }"
            ".p { height: 297mm; page-break-after: always; text-align: right; padding: 9mm 14mm 0 0; box-sizing: border-box;"
            " font-family: 'Noto Serif CJK SC', serif; font-size: 12pt } .p:last-child { page-break-after: auto }"
            "</style></head><body>" + pages + "</body></html>")
    return HTML(string=html).write_pdf()


def _render(template: str, title: str, case, **extra) -> tuple[bytes, int]:
    html = render_to_string(template, {"kind": SimpleNamespace(title=title), "agency": case.organisation, "number": "",
                                       "case": case, **extra})
    return html_to_pdf(html)


def casefile_build(case) -> tuple[bytes, dict]:
    """(ZIP bytes, manifest) of ``case``'s file. No checks and no record: use :func:`casefile_export`."""
    docs = documents_of(case)
    parts = [(d.title, d.number, d.issued_at, evidence_read(d.pdf), d.pages) for d in docs]
    evidence_rows = _evidence_rows(case)
    evidence_pdf, evidence_pages = _render("documents/casefile_evidence.html", "证据清单", case, rows=evidence_rows)
    parts.append(("证据清单", "", timezone.now(), evidence_pdf, evidence_pages))

    toc_pages = 1
    for _ in range(3):  # the contents' own length shifts the page numbers it lists
        entries, page = [], toc_pages + 1
        for i, (title, number, when, _pdf, pages) in enumerate(parts, 1):
            entries.append({"n": i, "title": title, "number": number, "date": timezone.localtime(when).date(),
                            "pages": f"{page}–{page + pages - 1}" if pages > 1 else str(page)})
            page += pages
        toc_pdf, rendered = _render("documents/casefile_toc.html", "卷内目录", case, entries=entries, total_pages=page - 1)
        if rendered == toc_pages:
            break
        toc_pages = rendered

    writer = PdfWriter()
    for blob in [toc_pdf] + [p[3] for p in parts]:
        writer.append(PdfReader(io.BytesIO(blob)))
    stamps = PdfReader(io.BytesIO(_page_stamps(len(writer.pages))))
    for page, stamp in zip(writer.pages, stamps.pages, strict=True):
        page.merge_page(stamp)
    merged = io.BytesIO()
    writer.write(merged)

    files = {"casefile.pdf": merged.getvalue(), "00-卷内目录.pdf": toc_pdf}
    for i, (title, number, _when, pdf, _pages) in enumerate(parts, 1):
        files[f"{i:02d}-{title}{('-' + number) if number else ''}.pdf"] = pdf
    # Every stored evidence file travels inside the case file, under the name the evidence list gives it.
    for row in evidence_rows:
        if row["file"] is not None:
            files[row["archive_name"]] = evidence_read(row["file"])
    manifest = build_manifest(files, case_number=case.number, organisation=case.organisation.name,
                              exported_at=timezone.now().isoformat(timespec="seconds"),
                              documents=[{"title": p[0], "number": p[1]} for p in parts])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return out.getvalue(), manifest


def casefile_export(*, actor, case) -> bytes:
    """Export a closed (or archived) case's file as a ZIP and record the export with the manifest's digest."""
    if actor is not None:
        assert_role(actor, Role.OFFICER, Role.HEAD, Role.SUPERVISOR, Role.ADMIN, Role.REVIEWER)
    assert_in_jurisdiction(actor, case.organisation)
    if case.status not in EXPORTABLE:
        raise DomainError("case_not_closed", f"案件 {case.number} 尚未结案（当前：{case.get_status_display()}），不能导出案卷。")
    data, manifest = casefile_build(case)
    with transaction.atomic():
        audit.record(actor=actor, action="casefile.export", subject=case, organisation=case.organisation,
                     summary=f"导出案卷 {case.number}（{len(manifest['files'])} 个文件，ZIP SHA-256 {sha256_bytes(data)[:16]}…）",
                     changes={"manifest_sha256": manifest["manifest_sha256"], "zip_sha256": sha256_bytes(data)})
    return data
