# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# CIPSO (IPv4): the sender's MLS level travels in an IP option, and the
# receiver's peer label is the policy's netmsg context with that level
# ($LAB_NETMSG: unlabeled_t in the small policy, netlabel_peer_t in
# refpolicy).  Over TCP, UDP and SCTP, for tag types 1 (bitmap), 2
# (enumerated) and 5 (ranged) with a pass-through DOI, and tag 1 with a std
# DOI that maps categories to other numbers on the wire (both ends
# translate, so the label reads back unchanged); and for each, a level the
# tag cannot carry (the SELinux test suite's inet_socket cases).  Then the
# launcher: a client's level comes off the wire and the server runs at it.
LAB_SOURCE="CIPSO"
lab_topology || return 0

cl=system_u:system_r:client_t sv=system_u:system_r:server_t
port=5800
# DOI type tag level: a level each tag type can carry (tag 2 lists at most
# 15 categories, tag 5 at most 7 ranges; tag 1 covers c0-c239).
for spec in "1 pass 1 s0:c1,c7" "2 pass 2 s0:c2,c5" "3 pass 5 s0:c0.c9,c200" \
	"4 std 1 s0:c3,c9"; do
	# shellcheck disable=SC2086
	set -- $spec
	doi=$1 type=$2 tag=$3 lvl=$4 peer=$LAB_NETMSG:$4
	what="tag $tag $type"
	lab_cipso "$doi" "$type" "$tag" 10.0.0.0/24 || continue

	LAB_TRANSPORT=tcp4 port=$((port + 1))
	lab_bg_ready srv in_b stream-peer server -s "$sv:$lvl" -e "$peer" "$B4" $port
	expect_run "$what: tcp4: client reads the wire's level ($lvl)" \
		in_a stream-peer client -s "$cl:$lvl" -e "$peer" "$B4" $port
	expect_job "$what: tcp4: server reads the wire's level ($lvl)" srv

	LAB_TRANSPORT=udp4 port=$((port + 1))
	lab_bg srv in_b udp-peer server -s "$sv:$lvl" -n 3 -e "$peer" "$B4" $port
	expect_run "$what: udp4: client reads the level of the server's answers" \
		in_a udp-peer client -s "$cl:$lvl" -k 3 -e "$peer" -x "$peer" "$B4" $port
	expect_job "$what: udp4: server reads the wire's level on each datagram" srv

	if [ -d /proc/sys/net/sctp ]; then
		LAB_TRANSPORT=sctp4 port=$((port + 1))
		lab_bg_ready srv in_b run_as "$sv:$lvl" sctp-peer server -e "$peer" "$B4" $port
		expect_run "$what: sctp4: client reads the wire's level" \
			in_a run_as "$cl:$lvl" sctp-peer client -e "$peer" "$B4" $port
		expect_job "$what: sctp4: server reads the wire's level" srv
	fi

	# More than the tag can carry (1: categories up to c239, 2: at most 15
	# categories, 5: at most 7 ranges, 8 when the first starts at c0), or a
	# category the std DOI does not map: the kernel cannot build the
	# option, and connect() fails before a packet leaves.
	case $tag:$type in
	1:pass) big=s0:c250 why="No space left on device" ;;
	2:pass) big=s0:c0,c2,c4,c6,c8,c10,c12,c14,c16,c18,c20,c22,c24,c26,c28,c30
		why="No space left on device" ;;
	5:pass) big=s0:c1,c3,c5,c7,c9,c11,c13,c15,c17 why="No space left on device" ;;
	1:std) big=s0:c20 why="Operation not permitted" ;;
	esac
	LAB_TRANSPORT=tcp4
	out=$(in_a stream-peer client -s "$cl:$big" -e none "$B4" $((port + 100)) 2>&1)
	expect_eq "$what: a socket at a level the tag cannot carry ($big) cannot connect" \
		"stream-peer: connect: $why" "$out"
	lab_netlabel_map_reset
done

# The launcher (95's setup) behind CIPSO on loopback: the client's level
# comes off the wire, and the server runs at exactly that level.
# shellcheck source=tests/lab/vm-bin/inetd-lablib.sh
. /lab/bin/inetd-lablib.sh
inetd_prepare || return 0
lab_cipso 5 pass 1 127.0.0.0/8 || return 0
conf=$LAB_TMP/cipso.conf
{
	inetd_service cipso-tcp tcp 7101
	inetd_service cipso-udp udp 7102
} >"$conf"
inetd_start inetd "$conf" || return 0
for proto in tcp udp; do
	LAB_TRANSPORT=$proto
	port=7101
	[ $proto = udp ] && port=7102
	for lvl in s0:c3 s0:c1,c7; do
		out=$(run_as "$cl:$lvl" inetd-client ask $proto 127.0.0.1 127.0.0.1 $port 10 2>&1)
		got=$(echo "$out" | sed -n 's/^context=\([^ ]*\) .*/\1/p')
		_lab_tap "# cipso: $proto client at $lvl -> server context ${got:-(none)}"
		if [ "$got" = "$SERVICE:$lvl" ] &&
		   echo "$out" | grep -q " label=$LAB_NETMSG:$lvl peer="; then
			ok "launcher: $proto: a client at $lvl on the wire gets a server at $lvl"
		else
			fail "launcher: $proto: a client at $lvl on the wire gets a server at $lvl" \
				"got: $out"
		fi
	done
done
inetd_stop inetd
sed 's/^/  | /' "$LAB_TMP/inetd.out"
