# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark: connections/s to a labeled service, peersec-inetd against
# Debian's xinetd with flags = LABELED, one connection at a time (each
# client waits for its server's answer): the launchers' latency.  The client
# connects from 127.0.0.2, which NetLabel labels.  See bench_launchers_start
# in benchlib.sh for how the two are made comparable.
LAB_SOURCE="NetLabel static" LAB_TRANSPORT=tcp4
. /lab/bin/benchlib.sh
. /lab/bin/inetd-lablib.sh
lab_netlabel "$BENCH_L40" 127.0.0.2 && bench_launchers_start || return 0
BENCH_TIMEOUT=105 bench_run "connections/s, one at a time: peersec-inetd against xinetd" \
	bench-connect --base xinetd:7201 --new peersec-inetd:7202 \
	--src 127.0.0.2 --wait 20 --rounds 9 --batch-ms 400 \
	--floor "$INETD_SVC/peersec-whoami"
bench_launchers_stop
