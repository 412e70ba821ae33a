# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark: as 90, with a ~1000-byte MLS label, past the 256 bytes that
# getpeercon_raw tries first (so it calls the kernel twice).
LAB_SOURCE="NetLabel static" LAB_TRANSPORT=tcp4
. /lab/bin/benchlib.sh
lab_netlabel "$BENCH_L1000" 127.0.0.3 || return 0
bench_run "stream, $((${#BENCH_L1000} + 1))-byte label" bench-stream \
	--diagnose --src 127.0.0.3
