#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run a command as root in a throwaway copy of this system: an overlay whose
# lower layer is / and whose upper layer is a tmpfs, so that whatever the
# command changes (dpkg's database, /usr, /etc/ld.so.cache) is written to
# memory and never to the host.  Run it in a private mount namespace
# (unshare -m --propagation private): the mounts, and the tmpfs with them,
# go away when the namespace's last process ends, and the host never sees
# them.  FILES is copied to /peersec-test in the copy.
# overlay-root.sh MOUNTPOINT FILES COMMAND...
set -euo pipefail
mnt=$1 files=$2
shift 2
fail() { echo "FAIL: $*"; exit 1; }

# A mount here must not reach the host's namespace.
[[ $(findmnt -n -o PROPAGATION /) == private ]] ||
	fail "overlay-root.sh runs in a private mount namespace (unshare -m)"
mount -t tmpfs -o mode=0755 peersec-test "$mnt"
mkdir "$mnt/upper" "$mnt/work" "$mnt/root"
root=$mnt/root
mount -t overlay -o "lowerdir=/,upperdir=$mnt/upper,workdir=$mnt/work" peersec-test "$root" ||
	fail "this kernel refuses an overlay of / (upper layer on tmpfs)"
# The overlay holds /'s own file system only: the others are mounted again.
for d in proc dev; do
	mount --rbind "/$d" "$root/$d"
done
for f in usr/bin/dpkg usr/bin/cc usr/bin/pkg-config usr/bin/ldd; do
	[[ -e $root/$f ]] || fail "the copy of / lacks /$f (is /usr a separate mount?)"
done
# No package may start a service from the copy.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cp -a "$files" "$root/peersec-test"
exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
