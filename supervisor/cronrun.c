/*
 * The supervisor's side of cron: the cron process says when a job is
 * due (IMSG_CRON_FIRE); the supervisor runs it through the spawner like
 * any unit, refuses a second run while one is in progress (overlap), and
 * reports each run's start and end back (IMSG_CRON_STARTED/_DONE) for
 * the history.  IMSG_CRON_INFO carries the job's summary for status.
 */

#include <sys/wait.h>

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "proc.h"
#include "supervisor.h"

static void
cron_report(uint32_t type, struct unit *u, uint32_t outcome, int status,
    const char *reason)
{
	struct msg_cron_run	 r;

	memset(&r, 0, sizeof(r));
	strlcpy(r.unit, u->conf->name, sizeof(r.unit));
	r.started_ms = u->cron_started_ms ? u->cron_started_ms : now_ms();
	r.finished_ms = type == IMSG_CRON_DONE ? now_ms() : 0;
	r.pid = u->cron_pid > 0 ? u->cron_pid : 0;
	r.exit_code = -1;
	if (status != -1 && WIFEXITED(status))
		r.exit_code = WEXITSTATUS(status);
	else if (status != -1 && WIFSIGNALED(status))
		r.signal = WTERMSIG(status);
	r.outcome = outcome;
	if (reason != NULL)
		strlcpy(r.reason, reason, sizeof(r.reason));
	proc_send(PROC_CRON, type, 0, -1, &r, sizeof(r));
}

static void
cron_overlap(struct unit *u)
{
	struct msg_cron_run	 r;

	memset(&r, 0, sizeof(r));
	strlcpy(r.unit, u->conf->name, sizeof(r.unit));
	r.started_ms = r.finished_ms = now_ms();
	r.exit_code = -1;
	r.outcome = CRON_OVERLAP;
	strlcpy(r.reason, "previous run still in progress", sizeof(r.reason));
	proc_send(PROC_CRON, IMSG_CRON_DONE, 0, -1, &r, sizeof(r));
}

/* Run a job now; -1 if a run is already in progress (overlap). */
int
cron_run_now(struct unit *u, int manual)
{
	if (u->cron_pid != 0) {
		log_info("%s: still running, %s run recorded as overlap",
		    u->conf->name, manual ? "manual" : "scheduled");
		cron_overlap(u);
		return -1;
	}
	if (sup.shutting_down)
		return -1;
	u->reqid = ++sup.next_reqid;
	u->cron_pid = -1;		/* pending */
	u->cron_stopping = 0;
	u->cron_started_ms = now_ms();
	u->started_ms = u->cron_started_ms;
	u->state = ST_CRON_RUNNING;
	u->since_ms = now_ms();
	sup_spawn(u, SPAWN_MAIN, 0, 0, -1);
	ctl_units_changed();
	return 0;
}

void
cron_started(struct unit *u, pid_t pid)
{
	u->cron_pid = pid;
	log_info("%s: run started, pid %d", u->conf->name, (int)pid);
	cron_report(IMSG_CRON_STARTED, u, CRON_RUNNING, -1, NULL);
	hook_fire(u, HOOK_START, HOOK_SUCCESS, -1);
}

static void
cron_finish(struct unit *u)
{
	u->cron_pid = 0;
	u->cron_started_ms = 0;
	u->state = ST_SCHEDULED;
	u->since_ms = now_ms();
	ctl_units_changed();
	sup_shutdown_check();
}

void
cron_spawn_failed(struct unit *u, const struct msg_spawn_failed *f)
{
	char	 reason[128];

	snprintf(reason, sizeof(reason), "%s: %s", f->step,
	    strerror(f->err));
	unit_record_exit(u, -1, reason);
	cron_report(IMSG_CRON_DONE, u, CRON_START_ERROR, -1, reason);
	hook_fire(u, HOOK_START, HOOK_ERROR, -1);
	cron_finish(u);
}

void
cron_run_exited(struct unit *u, const struct msg_exited *me)
{
	uint32_t	 outcome;
	int		 ok;

	ok = WIFEXITED(me->status) && WEXITSTATUS(me->status) == 0;
	outcome = me->timed_out ? CRON_TIMEOUT : ok ? CRON_SUCCESS :
	    CRON_FAILED;
	unit_record_exit(u, me->status, me->timed_out ? "timeout" : NULL);
	cron_report(IMSG_CRON_DONE, u, outcome, me->status,
	    me->timed_out ? "timeout" : NULL);
	log_info("%s: run finished: %s", u->conf->name, me->timed_out ?
	    "timeout" : ok ? "success" : "failed");
	hook_fire(u, HOOK_STOP, ok && !me->timed_out ? HOOK_SUCCESS :
	    HOOK_ERROR, me->status);
	cron_finish(u);
}

/*
 * Summaries of jobs this supervisor does not know yet: the cron process
 * may apply a generation (or greet a restarted supervisor) before the
 * supervisor has it.  unit_new() takes them.
 */
static json_t	*info_pending;

static void
cron_info(const char *text, size_t len)
{
	json_t		*doc, *name;
	json_error_t	 err;
	struct unit	*u;

	if ((doc = json_loadb(text, len, 0, &err)) == NULL ||
	    !json_is_string(name = json_object_get(doc, "name"))) {
		json_decref(doc);
		return;
	}
	if ((u = unit_find(json_string_value(name))) == NULL) {
		if (info_pending == NULL)
			info_pending = json_object();
		json_object_set_new(info_pending, json_string_value(name),
		    doc);
		return;
	}
	json_decref(u->cron_info);
	u->cron_info = doc;
}

/* A new unit: the cron summary that arrived before it, if any. */
void
cron_info_take(struct unit *u)
{
	json_t	*doc;

	if (info_pending == NULL || (doc = json_object_get(info_pending,
	    u->conf->name)) == NULL)
		return;
	json_decref(u->cron_info);
	u->cron_info = json_incref(doc);
	json_object_del(info_pending, u->conf->name);
}

void
cron_msg(struct imsg *im)
{
	struct msg_cron_fire	 f;
	struct unit		*u;

	switch (im->hdr.type) {
	case IMSG_CRON_FIRE:
		if (imsg_expect(im, sizeof(f)) == -1)
			fatalx("malformed cron fire");
		memcpy(&f, im->data, sizeof(f));
		f.unit[SYSG_NAME_MAX] = '\0';
		if ((u = unit_find(f.unit)) == NULL || !u->conf->is_cron) {
			log_warnx("cron fired unknown job '%s'", f.unit);
			return;
		}
		cron_run_now(u, 0);
		break;
	case IMSG_CRON_INFO:
		cron_info(im->data, im->len);
		break;
	default:
		fatalx("unexpected message %u from cron", im->hdr.type);
	}
}
