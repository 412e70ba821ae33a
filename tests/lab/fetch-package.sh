#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Fetch Debian packages for the lab, once, into the lab's cache outside the
# source tree, and print the directory each was unpacked into (one line per
# package, in order).  Like fetch-kernel.sh: downloaded (apt-get download)
# and unpacked (dpkg -x), never installed, so nothing on the host changes:
# selinux-policy-mls, say, never touches the host's /etc/selinux.
#
#   fetch-package.sh PACKAGE...
#
# The cache (PEERSEC_LAB_CACHE, default /var/cache/peersec-lab) holds one
# directory per package and version, e.g. selinux-policy-mls_2:2.20221101-9.
# The same lock as fetch-kernel.sh's keeps parallel runs from racing.
set -euo pipefail

cache=${PEERSEC_LAB_CACHE:-/var/cache/peersec-lab}
die() { echo "fetch-package: $*" >&2; exit 1; }
[[ $# -gt 0 ]] || die "usage: fetch-package.sh PACKAGE..."

version() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		awk '/^Version:/ { print $2; exit }'
}
ver=$(version "$1" || true)
if [[ -z $ver ]]; then
	[[ $(id -u) -eq 0 ]] || die "no version known for $1 and not root to apt-get update"
	apt-get update -q >&2 || die "apt-get update failed"
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
for pkg in "$@"; do
	ver=$(version "$pkg" || true)
	[[ -n $ver ]] || die "no version known for $pkg"
	dir=$cache/${pkg}_${ver}
	if [[ ! -f $dir/.complete ]]; then
		echo "fetch-package: downloading $pkg $ver into $cache" >&2
		tmp=$(mktemp -d "$cache/.tmp.XXXXXX")
		# apt-get download drops privileges to _apt, which must write here
		chmod 0777 "$tmp"
		(cd "$tmp" && apt-get download -q "$pkg=$ver" >&2) ||
			{ rm -rf "$tmp"; die "apt-get download $pkg=$ver failed"; }
		dpkg -x "$tmp"/*.deb "$tmp/root" || { rm -rf "$tmp"; die "dpkg -x $pkg failed"; }
		rm -rf "$dir"
		mv "$tmp/root" "$dir"
		rm -rf "$tmp"
		touch "$dir/.complete"
	fi
	echo "$dir"
done
flock -u 9
