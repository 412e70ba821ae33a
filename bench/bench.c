/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The benchmark harness: interleaved rounds, robust statistics, a plain
 * table on stdout and one JSON line per comparison.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#define MAX_VARIANTS 8

_Noreturn void bench_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr,
		"options shared by every bench program:\n"
		"  --quick         a few short rounds (checks that it works)\n"
		"  --rounds N      measured rounds (default 31)\n"
		"  --batch-ms MS   duration of one variant's batch (default 20)\n"
		"  --json FILE     append the figures to FILE, one JSON line "
		"each\n"
		"  --env NAME      where this runs, recorded in the JSON "
		"(default host)\n");
	exit(2);
}

int bench_parse(struct bench_opts *o, int argc, char **argv)
{
	int out = 1;

	*o = (struct bench_opts){
		.rounds = 31, .batch_ms = 20, .max_iters = 1000000,
		.env = "host",
	};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--quick") == 0) {
			o->quick = true;
		} else if (strcmp(a, "--rounds") == 0 && val) {
			o->rounds = atoi(val);
			i++;
		} else if (strcmp(a, "--batch-ms") == 0 && val) {
			o->batch_ms = atof(val);
			i++;
		} else if (strcmp(a, "--json") == 0 && val) {
			o->json = val;
			i++;
		} else if (strcmp(a, "--env") == 0 && val) {
			o->env = val;
			i++;
		} else if (strcmp(a, "--help") == 0) {
			usage();
		} else {
			argv[out++] = argv[i];
		}
	}
	if (o->quick) {
		o->rounds = 3;
		o->batch_ms = 1;
	}
	if (o->rounds < 1 || o->batch_ms <= 0)
		usage();
	argv[out] = NULL;
	return out;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile q of sorted @s (n > 0), linear between neighbours. */
static double quantile(const double *s, int n, double q)
{
	double pos = q * (n - 1);
	int lo = (int)floor(pos);
	int hi = lo + 1 < n ? lo + 1 : lo;

	return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

struct stats {
	double med, q1, q3, min, max;
};

static struct stats summarise(const double *x, int n)
{
	double *s = malloc(sizeof(*s) * n);
	struct stats st;

	if (s == NULL)
		bench_die("out of memory");
	memcpy(s, x, sizeof(*s) * n);
	qsort(s, n, sizeof(*s), cmp_double);
	st = (struct stats){
		.med = quantile(s, n, 0.5), .q1 = quantile(s, n, 0.25),
		.q3 = quantile(s, n, 0.75), .min = s[0], .max = s[n - 1],
	};
	free(s);
	return st;
}

static int run_one(struct bench_variant *v, size_t iters, double *per_op)
{
	uint64_t t0;
	long ops;

	if (v->prepare != NULL) {
		long ready = v->prepare(v->ctx, iters);

		if (ready < 0)
			return -1;
		iters = (size_t)ready;
	}
	t0 = bench_now_ns();
	ops = v->op(v->ctx, iters);
	t0 = bench_now_ns() - t0;
	if (ops < 0)
		return -1;
	if (ops == 0) {
		fprintf(stderr, "%s: variant %s did no work\n",
			program_invocation_short_name, v->name);
		return -1;
	}
	*per_op = (double)t0 / (double)ops;
	return 0;
}

/* One common batch size, so that no variant runs much longer than the
 * wanted batch: grow it on the slowest variant. */
static int calibrate(const struct bench_opts *o, struct bench_variant *v,
		     int nv, size_t *iters)
{
	double slowest = 0;

	for (int i = 0; i < nv; i++) {
		double per_op, best = 0;

		/* the first run warms caches and pages; the best of the next
		 * three, so that one disturbed run does not shrink the batch */
		if (run_one(&v[i], 16, &per_op) < 0)
			return -1;
		for (int k = 0; k < 3; k++) {
			if (run_one(&v[i], 16, &per_op) < 0)
				return -1;
			if (k == 0 || per_op < best)
				best = per_op;
		}
		if (best > slowest)
			slowest = best;
	}
	double want = o->batch_ms * 1e6 / (slowest > 1 ? slowest : 1);

	*iters = want < 16 ? 16 : want > o->max_iters ? o->max_iters :
		(size_t)want;
	return 0;
}

static const char *goal_text(enum bench_goal g, double limit, char *buf,
			     size_t size)
{
	if (g == GOAL_NONE)
		return "-";
	snprintf(buf, size, "%s %.2f", g == GOAL_AT_MOST ? "<=" : ">=",
		 limit);
	return buf;
}

static bool goal_met(enum bench_goal g, double limit, double r)
{
	return g == GOAL_NONE || (g == GOAL_AT_MOST ? r <= limit : r >= limit);
}

static FILE *json_open(const struct bench_opts *o)
{
	FILE *f;

	if (o->json == NULL)
		return NULL;
	f = fopen(o->json, "a");
	if (f == NULL)
		bench_die("%s: %s", o->json, strerror(errno));
	return f;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s != NULL && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void bench_json_raw(const struct bench_opts *o, const char *title,
		    const char *fields)
{
	FILE *f = json_open(o);

	if (f == NULL)
		return;
	fputs("{\"bench\":", f);
	json_string(f, title);
	fputs(",\"env\":", f);
	json_string(f, o->env);
	fprintf(f, ",\"quick\":%s,%s}\n", o->quick ? "true" : "false",
		fields);
	fclose(f);
}

int bench_compare(const struct bench_opts *o, const char *title,
		  const char *note, struct bench_variant *v, int nv,
		  const struct bench_pair *p, int np)
{
	double *ns[MAX_VARIANTS], *paired;
	struct stats st[MAX_VARIANTS];
	int rounds = o->rounds, result = 0;
	size_t iters;
	FILE *json;
	char g[32];

	if (nv > MAX_VARIANTS)
		bench_die("too many variants");
	if (calibrate(o, v, nv, &iters) < 0)
		return -1;
	paired = calloc(rounds, sizeof(double));
	for (int i = 0; i < nv; i++) {
		ns[i] = calloc(rounds, sizeof(double));
		if (ns[i] == NULL || paired == NULL)
			bench_die("out of memory");
	}

	/* Round -1 warms up and is thrown away.  Each round starts with a
	 * different variant, so none always runs first or last. */
	for (int r = -1; r < rounds; r++) {
		for (int k = 0; k < nv; k++) {
			int i = (k + (r < 0 ? 0 : r)) % nv;
			double per_op;

			if (run_one(&v[i], iters, &per_op) < 0)
				return -1;
			if (r >= 0)
				ns[i][r] = per_op;
		}
	}

	printf("\n== %s  [%s]\n", title, o->env);
	if (note != NULL)
		printf("   %s\n", note);
	printf("   %d rounds interleaved, %zu ops per variant per round%s\n",
	       rounds, iters, o->quick ? " (--quick: not a measurement)" : "");
	printf("   %-40s %10s %10s %10s %10s %10s\n", "variant (ns/op)",
	       "median", "q1", "q3", "min", "max");
	for (int i = 0; i < nv; i++) {
		st[i] = summarise(ns[i], rounds);
		printf("   %-40s %10.1f %10.1f %10.1f %10.1f %10.1f\n",
		       v[i].name, st[i].med, st[i].q1, st[i].q3, st[i].min,
		       st[i].max);
	}
	printf("   %-40s %9s %16s %18s %7s %9s\n", "ratio", "medians",
	       "paired median", "paired q1-q3", "mins", "goal");

	json = json_open(o);
	if (json != NULL) {
		fputs("{\"bench\":", json);
		json_string(json, title);
		fputs(",\"env\":", json);
		json_string(json, o->env);
		fputs(",\"note\":", json);
		json_string(json, note);
		fprintf(json, ",\"quick\":%s,\"rounds\":%d,\"iters\":%zu,"
			"\"variants\":[", o->quick ? "true" : "false", rounds,
			iters);
		for (int i = 0; i < nv; i++) {
			fprintf(json, "%s{\"name\":", i ? "," : "");
			json_string(json, v[i].name);
			fprintf(json, ",\"median_ns\":%.2f,\"q1_ns\":%.2f,"
				"\"q3_ns\":%.2f,\"min_ns\":%.2f,"
				"\"max_ns\":%.2f}", st[i].med, st[i].q1,
				st[i].q3, st[i].min, st[i].max);
		}
		fputs("],\"ratios\":[", json);
	}

	for (int k = 0; k < np; k++) {
		const struct bench_pair *q = &p[k];
		struct stats ps;
		double rm;
		bool met;

		for (int r = 0; r < rounds; r++)
			paired[r] = ns[q->num][r] / ns[q->den][r];
		ps = summarise(paired, rounds);
		rm = st[q->num].med / st[q->den].med;
		met = goal_met(q->goal, q->limit, ps.med);
		if (!met)
			result = 1;
		printf("   %-40s %9.3f %16.3f %8.3f - %-7.3f %7.3f %9s %s\n",
		       q->name, rm, ps.med, ps.q1, ps.q3,
		       st[q->num].min / st[q->den].min,
		       goal_text(q->goal, q->limit, g, sizeof(g)),
		       q->goal == GOAL_NONE ? "" : met ? "met" : "MISSED");
		if (json != NULL) {
			fprintf(json, "%s{\"name\":", k ? "," : "");
			json_string(json, q->name);
			fprintf(json, ",\"num\":");
			json_string(json, v[q->num].name);
			fprintf(json, ",\"den\":");
			json_string(json, v[q->den].name);
			fprintf(json, ",\"ratio_of_medians\":%.4f,"
				"\"paired_median\":%.4f,\"paired_q1\":%.4f,"
				"\"paired_q3\":%.4f,\"ratio_of_mins\":%.4f,"
				"\"goal\":", rm, ps.med, ps.q1, ps.q3,
				st[q->num].min / st[q->den].min);
			if (q->goal == GOAL_NONE)
				fputs("null,\"met\":null}", json);
			else
				fprintf(json, "\"%s %.2f\",\"met\":%s}",
					q->goal == GOAL_AT_MOST ? "<=" : ">=",
					q->limit, met ? "true" : "false");
		}
	}
	if (json != NULL) {
		fputs("]}\n", json);
		fclose(json);
	}
	fflush(stdout);
	for (int i = 0; i < nv; i++)
		free(ns[i]);
	free(paired);
	return result;
}
