/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-nosys SYSCALL PROGRAM [ARG...]: run PROGRAM with one system call
 * failing with ENOSYS, as on a kernel that lacks it (or under a container's
 * seccomp profile).  SYSCALL is pidfd_open or pidfd_getfd.  For
 * cli/test-cli.sh: peersec get's messages for kernels older than 5.3/5.6.
 * Exits 77 (skip) when seccomp filters are not available.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "peersec.h"

/* The architecture whose system call numbers the filter compares. */
#if defined(__x86_64__) && defined(__ILP32__)
#define NATIVE_ARCH 0	/* x32: numbers carry __X32_SYSCALL_BIT */
#elif defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define NATIVE_ARCH AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_ARCH AUDIT_ARCH_RISCV64
#elif defined(__s390x__)
#define NATIVE_ARCH AUDIT_ARCH_S390X
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_ARCH AUDIT_ARCH_PPC64LE
#else
#define NATIVE_ARCH 0
#endif

int main(int argc, char **argv)
{
	long nr;

	if (argc < 3) {
		fprintf(stderr, "usage: test-nosys pidfd_open|pidfd_getfd PROGRAM [ARG...]\n");
		return 2;
	}
	if (strcmp(argv[1], "pidfd_open") == 0) {
		nr = SYS_pidfd_open;
	} else if (strcmp(argv[1], "pidfd_getfd") == 0) {
		nr = SYS_pidfd_getfd;
	} else {
		fprintf(stderr, "test-nosys: unknown system call %s\n", argv[1]);
		return 2;
	}
	if (NATIVE_ARCH == 0) {
		fprintf(stderr, "test-nosys: no filter for this architecture\n");
		return 77;
	}

	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(code) / sizeof(code[0]),
		.filter = code,
	};

	/* no new privileges: what lets an unprivileged process filter */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		fprintf(stderr, "test-nosys: seccomp: %s\n", strerror(errno));
		return errno == EINVAL || errno == ENOSYS ? 77 : 1;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "test-nosys: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
