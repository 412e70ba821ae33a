/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec-inetd's configuration parser (examples/peersec-inetd/config.c),
 * built alone: good files give the expected table, bad files are refused
 * with "file:line: reason".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"

static struct inetd_config *parse_ok(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct inetd_config *cfg = NULL;
	char err[INETD_ERR_MAX] = "";

	assert_non_null(f);
	if (inetd_config_parse(f, "t.conf", &cfg, err) != 0)
		fail_msg("refused: %s", err);
	fclose(f);
	assert_non_null(cfg);
	return cfg;
}

static void refused(const char *text, const char *want)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct inetd_config *cfg = (void *)0x1;
	char err[INETD_ERR_MAX] = "";

	assert_non_null(f);
	assert_int_equal(inetd_config_parse(f, "t.conf", &cfg, err), -1);
	fclose(f);
	assert_ptr_equal(cfg, (void *)0x1);
	assert_string_equal(err, want);
}

#define SVC(body) "service s\n{\n" body "}\n"
#define MIN "protocol = tcp\nport = 7\nuser = root\nserver = /bin/true\n"

static void full_service(void **state)
{
	struct inetd_config *cfg = parse_ok(
		"# a comment\n"
		"\n"
		"service echo-ctx\n"
		"{\n"
		"\tprotocol     = tcp\n"
		"\tsocket_type  = stream\n"
		"\twait         = no\n"
		"\tbind         = 127.0.0.1\n"
		"\tport         = 7001\n"
		"\tuser         = 0\n"
		"\tgroup        = 0\n"
		"\tserver       = /usr/bin/ctx\n"
		"\tserver_args  = -v  --flag\tlast\n"
		"\tlabel        = optional\n"
		"\tunlabeled_level = s0\n"
		"\tmax_range    = s0-s3:c0.c255\n"
		"\tinstances    = 5\n"
		"\tbase_context = system_u:system_r:inetd_t:s0-s15:c0.c1023\n"
		"\t# a comment inside\n"
		"}\n");
	const struct inetd_service *s = &cfg->svc[0];
	const struct sockaddr_in *in = (const void *)&s->addr;

	assert_int_equal(cfg->n, 1);
	assert_string_equal(s->name, "echo-ctx");
	assert_int_equal(s->line, 3);
	assert_int_equal(s->proto, INETD_TCP);
	assert_int_equal(in->sin_family, AF_INET);
	assert_int_equal(ntohs(in->sin_port), 7001);
	assert_int_equal(in->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	assert_int_equal(s->addr_len, sizeof(*in));
	assert_int_equal(s->uid, 0);
	assert_int_equal(s->gid, 0);
	assert_string_equal(s->server, "/usr/bin/ctx");
	assert_string_equal(s->argv[0], "/usr/bin/ctx");
	assert_string_equal(s->argv[1], "-v");
	assert_string_equal(s->argv[2], "--flag");
	assert_string_equal(s->argv[3], "last");
	assert_null(s->argv[4]);
	assert_false(s->label_required);
	assert_int_equal(s->instances, 5);
	assert_string_equal(s->base_context,
			    "system_u:system_r:inetd_t:s0-s15:c0.c1023");
	assert_string_equal(s->unlabeled_level, "s0");
	assert_string_equal(s->max_range, "s0-s3:c0.c255");
	inetd_config_free(cfg);
}

static void defaults(void **state)
{
	struct inetd_config *cfg = parse_ok(SVC(MIN));
	const struct inetd_service *s = &cfg->svc[0];
	const struct sockaddr_in *in = (const void *)&s->addr;

	assert_int_equal(in->sin_addr.s_addr, htonl(INADDR_ANY));
	assert_true(s->label_required);		/* fail closed by default */
	assert_int_equal(s->instances, INETD_INSTANCES_DEFAULT);
	assert_null(s->base_context);
	assert_int_equal(s->gid, 0);		/* root's primary group */
	assert_null(s->argv[1]);
	inetd_config_free(cfg);
}

static void several_services_and_styles(void **state)
{
	struct inetd_config *cfg = parse_ok(
		"service a {\n" MIN "}\n"
		"   service b{\n"
		"protocol=udp\nport=7\nuser=root\nserver=/bin/true\n"
		"socket_type = dgram\n"
		"   }   \n"
		"service c\n"
		"  {  \n"
		"protocol = sctp\nport = 7\nuser = root\nserver = /bin/true\n"
		"bind = ::1\n"
		"}\n"
		"service off\n{\n" MIN "disable = yes\n}\n"
		"service on\n{\n"
		"protocol = tcp\nport = 8\nuser = root\nserver = /bin/true\n"
		"disable = no\n}\n");
	const struct sockaddr_in6 *in6 = (const void *)&cfg->svc[2].addr;

	assert_int_equal(cfg->n, 4);	/* "off" is left out */
	assert_string_equal(cfg->svc[0].name, "a");
	assert_string_equal(cfg->svc[1].name, "b");
	assert_int_equal(cfg->svc[1].proto, INETD_UDP);
	assert_int_equal(cfg->svc[2].proto, INETD_SCTP);
	assert_int_equal(in6->sin6_family, AF_INET6);
	assert_true(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
	assert_int_equal(cfg->svc[2].addr_len, sizeof(*in6));
	assert_string_equal(cfg->svc[3].name, "on");
	assert_int_equal(cfg->svc[3].line, 30);
	inetd_config_free(cfg);
}

static void same_port_other_protocol_or_address(void **state)
{
	struct inetd_config *cfg = parse_ok(
		"service t {\n" MIN "bind = 127.0.0.1\n}\n"
		"service u {\nprotocol = udp\nport = 7\nuser = root\n"
		"server = /bin/true\nbind = 127.0.0.1\n}\n"
		"service t2 {\nprotocol = tcp\nport = 7\nuser = root\n"
		"server = /bin/true\nbind = 127.0.0.2\n}\n");

	assert_int_equal(cfg->n, 3);
	inetd_config_free(cfg);
}

static void last_line_without_newline(void **state)
{
	struct inetd_config *cfg = parse_ok("service a {\n" MIN "}");

	assert_int_equal(cfg->n, 1);
	inetd_config_free(cfg);
}

/* ---- refusals, each with its line ------------------------------------- */

static void refused_structure(void **state)
{
	refused("", "t.conf:1: no enabled service");
	refused("# only\n\n", "t.conf:2: no enabled service");
	refused("service a\n{\n" MIN "disable = yes\n}\n",
		"t.conf:8: no enabled service");
	refused("protocol = tcp\n",
		"t.conf:1: expected \"service NAME\", found \"protocol = tcp\"");
	refused("service\n{\n}\n", "t.conf:1: service has no name");
	refused("service a b\n{\n}\n",
		"t.conf:1: service name \"a b\" is not 1 to 63 letters, "
		"digits, '_', '.' or '-'");
	refused("service a/b {\n}\n",
		"t.conf:1: service name \"a/b\" is not 1 to 63 letters, "
		"digits, '_', '.' or '-'");
	refused("service a\nprotocol = tcp\n",
		"t.conf:2: expected \"{\" after \"service a\"");
	refused("service a\n{\n" MIN,
		"t.conf:1: service a is not closed with \"}\"");
	refused("service a\n{\n" MIN "service b\n",
		"t.conf:7: expected \"attribute = value\" or \"}\", found "
		"\"service b\"");
	refused(SVC(MIN "= 3\n"), "t.conf:7: an attribute has no name");
	refused("service a {\n" MIN "}\n}\n",
		"t.conf:7: expected \"service NAME\", found \"}\"");
}

/* The server's process, limits and file: every attribute, then the
 * defaults. */
static void process_and_limits(void **state)
{
	struct inetd_config *cfg = parse_ok(SVC(MIN
		"stderr = log\numask = 027\nnice = -5\nrlimit_cpu = 30\n"
		"rlimit_as = 512M\nrlimit_nofile = unlimited\n"
		"rlimit_nproc = 50\ngroups = 5, 7 0\n"
		"env = A=1 B_2=two=2\npassenv = TERM LANG\n"
		"per_source = 2\ncps = 10 5\nmax_runtime = 60\n"
		"allow_writable = yes\n"));
	const struct inetd_service *s = &cfg->svc[0];

	assert_int_equal(s->err_to, INETD_STDERR_LOG);
	assert_int_equal(s->umask, 027);
	assert_true(s->nice_set);
	assert_int_equal(s->nice, -5);
	assert_int_equal(s->rlim[INETD_RLIM_CPU], 30);
	assert_int_equal(s->rlim[INETD_RLIM_AS], 512LL << 20);
	assert_int_equal(s->rlim[INETD_RLIM_NOFILE], INETD_RLIM_INFINITY);
	assert_int_equal(s->rlim[INETD_RLIM_NPROC], 50);
	assert_int_equal(s->ngroups, 3);
	assert_int_equal(s->groups[0], 5);
	assert_int_equal(s->groups[2], 0);
	assert_string_equal(s->env[0], "A=1");
	assert_string_equal(s->env[1], "B_2=two=2");
	assert_null(s->env[2]);
	assert_string_equal(s->passenv[1], "LANG");
	assert_int_equal(s->per_source, 2);
	assert_int_equal(s->cps_rate, 10);
	assert_int_equal(s->cps_wait, 5);
	assert_int_equal(s->max_runtime, 60);
	assert_true(s->allow_writable);
	assert_int_equal(s->exec_fd, -1);
	inetd_config_free(cfg);

	cfg = parse_ok(SVC(MIN) "service u\n{\nprotocol = udp\nport = 7\n"
		       "user = root\nserver = /bin/true\n}\n");
	s = &cfg->svc[0];
	assert_int_equal(s->err_to, INETD_STDERR_CONNECTION);
	assert_int_equal(cfg->svc[1].err_to, INETD_STDERR_NULL);
	assert_int_equal(s->umask, 022);
	assert_false(s->nice_set);
	assert_int_equal(s->rlim[INETD_RLIM_AS], INETD_RLIM_UNSET);
	assert_null(s->env);
	assert_int_equal(s->ngroups, 0);
	assert_int_equal(s->per_source + s->cps_rate + s->max_runtime, 0);
	assert_false(s->allow_writable);
	assert_int_equal(cfg->svc[1].exec_fd, -1);
	inetd_config_free(cfg);

	refused(SVC(MIN "stderr = tty\n"), "t.conf:7: stderr must be "
		"connection, null or log, not \"tty\"");
	refused(SVC(MIN "umask = 0800\n"), "t.conf:7: umask must be an "
		"octal number from 0 to 0777, not \"0800\"");
	refused(SVC(MIN "nice = -21\n"), "t.conf:7: nice must be a number "
		"from -20 to 19, not \"-21\"");
	refused(SVC(MIN "rlimit_as = 1T\n"), "t.conf:7: rlimit_as must be a "
		"number (K, M, G allowed) or unlimited, not \"1T\"");
	refused(SVC(MIN "groups = nosuchgroupx\n"), "t.conf:7: groups: "
		"unknown group \"nosuchgroupx\"");
	refused(SVC(MIN "env = PEERSEC_CONTEXT=x\n"), "t.conf:7: env: "
		"\"PEERSEC_CONTEXT=x\" is not NAME=VALUE (letters, digits, "
		"'_'; not PEERSEC_*)");
	refused(SVC(MIN "env = NOVALUE\n"), "t.conf:7: env: \"NOVALUE\" is "
		"not NAME=VALUE (letters, digits, '_'; not PEERSEC_*)");
	refused(SVC(MIN "passenv = A=1\n"), "t.conf:7: passenv: \"A=1\" is "
		"not a variable's name (letters, digits, '_'; not "
		"PEERSEC_*)");
	refused(SVC(MIN "per_source = 0\n"), "t.conf:7: per_source must be a "
		"number from 1 to 1024, not \"0\"");
	refused(SVC(MIN "cps = 10\n"), "t.conf:7: cps must be RATE WAIT "
		"(connections per second, 1 to 1000000; seconds, 1 to "
		"86400), not \"10\"");
	refused(SVC(MIN "max_runtime = 0\n"), "t.conf:7: max_runtime must be "
		"seconds, from 1 to 31536000, not \"0\"");
	refused(SVC(MIN "allow_writable = maybe\n"), "t.conf:7: "
		"allow_writable must be yes or no, not \"maybe\"");
}

static void refused_attributes(void **state)
{
	refused(SVC(MIN "colour = red\n"),
		"t.conf:7: unknown attribute \"colour\"");
	refused(SVC(MIN "port = 8\n"), "t.conf:7: port is set twice");
	refused(SVC("protocol =\n"), "t.conf:3: protocol has no value");
	refused(SVC("protocol = icmp\n"),
		"t.conf:3: protocol must be tcp, udp or sctp, not \"icmp\"");
	refused(SVC("port = 0\n"),
		"t.conf:3: port must be a number from 1 to 65535, not \"0\"");
	refused(SVC("port = 65536\n"),
		"t.conf:3: port must be a number from 1 to 65535, not "
		"\"65536\"");
	refused(SVC("port = 7x\n"),
		"t.conf:3: port must be a number from 1 to 65535, not \"7x\"");
	refused(SVC("port = -7\n"),
		"t.conf:3: port must be a number from 1 to 65535, not \"-7\"");
	refused(SVC("user = no-such-user-here\n"),
		"t.conf:3: unknown user \"no-such-user-here\"");
	refused(SVC("group = no-such-group-here\n"),
		"t.conf:3: unknown group \"no-such-group-here\"");
	refused(SVC("server = bin/true\n"),
		"t.conf:3: server must be an absolute path, not \"bin/true\"");
	refused(SVC("label = maybe\n"),
		"t.conf:3: label must be required or optional, not \"maybe\"");
	refused(SVC("instances = 0\n"),
		"t.conf:3: instances must be a number from 1 to 1024, not "
		"\"0\"");
	refused(SVC("instances = 1025\n"),
		"t.conf:3: instances must be a number from 1 to 1024, not "
		"\"1025\"");
	refused(SVC("base_context = system_u:system_r\n"),
		"t.conf:3: base_context \"system_u:system_r\" is not a "
		"context (user:role:type[:range])");
	refused(SVC("base_context = u::t:s0\n"),
		"t.conf:3: base_context \"u::t:s0\" is not a context "
		"(user:role:type[:range])");
	refused(SVC("disable = maybe\n"),
		"t.conf:3: disable must be yes or no, not \"maybe\"");
	refused(SVC("socket_type = raw\n"),
		"t.conf:3: socket_type must be stream or dgram, not \"raw\"");
	refused(SVC("wait = yes\n"),
		"t.conf:3: wait = yes is not supported: every connection or "
		"datagram gets its own server");
	refused(SVC(MIN "bind = localhost\n"),
		"t.conf:1: bind: \"localhost\" is not an IPv4 or IPv6 "
		"address");
}

static void refused_incomplete(void **state)
{
	refused(SVC("port = 7\nuser = root\nserver = /bin/true\n"),
		"t.conf:1: service s has no protocol");
	refused(SVC("protocol = tcp\nuser = root\nserver = /bin/true\n"),
		"t.conf:1: service s has no port");
	refused(SVC("protocol = tcp\nport = 7\nserver = /bin/true\n"),
		"t.conf:1: service s has no user");
	refused(SVC("protocol = tcp\nport = 7\nuser = root\n"),
		"t.conf:1: service s has no server");
	refused(SVC(MIN "socket_type = dgram\n"),
		"t.conf:1: service s: socket_type does not match protocol "
		"tcp");
	refused(SVC("protocol = tcp\nport = 7\nuser = 4000000000\n"
		    "server = /bin/true\n"),
		"t.conf:1: service s: user 4000000000 has no passwd entry: "
		"set group");
	/* unlabeled peers never get a range by default */
	refused(SVC(MIN "label = optional\nbase_context = u:r:t:s0-s3\n"),
		"t.conf:1: service s: label = optional needs unlabeled_level, "
		"the level unlabeled peers run at");
	refused(SVC(MIN "unlabeled_level = s0\n"),
		"t.conf:1: service s: unlabeled_level is set but label = "
		"required: no unlabeled peer is served");
	refused(SVC(MIN "max_range = s0 s3\n"),
		"t.conf:7: max_range \"s0 s3\" is not an MLS level or range");
	char args[600] = "server_args =";
	for (int i = 0; i < 65; i++)
		strcat(args, " a");
	strcat(args, "\n");
	char text[1000];
	snprintf(text, sizeof(text), SVC(MIN "%s"), args);
	refused(text, "t.conf:1: server_args has more than 64 words");
}

static void refused_across_services(void **state)
{
	refused("service a {\n" MIN "}\nservice a {\n" MIN "}\n",
		"t.conf:7: service a is defined twice (first at line 1)");
	refused("service a {\n" MIN "}\nservice b {\n" MIN "}\n",
		"t.conf:7: service b: tcp port 7 is taken by service a "
		"(line 1)");
	refused("service a {\n" MIN "bind = 127.0.0.1\n}\n"
		"service b {\n" MIN "}\n",
		"t.conf:8: service b: tcp port 7 is taken by service a "
		"(line 1)");
	refused("service a {\n" MIN "bind = 127.0.0.1\n}\n"
		"service b {\n" MIN "bind = ::\n}\n",
		"t.conf:8: service b: tcp port 7 is taken by service a "
		"(line 1)");
	/* a disabled duplicate name is still a duplicate, first or not */
	refused("service a {\n" MIN "}\nservice a {\n" MIN "disable = yes\n}\n",
		"t.conf:7: service a is defined twice (first at line 1)");
	refused("service a {\n" MIN "disable = yes\n}\nservice a {\n" MIN "}\n",
		"t.conf:8: service a is defined twice (first at line 1)");
	/* an address and its v4-mapped form are one socket */
	refused("service a {\n" MIN "bind = 127.0.0.1\n}\n"
		"service b {\n" MIN "bind = ::ffff:127.0.0.1\n}\n",
		"t.conf:8: service b: tcp port 7 is taken by service a "
		"(line 1)");
	refused("service a {\n" MIN "bind = ::ffff:0.0.0.0\n}\n"
		"service b {\n" MIN "bind = 10.0.0.1\n}\n",
		"t.conf:8: service b: tcp port 7 is taken by service a "
		"(line 1)");
}

static void refused_nul_byte(void **state)
{
	static const char text[] = "service a {\nprotocol = tcp\0x\n}\n";
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct inetd_config *cfg = NULL;
	char err[INETD_ERR_MAX] = "";

	assert_non_null(f);
	assert_int_equal(inetd_config_parse(f, "t.conf", &cfg, err), -1);
	fclose(f);
	assert_string_equal(err, "t.conf:2: a NUL byte in the line (at byte "
			    "15)");
}

static void refused_long_line(void **state)
{
	char *text = malloc(INETD_LINE_MAX + 100);

	strcpy(text, "service a {\nserver_args = ");
	memset(text + strlen(text), 'x', INETD_LINE_MAX);
	strcpy(text + strlen("service a {\nserver_args = ") + INETD_LINE_MAX,
	       "\n}\n");
	refused(text, "t.conf:2: line longer than 4096 bytes");
	free(text);
}

static void load_from_path(void **state)
{
	char path[] = "/tmp/test-inetd-config-XXXXXX";
	int fd = mkstemp(path);
	struct inetd_config *cfg = NULL;
	char err[INETD_ERR_MAX];
	const char *text = "service a {\n" MIN "}\n";

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	assert_int_equal(inetd_config_load(path, &cfg, err), 0);
	assert_int_equal(cfg->n, 1);
	inetd_config_free(cfg);
	unlink(path);
	assert_int_equal(inetd_config_load(path, &cfg, err), -1);
	assert_non_null(strstr(err, ":0: cannot open: No such file"));
	assert_ptr_equal(strstr(err, path), err);
}

static void address_format(void **state)
{
	struct sockaddr_in in = { .sin_family = AF_INET,
				  .sin_port = htons(80) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6,
				    .sin6_port = htons(443) };
	char buf[80];

	inet_pton(AF_INET, "10.1.2.3", &in.sin_addr);
	inet_pton(AF_INET6, "fe80::1", &in6.sin6_addr);
	inetd_addr_format((struct sockaddr *)&in, buf, sizeof(buf));
	assert_string_equal(buf, "10.1.2.3:80");
	inetd_addr_format((struct sockaddr *)&in6, buf, sizeof(buf));
	assert_string_equal(buf, "[fe80::1]:443");
	assert_string_equal(inetd_proto_name(INETD_SCTP), "sctp");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_service),
		cmocka_unit_test(defaults),
		cmocka_unit_test(several_services_and_styles),
		cmocka_unit_test(same_port_other_protocol_or_address),
		cmocka_unit_test(last_line_without_newline),
		cmocka_unit_test(refused_structure),
		cmocka_unit_test(refused_attributes),
		cmocka_unit_test(process_and_limits),
		cmocka_unit_test(refused_incomplete),
		cmocka_unit_test(refused_across_services),
		cmocka_unit_test(refused_long_line),
		cmocka_unit_test(refused_nul_byte),
		cmocka_unit_test(load_from_path),
		cmocka_unit_test(address_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
