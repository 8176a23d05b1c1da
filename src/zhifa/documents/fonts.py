"""Working copies of the documents' CJK fonts, cut down to the characters official papers use.

The forms are set in Noto Serif CJK SC (body) and Noto Sans CJK SC (titles, labels; regular and bold), which the
system installs as collections of 20–27 MB each (five or ten faces for JP, KR, SC, TC and HK sharing 65,535
glyphs). WeasyPrint copies the whole collection into Python for every font of every paper and subsets it with
HarfBuzz: most of the 370 ms one two-page decision took. Here the SC face of each is subset once, with HarfBuzz,
to GB 2312 (the 6,763 hanzi of official Chinese, plus Latin, digits, full-width forms and the punctuation and
symbols of the forms) into ``VAR_DIR/fonts/`` (3.5–5 MB each, a few seconds, written atomically). ``render``
declares them as ``@font-face`` families placed *before* the system families in the documents' CSS: a character
outside GB 2312 (a rare character in a name, 堃 or 喆) is taken from the full system font by the ordinary
fallback, so nothing is lost; only such a paper embeds a second subset. The glyphs are the same outlines, so a
paper looks the same (compared pixel by pixel with ``pdftoppm`` when this was introduced).

No font file is kept in the repository: the copies derive from the system fonts the project already requires
(``fonts-noto-cjk``); without HarfBuzz's subsetter or the system fonts the forms use the system fonts directly."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

SYSTEM_FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk", "/usr/share/fonts/google-noto-cjk")

# family in the documents' CSS → (CSS font-weight, collection file, face index of the SC face)
FACES = {
    "serif": ("Zhifa Serif SC", "normal", "NotoSerifCJK-Regular.ttc", 2),
    "sans": ("Zhifa Sans SC", "normal", "NotoSansCJK-Regular.ttc", 2),
    "sans-bold": ("Zhifa Sans SC", "bold", "NotoSansCJK-Bold.ttc", 2),
}
VERSION = "gb2312-1"  # part of the file names: a change of the character set makes new files

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
hb_blob_t * hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char * hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t * hb_face_reference_blob (hb_face_t *face);
void hb_set_add (hb_set_t *set, unsigned int codepoint);
void hb_set_add_range (hb_set_t *set, unsigned int first, unsigned int last);
hb_subset_input_t * hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t * hb_subset_input_unicode_set (hb_subset_input_t *input);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
hb_face_t * hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""
_NOTDEF_OUTLINE = 0x40
_RANGES = (  # besides GB 2312's hanzi and symbols
    (0x20, 0x7E), (0xA0, 0x17F), (0x2000, 0x206F), (0x2100, 0x21FF), (0x2460, 0x24FF), (0x2500, 0x25FF),
    (0x3000, 0x303F), (0x3200, 0x32FF), (0xFF00, 0xFFEF),
)
_lock = threading.Lock()
_paths: dict[str, Path] | None = None


def charset() -> set[int]:
    """GB 2312 (every two-byte code decoded) and the ranges above."""
    chars = {cp for first, last in _RANGES for cp in range(first, last + 1)}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                text = bytes((high, low)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            chars.add(ord(text))
    return chars


def _system_font(name: str) -> Path | None:
    for folder in SYSTEM_FONT_DIRS:
        path = Path(folder) / name
        if path.exists():
            return path
    return None


def _subset(source: Path, index: int, target: Path) -> None:
    from cffi import FFI

    ffi = FFI()
    ffi.cdef(_CDEF)
    hb = ffi.dlopen("libharfbuzz-subset.so.0")
    blob = hb.hb_blob_create_from_file_or_fail(str(source).encode())
    if blob == ffi.NULL:
        raise OSError(f"cannot read {source}")
    face = hb.hb_face_create(blob, index)
    inp = hb.hb_subset_input_create_or_fail()
    try:
        unicodes = hb.hb_subset_input_unicode_set(inp)
        for cp in sorted(charset()):
            hb.hb_set_add(unicodes, cp)
        hb.hb_subset_input_set_flags(inp, _NOTDEF_OUTLINE)
        out = hb.hb_subset_or_fail(face, inp)
        if out == ffi.NULL:
            raise OSError(f"HarfBuzz could not subset {source}")
        out_blob = hb.hb_face_reference_blob(out)
        length = ffi.new("unsigned int *")
        data = ffi.unpack(hb.hb_blob_get_data(out_blob, length), int(length[0]))
        hb.hb_blob_destroy(out_blob)
        hb.hb_face_destroy(out)
    finally:
        hb.hb_subset_input_destroy(inp)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)  # atomic: another process building the same file meanwhile writes the same bytes


def working_fonts() -> dict[str, Path]:
    """The subset files by key of ``FACES`` (built on first use, kept in ``VAR_DIR/fonts``); empty when they
    cannot be made here (the forms then use the system fonts)."""
    global _paths
    if _paths is not None:
        return _paths
    with _lock:
        if _paths is not None:
            return _paths
        folder = Path(settings.VAR_DIR) / "fonts"
        paths: dict[str, Path] = {}
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for key, (_family, _weight, filename, index) in FACES.items():
                target = folder / f"{Path(filename).stem}-SC-{VERSION}.otf"
                if not target.exists():
                    source = _system_font(filename)
                    if source is None:
                        raise FileNotFoundError(filename)
                    _subset(source, index, target)
                paths[key] = target
        except (OSError, AttributeError) as exc:
            log.warning("document fonts: using the system fonts (%s)", exc)
            paths = {}
        _paths = paths
        return paths


def font_face_css() -> str:
    """``@font-face`` rules for the working copies ('' without them)."""
    rules = []
    for key, path in working_fonts().items():
        family, weight, _filename, _index = FACES[key]
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; src: url("{path.as_uri()}"); }}')
    return "\n".join(rules)
