#!/usr/bin/env bash
# Three "hosts" on this machine reached over real SSH, for the SSH provider's sample target and its
# test: one sshd per loopback address, each with its own host key made here, root login with a key
# made here and nothing else. Never the system's sshd service, never a non-loopback address.
#
#   bash scripts/ssh-lab-hosts.sh start [DIR] [PORT] [ADDR...]   # default .tmp/ssh-lab 2222 127.105.0.11 .12 .13
#   bash scripts/ssh-lab-hosts.sh stop  [DIR]
#
# DIR gets id_ed25519 (the client key), known_hosts, and per address a host key, config and pid file.
set -euo pipefail
cmd=${1:-}
dir=$(realpath -m "${2:-.tmp/ssh-lab}")
port=${3:-2222}
shift $(( $# > 3 ? 3 : $# ))
addrs=("$@")
[ ${#addrs[@]} -gt 0 ] || addrs=(127.105.0.11 127.105.0.12 127.105.0.13)

case "$cmd" in
start)
  command -v /usr/sbin/sshd >/dev/null || { echo "sshd is missing: run bash scripts/setup.sh (installs openssh-server)" >&2; exit 2; }
  mkdir -p "$dir" /run/sshd
  chmod 700 "$dir"
  [ -f "$dir/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C bbs-lab-ssh-test -f "$dir/id_ed25519"
  cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
  : > "$dir/known_hosts"
  for a in "${addrs[@]}"; do
    case "$a" in 127.*) ;; *) echo "refusing non-loopback address $a" >&2; exit 2 ;; esac
    [ -f "$dir/host-$a" ] || ssh-keygen -q -t ed25519 -N '' -f "$dir/host-$a"
    cat > "$dir/sshd-$a.conf" <<CONF
ListenAddress $a:$port
HostKey $dir/host-$a
PidFile $dir/sshd-$a.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile $dir/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxSessions 50
MaxStartups 50
CONF
    if [ -f "$dir/sshd-$a.pid" ] && kill -0 "$(cat "$dir/sshd-$a.pid")" 2>/dev/null; then kill "$(cat "$dir/sshd-$a.pid")"; sleep 0.3; fi
    /usr/sbin/sshd -f "$dir/sshd-$a.conf" -E "$dir/sshd-$a.log"
    echo "[$a]:$port $(cut -d' ' -f1,2 "$dir/host-$a.pub")" >> "$dir/known_hosts"
  done
  echo "sshd on ${addrs[*]} port $port; key $dir/id_ed25519, known hosts $dir/known_hosts"
  ;;
stop)
  for p in "$dir"/sshd-*.pid; do
    [ -f "$p" ] || continue
    kill "$(cat "$p")" 2>/dev/null || true
    rm -f "$p"
  done
  echo "stopped the sshd of $dir"
  ;;
*)
  echo "usage: bash scripts/ssh-lab-hosts.sh start|stop [DIR] [PORT] [ADDR...]" >&2
  exit 2
  ;;
esac
