#!/usr/bin/env bash
# Make sure Debian's Chromium is there for the browser tests (Playwright drives /usr/bin/chromium).
# Installs it when we can (root with apt-get); otherwise says how, once, and the browser tests skip.
set -u
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Chromium for the browser tests (apt-get install chromium, about 300 MB)..."
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq chromium >/dev/null; then exit 0; fi
fi
echo "note: Chromium not installed, browser tests will be skipped; install it with 'sudo apt-get install chromium'"
exit 0
