"""The stations' photos and videos of a pass (过车图像、视频). A WIM record names them (``image_refs``,
``video_ref``: paths relative to the station media store, ``WIM_MEDIA_ROOT``, which the stations fill alongside
their record files). Pages show them through a route that checks the viewer may see the violation, never the path.

A reference is resolved only inside the media root (no ``..``, no absolute paths), only for the picture and
video types, and only when the file's leading bytes agree with its type (超限运输车辆行驶公路管理规定 Art. 55 /
行政处罚法 Art. 41: the evidence must be what it claims to be)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

from zhifa.core.evidence import sniff_ok

TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".mp4": "video/mp4", ".webm": "video/webm"}


@dataclass(frozen=True)
class PassMedia:
    """One photo or video of a violation's passes: its number on the page (the route's key), what it shows, and the
    stored file when the station delivered it."""

    n: int
    ref: str
    label: str
    content_type: str
    path: Path | None
    sha256: str = ""
    size: int = 0

    @property
    def kind(self) -> str:
        return "image" if self.content_type.startswith("image/") else "video"

    @property
    def available(self) -> bool:
        return self.path is not None


def media_root() -> Path:
    return Path(getattr(settings, "WIM_MEDIA_ROOT", Path(settings.VAR_DIR) / "wim-media"))


def resolve(ref: str) -> Path | None:
    """The file a reference names, inside the media root and of an allowed type; None otherwise."""
    ref = (ref or "").strip().replace("\\", "/")
    pure = PurePosixPath(ref)
    if not ref or pure.is_absolute() or ".." in pure.parts or pure.suffix.lower() not in TYPES:
        return None
    root = media_root().resolve()
    path = (root / pure).resolve()
    if root not in path.parents or not path.is_file():
        return None
    with path.open("rb") as fh:
        if not sniff_ok(TYPES[pure.suffix.lower()], fh.read(64)):
            return None
    return path


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            h.update(chunk)
    return h.hexdigest()


def pass_media(passes: list[dict]) -> list[PassMedia]:
    """The photos and videos of the evidence package's passes, numbered in page order."""
    out = []
    for r in passes:
        refs = [x for x in str(r.get("image_refs") or "").split(";") if x.strip()]
        if r.get("video_ref"):
            refs.append(r["video_ref"])
        for i, ref in enumerate(refs, 1):
            suffix = PurePosixPath(ref.strip()).suffix.lower()
            ctype = TYPES.get(suffix, "application/octet-stream")
            what = "视频" if ctype.startswith("video/") else f"图像{i}"
            path = resolve(ref)
            out.append(PassMedia(n=len(out) + 1, ref=ref.strip(), label=f"记录号 {r.get('record_no')} {what}", content_type=ctype,
                                 path=path, sha256=_digest(path) if path else "", size=path.stat().st_size if path else 0))
    return out


def media_response(request, media: PassMedia):
    """Serve one delivered photo or video (inline, or ``?download=1``) with its SHA-256."""
    from zhifa.core.evidence import file_response

    name = f"{media.label.replace(' ', '-')}{PurePosixPath(media.ref).suffix.lower()}"
    return file_response(media.path.open("rb"), content_type=media.content_type, filename=name, sha256=media.sha256,
                         download=bool(request.GET.get("download")))
