/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host-util.h"

_Noreturn void host_skip(const char *why)
{
	const char *ci = getenv("CI");

	if (ci != NULL && strcmp(ci, "true") == 0) {
		fprintf(stderr, "FAIL: cannot run under CI: %s\n", why);
		exit(1);
	}
	fprintf(stderr, "SKIP: %s\n", why);
	exit(77);
}

void host_need_root(void)
{
	if (geteuid() != 0)
		host_skip("needs root (network namespaces)");
}

void host_enter_netns(void)
{
	struct ifreq ifr;
	int fd;

	host_need_root();
	if (unshare(CLONE_NEWNET) < 0)
		host_skip("unshare(CLONE_NEWNET) failed");

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		host_skip("cannot read lo's flags");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		host_skip("cannot bring lo up");
	close(fd);
}

static int read_lsm(char *buf, size_t size)
{
	int fd = open("/sys/kernel/security/lsm", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

const char *host_lsm_list(void)
{
	static char list[256];	/* test program only: one thread */

	if (list[0] != '\0')
		return list;
	if (read_lsm(list, sizeof(list)) == 0)
		return list;
	/* Not mounted: mount securityfs where nobody else sees it. */
	if (geteuid() == 0 && unshare(CLONE_NEWNS) == 0 &&
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0 &&
	    mount("securityfs", "/sys/kernel/security", "securityfs", 0,
		  NULL) == 0 && read_lsm(list, sizeof(list)) == 0)
		return list;
	host_skip("cannot read the active LSMs from securityfs");
}

bool host_lsm_active(const char *name)
{
	const char *list = host_lsm_list();
	size_t n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

bool host_lsm_labels_peers(void)
{
	return host_lsm_active("selinux") || host_lsm_active("smack") ||
	       host_lsm_active("apparmor");
}
