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
