/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Count every heap allocation of the process.  glibc supports replacing its
 * malloc this way and exports its own as __libc_*; all of glibc's internal
 * allocations (strdup, asprintf ...) go through the replaced symbols too.
 */
#include <errno.h>
#include <stddef.h>

#include "alloc-count.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

static unsigned long allocs;

static void count(void)
{
	__atomic_add_fetch(&allocs, 1, __ATOMIC_RELAXED);
}

unsigned long alloc_count(void)
{
	return __atomic_load_n(&allocs, __ATOMIC_RELAXED);
}

/* The replacements, declared here because they must be exported. */
void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void *reallocarray(void *p, size_t n, size_t size);
void *memalign(size_t align, size_t size);
void *aligned_alloc(size_t align, size_t size);
int posix_memalign(void **out, size_t align, size_t size);
void *valloc(size_t size);
void *pvalloc(size_t size);

void *malloc(size_t size)
{
	count();
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	count();
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	count();
	return __libc_realloc(p, size);
}

void *reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > (size_t)-1 / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}

void *memalign(size_t align, size_t size)
{
	count();
	return __libc_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
	return memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (align % sizeof(void *) != 0 || (align & (align - 1)) != 0)
		return EINVAL;
	p = memalign(align, size);
	if (p == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

void *valloc(size_t size)
{
	count();
	return __libc_valloc(size);
}

void *pvalloc(size_t size)
{
	count();
	return __libc_pvalloc(size);
}
