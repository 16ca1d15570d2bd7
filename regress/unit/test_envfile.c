#include "unit.h"

/*
 * Unit tests for parent/envfile.c (env files, key/value lists) and the
 * environment resolution of parent/config_env.c through config_load.
 */

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_int.h"

static int
parse(const char *text, struct kvlist *kv, struct errlist *errs)
{
	return envfile_parse(text, strlen(text), "/x/app.env", "env.file",
	    kv, errs);
}

static void
test_kvlist(void **state)
{
	struct kvlist	 kv;

	(void)state;
	memset(&kv, 0, sizeof(kv));
	kv_set(&kv, "B", "2");
	kv_set(&kv, "A", "1");
	kv_set(&kv, "C", "3");
	kv_set(&kv, "B", "two");
	assert_int_equal(kv.n, 3);
	assert_string_equal(kv.v[0].key, "A");
	assert_string_equal(kv.v[1].key, "B");
	assert_string_equal(kv_get(&kv, "B"), "two");
	assert_null(kv_get(&kv, "D"));
	kv_free(&kv);
	assert_int_equal(kv.n, 0);
}

static char *
xstrdup(const char *s)
{
	char	*d;

	if ((d = strdup(s)) == NULL)
		fail();
	return d;
}

/* Borrowed and owned entries; a merge lets the second list win. */
static void
test_kvmerge(void **state)
{
	struct kvlist	 a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	kv_set(&a, "B", "a-b");
	kv_ref(&a, "D", "a-d");
	kv_take(&a, "F", xstrdup("a-f"));
	kv_set(&b, "A", "b-a");
	kv_set(&b, "B", "b-b");
	kv_set(&b, "E", "b-e");
	kv_set(&b, "F", "b-f");
	kv_set(&b, "G", "b-g");
	kv_merge(&a, &b);
	assert_int_equal(a.n, 6);
	assert_string_equal(a.v[0].key, "A");
	assert_string_equal(a.v[1].val, "b-b");
	assert_string_equal(a.v[2].val, "a-d");
	assert_string_equal(a.v[3].key, "E");
	assert_string_equal(a.v[4].val, "b-f");
	assert_string_equal(a.v[5].key, "G");
	kv_take(&a, "A", xstrdup("own"));
	kv_ref(&a, "B", "ref");
	kv_set(&a, "C", "c");
	assert_string_equal(kv_get(&a, "A"), "own");
	assert_string_equal(kv_get(&a, "B"), "ref");
	assert_string_equal(kv_get(&a, "C"), "c");
	assert_string_equal(kv_get(&b, "A"), "b-a");
	kv_free(&a);
	memset(&a, 0, sizeof(a));
	kv_merge(&a, &b);
	assert_int_equal(a.n, b.n);
	kv_free(&a);
	kv_free(&b);
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(env_name_valid("PATH"));
	assert_true(env_name_valid("_a1"));
	assert_false(env_name_valid("1A"));
	assert_false(env_name_valid("A-B"));
	assert_false(env_name_valid(""));
	assert_false(env_name_valid("A B"));
}

static void
test_good(void **state)
{
	struct kvlist	 kv;
	struct errlist	 errs = { 0 };

	(void)state;
	memset(&kv, 0, sizeof(kv));
	assert_int_equal(parse(
	    "# comment\n"
	    "\n"
	    "   \n"
	    "A=1\n"
	    "export B=two words  \n"
	    "C = spaced\n"
	    "D='single $x \"q\" # not a comment'\n"
	    "E=\"double \\\"q\\\" \\\\ \\$ \\n end\"  # comment\n"
	    "F=\n"
	    "G=value # comment\n"
	    "H=a#b\n"
	    "CRLF=yes\r\n"
	    "A=override\n"
	    "  export   I=x\n"
	    "export=1\n"
	    "J=caf\xc3\xa9", &kv, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_string_equal(kv_get(&kv, "A"), "override");
	assert_string_equal(kv_get(&kv, "B"), "two words");
	assert_string_equal(kv_get(&kv, "C"), "spaced");
	assert_string_equal(kv_get(&kv, "D"), "single $x \"q\" # not a comment");
	assert_string_equal(kv_get(&kv, "E"), "double \"q\" \\ $ \n end");
	assert_string_equal(kv_get(&kv, "F"), "");
	assert_string_equal(kv_get(&kv, "G"), "value");
	assert_string_equal(kv_get(&kv, "H"), "a#b");
	assert_string_equal(kv_get(&kv, "CRLF"), "yes");
	assert_string_equal(kv_get(&kv, "I"), "x");
	assert_string_equal(kv_get(&kv, "export"), "1");
	assert_string_equal(kv_get(&kv, "J"), "caf\xc3\xa9");
	kv_free(&kv);
}

static void
bad(const char *text, const char *want)
{
	struct kvlist	 kv;
	struct errlist	 errs = { 0 };

	memset(&kv, 0, sizeof(kv));
	assert_int_equal(parse(text, &kv, &errs), 1);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.lines[0], want);
	errlist_free(&errs);
	kv_free(&kv);
}

static void
test_bad(void **state)
{
	struct kvlist	 kv;
	struct errlist	 errs = { 0 };
	char		 buf[8];

	(void)state;
	bad("A=1\nnot a pair\n",
	    "/x/app.env:2:5: env.file: expected KEY=VALUE");
	bad("A=1\n\nFOO\n", "/x/app.env:3:4: env.file: expected KEY=VALUE");
	bad("=x", "/x/app.env:1:1: env.file: expected KEY=VALUE");
	bad("1A=x", "/x/app.env:1:1: env.file: expected KEY=VALUE");
	bad("A-B=x", "/x/app.env:1:2: env.file: expected KEY=VALUE");
	bad("A='open", "/x/app.env:1:3: env.file: unterminated single quote");
	bad("A=\"open\\\"", "/x/app.env:1:3: env.file: unterminated double "
	    "quote");
	bad("A='x' y", "/x/app.env:1:7: env.file: unexpected text after the "
	    "closing quote");
	bad("A=\xff", "/x/app.env:1:1: env.file: the line is not valid UTF-8 "
	    "text or contains a NUL byte");
	/* Hostile: NUL byte inside, no crash, error for that line. */
	memcpy(buf, "A=x\0y\nB", 7);
	memset(&kv, 0, sizeof(kv));
	assert_int_equal(envfile_parse(buf, 7, "f", "k", &kv, &errs), 2);
	assert_int_equal(errs.n, 2);
	assert_string_equal(errs.lines[0], "f:1:1: k: the line is not valid "
	    "UTF-8 text or contains a NUL byte");
	/* "B" without '=' on line 2. */
	assert_string_equal(errs.lines[1], "f:2:2: k: expected KEY=VALUE");
	errlist_free(&errs);
	kv_free(&kv);
}

static void
test_errlist(void **state)
{
	struct errlist	 errs = { 0 };
	char		*tmp;
	int		 i;

	(void)state;
	errlist_add(&errs, "a %d", 1);
	errlist_add(&errs, "a %d", 1);
	errlist_add(&errs, "b");
	assert_int_equal(errs.n, 2);
	for (i = 0; i < 100; i++)
		errlist_add(&errs, "e %d", i);
	assert_int_equal(errs.n, 102);
	/* Repeats are dropped once the lines are hashed, also reordered. */
	tmp = errs.lines[0];
	errs.lines[0] = errs.lines[101];
	errs.lines[101] = tmp;
	errlist_add(&errs, "a %d", 1);
	errlist_add(&errs, "e %d", 99);
	errlist_add(&errs, "e %d", 3);
	assert_int_equal(errs.n, 102);
	for (i = 0; i < 2000; i++)
		errlist_add(&errs, "e %d", i);
	assert_int_equal(errs.n, 1001);
	assert_string_equal(errs.lines[1000], "too many errors, the rest are "
	    "not shown");
	errlist_free(&errs);
	assert_int_equal(errs.n, 0);
}

/* ------------------------------------------------------------------ */
/* Resolution through config_load */

static char	 tmpdir[] = "/tmp/test_envfile.XXXXXX";

static void
write_file(const char *name, const char *text)
{
	char	 path[256];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static struct sysg_conf *
load(const char *yaml, struct errlist *errs)
{
	struct load_opts	 o;
	char			 path[256];

	memset(&o, 0, sizeof(o));
	write_file("c.yaml", yaml);
	snprintf(path, sizeof(path), "%s/c.yaml", tmpdir);
	return config_load(path, &o, errs);
}

static const char *
env_of(const struct unit_conf *u, const char *key)
{
	size_t	 i, kl = strlen(key);

	for (i = 0; i < u->nenv; i++)
		if (strncmp(u->env[i], key, kl) == 0 && u->env[i][kl] == '=')
			return u->env[i] + kl + 1;
	return NULL;
}

static void
test_resolve(void **state)
{
	struct errlist		 errs = { 0 };
	struct sysg_conf	*c;
	struct unit_conf	*a, *b;

	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	setenv("PATH", "/usr/bin:/bin", 1);
	setenv("LC_TIME", "C", 1);
	setenv("SECRET_FROM_DAEMON", "leak", 1);
	write_file("top.env", "FROM_FILE=top\nSHARED=file\n");
	write_file("own.env", "OWN=1\n");
	c = load("version: '1'\n"
	    "env:\n"
	    "  file: top.env\n"
	    "  vars: {SHARED: top, T2: \"${SHARED}-x\"}\n"
	    "services:\n"
	    "  a:\n"
	    "    command: prog\n"
	    "    env:\n"
	    "      vars:\n"
	    "        SHARED: svc\n"
	    "        X: \"${SHARED}/${T2}/$$/${FROM_FILE}/${PATH}\"\n"
	    "        PRICE: \"$5 and $\"\n"
	    "  b:\n"
	    "    command: prog\n"
	    "    env: {file: own.env}\n", &errs);
	if (c == NULL) {
		errlist_print(&errs, 2);
		fail();
	}
	a = c->units[0];
	b = c->units[1];
	assert_string_equal(env_of(a, "SHARED"), "svc");
	assert_string_equal(env_of(a, "T2"), "top-x");
	assert_string_equal(env_of(a, "X"), "svc/top-x/$/top/"
	    "/usr/bin:/bin");
	assert_string_equal(env_of(a, "PRICE"), "$5 and $");
	assert_string_equal(env_of(a, "SYSG_SERVICE"), "a");
	assert_string_equal(env_of(a, "LC_TIME"), "C");
	assert_string_equal(env_of(a, "PATH"), "/usr/bin:/bin");
	assert_non_null(env_of(a, "HOME"));
	assert_non_null(env_of(a, "USER"));
	assert_null(env_of(a, "SECRET_FROM_DAEMON"));
	/* b has its own file: the top-level one does not apply. */
	assert_null(env_of(b, "FROM_FILE"));
	assert_string_equal(env_of(b, "OWN"), "1");
	assert_string_equal(env_of(b, "SHARED"), "top");
	assert_string_equal(env_of(b, "SYSG_SERVICE"), "b");
	assert_null(b->env[b->nenv]);
	config_free(c);
	unsetenv("SECRET_FROM_DAEMON");
}

static void
test_resolve_errors(void **state)
{
	struct errlist		 errs = { 0 };
	struct sysg_conf	*c;
	char			 want[512];

	(void)state;
	write_file("bad.env", "OK=1\nbroken line\n");
	c = load("version: '1'\n"
	    "services:\n"
	    "  a:\n"
	    "    command: prog\n"
	    "    env:\n"
	    "      vars: {A: \"${NOPE}\", B: \"${B}\", C: \"${\", "
	    "D: \"${1x}\"}\n"
	    "  b:\n"
	    "    command: prog\n"
	    "    env: {file: bad.env}\n"
	    "  c:\n"
	    "    command: prog\n"
	    "    env: {file: missing.env}\n", &errs);
	assert_null(c);
	assert_int_equal(errs.n, 6);
	snprintf(want, sizeof(want), "%s/c.yaml:6:17: services.a.env.vars.A: "
	    "unknown variable ${NOPE} (only variables defined before this "
	    "one can be used)", tmpdir);
	assert_string_equal(errs.lines[0], want);
	snprintf(want, sizeof(want), "%s/c.yaml:6:31: services.a.env.vars.B: "
	    "unknown variable ${B} (only variables defined before this one "
	    "can be used)", tmpdir);
	assert_string_equal(errs.lines[1], want);
	snprintf(want, sizeof(want), "%s/c.yaml:6:42: services.a.env.vars.C: "
	    "unterminated ${ (write $$ for a literal $)", tmpdir);
	assert_string_equal(errs.lines[2], want);
	snprintf(want, sizeof(want), "%s/c.yaml:12:17: services.c.env.file: "
	    "env file %s/missing.env: No such file or directory", tmpdir,
	    tmpdir);
	assert_string_equal(errs.lines[4], want);
	snprintf(want, sizeof(want), "%s/bad.env:2:8: services.b.env.file: "
	    "expected KEY=VALUE", tmpdir);
	assert_string_equal(errs.lines[5], want);
	errlist_free(&errs);
}

static void
test_sysmode_modes(void **state)
{
	struct errlist		 errs = { 0 };
	struct load_opts	 o;
	struct sysg_conf	*c;
	char			 path[256], want[512];

	(void)state;
	if (geteuid() != 0)
		skip();
	memset(&o, 0, sizeof(o));
	o.sysmode = 1;
	o.daemon_is_root = 1;
	write_file("s.yaml", "version: '1'\nservices: {a: {command: x}}\n");
	snprintf(path, sizeof(path), "%s/s.yaml", tmpdir);
	assert_int_equal(chmod(path, 0664), 0);
	assert_null(c = config_load(path, &o, &errs));
	assert_int_equal(errs.n, 1);
	snprintf(want, sizeof(want), "%s: group- or world-writable (mode "
	    "0664; refused in --sys mode)", path);
	assert_string_equal(errs.lines[0], want);
	errlist_free(&errs);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(chown(path, 65534, 0), 0);
	assert_null(c = config_load(path, &o, &errs));
	snprintf(want, sizeof(want), "%s: owned by uid 65534, not root "
	    "(refused in --sys mode)", path);
	assert_string_equal(errs.lines[0], want);
	errlist_free(&errs);
	assert_int_equal(chown(path, 0, 0), 0);
	assert_non_null(c = config_load(path, &o, &errs));
	config_free(c);
}

static struct sysg_conf *
load_opts(const char *yaml, const struct load_opts *o, struct errlist *errs)
{
	char	 path[256];

	write_file("o.yaml", yaml);
	snprintf(path, sizeof(path), "%s/o.yaml", tmpdir);
	return config_load(path, o, errs);
}

/* Accounts need a root daemon; --drop-privileges; inherited sockets. */
static void
test_load_opts(void **state)
{
	struct errlist		 errs = { 0 };
	struct load_opts	 o;
	struct sysg_conf	*c;
	const char		*socks[] = { "web" };
	char			 want[512];

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_null(load_opts("version: '1'\nservices:\n  a:\n"
	    "    command: x\n    user: root\n    capabilities: []\n", &o,
	    &errs));
	assert_int_equal(errs.n, 2);
	snprintf(want, sizeof(want), "%s/o.yaml:5:11: services.a.user: "
	    "needs a daemon that runs as root (this one would not; run sysg "
	    "as root, e.g. sysg --sys)", tmpdir);
	assert_string_equal(errs.lines[0], want);
	errlist_free(&errs);

	o.daemon_is_root = 1;
	o.sysmode = 1;
	o.drop_privileges = 1;
	o.sockets = socks;
	o.nsockets = 1;
	o.check_sockets = 1;
	c = load_opts("version: '1'\nservices:\n  a:\n    command: x\n"
	    "    sockets: [web]\n  b:\n    command: x\n    user: root\n",
	    &o, &errs);
	if (c == NULL)
		errlist_print(&errs, 2);
	assert_non_null(c);
	assert_string_equal(c->units[0]->user, "nobody");
	assert_non_null(c->units[0]->group);
	assert_string_equal(c->units[1]->user, "root");
	assert_string_equal(c->units[1]->group, "root");
	config_free(c);
	assert_null(load_opts("version: '1'\nservices:\n  a:\n"
	    "    command: x\n    sockets: [web, admin]\n", &o, &errs));
	assert_int_equal(errs.n, 1);
	snprintf(want, sizeof(want), "%s/o.yaml:5:20: services.a.sockets[1]: "
	    "no socket named \"admin\" was inherited from the service "
	    "manager", tmpdir);
	assert_string_equal(errs.lines[0], want);
	errlist_free(&errs);
}

static int
cleanup(void **state)
{
	char	 cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (strncmp(tmpdir, "/tmp/test_envfile.", 18) == 0)
		return system(cmd) == 0 ? 0 : -1;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kvlist),
		cmocka_unit_test(test_kvmerge),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_errlist),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_errors),
		cmocka_unit_test(test_sysmode_modes),
		cmocka_unit_test(test_load_opts),
	};

	return cmocka_run_group_tests(tests, NULL, cleanup);
}
