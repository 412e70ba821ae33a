#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Fetch Debian's cloud kernel for the lab, once, into a cache outside the
# source tree, and print the directory it was unpacked into.  The package is
# downloaded (apt-get download) and unpacked (dpkg -x), never installed.
#
#   fetch-kernel.sh [METAPACKAGE]      default: linux-image-cloud-amd64
#
# The cache (PEERSEC_LAB_CACHE, default /var/cache/peersec-lab) holds one
# directory per package and version, e.g.
#   linux-image-6.1.0-56-cloud-amd64_6.1.192-2/{boot,lib/modules}
# A lock (flock) keeps parallel runs from several worktrees from racing; a
# second run finds the directory and downloads nothing.
set -euo pipefail

meta=${1:-linux-image-cloud-amd64}
cache=${PEERSEC_LAB_CACHE:-/var/cache/peersec-lab}

die() { echo "fetch-kernel: $*" >&2; exit 1; }

# The metapackage depends on the real, ABI-numbered package.
resolve() {
	apt-cache depends "$meta" 2>/dev/null |
		awk '/^ *Depends: linux-image-[0-9]/ { print $2; exit }'
}
pkg=$(resolve || true)
if [[ -z $pkg ]]; then
	# Fresh machine without package lists.
	[[ $(id -u) -eq 0 ]] || die "cannot resolve $meta and not root to apt-get update"
	apt-get update -q >&2 || die "apt-get update failed"
	pkg=$(resolve || true)
	[[ -n $pkg ]] || die "cannot resolve $meta to a kernel package"
fi
ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null |
	awk '/^Version:/ { print $2; exit }')
[[ -n $ver ]] || die "no version known for $pkg"

dir=$cache/${pkg}_${ver}
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

if [[ ! -f $dir/.complete ]]; then
	echo "fetch-kernel: downloading $pkg $ver into $cache" >&2
	tmp=$(mktemp -d "$cache/.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# apt-get download writes into the current directory; as root it drops
	# privileges to _apt, which must be able to write there.
	chmod 0777 "$tmp"
	(cd "$tmp" && apt-get download -q "$pkg=$ver" >&2) ||
		die "apt-get download $pkg=$ver failed"
	dpkg -x "$tmp"/*.deb "$tmp/root" || die "dpkg -x failed"
	rm -rf "$dir"
	mv "$tmp/root" "$dir"
	touch "$dir/.complete"
fi
flock -u 9
echo "$dir"
