/*
 * The cron role: schedules, overlap rules and run history.  It computes
 * fire times and asks the supervisor to run jobs; it executes nothing.
 *
 * From the parent: the state directory (cron_state.json lives there) and
 * each configuration generation.  To the supervisor: IMSG_CRON_FIRE when
 * a job is due, and IMSG_CRON_INFO (the job's next run, last run and
 * recorded runs, as JSON) after every change.  From the supervisor:
 * IMSG_CRON_STARTED / IMSG_CRON_DONE for each run (an overlap is a DONE
 * whose start equals its end); each is recorded and saved at once.
 */

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "confjson.h"
#include "confrecv.h"
#include "history.h"
#include "log.h"
#include "proc.h"
#include "cronsched.h"

#define EXIT_WAIT_S	3	/* for the supervisor's last reports */

static struct history	*hist;
static int		 state_dirfd = -1;
static int		 dirty;
static int		 exiting;
static struct event	*ev_exit;
static struct event	*ev_term;

/* ------------------------------------------------------------------ */
/* History */

static void
hist_save(void)
{
	if (state_dirfd == -1) {
		dirty = 1;
		return;
	}
	if (history_save(hist, state_dirfd, HISTORY_FILE) == -1) {
		log_warn("%s", HISTORY_FILE);
		dirty = 1;
		return;
	}
	dirty = 0;
}

static void
hist_load(void)
{
	char	 err[256];
	int	 r;

	err[0] = '\0';
	r = history_load(hist, state_dirfd, HISTORY_FILE, err, sizeof(err));
	if (r == -1)
		log_warnx("%s: %s: starting with an empty history",
		    HISTORY_FILE, err);
	else if (r == 1)
		log_warnx("%s: %s: dropped", HISTORY_FILE, err);
}

/* The newest run that has an outcome (a run in progress has none). */
static const struct history_run *
last_finished(const char *name)
{
	const struct history_run *r;
	size_t	 i;

	for (i = history_count(hist, name); i > 0; i--) {
		r = history_get(hist, name, i - 1);
		if (r != NULL && r->outcome != CRON_RUNNING)
			return r;
	}
	return NULL;
}

/*
 * A supervisor that took over a running job (it was restarted) does not
 * know when the run started: match the end to the run in progress with
 * the same pid.
 */
static void
match_running(struct msg_cron_run *m)
{
	const struct history_run *r, *found = NULL;
	size_t	 i;

	if (m->finished_ms == 0 || m->pid <= 0)
		return;
	for (i = history_count(hist, m->unit); i > 0; i--) {
		r = history_get(hist, m->unit, i - 1);
		if (r == NULL)
			continue;
		if ((uint64_t)r->started_ms == m->started_ms)
			return;
		if (found == NULL && r->outcome == CRON_RUNNING &&
		    r->pid == m->pid)
			found = r;
	}
	if (found != NULL)
		m->started_ms = (uint64_t)found->started_ms;
}

/* ------------------------------------------------------------------ */
/* To the supervisor */

static void
send_info(const struct job *j)
{
	const struct history_run *r;
	json_t	*doc, *runs;
	char	 next[64], *text;

	if (!proc_peer_up(PROC_SUPERVISOR))
		return;
	if ((runs = history_job_json(hist, j->name)) == NULL)
		runs = json_array();
	r = last_finished(j->name);
	doc = json_pack("{s:s, s:o, s:o, s:o}", "name", j->name,
	    "next_run", sched_next_str(j, next, sizeof(next)) == 0 ?
	    json_string(next) : json_null(),
	    "last_run", r != NULL ? history_run_json(r) : json_null(),
	    "runs", runs);
	if (doc == NULL) {
		log_warnx("%s: cannot build the job summary", j->name);
		return;
	}
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (text == NULL) {
		log_warnx("%s: cannot build the job summary", j->name);
		return;
	}
	if (strlen(text) < IMSG_MAXPAYLOAD)
		proc_send(PROC_SUPERVISOR, IMSG_CRON_INFO, 0, -1, text,
		    strlen(text));
	free(text);
}

static void
send_info_all(void)
{
	size_t	 i;

	for (i = 0; i < sched_njobs(); i++)
		send_info(sched_job(i));
}

void
cron_due(const struct job *j, time_t due)
{
	struct msg_cron_fire	 f;

	if (exiting)
		return;
	memset(&f, 0, sizeof(f));
	f.due_ms = (uint64_t)due * 1000;
	f.manual = 0;
	strlcpy(f.unit, j->name, sizeof(f.unit));
	log_debug("%s: due", j->name);
	if (proc_send(PROC_SUPERVISOR, IMSG_CRON_FIRE, 0, -1, &f,
	    sizeof(f)) == -1)
		log_warnx("%s: due, but the supervisor is not connected: "
		    "run skipped", j->name);
	send_info(j);
}

/* ------------------------------------------------------------------ */
/* Exit: never lose a record */

static void
cron_exit(void)
{
	if (dirty)
		hist_save();
	sched_shutdown();
	history_free(hist);
	hist = NULL;
	/* ev_exit and ev_term stay: we may be inside their callbacks. */
	exit(0);
}

static void
exit_timeout(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	cron_exit();
}

/*
 * The parent is gone: wait (a little) for the supervisor's channel to
 * close too, so the ends of runs it reported last are recorded.
 */
static void
cron_parent_lost(void)
{
	struct timeval	 tv = { EXIT_WAIT_S, 0 };

	if (exiting)
		return;
	exiting = 1;
	if (!proc_peer_up(PROC_SUPERVISOR))
		cron_exit();
	if ((ev_exit = evtimer_new(role->base, exit_timeout, NULL)) == NULL ||
	    evtimer_add(ev_exit, &tv) == -1)
		cron_exit();
}

static void
on_sigterm(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	cron_parent_lost();
}

/* ------------------------------------------------------------------ */
/* Messages */

static struct confrecv	 crecv;

static void
conf_msg(struct imsg *im)
{
	size_t	 i;

	if (confrecv_msg(&crecv, im) == 0)
		return;
	sched_conf_begin(crecv.gen, (uint32_t)crecv.nunits);
	for (i = 0; i < crecv.nunits; i++)
		sched_conf_unit(crecv.units[i]);
	if (sched_conf_end(crecv.gen) == -1)
		fatalx("configuration end without its beginning");
	confrecv_clear(&crecv);
	send_info_all();
	proc_trim_soon();
}

static void
dirfd_msg(struct imsg *im)
{
	struct msg_dirfd	 d;

	if (imsg_expect(im, sizeof(d)) == -1 || im->fd == -1)
		fatalx("malformed IMSG_DIRFD");
	memcpy(&d, im->data, sizeof(d));
	if (d.kind != DIRFD_STATE)
		return;			/* im->fd is closed with im */
	if (state_dirfd != -1)
		close(state_dirfd);
	state_dirfd = im->fd;
	im->fd = -1;
	hist_load();
	if (dirty)
		hist_save();
}

static void
cron_parent_msg(struct imsg *im)
{
	switch (im->hdr.type) {
	case IMSG_CONF_BEGIN:
	case IMSG_CONF_UNIT:
	case IMSG_CONF_END:
		conf_msg(im);
		break;
	case IMSG_DIRFD:
		dirfd_msg(im);
		break;
	default:
		fatalx("unexpected message %u from parent", im->hdr.type);
	}
}

static void
run_msg(struct imsg *im)
{
	struct msg_cron_run	 m;
	const struct job	*j;

	if (imsg_expect(im, sizeof(m)) == -1)
		fatalx("malformed cron run report");
	memcpy(&m, im->data, sizeof(m));
	if (im->hdr.type == IMSG_CRON_STARTED && (m.finished_ms != 0 ||
	    m.outcome != CRON_RUNNING)) {
		log_warnx("malformed cron run start");
		return;
	}
	if (im->hdr.type == IMSG_CRON_DONE && (m.finished_ms == 0 ||
	    m.outcome == CRON_RUNNING)) {
		log_warnx("malformed cron run end");
		return;
	}
	if (memchr(m.unit, '\0', sizeof(m.unit)) != NULL)
		match_running(&m);
	if (history_apply(hist, &m) == -1) {
		log_warnx("cron run report refused");
		return;
	}
	hist_save();
	if ((j = sched_find(m.unit)) != NULL)
		send_info(j);
}

static void
cron_peer_msg(enum sysg_proc from, struct imsg *im)
{
	if (from != PROC_SUPERVISOR)
		fatalx("message from unexpected peer");
	switch (im->hdr.type) {
	case IMSG_CRON_STARTED:
	case IMSG_CRON_DONE:
		run_msg(im);
		break;
	default:
		fatalx("unexpected message %u from supervisor",
		    im->hdr.type);
	}
}

/* A (new) supervisor: it may have restarted and know nothing. */
static void
cron_peer_up(enum sysg_proc p)
{
	if (p == PROC_SUPERVISOR)
		send_info_all();
}

static void
cron_peer_down(enum sysg_proc p)
{
	if (p == PROC_SUPERVISOR && exiting)
		cron_exit();
}

static void
cron_setup_done(void)
{
	/* Zone files cannot be read once chrooted. */
	sched_zones_open();
	proc_sandbox();
	proc_ready();
}

static void
cron_go(void)
{
	size_t	 n;

	if (!role->restarted) {
		/* A fresh daemon: nothing of the old one still runs. */
		if ((n = history_abandon_running(hist, "daemon restarted")) > 0)
			log_info("%zu cron run%s of the previous daemon "
			    "abandoned", n, n == 1 ? "" : "s");
		if (n > 0 || dirty)
			hist_save();
	}
	sched_start();
	send_info_all();
}

static void
cron_init(void)
{
	if ((hist = history_new()) == NULL)
		fatal("history_new");
	sched_init();
	/* Parent death (PR_SET_PDEATHSIG): save before going. */
	if ((ev_term = evsignal_new(role->base, SIGTERM, on_sigterm,
	    NULL)) == NULL || evsignal_add(ev_term, NULL) == -1)
		fatalx("SIGTERM event");
}

static const struct role_ops cron_ops = {
	.init = cron_init,
	.parent_msg = cron_parent_msg,
	.peer_msg = cron_peer_msg,
	.peer_up = cron_peer_up,
	.peer_down = cron_peer_down,
	.setup_done = cron_setup_done,
	.go = cron_go,
	.parent_lost = cron_parent_lost,
};

void
cron_main(void)
{
	proc_role_main(PROC_CRON, &cron_ops);
}
