#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when /usr/bin/chromium is missing. Idempotent:
# does nothing when it is already there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "browser-deps: /usr/bin/chromium is missing and this is not root; run: apt-get -y install chromium" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get -y install chromium; then
  apt-get update
  apt-get -y install chromium
fi
test -x /usr/bin/chromium
