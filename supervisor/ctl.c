/*
 * Control requests, as relayed by the control process: each carries the
 * client id in peerid.  Replies are IMSG_CTL_DATA chunks of one JSON
 * document, then IMSG_CTL_END with an exit code and a message.  Requests
 * that take time (stop, restart, start and wait) are kept as waiters and
 * answered when the units settle; meanwhile a progress event every 2 s
 * tells the client the daemon is alive.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "proc.h"
#include "supervisor.h"

enum waiter_kind {
	W_SETTLE,		/* every unit (or one unit) settled */
	W_STOP,			/* every unit of the set inactive */
	W_SHUTDOWN,		/* the daemon is about to exit */
	W_RESTART_ALL,		/* all stopped, then started, then settled */
	W_STATUS,		/* waiting for usage figures */
	W_INSPECT
};

struct waiter {
	struct waiter	*next;
	uint32_t	 client;
	enum waiter_kind kind;
	char		 unit[SYSG_NAME_MAX + 1];
	char		**set;
	size_t		 nset;
	int		 phase;
	uint64_t	 deadline_ms;	/* 0: none */
	size_t		 cursor;	/* settle: where a unit was unsettled */
	struct event	*tick;
	struct event	*deadline;
};

static struct waiter	*waiters;

#define CTL_TRIM_LEN	(64 * 1024)

/* ------------------------------------------------------------------ */
/* Replies */

/* Returns the length of the text sent. */
static size_t
send_json(uint32_t client, json_t *doc)
{
	char	*text;
	size_t	 len, off, n;

	if (doc == NULL)
		return 0;
	if ((text = json_dumps(doc, JSON_COMPACT)) == NULL)
		fatalx("json_dumps");
	len = strlen(text);
	for (off = 0; off < len; off += n) {
		n = len - off;
		if (n > IMSG_CTL_MAXPAYLOAD - 1024)
			n = IMSG_CTL_MAXPAYLOAD - 1024;
		proc_send(PROC_CONTROL, IMSG_CTL_DATA, client, -1,
		    text + off, n);
	}
	free(text);
	return len;
}

void
ctl_reply(uint32_t client, int code, json_t *doc, const char *fmt, ...)
{
	struct msg_ctl_end	 end;
	va_list			 ap;
	size_t			 len;

	len = send_json(client, doc);
	json_decref(doc);
	/* A status of many units: give its document back, soon. */
	if (len >= CTL_TRIM_LEN)
		proc_trim_soon();
	memset(&end, 0, sizeof(end));
	end.exitcode = code;
	va_start(ap, fmt);
	vsnprintf(end.text, sizeof(end.text), fmt, ap);
	va_end(ap);
	proc_send(PROC_CONTROL, IMSG_CTL_END, client, -1, &end, sizeof(end));
}

static void
ctl_progress(uint32_t client, const char *text)
{
	proc_send(PROC_CONTROL, IMSG_CTL_EVENT, client, -1, text,
	    strlen(text));
}

/* ------------------------------------------------------------------ */
/* Waiters */

static void	waiter_tick(int, short, void *);

static struct waiter *
waiter_new(uint32_t client, enum waiter_kind kind, const char *unit)
{
	struct waiter	*w;
	struct timeval	 tv = { 2, 0 };

	if ((w = calloc(1, sizeof(*w))) == NULL)
		fatal("calloc");
	w->client = client;
	w->kind = kind;
	if (unit != NULL)
		strlcpy(w->unit, unit, sizeof(w->unit));
	if ((w->tick = event_new(role->base, -1, EV_PERSIST, waiter_tick,
	    w)) == NULL || event_add(w->tick, &tv) == -1)
		fatalx("waiter timer");
	w->next = waiters;
	waiters = w;
	return w;
}

static void
waiter_free(struct waiter *w)
{
	struct waiter	**pp;
	size_t		  i;

	for (pp = &waiters; *pp != NULL; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	event_free(w->tick);
	if (w->deadline != NULL)
		event_free(w->deadline);
	for (i = 0; i < w->nset; i++)
		free(w->set[i]);
	free(w->set);
	free(w);
}

static void
waiter_add_set(struct waiter *w, const char *name)
{
	size_t	 i;

	for (i = 0; i < w->nset; i++)
		if (strcmp(w->set[i], name) == 0)
			return;
	if ((w->set = reallocarray(w->set, w->nset + 1, sizeof(char *))) ==
	    NULL || (w->set[w->nset] = strdup(name)) == NULL)
		fatal("waiter set");
	w->nset++;
}

static void	waiter_expire(int, short, void *);

/* Answer at the deadline even if nothing changes by then. */
static void
waiter_deadline(struct waiter *w, json_int_t seconds)
{
	struct timeval	 tv = { (time_t)seconds, 0 };

	w->deadline_ms = now_ms() + (uint64_t)seconds * 1000;
	if ((w->deadline = evtimer_new(role->base, waiter_expire, w)) == NULL ||
	    evtimer_add(w->deadline, &tv) == -1)
		fatalx("waiter deadline");
}

static int
unit_settled(const struct unit *u)
{
	switch (u->state) {
	case ST_RUNNING:
		return u->ready;
	case ST_WAITING:
	case ST_STARTING:
	case ST_STOPPING:
	case ST_BACKOFF:
		return 0;
	default:
		return 1;
	}
}

/* Units that are not fine after a settle: for start -d (or one unit). */
static json_t *
settle_problems(const char *only)
{
	json_t		*a = json_array();
	struct unit	*u;
	size_t		 i;
	int		 ok;

	for (i = 0; i < sup.nunits; i++) {
		u = sup.units[i];
		if (only != NULL && strcmp(u->conf->name, only) != 0)
			continue;
		if (u->conf->is_cron)
			ok = u->state == ST_SCHEDULED ||
			    u->state == ST_CRON_RUNNING;
		else
			ok = (u->state == ST_RUNNING && u->ready) ||
			    u->state == ST_EXITED || u->state == ST_SKIPPED;
		if (!ok)
			json_array_append_new(a, json_string(
			    u->conf->name));
	}
	return a;
}

static int
settle_done(struct waiter *w)
{
	struct unit	*u;
	size_t		 i, k;

	if (!sup.started)
		return 0;
	if (w->unit[0] != '\0') {
		u = unit_find(w->unit);
		return u == NULL || unit_settled(u);
	}
	/*
	 * Every unit, starting with the one that was not settled last
	 * time: units settle roughly in table order, so this does not
	 * walk the settled ones again at every change.
	 */
	for (i = 0; i < sup.nunits; i++) {
		k = (w->cursor + i) % sup.nunits;
		if (!unit_settled(sup.units[k])) {
			w->cursor = k;
			return 0;
		}
	}
	return 1;
}

static void
settle_reply(struct waiter *w, int timed_out)
{
	json_t	*doc = status_json(w->unit[0] ? w->unit : NULL);
	json_t	*bad = settle_problems(w->unit[0] ? w->unit : NULL);

	json_object_set_new(doc, "settled", json_boolean(!timed_out));
	json_object_set_new(doc, "not_ok", bad);
	ctl_reply(w->client, json_array_size(bad) ? 1 : 0, doc, "%s",
	    timed_out ? "timed out waiting for units to settle" : "settled");
}

static int
set_inactive(struct waiter *w)
{
	struct unit	*u;
	size_t		 i;

	for (i = 0; i < w->nset; i++)
		if ((u = unit_find(w->set[i])) != NULL &&
		    (unit_active(u) || u->state == ST_BACKOFF))
			return 0;
	return 1;
}

/* Stop the units of the set whose dependents are already down. */
static void
stop_progress(struct waiter *w)
{
	struct unit	*u;
	size_t		 i;

	for (i = 0; i < w->nset; i++) {
		if ((u = unit_find(w->set[i])) == NULL)
			continue;
		u->manual_stop = 1;
		if (u->state == ST_STOPPING)
			continue;
		if (u->conf->is_cron) {
			if (u->cron_pid > 0 && !u->cron_stopping) {
				u->cron_stopping = 1;
				sup_stop_pid(u, u->cron_pid);
			}
			continue;
		}
		if (!deps_dependents_active(u) && (unit_active(u) ||
		    u->state == ST_BACKOFF || u->state == ST_WAITING ||
		    u->state == ST_BLOCKED))
			fsm(u, EV_STOP, "stop requested");
	}
}

/* Returns 1 when the waiter is done (and freed). */
static int
waiter_check(struct waiter *w)
{
	size_t	 i;

	switch (w->kind) {
	case W_SETTLE:
		if (!settle_done(w))
			return 0;
		settle_reply(w, 0);
		break;
	case W_STOP:
		stop_progress(w);
		if (!set_inactive(w))
			return 0;
		ctl_reply(w->client, 0, NULL, "stopped");
		break;
	case W_RESTART_ALL:
		if (w->phase == 0) {
			stop_progress(w);
			if (!set_inactive(w))
				return 0;
			w->phase = 1;
			for (i = 0; i < sup.nunits; i++)
				if (!sup.units[i]->conf->is_cron) {
					sup.units[i]->auto_restart = 0;
					fsm(sup.units[i], EV_START,
					    "restart");
				}
			return 0;
		}
		if (!settle_done(w))
			return 0;
		settle_reply(w, 0);
		break;
	default:
		return 0;
	}
	waiter_free(w);
	return 1;
}

static int		 in_check;
static struct event	*ev_changed;

/* Look at every waiter now. */
static void
waiters_check(void)
{
	struct waiter	*w, *next;

	if (in_check)
		return;
	in_check = 1;
	for (w = waiters; w != NULL; w = next) {
		next = w->next;
		waiter_check(w);
	}
	in_check = 0;
}

static void
units_changed_cb(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	waiters_check();
}

/*
 * A unit changed: look at the waiters once the current event is handled
 * (a batch of messages changes many units), not at every change.  As
 * before, changes made by the waiters themselves are not reported back.
 */
void
ctl_units_changed(void)
{
	if (in_check || waiters == NULL)
		return;
	if (ev_changed == NULL && (ev_changed = event_new(role->base, -1, 0,
	    units_changed_cb, NULL)) == NULL)
		fatalx("event_new");
	event_active(ev_changed, EV_TIMEOUT, 0);
}

static void
waiter_tick(int fd, short ev, void *arg)
{
	struct waiter	*w = arg;

	(void)fd;
	(void)ev;
	if (w->deadline_ms != 0 && now_ms() >= w->deadline_ms &&
	    (w->kind == W_SETTLE || (w->kind == W_RESTART_ALL &&
	    w->phase == 1))) {
		settle_reply(w, 1);
		waiter_free(w);
		return;
	}
	ctl_progress(w->client, "working");
	/* Catch anything a state change did not report. */
	waiters_check();
}

static void
waiter_expire(int fd, short ev, void *arg)
{
	struct waiter	*w = arg;

	(void)fd;
	(void)ev;
	if (w->kind == W_SETTLE || (w->kind == W_RESTART_ALL &&
	    w->phase == 1)) {
		settle_reply(w, 1);
		waiter_free(w);
	}
}

void
ctl_shutdown_done(void)
{
	struct waiter	*w, *next;

	for (w = waiters; w != NULL; w = next) {
		next = w->next;
		if (w->kind == W_SHUTDOWN) {
			ctl_reply(w->client, 0, NULL, "stopped");
			waiter_free(w);
		}
	}
}

void
ctl_clients_lost(void)
{
	while (waiters != NULL)
		waiter_free(waiters);
}

/* ------------------------------------------------------------------ */
/* Usage figures from the spawner, then status or inspect */

static void
stats_request(uint32_t client)
{
	int32_t	*pids;
	size_t	 i, n = 0;
	pid_t	 p;

	if ((pids = calloc(sup.nunits + 1, sizeof(*pids))) == NULL)
		fatal("calloc");
	for (i = 0; i < sup.nunits; i++) {
		p = sup.units[i]->conf->is_cron ? sup.units[i]->cron_pid :
		    sup.units[i]->pid;
		if (p > 0)
			pids[n++] = p;
	}
	if (proc_send(PROC_SPAWNER, IMSG_STATS_REQ, client, -1, pids,
	    n * sizeof(*pids)) == -1)
		ctl_stats(client, NULL, 0);
	free(pids);
}

void
ctl_stats(uint32_t client, const void *data, size_t len)
{
	const struct msg_stats	*st = data;
	struct pidmap		 pm;
	struct waiter		*w;
	struct unit		*u;
	size_t			 i, n = len / sizeof(*st);

	/* Each pid to the first unit (in table order) that has it. */
	pidmap_init(&pm, 3 * sup.nunits);
	for (i = 0; i < sup.nunits; i++) {
		u = sup.units[i];
		pidmap_put(&pm, u->pid, u);
		pidmap_put(&pm, u->old_pid, u);
		pidmap_put(&pm, u->cron_pid, u);
	}
	for (i = 0; i < n; i++)
		if ((u = pidmap_get(&pm, st[i].pid)) != NULL) {
			u->cpu_ms = st[i].cpu_ms;
			u->rss = st[i].rss_bytes;
		}
	pidmap_free(&pm);
	for (w = waiters; w != NULL; w = w->next)
		if (w->client == client && (w->kind == W_STATUS ||
		    w->kind == W_INSPECT))
			break;
	if (w == NULL)
		return;
	if (w->kind == W_STATUS)
		ctl_reply(client, 0, status_json(w->unit[0] ? w->unit : NULL),
		    "ok");
	else if ((u = unit_find(w->unit)) != NULL)
		ctl_reply(client, 0, inspect_json(u), "ok");
	else
		ctl_reply(client, 1, NULL, "unknown unit %s", w->unit);
	waiter_free(w);
}

/* ------------------------------------------------------------------ */
/* Requests */

static void
add_dependents(struct waiter *w, struct unit *u)
{
	struct unit *const	*v;
	size_t			 i, n;

	waiter_add_set(w, u->conf->name);
	v = deps_dependents(u, &n);
	for (i = 0; i < n; i++)
		if (unit_active(v[i]) || v[i]->state == ST_BACKOFF ||
		    v[i]->state == ST_WAITING)
			add_dependents(w, v[i]);
}

static void
start_with_deps(struct unit *u, int depth)
{
	struct unit	*d;
	size_t		 i;

	if (depth > 64)
		return;
	for (i = 0; i < u->conf->ndeps; i++)
		if ((d = unit_find(u->conf->depends_on[i])) != NULL &&
		    !d->conf->is_cron && (d->state == ST_STOPPED ||
		    d->state == ST_FAILED))
			start_with_deps(d, depth + 1);
	u->consecutive = 0;
	u->auto_restart = 0;
	fsm(u, EV_START, "start requested");
}

static void
req_start(uint32_t client, struct unit *u, json_int_t wait)
{
	struct waiter	*w;

	if (u->conf->is_cron) {
		if (cron_run_now(u, 1) == -1)
			ctl_reply(client, 1, NULL, "%s is already running",
			    u->conf->name);
		else
			ctl_reply(client, 0, NULL, "started a run of %s",
			    u->conf->name);
		return;
	}
	if (u->state == ST_RUNNING || u->state == ST_STARTING) {
		ctl_reply(client, 0, status_json(u->conf->name),
		    "%s is already %s", u->conf->name, state_name(u->state));
		return;
	}
	start_with_deps(u, 0);
	w = waiter_new(client, W_SETTLE, u->conf->name);
	waiter_deadline(w, wait);
	waiter_check(w);
}

static void
req_stop(uint32_t client, struct unit *u)
{
	struct waiter	*w;

	if (u == NULL) {
		waiter_new(client, W_SHUTDOWN, NULL);
		sup_shutdown();
		return;
	}
	w = waiter_new(client, W_STOP, NULL);
	add_dependents(w, u);
	/* Not waiter_check(w): stopping changes units, which checks w. */
	waiters_check();
}

static void
req_restart(uint32_t client, struct unit *u, json_int_t wait)
{
	struct waiter	*w;
	size_t		 i;

	if (u == NULL) {
		w = waiter_new(client, W_RESTART_ALL, NULL);
		waiter_deadline(w, wait);
		for (i = 0; i < sup.nunits; i++)
			if (!sup.units[i]->conf->is_cron)
				waiter_add_set(w, sup.units[i]->conf->name);
		waiters_check();
		return;
	}
	if (u->conf->is_cron) {
		ctl_reply(client, 1, NULL, "%s is a cron job: use start -s",
		    u->conf->name);
		return;
	}
	u->auto_restart = 0;
	u->consecutive = 0;
	if (u->conf->strategy == DEPLOY_ROLLING && u->state == ST_RUNNING &&
	    u->pid > 0 && !u->rolling && u->old_pid == 0) {
		deploy_rolling(u);
		w = waiter_new(client, W_SETTLE, u->conf->name);
		waiter_deadline(w, wait);
		waiter_check(w);
		return;
	}
	if (unit_active(u)) {
		u->after_stop = AFTER_STOP_START;
		u->manual_stop = 0;
		fsm(u, EV_STOP, "restart requested");
		/* EV_STOP sets manual_stop: undo for the restart. */
		u->manual_stop = 0;
		u->after_stop = AFTER_STOP_START;
		if (u->state == ST_STOPPED) {
			u->after_stop = AFTER_STOP_IDLE;
			start_with_deps(u, 0);
		}
	} else
		start_with_deps(u, 0);
	w = waiter_new(client, W_SETTLE, u->conf->name);
	waiter_deadline(w, wait);
	waiter_check(w);
}

void
ctl_request(uint32_t client, const char *text, size_t len)
{
	json_t		*req;
	json_error_t	 jerr;
	const char	*cmd = NULL, *name = NULL;
	json_int_t	 wait = 60;
	struct unit	*u = NULL;

	req = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL || json_unpack(req, "{s:s,s?s,s?I}", "cmd", &cmd,
	    "unit", &name, "wait", &wait) == -1) {
		ctl_reply(client, 1, NULL, "malformed request");
		json_decref(req);
		return;
	}
	if (wait < 0 || wait > 86400)
		wait = 60;
	if (name != NULL && (u = unit_find(name)) == NULL) {
		ctl_reply(client, 1, NULL, "unknown unit %s", name);
		json_decref(req);
		return;
	}
	if (strcmp(cmd, "status") == 0 || strcmp(cmd, "inspect") == 0) {
		if (strcmp(cmd, "inspect") == 0 && u == NULL)
			ctl_reply(client, 1, NULL, "inspect needs a unit");
		else {
			waiter_new(client, cmd[0] == 's' ? W_STATUS :
			    W_INSPECT, name);
			stats_request(client);
		}
	} else if (strcmp(cmd, "wait") == 0) {
		struct waiter *w = waiter_new(client, W_SETTLE, NULL);
		waiter_deadline(w, wait);
		waiter_check(w);
	} else if (strcmp(cmd, "start") == 0 && u != NULL)
		req_start(client, u, wait);
	else if (strcmp(cmd, "stop") == 0)
		req_stop(client, u);
	else if (strcmp(cmd, "restart") == 0)
		req_restart(client, u, wait);
	else
		ctl_reply(client, 1, NULL, "unknown request %s", cmd);
	json_decref(req);
}
