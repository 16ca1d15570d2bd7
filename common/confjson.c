/*
 * The configuration's JSON form: one object per unit, every field
 * present (defaults filled in), keys sorted when dumped.  It is what
 * `sysg validate --print` shows and what reload compares; the roles
 * get their units in the wire form of confwire.c.
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
#include "strpool.h"

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

size_t
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
	if (u->flat) {		/* everything in one block */
		strpool_unref(u->pool);
		free(u);
		return;
	}
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
