/*
 * The status and inspect documents (cli.md, "JSON status").
 */

#include <sys/wait.h>

#include <signal.h>
#include <string.h>
#include <time.h>

#include "confjson.h"
#include "proc.h"
#include "supervisor.h"

static const char *const health_names[] = {
	"healthy", "degraded", "failing", "inactive"
};

const char *
health_name(enum unit_health h)
{
	return health_names[h];
}

static const char *
sig_name(int sig)
{
	const char	*n = sigabbrev_np(sig);

	return n != NULL ? n : "UNKNOWN";
}

static json_t *
time_json(uint64_t ms)
{
	char		 buf[40];
	time_t		 t = (time_t)(ms / 1000);
	struct tm	 tm;

	if (ms == 0 || gmtime_r(&t, &tm) == NULL)
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

json_t *
exit_json(int status)
{
	if (status == -1)
		return json_null();
	if (WIFSIGNALED(status))
		return json_pack("{s:i,s:s}", "signal", WTERMSIG(status),
		    "name", sig_name(WTERMSIG(status)));
	return json_pack("{s:i}", "code", WEXITSTATUS(status));
}

static enum unit_health
cron_health(const struct unit *u)
{
	json_t		*lr, *o;
	const char	*out;

	lr = json_object_get(u->cron_info, "last_run");
	if (!json_is_object(lr) || !json_is_string(o = json_object_get(lr,
	    "outcome")))
		return HEALTH_HEALTHY;
	out = json_string_value(o);
	return strcmp(out, "success") == 0 ? HEALTH_HEALTHY : HEALTH_FAILING;
}

enum unit_health
unit_health(const struct unit *u)
{
	if (u->conf->is_cron)
		return cron_health(u);
	switch (u->state) {
	case ST_RUNNING:
		if (u->hc_failing)
			return HEALTH_FAILING;
		return u->hc_fails > 0 ? HEALTH_DEGRADED : HEALTH_HEALTHY;
	case ST_EXITED:
		return HEALTH_HEALTHY;
	case ST_WAITING:
	case ST_BACKOFF:
	case ST_STOPPING:
		return HEALTH_DEGRADED;
	case ST_STARTING:
		return u->hc_failing ? HEALTH_FAILING : HEALTH_DEGRADED;
	case ST_FAILED:
	case ST_BLOCKED:
		return HEALTH_FAILING;
	default:
		return HEALTH_INACTIVE;
	}
}

static const char *
unit_user(const struct unit *u)
{
	size_t	 i;

	if (u->conf->user != NULL)
		return u->conf->user;
	for (i = 0; i < u->conf->nenv; i++)
		if (strncmp(u->conf->env[i], "USER=", 5) == 0)
			return u->conf->env[i] + 5;
	return NULL;
}

static json_t *
unit_json(struct unit *u)
{
	json_t		*o;
	uint64_t	 now = now_ms();
	pid_t		 pid = u->conf->is_cron ? u->cron_pid : u->pid;
	const char	*user = unit_user(u);

	o = json_pack("{s:s,s:s,s:s,s:s}", "name", u->conf->name, "kind",
	    u->conf->is_cron ? "cron" : "service", "state",
	    state_name(u->state), "health", health_name(unit_health(u)));
	json_object_set_new(o, "pid", pid > 0 ? json_integer(pid) :
	    json_null());
	json_object_set_new(o, "user", user ? json_string(user) :
	    json_null());
	json_object_set_new(o, "uptime_seconds", pid > 0 &&
	    u->started_ms > 0 && now > u->started_ms ?
	    json_integer((json_int_t)((now - u->started_ms) / 1000)) :
	    json_integer(0));
	json_object_set_new(o, "restarts", json_integer(u->restarts));
	json_object_set_new(o, "last_exit", exit_json(u->last_status));
	json_object_set_new(o, "cpu_seconds", pid > 0 ?
	    json_real((double)u->cpu_ms / 1000.0) : json_real(0));
	json_object_set_new(o, "rss_bytes", json_integer(pid > 0 ?
	    (json_int_t)u->rss : 0));
	if (unit_reason(u)[0] != '\0' && (u->state == ST_FAILED ||
	    u->state == ST_BLOCKED || u->state == ST_WAITING ||
	    u->state == ST_SKIPPED))
		json_object_set_new(o, "reason", json_string(unit_reason(u)));
	if (u->conf->is_cron) {
		json_object_set_new(o, "next_run", json_incref(
		    json_object_get(u->cron_info, "next_run")) ?:
		    json_null());
		json_object_set_new(o, "last_run", json_incref(
		    json_object_get(u->cron_info, "last_run")) ?:
		    json_null());
		if (json_object_get(o, "last_run") != NULL &&
		    json_is_object(json_object_get(o, "last_run")))
			json_object_del(o, "last_exit");
	}
	return o;
}

static enum unit_health
overall(const char *only)
{
	enum unit_health worst = HEALTH_HEALTHY, h;
	size_t		 i;

	for (i = 0; i < sup.nunits; i++) {
		if (only != NULL && strcmp(only, sup.units[i]->conf->name))
			continue;
		h = unit_health(sup.units[i]);
		if (h != HEALTH_INACTIVE && h > worst)
			worst = h;
	}
	return worst;
}

json_t *
status_json(const char *only)
{
	json_t	*doc, *units;
	size_t	 i;

	units = json_array();
	for (i = 0; i < sup.nunits; i++) {
		if (only != NULL && strcmp(only, sup.units[i]->conf->name))
			continue;
		json_array_append_new(units, unit_json(sup.units[i]));
	}
	doc = json_pack("{s:s,s:o,s:s,s:{s:I,s:s,s:s?,s:I},s:o}",
	    "schema_version", "status.v1", "captured_at",
	    time_json(now_ms()), "overall_health", health_name(overall(only)),
	    "daemon", "pid", (json_int_t)sup.daemon_pid, "mode",
	    role->env.sysmode ? "system" : "user", "config", sup.config_file,
	    "uptime_seconds",
	    (json_int_t)((now_ms() - sup.daemon_started_ms) / 1000),
	    "units", units);
	return doc;
}

json_t *
inspect_json(struct unit *u)
{
	json_t	*o, *a, *e;
	size_t	 i;

	o = unit_json(u);
	json_object_set_new(o, "command", json_string(u->conf->command));
	json_object_set_new(o, "config_file", sup.config_file ?
	    json_string(sup.config_file) : json_null());
	json_object_set_new(o, "cgroup", u->conf->limits.cgroup.set ?
	    json_sprintf("%s/%s", u->conf->limits.cgroup.root,
	    u->conf->name) : json_null());
	if (unit_reason(u)[0] != '\0')
		json_object_set_new(o, "reason", json_string(unit_reason(u)));
	a = json_array();
	for (i = 0; i < u->nexits; i++) {
		e = exit_json(u->exits[i].status);
		if (json_is_null(e)) {
			json_decref(e);
			e = json_object();
		}
		json_object_set_new(e, "at", time_json(u->exits[i].at_ms));
		json_object_set_new(e, "reason",
		    json_string(u->exits[i].reason));
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "exits", a);
	a = json_array();
	for (i = 0; i < u->nchecks; i++)
		json_array_append_new(a, json_pack("{s:o,s:b,s:s}", "at",
		    time_json(u->checks[i].at_ms), "ok", u->checks[i].ok,
		    "detail", u->checks[i].detail));
	json_object_set_new(o, "health_checks", a);
	e = unit_to_json(u->conf);
	if (e != NULL) {
		json_object_set(o, "limits", json_object_get(e, "limits"));
		json_decref(e);
	}
	if (u->conf->is_cron)
		json_object_set_new(o, "runs", json_incref(json_object_get(
		    u->cron_info, "runs")) ?: json_array());
	return o;
}
