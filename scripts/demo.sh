#!/usr/bin/env bash
# Install everything and run the platform with demo data on the embedded defaults (SQLite under var/).
source "$(dirname "$0")/lib.sh"
ensure_apt "${SYSTEM_PACKAGES[@]}"
ensure_venv
exec .venv/bin/zhifa demo "$@"
