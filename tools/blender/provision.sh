#!/usr/bin/env bash
# Makes real Blenders available to the tests: 3.4 from the host's Debian
# (bookworm), 4.3 from trixie and 5.2 from sid, each of those two in a
# debootstrapped chroot. Run as root; safe to run again (a provisioned
# version is checked in dpkg's database and skipped, which takes well under
# a second).
#
#   bash tools/blender/provision.sh [3.4] [4.3] [5.2]    (default: all three)
#
# Environment:
#   BLENDER_VERSIONS      versions when none are given as arguments
#   BLENDER_MCP_CHROOTS   where the chroots live (default /var/cache/blender-mcp/chroots)
#   BLENDER_MCP_MIRROR    Debian mirror for debootstrap (default: the one the host's apt uses)
#
# Every mount (proc, /dev) is made inside a private mount namespace
# (unshare --mount; see in-chroot.sh), so it disappears with the process
# that made it: an interrupted run never leaves mounts on the host.
# launch.ts runs Blender the same way. Logs go to $BLENDER_MCP_CHROOTS/logs.
set -euo pipefail

CHROOTS=${BLENDER_MCP_CHROOTS:-/var/cache/blender-mcp/chroots}
LOGS=$CHROOTS/logs
# python3-numpy: Blender's glTF importer needs it; official builds bundle it, Debian's only suggests it.
PACKAGES=(blender xvfb xauth python3-numpy)
# sid's Blender 5.2 imports these when its Extensions add-on (bl_pkg)
# registers, but the Debian package does not depend on them: without them
# every start logs a traceback and the extension system is off.
SID_EXTRAS=(python3-cattr python3-requests)
# Written once debootstrap has finished; a chroot without it is a
# leftover of an interrupted run and is rebuilt from scratch.
BOOTSTRAPPED=.blender-mcp-debootstrap-done
HERE=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" -ne 0 ]; then
  echo "provision.sh: must run as root (apt-get, debootstrap, chroot)" >&2
  exit 1
fi

read -r -a versions <<<"${*:-${BLENDER_VERSIONS:-3.4 4.3 5.2}}"

export DEBIAN_FRONTEND=noninteractive
# Another apt (an earlier background install) may hold the lock: wait for it.
APT=(apt-get -y -q -o DPkg::Lock::Timeout=600)

now() { date +%s.%N; }
step_start=
step() { step_start=$(now); echo "[provision] $*"; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
step_done() { echo "[provision]   done in $(seconds_since "$step_start") s"; }

# Prints the installed version of blender under ROOT if PACKAGE... (blender
# among them) are all fully installed there and blender is VERSION.x; fails
# otherwise.
installed_blender() {
  local root=$1 version=$2 status
  shift 2
  status=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${db:Status-Abbrev}|${Package}|${Version}\n' \
    "$@" 2>/dev/null) || return 1
  [ "$(grep -c '^ii |' <<<"$status")" -eq "$#" ] || return 1
  local blender
  blender=$(grep '|blender|' <<<"$status" | cut -d'|' -f3)
  # Debian versions look like 3.4.1+dfsg-2+b1 (an epoch may precede it).
  [[ "${blender#*:}" == "$version".* ]] || return 1
  echo "$blender"
}

# Runs a command with its output in LOG, shown (the end of it) only if it fails.
logged() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 || {
    tail -n 30 "$log" >&2
    echo "provision.sh: failed: $* (whole log: $log)" >&2
    exit 1
  }
}

host_apt_updated=
host_install() {
  mkdir -p "$LOGS"
  if [ -z "$host_apt_updated" ]; then
    step "apt-get update (host)"
    logged "$LOGS/host-apt-update.log" "${APT[@]}" update
    step_done
    host_apt_updated=1
  fi
  step "apt-get install $* (host)"
  logged "$LOGS/host-apt-install.log" "${APT[@]}" install --no-install-recommends "$@"
  step_done
}

detect_mirror() {
  if [ -n "${BLENDER_MCP_MIRROR:-}" ]; then
    echo "$BLENDER_MCP_MIRROR"
    return
  fi
  # The Debian archive the host's own apt is configured with (deb822 or
  # one-line format); anything else cannot be reached from these machines.
  local mirror
  mirror=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list 2>/dev/null |
    grep -E '^(URIs:|deb )' | grep -oE 'https?://[^ ]+/debian' | head -n1 || true)
  if [ -z "$mirror" ]; then
    echo "provision.sh: no Debian mirror in /etc/apt; set BLENDER_MCP_MIRROR" >&2
    exit 1
  fi
  echo "$mirror"
}

# Unmounts whatever is still mounted below DIR (deepest first), e.g. by a
# debootstrap from before this script used mount namespaces.
release_mounts_below() {
  local dir
  dir=$(realpath -m "$1")
  awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r mountpoint; do umount -l "$mountpoint"; done
}

provision_chroot() {
  local version=$1 suite=$2 dir="$CHROOTS/$2" have
  shift 2
  local packages=("${PACKAGES[@]}" "$@")
  # Blender lists mounted file systems through /etc/mtab, which minbase lacks.
  [ ! -d "$dir/etc" ] || [ -e "$dir/etc/mtab" ] || ln -sfn ../proc/self/mounts "$dir/etc/mtab"
  if have=$(installed_blender "$dir" "$version" "${packages[@]}"); then
    echo "[provision] $version: blender $have already in $dir"
    return
  fi
  if [ ! -e "$dir/$BOOTSTRAPPED" ]; then
    command -v debootstrap >/dev/null || host_install debootstrap
    if [ -e "$dir" ]; then
      echo "[provision] $version: removing unfinished chroot $dir"
      release_mounts_below "$dir"
      rm -rf --one-file-system "$dir"
    fi
    mkdir -p "$CHROOTS" "$LOGS"
    local mirror
    mirror=$(detect_mirror)
    step "$version: debootstrap $suite into $dir from $mirror"
    # debootstrap mounts proc and sys itself; the namespace takes them away
    # even if it dies half-way.
    logged "$LOGS/$suite-debootstrap.log" unshare --mount --propagation private -- \
      debootstrap --variant=minbase "$suite" "$dir" "$mirror"
    # The mirror's Release files can be past their Valid-Until date (sid's is).
    printf 'Acquire::Check-Valid-Until "false";\nAcquire::Languages "none";\n' \
      >"$dir/etc/apt/apt.conf.d/99blender-mcp"
    ln -sfn ../proc/self/mounts "$dir/etc/mtab"
    touch "$dir/$BOOTSTRAPPED"
    step_done
  fi
  step "$version: apt-get install ${packages[*]} in $suite"
  mkdir -p "$LOGS"
  # dpkg --configure -a finishes an install that an earlier run left
  # half-done; the downloaded .debs (~300 MB) are of no further use.
  logged "$LOGS/$suite-install.log" sh "$HERE/in-chroot.sh" "$dir" sh -ec '
    export DEBIAN_FRONTEND=noninteractive
    dpkg --configure -a
    apt-get -y -q update
    apt-get -y -q install --no-install-recommends "$@"
    apt-get clean
  ' install "${packages[@]}"
  step_done
  have=$(installed_blender "$dir" "$version" "${packages[@]}") || {
    echo "provision.sh: $suite did not give blender $version.x:" >&2
    dpkg-query --admindir="$dir/var/lib/dpkg" -W blender >&2 || true
    exit 1
  }
  echo "[provision] $version: blender $have in $dir"
}

provision_host() {
  local have
  if have=$(installed_blender "" 3.4 "${PACKAGES[@]}"); then
    echo "[provision] 3.4: blender $have already on the host"
    return
  fi
  host_install "${PACKAGES[@]}"
  have=$(installed_blender "" 3.4 "${PACKAGES[@]}") || {
    echo "provision.sh: the host's apt did not give blender 3.4.x (is this bookworm?)" >&2
    exit 1
  }
  echo "[provision] 3.4: blender $have on the host"
}

total_start=$(now)
for version in "${versions[@]}"; do
  case "$version" in
    3.4) provision_host ;;
    4.3) provision_chroot 4.3 trixie ;;
    5.2) provision_chroot 5.2 sid "${SID_EXTRAS[@]}" ;;
    *)
      echo "provision.sh: unknown Blender version '$version' (known: 3.4 4.3 5.2)" >&2
      exit 2
      ;;
  esac
done
echo "[provision] all done in $(seconds_since "$total_start") s"
