#!/usr/bin/env bash
# Install what the test suite needs beyond Python packages: Debian's Chromium for the browser
# tests (Playwright drives /usr/bin/chromium; it never downloads a browser of its own).
# The Oxigraph server used by the remote-store tests comes from the PyPI package `oxigraph`
# (the [test] extra) and is started by the tests themselves on 127.0.0.1.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version
