/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The benchmark harness shared by every bench-* program.
 *
 * A benchmark compares variants that do the same work (the library's call
 * and the code a daemon would write without it).  The harness runs them
 * interleaved in one process: each round runs every variant once, in an
 * order that rotates from round to round, so a slow spell of the machine
 * hits all of them alike.  Each variant times its own batch (so that a
 * variant may prepare untimed work, such as filling a receive queue) and
 * reports nanoseconds per operation.  The harness prints the median and the
 * spread of each variant, and for each declared pair the ratio of medians
 * and the median of the per-round ratios, with its goal.
 */
#ifndef PEERSEC_BENCH_H
#define PEERSEC_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A variant: op() does @n operations (or fewer, when prepare() made fewer
 * ready) and returns how many it did, or -1 after printing why.  The harness
 * times op() alone.  prepare(), when set, runs untimed before each op() and
 * returns how many operations it made ready (datagrams queued, say), or -1.
 */
typedef long (*bench_op)(void *ctx, size_t n);
typedef long (*bench_prepare)(void *ctx, size_t n);

struct bench_variant {
	const char *name;
	bench_op op;
	bench_prepare prepare;
	void *ctx;
};

enum bench_goal { GOAL_NONE, GOAL_AT_MOST, GOAL_AT_LEAST };

/* numerator ÷ denominator, indices into the variant array. */
struct bench_pair {
	const char *name;
	int num, den;
	enum bench_goal goal;
	double limit;
};

struct bench_opts {
	bool quick;		/* a few short rounds: does it work at all */
	int rounds;		/* measured rounds (one warm-up round more) */
	double batch_ms;	/* wanted duration of one variant's batch */
	size_t max_iters;	/* a variant can do at most this many per batch */
	const char *json;	/* append one JSON line per comparison here */
	const char *env;	/* where this runs: "host", "lab" ... */
};

/* Parse the options every bench program takes (--quick, --rounds N,
 * --batch-ms MS, --json FILE, --env NAME); removes them from argv and
 * returns the new argc.  Exits with usage on a malformed option. */
int bench_parse(struct bench_opts *o, int argc, char **argv);

uint64_t bench_now_ns(void);

/* Run the comparison called @title (@note adds a line of context, such as the
 * label size) and print its table.  Returns 0 when every pair met its goal,
 * 1 when one missed it, -1 when a variant failed. */
int bench_compare(const struct bench_opts *o, const char *title,
		  const char *note, struct bench_variant *v, int nv,
		  const struct bench_pair *p, int np);

/* Append a JSON line {"bench":@title,"env":..,@fields} for a figure that is
 * a count rather than a time.  @fields is a JSON fragment without braces. */
void bench_json_raw(const struct bench_opts *o, const char *title,
		    const char *fields);

/* Print @fmt to stderr with the program's name and exit 1. */
_Noreturn void bench_die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
