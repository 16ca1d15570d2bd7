/*
 * One state machine per unit, as a table: state x event -> action.  The
 * action does the work and returns the next state.  A NULL entry means
 * the event does not apply in that state and is ignored (logged at
 * debug level).  Every transition is logged at debug level with its
 * cause.
 */

#include <sys/wait.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "proc.h"
#include "supervisor.h"

typedef enum unit_state (*fsm_action)(struct unit *);

static const char *const state_names[ST_MAX] = {
	"waiting", "starting", "running", "stopping", "stopped", "backoff",
	"exited", "failed", "blocked", "skipped", "scheduled", "running"
};

static const char *const event_names[EV_MAX] = {
	"start", "stop", "deps-ok", "dep-bad", "dep-down", "spawned",
	"spawn-failed", "ready", "unhealthy", "exit", "stopped", "timer",
	"skip"
};

const char *
state_name(enum unit_state s)
{
	return s < ST_MAX ? state_names[s] : "unknown";
}

/*
 * Why the unit is in its state.  The buffer is made by the first reason
 * and then stays (a pointer to it may be the cause of the fsm() call
 * that sets the next reason); formatted aside, as the reason may be one
 * of the arguments.
 */
void
unit_set_reason(struct unit *u, const char *fmt, ...)
{
	char	 buf[UNIT_REASON_MAX];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (u->reason == NULL && (u->reason = malloc(UNIT_REASON_MAX)) == NULL)
		fatal("malloc");
	memcpy(u->reason, buf, strlen(buf) + 1);
}

void
unit_clear_reason(struct unit *u)
{
	if (u->reason != NULL)
		u->reason[0] = '\0';
}

const char *
unit_reason(const struct unit *u)
{
	return u->reason != NULL ? u->reason : "";
}

void
unit_record_exit(struct unit *u, int status, const char *reason)
{
	struct exit_rec	*e;

	if (u->exits == NULL &&
	    (u->exits = calloc(UNIT_EXITS_KEPT, sizeof(*u->exits))) == NULL)
		fatal("calloc");
	if (u->nexits == UNIT_EXITS_KEPT) {
		memmove(u->exits, u->exits + 1,
		    (UNIT_EXITS_KEPT - 1) * sizeof(u->exits[0]));
		u->nexits--;
	}
	e = &u->exits[u->nexits++];
	e->at_ms = now_ms();
	e->status = status;
	strlcpy(e->reason, reason != NULL ? reason : "", sizeof(e->reason));
	u->last_status = status;
}

int
unit_active(const struct unit *u)
{
	switch (u->state) {
	case ST_STARTING:
	case ST_RUNNING:
	case ST_STOPPING:
	case ST_CRON_RUNNING:
		return 1;
	default:
		return u->pid > 0;
	}
}

static int
exited_ok(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void
hook_fire(struct unit *u, enum hook_event ev, enum hook_outcome out,
    int status)
{
	if (u->conf->hooks[ev][out].command == NULL)
		return;
	sup_spawn(u, SPAWN_HOOK, ev, out, status);
}

static void
timer_cancel(struct unit *u)
{
	if (u->timer != NULL)
		evtimer_del(u->timer);
}

/* ------------------------------------------------------------------ */
/* Rolling deployments: the old instance serves until the new is ready */

static void
rolling_stop_old(int fd, short ev, void *arg)
{
	struct unit	*u = arg;

	(void)fd;
	(void)ev;
	if (u->rolling != 2)
		return;
	u->rolling = 0;
	if (u->old_pid > 0) {
		log_info("%s: rolling: stopping old pid %d", u->conf->name,
		    (int)u->old_pid);
		sup_stop_pid(u, u->old_pid);
	}
}

/* restart -s with strategy rolling, on a running unit. */
void
deploy_rolling(struct unit *u)
{
	log_info("%s: rolling restart: starting a new instance beside pid %d",
	    u->conf->name, (int)u->pid);
	check_stop(u);
	u->old_pid = u->pid;
	u->pid = 0;
	u->rolling = 1;
	u->ready = 1;		/* the old instance still serves */
	u->state = ST_STARTING;
	u->since_ms = now_ms();
	u->hc_passed = u->hc_fails = u->hc_failing = 0;
	u->reqid = ++sup.next_reqid;
	sup_spawn_start(u);
	sup_state_changed(u);
}

/* The new instance is ready: the old one goes after grace_period. */
static void
rolling_done(struct unit *u)
{
	struct timeval	 tv;
	int64_t		 ms = u->conf->grace_period_ms;

	u->rolling = 2;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (u->roll_timer == NULL && (u->roll_timer = evtimer_new(
	    role->base, rolling_stop_old, u)) == NULL)
		fatalx("evtimer_new");
	evtimer_add(u->roll_timer, &tv);
}

/* The new instance never got ready: stop it, keep the old one. */
static enum unit_state
rolling_abort(struct unit *u, const char *why)
{
	log_warnx("%s: rolling restart failed (%s): keeping pid %d",
	    u->conf->name, why, (int)u->old_pid);
	check_stop(u);
	if (u->roll_timer != NULL)
		evtimer_del(u->roll_timer);
	if (u->pid > 0)
		sup_stop_pid(u, u->pid);
	u->pid = u->old_pid;
	u->old_pid = 0;
	u->rolling = 0;
	u->phase = PH_MAIN;
	u->ready = 1;
	unit_set_reason(u, "rolling restart failed: %s", why);
	check_start(u);
	u->hc_passed = 1;
	return ST_RUNNING;
}

/* ------------------------------------------------------------------ */
/* Actions */

/* Start asked for: go through skip, dependencies, pre_start, main. */
static enum unit_state
a_start(struct unit *u)
{
	u->manual_stop = 0;
	unit_clear_reason(u);
	timer_cancel(u);
	if (u->conf->skip == SKIP_YES) {
		unit_set_reason(u, "skip: true");
		return ST_SKIPPED;
	}
	return ST_WAITING;
}

static enum unit_state
a_launch(struct unit *u)
{
	unit_clear_reason(u);
	u->hc_passed = u->hc_fails = u->hc_failing = 0;
	u->reqid = ++sup.next_reqid;
	if (u->conf->skip == SKIP_COMMAND) {
		u->phase = PH_SKIPCHECK;
		sup_spawn(u, SPAWN_SKIP, 0, 0, -1);
	} else
		sup_spawn_start(u);
	return ST_STARTING;
}

static enum unit_state
a_block(struct unit *u)
{
	(void)u;
	return ST_BLOCKED;
}

static enum unit_state
a_wait(struct unit *u)
{
	(void)u;
	return ST_WAITING;
}

static enum unit_state
a_stopped_idle(struct unit *u)
{
	timer_cancel(u);
	u->manual_stop = 1;
	unit_clear_reason(u);
	return ST_STOPPED;
}

static enum unit_state
a_skip(struct unit *u)
{
	u->phase = PH_NONE;
	return ST_SKIPPED;
}

static enum unit_state
a_spawned(struct unit *u)
{
	if (u->conf->health.type == HC_NONE)
		return ST_STARTING;	/* EV_READY follows at once */
	check_start(u);
	return ST_STARTING;
}

static enum unit_state
a_ready(struct unit *u)
{
	if (u->rolling == 1)
		rolling_done(u);
	u->ready = 1;
	hook_fire(u, HOOK_START, HOOK_SUCCESS, -1);
	if (u->auto_restart)
		hook_fire(u, HOOK_RESTART, HOOK_SUCCESS,
		    u->last_status);
	u->auto_restart = 0;
	return ST_RUNNING;
}

static enum unit_state
a_spawn_failed(struct unit *u)
{
	if (u->rolling)
		return rolling_abort(u, unit_reason(u));
	u->phase = PH_NONE;
	u->pid = 0;
	check_stop(u);
	hook_fire(u, HOOK_START, HOOK_ERROR, u->last_status);
	if (u->auto_restart)
		hook_fire(u, HOOK_RESTART, HOOK_ERROR, u->last_status);
	u->auto_restart = 0;
	return ST_FAILED;
}

/* Decide what follows an exit: restart after a delay, or rest. */
static enum unit_state
after_exit(struct unit *u, int status)
{
	const struct unit_conf	*c = u->conf;
	uint64_t		 ran = now_ms() - u->started_ms;
	int64_t			 delay;
	struct timeval		 tv;
	int			 shift;

	if (c->restart == RESTART_NEVER ||
	    (c->restart == RESTART_ON_FAILURE && exited_ok(status)))
		return exited_ok(status) ? ST_EXITED : ST_FAILED;
	if (ran >= SYSG_RESET_RUN_MS)
		u->consecutive = 0;
	if (c->max_restarts >= 0 && u->consecutive >= c->max_restarts) {
		unit_set_reason(u, "gave up after %d restarts",
		    u->consecutive);
		return ST_FAILED;
	}
	shift = u->consecutive < 30 ? u->consecutive : 30;
	delay = c->backoff_ms << shift;
	if (delay > c->max_backoff_ms || delay < 0)
		delay = c->max_backoff_ms;
	if (delay < c->backoff_ms)
		delay = c->backoff_ms;
	u->consecutive++;
	u->restarts++;
	u->auto_restart = 1;
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	sup_backoff(u, &tv);
	return ST_BACKOFF;
}

static enum unit_state
a_exit(struct unit *u)
{
	int		 status = u->last_status;
	int		 was_ready = u->ready;
	enum unit_state	 next;

	if (u->rolling)
		return rolling_abort(u, "the new instance exited");
	u->pid = 0;
	u->phase = PH_NONE;
	check_stop(u);
	if (!was_ready) {
		hook_fire(u, HOOK_START, HOOK_ERROR, status);
		if (u->auto_restart)
			hook_fire(u, HOOK_RESTART, HOOK_ERROR, status);
	}
	hook_fire(u, HOOK_STOP, exited_ok(status) ? HOOK_SUCCESS :
	    HOOK_ERROR, status);
	next = after_exit(u, status);
	/* A one-shot that exited 0 still satisfies its dependents. */
	u->ready = next == ST_EXITED && u->conf->restart == RESTART_NEVER;
	if (next == ST_FAILED && unit_reason(u)[0] == '\0') {
		if (WIFSIGNALED(status))
			unit_set_reason(u, "killed by signal %d",
			    WTERMSIG(status));
		else
			unit_set_reason(u, "exited with %d",
			    WEXITSTATUS(status));
	}
	return next;
}

static enum unit_state
a_stop(struct unit *u)
{
	timer_cancel(u);
	check_stop(u);
	u->ready = 0;
	if (u->pid <= 0) {
		u->phase = PH_NONE;
		return ST_STOPPED;
	}
	sup_stop_pid(u, u->pid);
	return ST_STOPPING;
}

static enum unit_state
a_manual_stop(struct unit *u)
{
	u->manual_stop = 1;
	u->after_stop = AFTER_STOP_IDLE;
	u->auto_restart = 0;
	return a_stop(u);
}

static enum unit_state
a_dep_down(struct unit *u)
{
	u->after_stop = AFTER_STOP_WAIT;
	if (u->state == ST_BACKOFF) {
		timer_cancel(u);
		return ST_WAITING;
	}
	if (a_stop(u) == ST_STOPPED) {
		/* No main process yet (spawn pending, pre_start, skip). */
		u->after_stop = AFTER_STOP_IDLE;
		return ST_WAITING;
	}
	return ST_STOPPING;
}

static enum unit_state
a_unhealthy(struct unit *u)
{
	if (u->rolling)
		return rolling_abort(u, "the new instance never became healthy");
	if (!u->hc_passed)
		hook_fire(u, HOOK_START, HOOK_ERROR, -1);
	if (u->conf->health.on_unhealthy == UNHEALTHY_NONE)
		return u->state;
	u->after_stop = AFTER_STOP_START;
	u->auto_restart = 1;
	u->restarts++;
	return a_stop(u);
}

static enum unit_state
a_stopped(struct unit *u)
{
	int	 status = u->last_status;

	u->pid = 0;
	u->phase = PH_NONE;
	hook_fire(u, HOOK_STOP, HOOK_SUCCESS, status);
	switch (u->after_stop) {
	case AFTER_STOP_START:
		u->after_stop = AFTER_STOP_IDLE;
		return ST_WAITING;
	case AFTER_STOP_WAIT:
		u->after_stop = AFTER_STOP_IDLE;
		return ST_WAITING;
	default:
		return ST_STOPPED;
	}
}

static enum unit_state
a_ignore(struct unit *u)
{
	return u->state;
}

/* ------------------------------------------------------------------ */
/* The table */

#define _	NULL
static const fsm_action table[ST_SCHEDULED][EV_MAX] = {
/*               START     STOP           DEPS_OK   DEP_BAD  DEP_DOWN    SPAWNED    SPAWN_FAILED    READY    UNHEALTHY    EXIT    STOPPED    TIMER     SKIP */
[ST_WAITING]  = { _,       a_stopped_idle, a_launch, a_block, a_ignore,   _,         _,              _,       _,           _,      _,         _,        _ },
[ST_STARTING] = { _,       a_manual_stop, _,        _,       a_dep_down, a_spawned, a_spawn_failed, a_ready, a_unhealthy, a_exit, a_stopped, _,        a_skip },
[ST_RUNNING]  = { _,       a_manual_stop, _,        _,       a_dep_down, _,         _,              _,       a_unhealthy, a_exit, a_stopped, _,        _ },
[ST_STOPPING] = { _,       a_ignore,      _,        _,       _,          _,         _,              _,       _,           _,      a_stopped, _,        _ },
[ST_STOPPED]  = { a_start, a_ignore,      _,        _,       _,          _,         _,              _,       _,           _,      a_stopped, _,        _ },
[ST_BACKOFF]  = { a_start, a_stopped_idle, _,       _,       a_dep_down, _,         _,              _,       _,           _,      _,         a_wait,   _ },
[ST_EXITED]   = { a_start, a_stopped_idle, _,       _,       _,          _,         _,              _,       _,           _,      _,         _,        _ },
[ST_FAILED]   = { a_start, a_stopped_idle, _,       _,       _,          _,         _,              _,       _,           _,      _,         _,        _ },
[ST_BLOCKED]  = { _,       a_stopped_idle, a_launch, _,      _,          _,         _,              _,       _,           _,      _,         _,        _ },
[ST_SKIPPED]  = { a_start, a_ignore,      _,        _,       _,          _,         _,              _,       _,           _,      _,         _,        _ },
};
#undef _

void
fsm(struct unit *u, enum fsm_event ev, const char *cause)
{
	enum unit_state	 from = u->state, to;
	fsm_action	 act;

	if (from >= ST_SCHEDULED || (act = table[from][ev]) == NULL) {
		log_debug("%s: %s: event %s ignored (%s)", u->conf->name,
		    state_name(from), event_names[ev], cause);
		return;
	}
	to = act(u);
	log_debug("%s: %s -> %s on %s (%s)", u->conf->name, state_name(from),
	    state_name(to), event_names[ev], cause);
	if (to != from) {
		u->state = to;
		u->since_ms = now_ms();
	}
	sup_state_changed(u);
}
