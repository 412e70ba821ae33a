# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# peersec_context_derive() against the loaded MLS policy (launcher.cil),
# called from launcher_t: the transition on a service_exec_t file, the
# caller's own context or a given base, and each refusal the policy makes.
LAB_SOURCE="policy"
LAB_TRANSPORT=none
# shellcheck source=tests/lab/vm-bin/inetd-lablib.sh
. /lab/bin/inetd-lablib.sh
inetd_prepare || return 0

svc=$INETD_SVC/peersec-whoami
plain=/lab/bin/peersec-whoami		# file_t: no transition
P=system_u:system_r:peer_t

d() {	# d NAME PEER BASE EXEC EXPECTED
	local name=$1

	shift
	expect_run "derive: $name" run_as "$INETD_CTX" derive-check "$@"
	_lab_tap "# derive: $(cat "$LAB_TMP/last.out")"
}

d "own context, peer at s0:c1" "$P:s0:c1" - "$svc" "$SERVICE:s0:c1"
d "own context, peer range s0-s0:c0.c3" "$P:s0-s0:c0.c3" - "$svc" "$SERVICE:s0-s0:c0.c3"
d "a given base without a range" "$P:s0:c9" system_u:system_r:launcher_t "$svc" "$SERVICE:s0:c9"
d "a base of another domain: the policy has no transition for it" \
	"$P:s0:c2" system_u:system_r:client_t:s0 "$svc" system_u:system_r:client_t:s0:c2
d "a file without a transition keeps the launcher's type" \
	"$P:s0:c4" - "$plain" system_u:system_r:launcher_t:s0:c4
d "a range the base's user may not hold: -EPERM" \
	"$P:s0:c4" lab_low_u:system_r:launcher_t:s0 "$svc" -EPERM
# refpolicy MLS has s0-s15
lacks=s9
[ "$LAB_WORLD" = refpolicy-mls ] && lacks=s16
d "a sensitivity the policy lacks: -EPERM" "$P:$lacks" - "$svc" -EPERM
d "a category the policy lacks: -EPERM" "$P:s0:c2000" - "$svc" -EPERM
d "a peer label without a range: -EINVAL" "$P" - "$svc" -EINVAL
d "no such program: -ENOENT" "$P:s0" - /lab/no/such/program -ENOENT
