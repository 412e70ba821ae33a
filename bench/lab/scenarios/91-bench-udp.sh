# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark: labeled UDP receive through the library against hand-written
# recvmsg and recvmmsg loops, and allocations per datagram on the real
# labeling kernel (NetLabel, source 127.0.0.2, 40-byte label).
LAB_SOURCE="NetLabel static" LAB_TRANSPORT=udp4
. /lab/bin/benchlib.sh
lab_netlabel "$BENCH_L40" 127.0.0.2 || return 0

bench_run "udp, ${#BENCH_L40}-byte label" bench-udp --src 127.0.0.2
bench_run "allocations per call and datagram, labeled" \
	bench-allocs --src 127.0.0.2
