#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install every package that building and testing libpeersec needs, on Debian 12.
# Idempotent: does nothing (and asks no mirror) when all are present.
# apt's output goes to PEERSEC_BOOTSTRAP_LOG (/var/log/peersec-bootstrap.log).
set -euo pipefail

packages=(
	# build
	gcc g++ libc6-dev meson ninja-build pkg-config
	libselinux1-dev libsctp-dev
	# tests: unit, sanitizers, memcheck, coverage, fuzzing
	libcmocka-dev valgrind libc6-dbg gcovr clang libclang-rt-14-dev iproute2
	# the labeled-network lab (tests/lab)
	qemu-system-x86 busybox-static secilc cpio kmod netlabel-tools bzip2
	# the Python module (python/) and its lab run
	python3-dev python3-minimal
	# benchmarks
	xinetd
	# Debian packages, the style check (tests/package, tests/hygiene)
	debhelper dpkg-dev fakeroot lintian clang-format
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
	echo "bootstrap: all ${#packages[@]} packages already installed"
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "bootstrap: must run as root to install: ${missing[*]}" >&2
	exit 1
fi
# apt's output goes to a log; a person sees one line, or the log's tail
# when something failed.
log=${PEERSEC_BOOTSTRAP_LOG:-/var/log/peersec-bootstrap.log}
echo "bootstrap: installing ${#missing[@]} packages with apt-get (log: $log)"
export DEBIAN_FRONTEND=noninteractive
# xinetd must not start a daemon of its own on the host: it is only benchmarked
# in the lab.  policy-rc.d tells Debian's maintainer scripts not to start services.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
start=$SECONDS
if ! { apt-get update -q &&
       apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
	echo "bootstrap: apt-get failed; the end of $log:" >&2
	tail -n 30 "$log" >&2
	exit 1
fi
echo "bootstrap: installed ${missing[*]} in $((SECONDS - start)) s"
