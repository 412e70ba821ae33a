# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash
#
# The lab's shell library, sourced by every scenario inside the VM (busybox
# ash).  A scenario is tests/lab/scenarios/NN-name.sh: it builds a topology,
# chooses a labeling source, runs the in-VM programs and reports each check as
# one TAP line with ok/fail/expect_*.  See tests/lab/README.md.
#
# Topology (lab_topology): two network namespaces joined by a veth pair
#   namespace a ("client side"): veth va, $A4 = 10.0.0.1, $A6 = fd00::1
#   namespace b ("server side"): veth vb, $B4 = 10.0.0.2, $B6 = fd00::2
# Run a command in one with in_a / in_b, in a context with run_as.
#
# Labeling sources (call after lab_topology):
#   lab_ipsec_full CTX...   labeled ESP SAs both ways, one per CTX and
#                           direction; labeled SPD policies (ctx $LAB_SPD)
#   lab_ipsec_recv_sa CTX   a->b: unlabeled SA and policy on a, the same SA
#                           with ctx CTX on b; b->a stays plain
#   lab_netlabel CTX ADDR...  NetLabel static label for traffic from ADDR
#                           (any namespace, loopback too)
#   lab_unlabeled           nothing at all (checks that nothing is left over)

IP=/usr/sbin/ip			# iproute2: busybox's ip has no xfrm
NETLABELCTL=/usr/sbin/netlabelctl
LAB_BIN=/lab/bin
PATH=$LAB_BIN:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

A4=10.0.0.1 B4=10.0.0.2 A6=fd00::1 B6=fd00::2
# The policy world's names (run-lab.sh writes other worlds' into lab/env.sh):
# the small CIL policy's by default.
LAB_WORLD=${LAB_WORLD:-small}
LAB_SPD=${LAB_SPD:-system_u:object_r:spd_t:s0}
LAB_KERNEL_CTX=${LAB_KERNEL_CTX:-system_u:system_r:kernel_t:s0-s0:c0.c1023}
LAB_UNLABELED_CTX=${LAB_UNLABELED_CTX:-system_u:object_r:unlabeled_t:s0}
# NetLabel's base for a peer whose label came off the wire (CIPSO,
# CALIPSO): the "netmsg" initial SID's user:role:type, with the wire's level.
LAB_NETMSG=${LAB_NETMSG:-system_u:object_r:unlabeled_t}
LAB_PROTOS=${LAB_PROTOS:-"6 17 132"}	# tcp udp sctp; ICMP/ND stay plain
LAB_SCENARIO=${LAB_SCENARIO:-scenario}
LAB_TAP=${LAB_TAP:-/dev/stdout}
LAB_TMP=${LAB_TMP:-/tmp/lab/$LAB_SCENARIO}
LAB_TIMEOUT=${LAB_TIMEOUT:-20}		# seconds for one program, at scale 1
LAB_SCALE=${LAB_SCALE:-1}		# the time scale /init measured
LAB_TRANSPORT=${LAB_TRANSPORT:-?}	# for the report: tcp4, tcp6, unix...
LAB_SOURCE=${LAB_SOURCE:-?}		# for the report: the labeling source
mkdir -p "$LAB_TMP"

# ------------------------------------------------------------------ TAP
# Every check is one TAP line "ok - SCENARIO: NAME"; the host numbers them.
# Diagnostics follow as "# " lines.

_lab_tap() { printf '%s\n' "$*" >>"$LAB_TAP"; }
_lab_diag() { sed 's/^/# /' >>"$LAB_TAP"; }

ok() { _lab_tap "ok - $LAB_SCENARIO: $1"; }

# fail NAME [WHY...]: a failed check; WHY lines become diagnostics.
fail() {
	local name=$1

	shift
	_lab_tap "not ok - $LAB_SCENARIO: $name"
	[ $# -gt 0 ] && printf '%s\n' "$@" | _lab_diag
	echo "lab: FAIL $LAB_SCENARIO: $name" >&2
	return 0
}

skip() { _lab_tap "ok - $LAB_SCENARIO: $1 # SKIP $2"; }

# expect_eq_todo WHY NAME EXPECTED ACTUAL: expect_eq for a known bug, as a
# TAP TODO: a failure is expected (meson: EXPECTEDFAIL), a pass is reported
# as an unexpected pass (a failure) so that the TODO gets removed.
expect_eq_todo() {
	if [ "$3" = "$4" ]; then
		_lab_tap "ok - $LAB_SCENARIO: $2 # TODO $1"
	else
		_lab_tap "not ok - $LAB_SCENARIO: $2 # TODO $1"
		printf '%s\n' "expected: $3" "     got: $4" | _lab_diag
	fi
}

# answer_of FILE CASE: the answer of "case CASE: ANSWER" lines.
answer_of() { sed -n "s/^case $2: //p" "$1"; }

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1" "expected: $2" "     got: $3"
	fi
}

# lab_bound SECS: SECS at this run's time scale.  Bounds catch hangs: every
# one a scenario sets is in seconds on an idle machine, with headroom, and is
# multiplied by LAB_SCALE (vm-init.sh measures it at boot).
lab_bound() { echo $(($1 * LAB_SCALE)); }

# expect_run NAME CMD...: run CMD in the foreground, bounded by $LAB_TIMEOUT
# (scaled); ok when it exits 0.  Its output is kept in $LAB_TMP/last.out and shown on
# failure; "peer" lines go to the report.
expect_run() {
	local name=$1

	shift
	timeout "$(lab_bound "$LAB_TIMEOUT")" "$@" >"$LAB_TMP/last.out" 2>&1
	rc=$?
	_lab_result "$name" $rc "$LAB_TMP/last.out" "$*"
	_lab_keep "$LAB_TMP/last.out"
	# A server waiting for this client would wait in vain: stop it.
	[ $rc -eq 0 ] || lab_kill_jobs
}

# _lab_keep FILE: append a program's output to $LAB_TMP/.outputs before it
# is overwritten: /init looks for sanitizer messages in every output of the
# scenario (UBSan ignores log_path next to ASan and writes to stderr).
_lab_keep() { [ -f "$1" ] && cat "$1" >>"$LAB_TMP/.outputs"; return 0; }

# lab_kill_jobs: stop every background job still running.
lab_kill_jobs() {
	local f

	for f in "$LAB_TMP"/*.prog; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	return 0
}

# lab_bg JOB CMD...: start CMD in the background as job JOB (a name).
lab_bg() {
	local job=$1

	shift
	_lab_keep "$LAB_TMP/$job.out"
	rm -f "$LAB_TMP/$job.out" "$LAB_TMP/$job.rc" "$LAB_TMP/$job.prog"
	# busybox timeout execs CMD in its own process: $! below is CMD's
	# pid (through in_b, run_as ... which exec too), which lab_kill_jobs
	# stops.
	( timeout "$(lab_bound "$LAB_TIMEOUT")" "$@" >"$LAB_TMP/$job.out" 2>&1 &
	  echo $! >"$LAB_TMP/$job.prog"
	  wait $!
	  echo $? >"$LAB_TMP/$job.rc"
	  rm -f "$LAB_TMP/$job.prog" ) &
	echo "$*" >"$LAB_TMP/$job.cmd"
	echo $! >"$LAB_TMP/$job.pid"
}

# lab_bg_ready JOB CMD...: lab_bg, then wait until CMD prints a line
# "ready" (a server that listens), at most $LAB_READY_TRIES (500) times
# 20 ms, about 10 s (more under valgrind), scaled.  Without it a client may
# connect too early: with labeled IPsec the kernel's RST to a port nobody
# listens on has no SA, so the client only retries after a SYN timeout.
lab_bg_ready() {
	local i=0 n

	n=$(lab_bound "${LAB_READY_TRIES:-500}")
	lab_bg "$@"
	until grep -q '^ready$' "$LAB_TMP/$1.out" 2>/dev/null; do
		[ -f "$LAB_TMP/$1.rc" ] && return 1
		i=$((i + 1))
		[ $i -gt "$n" ] && return 1
		usleep 20000
	done
}

# lab_wait_line JOB PATTERN: wait (like lab_bg_ready) until JOB's output has a
# line matching PATTERN (grep), e.g. a client saying its association is up.
lab_wait_line() {
	local i=0 n

	n=$(lab_bound "${LAB_READY_TRIES:-500}")
	until grep -q "$2" "$LAB_TMP/$1.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt "$n" ] && return 1
		usleep 20000
	done
}

# lab_wait JOB: wait for a background job; returns its exit status.
lab_wait() {
	wait "$(cat "$LAB_TMP/$1.pid")" 2>/dev/null
	[ -f "$LAB_TMP/$1.rc" ] || return 255
	return "$(cat "$LAB_TMP/$1.rc")"
}

# expect_job NAME JOB: wait for JOB; ok when it exited 0.
expect_job() {
	lab_wait "$2"
	_lab_result "$1" $? "$LAB_TMP/$2.out" "$(cat "$LAB_TMP/$2.cmd")"
}

# job_out JOB: what a finished job printed.
job_out() { cat "$LAB_TMP/$1.out"; }

# peer_of JOB|FILE: the labels a program read ("peer READER ADDR LABEL";
# "peer ADDR LABEL" from older programs too).
peer_of() {
	local f=$LAB_TMP/$1.out

	[ -f "$f" ] || f=$1
	awk '$1 == "peer" { print (NF == 3 ? $3 : $4) }' "$f"
}

_lab_result() {
	if [ "$2" -eq 0 ]; then
		ok "$1"
	else
		fail "$1" "command: $4" "exit status $2"
		_lab_diag <"$3"
	fi
	sed 's/^/  | /' "$3"
	awk -v t="$LAB_TRANSPORT" -v s="$LAB_SOURCE" -v n="$1" \
		'$1 == "peer" && NF == 3 { printf "# report: %s|%s|-|%s|%s|%s\n", t, s, $2, $3, n }
		 $1 == "peer" && NF >= 4 { printf "# report: %s|%s|%s|%s|%s|%s\n", t, s, $2, $3, $4, n }' \
		"$3" >>"$LAB_TAP"
}

# ------------------------------------------------------------ processes
# These are small programs in /lab/bin (tests/lab/vm-bin), not functions, so
# they nest and work under timeout, lab_bg and expect_run:
#   in_a CMD...          run CMD in namespace a
#   in_b CMD...          run CMD in namespace b
#   in_ns NS CMD...      run CMD in namespace NS
#   run_as CONTEXT CMD...  exec CMD in SELinux context CONTEXT
# e.g.  expect_run "name" in_b run_as "$ctx" stream-peer client ...

# ------------------------------------------------------------- labels

# mls_label PREFIX SIZE: a context "PREFIX:s0:cN,cM,..." of exactly SIZE
# bytes counting the trailing NUL, from about 40 up to 2280 bytes, or a
# low-high range "PREFIX:s0:...-s0:c0,c2,...,c1022,c1023" from 2600 up to
# 4800 bytes.  Only even categories are used (the high end adds c1023), so
# the kernel prints the label back unchanged.
mls_label() {
	awk -v p="$1" -v n="$2" '
	# w bytes of ",cN" items: c0..c8 cost 3, c10..c98 4, c100..c998 5,
	# c1000..c1022 6.
	function cats(w,   n3, n4, n5, n6, r, s, i) {
		n5 = int(w / 5); r = w - 5 * n5; n3 = n4 = n6 = 0
		if (r == 1) { n5--; n6 = 1 }
		else if (r == 2) { n5 -= 2; n6 = 2 }
		else if (r == 3) n3 = 1
		else if (r == 4) n4 = 1
		if (n5 < 0 || n5 > 449) {
			print "mls_label: no label of " n " bytes" > "/dev/stderr"
			exit 1
		}
		for (i = 0; i < n3; i++) s = s ",c" 2 * i
		for (i = 0; i < n4; i++) s = s ",c" 10 + 2 * i
		for (i = 0; i < n5; i++) s = s ",c" 100 + 2 * i
		for (i = 0; i < n6; i++) s = s ",c" 1000 + 2 * i
		return s
	}
	BEGIN {
		want = n - 1; base = p ":s0"
		if (want - length(base) <= 2260) {
			c = cats(want - length(base))
			print base ":" substr(c, 2)
			exit 0
		}
		for (i = 0; i <= 1022; i += 2) h = h (i ? "," : "") "c" i
		tail = "-s0:" h ",c1023"
		c = cats(want - length(base) - length(tail))
		print base ":" substr(c, 2) tail
	}'
}

# mls_range_label PREFIX: PREFIX:s0:c0,c2,...,c1022-s0:c0,c2,...,c1022,c1023
# (about 5 KiB: past the library's stack buffer, so the heap path runs).
mls_range_label() {
	awk -v p="$1" 'BEGIN {
		for (i = 0; i <= 1022; i += 2) c = c (i ? "," : "") "c" i
		print p ":s0:" c "-s0:" c ",c1023"
	}'
}

# ------------------------------------------------------------ topology

# lab_topology: fresh namespaces a and b joined by veth va/vb, IPv4 + IPv6.
lab_topology() {
	_LAB_FULL_POLICIES=no
	"$IP" netns del a 2>/dev/null
	"$IP" netns del b 2>/dev/null
	"$IP" netns add a && "$IP" netns add b &&
	"$IP" link add va netns a type veth peer name vb netns b &&
	"$IP" -n a -b - <<-EOT && "$IP" -n b -b - <<-EOT ||
		link set lo up
		addr add $A4/24 dev va
		addr add $A6/64 dev va nodad
		link set va up
	EOT
		link set lo up
		addr add $B4/24 dev vb
		addr add $B6/64 dev vb nodad
		link set vb up
	EOT
		{ fail "topology" "could not build namespaces a and b"; return 1; }
}

_LAB_SPI=256
_lab_next_spi() { _LAB_SPI=$((_LAB_SPI + 1)); }
lab_next_spi() { _lab_next_spi; echo $_LAB_SPI; }
_LAB_KEYS="enc cbc(aes) 0x000102030405060708090a0b0c0d0e0f auth-trunc hmac(sha256) 0x101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f 128"

# Building blocks for a topology of one's own (SCTP, for example):
# lab_sa NS SRC DST SPI [CTX]: one ESP transport SA in namespace NS, now.
# lab_policy NS SRC DST DIR [CTX]: SPD policies for $LAB_PROTOS, now.
# lab_next_spi: a fresh SPI (prints it; also in $_LAB_SPI after
# _lab_next_spi).
lab_sa() { _lab_q_sa "$@" && _lab_xfrm_run; }
lab_policy() { _lab_q_pol "$@" && _lab_xfrm_run; }

# The lab_ipsec_* functions queue their XFRM commands per namespace and run
# them in one ip -batch each (_lab_xfrm_run): one process instead of
# dozens, which counts under TCG.
_lab_q_sa() {
	echo "xfrm state add src $2 dst $3 proto esp spi $4 mode transport" \
		"$_LAB_KEYS${5:+ ctx $5}" >>"$LAB_TMP/xfrm.$1"
}

_lab_q_pol() {
	local p

	for p in $LAB_PROTOS; do
		echo "xfrm policy add src $2 dst $3 proto $p dir $4${5:+ ctx $5}" \
			"tmpl src $2 dst $3 proto esp mode transport" >>"$LAB_TMP/xfrm.$1"
	done
}

# _lab_xfrm_run: run what _lab_q_sa and _lab_q_pol queued.
_lab_xfrm_run() {
	local ns rc=0

	for ns in $(cd "$LAB_TMP" && ls xfrm.* 2>/dev/null | sed 's/^xfrm\.//'); do
		"$IP" -n $ns -b "$LAB_TMP/xfrm.$ns" || rc=1
		rm -f "$LAB_TMP/xfrm.$ns"
	done
	return $rc
}

# lab_ipsec_full CTX...: labeled IPsec both ways between a and b, IPv4 and
# IPv6.  A socket can send only if an SA carries exactly its label, so pass
# every label that sends: the clients', and the servers' accepted sockets'
# (server user:role:type with the client's MLS range).  Call it again to add
# SAs for more labels.
lab_ipsec_full() {
	local ctx pair x y

	for pair in "$A4 $B4" "$A6 $B6"; do
		x=${pair% *} y=${pair#* }
		if [ "$_LAB_FULL_POLICIES" != yes ]; then
			_lab_q_pol a "$x" "$y" out "$LAB_SPD"
			_lab_q_pol b "$x" "$y" in "$LAB_SPD"
			_lab_q_pol b "$y" "$x" out "$LAB_SPD"
			_lab_q_pol a "$y" "$x" in "$LAB_SPD"
		fi
		for ctx in "$@"; do
			_lab_next_spi
			_lab_q_sa a "$x" "$y" $_LAB_SPI "$ctx"
			_lab_q_sa b "$x" "$y" $_LAB_SPI "$ctx"
			_lab_next_spi
			_lab_q_sa b "$y" "$x" $_LAB_SPI "$ctx"
			_lab_q_sa a "$y" "$x" $_LAB_SPI "$ctx"
		done
	done
	_lab_xfrm_run || {
		fail "lab_ipsec_full: SAs and policies for $# labels" \
			"ip xfrm failed (see the serial log)"
		return 1
	}
	_LAB_FULL_POLICIES=yes
}

# lab_ipsec_recv_sa CTX: traffic a->b goes through an unlabeled SA on a's
# side whose twin on b's side carries CTX, so b's sockets see CTX as the peer
# label whatever a's sockets are labeled.  b->a is plain.
lab_ipsec_recv_sa() {
	local pair x y

	for pair in "$A4 $B4" "$A6 $B6"; do
		x=${pair% *} y=${pair#* }
		_lab_next_spi
		_lab_q_pol a "$x" "$y" out
		_lab_q_sa a "$x" "$y" $_LAB_SPI
		_lab_q_sa b "$x" "$y" $_LAB_SPI "$1"
	done
	_lab_xfrm_run || {
		fail "lab_ipsec_recv_sa" "ip xfrm failed (see the serial log)"
		return 1
	}
}

# lab_netlabel CTX ADDR...: NetLabel static label CTX for traffic from each
# ADDR, on any interface ("default"), in every namespace: NetLabel's
# configuration lives in the root namespace only (netlabelctl fails inside
# another one) but its default entries match packets in all of them.
# Loopback works too (127.0.0.1, ::1).  lab_netlabel_clear (and lab_end)
# remove them.
lab_netlabel() {
	local ctx=$1 addr

	shift
	for addr in "$@"; do
		"$NETLABELCTL" unlbl add default address:"$addr" label:"$ctx" || {
			fail "lab_netlabel $addr (${#ctx}-byte label)" \
				"netlabelctl unlbl add failed"
			return 1
		}
		echo "$addr" >>"$LAB_TMP/.netlabel"
	done
}

lab_netlabel_clear() {
	local addr

	[ -f "$LAB_TMP/.netlabel" ] || return 0
	while read -r addr; do
		"$NETLABELCTL" unlbl del default address:"$addr"
	done <"$LAB_TMP/.netlabel"
	rm -f "$LAB_TMP/.netlabel"
}

# lab_cipso DOI pass|std TAG ADDR/MASK...: CIPSO (IPv4) for traffic to and
# from ADDR/MASK: a DOI of that type with that tag type (1: bitmap, 2:
# enumerated, 5: ranged), and NetLabel's default mapping sends it there.
# A std DOI maps level 0 to 0 and categories c0-c9 to 100-109 on the wire
# ($LAB_CIPSO_STD_CATS).  The receiver's peer label is the policy's netmsg
# context ($LAB_NETMSG) with the level from the packet.
# lab_calipso DOI ADDR/MASK...: the same for IPv6 (CALIPSO, pass-through).
# Every other address stays unlabeled; lab_netlabel_map_reset (and lab_end)
# restore NetLabel's default mapping and remove the DOIs.
LAB_CIPSO_STD_CATS=0=100,1=101,2=102,3=103,4=104,5=105,6=106,7=107,8=108,9=109
lab_cipso() {
	local doi=$1 type=$2 tag=$3

	shift 3
	case $type in
	pass) "$NETLABELCTL" cipsov4 add pass doi:"$doi" tags:"$tag" ;;
	std) "$NETLABELCTL" cipsov4 add std doi:"$doi" tags:"$tag" \
		levels:0=0 categories:"$LAB_CIPSO_STD_CATS" ;;
	esac || { fail "lab_cipso: DOI $doi ($type, tag $tag)" \
		"netlabelctl cipsov4 add failed"; return 1; }
	echo "cipsov4 $doi" >>"$LAB_TMP/.nldoi"
	_lab_nlmap "cipsov4,$doi" "$@"
}

lab_calipso() {
	local doi=$1

	shift
	"$NETLABELCTL" calipso add pass doi:"$doi" ||
		{ fail "lab_calipso: DOI $doi" "netlabelctl calipso add failed"; return 1; }
	echo "calipso $doi" >>"$LAB_TMP/.nldoi"
	_lab_nlmap "calipso,$doi" "$@"
}

# _lab_nlmap PROTOCOL ADDR/MASK...: NetLabel's default mapping by address:
# the first call replaces the plain one (unlabeled) by address selectors,
# unlabeled for every address, then PROTOCOL for each ADDR/MASK.
_lab_nlmap() {
	local proto=$1 a

	shift
	if [ ! -f "$LAB_TMP/.nlmap" ]; then
		touch "$LAB_TMP/.nlmap"
		"$NETLABELCTL" map del default &&
		"$NETLABELCTL" map add default address:0.0.0.0/0 protocol:unlbl &&
		"$NETLABELCTL" map add default address:::/0 protocol:unlbl || {
			fail "NetLabel: default mapping by address" \
				"netlabelctl map failed"
			return 1
		}
	fi
	for a in "$@"; do
		"$NETLABELCTL" map add default address:"$a" protocol:"$proto" || {
			fail "NetLabel: $a to $proto" "netlabelctl map add failed"
			return 1
		}
	done
}

lab_netlabel_map_reset() {
	local kind doi

	if [ -f "$LAB_TMP/.nlmap" ]; then
		"$NETLABELCTL" map del default
		"$NETLABELCTL" map add default protocol:unlbl
		rm -f "$LAB_TMP/.nlmap"
	fi
	[ -f "$LAB_TMP/.nldoi" ] || return 0
	while read -r kind doi; do
		"$NETLABELCTL" "$kind" del doi:"$doi"
	done <"$LAB_TMP/.nldoi"
	rm -f "$LAB_TMP/.nldoi"
}

# lab_unlabeled: no labeling source; fails if one is left over.
lab_unlabeled() {
	local left

	left=$( { "$IP" -n a xfrm state; "$IP" -n b xfrm state
		  "$NETLABELCTL" unlbl list | grep -i 'address:'; } 2>/dev/null)
	[ -z "$left" ] || fail "lab_unlabeled: nothing labels traffic" "$left"
}

# ------------------------------------------------- begin and end (runner)

lab_begin() {
	echo "=== $LAB_SCENARIO"
	cd "$LAB_TMP" || exit 1
}

lab_end() {
	lab_kill_jobs
	lab_netlabel_clear
	lab_netlabel_map_reset
	"$IP" netns del a 2>/dev/null
	"$IP" netns del b 2>/dev/null
	return 0
}
