#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run one libFuzzer target for a bounded time.
#   run-fuzz.sh TARGET SEED-DIR WORK-DIR SECONDS
# New corpus entries and crash artifacts go to WORK-DIR; the seeds are only
# read.  libFuzzer's final statistics (executions, time) end the log.
set -eu
# PEERSEC_FUZZ_SECONDS=600 tools/check.sh (or meson test --suite fuzz) runs
# every target longer than the default the build gives.
target=$1 seeds=$2 work=$3 secs=${PEERSEC_FUZZ_SECONDS:-$4}
mkdir -p "$work/corpus"
# libFuzzer's own exit code for a finding is 77, which meson reads as a skip.
exec "$target" -max_total_time="$secs" -print_final_stats=1 \
	-error_exitcode=1 -timeout_exitcode=1 \
	-timeout=10 -rss_limit_mb=1024 -max_len=12000 \
	-artifact_prefix="$work/" "$work/corpus" "$seeds"
