# Shared by scripts/demo.sh and scripts/test.sh: system packages and the virtual environment.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"

# Debian packages the project needs: a CJK font for PDFs, Pango for WeasyPrint; chromium for browser tests.
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> 安装系统软件包 / installing system packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {
  local extra="${1:-}"
  if [ ! -x .venv/bin/python ]; then
    echo "==> 创建虚拟环境 / creating .venv"
    "$PY" -m venv .venv
  fi
  local stamp=".venv/.installed${extra:+-$extra}"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "==> 安装 Python 依赖 / installing Python dependencies${extra:+ ($extra)}"
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -e ".${extra:+[$extra]}"
    touch "$stamp"
  fi
}

SYSTEM_PACKAGES=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b poppler-utils)
BROWSER_PACKAGES=(chromium)
# The test command also opens the annual report's DOCX in a word processor to check it renders Chinese.
RENDER_PACKAGES=(libreoffice-writer-nogui)

# Dependency audit (pip-audit) of the installed environment against PyPI's advisory data. Known
# vulnerabilities fail the run. When the advisory service cannot be asked (no network, or a PyPI mirror
# without the per-version JSON API, where every package comes back "not found"), the audit did not happen:
# say so loudly and carry on, unless ZHIFA_AUDIT_STRICT=1 (then that fails too). ZHIFA_SKIP_AUDIT=1 skips it.
audit_dependencies() {
  if [ "${ZHIFA_SKIP_AUDIT:-0}" = "1" ]; then
    echo "==> pip-audit: skipped (ZHIFA_SKIP_AUDIT=1)"
    return 0
  fi
  echo "==> pip-audit (dependency audit)"
  local report
  report="$(mktemp)"
  .venv/bin/pip-audit --progress-spinner off --skip-editable --timeout 30 -f json -o "$report" >/dev/null 2>"$report.err" || true
  local status=0
  .venv/bin/python - "$report" "${ZHIFA_AUDIT_STRICT:-0}" <<'PY' || status=$?
import json, sys
from pathlib import Path

path, strict = Path(sys.argv[1]), sys.argv[2] == "1"
try:
    deps = json.loads(path.read_text() or "{}").get("dependencies", [])
except json.JSONDecodeError:
    deps = []
audited = [d for d in deps if "skip_reason" not in d]
vulnerable = [d for d in audited if d.get("vulns")]
skipped = len(deps) - len(audited)
for d in vulnerable:
    for v in d["vulns"]:
        fix = ", ".join(v.get("fix_versions") or []) or "no fixed version"
        print(f"   VULNERABLE {d['name']} {d['version']}: {v['id']} (fixed in {fix})")
if vulnerable:
    print(f"   pip-audit: {len(vulnerable)} vulnerable package(s) — raise the minimum in pyproject.toml and reinstall")
    sys.exit(1)
if not audited:
    err = "" if deps else (Path(str(path) + ".err").read_text(errors="replace").strip().splitlines() or [""])[-1][:200]
    print("   !!! 依赖安全审计未执行 / DEPENDENCY AUDIT NOT PERFORMED: the vulnerability service did not answer"
          f" ({skipped} packages unaudited) {err}")
    sys.exit(1 if strict else 0)
print(f"   pip-audit: {len(audited)} packages audited, no known vulnerabilities"
      + (f"; {skipped} could not be audited (not on PyPI or not answered)" if skipped else ""))
PY
  rm -f "$report" "$report.err"
  return $status
}
