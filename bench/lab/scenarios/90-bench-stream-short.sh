# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark: SO_PEERSEC through the library against getsockopt and
# getpeercon_raw, with a 40-byte NetLabel label (NUL included) on loopback TCP.
LAB_SOURCE="NetLabel static" LAB_TRANSPORT=tcp4
. /lab/bin/benchlib.sh
lab_netlabel "$BENCH_L40" 127.0.0.2 || return 0
bench_run "stream, $((${#BENCH_L40} + 1))-byte label" bench-stream \
	--diagnose --src 127.0.0.2
