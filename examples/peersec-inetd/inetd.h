/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What peersec-inetd's files share.  One process, one thread, one poll loop
 * (main.c); signals arrive through a signalfd.
 *
 *   config.c      the file format, parsed into a table of services
 *   services.c    the listening sockets, kept across reloads
 *   activation.c  sockets handed over by systemd (LISTEN_FDS)
 *   stream.c      TCP and SCTP one-to-one: accept, label, spawn
 *   udp.c         UDP: one handler per datagram, its answering socket
 *   stats.c       what became of every connection and datagram; the
 *                 limits (per_source, cps) and the refusal lines' rate
 *   decide.c      the server's context, the cache of decisions
 *   spawn.c       the clone child: setexeccon, limits, exec of the opened
 *                 server
 *   children.c    the children table: settling each start, reaping
 *   log.c         stderr or syslog
 */
#ifndef INETD_H
#define INETD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <syslog.h>

#include "config.h"

#define INETD_DGRAM_MAX 65536		/* biggest UDP payload, rounded up */
#define INETD_BATCH 32			/* accepts or datagrams per wakeup */
#define INETD_WHY_MAX 256		/* a refusal's reason */
#define INETD_MAX_SERVERS_DEFAULT 1024	/* servers at once, all services */
#define INETD_REFUSAL_RATE_DEFAULT 50	/* refusal lines per second */

/* ---- log.c ---- */
/* Room for a peer label in a log line: longer ones are cut, and say so. */
#define INETD_LOG_LABEL_MAX 320
void inetd_log_open(bool use_syslog);
/* @in with control characters, '\\' and bytes above 0x7e as \xHH, cut to
 * fit @size with "...(N bytes)" at the end. */
void inetd_escape(const char *in, char *out, size_t size);
__attribute__((format(printf, 2, 3)))
void inetd_log(int prio, const char *fmt, ...);

/* ---- activation.c ---- */
/* Sockets systemd passed (LISTEN_PID matches us), each taken at most once. */
struct inetd_activation {
	int *fd;			/* -1 once taken */
	char **name;			/* LISTEN_FDNAMES, or NULL entries */
	size_t n;
};
/* Read and unset LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES; mark the sockets
 * close-on-exec and non-blocking.  0 also when there are none. */
int inetd_activation_read(struct inetd_activation *act);
/* The passed socket that fits @s (by name, else by protocol and local
 * address), removed from @act; -1 if none. */
int inetd_activation_take(struct inetd_activation *act,
			  const struct inetd_service *s);
/* Close and forget what no service took. */
void inetd_activation_done(struct inetd_activation *act);

/* ---- the launcher's state ---- */
/*
 * A child, from its clone to its exit.  Until its start is confirmed
 * (status_fd >= 0) it is "starting": the event loop watches its status pipe,
 * and when the exec is done it checks the server's context (children.c).
 */
struct inetd_child {
	pid_t pid;
	char service[INETD_NAME_MAX + 1];
	int status_fd;			/* -1 once the start is settled */
	int proto;			/* for the log */
	bool exec_done;			/* its status pipe said so */
	long long deadline;		/* ms: stop waiting for its context */
	char *ctx;			/* derived context, while starting */
	char *label;			/* peer's, while starting, or NULL */
	struct sockaddr_storage addr;	/* the peer, for the log */
	long long born_ms;		/* CLOCK_MONOTONIC, for the log */
	long long kill_ms;		/* max_runtime: killed then; 0: never */
	bool killed;			/* max_runtime reached */
	/* UDP: the launcher's copy of the handler's answering socket, and
	 * its kernel drop count once it was connected (udp.c). */
	int reply_fd;			/* -1: none */
	unsigned int reply_drops;
};

/*
 * What became of the connections and datagrams of one service (by name and
 * protocol, kept across reloads).  Every datagram that reached the
 * launcher's socket is served (a handler was started for it), refused (a
 * log line says why), or dropped, counted here by reason:
 *   busy    sent from the address and port of a handler still running:
 *           the kernel delivers it to that handler's answering socket,
 *           whose filter drops it (counted from that socket's drop count
 *           when the handler ends, and logged)
 *   setup   reached an answering socket in the moment between its bind and
 *           its connect (counted the same way)
 *   queue   dropped by the kernel at the listening socket: receive queue
 *           full, or a filter or the policy refused it (SO_RXQ_OVFL and
 *           SO_MEMINFO)
 */
struct inetd_stats {
	char name[INETD_NAME_MAX + 1];
	enum inetd_proto proto;
	unsigned long received;		/* connections accepted, datagrams read */
	unsigned long served, refused;
	unsigned long drop_busy, drop_setup, drop_queue;
	unsigned long held;		/* refusal lines not written yet */
	bool unverified;		/* a server's context was unreadable */
};

/*
 * Derived contexts, remembered per (service, peer label) for one
 * configuration and one loaded policy (decide.c, "the context cache").
 */
#define INETD_CACHE_MAX 64
struct inetd_cache_entry {
	const struct inetd_service *svc;	/* NULL: free slot */
	char *label;			/* the peer label; NULL for none */
	char *filecon;			/* the server file's context then */
	char *ctx;			/* what was derived (and accepted), or */
	char *why;			/* why the policy refused it */
};

struct inetd_state {
	const char *config_path;
	struct inetd_config *cfg;
	int *fd;			/* listening socket of cfg->svc[i] */
	unsigned int *fd_drops;		/* its kernel drop count, last seen */
	char *own_context;		/* getcon_raw() at start */
	struct inetd_child *child;
	size_t nchild, child_cap;
	char *label;			/* PEERSEC_LABEL_MAX bytes */
	char *dgram;			/* INETD_DGRAM_MAX bytes */
	unsigned long started, refused;	/* counters, for the log */
	unsigned long derived, cached;	/* contexts derived, taken from cache */
	unsigned long refusals_cached;	/* refusals taken from the cache */
	unsigned int max_servers;	/* children at once, all services */
	unsigned int refusal_rate;	/* refusal lines per second; 0: all */
	long long log_second_ms;	/* the current second of refusal lines */
	unsigned int log_lines;		/* written in it */
	unsigned long log_held;		/* held back, not yet reported */
	size_t nstarting;		/* children whose start is unsettled */
	bool status_page;		/* selinux_status_open() worked */
	int cache_policy;		/* policy load count the cache is for */
	size_t cache_next;		/* slot to reuse when full */
	struct inetd_cache_entry cache[INETD_CACHE_MAX];
	struct inetd_stats *stats;	/* per service, see above */
	size_t nstats;
};

/* ---- stats.c ---- */
/* The counters of service @name over @proto (made on first use; a shared
 * catch-all entry when memory is short). */
struct inetd_stats *inetd_stats_of(struct inetd_state *st, const char *name,
				   enum inetd_proto proto);
/* The kernel's drop count of socket @fd (SO_MEMINFO), or 0. */
unsigned int inetd_sock_drops(int fd);
/* Listener @i of the table: count what the kernel dropped there since it
 * was last looked at (@now: a count just read, or 0 to ask SO_MEMINFO). */
void inetd_listener_drops(struct inetd_state *st, size_t i, unsigned int now);
/* One line per service, then the totals, prefixed by @what. */
void inetd_stats_report(struct inetd_state *st, const char *what);

/* CLOCK_MONOTONIC in milliseconds. */
long long inetd_now_ms(void);
/* A refusal line for @stats may be written now (true), or is held back and
 * counted (false).  At most st->refusal_rate lines a second. */
bool inetd_refusal_line(struct inetd_state *st, struct inetd_stats *stats);
/* Once the second is over (or @now), log how many refusal lines were held
 * back, per service. */
void inetd_refusal_flush(struct inetd_state *st, bool now);
/* A connection or datagram came for @s: false when it exceeds the
 * service's cps rate (the service is then paused, and that is logged). */
bool inetd_cps_take(struct inetd_state *st, struct inetd_service *s);
/* Whether @s may be served now (not paused by cps); resumes it, logged,
 * when its pause is over. */
bool inetd_cps_open(struct inetd_service *s);

/* ---- services.c ---- */
/* Make @st use @cfg: reuse the listeners of services on the same protocol
 * and address, take sockets from @act (may be NULL), open the others, close
 * the ones no longer used.  On failure @st is unchanged and -1 returned. */
int inetd_services_apply(struct inetd_state *st, struct inetd_config *cfg,
			 struct inetd_activation *act);
void inetd_services_close(struct inetd_state *st);
/* IP_PASSSEC and packet info on a UDP listener. */
int inetd_udp_prepare(int fd, int family);

/* ---- stream.c, udp.c ---- */
void inetd_stream_ready(struct inetd_state *st, size_t i);
void inetd_udp_ready(struct inetd_state *st, size_t i);
/* The handler of @c ended: count what its answering socket dropped, log
 * it, and close the launcher's copy. */
void inetd_udp_reply_done(struct inetd_state *st,
			  const struct inetd_child *c);

/* ---- children.c ---- */
/* What a failing child writes into its status pipe (besides telling the
 * parent through the memory they share): where the clone did not share
 * memory (a tool that turns it into a fork, as valgrind does), the parent
 * learns of the failure from there. */
struct inetd_failure {
	const char *step;		/* a string literal: same address */
	int err;
};

/* A new slot in the children table for @pid of service @name; -1 when
 * out of memory. */
int inetd_child_add(struct inetd_state *st, pid_t pid, const char *name);
/* The start of @c is decided: @why NULL for good, else the refusal's
 * reason (the server and its session are killed). */
void inetd_settle(struct inetd_state *st, struct inetd_child *c,
		  const char *why);
/* Settle the start of @c at once when its context is already there. */
void inetd_early_check(struct inetd_state *st, struct inetd_child *c);

/* ---- decide.c (contexts, their caches, refusals), children.c (the
 * children table, limits, reaping) and spawn.c (starting a server) ---- */
/* Who asked: for the log and the server's environment. */
struct inetd_peer {
	struct sockaddr_storage addr;	/* the peer */
	struct sockaddr_storage local;	/* where it reached us */
	const char *label;		/* NULL: none */
};

/*
 * Decide the context for a peer of @s.  On success 0 and a string to free()
 * in *@ctx.  On refusal -1 and a reason in @why (INETD_WHY_MAX bytes).
 */
int inetd_decide(struct inetd_state *st, const struct inetd_service *s,
		 const struct inetd_peer *peer, char **ctx, char *why);

/* How the server's stdin and stdout are made. */
struct inetd_io {
	int conn;			/* stream: the connection, both */
	/* UDP: the datagram goes on a pipe (stdin); stdout is @reply, a UDP
	 * socket bound to @peer->local and connected to @peer->addr
	 * (udp.c).  inetd_spawn() takes it (sets -1) when the child is
	 * made. */
	const void *dgram;
	size_t dgram_len;
	int reply;
	unsigned int reply_drops;	/* its drop count once connected */
};

/*
 * Start @s's server in @ctx for @peer.  Returns 0 when the child was made
 * and passed every check up to its exec; the start is settled later by
 * inetd_starting_ready() (or at once, when its exec is already done).  -1
 * after logging the refusal.  Nothing the caller passed is closed.
 */
int inetd_spawn(struct inetd_state *st, const struct inetd_service *s,
		const struct inetd_peer *peer, const char *ctx,
		struct inetd_io *io);

/* Empty the capability bounding set and the ambient set, lock the
 * securebits that keep uid 0 from gaining capabilities on exec: for the
 * launcher and so for every server.  0, or -1 with @why (INETD_WHY_MAX). */
int inetd_caps_init(char *why);

/* Children of service @name now running. */
unsigned int inetd_children_of(const struct inetd_state *st,
			       const char *name);
/* Children of service @name serving the source address of @addr. */
unsigned int inetd_children_from(const struct inetd_state *st,
				 const char *name,
				 const struct sockaddr_storage *addr);
/* Whether service @s may start one more server now: its instances, the
 * global max_servers, its cps pause. */
bool inetd_may_serve(struct inetd_state *st, struct inetd_service *s);
/* Kill the servers past their max_runtime; the poll timeout (ms, -1: none)
 * until the next one is due. */
int inetd_runtime_tick(struct inetd_state *st);
/* Reap every child that exited; logs each. */
void inetd_reap(struct inetd_state *st);
/* Starting children whose exec is not done: their status pipes, to poll.
 * Fills @fd[] and @who[] (room for st->nstarting each) with the pipes and
 * the children's pids; returns how many. */
size_t inetd_starting_fds(const struct inetd_state *st, int *fd, pid_t *who);
/* The status pipe of child @pid is readable: settle its start if it can. */
void inetd_starting_ready(struct inetd_state *st, pid_t pid);
/* Poll timeout for the starting children: -1 (none is waiting for its
 * credentials) or milliseconds. */
int inetd_starting_timeout(const struct inetd_state *st);
/* Check again the children whose exec is done but whose context was not yet
 * the new one. */
void inetd_starting_tick(struct inetd_state *st);
/* Forget every remembered context (a new configuration, or doubt). */
void inetd_cache_flush(struct inetd_state *st);

/* Log a refusal the standard way. */
void inetd_refuse(struct inetd_state *st, const struct inetd_service *s,
		  const struct inetd_peer *peer, const char *why);

#endif
