# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# A real client that this project did not write: busybox logger (which can
# only write to /dev/log) sends from three contexts to examples/log-server
# bound at /dev/log.  Each line the server prints must carry the label of
# the context its logger ran in, and a pid and uid from SCM_CREDENTIALS.
LAB_SOURCE="process context"
LAB_TRANSPORT=unix-dgram

server=system_u:system_r:server_t:s0:c0.c9
ctxs="system_u:system_r:client_t:s0:c1 system_u:system_r:peer_t:s0:c3
system_u:system_r:client_t:s0:c7"
# refpolicy MLS: an AF_UNIX sender must be at the receiving socket's level
# (unix_dgram_socket sendto, unix_stream_socket connectto, and the server's
# setsockopt on what it accepted): all at s0, the senders differ by type.
if [ "$LAB_WORLD" = refpolicy-mls ]; then
	server=system_u:system_r:server_t:s0
	ctxs="system_u:system_r:client_t:s0 system_u:system_r:peer_t:s0
system_u:system_r:client_t:s0"
fi

rm -f /dev/log
lab_bg_ready log run_as "$server" log-server -n 3 /dev/log
i=0
for c in $ctxs; do
	i=$((i + 1))
	expect_run "logger: busybox logger $i sends" \
		run_as "$c" busybox logger -t labtest "message $i"
done
expect_job "logger: log-server received three messages" log
i=0
for c in $ctxs; do
	i=$((i + 1))
	line=$(grep "msg=.*labtest.*message $i\$" "$LAB_TMP/log.out")
	expect_eq "logger: message $i carries its sender's label" "$c" \
		"$(echo "$line" | sed -n 's/^label=\([^ ]*\) .*/\1/p')"
	expect_eq "logger: message $i has the kernel's pid and uid" yes \
		"$(echo "$line" | grep -qE ' pid=[1-9][0-9]* uid=0 ' && echo yes)"
done
rm -f /dev/log
