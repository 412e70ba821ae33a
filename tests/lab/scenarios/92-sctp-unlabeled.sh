# SPDX-License-Identifier: LGPL-2.1-or-later
# SCTP over IPv4 and IPv6 between namespaces a and b with no labeling at all:
# SELinux gives every SCTP socket the policy's unlabeled initial context
# (TCP would give no label), and peersec_label_is_unlabeled() says so.
LAB_SOURCE="none"

# Shared by the SCTP scenarios (90-94).
command -v sctp-peer >/dev/null || {
	skip "sctp" "libpeersec was built without SCTP (no sctp-peer)"
	return 0
}

lab_topology || return 0
lab_unlabeled
ctx=$(cat /sys/fs/selinux/initial_contexts/unlabeled | tr -d '\0')
echo "unlabeled initial context: $ctx"

port=5200
for fam in 4 6; do
	LAB_TRANSPORT=sctp$fam
	eval "srv=\$B$fam c1=\$A$fam"

	port=$((port + 1))
	lab_bg_ready srv in_b sctp-peer server -e unlabeled "$srv" $port
	expect_run "sctp$fam one-to-one client: the unlabeled context, detected" \
		in_a sctp-peer client -b "$c1" -e unlabeled "$srv" $port
	expect_job "sctp$fam one-to-one server: the unlabeled context, detected" srv

	port=$((port + 1))
	lab_bg_ready srv in_b sctp-peer server -m -n 1 -e unlabeled "$srv" $port
	expect_run "sctp$fam one-to-many client (sendmsg): unlabeled, detected" \
		in_a sctp-peer client -m -b "$c1" -x sendmsg -e unlabeled "$srv" $port
	expect_job "sctp$fam one-to-many server, socket and peeled off: unlabeled, detected" srv
done
