#include "unit.h"

/*
 * Unit tests for common/confjson.c: a fully populated unit survives
 * unit_to_text -> unit_from_text unchanged, and unit_from_text refuses
 * (without crashing or leaking) anything malformed.
 */

#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confjson.h"

static char *
xstrdup(const char *s)
{
	char	*d;

	assert_non_null(d = strdup(s));
	return d;
}

static char **
strv(size_t n, ...)
{
	va_list	  ap;
	char	**v;
	size_t	  i;

	assert_non_null(v = calloc(n + 1, sizeof(*v)));
	va_start(ap, n);
	for (i = 0; i < n; i++)
		v[i] = xstrdup(va_arg(ap, const char *));
	va_end(ap);
	return v;
}

static void
fill_limits(struct limits_conf *l)
{
	l->nofile.set = true;
	l->nofile.soft = 1024;
	l->nofile.hard = 65536;
	l->core.set = true;
	l->core.soft = l->core.hard = LIMIT_INFINITY;
	l->memlock.set = true;
	l->memlock.soft = l->memlock.hard = 64 << 20;
	l->has_nice = true;
	l->nice = -5;
	assert_non_null(l->cpus = calloc(2, sizeof(int)));
	l->cpus[0] = 0;
	l->cpus[1] = 1;
	l->ncpus = 2;
	l->cgroup.set = true;
	l->cgroup.root = xstrdup("/sys/fs/cgroup/systemg");
	l->cgroup.has_memory_max = true;
	l->cgroup.memory_max = 512 << 20;
	l->cgroup.cpu_max = xstrdup("50000 100000");
	l->cgroup.cpu_weight = 100;
	l->cgroup.pids_max = 0;
}

static struct unit_conf *
full_unit(void)
{
	struct unit_conf	*u;

	assert_non_null(u = calloc(1, sizeof(*u)));
	strlcpy(u->name, "api-1.x", sizeof(u->name));
	u->command = xstrdup("nginx -g 'daemon off;'");
	u->argv = strv(3, "nginx", "-g", "daemon off;");
	u->working_dir = xstrdup("/srv/caf\xc3\xa9");
	u->env = strv(3, "A=1", "B=x=y", "SYSG_SERVICE=api-1.x");
	u->nenv = 3;
	u->depends_on = strv(2, "db", "cache");
	u->ndeps = 2;
	u->restart = RESTART_ON_FAILURE;
	u->backoff_ms = 250;
	u->max_backoff_ms = 60000;
	u->max_restarts = 5;
	u->stop_signal = SIGQUIT;
	u->stop_timeout_ms = 10000;
	u->health.type = HC_HTTP;
	u->health.target = xstrdup("http://127.0.0.1:8000/health");
	u->health.interval_ms = 10000;
	u->health.timeout_ms = 5000;
	u->health.retries = 3;
	u->health.start_period_ms = 1000;
	u->health.on_unhealthy = UNHEALTHY_NONE;
	u->hooks[HOOK_START][HOOK_SUCCESS].command = xstrdup("echo up");
	u->hooks[HOOK_START][HOOK_SUCCESS].timeout_ms = 30000;
	u->hooks[HOOK_RESTART][HOOK_ERROR].command = xstrdup("alert");
	u->hooks[HOOK_RESTART][HOOK_ERROR].timeout_ms = 5000;
	u->strategy = DEPLOY_ROLLING;
	u->pre_start = xstrdup("./migrate");
	u->grace_period_ms = 2000;
	u->skip = SKIP_COMMAND;
	u->skip_command = xstrdup("test -f /etc/skip");
	u->logs.max_bytes = 10 << 20;
	u->logs.max_files = 5;
	u->logs.timestamps = true;
	u->sockets = strv(1, "web");
	u->nsockets = 1;
	u->user = xstrdup("www-data");
	u->group = xstrdup("www-data");
	u->supp_groups = strv(1, "ssl-cert");
	u->nsupp = 1;
	u->has_caps = true;
	u->caps = (1ULL << CAP_NET_BIND_SERVICE) | (1ULL << CAP_CHOWN);
	fill_limits(&u->limits);
	u->iso.set = true;
	u->iso.pid = true;
	u->iso.private_tmp = true;
	u->iso.seccomp_default = true;
	return u;
}

static void
test_roundtrip(void **state)
{
	struct unit_conf	*u, *v;
	char			*t1, *t2;

	(void)state;
	u = full_unit();
	t1 = unit_to_text(u);
	assert_non_null(v = unit_from_text(t1, strlen(t1)));
	t2 = unit_to_text(v);
	assert_string_equal(t1, t2);
	assert_string_equal(v->name, "api-1.x");
	assert_string_equal(v->argv[2], "daemon off;");
	assert_null(v->argv[3]);
	assert_int_equal(v->nenv, 3);
	assert_null(v->env[3]);
	assert_null(v->depends_on[2]);
	assert_int_equal(v->stop_signal, SIGQUIT);
	assert_true(v->caps == u->caps);
	assert_true(v->limits.core.soft == LIMIT_INFINITY);
	assert_int_equal(v->limits.cgroup.pids_max, 0);
	assert_int_equal(v->skip, SKIP_COMMAND);
	assert_false(v->is_cron);
	assert_true(strstr(t1, "\"CAP_NET_BIND_SERVICE\"") != NULL);
	free(t1);
	free(t2);
	unit_conf_free(u);
	unit_conf_free(v);
}

static void
test_minimal_and_cron(void **state)
{
	struct unit_conf	*u, *v;
	char			*t1, *t2;

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
	t1 = unit_to_text(u);
	assert_non_null(v = unit_from_text(t1, strlen(t1)));
	t2 = unit_to_text(v);
	assert_string_equal(t1, t2);
	assert_null(v->argv);
	assert_true(v->is_cron);
	assert_null(v->cron.timezone);
	assert_false(v->has_caps);
	assert_int_equal(v->limits.cgroup.pids_max, -1);
	free(t1);
	free(t2);
	unit_conf_free(u);
	unit_conf_free(v);
}

/* Replace the first occurrence of from by to in text; must refuse. */
static void
refuse_edit(const char *text, const char *from, const char *to)
{
	const char	*p;
	char		*buf;
	size_t		 n;

	p = strstr(text, from);
	if (p == NULL)
		fail_msg("test bug: \"%s\" not in text", from);
	n = strlen(text) - strlen(from) + strlen(to) + 1;
	assert_non_null(buf = malloc(n));
	snprintf(buf, n, "%.*s%s%s", (int)(p - text), text, to,
	    p + strlen(from));
	if (unit_from_text(buf, strlen(buf)) != NULL)
		fail_msg("accepted: %s -> %s", from, to);
	free(buf);
}

static void
test_refuse(void **state)
{
	struct unit_conf	*u;
	char			*t;

	(void)state;
	u = full_unit();
	t = unit_to_text(u);
	unit_conf_free(u);
	refuse_edit(t, "\"name\":\"api-1.x\"", "\"name\":\"../etc\"");
	refuse_edit(t, "\"name\":\"api-1.x\"", "\"name\":\"\"");
	refuse_edit(t, "\"name\":\"api-1.x\"", "\"name\":\"a\\u0000b\"");
	refuse_edit(t, "\"name\":\"api-1.x\"", "\"name\":1");
	refuse_edit(t, "\"name\":\"api-1.x\"", "\"name\":\"aaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"");
	refuse_edit(t, "\"name\":\"api-1.x\",", "");
	refuse_edit(t, "\"name\":", "\"extra\":1,\"name\":");
	refuse_edit(t, "\"name\":\"api-1.x\"", "\"name\":\"api-1.x\","
	    "\"name\":\"b\"");
	refuse_edit(t, "\"command\":\"", "\"command\":\"\\u0000");
	refuse_edit(t, "\"A=1\"", "\"noequals\"");
	refuse_edit(t, "\"A=1\"", "\"=1\"");
	refuse_edit(t, "\"A=1\"", "1");
	refuse_edit(t, "\"depends_on\":[\"db\"", "\"depends_on\":[\"-db\"");
	refuse_edit(t, "\"restart_policy\":\"on-failure\"",
	    "\"restart_policy\":\"sometimes\"");
	refuse_edit(t, "\"backoff_ms\":250", "\"backoff_ms\":-1");
	refuse_edit(t, "\"backoff_ms\":250", "\"backoff_ms\":1.5");
	refuse_edit(t, "\"backoff_ms\":250", "\"backoff_ms\":"
	    "99999999999999999999");
	refuse_edit(t, "\"max_restarts\":5", "\"max_restarts\":-2");
	refuse_edit(t, "\"stop_signal\":\"QUIT\"", "\"stop_signal\":\"SEGV\"");
	refuse_edit(t, "\"retries\":3", "\"retries\":0");
	refuse_edit(t, "\"type\":\"http\"", "\"type\":\"none\"");
	refuse_edit(t, "\"nice\":-5", "\"nice\":-21");
	refuse_edit(t, "\"nice\":-5", "\"nice\":\"5\"");
	refuse_edit(t, "\"soft\":1024", "\"soft\":100000");
	refuse_edit(t, "\"soft\":1024", "\"soft\":-1");
	refuse_edit(t, "\"cpu_weight\":100", "\"cpu_weight\":10001");
	refuse_edit(t, "\"root\":\"/sys", "\"root\":\"sys");
	refuse_edit(t, "\"CAP_CHOWN\"", "\"CAP_BOGUS\"");
	refuse_edit(t, "\"CAP_CHOWN\"", "\"12\"");
	refuse_edit(t, "\"seccomp\":\"default\"", "\"seccomp\":\"strict\"");
	refuse_edit(t, "\"pid\":true", "\"pid\":1");
	refuse_edit(t, "\"argv\":[", "\"argv\":[1,");
	refuse_edit(t, "\"max_files\":5", "\"max_files\":-1");
	refuse_edit(t, "\"skip\":\"", "\"skip\":1,\"x\":\"");
	refuse_edit(t, "\"hooks\":{", "\"hooks\":{\"on_boot\":null,");
	refuse_edit(t, "\"on_start\":{", "\"on_start\":{\"maybe\":null,");
	refuse_edit(t, "\"cpu_affinity\":[0", "\"cpu_affinity\":[-1");
	free(t);
}

static void
test_hostile(void **state)
{
	struct unit_conf	*u;
	char			*t, *m;
	size_t			 len, i;
	unsigned		 seed = 12345;

	(void)state;
	u = full_unit();
	t = unit_to_text(u);
	unit_conf_free(u);
	len = strlen(t);
	/* Every truncation. */
	for (i = 0; i < len; i++)
		assert_null(unit_from_text(t, i));
	/* Random byte mutations: never crash, never leak. */
	assert_non_null(m = malloc(len + 1));
	for (i = 0; i < 20000; i++) {
		memcpy(m, t, len + 1);
		seed = seed * 1103515245 + 12345;
		m[(seed >> 8) % len] = (char)(seed >> 20);
		seed = seed * 1103515245 + 12345;
		m[(seed >> 8) % len] = (char)(seed >> 16);
		u = unit_from_text(m, len);
		unit_conf_free(u);
	}
	free(m);
	free(t);
	assert_null(unit_from_text(NULL, 0));
	assert_null(unit_from_text("", 0));
	assert_null(unit_from_text("[]", 2));
	assert_null(unit_from_text("{}", 2));
	assert_null(unit_from_text("null", 4));
	assert_null(unit_from_text("{\"name\":", 8));
	assert_null(unit_from_text("\xff\xfe", 2));
}

static void
test_conf_to_json(void **state)
{
	struct sysg_conf	 c;
	struct unit_conf	*units[1];
	json_t			*o;
	char			*s;

	(void)state;
	memset(&c, 0, sizeof(c));
	units[0] = full_unit();
	c.file = "/srv/app/systemg.yaml";
	c.project_dir = "/srv/app";
	c.logs.max_bytes = 1024;
	c.units = units;
	c.nunits = 1;
	o = conf_to_json(&c);
	assert_non_null(o);
	assert_int_equal(json_array_size(json_object_get(o, "units")), 1);
	assert_string_equal(json_string_value(json_object_get(o,
	    "project_dir")), "/srv/app");
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(s);
	assert_true(strstr(s, "\"max_bytes\":1024") != NULL);
	free(s);
	json_decref(o);
	unit_conf_free(units[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_minimal_and_cron),
		cmocka_unit_test(test_refuse),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_conf_to_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
