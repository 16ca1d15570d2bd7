/*
 * The configuration's JSON form: one object per unit, every field
 * present (defaults filled in), keys sorted when dumped.  unit_from_text
 * trusts nothing: every key must be there with the right type and
 * range, and nothing else may be.
 */

#include <sys/capability.h>

#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "confjson.h"
#include "log.h"
#include "parse.h"

static const char *const restart_names[] = { "never", "on-failure", "always" };
static const char *const hc_names[] = { "none", "command", "http", "tcp" };
static const char *const unhealthy_names[] = { "restart", "none" };
static const char *const strategy_names[] = { "immediate", "rolling" };
static const char *const event_names[] = { "on_start", "on_stop",
    "on_restart" };
static const char *const outcome_names[] = { "success", "error" };

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Building */

static void
jset(json_t *o, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(o, key, v) == -1)
		fatalx("confjson: cannot build %s", key);
}

static json_t *
jstr(const char *s)
{
	json_t	*v;

	if (s == NULL)
		return json_null();
	if ((v = json_string(s)) == NULL)	/* invalid UTF-8 */
		v = json_string("(invalid UTF-8)");
	return v;
}

static json_t *
jstrv(char *const *v, size_t n)
{
	json_t	*a;
	size_t	 i;

	if ((a = json_array()) == NULL)
		fatalx("confjson: json_array");
	for (i = 0; i < n && v != NULL && v[i] != NULL; i++)
		if (json_array_append_new(a, jstr(v[i])) == -1)
			fatalx("confjson: json_array_append");
	return a;
}

static size_t
strv_len(char *const *v)
{
	size_t	 n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

static json_t *
jsize(uint64_t v)
{
	if (v == LIMIT_INFINITY)
		return json_string("unlimited");
	return json_integer((json_int_t)v);
}

static json_t *
health_to_json(const struct health_conf *h)
{
	json_t	*o;

	if (h->type == HC_NONE || h->type > HC_TCP)
		return json_null();
	o = json_object();
	jset(o, "type", json_string(hc_names[h->type]));
	jset(o, "target", jstr(h->target));
	jset(o, "interval_ms", json_integer(h->interval_ms));
	jset(o, "timeout_ms", json_integer(h->timeout_ms));
	jset(o, "retries", json_integer(h->retries));
	jset(o, "start_period_ms", json_integer(h->start_period_ms));
	jset(o, "on_unhealthy", json_string(
	    unhealthy_names[h->on_unhealthy == UNHEALTHY_NONE]));
	return o;
}

static json_t *
hooks_to_json(const struct unit_conf *u)
{
	json_t	*o, *ev, *h;
	int	 e, r;

	o = json_object();
	for (e = 0; e < HOOK_EVENT_MAX; e++) {
		ev = json_object();
		for (r = 0; r < HOOK_OUTCOME_MAX; r++) {
			if (u->hooks[e][r].command == NULL) {
				jset(ev, outcome_names[r], json_null());
				continue;
			}
			h = json_object();
			jset(h, "command", jstr(u->hooks[e][r].command));
			jset(h, "timeout_ms",
			    json_integer(u->hooks[e][r].timeout_ms));
			jset(ev, outcome_names[r], h);
		}
		jset(o, event_names[e], ev);
	}
	return o;
}

static json_t *
rlimit_to_json(const struct rlimit_conf *r)
{
	json_t	*o;

	if (!r->set)
		return json_null();
	o = json_object();
	jset(o, "soft", jsize(r->soft));
	jset(o, "hard", jsize(r->hard));
	return o;
}

static json_t *
cgroup_to_json(const struct cgroup_conf *c)
{
	json_t	*o;

	if (!c->set)
		return json_null();
	o = json_object();
	jset(o, "root", jstr(c->root));
	if (!c->has_memory_max)
		jset(o, "memory_max", json_null());
	else if (c->memory_max == LIMIT_INFINITY)
		jset(o, "memory_max", json_string("max"));
	else
		jset(o, "memory_max", json_integer((json_int_t)c->memory_max));
	jset(o, "cpu_max", jstr(c->cpu_max));
	jset(o, "cpu_weight", c->cpu_weight ? json_integer(c->cpu_weight) :
	    json_null());
	if (c->pids_max < 0)
		jset(o, "pids_max", json_null());
	else if (c->pids_max == 0)
		jset(o, "pids_max", json_string("max"));
	else
		jset(o, "pids_max", json_integer(c->pids_max));
	return o;
}

static json_t *
limits_to_json(const struct limits_conf *l)
{
	json_t	*o, *a;
	size_t	 i;

	o = json_object();
	jset(o, "nofile", rlimit_to_json(&l->nofile));
	jset(o, "nproc", rlimit_to_json(&l->nproc));
	jset(o, "memlock", rlimit_to_json(&l->memlock));
	jset(o, "core", rlimit_to_json(&l->core));
	jset(o, "nice", l->has_nice ? json_integer(l->nice) : json_null());
	a = json_array();
	for (i = 0; i < l->ncpus && l->cpus != NULL; i++)
		if (json_array_append_new(a, json_integer(l->cpus[i])) == -1)
			fatalx("confjson: json_array_append");
	jset(o, "cpu_affinity", a);
	jset(o, "cgroup", cgroup_to_json(&l->cgroup));
	return o;
}

static json_t *
iso_to_json(const struct isolation_conf *i)
{
	json_t	*o;

	if (!i->set)
		return json_null();
	o = json_object();
	jset(o, "network", json_boolean(i->network));
	jset(o, "pid", json_boolean(i->pid));
	jset(o, "mount", json_boolean(i->mount));
	jset(o, "user", json_boolean(i->user));
	jset(o, "private_tmp", json_boolean(i->private_tmp));
	jset(o, "private_devices", json_boolean(i->private_devices));
	jset(o, "no_new_privileges", json_boolean(i->no_new_privileges));
	jset(o, "strict", json_boolean(i->strict));
	jset(o, "seccomp", i->seccomp_default ? json_string("default") :
	    json_null());
	return o;
}

static json_t *
caps_to_json(const struct unit_conf *u)
{
	json_t	*a;
	char	*name, *p;
	int	 c;

	if (!u->has_caps)
		return json_null();
	a = json_array();
	for (c = 0; c < 64; c++) {
		if ((u->caps & ((uint64_t)1 << c)) == 0)
			continue;
		if ((name = cap_to_name((cap_value_t)c)) == NULL)
			fatalx("confjson: cap_to_name");
		for (p = name; *p != '\0'; p++)
			*p = (char)toupper((unsigned char)*p);
		if (json_array_append_new(a, jstr(name)) == -1)
			fatalx("confjson: json_array_append");
		cap_free(name);
	}
	return a;
}

static json_t *
logs_to_json(const struct logs_conf *l)
{
	json_t	*o;

	o = json_object();
	jset(o, "max_bytes", json_integer((json_int_t)l->max_bytes));
	jset(o, "max_files", json_integer(l->max_files));
	jset(o, "timestamps", json_boolean(l->timestamps));
	return o;
}

static json_t *
deploy_to_json(const struct unit_conf *u)
{
	json_t	*o;

	o = json_object();
	jset(o, "strategy", json_string(
	    strategy_names[u->strategy == DEPLOY_ROLLING]));
	jset(o, "pre_start", jstr(u->pre_start));
	jset(o, "grace_period_ms", json_integer(u->grace_period_ms));
	return o;
}

static json_t *
cron_to_json(const struct unit_conf *u)
{
	json_t	*o;

	if (!u->is_cron)
		return json_null();
	o = json_object();
	jset(o, "expression", jstr(u->cron.expression));
	jset(o, "timezone", jstr(u->cron.timezone));
	jset(o, "timeout_ms", json_integer(u->cron.timeout_ms));
	return o;
}

static json_t *
skip_to_json(const struct unit_conf *u)
{
	if (u->skip == SKIP_COMMAND)
		return jstr(u->skip_command);
	return json_boolean(u->skip == SKIP_YES);
}

json_t *
unit_to_json(const struct unit_conf *u)
{
	json_t		*o;
	const char	*sig;

	if ((o = json_object()) == NULL)
		fatalx("confjson: json_object");
	jset(o, "name", jstr(u->name));
	jset(o, "command", jstr(u->command));
	jset(o, "argv", u->argv ? jstrv(u->argv, strv_len(u->argv)) :
	    json_null());
	jset(o, "working_dir", jstr(u->working_dir));
	jset(o, "env", jstrv(u->env, u->nenv));
	jset(o, "depends_on", jstrv(u->depends_on, u->ndeps));
	jset(o, "restart_policy", json_string(restart_names[
	    u->restart <= RESTART_ALWAYS ? u->restart : 0]));
	jset(o, "backoff_ms", json_integer(u->backoff_ms));
	jset(o, "max_backoff_ms", json_integer(u->max_backoff_ms));
	jset(o, "max_restarts", json_integer(u->max_restarts));
	sig = signal_name(u->stop_signal);
	jset(o, "stop_signal", json_string(sig ? sig : "TERM"));
	jset(o, "stop_timeout_ms", json_integer(u->stop_timeout_ms));
	jset(o, "health_check", health_to_json(&u->health));
	jset(o, "hooks", hooks_to_json(u));
	jset(o, "deployment", deploy_to_json(u));
	jset(o, "cron", cron_to_json(u));
	jset(o, "skip", skip_to_json(u));
	jset(o, "logs", logs_to_json(&u->logs));
	jset(o, "sockets", jstrv(u->sockets, u->nsockets));
	jset(o, "user", jstr(u->user));
	jset(o, "group", jstr(u->group));
	jset(o, "supplementary_groups", jstrv(u->supp_groups, u->nsupp));
	jset(o, "capabilities", caps_to_json(u));
	jset(o, "limits", limits_to_json(&u->limits));
	jset(o, "isolation", iso_to_json(&u->iso));
	return o;
}

char *
unit_to_text(const struct unit_conf *u)
{
	json_t	*o;
	char	*s;

	o = unit_to_json(u);
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (s == NULL)
		fatalx("confjson: json_dumps");
	return s;
}

json_t *
conf_to_json(const struct sysg_conf *c)
{
	json_t	*o, *a;
	size_t	 i;

	o = json_object();
	jset(o, "file", jstr(c->file));
	jset(o, "project_dir", jstr(c->project_dir));
	jset(o, "logs", logs_to_json(&c->logs));
	a = json_array();
	for (i = 0; i < c->nunits; i++)
		if (json_array_append_new(a, unit_to_json(c->units[i])) == -1)
			fatalx("confjson: json_array_append");
	jset(o, "units", a);
	return o;
}

/* ------------------------------------------------------------------ */
/* Freeing */

static void
strv_free(char **v, size_t n)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; i < n || (n == SIZE_MAX && v[i] != NULL); i++) {
		if (n == SIZE_MAX && v[i] == NULL)
			break;
		free(v[i]);
	}
	free(v);
}

void
unit_conf_free(struct unit_conf *u)
{
	int	 e, r;

	if (u == NULL)
		return;
	free(u->command);
	strv_free(u->argv, SIZE_MAX);
	free(u->working_dir);
	strv_free(u->env, u->nenv);
	strv_free(u->depends_on, u->ndeps);
	free(u->health.target);
	for (e = 0; e < HOOK_EVENT_MAX; e++)
		for (r = 0; r < HOOK_OUTCOME_MAX; r++)
			free(u->hooks[e][r].command);
	free(u->pre_start);
	free(u->cron.expression);
	free(u->cron.timezone);
	free(u->skip_command);
	strv_free(u->sockets, u->nsockets);
	free(u->user);
	free(u->group);
	strv_free(u->supp_groups, u->nsupp);
	free(u->limits.cpus);
	free(u->limits.cgroup.root);
	free(u->limits.cgroup.cpu_max);
	free(u);
}

/* ------------------------------------------------------------------ */
/* Strict reading */

/* The object must have exactly these keys. */
static int
jkeys(const json_t *o, const char *const *keys)
{
	size_t	 n;

	if (!json_is_object(o))
		return -1;
	for (n = 0; keys[n] != NULL; n++)
		if (json_object_get(o, keys[n]) == NULL)
			return -1;
	return json_object_size(o) == n ? 0 : -1;
}

static int
rd_str(const json_t *v, int nullable, char **out)
{
	const char	*s;

	*out = NULL;
	if (nullable && json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return -1;
	if ((*out = strdup(s)) == NULL)
		fatal("confjson");
	return 0;
}

static int
rd_int(const json_t *v, long long min, long long max, long long *out)
{
	json_int_t	 i;

	if (!json_is_integer(v))
		return -1;
	i = json_integer_value(v);
	if (i < min || i > max)
		return -1;
	*out = i;
	return 0;
}

static int
rd_ms(const json_t *v, int64_t *out)
{
	long long	 i;

	if (rd_int(v, 0, PARSE_DURATION_MAX_MS, &i) == -1)
		return -1;
	*out = i;
	return 0;
}

static int
rd_bool(const json_t *v, bool *out)
{
	if (!json_is_boolean(v))
		return -1;
	*out = json_is_true(v);
	return 0;
}

static int
rd_enum(const json_t *v, const char *const *names, size_t n, int *out)
{
	size_t	 i;

	if (!json_is_string(v))
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(json_string_value(v), names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	return -1;
}

#define STRV_MAX	65536

static int
rd_strv(const json_t *v, int nullable, char ***out, size_t *np)
{
	size_t	 i, n;
	char	**sv;

	*out = NULL;
	if (np != NULL)
		*np = 0;
	if (nullable && json_is_null(v))
		return 0;
	if (!json_is_array(v) || (n = json_array_size(v)) > STRV_MAX)
		return -1;
	if ((sv = calloc(n + 1, sizeof(*sv))) == NULL)
		fatal("confjson");
	*out = sv;
	for (i = 0; i < n; i++) {
		if (rd_str(json_array_get(v, i), 0, &sv[i]) == -1)
			return -1;
		if (np != NULL)
			(*np)++;
	}
	return 0;
}

static int
rd_size(const json_t *v, const char *inf, uint64_t *out)
{
	long long	 i;

	if (json_is_string(v) && strcmp(json_string_value(v), inf) == 0) {
		*out = LIMIT_INFINITY;
		return 0;
	}
	if (rd_int(v, 0, LLONG_MAX, &i) == -1)
		return -1;
	*out = (uint64_t)i;
	return 0;
}

static int
rd_health(const json_t *v, struct health_conf *h)
{
	static const char *const keys[] = { "type", "target", "interval_ms",
	    "timeout_ms", "retries", "start_period_ms", "on_unhealthy",
	    NULL };
	long long	 i;
	int		 e;

	if (json_is_null(v))
		return 0;
	if (jkeys(v, keys) == -1 ||
	    rd_enum(json_object_get(v, "type"), hc_names, NITEMS(hc_names),
	    &e) == -1 || e == HC_NONE)
		return -1;
	h->type = e;
	if (rd_str(json_object_get(v, "target"), 0, &h->target) == -1 ||
	    rd_ms(json_object_get(v, "interval_ms"), &h->interval_ms) == -1 ||
	    rd_ms(json_object_get(v, "timeout_ms"), &h->timeout_ms) == -1 ||
	    rd_ms(json_object_get(v, "start_period_ms"),
	    &h->start_period_ms) == -1 ||
	    rd_int(json_object_get(v, "retries"), 1, INT_MAX, &i) == -1 ||
	    rd_enum(json_object_get(v, "on_unhealthy"), unhealthy_names,
	    NITEMS(unhealthy_names), &e) == -1)
		return -1;
	h->retries = (int)i;
	h->on_unhealthy = e;
	return 0;
}

static int
rd_hooks(const json_t *v, struct unit_conf *u)
{
	static const char *const evkeys[] = { "on_start", "on_stop",
	    "on_restart", NULL };
	static const char *const okeys[] = { "success", "error", NULL };
	static const char *const hkeys[] = { "command", "timeout_ms", NULL };
	const json_t	*ev, *h;
	int		 e, r;

	if (jkeys(v, evkeys) == -1)
		return -1;
	for (e = 0; e < HOOK_EVENT_MAX; e++) {
		ev = json_object_get(v, event_names[e]);
		if (jkeys(ev, okeys) == -1)
			return -1;
		for (r = 0; r < HOOK_OUTCOME_MAX; r++) {
			h = json_object_get(ev, outcome_names[r]);
			if (json_is_null(h))
				continue;
			if (jkeys(h, hkeys) == -1 ||
			    rd_str(json_object_get(h, "command"), 0,
			    &u->hooks[e][r].command) == -1 ||
			    rd_ms(json_object_get(h, "timeout_ms"),
			    &u->hooks[e][r].timeout_ms) == -1)
				return -1;
		}
	}
	return 0;
}

static int
rd_deploy(const json_t *v, struct unit_conf *u)
{
	static const char *const keys[] = { "strategy", "pre_start",
	    "grace_period_ms", NULL };
	int	 e;

	if (jkeys(v, keys) == -1 ||
	    rd_enum(json_object_get(v, "strategy"), strategy_names,
	    NITEMS(strategy_names), &e) == -1)
		return -1;
	u->strategy = e;
	if (rd_str(json_object_get(v, "pre_start"), 1, &u->pre_start) == -1 ||
	    rd_ms(json_object_get(v, "grace_period_ms"),
	    &u->grace_period_ms) == -1)
		return -1;
	return 0;
}

static int
rd_cron(const json_t *v, struct unit_conf *u)
{
	static const char *const keys[] = { "expression", "timezone",
	    "timeout_ms", NULL };

	if (json_is_null(v))
		return 0;
	u->is_cron = true;
	if (jkeys(v, keys) == -1 ||
	    rd_str(json_object_get(v, "expression"), 0,
	    &u->cron.expression) == -1 ||
	    rd_str(json_object_get(v, "timezone"), 1,
	    &u->cron.timezone) == -1 ||
	    rd_ms(json_object_get(v, "timeout_ms"), &u->cron.timeout_ms) == -1)
		return -1;
	return 0;
}

static int
rd_skip(const json_t *v, struct unit_conf *u)
{
	if (json_is_boolean(v)) {
		u->skip = json_is_true(v) ? SKIP_YES : SKIP_NO;
		return 0;
	}
	u->skip = SKIP_COMMAND;
	return rd_str(v, 0, &u->skip_command);
}

static int
rd_logs(const json_t *v, struct logs_conf *l)
{
	static const char *const keys[] = { "max_bytes", "max_files",
	    "timestamps", NULL };
	long long	 i;

	if (jkeys(v, keys) == -1 ||
	    rd_size(json_object_get(v, "max_bytes"), "", &l->max_bytes) ==
	    -1 || l->max_bytes == LIMIT_INFINITY ||
	    rd_int(json_object_get(v, "max_files"), 0, INT_MAX, &i) == -1 ||
	    rd_bool(json_object_get(v, "timestamps"), &l->timestamps) == -1)
		return -1;
	l->max_files = (int)i;
	return 0;
}

static int
rd_caps(const json_t *v, struct unit_conf *u)
{
	const json_t	*c;
	size_t		 i;
	cap_value_t	 cv;

	if (json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return -1;
	u->has_caps = true;
	json_array_foreach(v, i, c) {
		if (!json_is_string(c) ||
		    strncasecmp(json_string_value(c), "CAP_", 4) != 0 ||
		    cap_from_name(json_string_value(c), &cv) == -1 ||
		    cv < 0 || cv > 63)
			return -1;
		u->caps |= (uint64_t)1 << cv;
	}
	return 0;
}

static int
rd_rlimit(const json_t *v, struct rlimit_conf *r)
{
	static const char *const keys[] = { "soft", "hard", NULL };

	if (json_is_null(v))
		return 0;
	r->set = true;
	if (jkeys(v, keys) == -1 ||
	    rd_size(json_object_get(v, "soft"), "unlimited", &r->soft) == -1 ||
	    rd_size(json_object_get(v, "hard"), "unlimited", &r->hard) == -1 ||
	    r->soft > r->hard)
		return -1;
	return 0;
}

static int
rd_cgroup(const json_t *v, struct cgroup_conf *c)
{
	static const char *const keys[] = { "root", "memory_max", "cpu_max",
	    "cpu_weight", "pids_max", NULL };
	const json_t	*m, *p, *w;
	long long	 i;

	if (json_is_null(v))
		return 0;
	c->set = true;
	c->pids_max = -1;
	if (jkeys(v, keys) == -1 ||
	    rd_str(json_object_get(v, "root"), 0, &c->root) == -1 ||
	    c->root[0] != '/' ||
	    rd_str(json_object_get(v, "cpu_max"), 1, &c->cpu_max) == -1)
		return -1;
	m = json_object_get(v, "memory_max");
	if (!json_is_null(m)) {
		c->has_memory_max = true;
		if (rd_size(m, "max", &c->memory_max) == -1)
			return -1;
	}
	w = json_object_get(v, "cpu_weight");
	if (!json_is_null(w)) {
		if (rd_int(w, 1, 10000, &i) == -1)
			return -1;
		c->cpu_weight = (int)i;
	}
	p = json_object_get(v, "pids_max");
	if (json_is_string(p) && strcmp(json_string_value(p), "max") == 0)
		c->pids_max = 0;
	else if (!json_is_null(p)) {
		if (rd_int(p, 1, INT64_MAX, &i) == -1)
			return -1;
		c->pids_max = i;
	}
	return 0;
}

static int
rd_cpus(const json_t *v, struct limits_conf *l)
{
	const json_t	*c;
	size_t		 i, n;
	long long	 cpu;

	if (!json_is_array(v) || (n = json_array_size(v)) > 65536)
		return -1;
	if (n == 0)
		return 0;
	if ((l->cpus = calloc(n, sizeof(*l->cpus))) == NULL)
		fatal("confjson");
	json_array_foreach(v, i, c) {
		if (rd_int(c, 0, 65535, &cpu) == -1)
			return -1;
		l->cpus[l->ncpus++] = (int)cpu;
	}
	return 0;
}

static int
rd_limits(const json_t *v, struct limits_conf *l)
{
	static const char *const keys[] = { "nofile", "nproc", "memlock",
	    "core", "nice", "cpu_affinity", "cgroup", NULL };
	const json_t	*n;
	long long	 i;

	if (jkeys(v, keys) == -1 ||
	    rd_rlimit(json_object_get(v, "nofile"), &l->nofile) == -1 ||
	    rd_rlimit(json_object_get(v, "nproc"), &l->nproc) == -1 ||
	    rd_rlimit(json_object_get(v, "memlock"), &l->memlock) == -1 ||
	    rd_rlimit(json_object_get(v, "core"), &l->core) == -1 ||
	    rd_cpus(json_object_get(v, "cpu_affinity"), l) == -1 ||
	    rd_cgroup(json_object_get(v, "cgroup"), &l->cgroup) == -1)
		return -1;
	n = json_object_get(v, "nice");
	if (!json_is_null(n)) {
		if (rd_int(n, -20, 19, &i) == -1)
			return -1;
		l->has_nice = true;
		l->nice = (int)i;
	}
	return 0;
}

static int
rd_iso(const json_t *v, struct isolation_conf *i)
{
	static const char *const keys[] = { "network", "pid", "mount",
	    "user", "private_tmp", "private_devices", "no_new_privileges",
	    "strict", "seccomp", NULL };
	const json_t	*s;

	if (json_is_null(v))
		return 0;
	i->set = true;
	if (jkeys(v, keys) == -1 ||
	    rd_bool(json_object_get(v, "network"), &i->network) == -1 ||
	    rd_bool(json_object_get(v, "pid"), &i->pid) == -1 ||
	    rd_bool(json_object_get(v, "mount"), &i->mount) == -1 ||
	    rd_bool(json_object_get(v, "user"), &i->user) == -1 ||
	    rd_bool(json_object_get(v, "private_tmp"), &i->private_tmp) ==
	    -1 || rd_bool(json_object_get(v, "private_devices"),
	    &i->private_devices) == -1 ||
	    rd_bool(json_object_get(v, "no_new_privileges"),
	    &i->no_new_privileges) == -1 ||
	    rd_bool(json_object_get(v, "strict"), &i->strict) == -1)
		return -1;
	s = json_object_get(v, "seccomp");
	if (json_is_string(s) && strcmp(json_string_value(s), "default") == 0)
		i->seccomp_default = true;
	else if (!json_is_null(s))
		return -1;
	return 0;
}

/* env entries are KEY=VALUE with a non-empty key. */
static int
env_ok(char *const *env, size_t n)
{
	size_t	 i;
	char	*eq;

	for (i = 0; i < n; i++)
		if ((eq = strchr(env[i], '=')) == NULL || eq == env[i])
			return 0;
	return 1;
}

static int
rd_names(const json_t *v, char ***out, size_t *np)
{
	size_t	 i;

	if (rd_strv(v, 0, out, np) == -1)
		return -1;
	for (i = 0; i < *np; i++)
		if (!unit_name_valid((*out)[i]))
			return -1;
	return 0;
}

static int
rd_unit_scalars(const json_t *o, struct unit_conf *u)
{
	long long	 i;
	int		 e;
	const json_t	*s;
	char		*name;

	if (rd_str(json_object_get(o, "name"), 0, &name) == -1)
		return -1;
	e = unit_name_valid(name);
	if (e)
		strlcpy(u->name, name, sizeof(u->name));
	free(name);
	if (!e ||
	    rd_str(json_object_get(o, "command"), 0, &u->command) == -1 ||
	    rd_str(json_object_get(o, "working_dir"), 1, &u->working_dir) ==
	    -1 ||
	    rd_enum(json_object_get(o, "restart_policy"), restart_names,
	    NITEMS(restart_names), &e) == -1)
		return -1;
	u->restart = e;
	if (rd_ms(json_object_get(o, "backoff_ms"), &u->backoff_ms) == -1 ||
	    rd_ms(json_object_get(o, "max_backoff_ms"), &u->max_backoff_ms) ==
	    -1 || rd_ms(json_object_get(o, "stop_timeout_ms"),
	    &u->stop_timeout_ms) == -1 ||
	    rd_int(json_object_get(o, "max_restarts"), -1, INT_MAX, &i) == -1)
		return -1;
	u->max_restarts = (int)i;
	s = json_object_get(o, "stop_signal");
	if (!json_is_string(s) ||
	    (u->stop_signal = signal_parse(json_string_value(s))) == -1)
		return -1;
	return 0;
}

static int
rd_unit(const json_t *o, struct unit_conf *u)
{
	static const char *const keys[] = { "name", "command", "argv",
	    "working_dir", "env", "depends_on", "restart_policy",
	    "backoff_ms", "max_backoff_ms", "max_restarts", "stop_signal",
	    "stop_timeout_ms", "health_check", "hooks", "deployment", "cron",
	    "skip", "logs", "sockets", "user", "group",
	    "supplementary_groups", "capabilities", "limits", "isolation",
	    NULL };
	size_t	 n;

	if (jkeys(o, keys) == -1 || rd_unit_scalars(o, u) == -1)
		return -1;
	if (rd_strv(json_object_get(o, "argv"), 1, &u->argv, &n) == -1 ||
	    (u->argv != NULL && n == 0) ||
	    rd_strv(json_object_get(o, "env"), 0, &u->env, &u->nenv) == -1 ||
	    !env_ok(u->env, u->nenv) ||
	    rd_names(json_object_get(o, "depends_on"), &u->depends_on,
	    &u->ndeps) == -1 ||
	    rd_health(json_object_get(o, "health_check"), &u->health) == -1 ||
	    rd_hooks(json_object_get(o, "hooks"), u) == -1 ||
	    rd_deploy(json_object_get(o, "deployment"), u) == -1 ||
	    rd_cron(json_object_get(o, "cron"), u) == -1 ||
	    rd_skip(json_object_get(o, "skip"), u) == -1 ||
	    rd_logs(json_object_get(o, "logs"), &u->logs) == -1 ||
	    rd_strv(json_object_get(o, "sockets"), 0, &u->sockets,
	    &u->nsockets) == -1 ||
	    rd_str(json_object_get(o, "user"), 1, &u->user) == -1 ||
	    rd_str(json_object_get(o, "group"), 1, &u->group) == -1 ||
	    rd_strv(json_object_get(o, "supplementary_groups"), 0,
	    &u->supp_groups, &u->nsupp) == -1 ||
	    rd_caps(json_object_get(o, "capabilities"), u) == -1 ||
	    rd_limits(json_object_get(o, "limits"), &u->limits) == -1 ||
	    rd_iso(json_object_get(o, "isolation"), &u->iso) == -1)
		return -1;
	return 0;
}

struct unit_conf *
unit_from_text(const char *text, size_t len)
{
	struct unit_conf	*u;
	json_t			*o;
	json_error_t		 jerr;

	if (text == NULL || len > IMSG_MAXPAYLOAD)
		return NULL;
	if ((o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL)
		return NULL;
	if ((u = calloc(1, sizeof(*u))) == NULL)
		fatal("confjson");
	u->max_restarts = -1;
	u->limits.cgroup.pids_max = -1;
	if (rd_unit(o, u) == -1) {
		json_decref(o);
		unit_conf_free(u);
		return NULL;
	}
	json_decref(o);
	return u;
}
