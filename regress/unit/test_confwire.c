#include "unit.h"

/*
 * Unit tests for common/confwire.c: a fully populated unit survives
 * unit_pack -> unit_unpack unchanged (compared through its JSON text),
 * comes back as one allocation, and unit_unpack refuses (without
 * crashing or leaking) anything malformed or out of range.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confjson.h"
#include "confwire.h"
#include "parse.h"
#include "unitconf_fixture.h"

/* u through the wire; NULL if refused.  u is left as it was. */
static struct unit_conf *
through(const struct unit_conf *u)
{
	struct unit_conf	*v;
	void			*buf;
	size_t			 len;

	buf = unit_pack(u, NULL, &len);
	v = unit_unpack(buf, len, NULL);
	free(buf);
	return v;
}

static void
same_text(const struct unit_conf *u, const struct unit_conf *v)
{
	char	*t1, *t2;

	t1 = unit_to_text(u);
	t2 = unit_to_text(v);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
}

static void
test_roundtrip(void **state)
{
	struct unit_conf	*u, *v;

	(void)state;
	u = full_unit();
	assert_non_null(v = through(u));
	same_text(u, v);
	assert_true(v->flat);
	assert_string_equal(v->name, "api-1.x");
	assert_string_equal(v->argv[2], "daemon off;");
	assert_null(v->argv[3]);
	assert_int_equal(v->nenv, 3);
	assert_string_equal(v->env[1], "B=x=y");
	assert_null(v->env[3]);
	assert_null(v->depends_on[2]);
	assert_int_equal(v->stop_signal, SIGQUIT);
	assert_true(v->caps == u->caps);
	assert_true(v->limits.core.soft == LIMIT_INFINITY);
	assert_int_equal(v->limits.cgroup.pids_max, 0);
	assert_int_equal(v->limits.ncpus, 2);
	assert_int_equal(v->limits.cpus[1], 1);
	assert_int_equal(v->skip, SKIP_COMMAND);
	assert_false(v->is_cron);
	/* Every pointer lies inside the one block. */
	assert_true((char *)v->argv > (char *)v &&
	    (char *)v->limits.cgroup.cpu_max > (char *)v);
	unit_conf_free(u);
	unit_conf_free(v);
}

static void
test_minimal_and_cron(void **state)
{
	struct unit_conf	*u, *v;

	(void)state;
	assert_non_null(u = calloc(1, sizeof(*u)));
	strlcpy(u->name, "job", sizeof(u->name));
	u->command = xstrdup("backup | gzip");
	u->env = strv(0);
	u->max_restarts = -1;
	u->stop_signal = SIGTERM;
	u->limits.cgroup.pids_max = -1;
	u->is_cron = true;
	u->cron.expression = xstrdup("0 30 2 * * *");
	u->cron.timeout_ms = 3600000;
	assert_non_null(v = through(u));
	same_text(u, v);
	assert_null(v->argv);
	assert_non_null(v->env);
	assert_null(v->env[0]);
	assert_non_null(v->depends_on);
	assert_true(v->is_cron);
	assert_null(v->cron.timezone);
	assert_false(v->has_caps);
	assert_null(v->limits.cpus);
	assert_int_equal(v->limits.cgroup.pids_max, -1);
	unit_conf_free(u);
	unit_conf_free(v);
}

static void
test_compact(void **state)
{
	struct unit_conf	*u, *c, *ref;

	(void)state;
	u = full_unit();
	ref = full_unit();
	assert_non_null(c = unit_compact(u));	/* u is freed */
	assert_true(c->flat);
	same_text(ref, c);
	unit_conf_free(c);
	unit_conf_free(ref);
}

/* Units of one generation share their common environment entries. */
static void
test_pool(void **state)
{
	struct unit_conf	*u, *a, *b;
	struct strpool		*out = strpool_new(), *in = strpool_new();
	void			*ba, *bb, *strs;
	size_t			 la, lb, ls, plain;

	(void)state;
	u = full_unit();
	free(u->env[0]);
	u->env[0] = xstrdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/bin");
	free(unit_pack(u, NULL, &plain));
	ba = unit_pack(u, out, &la);
	strlcpy(u->name, "other", sizeof(u->name));
	free(u->env[2]);
	u->env[2] = xstrdup("SYSG_SERVICE=other");
	bb = unit_pack(u, out, &lb);
	assert_true(la < plain);		/* PATH, B=x=y by number */
	assert_int_equal(strpool_count(out), 2);
	strs = strings_pack(out, &ls);
	/* Without the strings, a unit that refers to them is refused. */
	assert_null(unit_unpack(ba, la, in));
	assert_int_equal(strings_unpack(in, strs, ls), 0);
	assert_int_equal(strings_unpack(in, strs, ls), -1);	/* repeated */
	assert_non_null(a = unit_unpack(ba, la, in));
	assert_non_null(b = unit_unpack(bb, lb, in));
	assert_true(a->pool == in && b->pool == in);
	assert_ptr_equal(a->env[0], b->env[0]);
	assert_ptr_equal(a->env[1], b->env[1]);
	assert_string_equal(b->env[1], "B=x=y");
	assert_string_equal(a->env[2], "SYSG_SERVICE=api-1.x");
	assert_string_equal(b->env[2], "SYSG_SERVICE=other");
	strpool_unref(in);		/* the units keep it */
	unit_conf_free(a);
	assert_string_equal(b->env[0] + 5, "/usr/local/sbin:/usr/local/bin:"
	    "/usr/bin");
	unit_conf_free(b);		/* the last reference */
	free(ba);
	free(bb);
	free(strs);
	strpool_unref(out);
	unit_conf_free(u);
}

/* The strings that go first: every truncation and bad byte refused. */
static void
test_strings(void **state)
{
	struct strpool	*p = strpool_new(), *q;
	char		*buf, *m;
	size_t		 len, i;

	(void)state;
	strpool_id(p, "PATH=/bin", 9);
	strpool_id(p, "LANG=C", 6);
	buf = strings_pack(p, &len);
	assert_int_equal(len, 1 + 9 + 1 + 6);	/* varint lengths */
	for (i = 1; i < len; i++) {
		q = strpool_new();
		if (i != 10)		/* a whole first string is fine */
			assert_int_equal(strings_unpack(q, buf, i), -1);
		strpool_unref(q);
	}
	assert_non_null(m = malloc(len));
	memcpy(m, buf, len);
	m[3] = '\0';
	q = strpool_new();
	assert_int_equal(strings_unpack(q, m, len), -1);
	strpool_unref(q);
	m[3] = '\xff';
	q = strpool_new();
	assert_int_equal(strings_unpack(q, m, len), -1);
	strpool_unref(q);
	q = strpool_new();
	assert_int_equal(strings_unpack(q, buf, len), 0);
	assert_string_equal(strpool_get(q, 1), "LANG=C");
	assert_null(strpool_get(q, 2));
	strpool_unref(q);
	free(m);
	free(buf);
	strpool_unref(p);
}

/* A change that makes the unit invalid: the wire form is refused. */
#define REFUSE(stmt) do {						\
	struct unit_conf *bad_ = full_unit(), *got_;			\
	{ struct unit_conf *u = bad_; stmt; }				\
	got_ = through(bad_);						\
	if (got_ != NULL)						\
		fail_msg("accepted: %s", #stmt);			\
	unit_conf_free(bad_);						\
} while (0)

static void
test_refuse(void **state)
{
	(void)state;
	REFUSE(strlcpy(u->name, "../etc", sizeof(u->name)));
	REFUSE(u->name[0] = '\0');
	REFUSE(strlcpy(u->name, "-x", sizeof(u->name)));
	REFUSE(free(u->command); u->command = NULL);
	REFUSE(free(u->argv[0]); free(u->argv[1]); free(u->argv[2]);
	    u->argv[0] = NULL);
	REFUSE(strlcpy(u->env[0], "AB1", strlen(u->env[0]) + 1));
	REFUSE(strlcpy(u->env[0], "=1x", strlen(u->env[0]) + 1));
	REFUSE(strlcpy(u->depends_on[0], "-d",
	    strlen(u->depends_on[0]) + 1));
	REFUSE(u->restart = 3);
	REFUSE(u->backoff_ms = -1);
	REFUSE(u->max_backoff_ms = PARSE_DURATION_MAX_MS + 1);
	REFUSE(u->max_restarts = -2);
	REFUSE(u->stop_signal = SIGSEGV);
	REFUSE(u->stop_signal = 0);
	REFUSE(u->health.retries = 0);
	REFUSE(u->health.type = 7);
	REFUSE(free(u->health.target); u->health.target = NULL);
	REFUSE(u->health.on_unhealthy = 2);
	REFUSE(u->hooks[HOOK_STOP][HOOK_ERROR].timeout_ms = -5);
	REFUSE(u->strategy = 2);
	REFUSE(u->grace_period_ms = -1);
	REFUSE(u->skip = 3);
	REFUSE(free(u->skip_command); u->skip_command = NULL);
	REFUSE(u->logs.max_bytes = LIMIT_INFINITY);
	REFUSE(u->logs.max_files = -1);
	REFUSE(u->caps |= 1ULL << 63);
	REFUSE(u->limits.nofile.soft = 100000);
	REFUSE(u->limits.nice = -21);
	REFUSE(u->limits.nice = 20);
	REFUSE(u->limits.cpus[0] = -1);
	REFUSE(u->limits.cpus[1] = 65536);
	REFUSE(u->limits.cgroup.cpu_weight = 10001);
	REFUSE(u->limits.cgroup.root[0] = 's');
	REFUSE(u->limits.cgroup.pids_max = -2);
	REFUSE(u->is_cron = true);		/* no expression */
	REFUSE(u->working_dir[1] = '\xff');	/* not UTF-8 */
}

static void
test_hostile(void **state)
{
	struct unit_conf	*u;
	struct strpool		*pool = strpool_new(), *out = strpool_new();
	char			*buf, *m, *pb;
	size_t			 len, i;
	unsigned		 seed = 12345;

	(void)state;
	u = full_unit();
	pb = unit_pack(u, out, &len);	/* fills out, for the pool */
	free(pb);
	pb = strings_pack(out, &len);
	assert_int_equal(strings_unpack(pool, pb, len), 0);
	free(pb);
	strpool_unref(out);
	buf = unit_pack(u, NULL, &len);
	unit_conf_free(u);
	/* Every truncation, and trailing bytes. */
	for (i = 0; i < len; i++)
		assert_null(unit_unpack(buf, i, NULL));
	assert_non_null(m = malloc(len + 1));
	memcpy(m, buf, len);
	m[len] = 'x';
	assert_null(unit_unpack(m, len + 1, NULL));
	/* Random byte mutations: never crash, never leak. */
	for (i = 0; i < 50000; i++) {
		memcpy(m, buf, len);
		seed = seed * 1103515245 + 12345;
		m[(seed >> 8) % len] = (char)(seed >> 20);
		seed = seed * 1103515245 + 12345;
		m[(seed >> 8) % len] = (char)(seed >> 16);
		u = unit_unpack(m, len, pool);
		unit_conf_free(u);
	}
	strpool_unref(pool);
	/* A length field that claims everything. */
	memcpy(m, buf, len);
	memset(m, 0xfe, 4);
	assert_null(unit_unpack(m, len, NULL));
	free(m);
	free(buf);
	assert_null(unit_unpack(NULL, 0, NULL));
	assert_null(unit_unpack("", 0, NULL));
	assert_null(unit_unpack("\xff\xff\xff\xff", 4, NULL));
}

/*
 * Numbers at the edges of their range survive the varint encoding, and
 * the unit's wire form is small: a plain service fits in ~100 bytes.
 */
static void
test_varint(void **state)
{
	struct unit_conf	*u, *v;
	void			*buf;
	size_t			 len;

	(void)state;
	u = full_unit();
	u->limits.nofile.soft = 0;
	u->limits.nofile.hard = UINT64_MAX - 1;
	u->caps = 1ULL << CAP_LAST_CAP;
	u->logs.max_bytes = (1ULL << 63) + 12345;
	u->max_restarts = -1;
	u->limits.nice = -20;
	u->limits.cgroup.pids_max = -1;
	u->backoff_ms = PARSE_DURATION_MAX_MS;
	assert_non_null(v = through(u));
	assert_true(v->limits.nofile.hard == UINT64_MAX - 1);
	assert_true(v->logs.max_bytes == (1ULL << 63) + 12345);
	assert_int_equal(v->max_restarts, -1);
	assert_int_equal(v->limits.nice, -20);
	assert_true(v->limits.cgroup.pids_max == -1);
	assert_true(v->backoff_ms == PARSE_DURATION_MAX_MS);
	assert_true(v->caps == 1ULL << CAP_LAST_CAP);
	unit_conf_free(v);
	unit_conf_free(u);
	/* Zeros and NULLs take a byte each: 60 fields and some strings. */
	u = calloc(1, sizeof(*u));
	assert_non_null(u);
	strlcpy(u->name, "web", sizeof(u->name));
	u->command = (char *)"/usr/bin/web --port 8000";
	buf = unit_pack(u, NULL, &len);
	assert_true(len < 100);
	free(buf);
	free(u);
}

/* An over-long or overflowing varint is refused, not wrapped. */
static void
test_varint_hostile(void **state)
{
	/* name length 1, "a", then a command length of 11 bytes' varint */
	static const unsigned char over[] = { 1, 'a', 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f };
	/* a command length beyond 32 bits */
	static const unsigned char wide[] = { 1, 'a', 0x80, 0x80, 0x80,
	    0x80, 0x10 };
	/* a varint cut by the end of the buffer */
	static const unsigned char cut[] = { 1, 'a', 0x85 };

	(void)state;
	assert_null(unit_unpack(over, sizeof(over), NULL));
	assert_null(unit_unpack(wide, sizeof(wide), NULL));
	assert_null(unit_unpack(cut, sizeof(cut), NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_minimal_and_cron),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_refuse),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_varint),
		cmocka_unit_test(test_varint_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
