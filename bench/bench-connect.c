/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Connections per second to two inetd-style launchers serving the same
 * program: peersec-inetd against xinetd with flags = LABELED, in the lab.
 *
 * Each operation is one whole connection as a client sees it: connect from
 * --src, read the server's answer to the end, close.  The two launchers are
 * measured interleaved, round after round.  Before timing, one connection to
 * each checks that both started the server in the same context (the
 * "context=" word of the answer, as peersec-whoami prints it): the
 * comparison is only fair when the children are identical.
 *
 *   bench-connect --base NAME:PORT --new NAME:PORT [--src ADDR]
 *                 [--dst ADDR] [--wait SECONDS] [--no-check]
 *                 [harness options]
 *
 * --wait retries the first connection to each launcher for up to SECONDS
 * while it is not listening yet.  --concurrency C keeps C connections in
 * flight (C client threads): throughput rather than one client's latency.
 * --floor PATH adds a third variant, the server alone: fork, exec PATH with
 * /dev/null as stdin and stdout, wait.  No launcher can start a server in
 * less time, so base ÷ floor bounds the ratio any launcher can reach.
 *
 * The ratio printed is base time ÷ new time per connection, that is the new
 * launcher's connections/s ÷ the base's (goal: >= 1.5).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_CLIENTS 32

struct target {
	const char *name;
	struct sockaddr_in dst, src;
	char answer[1024];
	unsigned int clients;		/* connections in flight */
};

struct worker {
	struct target t;		/* a copy: its own answer buffer */
	size_t n;
	long done;
};

/* One connection; its answer in t->answer.  Returns 0 or -1 (and when
 * @refused is given, 1 with *refused set on ECONNREFUSED, quietly). */
static int try_one(struct target *t, bool *refused)
{
	size_t got = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&t->src, sizeof(t->src)) < 0 ||
	    connect(fd, (struct sockaddr *)&t->dst, sizeof(t->dst)) < 0) {
		if (refused != NULL && errno == ECONNREFUSED) {
			*refused = true;
			close(fd);
			return 1;
		}
		fprintf(stderr, "bench-connect: %s: connect: %s\n", t->name,
			strerror(errno));
		close(fd);
		return -1;
	}
	while ((n = read(fd, t->answer + got, sizeof(t->answer) - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	t->answer[got] = '\0';
	if (n < 0 || got == 0) {
		fprintf(stderr, "bench-connect: %s: %s\n", t->name,
			n < 0 ? strerror(errno) : "no answer (server refused?)");
		return -1;
	}
	return 0;
}

static int one(struct target *t)
{
	return try_one(t, NULL);
}

/* The first connection, retried while nobody listens, for @wait seconds. */
static int first(struct target *t, int wait)
{
	for (int i = 0;; i++) {
		bool refused = false;
		int r = try_one(t, &refused);

		if (r <= 0)
			return r;
		if (i >= wait * 10) {
			fprintf(stderr, "bench-connect: %s: nobody listens\n",
				t->name);
			return -1;
		}
		usleep(100000);
	}
}

static void *work(void *p)
{
	struct worker *w = p;

	w->done = 0;
	for (size_t i = 0; i < w->n; i++) {
		if (one(&w->t) < 0) {
			w->done = -1;
			break;
		}
		w->done++;
	}
	return NULL;
}

static long op(void *p, size_t n)
{
	struct target *t = p;
	struct worker w[MAX_CLIENTS];
	pthread_t th[MAX_CLIENTS];
	unsigned int c = t->clients;
	long done = 0;

	if (c <= 1) {
		for (size_t i = 0; i < n; i++)
			if (one(t) < 0)
				return -1;
		return (long)n;
	}
	for (unsigned int i = 0; i < c; i++) {
		w[i] = (struct worker){ .t = *t, .n = (n + c - 1) / c };
		if (pthread_create(&th[i], NULL, work, &w[i]) != 0)
			bench_die("pthread_create failed");
	}
	for (unsigned int i = 0; i < c; i++) {
		pthread_join(th[i], NULL);
		if (w[i].done < 0)
			done = -1;
		else if (done >= 0)
			done += w[i].done;
	}
	return done;
}

/* The floor: start the server program, no launcher, no socket. */
static long spawn_op(void *p, size_t n)
{
	const char *path = p;

	for (size_t i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0) {
			int fd = open("/dev/null", O_RDWR);

			if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0)
				_exit(127);
			execl(path, path, (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "bench-connect: %s failed\n", path);
			return -1;
		}
	}
	return (long)n;
}

static void target(struct target *t, const char *spec, const char *src,
		   const char *dst)
{
	const char *colon = strrchr(spec, ':');
	char *name;

	if (colon == NULL)
		bench_die("expected NAME:PORT, got %s", spec);
	name = strndup(spec, (size_t)(colon - spec));
	if (name == NULL)
		bench_die("out of memory");
	t->name = name;
	t->dst = (struct sockaddr_in){ .sin_family = AF_INET,
				       .sin_port = htons(atoi(colon + 1)) };
	t->src = (struct sockaddr_in){ .sin_family = AF_INET };
	if (inet_pton(AF_INET, dst, &t->dst.sin_addr) != 1 ||
	    inet_pton(AF_INET, src, &t->src.sin_addr) != 1)
		bench_die("bad address %s or %s", src, dst);
}

/* The "context=..." word of an answer. */
static char *context_of(const char *answer)
{
	const char *c = strstr(answer, "context=");

	return c != NULL ? strndup(c, strcspn(c, " \n")) : strdup("?");
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	const char *src = "127.0.0.1", *dst = "127.0.0.1";
	const char *base = NULL, *new = NULL, *floor_path = NULL;
	bool check = true;
	int wait = 0, clients = 1;
	struct target *t = calloc(2, sizeof(*t));
	char note[1024];

	argc = bench_parse(&o, argc, argv);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--src") == 0 && i + 1 < argc)
			src = argv[++i];
		else if (strcmp(argv[i], "--dst") == 0 && i + 1 < argc)
			dst = argv[++i];
		else if (strcmp(argv[i], "--base") == 0 && i + 1 < argc)
			base = argv[++i];
		else if (strcmp(argv[i], "--new") == 0 && i + 1 < argc)
			new = argv[++i];
		else if (strcmp(argv[i], "--floor") == 0 && i + 1 < argc)
			floor_path = argv[++i];
		else if (strcmp(argv[i], "--concurrency") == 0 && i + 1 < argc)
			clients = atoi(argv[++i]);
		else if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc)
			wait = atoi(argv[++i]);
		else if (strcmp(argv[i], "--no-check") == 0)
			check = false;
		else
			base = NULL, i = argc;
	}
	if (base == NULL || new == NULL || t == NULL)
		bench_die("usage: bench-connect --base NAME:PORT --new NAME:PORT "
			  "[--src ADDR] [--dst ADDR] [--wait SECONDS] "
			  "[--concurrency C] [--floor PATH] "
			  "[--no-check] [--quick] "
			  "[--rounds N] [--json FILE] [--env NAME]");
	if (clients < 1 || clients > MAX_CLIENTS)
		bench_die("--concurrency: 1 to %d", MAX_CLIENTS);
	target(&t[0], base, src, dst);
	target(&t[1], new, src, dst);
	t[0].clients = t[1].clients = (unsigned int)clients;

	if (first(&t[0], wait) < 0 || first(&t[1], wait) < 0)
		return 1;
	char *c0 = context_of(t[0].answer), *c1 = context_of(t[1].answer);

	if (check && strcmp(c0, c1) != 0)
		bench_die("the children differ: %s runs %s, %s runs %s",
			  t[0].name, c0, t[1].name, c1);
	snprintf(note, sizeof(note), "TCP %s -> %s, %d connection%s in "
		 "flight; both children run %s; connections/s = 1e9 / ns per "
		 "op", src, dst, clients, clients > 1 ? "s" : "", c1);

	struct bench_variant v[3] = {
		{ t[0].name, op, NULL, &t[0] },
		{ t[1].name, op, NULL, &t[1] },
	};
	char pname[96], fname[96];

	snprintf(pname, sizeof(pname), "%s / %s", t[1].name, t[0].name);
	snprintf(fname, sizeof(fname), "ceiling: server alone / %s",
		 t[0].name);
	struct bench_pair p[2] = {
		/* time base / time new = rate new / rate base */
		{ pname, 0, 1, GOAL_AT_LEAST, 1.5 },
		/* what a launcher that cost nothing would reach */
		{ fname, 0, 2, GOAL_NONE, 0 },
	};
	int nv = 2, np = 1;

	if (floor_path != NULL && clients <= 1) {
		v[nv++] = (struct bench_variant){ "server alone (fork+exec)",
			spawn_op, NULL, (void *)floor_path };
		np = 2;
	}

	o.max_iters = o.quick ? 4 : 200;
	char title[32];

	snprintf(title, sizeof(title), clients > 1 ? "inetd-c%d" : "inetd",
		 clients);
	int r = bench_compare(&o, title, note, v, nv, p, np);

	free(c0);
	free(c1);
	return r < 0;
}
