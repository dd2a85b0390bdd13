#!/usr/bin/env bash
# Installs whatever a fresh Debian + Node 20 machine lacks to build, test and run peer-tree.
# Idempotent and quick when everything is there; both README commands call it first.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.21.0
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
fi

# Packages: the lockfile is the truth; CI must not drift from it.
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | grep -vE '^(Progress|Already up to date)' || true
test -d node_modules/@roamhq/wrtc || { echo "setup: pnpm install failed" >&2; exit 1; }

# Chromium for the browser suites: Debian's own package (playwright-core drives it through
# executablePath /usr/bin/chromium; its bundled browsers are never downloaded).
if ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing Debian's chromium"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

# redis-server and haproxy for the several-process suites and `peer-tree-server --redis`:
# Debian's own packages. The tests start their own instances on ephemeral ports and never
# use a system service the packages may have started.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian's ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
