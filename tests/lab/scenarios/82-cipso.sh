# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# CIPSO (IPv4): the sender's MLS level travels in an IP option, and the
# receiver's peer label is the policy's netmsg context with that level
# ($LAB_NETMSG: unlabeled_t in the small policy, netlabel_peer_t in
# refpolicy).  Over TCP, UDP and SCTP, for tag types 1 (bitmap), 2
# (enumerated) and 5 (ranged) with a pass-through DOI, and tag 1 with a std
# DOI that maps categories to other numbers on the wire (both ends
# translate, so the label reads back unchanged); and for each, a level the
# tag cannot carry (the SELinux test suite's inet_socket cases), with the
# edges: tag 1 carries c239 and not c240, tag 5 eight ranges only when the
# first starts at c0.  The kernel takes a std (translating) DOI only with
# tag 1: std with tag 2 or 5 is refused when the DOI is added.  Under
# refpolicy MLS, a receiver whose level does not dominate the wire's level
# gets nothing over TCP and UDP ("peer recv").  Then the launcher: a
# client's level comes off the wire and the server runs at it.
LAB_SOURCE="CIPSO"
lab_topology || return 0

cl=system_u:system_r:client_t sv=system_u:system_r:server_t
port=5800

# tcp_pair WHAT LEVEL [RECEIVER]: a TCP connection from a client at LEVEL to
# a server socket in RECEIVER (default: server_t at LEVEL); both ends read
# LEVEL off the wire.
tcp_pair() {
	LAB_TRANSPORT=tcp4 port=$((port + 1))
	lab_bg_ready srv in_b stream-peer server -s "${3:-$sv:$2}" \
		-e "$LAB_NETMSG:$2" "$B4" $port
	expect_run "$1: tcp4: client reads the wire's level ($2)" \
		in_a stream-peer client -s "$cl:$2" -e "$LAB_NETMSG:$2" \
		"$B4" $port
	expect_job "$1: tcp4: server reads the wire's level ($2)" srv
}

# The kernel refuses a std DOI for tags 2 and 5 (cipso_v4_doi_add: enumerated
# and ranged tags need a pass-through DOI), before any packet.
for tag in 2 5; do
	if out=$("$NETLABELCTL" cipsov4 add std doi:9$tag tags:$tag levels:0=0 \
		categories:"$LAB_CIPSO_STD_CATS" 2>&1); then
		echo "cipsov4 9$tag" >>"$LAB_TMP/.nldoi"
		fail "tag $tag std: the kernel refuses a translating DOI" \
			"netlabelctl cipsov4 add std ... tags:$tag succeeded"
	else
		out=$(echo "$out" | grep -v deprecated | tr '\n' ' ')
		_lab_tap "# cipso: std DOI with tag $tag: $out"
		# EINVAL from the kernel, and no such DOI afterwards
		if echo "$out" | grep -q 'invalid argument' &&
		   ! "$NETLABELCTL" cipsov4 list | grep -q "9$tag"; then
			ok "tag $tag std: the kernel refuses a translating DOI"
		else
			fail "tag $tag std: the kernel refuses a translating DOI" \
				"netlabelctl: $out" "$("$NETLABELCTL" cipsov4 list)"
		fi
	fi
done
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
	1:pass) big=s0:c240 why="No space left on device"
		tcp_pair "$what: the last category a bitmap carries" s0:c239 ;;
	2:pass) big=s0:c0,c2,c4,c6,c8,c10,c12,c14,c16,c18,c20,c22,c24,c26,c28,c30
		why="No space left on device" ;;
	5:pass) big=s0:c1,c3,c5,c7,c9,c11,c13,c15,c17 why="No space left on device"
		tcp_pair "$what: eight ranges, the first from c0" \
			s0:c0,c2,c4,c6,c8,c10,c12,c14
		LAB_TRANSPORT=tcp4
		eight=s0:c1,c3,c5,c7,c9,c11,c13,c15
		out=$(in_a stream-peer client -s "$cl:$eight" -e none "$B4" $((port + 100)) 2>&1)
		expect_eq "$what: eight ranges, none from c0 ($eight), cannot connect" \
			"stream-peer: connect: $why" "$out" ;;
	1:std) big=s0:c20 why="Operation not permitted" ;;
	esac
	LAB_TRANSPORT=tcp4
	out=$(in_a stream-peer client -s "$cl:$big" -e none "$B4" $((port + 100)) 2>&1)
	expect_eq "$what: a socket at a level the tag cannot carry ($big) cannot connect" \
		"stream-peer: connect: $why" "$out"
	lab_netlabel_map_reset
done

# Refpolicy MLS: "peer recv" lets a socket read a peer whose level its own
# low level dominates, or more with mlsnetreadtoclr or mlsnetread.  service_t
# has neither: a socket of it at s0 gets nothing from a client at s0:c1,c7
# (the kernel drops the SYN or the datagram, and the client, getting no
# answer, is stopped once the denial is logged, or after lab_bound 3
# seconds: the log is rate-limited); at s0:c1,c7 it reads the client.
# cipso_dropped NAME PORT CMD...: CMD is such a client of job srv.
cipso_dropped() {
	local name=$1 p=$2 d0 end rc

	shift 2
	d0=$(dmesg | grep -c "denied  { recv } .*dest=$p ")
	lab_bg cli "$@"
	end=$(( $(date +%s) + $(lab_bound 3) ))
	while [ ! -f "$LAB_TMP/cli.rc" ] && [ "$(date +%s)" -lt "$end" ] &&
	      [ "$(dmesg | grep -c "denied  { recv } .*dest=$p ")" -le "$d0" ]; do
		usleep 100000
	done
	lab_kill_jobs
	lab_wait cli
	rc=$(cat "$LAB_TMP/cli.rc")
	lab_wait srv
	_lab_tap "# cipso: $(dmesg | grep "denied  { recv } .*dest=$p " | tail -n 1 | sed 's/.*avc: *//')"
	if [ "$rc" -ne 0 ] && [ -z "$(peer_of srv)" ]; then
		ok "$name"
	else
		fail "$name" "client status $rc (want non-zero)" \
			"server read: $(peer_of srv)"
	fi
}
if [ "$LAB_WORLD" = refpolicy-mls ]; then
	rx=system_u:system_r:service_t lvl=s0:c1,c7
	if lab_cipso 6 pass 1 10.0.0.0/24; then
		LAB_TRANSPORT=tcp4 port=$((port + 1))
		lab_bg_ready srv in_b stream-peer server -s "$rx:s0" -e none "$B4" $port
		cipso_dropped "MLS: tcp4: a receiver at s0 gets nothing from a peer at $lvl" \
			$port in_a stream-peer client -s "$cl:$lvl" -e none "$B4" $port
		LAB_TRANSPORT=udp4 port=$((port + 1))
		lab_bg srv in_b udp-peer server -s "$rx:s0" -n 1 -e none "$B4" $port
		cipso_dropped "MLS: udp4: a receiver at s0 gets nothing from a peer at $lvl" \
			$port in_a udp-peer client -s "$cl:$lvl" -k 1 -e none "$B4" $port
		tcp_pair "MLS: the same receiver type at $lvl" "$lvl" "$rx:$lvl"
		lab_netlabel_map_reset
	fi
else
	skip "MLS: a peer the receiver may not read gets nothing" \
		"only refpolicy MLS constrains peer recv"
fi

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
