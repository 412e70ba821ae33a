# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark: as 94, with 4 connections in flight (4 client threads): the
# launchers' throughput on the VM's 2 CPUs.
LAB_SOURCE="NetLabel static" LAB_TRANSPORT=tcp4
. /lab/bin/benchlib.sh
. /lab/bin/inetd-lablib.sh
lab_netlabel "$BENCH_L40" 127.0.0.2 && bench_launchers_start || return 0
BENCH_TIMEOUT=105 bench_run "connections/s, 4 in flight: peersec-inetd against xinetd" \
	bench-connect --base xinetd:7201 --new peersec-inetd:7202 \
	--src 127.0.0.2 --wait 20 --concurrency 4 --rounds 9 --batch-ms 400
bench_launchers_stop
