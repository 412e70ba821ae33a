# SPDX-License-Identifier: LGPL-2.1-or-later
# The lab itself: the programs run against the just-built library, and a
# wrong expectation is caught (so a passing scenario means something).
LAB_SOURCE="process context"
LAB_TRANSPORT=unix

lab_bg srv stream-peer server unix:@lab-self
if stream-peer client -e system_u:system_r:client_t:s0:c999 unix:@lab-self \
	>"$LAB_TMP/wrong.out" 2>&1; then
	fail "a wrong expected label makes stream-peer fail" "$(cat "$LAB_TMP/wrong.out")"
else
	ok "a wrong expected label makes stream-peer fail"
fi
lab_wait srv

# The kernel, the policy and the mode the scenarios run under.
expect_eq "lab runs in the kernel's own context" \
	system_u:system_r:kernel_t:s0-s0:c0.c1023 "$(cat /proc/self/attr/current)"
expect_eq "SELinux is the only major LSM" lockdown,capability,selinux \
	"$(cat /sys/kernel/security/lsm 2>/dev/null)"
