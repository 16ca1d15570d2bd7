/*
 * The keys of one service: command, restart behaviour, health check,
 * hooks, deployment, cron, skip, logs, sockets.  Accounts, limits,
 * capabilities and isolation are in config_priv.c, the environment in
 * config_env.c.
 */

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmdsplit.h"
#include "config_int.h"
#include "log.h"
#include "parse.h"

#if defined(__has_include)
#if __has_include("cronexpr.h")
#include "cronexpr.h"
#define HAVE_CRONEXPR	1
#endif
#endif

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* A scalar that must be one of names; -1 (reported) otherwise. */
static int
cx_enum(struct cx *cx, const struct ynode *v, const char *const *names,
    size_t n, int *out)
{
	char		 what[256], got[300];
	const char	*sug;
	size_t		 i;

	if (v->type == Y_SCALAR && !ynode_is_null(v))
		for (i = 0; i < n; i++)
			if (strcmp(v->str, names[i]) == 0) {
				*out = (int)i;
				return 0;
			}
	if (v->type == Y_BAD)
		return -1;
	strlcpy(what, "one of", sizeof(what));
	for (i = 0; i < n; i++) {
		strlcat(what, i ? ", " : " ", sizeof(what));
		strlcat(what, names[i], sizeof(what));
	}
	ydesc(v, got, sizeof(got));
	if (v->type == Y_SCALAR && !ynode_is_null(v) &&
	    (sug = suggest(v->str, names, n)) != NULL)
		cx_err(cx, v, "expected %s, got %s (did you mean \"%s\"?)",
		    what, got, sug);
	else
		cx_err(cx, v, "expected %s, got %s", what, got);
	return -1;
}

static int
blank(const char *s)
{
	return s[strspn(s, " \t\n\r")] == '\0';
}

/* A non-empty command string, malloc'd; NULL (reported) otherwise. */
static char *
cx_command(struct cx *cx, const struct ynode *v)
{
	char	*s;

	if ((s = cx_strdup(cx, v, "a command string")) == NULL)
		return NULL;
	if (blank(s)) {
		cx_err(cx, v, "the command is empty");
		free(s);
		return NULL;
	}
	return s;
}

/* ------------------------------------------------------------------ */
/* Simple keys */

static void
k_command(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	if ((s->u->command = cx_command(cx, v)) != NULL)
		s->u->argv = cmd_split(s->u->command);
}

static void
k_working_dir(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;
	const char	*p;
	char		*abs, buf[2100];
	int		 r;

	if ((p = cx_str(cx, v, "a directory path")) == NULL)
		return;
	abs = path_resolve(cx->project_dir, p);
	if ((r = dir_check(cx, abs)) > 0) {
		cx_err(cx, v, "directory %s: %s", safe(abs, buf, sizeof(buf)),
		    strerror(r));
		free(abs);
		return;
	}
	if (r == -1) {
		cx_err(cx, v, "%s is not a directory", safe(abs, buf,
		    sizeof(buf)));
		free(abs);
		return;
	}
	free(s->u->working_dir);
	s->u->working_dir = abs;
}

static void
k_env_file(struct cx *cx, const struct ynode *v, void *arg)
{
	const struct ynode	**out = arg;

	if (cx_str(cx, v, "a file path") != NULL)
		out[0] = v;
}

static void
k_env_vars(struct cx *cx, const struct ynode *v, void *arg)
{
	const struct ynode	**out = arg;

	if (v->type != Y_MAP) {
		cx_expected(cx, v, "a mapping of variable names to values");
		return;
	}
	check_vars(cx, v);
	out[1] = v;
}

/* env: {file, vars}; out[0] = file node, out[1] = vars node. */
void
walk_env(struct cx *cx, const struct ynode *v, const struct ynode **out)
{
	static const struct keydef keys[] = {
		{ "file",	k_env_file,	0 },
		{ "vars",	k_env_vars,	0 },
		{ NULL,		NULL,		0 }
	};

	(void)walk_map(cx, v, keys, out);
}

static void
k_env(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc		*s = arg;
	const struct ynode	*out[2] = { NULL, NULL };

	walk_env(cx, v, out);
	s->env_file = out[0];
	s->env_vars = out[1];
}

static void
k_depends_on(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	if (cx_strlist(cx, v, "service name", unit_name_valid,
	    &s->u->depends_on, &s->u->ndeps) == 0)
		s->deps = v;
}

static void
k_restart_policy(struct cx *cx, const struct ynode *v, void *arg)
{
	static const char *const names[] = { "never", "on-failure",
	    "always" };
	struct svc	*s = arg;
	int		 e;

	s->restart = v;
	if (cx_enum(cx, v, names, NITEMS(names), &e) == 0)
		s->u->restart = e;
}

static void
k_backoff(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	(void)cx_duration(cx, v, &s->u->backoff_ms);
}

static void
k_max_backoff(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	if (cx_duration(cx, v, &s->u->max_backoff_ms) == 0)
		s->max_backoff = v;
}

static void
k_max_restarts(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;
	long long	 n;

	if (v->type == Y_SCALAR && strcmp(v->str, "unlimited") == 0) {
		s->u->max_restarts = -1;
		return;
	}
	if (cx_int(cx, v, 0, INT_MAX, &n) == 0)
		s->u->max_restarts = (int)n;
}

static void
k_stop_signal(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;
	int		 sig = -1;

	if (v->type == Y_SCALAR && !ynode_is_null(v))
		sig = signal_parse(v->str);
	if (sig == -1) {
		cx_expected(cx, v, "one of TERM, INT, QUIT, HUP, KILL, USR1, "
		    "USR2");
		return;
	}
	s->u->stop_signal = sig;
}

static void
k_stop_timeout(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	(void)cx_duration(cx, v, &s->u->stop_timeout_ms);
}

/* ------------------------------------------------------------------ */
/* Health checks */

static int
hc_target(struct cx *cx, const struct ynode *v, struct svc *s,
    enum hc_type t)
{
	const char	*what = t == HC_COMMAND ? "a command string" :
	    t == HC_HTTP ? "a URL like \"http://127.0.0.1:8000/health\"" :
	    "an address like \"127.0.0.1:5432\"";
	char		*str;

	if (s->u->health.type != HC_NONE) {
		cx_err(cx, v, "only one of command, http or tcp may be given");
		return -1;
	}
	if ((str = t == HC_COMMAND ? cx_command(cx, v) :
	    cx_strdup(cx, v, what)) == NULL)
		return -1;
	s->u->health.type = t;
	s->u->health.target = str;
	return 0;
}

static void
k_hc_command(struct cx *cx, const struct ynode *v, void *arg)
{
	(void)hc_target(cx, v, arg, HC_COMMAND);
}

static void
k_hc_http(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;
	const char	*u, *host;

	if (hc_target(cx, v, s, HC_HTTP) == -1)
		return;
	u = s->u->health.target;
	if (strncmp(u, "https://", 8) == 0) {
		cx_err(cx, v, "https is not supported; use http:// (the "
		    "check talks to the service directly)");
		return;
	}
	host = u + 7;
	if (strncmp(u, "http://", 7) != 0 || *host == '\0' || *host == '/' ||
	    *host == ':' || strpbrk(u, " \t\r\n") != NULL)
		cx_expected(cx, v, "a URL like \"http://127.0.0.1:8000/health\"");
}

static int
port_valid(const char *p)
{
	long long	 n;

	return parse_int(p, 1, 65535, &n, NULL) == 0 && p[0] != '-';
}

static void
k_hc_tcp(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;
	const char	*a, *colon;

	if (hc_target(cx, v, s, HC_TCP) == -1)
		return;
	a = s->u->health.target;
	colon = strrchr(a, ':');
	if (colon == NULL || colon == a || !port_valid(colon + 1) ||
	    strpbrk(a, " \t\r\n/") != NULL ||
	    (a[0] == '[' && colon[-1] != ']'))
		cx_expected(cx, v, "an address like \"127.0.0.1:5432\" (port "
		    "1-65535)");
}

static void
k_hc_interval(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	if (cx_duration(cx, v, &s->u->health.interval_ms) == 0 &&
	    s->u->health.interval_ms == 0)
		cx_err(cx, v, "the interval must be greater than 0");
}

static void
k_hc_timeout(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	if (cx_duration(cx, v, &s->u->health.timeout_ms) == 0 &&
	    s->u->health.timeout_ms == 0)
		cx_err(cx, v, "the timeout must be greater than 0");
}

static void
k_hc_retries(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;
	long long	 n;

	if (cx_int(cx, v, 1, 1000000, &n) == 0)
		s->u->health.retries = (int)n;
}

static void
k_hc_start_period(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	(void)cx_duration(cx, v, &s->u->health.start_period_ms);
}

static void
k_hc_on_unhealthy(struct cx *cx, const struct ynode *v, void *arg)
{
	static const char *const names[] = { "restart", "none" };
	struct svc	*s = arg;
	int		 e;

	if (cx_enum(cx, v, names, NITEMS(names), &e) == 0)
		s->u->health.on_unhealthy = e;
}

static void
k_health_check(struct cx *cx, const struct ynode *v, void *arg)
{
	static const struct keydef keys[] = {
		{ "command",		k_hc_command,		0 },
		{ "http",		k_hc_http,		0 },
		{ "tcp",		k_hc_tcp,		0 },
		{ "interval",		k_hc_interval,		0 },
		{ "timeout",		k_hc_timeout,		0 },
		{ "retries",		k_hc_retries,		0 },
		{ "start_period",	k_hc_start_period,	0 },
		{ "on_unhealthy",	k_hc_on_unhealthy,	0 },
		{ NULL,			NULL,			0 }
	};
	struct svc		*s = arg;
	struct health_conf	*h = &s->u->health;
	size_t			 nerr = cx->errs->n;

	h->interval_ms = 10000;
	h->timeout_ms = 5000;
	h->retries = 3;
	s->health = v;
	if (walk_map(cx, v, keys, s) == -1)
		return;
	if (h->type == HC_NONE && nerr == cx->errs->n)
		cx_err(cx, v, "expected one of command, http or tcp");
}

/* ------------------------------------------------------------------ */
/* Hooks */

struct hookarg {
	struct svc	*s;
	int		 ev;
	int		 outcome;
};

static void
k_hook_command(struct cx *cx, const struct ynode *v, void *arg)
{
	struct hook_conf	*h = arg;

	h->command = cx_command(cx, v);
}

static void
k_hook_timeout(struct cx *cx, const struct ynode *v, void *arg)
{
	struct hook_conf	*h = arg;

	if (cx_duration(cx, v, &h->timeout_ms) == 0 && h->timeout_ms == 0)
		cx_err(cx, v, "the timeout must be greater than 0");
}

static void
walk_hook(struct cx *cx, const struct ynode *v, struct hookarg *ha)
{
	static const struct keydef keys[] = {
		{ "command",	k_hook_command,	1 },
		{ "timeout",	k_hook_timeout,	0 },
		{ NULL,		NULL,		0 }
	};
	struct hook_conf	*h = &ha->s->u->hooks[ha->ev][ha->outcome];

	h->timeout_ms = 30000;
	if (v->type == Y_SCALAR && !ynode_is_null(v)) {
		h->command = cx_command(cx, v);
		return;
	}
	if (v->type != Y_MAP) {
		cx_expected(cx, v, "a mapping {command, timeout} or a "
		    "command string");
		return;
	}
	(void)walk_map(cx, v, keys, h);
}

static void
k_hook_success(struct cx *cx, const struct ynode *v, void *arg)
{
	struct hookarg	*ha = arg;

	ha->outcome = HOOK_SUCCESS;
	walk_hook(cx, v, ha);
}

static void
k_hook_error(struct cx *cx, const struct ynode *v, void *arg)
{
	struct hookarg	*ha = arg;

	ha->outcome = HOOK_ERROR;
	walk_hook(cx, v, ha);
}

static void
walk_hook_event(struct cx *cx, const struct ynode *v, struct svc *s, int ev)
{
	static const struct keydef keys[] = {
		{ "success",	k_hook_success,	0 },
		{ "error",	k_hook_error,	0 },
		{ NULL,		NULL,		0 }
	};
	struct hookarg	 ha;

	if (v->type != Y_MAP) {
		cx_expected(cx, v, "a mapping {success, error}");
		return;
	}
	ha.s = s;
	ha.ev = ev;
	ha.outcome = 0;
	(void)walk_map(cx, v, keys, &ha);
}

static void
k_on_start(struct cx *cx, const struct ynode *v, void *arg)
{
	walk_hook_event(cx, v, arg, HOOK_START);
}

static void
k_on_stop(struct cx *cx, const struct ynode *v, void *arg)
{
	walk_hook_event(cx, v, arg, HOOK_STOP);
}

static void
k_on_restart(struct cx *cx, const struct ynode *v, void *arg)
{
	walk_hook_event(cx, v, arg, HOOK_RESTART);
}

static void
k_hooks(struct cx *cx, const struct ynode *v, void *arg)
{
	static const struct keydef keys[] = {
		{ "on_start",	k_on_start,	0 },
		{ "on_stop",	k_on_stop,	0 },
		{ "on_restart",	k_on_restart,	0 },
		{ NULL,		NULL,		0 }
	};

	(void)walk_map(cx, v, keys, arg);
}

/* ------------------------------------------------------------------ */
/* Deployment */

static void
k_strategy(struct cx *cx, const struct ynode *v, void *arg)
{
	static const char *const names[] = { "immediate", "rolling" };
	struct svc	*s = arg;
	int		 e;

	if (cx_enum(cx, v, names, NITEMS(names), &e) == 0)
		s->u->strategy = e;
}

static void
k_pre_start(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	s->u->pre_start = cx_command(cx, v);
}

static void
k_grace_period(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	(void)cx_duration(cx, v, &s->u->grace_period_ms);
}

static void
k_deployment(struct cx *cx, const struct ynode *v, void *arg)
{
	static const struct keydef keys[] = {
		{ "strategy",		k_strategy,		0 },
		{ "pre_start",		k_pre_start,		0 },
		{ "grace_period",	k_grace_period,		0 },
		{ NULL,			NULL,			0 }
	};

	(void)walk_map(cx, v, keys, arg);
}

/* ------------------------------------------------------------------ */
/* Cron */

static int
count_fields(const char *e)
{
	int	 n = 0;

	while (*e != '\0') {
		e += strspn(e, " \t");
		if (*e == '\0')
			break;
		n++;
		e += strcspn(e, " \t");
	}
	return n;
}

static void
k_cron_expression(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;
	char		*e, err[256], sbuf[600];
	int		 n;
#ifdef HAVE_CRONEXPR
	struct cronexpr	 ce;
#endif

	if ((e = cx_strdup(cx, v, "a cron expression like \"30 2 * * *\""))
	    == NULL)
		return;
	free(s->u->cron.expression);
	s->u->cron.expression = e;
	if ((n = count_fields(e)) != 5 && n != 6) {
		cx_err(cx, v, "a cron expression has 5 fields (min hour "
		    "day-of-month month day-of-week) or 6 (sec first), "
		    "got %d", n);
		return;
	}
#ifdef HAVE_CRONEXPR
	if (cronexpr_parse(e, &ce, err, sizeof(err)) == -1)
		cx_err(cx, v, "invalid cron expression: %s", safe(err, sbuf,
		    sizeof(sbuf)));
#else
	(void)err;
#endif
}

static void
k_cron_timezone(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;
	char		*tz, got[300];
	int		 ok;

	if ((tz = cx_strdup(cx, v, "a time zone like \"Europe/Berlin\", "
	    "\"UTC\" or \"local\"")) == NULL)
		return;
#ifdef HAVE_CRONEXPR
	if (!memo_get(&cx->zones, tz, &ok)) {
		ok = cron_tz_valid(tz);
		memo_put(&cx->zones, tz, ok);
	}
#else
	ok = strcmp(tz, "UTC") == 0 || strcmp(tz, "local") == 0;
#endif
	if (!ok) {
		ydesc(v, got, sizeof(got));
		cx_err(cx, v, "unknown time zone %s (use an IANA "
		    "name like \"Europe/Berlin\", \"UTC\" or \"local\")", got);
		free(tz);
		return;
	}
	free(s->u->cron.timezone);
	s->u->cron.timezone = tz;
}

static void
k_cron_timeout(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	(void)cx_duration(cx, v, &s->u->cron.timeout_ms);
}

static void
k_cron(struct cx *cx, const struct ynode *v, void *arg)
{
	static const struct keydef keys[] = {
		{ "expression",	k_cron_expression,	1 },
		{ "timezone",	k_cron_timezone,	0 },
		{ "timeout",	k_cron_timeout,		0 },
		{ NULL,		NULL,			0 }
	};
	struct svc	*s = arg;

	s->u->is_cron = true;
	if (v->type == Y_SCALAR && !ynode_is_null(v)) {
		k_cron_expression(cx, v, s);
		return;
	}
	if (v->type != Y_MAP) {
		cx_expected(cx, v, "a cron expression or a mapping "
		    "{expression, timezone, timeout}");
		return;
	}
	(void)walk_map(cx, v, keys, s);
}

/* ------------------------------------------------------------------ */
/* skip, logs, sockets */

static int
yaml11_bool(const char *s)
{
	static const char *const words[] = { "yes", "no", "on", "off", "y",
	    "n" };
	size_t	 i;

	for (i = 0; i < NITEMS(words); i++)
		if (strcasecmp(s, words[i]) == 0)
			return 1;
	return 0;
}

static void
k_skip(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;
	bool		 b;

	if (v->type == Y_SCALAR && v->plain && (yaml11_bool(v->str) ||
	    strcasecmp(v->str, "true") == 0 ||
	    strcasecmp(v->str, "false") == 0)) {
		if (cx_bool(cx, v, &b) == 0)
			s->u->skip = b ? SKIP_YES : SKIP_NO;
		return;
	}
	if (v->type != Y_SCALAR || ynode_is_null(v)) {
		cx_expected(cx, v, "true, false or a command string");
		return;
	}
	if ((s->u->skip_command = cx_command(cx, v)) != NULL)
		s->u->skip = SKIP_COMMAND;
}

static void
k_logs_max_bytes(struct cx *cx, const struct ynode *v, void *arg)
{
	struct logs_conf	*l = arg;
	uint64_t		 n;

	if (cx_size(cx, v, 0, &n) == -1)
		return;
	if (n < 1024) {
		cx_err(cx, v, "max_bytes must be at least 1K");
		return;
	}
	l->max_bytes = n;
}

static void
k_logs_max_files(struct cx *cx, const struct ynode *v, void *arg)
{
	struct logs_conf	*l = arg;
	long long		 n;

	if (cx_int(cx, v, 0, 1000, &n) == 0)
		l->max_files = (int)n;
}

static void
k_logs_timestamps(struct cx *cx, const struct ynode *v, void *arg)
{
	struct logs_conf	*l = arg;

	(void)cx_bool(cx, v, &l->timestamps);
}

/* logs: {max_bytes, max_files, timestamps} into arg (a logs_conf). */
void
walk_logs(struct cx *cx, const struct ynode *v, void *arg)
{
	static const struct keydef keys[] = {
		{ "max_bytes",	k_logs_max_bytes,	0 },
		{ "max_files",	k_logs_max_files,	0 },
		{ "timestamps",	k_logs_timestamps,	0 },
		{ NULL,		NULL,			0 }
	};

	(void)walk_map(cx, v, keys, arg);
}

static void
k_logs(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	walk_logs(cx, v, &s->u->logs);
}

static int
socket_name_valid(const char *n)
{
	size_t	 i;

	for (i = 0; n[i] != '\0'; i++)
		if (n[i] <= ' ' || n[i] == ':' || (unsigned char)n[i] >= 0x7f)
			return 0;
	return i > 0 && i <= 255;
}

static void
k_sockets(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;
	size_t		 i, j, old;

	if (cx_strlist(cx, v, "socket name", socket_name_valid,
	    &s->u->sockets, &s->u->nsockets) == -1 ||
	    !cx->opts->check_sockets)
		return;
	for (i = 0; i < s->u->nsockets; i++) {
		for (j = 0; j < cx->opts->nsockets; j++)
			if (strcmp(cx->opts->sockets[j],
			    s->u->sockets[i]) == 0)
				break;
		if (j < cx->opts->nsockets)
			continue;
		old = cx_push_idx(cx, i);
		cx_err(cx, v->kids[i], "no socket named \"%s\" was inherited "
		    "from the service manager", s->u->sockets[i]);
		cx_pop(cx, old);
	}
}

/* ------------------------------------------------------------------ */

static void
service_defaults(struct cx *cx, struct svc *s)
{
	struct unit_conf	*u = s->u;

	u->restart = RESTART_NEVER;
	u->backoff_ms = 1000;
	u->max_backoff_ms = 60000;
	u->max_restarts = -1;
	u->stop_signal = SIGTERM;
	u->stop_timeout_ms = 10000;
	u->strategy = DEPLOY_IMMEDIATE;
	u->skip = SKIP_NO;
	u->logs = cx->logs;
	u->limits.cgroup.pids_max = -1;
	if ((u->working_dir = strdup(cx->project_dir)) == NULL)
		fatal("config");
}

/* Rules between keys, checked once the whole service is read. */
static void
service_rules(struct cx *cx, struct svc *s)
{
	struct unit_conf	*u = s->u;
	char			 a[32], b[32];

	if (u->is_cron && s->restart != NULL)
		cx_errat(cx, s->restart, "restart_policy", "a cron job cannot "
		    "have a restart_policy (each run is started by its "
		    "schedule)");
	if (u->is_cron && s->deps != NULL)
		cx_errat(cx, s->deps, "depends_on", "a cron job cannot have "
		    "depends_on");
	if (u->is_cron && s->health != NULL)
		cx_errat(cx, s->health, "health_check", "a cron job cannot "
		    "have a health_check");
	if (s->max_backoff == NULL && u->max_backoff_ms < u->backoff_ms)
		u->max_backoff_ms = u->backoff_ms;
	if (s->max_backoff != NULL && u->max_backoff_ms < u->backoff_ms) {
		duration_fmt(u->max_backoff_ms, a, sizeof(a));
		duration_fmt(u->backoff_ms, b, sizeof(b));
		cx_errat(cx, s->max_backoff, "max_backoff", "max_backoff (%s) "
		    "is less than backoff (%s)", a, b);
	}
}

void
walk_service(struct cx *cx, struct svc *s)
{
	static const struct keydef keys[] = {
		{ "command",		k_command,		1 },
		{ "working_dir",	k_working_dir,		0 },
		{ "env",		k_env,			0 },
		{ "depends_on",		k_depends_on,		0 },
		{ "restart_policy",	k_restart_policy,	0 },
		{ "backoff",		k_backoff,		0 },
		{ "max_backoff",	k_max_backoff,		0 },
		{ "max_restarts",	k_max_restarts,		0 },
		{ "stop_signal",	k_stop_signal,		0 },
		{ "stop_timeout",	k_stop_timeout,		0 },
		{ "health_check",	k_health_check,		0 },
		{ "hooks",		k_hooks,		0 },
		{ "deployment",		k_deployment,		0 },
		{ "cron",		k_cron,			0 },
		{ "skip",		k_skip,			0 },
		{ "logs",		k_logs,			0 },
		{ "sockets",		k_sockets,		0 },
		{ "user",		key_user,		0 },
		{ "group",		key_group,		0 },
		{ "supplementary_groups", key_supp,		0 },
		{ "limits",		key_limits,		0 },
		{ "capabilities",	key_caps,		0 },
		{ "isolation",		key_isolation,		0 },
		{ NULL,			NULL,			0 }
	};

	service_defaults(cx, s);
	if (walk_map(cx, s->node, keys, s) == -1) {
		s->bad = 1;
		return;
	}
	service_rules(cx, s);
}
