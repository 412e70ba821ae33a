/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: peersec-inetd's configuration parser on any bytes.
 * Every input is either a table or a "file:line: reason" message, never a
 * crash, a leak or a read past the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inetd_config *cfg = NULL;
	char err[INETD_ERR_MAX];
	FILE *f;

	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (f == NULL)
		return 0;
	if (inetd_config_parse(f, "fuzz", &cfg, err) == 0) {
		if (cfg->n == 0 || cfg->svc[0].argv[0] == NULL)
			__builtin_trap();
		inetd_config_free(cfg);
	} else if (strncmp(err, "fuzz:", 5) != 0) {
		__builtin_trap();
	}
	fclose(f);
	return 0;
}
