/*
 * Health checks.  The first check runs shortly after the process
 * started, then one every interval.  Command checks run through the
 * spawner (which kills their process group at the timeout); http and tcp
 * probes run here, non-blocking.
 */

#include <sys/wait.h>

#include <stdio.h>
#include <string.h>

#include "health.h"
#include "log.h"
#include "proc.h"
#include "supervisor.h"

#define CHECK_FIRST_MS	100

static void	check_run(int, short, void *);

static void
check_arm(struct unit *u, int64_t ms)
{
	struct timeval	 tv;

	if (u->hc_timer == NULL &&
	    (u->hc_timer = evtimer_new(role->base, check_run,
	    u)) == NULL)
		fatalx("evtimer_new");
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(u->hc_timer, &tv);
}

void
check_start(struct unit *u)
{
	const struct health_conf *h = &u->conf->health;

	if (h->type == HC_NONE)
		return;
	check_arm(u, h->interval_ms < CHECK_FIRST_MS ? h->interval_ms :
	    CHECK_FIRST_MS);
}

void
check_stop(struct unit *u)
{
	if (u->hc_timer != NULL)
		evtimer_del(u->hc_timer);
	if (u->hc_probe != NULL) {
		probe_cancel(u->hc_probe);
		u->hc_probe = NULL;
	}
	u->hc_pid = 0;
}

static void
check_record(struct unit *u, int ok, const char *detail)
{
	struct check_rec	*c;

	if (u->checks == NULL &&
	    (u->checks = calloc(UNIT_CHECKS_KEPT, sizeof(*u->checks))) == NULL)
		fatal("calloc");
	if (u->nchecks == UNIT_CHECKS_KEPT) {
		memmove(u->checks, u->checks + 1,
		    (UNIT_CHECKS_KEPT - 1) * sizeof(u->checks[0]));
		u->nchecks--;
	}
	c = &u->checks[u->nchecks++];
	c->at_ms = now_ms();
	c->ok = ok;
	strlcpy(c->detail, detail, sizeof(c->detail));
}

static void
check_result(struct unit *u, int ok, const char *detail)
{
	const struct health_conf *h = &u->conf->health;
	int			 counted;

	check_record(u, ok, detail);
	if (u->state != ST_STARTING && u->state != ST_RUNNING)
		return;
	check_arm(u, h->interval_ms);
	if (ok) {
		u->hc_fails = 0;
		u->hc_failing = 0;
		if (!u->hc_passed) {
			u->hc_passed = 1;
			fsm(u, EV_READY, "health check passed");
		} else
			sup_state_changed(u);
		return;
	}
	counted = now_ms() - u->started_ms >= (uint64_t)h->start_period_ms;
	log_debug("%s: health check failed: %s%s", u->conf->name, detail,
	    counted ? "" : " (start period)");
	if (!counted)
		return;
	if (++u->hc_fails < h->retries) {
		sup_state_changed(u);
		return;
	}
	if (u->hc_failing)
		return;
	u->hc_failing = 1;
	log_warnx("%s: unhealthy after %d failed checks: %s",
	    u->conf->name, u->hc_fails, detail);
	unit_set_reason(u, "health check failed %d times: %s", u->hc_fails,
	    detail);
	fsm(u, EV_UNHEALTHY, detail);
}

static void
probe_done(void *arg, int ok, const char *detail)
{
	struct unit	*u = arg;

	u->hc_probe = NULL;
	check_result(u, ok, detail);
}

static void
check_run(int fd, short ev, void *arg)
{
	struct unit		*u = arg;
	const struct health_conf *h = &u->conf->health;

	(void)fd;
	(void)ev;
	if (u->hc_probe != NULL || u->hc_pid != 0)
		return;
	if (h->type == HC_COMMAND) {
		u->hc_pid = -1;		/* pending */
		sup_spawn(u, SPAWN_CHECK, 0, 0, -1);
		return;
	}
	u->hc_probe = probe_start(role->base, h->type,
	    h->target, h->timeout_ms, probe_done, u);
	if (u->hc_probe == NULL)
		check_result(u, 0, "cannot start probe");
}

void
check_exited(struct unit *u, int status, int timed_out)
{
	char	 detail[64];

	if (u->hc_pid == 0)
		return;
	u->hc_pid = 0;
	if (timed_out)
		snprintf(detail, sizeof(detail), "timeout after %lld ms",
		    (long long)u->conf->health.timeout_ms);
	else if (WIFSIGNALED(status))
		snprintf(detail, sizeof(detail), "killed by signal %d",
		    WTERMSIG(status));
	else
		snprintf(detail, sizeof(detail), "exit %d",
		    WEXITSTATUS(status));
	check_result(u, !timed_out && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, detail);
}
