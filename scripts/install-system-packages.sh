#!/usr/bin/env bash
# Install the Debian packages inkread's tests use, when missing and when apt-get can run:
# Fashion-MNIST (non-digit rejection), Chromium (the drawing page in a real browser, driven by
# Playwright at /usr/bin/chromium) and PostgreSQL (tuning workers sharing one study). Arguments name
# more packages to install when their command is missing: `make bench` adds tesseract-ocr (a peer).
# As root apt-get runs directly; otherwise through passwordless sudo (as on most CI runners). When
# it cannot run or fails, the tests needing the packages are skipped: this prints why, and exits 0.
# INKREAD_SYSROOT, empty by default, prefixes the paths checked, so a test can pretend they are missing.
set -euo pipefail
root="${INKREAD_SYSROOT:-}"
want=()
[ -d "$root/usr/share/datasets/fashion-mnist" ] || want+=(dataset-fashion-mnist)
[ -x "$root/usr/bin/chromium" ] || want+=(chromium fonts-dejavu-core)
ls "$root"/usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || want+=(postgresql)
for extra in "$@"; do
    [ -x "$root/usr/bin/${extra%-ocr}" ] || want+=("$extra")  # tesseract-ocr: /usr/bin/tesseract
done
[ ${#want[@]} -eq 0 ] && exit 0
skip() {
    echo "note: cannot install ${want[*]} ($1); tests that need them are skipped" >&2
    exit 0
}
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}
command -v apt-get >/dev/null || skip "apt-get not found"
if [ "$(id -u)" -ne 0 ]; then
    # -k: a password typed a moment ago does not count; only a passwordless rule lets this install.
    command -v sudo >/dev/null && sudo -n -k env true 2>/dev/null || skip "needs root or passwordless sudo"
fi
echo "installing Debian packages: ${want[*]}"
as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || skip "apt-get update failed"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" \
    >/dev/null || skip "apt-get install failed, see above"
