/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec-whoami: a server for peersec-inetd that tells its client where it
 * runs.  It writes one line to stdout:
 *
 *   context=CTX label=LABEL peer=ADDR:PORT uid=U gid=G fds=N [data=...]
 *
 * CTX is the process's own context (/proc/self/attr/current), LABEL the peer
 * label the launcher saw, N the number of open descriptors (0, 1 and 2
 * expected).  Over UDP it reads the datagram from stdin first and repeats
 * it as data=.  Over a stream it reads nothing.
 *
 * With "--log FILE" it also appends the line, with its pid, to FILE: a
 * record of every server that ran, which the lab checks.
 *
 * With "--proc" the line goes on with what the launcher made of the
 * process: session (sid=self when it leads its own), umask, nice, the
 * limits (soft:hard, -1 for none), the supplementary groups, the
 * capability sets, signal masks and dispositions (/proc/self/status), the
 * securebits, where stderr goes (conn: the same as stdout; null;
 * else its target) and every LAB_* environment variable.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;		/* the directory's own descriptor */
}

/* " KEY=VALUE" from /proc/self/status for each of @keys. */
static void status_lines(char *out, size_t size)
{
	static const char *const keys[] = {
		"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "SigBlk",
		"SigIgn", "SigCgt", "Umask",
	};
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':'), *v;

		if (colon == NULL)
			continue;
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		v[strcspn(v, "\n")] = '\0';
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(line, keys[i]) == 0)
				snprintf(out + strlen(out), size - strlen(out),
					 " %s=%s", line, v);
	}
	fclose(f);
}

static void proc_report(char *out, size_t size)
{
	static const struct {
		const char *name;
		int res;
	} lim[] = {
		{ "cpu", RLIMIT_CPU }, { "as", RLIMIT_AS },
		{ "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC },
	};
	extern char **environ;
	gid_t groups[64];
	char l1[256] = "", l2[256] = "";
	int n = getgroups(64, groups);
	ssize_t r;

	errno = 0;
	snprintf(out, size, " sid=%s nice=%d",
		 getsid(0) == getpid() ? "self" : "other",
		 getpriority(PRIO_PROCESS, 0));
	for (size_t i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
		struct rlimit rl;

		getrlimit(lim[i].res, &rl);
		snprintf(out + strlen(out), size - strlen(out), " %s=%lld:%lld",
			 lim[i].name, rl.rlim_cur == RLIM_INFINITY ? -1LL :
			 (long long)rl.rlim_cur, rl.rlim_max == RLIM_INFINITY ?
			 -1LL : (long long)rl.rlim_max);
	}
	snprintf(out + strlen(out), size - strlen(out), " groups=");
	for (int i = 0; i < n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%d",
			 i ? "," : "", (int)groups[i]);
	status_lines(out, size);
	snprintf(out + strlen(out), size - strlen(out), " secbits=0x%x",
		 (unsigned int)prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	r = readlink("/proc/self/fd/1", l1, sizeof(l1) - 1);
	l1[r > 0 ? r : 0] = '\0';
	r = readlink("/proc/self/fd/2", l2, sizeof(l2) - 1);
	l2[r > 0 ? r : 0] = '\0';
	snprintf(out + strlen(out), size - strlen(out), " stderr=%s",
		 strcmp(l2, "/dev/null") == 0 ? "null" :
		 l2[0] != '\0' && strcmp(l1, l2) == 0 ? "conn" :
		 l2[0] != '\0' ? l2 : "closed");
	for (char **e = environ; *e != NULL; e++)
		if (strncmp(*e, "LAB_", 4) == 0)
			snprintf(out + strlen(out), size - strlen(out),
				 " env:%s", *e);
}

int main(int argc, char **argv)
{
	char ctx[4096] = "", data[1024] = "";
	const char *proto = getenv("PEERSEC_PROTOCOL");
	const char *label = getenv("PEERSEC_PEER_LABEL");
	const char *addr = getenv("PEERSEC_PEER_ADDR");
	const char *port = getenv("PEERSEC_PEER_PORT");
	char line[8192], proc[4096] = "";
	const char *log_path = NULL;
	int fds = open_fds();
	int fd, n;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--log") == 0 && i + 1 < argc)
			log_path = argv[++i];
		else if (strcmp(argv[i], "--proc") == 0)
			proc_report(proc, sizeof(proc));
	}

	fd = open("/proc/self/attr/current", O_RDONLY);
	if (fd >= 0) {
		ssize_t r = read(fd, ctx, sizeof(ctx) - 1);

		ctx[r > 0 ? r : 0] = '\0';
		ctx[strcspn(ctx, "\n")] = '\0';
		close(fd);
	}
	if (proto != NULL && strcmp(proto, "udp") == 0) {
		ssize_t r = read(0, data, sizeof(data) - 1);

		data[r > 0 ? r : 0] = '\0';
		data[strcspn(data, "\n")] = '\0';
	}
	n = snprintf(line, sizeof(line),
		     "context=%s label=%s peer=%s:%s uid=%d gid=%d fds=%d%s%s%s\n",
		     ctx, label ? label : "(none)", addr ? addr : "?",
		     port ? port : "?", (int)getuid(), (int)getgid(), fds,
		     proc, data[0] ? " data=" : "", data);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	if (log_path != NULL) {
		int log = open(log_path, O_WRONLY | O_APPEND | O_CREAT |
			       O_CLOEXEC, 0666);

		if (log >= 0) {
			dprintf(log, "pid=%d %s", (int)getpid(), line);
			close(log);
		}
	}
	return write(1, line, (size_t)n) == n ? 0 : 1;
}
