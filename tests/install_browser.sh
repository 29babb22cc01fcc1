#!/bin/sh
# Make sure Debian's chromium is there for the playground's browser tests (tests/test_playground_browser.py).
# Installs it with apt-get when it is missing and we can (root, apt-get present); otherwise says why and
# exits 0, and those tests skip with the reason. Playwright never downloads a browser here.
set -u
BROWSER=/usr/bin/chromium
if [ -x "$BROWSER" ]; then
    echo "install_browser: $BROWSER is present"
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "install_browser: $BROWSER is missing and we are not root; the browser tests will skip" \
         "(install it with: sudo apt-get install chromium)"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: $BROWSER is missing and there is no apt-get; the browser tests will skip"
    exit 0
fi
echo "install_browser: installing Debian's chromium with apt-get"
if DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null \
   && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null; then
    echo "install_browser: installed $BROWSER"
else
    echo "install_browser: apt-get could not install chromium (offline?); the browser tests will skip"
fi
exit 0
