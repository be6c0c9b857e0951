#!/bin/sh
# Usage: in-chroot.sh ROOT COMMAND [ARG...]
# Runs COMMAND chrooted into ROOT with proc and the host's /dev mounted.
# The mounts live in a mount namespace of their own, so they are never seen
# on the host and vanish with the last process inside, however it ends
# (even SIGKILL): nothing to count or unmount, and concurrent users of one
# chroot cannot unmount each other's /dev.
set -eu
exec unshare --mount --propagation private -- sh -ec '
  root=$1
  shift
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  exec chroot "$root" "$@"
' in-chroot "$@"
