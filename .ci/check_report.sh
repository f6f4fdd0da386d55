#!/usr/bin/env bash
# Renders report.html in a real headless browser, in each language, and fails on a
# console error or an empty page. Installs Chromium from Debian when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
    echo "== installing chromium (Debian)"
    sudo_if_needed=""
    [ "$(id -u)" -ne 0 ] && sudo_if_needed="sudo"
    $sudo_if_needed apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo_if_needed apt-get install -y -q chromium >/dev/null
    browser="$(command -v chromium)"
fi

cargo build --locked -q --example tier
tier="${CARGO_TARGET_DIR:-target}/debug/examples/tier"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for lang in en zh-Hant zh-Hans; do
    out="$work/$lang"
    "$tier" --transactions tests/data/quickstart.csv --customers tests/data/quickstart_customers.csv \
        --rules examples/rules/credit-cap.toml --preset four-dimension --preset lifecycle \
        --as-of 2026-06-30 --compare-as-of 2026-03-31 --lang "$lang" --quiet --out "$out"
    # --dump-dom prints the page after it loaded; the log carries the console.
    "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --enable-logging=stderr --v=0 --virtual-time-budget=2000 \
        --dump-dom "file://$out/report.html" >"$work/dom-$lang.html" 2>"$work/log-$lang.txt" || {
        cat "$work/log-$lang.txt" >&2
        echo "report.html ($lang): the browser failed" >&2
        exit 1
    }
    if grep -E 'CONSOLE|Uncaught|Refused to|ERR_FILE_NOT_FOUND|net::ERR' "$work/log-$lang.txt" >&2; then
        echo "report.html ($lang): console errors above" >&2
        exit 1
    fi
    tables=$(grep -c '<table class="management"' "$work/dom-$lang.html" || true)
    charts=$(grep -c '<svg' "$work/dom-$lang.html" || true)
    if [ "$tables" -lt 5 ] || [ "$charts" -lt 1 ]; then
        echo "report.html ($lang): the rendered page is empty ($tables tables, $charts charts)" >&2
        exit 1
    fi
    echo "report.html ($lang): rendered, $tables management tables, $charts charts, no console errors"
done
