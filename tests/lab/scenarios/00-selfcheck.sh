# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# The lab itself: the programs run against the just-built library, and a
# wrong expectation is caught (so a passing scenario means something).
LAB_SOURCE="process context"
LAB_TRANSPORT=unix

lab_bg_ready srv stream-peer server unix:@lab-self
if stream-peer client -e system_u:system_r:client_t:s0:c999 unix:@lab-self \
	>"$LAB_TMP/wrong.out" 2>&1; then
	fail "a wrong expected label makes stream-peer fail" "$(cat "$LAB_TMP/wrong.out")"
else
	ok "a wrong expected label makes stream-peer fail"
fi
lab_wait srv

# The kernel, the policy and the mode the scenarios run under.
expect_eq "lab runs in the kernel's own context" \
	"$LAB_KERNEL_CTX" "$(cat /proc/self/attr/current)"
expect_eq "SELinux is the only major LSM" lockdown,capability,selinux \
	"$(cat /sys/kernel/security/lsm 2>/dev/null)"

# Files keep the labels set on them, and the policy is enforced: a program
# whose file type is not an entrypoint for any domain cannot be run in one.
prog=$LAB_TMP/no-entrypoint
cp /lab/bin/stream-errors "$prog"
expect_eq "a file can be relabeled" system_u:object_r:spd_t:s0 \
	"$(lab-filecon "$prog" system_u:object_r:spd_t:s0)"
if run_as system_u:system_r:client_t:s0 "$prog" >"$LAB_TMP/denied.out" 2>&1; then
	fail "enforcing: exec without an entrypoint type is denied" \
		"$(cat "$LAB_TMP/denied.out")"
else
	expect_eq "enforcing: exec without an entrypoint type is denied" \
		"lab-runas: exec $prog: Permission denied" "$(cat "$LAB_TMP/denied.out")"
fi

# The sanitizer runtime is in the VM exactly when the scenarios were told
# the programs are sanitized (LAB_SANITIZED: smaller floods, no rlimit_as,
# no RSS check).
asan_rt=
for f in /lib/x86_64-linux-gnu/libasan.so.* /usr/lib/x86_64-linux-gnu/libasan.so.*; do
	[ -e "$f" ] && asan_rt=1
done
expect_eq "LAB_SANITIZED says whether the programs run under ASan" \
	"${asan_rt:-0}" "${LAB_SANITIZED:-0}"
