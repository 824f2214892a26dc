#!/usr/bin/env bash
# Install the Debian packages inkread's tests use, when missing and when apt-get can run:
# Fashion-MNIST (non-digit rejection), Chromium (the drawing page in a real browser, driven by
# Playwright at /usr/bin/chromium) and PostgreSQL (tuning workers sharing one study).
set -euo pipefail
want=()
[ -d /usr/share/datasets/fashion-mnist ] || want+=(dataset-fashion-mnist)
[ -x /usr/bin/chromium ] || want+=(chromium fonts-dejavu-core)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || want+=(postgresql)
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "note: cannot install ${want[*]} (needs root and apt-get); tests that need them are skipped" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
echo "installing Debian packages: ${want[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
