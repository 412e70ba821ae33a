# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# AppArmor (the lab kernel booted with lsm=apparmor): two profiles loaded
# with Debian's apparmor_parser, a server and a client confined by them,
# and what the kernel gives over AF_UNIX between them: SO_PEERSEC on a
# stream connection (through the library, and raw), SCM_SECURITY on a
# datagram with SO_PASSSEC (raw).
LAB_SOURCE="AppArmor"
LAB_TRANSPORT=unix

# What Debian's 6.1 kernel gives (measured; see tests/lab/README.md).
AA_PEERSEC=-ENOPROTOOPT AA_RAW_PEERSEC=-ENOPROTOOPT AA_SCM=none

expect_eq "AppArmor is the only major LSM" lockdown,capability,apparmor \
	"$(cat /sys/kernel/security/lsm 2>/dev/null)"

# Programs confined by path: copies under /tmp/aa.
mkdir -p /tmp/aa &&
for p in stream-peer unix-passsec; do
	cp "/lab/bin/$p" "/tmp/aa/srv-$p" && cp "/lab/bin/$p" "/tmp/aa/cli-$p"
done || { fail "copies of the programs to confine"; return 0; }
cat >"$LAB_TMP/profiles" <<-'EOF2'
	profile lab_server /tmp/aa/srv-* {
	  file,
	  network,
	  capability,
	}
	profile lab_client /tmp/aa/cli-* {
	  file,
	  network,
	  capability,
	}
EOF2
expect_run "apparmor_parser loads two profiles" \
	apparmor_parser --replace --skip-cache "$LAB_TMP/profiles"
expect_eq "the kernel lists both, enforcing" \
	"lab_client (enforce)|lab_server (enforce)" \
	"$(sort /sys/kernel/security/apparmor/profiles | tr '\n' '|' | sed 's/|$//')"

# A confined server and client over AF_UNIX stream, through the library:
# stream-peer prints what peersec_tcp_get() read (a label or an error).
lab_bg_ready srv /tmp/aa/srv-stream-peer server -e "$AA_PEERSEC" unix:@aa-lab
ctx=$(cat "/proc/$(cat "$LAB_TMP/srv.prog")/attr/current" 2>/dev/null)
expect_eq "the server runs confined" "lab_server (enforce)" "$ctx"
expect_run "unix stream: the client reads the server's label: $AA_PEERSEC" \
	/tmp/aa/cli-stream-peer client -e "$AA_PEERSEC" unix:@aa-lab
expect_job "unix stream: the server reads the client's label: $AA_PEERSEC" srv

# Raw: SO_PEERSEC's bytes, and SCM_SECURITY on a datagram.
lab_bg_ready raw /tmp/aa/srv-unix-passsec listen aa-raw
expect_run "unix stream, raw SO_PEERSEC (client side)" \
	/tmp/aa/cli-unix-passsec connect aa-raw
expect_eq "raw SO_PEERSEC on the client: $AA_RAW_PEERSEC" "$AA_RAW_PEERSEC" \
	"$(sed -n 's/^peersec //p' "$LAB_TMP/last.out" | head -n 1)"
lab_wait raw
expect_eq "raw SO_PEERSEC on the server: $AA_RAW_PEERSEC" "$AA_RAW_PEERSEC" \
	"$(sed -n 's/^peersec //p' "$LAB_TMP/raw.out" | head -n 1)"

lab_bg_ready dg /tmp/aa/srv-unix-passsec recv aa-dgram
expect_run "unix datagram: the client sends" /tmp/aa/cli-unix-passsec send aa-dgram
lab_wait dg
expect_eq "unix datagram with SO_PASSSEC: $AA_SCM" "$AA_SCM" \
	"$(sed -n 's/^scm_security //p' "$LAB_TMP/dg.out" | head -n 1)"
sed 's/^/  | /' "$LAB_TMP/raw.out" "$LAB_TMP/dg.out"
