# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark: heap allocations per call and per datagram, counted, with the
# kernel's own labels (40 bytes, then ~1000 bytes).
LAB_SOURCE="NetLabel static" LAB_TRANSPORT=tcp4,udp4
. /lab/bin/benchlib.sh
lab_netlabel "$BENCH_L40" 127.0.0.2 &&
lab_netlabel "$BENCH_L1000" 127.0.0.3 || return 0
bench_run "allocations, $((${#BENCH_L40} + 1))-byte label" bench-allocs \
	--src 127.0.0.2
bench_run "allocations, $((${#BENCH_L1000} + 1))-byte label" bench-allocs \
	--src 127.0.0.3
