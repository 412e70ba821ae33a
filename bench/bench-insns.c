/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Userspace instructions per call, counted by valgrind's callgrind: what the
 * library adds to the syscall it wraps, on the stream and datagram paths.
 *
 * The program runs itself under callgrind (valgrind --tool=callgrind), which
 * counts only userspace instructions: the kernel's work is not in the
 * figures, which is the point.  Each variant runs N operations with
 * collection switched on around them alone (setup, queue filling and the
 * harness stay out), then callgrind dumps the counts; the parent reads the
 * dumps and prints instructions per operation, and the differences:
 *
 *   peersec_tcp_get       - getsockopt(SO_PEERSEC)
 *   peersec_tcp_get_alloc - getpeercon_raw + freecon
 *   peersec_udp_recvmsg   - recvmsg alone (label left unread) and
 *                         - recvmsg + hand-written CMSG loop
 *   (and the batched form likewise, per datagram)
 *
 * A kernel without labels gives the unlabeled path; --fake-label BYTES puts
 * fake-kernel.c's labeling kernel in front of it (its own instructions count
 * the same in each compared variant and cancel out in the differences).
 *
 *   bench-insns [--fake-label BYTES] [--n OPS] [--keep DIR] [--src ADDR]
 *               [--dst ADDR] [--quick] [--json FILE] [--env NAME]
 *
 * --keep DIR leaves the callgrind dumps there, for callgrind_annotate.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include "fake-kernel.h"
#include "fixtures.h"

struct variant {
	const char *name;
	bench_op op;
	bench_prepare prepare;
	int base;		/* index of the variant it is compared to, -1 */
	int base2;		/* a second comparison, -1 */
	double per_op;		/* instructions, read back by the parent */
	bool done;
};

enum {
	V_TCP_GET, V_GETSOCKOPT, V_TCP_GET_ALLOC, V_GETPEERCON, V_FUSED,
	V_UDP_RECVMSG, V_HAND_RECVMSG, V_BARE_RECVMSG, V_FUSED_RECVMSG,
	V_UDP_RECVMMSG, V_HAND_RECVMMSG, V_BARE_RECVMMSG, V_COUNT
};

static struct variant vars[V_COUNT] = {
	[V_TCP_GET] = { "peersec_tcp_get", fx_tcp_get, NULL,
			V_GETSOCKOPT, -1 },
	[V_GETSOCKOPT] = { "getsockopt(SO_PEERSEC)", fx_getsockopt, NULL,
			   -1, -1 },
	[V_TCP_GET_ALLOC] = { "peersec_tcp_get_alloc+free", fx_tcp_get_alloc,
			      NULL, V_GETPEERCON, V_GETSOCKOPT },
#if PEERSEC_HAVE_SELINUX
	[V_GETPEERCON] = { "getpeercon_raw+freecon", fx_getpeercon, NULL,
			   V_GETSOCKOPT, -1 },
#endif
	[V_FUSED] = { "diag: fused fast path", fx_fused, NULL,
		      V_GETSOCKOPT, -1 },
	[V_UDP_RECVMSG] = { "peersec_udp_recvmsg", fx_udp_recvmsg,
			    fx_udp_fill, V_BARE_RECVMSG, V_HAND_RECVMSG },
	[V_HAND_RECVMSG] = { "recvmsg+CMSG loop", fx_hand_recvmsg,
			     fx_udp_fill, V_BARE_RECVMSG, -1 },
	[V_BARE_RECVMSG] = { "recvmsg alone", fx_bare_recvmsg, fx_udp_fill,
			     -1, -1 },
	[V_FUSED_RECVMSG] = { "diag: fused udp fast path", fx_fused_recvmsg,
			      fx_udp_fill, V_BARE_RECVMSG, V_HAND_RECVMSG },
#ifdef FX_HAVE_UDP_RECVMMSG
	[V_UDP_RECVMMSG] = { "peersec_udp_recvmmsg", fx_udp_recvmmsg,
			     fx_udp_fill, V_BARE_RECVMMSG, V_HAND_RECVMMSG },
#endif
	[V_HAND_RECVMMSG] = { "recvmmsg+CMSG loop", fx_hand_recvmmsg,
			      fx_udp_fill, V_BARE_RECVMMSG, -1 },
	[V_BARE_RECVMMSG] = { "recvmmsg alone", fx_bare_recvmmsg,
			      fx_udp_fill, -1, -1 },
};

/* Under callgrind: run each variant with collection on around op() only,
 * and dump its counts under the name "INDEX:OPS". */
static int child(struct fx_stream *s, struct fx_udp *u, size_t n,
		 bool have_udp)
{
	for (int i = 0; i < V_COUNT; i++) {
		struct variant *v = &vars[i];
		void *ctx = i < V_UDP_RECVMSG ? (void *)s : (void *)u;
		size_t ready = n;
		long ops;
		char name[32];

		if (v->op == NULL || (i == V_UDP_RECVMSG && !have_udp))
			continue;
		/* once untimed, so that lazy binding and first-touch pages
		 * are not counted */
		if (v->prepare != NULL)
			v->prepare(ctx, 4);
		if (v->op(ctx, 4) < 0)
			return 1;
		if (v->prepare != NULL && (long)(ready = v->prepare(ctx, n)) < 0)
			return 1;
		CALLGRIND_ZERO_STATS;
		CALLGRIND_TOGGLE_COLLECT;
		ops = v->op(ctx, ready);
		CALLGRIND_TOGGLE_COLLECT;
		if (ops <= 0)
			return 1;
		snprintf(name, sizeof(name), "%d:%ld", i, ops);
		CALLGRIND_DUMP_STATS_AT(name);
	}
	return 0;
}

/* Read one dump: its trigger "Client Request: INDEX:OPS" and its total. */
static void read_dump(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int idx = -1;
	long ops = 0;
	double total = -1;

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *t = strstr(line, "Client Request: ");

		if (strncmp(line, "desc: Trigger:", 14) == 0 && t != NULL)
			sscanf(t + 16, "%d:%ld", &idx, &ops);
		else if (strncmp(line, "totals:", 7) == 0)
			total = atof(line + 7);
		else if (strncmp(line, "summary:", 8) == 0 && total < 0)
			total = atof(line + 8);
	}
	fclose(f);
	if (idx >= 0 && idx < V_COUNT && ops > 0 && total >= 0) {
		vars[idx].per_op = total / (double)ops;
		vars[idx].done = true;
	}
}

static int parent(char **argv, const char *dir, const struct bench_opts *o,
		  const char *desc)
{
	char exe[4096], out[4200], json[1024];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *valgrind = getenv("VALGRIND");
	int argc = 0, status;
	pid_t pid;
	DIR *d;
	struct dirent *e;

	if (len < 0)
		bench_die("/proc/self/exe: %s", strerror(errno));
	exe[len] = '\0';
	while (argv[argc] != NULL)
		argc++;
	snprintf(out, sizeof(out), "--callgrind-out-file=%s/cg.out", dir);

	char **args = calloc(argc + 8, sizeof(char *));
	int k = 0;

	if (args == NULL)
		bench_die("out of memory");

	args[k++] = (char *)(valgrind != NULL ? valgrind : "valgrind");
	args[k++] = "--tool=callgrind";
	args[k++] = "--quiet";
	args[k++] = "--collect-atstart=no";
	args[k++] = out;
	args[k++] = exe;
	for (int i = 1; i < argc; i++)
		args[k++] = argv[i];
	args[k] = NULL;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0) {
		execvp(args[0], args);	/* NOLINT: args is NULL-terminated */
		fprintf(stderr, "bench-insns: %s: %s\n", args[0],
			strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			bench_die("valgrind is needed (apt-get install "
				  "valgrind)");
		bench_die("the run under callgrind failed");
	}

	d = opendir(dir);
	if (d == NULL)
		bench_die("%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "cg.out", 6) != 0)
			continue;
		snprintf(out, sizeof(out), "%s/%s", dir, e->d_name);
		read_dump(out);
	}
	closedir(d);
	free(args);

	printf("\n== userspace instructions per operation (callgrind)  [%s]\n"
	       "   %s\n", o->env, desc);
	printf("   %-30s %12s %22s %22s\n", "variant", "instr/op",
	       "minus (first base)", "minus (second base)");
	for (int i = 0; i < V_COUNT; i++) {
		struct variant *v = &vars[i];
		char b1[64] = "", b2[64] = "";
		int pos;

		if (!v->done)
			continue;
		if (v->base >= 0 && vars[v->base].done)
			snprintf(b1, sizeof(b1), "%+.1f %s", v->per_op -
				 vars[v->base].per_op, v->base == V_GETSOCKOPT ?
				 "getsockopt" : v->base == V_GETPEERCON ?
				 "getpeercon" : "alone");
		if (v->base2 >= 0 && vars[v->base2].done)
			snprintf(b2, sizeof(b2), "%+.1f %s", v->per_op -
				 vars[v->base2].per_op,
				 v->base2 == V_GETSOCKOPT ? "getsockopt" :
				 "hand loop");
		printf("   %-30s %12.1f %22s %22s\n", v->name, v->per_op, b1,
		       b2);
		pos = snprintf(json, sizeof(json), "\"variant\":\"%s\","
			       "\"instr_per_op\":%.2f", v->name, v->per_op);
		if (v->base >= 0 && vars[v->base].done)
			pos += snprintf(json + pos, sizeof(json) - pos,
					",\"base\":\"%s\",\"added\":%.2f",
					vars[v->base].name,
					v->per_op - vars[v->base].per_op);
		if (v->base2 >= 0 && vars[v->base2].done)
			snprintf(json + pos, sizeof(json) - pos,
				 ",\"base2\":\"%s\",\"added2\":%.2f",
				 vars[v->base2].name,
				 v->per_op - vars[v->base2].per_op);
		bench_json_raw(o, "insns", json);
	}
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	const char *src = "127.0.0.1", *dst = "127.0.0.1", *keep = NULL;
	size_t n = 0, fake = 0;
	struct fx_stream *s = fx_alloc(sizeof(*s));
	struct fx_udp *u = fx_alloc(sizeof(*u));
	char **orig = malloc(sizeof(char *) * (argc + 1));
	char desc[512], dir[] = "/tmp/bench-insns.XXXXXX";
	int rc;

	if (s == NULL || u == NULL || orig == NULL)
		bench_die("out of memory");
	memcpy(orig, argv, sizeof(char *) * (argc + 1));
	argc = bench_parse(&o, argc, argv);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--src") == 0 && i + 1 < argc)
			src = argv[++i];
		else if (strcmp(argv[i], "--dst") == 0 && i + 1 < argc)
			dst = argv[++i];
		else if (strcmp(argv[i], "--n") == 0 && i + 1 < argc)
			n = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--fake-label") == 0 && i + 1 < argc)
			fake = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--keep") == 0 && i + 1 < argc)
			keep = argv[++i];
		else
			bench_die("usage: bench-insns [--fake-label BYTES] "
				  "[--n OPS] [--keep DIR] [--src ADDR] "
				  "[--dst ADDR] [--quick] [--json FILE] "
				  "[--env NAME]");
	}
	if (n == 0)
		n = o.quick ? 100 : 2000;

	if (!RUNNING_ON_VALGRIND) {
		/* The parent: only reports.  Describe what the child sees. */
		if (fake != 0)
			fake_kernel_arm(fake);
		fx_stream_open(s, src, dst, false);
		fx_udp_open(u, src, dst, 64, 32, 256);
		snprintf(desc, sizeof(desc), "%zu ops each; stream: %s, %s; "
			 "UDP: %s, %s%s", n, s->desc,
			 s->want == 0 ? "labeled" : "UNLABELED", u->desc,
			 u->labeled ? "labeled" : "UNLABELED",
			 fake ? " (fake labeling kernel)" : "");
		if (s->want == 0 || u->labeled)
			snprintf(desc + strlen(desc), sizeof(desc) -
				 strlen(desc), "; label %zu bytes",
				 s->want == 0 ? s->label_len : u->label_len);
		fx_stream_close(s);
		fx_udp_close(u);
		if (keep != NULL && mkdir(keep, 0755) < 0 && errno != EEXIST)
			bench_die("%s: %s", keep, strerror(errno));
		if (keep != NULL)
			snprintf(dir, sizeof(dir), "%s", keep);
		else if (mkdtemp(dir) == NULL)
			bench_die("mkdtemp: %s", strerror(errno));
		rc = parent(orig, keep != NULL ? keep : dir, &o, desc);
		if (keep == NULL) {
			char cmd[128];

			snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
			if (system(cmd) != 0)
				fprintf(stderr, "bench-insns: could not remove "
					"%s\n", dir);
		}
		return rc;
	}

	if (fake != 0)
		fake_kernel_arm(fake);
	fx_stream_open(s, src, dst, false);
	fx_udp_open(u, src, dst, 64, 32, n + 64);

	struct iovec iov = { u->data, sizeof(u->data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t len = sizeof(u->label);
	bool have_udp = peersec_udp_recvmsg(u->rx, &msg, MSG_DONTWAIT,
					    u->label, &len) != -ENOSYS;

	rc = child(s, u, n, have_udp);
	fx_stream_close(s);
	fx_udp_close(u);
	free(s);
	free(u);
	free(orig);
	return rc;
}
