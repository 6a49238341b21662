# Installs what the stack needs on a fresh Debian machine. Sourced.
# shellcheck shell=bash
# socat: the firewall tests connect from a client namespace; systemd: systemd-analyze
# verifies the deploy units (no running systemd needed).
APT_PACKAGES="mariadb-server mariadb-client libmariadbd-dev redis-server iptables ipset iproute2 socat systemd build-essential pkg-config chromium clang libclang-rt-14-dev"

missing_packages() {
  local pkg missing=""
  for pkg in $APT_PACKAGES; do
    # dpkg-query is quick (no network): installed packages answer "install ok installed".
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing="$missing $pkg"
  done
  if node_headers_missing; then missing="$missing libnode-dev"; fi
  echo "$missing"
}

# native/'s pipe addon (dbfifo_pipe.node) is built against node_api.h. Node's
# own builds (nodejs.org, NodeSource) ship it in <prefix>/include/node;
# Debian's nodejs package leaves it to libnode-dev (/usr/include/node).
# native/Makefile looks in both places.
node_headers_missing() {
  local node
  node=$(command -v node) || return 1
  [ ! -f "$(dirname "$(readlink -f "$node")")/../include/node/node_api.h" ] && [ ! -f /usr/include/node/node_api.h ]
}

ensure_packages() {
  local missing
  missing=$(missing_packages)
  [ -n "$missing" ] || return 0
  if [ "$(id -u)" != 0 ]; then
    die "missing Debian packages; run: sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing"
  fi
  log "installing$missing (once)"
  # A subshell, so its traps are its own: policy-rc.d (no service starts from
  # the packages' maintainer scripts: no system MariaDB/Redis) is removed
  # however apt-get ends, since a leftover blocks service starts host-wide.
  (
    export DEBIAN_FRONTEND=noninteractive
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
      trap 'exit 130' INT
      trap 'exit 143' TERM HUP
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
      chmod +x /usr/sbin/policy-rc.d
    fi
    # shellcheck disable=SC2086
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null
  ) || die "apt-get could not install$missing (its errors are above)"
}

# node_modules follows package-lock.json: npm keeps its own record of what it
# installed (node_modules/.package-lock.json); reinstall only when the lock is newer.
ensure_node_modules() {
  local installed="$ROOT/node_modules/.package-lock.json"
  if [ -f "$installed" ] && [ ! "$ROOT/package-lock.json" -nt "$installed" ]; then return 0; fi
  log "installing node modules (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

build_native() {
  [ -f "$ROOT/native/Makefile" ] || die "native/Makefile missing"
  make -s -C "$ROOT/native" >/dev/null || die "building native/ failed (make -C native)"
}
