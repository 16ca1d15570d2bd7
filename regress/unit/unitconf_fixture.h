/*
 * A fully populated struct unit_conf for the confjson and confwire
 * tests.  Include after unit.h.
 */

#ifndef UNITCONF_FIXTURE_H
#define UNITCONF_FIXTURE_H

#include <linux/capability.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sysg.h"

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

#endif /* UNITCONF_FIXTURE_H */
