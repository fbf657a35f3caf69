#!/usr/bin/env bash
# Make sure Debian's headless-capable Chromium is installed at /usr/bin/chromium.
#
# The export tests open the self-contained HTML report in a real browser (every figure must
# load, no network request may be made). The browser comes from Debian's own package, never
# from a browser download at run time. Needs root (CI and the developers' machines run as root);
# without it the script says so and exits 0, and the browser tests skip with that reason.
set -euo pipefail

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "ensure-chromium: $CHROMIUM absent et pas root : les tests navigateur seront ignorés." >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: apt-get introuvable : les tests navigateur seront ignorés." >&2
    exit 0
fi
echo "ensure-chromium: installation de chromium (paquet Debian)…" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1 || true
    apt-get install -y -q --no-install-recommends chromium >/dev/null
fi
"$CHROMIUM" --version >&2
