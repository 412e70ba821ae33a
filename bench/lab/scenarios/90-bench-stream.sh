# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark: SO_PEERSEC through the library against getsockopt and
# getpeercon_raw, with a 40-byte and a ~1000-byte NetLabel label on loopback
# TCP (source 127.0.0.2 and 127.0.0.3).
LAB_SOURCE="NetLabel static" LAB_TRANSPORT=tcp4
. /lab/bin/benchlib.sh
lab_netlabel "$BENCH_L40" 127.0.0.2 &&
lab_netlabel "$BENCH_L1000" 127.0.0.3 || return 0

bench_run "stream, ${#BENCH_L40}-byte label" bench-stream --diagnose --src 127.0.0.2
bench_run "stream, ${#BENCH_L1000}-byte label" bench-stream --diagnose --src 127.0.0.3
