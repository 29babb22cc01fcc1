#!/bin/sh
# What the playground's browser tests need: Debian's chromium (tests/test_playground_browser.py) and axe-core,
# the accessibility checker they load into the page (tests/package.json and its lock file, installed with
# `npm ci` into tests/node_modules). Installs chromium with apt-get when it is missing and we can (root,
# apt-get present), and axe-core when npm is there; otherwise says why and exits 0, and those tests skip with
# the reason. Playwright never downloads a browser here.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BROWSER=/usr/bin/chromium

install_chromium() {
    if [ -x "$BROWSER" ]; then
        echo "install_browser: $BROWSER is present"
        return
    fi
    if [ "$(id -u)" != "0" ]; then
        echo "install_browser: $BROWSER is missing and we are not root; the browser tests will skip" \
             "(install it with: sudo apt-get install chromium)"
        return
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install_browser: $BROWSER is missing and there is no apt-get; the browser tests will skip"
        return
    fi
    echo "install_browser: installing Debian's chromium with apt-get"
    if DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null \
       && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null; then
        echo "install_browser: installed $BROWSER"
    else
        echo "install_browser: apt-get could not install chromium (offline?); the browser tests will skip"
    fi
}

install_axe() {
    if [ -f "$HERE/node_modules/axe-core/axe.min.js" ] \
       && [ "$HERE/node_modules/.package-lock.json" -nt "$HERE/package-lock.json" ]; then
        echo "install_browser: axe-core is present"
        return
    fi
    if ! command -v npm >/dev/null 2>&1; then
        echo "install_browser: npm is missing, so axe-core is; the accessibility tests will skip" \
             "(install it with: sudo apt-get install npm)"
        return
    fi
    echo "install_browser: installing axe-core from the npm registry (npm ci, as tests/package-lock.json says)"
    if (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
        echo "install_browser: installed axe-core into tests/node_modules"
    else
        echo "install_browser: npm ci could not install axe-core (offline?); the accessibility tests will skip"
    fi
}

install_chromium
install_axe
exit 0
