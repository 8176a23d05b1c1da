"""Hash manifests for exported files (e.g. a case file, 案卷): ``manifest.json`` lists each file with its
SHA-256 and size; :func:`verify_manifest` rechecks every file and the manifest's own digest."""

import hashlib
import json
import zipfile
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_manifest(files: dict[str, bytes], **meta) -> dict:
    entries = [{"name": name, "sha256": sha256_bytes(data), "size": len(data)} for name, data in sorted(files.items())]
    body = {"files": entries, **meta}
    body["manifest_sha256"] = sha256_bytes(json.dumps({"files": entries, **meta}, sort_keys=True, ensure_ascii=False).encode())
    return body


def _check(manifest: dict, read) -> list[str]:
    problems = []
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    if manifest.get("manifest_sha256") != sha256_bytes(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()):
        problems.append("清单本身的摘要不符（清单被改动）")
    for entry in manifest.get("files", []):
        data = read(entry["name"])
        if data is None:
            problems.append(f"{entry['name']}：文件缺失")
        elif sha256_bytes(data) != entry["sha256"]:
            problems.append(f"{entry['name']}：SHA-256 不符，文件被改动")
    return problems


def verify_manifest(path: str | Path) -> list[str]:
    """Check a ZIP holding manifest.json, a directory holding it, or a manifest.json next to its files.
    Returns the list of problems (empty when everything matches)."""
    path = Path(path)
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "manifest.json" not in names:
                return ["压缩包中没有 manifest.json"]
            manifest = json.loads(zf.read("manifest.json"))
            return _check(manifest, lambda n: zf.read(n) if n in names else None)
    manifest_path = path / "manifest.json" if path.is_dir() else path
    if not manifest_path.exists():
        return [f"找不到清单文件 {manifest_path}"]
    base = manifest_path.parent
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return _check(manifest, lambda n: (base / n).read_bytes() if (base / n).exists() else None)
