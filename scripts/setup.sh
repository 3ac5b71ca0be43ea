#!/usr/bin/env bash
# Installs what the lab needs on a Debian 12 machine, as root; does nothing that is already done.
# Debian packages: MariaDB with Galera (and rsync for SST), iptables for partitions, procps for ps,
# etcd-server for the legacy BBS store (v2 API), openssh-server for the SSH provider's tests (the
# tests start their own sshd on loopback addresses; a system ssh service setup installs is stopped).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in mariadb-server galera-4 rsync iptables procps etcd-server openssh-server; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${need[*]}; run as root (or install them) and retry" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The packages may start a system MariaDB; the lab runs its own nodes and wants no stray server.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now mariadb etcd >/dev/null 2>&1 || true; fi
  # openssh-server only when setup installed it just now (no one relied on it): its service would
  # listen on every address; the SSH provider's tests start their own sshd on loopback only.
  if [[ " ${need[*]} " == *" openssh-server "* ]]; then
    { systemctl disable --now ssh || service ssh stop; } >/dev/null 2>&1 || true
  fi
fi

# npm ci only when the lock file changed since the last install. Optional dependencies are included
# even where npm's config omits them: Biome (npm run lint) runs from one, its platform binary.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --include=optional --no-audit --no-fund --loglevel=error
fi

# Compile the lab once (tsconfig.build.json → dist/) so bin/bbs-lab.js starts without compiling
# TypeScript at run time; only when there is no build or a source is newer than it. The stamp
# carries the time the build started, so an edit made during the build still counts as newer.
if [ ! -f dist/.built ] || [ -n "$(find lab bbs specs tsconfig.json tsconfig.build.json -newer dist/.built -print -quit)" ]; then
  echo "setup: building dist/ (tsc -p tsconfig.build.json)" >&2
  stamp=$(mktemp)
  rm -rf dist
  npx tsc -p tsconfig.build.json
  mv "$stamp" dist/.built
fi
