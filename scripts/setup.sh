#!/usr/bin/env bash
# Installs what the project needs from the system, then the Python dependencies from the lockfile.
#   scripts/setup.sh          runtime needs: graphviz's dot, a CJK font
#   scripts/setup.sh --test   also PostgreSQL, Redis and Chromium for the full test run
# Idempotent: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want=(graphviz fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
[ "${1:-}" = "--test" ] && want+=(postgresql redis-server chromium)

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v uv >/dev/null 2>&1; then
  echo "==> installing uv"
  python3 -m pip install --quiet uv
fi
echo "==> uv sync (from uv.lock)"
uv sync --frozen --quiet
