# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark: labeled UDP receive through the library (one datagram, and
# batches of 32) against hand-written recvmsg and recvmmsg loops.
LAB_SOURCE="NetLabel static" LAB_TRANSPORT=udp4
. /lab/bin/benchlib.sh
lab_netlabel "$BENCH_L40" 127.0.0.2 || return 0
bench_run "udp, $((${#BENCH_L40} + 1))-byte label" bench-udp --diagnose \
	--src 127.0.0.2 --vlen 32
