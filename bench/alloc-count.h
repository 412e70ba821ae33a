/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A heap allocation counter for one program: alloc-count.c defines malloc and
 * its relatives, which the dynamic linker then binds for every object in the
 * process (the library, libc's own internal calls, libselinux), counts each
 * call and hands it to glibc's allocator.
 */
#ifndef PEERSEC_BENCH_ALLOC_COUNT_H
#define PEERSEC_BENCH_ALLOC_COUNT_H

/* Allocations (malloc, calloc, realloc, memalign and friends) so far. */
unsigned long alloc_count(void);

#endif
