/*
 * The supervisor's indexes and state.json text: hash tables (htab.c),
 * the dependents index (deps.c), statefile_text() against the document
 * jansson writes, and unit reasons (fsm.c).
 */

#include "unit.h"

#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "supervisor.h"

/* ------------------------------------------------------------------ */
/* htab, pidmap */

struct ent {
	struct hnode	 node;
	char		 name[16];
};

static const char *
ent_key(const struct hnode *n)
{
	return ((const struct ent *)(const void *)n)->name;
}

static void
t_htab(void **state)
{
	struct htab	 t = HTAB_INITIALIZER(ent_key);
	struct ent	*e;
	char		 name[16];
	size_t		 i, n = 1000;

	(void)state;
	assert_null(htab_find(&t, "x"));
	e = calloc(n, sizeof(*e));
	assert_non_null(e);
	for (i = 0; i < n; i++) {
		snprintf(e[i].name, sizeof(e[i].name), "u%zu", i);
		htab_insert(&t, &e[i].node);
	}
	assert_int_equal(t.n, n);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "u%zu", i);
		assert_ptr_equal(htab_find(&t, name), &e[i].node);
	}
	assert_null(htab_find(&t, "u1000"));
	assert_null(htab_find(&t, ""));
	for (i = 0; i < n; i += 2)
		htab_remove(&t, &e[i].node);
	assert_int_equal(t.n, n / 2);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "u%zu", i);
		if (i % 2 == 0)
			assert_null(htab_find(&t, name));
		else
			assert_ptr_equal(htab_find(&t, name), &e[i].node);
	}
	/* Removing what is not there is a no-op. */
	htab_remove(&t, &e[0].node);
	assert_int_equal(t.n, n / 2);
	htab_clear(&t);
	assert_null(htab_find(&t, "u1"));
	free(e);
}

static void
t_pidmap(void **state)
{
	struct pidmap	 m;
	int		 a, b, c;
	pid_t		 p;

	(void)state;
	pidmap_init(&m, 3000);
	for (p = 1; p <= 3000; p++)
		pidmap_put(&m, p * 7919, p % 2 ? (void *)&a : (void *)&b);
	pidmap_put(&m, 7919, &c);		/* the first stays */
	pidmap_put(&m, 0, &c);
	pidmap_put(&m, -1, &c);
	assert_ptr_equal(pidmap_get(&m, 7919), &a);
	assert_ptr_equal(pidmap_get(&m, 2 * 7919), &b);
	assert_ptr_equal(pidmap_get(&m, 3000 * 7919), &b);
	assert_null(pidmap_get(&m, 5));
	assert_null(pidmap_get(&m, 0));
	assert_null(pidmap_get(&m, -1));
	pidmap_free(&m);
}

/* ------------------------------------------------------------------ */
/* Fake units */

static struct unit *
fake_unit(const char *name, uint32_t seq, const char *deps)
{
	struct unit	*u;
	char		*d, *p, *tok;

	u = calloc(1, sizeof(*u));
	assert_non_null(u);
	u->conf = calloc(1, sizeof(*u->conf));
	assert_non_null(u->conf);
	strlcpy(u->conf->name, name, sizeof(u->conf->name));
	u->seq = seq;
	u->last_status = -1;
	u->state = ST_STOPPED;
	if (deps == NULL)
		return u;
	d = strdup(deps);
	assert_non_null(d);
	for (p = d; (tok = strsep(&p, " ")) != NULL;) {
		u->conf->depends_on = reallocarray(u->conf->depends_on,
		    u->conf->ndeps + 1, sizeof(char *));
		assert_non_null(u->conf->depends_on);
		u->conf->depends_on[u->conf->ndeps++] = strdup(tok);
	}
	free(d);
	return u;
}

static void
fake_free(struct unit *u)
{
	size_t	 i;

	for (i = 0; i < u->conf->ndeps; i++)
		free(u->conf->depends_on[i]);
	free(u->conf->depends_on);
	free(u->conf);
	free(u);
}

static void
expect_dependents(struct unit *u, struct unit **want, size_t nwant)
{
	struct unit *const	*v;
	size_t			 i, n;

	v = deps_dependents(u, &n);
	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++)
		assert_ptr_equal(v[i], want[i]);
}

static void
t_deps_index(void **state)
{
	struct unit	*db, *a, *b, *c, *d, *x;
	size_t		 n;

	(void)state;
	db = fake_unit("db", 0, NULL);
	a = fake_unit("a", 1, "db");
	b = fake_unit("b", 2, "db a db");	/* db listed twice */
	c = fake_unit("c", 3, "missing db");
	d = fake_unit("d", 4, "c");
	/* Added out of table order: the index keeps table order. */
	deps_index_add(c);
	deps_index_add(a);
	deps_index_add(d);
	deps_index_add(b);
	deps_index_add(db);
	expect_dependents(db, (struct unit *[]){ a, b, c }, 3);
	expect_dependents(a, (struct unit *[]){ b }, 1);
	expect_dependents(c, (struct unit *[]){ d }, 1);
	expect_dependents(d, NULL, 0);
	/* A dependency that is not a unit yet. */
	x = fake_unit("missing", 5, NULL);
	expect_dependents(x, (struct unit *[]){ c }, 1);

	/* A reload changes b's dependencies: it keeps its place. */
	deps_index_del(b);
	expect_dependents(db, (struct unit *[]){ a, c }, 2);
	expect_dependents(a, NULL, 0);
	fake_free(b);
	b = fake_unit("b", 2, "d db");
	deps_index_add(b);
	expect_dependents(db, (struct unit *[]){ a, b, c }, 3);
	expect_dependents(d, (struct unit *[]){ b }, 1);

	/* Units go. */
	deps_index_del(c);
	expect_dependents(db, (struct unit *[]){ a, b }, 2);
	expect_dependents(x, NULL, 0);
	deps_index_del(a);
	deps_index_del(b);
	deps_index_del(d);
	deps_index_del(db);
	expect_dependents(db, NULL, 0);
	(void)deps_dependents(c, &n);
	assert_int_equal(n, 0);
	fake_free(db);
	fake_free(a);
	fake_free(b);
	fake_free(c);
	fake_free(d);
	fake_free(x);
}

/* ------------------------------------------------------------------ */
/* state.json */

/* What statefile.c wrote before, through a jansson document. */
static char *
reference_text(void)
{
	json_t		*units = json_object(), *doc;
	struct unit	*u;
	char		*text;
	size_t		 i;

	for (i = 0; i < sup.nunits; i++) {
		u = sup.units[i];
		json_object_set_new(units, u->conf->name, json_pack(
		    "{s:s,s:I,s:i,s:b,s:o,s:I}", "state", state_name(u->state),
		    "pid", (json_int_t)u->pid, "restarts", u->restarts,
		    "manual_stop", u->manual_stop, "last_exit",
		    exit_json(u->last_status), "started_ms",
		    (json_int_t)u->started_ms));
	}
	doc = json_pack("{s:s,s:o}", "schema", "state.v1", "units", units);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	return text;
}

static void
check_same(void)
{
	char	*want = reference_text(), *got = statefile_text();

	assert_non_null(want);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(want);
	free(got);
}

static void
t_statefile(void **state)
{
	static const char *names[] = { "web", "a", "a.b", "a-b", "A", "_z",
	    "0x", "b", "a_b", "Z9", "db.primary", "x-1", "x.1", "x_1" };
	static const int statuses[] = { -1, 0, 1 << 8, 255 << 8, SIGKILL,
	    SIGTERM, SIGSEGV | 0x80, 64, 0x137f, 3 << 8 };
	struct unit	*u[32];
	size_t		 i, n = sizeof(names) / sizeof(names[0]);

	(void)state;
	sup.units = u;
	sup.nunits = 0;
	check_same();
	for (i = 0; i < n; i++) {
		u[i] = fake_unit(names[i], (uint32_t)i, NULL);
		u[i]->state = (enum unit_state)(i % ST_MAX);
		u[i]->pid = i % 3 ? (pid_t)(100000 + i) : 0;
		u[i]->restarts = (int)(i * 7);
		u[i]->manual_stop = i % 4 == 1;
		u[i]->last_status = statuses[i % (sizeof(statuses) /
		    sizeof(statuses[0]))];
		u[i]->started_ms = i % 2 ? 1795000000123ULL + i : 0;
		sup.nunits = i + 1;
		check_same();
	}
	/* Names jansson escapes go through jansson. */
	u[n] = fake_unit("q\"uote", (uint32_t)n, NULL);
	u[n + 1] = fake_unit("tab\there", (uint32_t)n + 1, NULL);
	u[n + 2] = fake_unit("caf\xc3\xa9", (uint32_t)n + 2, NULL);
	sup.nunits = n + 3;
	check_same();
	for (i = 0; i < n + 3; i++)
		fake_free(u[i]);
	sup.units = NULL;
	sup.nunits = 0;
}

/* ------------------------------------------------------------------ */
/* Reasons */

static void
t_reason(void **state)
{
	struct unit	*u = fake_unit("r", 0, NULL);
	char		 big[600];

	(void)state;
	assert_string_equal(unit_reason(u), "");
	unit_clear_reason(u);
	assert_null(u->reason);
	unit_set_reason(u, "waiting for %s", "db");
	assert_string_equal(unit_reason(u), "waiting for db");
	unit_clear_reason(u);
	assert_string_equal(unit_reason(u), "");
	assert_non_null(u->reason);		/* the buffer stays */
	/* The old reason as an argument of the new one. */
	unit_set_reason(u, "exec: %s", "No such file or directory");
	unit_set_reason(u, "rolling restart failed: %s", unit_reason(u));
	assert_string_equal(unit_reason(u),
	    "rolling restart failed: exec: No such file or directory");
	/* Cut to UNIT_REASON_MAX - 1 bytes, as before. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	unit_set_reason(u, "%s", big);
	assert_int_equal(strlen(unit_reason(u)), UNIT_REASON_MAX - 1);
	free(u->reason);
	fake_free(u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_htab),
		cmocka_unit_test(t_pidmap),
		cmocka_unit_test(t_deps_index),
		cmocka_unit_test(t_statefile),
		cmocka_unit_test(t_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
