/*
 * The supervisor role: holds the unit table, talks to the spawner (what
 * runs), to cron (when jobs fire), to control (client requests) and to
 * the parent (configuration), and writes logs and state.json.  It never
 * executes anything itself.
 */

#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "confjson.h"
#include "confrecv.h"
#include "htab.h"
#include "log.h"
#include "logwriter.h"
#include "paths.h"
#include "proc.h"
#include "supervisor.h"

struct sup	 sup;

struct adopted {
	struct msg_spawned	 ms;
};

static struct confrecv	 pend;

static struct adopted	*adopted;
static size_t		 nadopted;
static int		 restarted_role;

/*
 * The log files of every unit name that ever had a log pipe, the unit
 * still configured or not; kept for the life of the process.
 */
struct logent {
	struct hnode	 node;
	struct logfile	*lf[2];
	char		 name[];
};

static const char *
logent_key(const struct hnode *n)
{
	return ((const struct logent *)(const void *)n)->name;
}

static struct htab	 logents = HTAB_INITIALIZER(logent_key);

static const char *const what_tags[SPAWN_WHAT_MAX] = {
	NULL, "hook", "check", "pre_start", "skip"
};

/* Every unit by name; the key is the unit's conf->name. */
static const char *
unit_key(const struct hnode *n)
{
	const struct unit	*u = (const struct unit *)(const void *)
	    ((const char *)n - offsetof(struct unit, name_node));

	return u->conf->name;
}

static struct htab	 units_by_name = HTAB_INITIALIZER(unit_key);

struct unit *
unit_find(const char *name)
{
	struct hnode	*n;

	if ((n = htab_find(&units_by_name, name)) == NULL)
		return NULL;
	return (struct unit *)(void *)((char *)n -
	    offsetof(struct unit, name_node));
}

/* ------------------------------------------------------------------ */
/* Logs */

static struct logent *
logent_get(const char *name)
{
	struct logent	*le;
	size_t		 len;

	if ((le = (struct logent *)(void *)htab_find(&logents, name)) != NULL)
		return le;
	len = strlen(name);
	if ((le = calloc(1, sizeof(*le) + len + 1)) == NULL)
		fatal("calloc");
	memcpy(le->name, name, len + 1);
	htab_insert(&logents, &le->node);
	return le;
}

/*
 * The unit log files that were in the log directory when the first log
 * pipe came.  Only this process makes files there, so a file that is not
 * among them is not there: logfile_open_flags() need not look for it
 * (LOGFILE_NEW), its first write makes and checks it.  A name leaves the
 * set once its file is open.
 */
struct lname {
	struct hnode	 node;
	char		 name[];
};

static const char *
lname_key(const struct hnode *n)
{
	return ((const struct lname *)(const void *)n)->name;
}

static struct htab	 lnames = HTAB_INITIALIZER(lname_key);
static int		 lnames_state;	/* 0 not listed, 1 listed, -1 failed */

static int
lname_ours(const char *name)
{
	size_t	 len = strlen(name), sfx = strlen(".stdout.log");

	return len > sfx && (strcmp(name + len - sfx, ".stdout.log") == 0 ||
	    strcmp(name + len - sfx, ".stderr.log") == 0);
}

static void
lname_del(struct lname *ln)
{
	htab_remove(&lnames, &ln->node);
	free(ln);
	if (lnames.n == 0)
		htab_clear(&lnames);
}

static void
lnames_clear(void)
{
	struct hnode	*n, *next;
	size_t		 i;

	for (i = 0; i < lnames.nb; i++)
		for (n = lnames.b[i]; n != NULL; n = next) {
			next = n->next;
			free(n);
		}
	htab_clear(&lnames);
}

static void
lnames_list(void)
{
	struct dirent	*de;
	struct lname	*ln;
	DIR		*d;
	size_t		 len;
	int		 fd;

	lnames_state = -1;
	if ((fd = openat(sup.log_dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (!lname_ours(de->d_name))
			continue;
		len = strlen(de->d_name);
		if ((ln = calloc(1, sizeof(*ln) + len + 1)) == NULL)
			fatal("calloc");
		memcpy(ln->name, de->d_name, len + 1);
		htab_insert(&lnames, &ln->node);
	}
	if (errno != 0) {
		/* Not all of it: look for every file. */
		log_warn("list the log directory");
		lnames_clear();
	} else
		lnames_state = 1;
	closedir(d);
}

static struct logfile *
logfile_for(struct logent *le, enum log_stream stream)
{
	struct unit		*u = unit_find(le->name);
	struct logs_conf	 defl = { 10 * 1024 * 1024, 5, false };
	struct lname		*ln = NULL;
	char			 fname[SYSG_NAME_MAX + 16];
	int			 flags = LOGFILE_KEEPDIR;

	if (le->lf[stream] != NULL)
		return le->lf[stream];
	if (lnames_state == 0)
		lnames_list();
	if (lnames_state == 1) {
		(void)snprintf(fname, sizeof(fname), "%s.%s.log", le->name,
		    stream == LOG_STDERR ? "stderr" : "stdout");
		if ((ln = (struct lname *)(void *)htab_find(&lnames,
		    fname)) == NULL)
			flags |= LOGFILE_NEW;
	}
	le->lf[stream] = logfile_open_flags(role->base, sup.log_dirfd,
	    le->name, stream, u != NULL ? &u->conf->logs : &defl,
	    role->env.sysmode, flags);
	if (le->lf[stream] != NULL && ln != NULL)
		lname_del(ln);
	if (le->lf[stream] != NULL && role->env.foreground)
		logfile_set_echo(le->lf[stream], STDERR_FILENO, le->name,
		    sup.echo_width, role->env.color);
	return le->lf[stream];
}

/* New rotation and timestamp settings for a unit's open files. */
static void
logs_reconf(struct unit *u)
{
	struct logent	*le;
	int		 i;

	if ((le = (struct logent *)(void *)htab_find(&logents,
	    u->conf->name)) == NULL)
		return;
	for (i = 0; i < 2; i++)
		if (le->lf[i] != NULL)
			logfile_set_conf(le->lf[i], &u->conf->logs);
}

/* What IMSG_LOGFD_DONE says when the pipe ends: all of msg_logfd. */
struct logfd_done {
	struct logent	*le;		/* the unit's name */
	int32_t		 pid;
	uint32_t	 what;
	uint32_t	 stream;
	char		 tag[];
};

/*
 * Pipes the spawner hands over before the log directory and the config
 * are known (a restarted supervisor): attached by conf_apply().
 */
struct logfd_wait {
	struct msg_logfd	 lf;
	int			 fd;
};
static struct logfd_wait	*logfd_waits;
static size_t			 nlogfd_waits;
static size_t			 logfd_waitscap;

static void
logfd_eof(void *arg)
{
	struct logfd_done	*d = arg;
	struct msg_logfd	 lf;

	memset(&lf, 0, sizeof(lf));
	lf.pid = d->pid;
	lf.what = d->what;
	lf.stream = d->stream;
	strlcpy(lf.unit, d->le->name, sizeof(lf.unit));
	strlcpy(lf.tag, d->tag, sizeof(lf.tag));
	proc_send(PROC_SPAWNER, IMSG_LOGFD_DONE, 0, -1, &lf, sizeof(lf));
	free(d);
}

void
sup_attach_log(const struct msg_logfd *lf, int fd)
{
	struct logfile		*f;
	struct logfd_done	*d;
	struct logfd_wait	*w;
	struct logent		*le;
	const char		*tag;
	size_t			 len;

	if (lf->unit[0] != '\0' && (sup.log_dirfd < 0 || sup.units == NULL)) {
		if (nlogfd_waits == logfd_waitscap) {
			logfd_waitscap = logfd_waitscap > 0 ?
			    logfd_waitscap * 2 : 64;
			if ((w = reallocarray(logfd_waits, logfd_waitscap,
			    sizeof(*w))) == NULL)
				fatal("reallocarray");
			logfd_waits = w;
		}
		logfd_waits[nlogfd_waits].lf = *lf;
		logfd_waits[nlogfd_waits++].fd = fd;
		return;
	}
	if (lf->unit[0] == '\0') {
		/* The daemon's own log: nothing to tell at its end. */
		if (sup.suplog == NULL) {
			log_warnx("no log file for '': output discarded");
			close(fd);
			return;
		}
		logfile_attach(sup.suplog, fd, NULL, NULL, NULL);
		return;
	}
	le = logent_get(lf->unit);
	f = logfile_for(le, lf->stream == LOG_STDERR ? LOG_STDERR :
	    LOG_STDOUT);
	tag = lf->what < SPAWN_WHAT_MAX ? what_tags[lf->what] : "?";
	if (f == NULL) {
		log_warnx("no log file for '%s': output discarded", lf->unit);
		close(fd);
		return;
	}
	len = strlen(lf->tag);
	if ((d = malloc(sizeof(*d) + len + 1)) == NULL)
		fatal("malloc");
	d->le = le;
	d->pid = lf->pid;
	d->what = lf->what;
	d->stream = lf->stream;
	memcpy(d->tag, lf->tag, len + 1);
	logfile_attach(f, fd, tag, logfd_eof, d);
}

static void
logfd_waits_flush(void)
{
	struct logfd_wait	*w = logfd_waits;
	size_t			 i, n = nlogfd_waits;

	logfd_waits = NULL;
	nlogfd_waits = logfd_waitscap = 0;
	for (i = 0; i < n; i++)
		sup_attach_log(&w[i].lf, w[i].fd);
	free(w);
}

static void
suplog_writer(const char *line, size_t len)
{
	logfile_append(sup.suplog, line, len);
}

/* ------------------------------------------------------------------ */
/* Requests to the spawner */

void
sup_spawn(struct unit *u, uint32_t what, uint32_t event, uint32_t outcome,
    int status)
{
	struct msg_spawn	 ms;

	memset(&ms, 0, sizeof(ms));
	ms.gen = sup.gen;
	ms.reqid = what == SPAWN_MAIN || what == SPAWN_PRESTART ||
	    what == SPAWN_SKIP ? u->reqid : ++sup.next_reqid;
	ms.what = what;
	ms.event = event;
	ms.outcome = outcome;
	ms.exit_code = -1;
	if (status != -1 && WIFEXITED(status))
		ms.exit_code = WEXITSTATUS(status);
	else if (status != -1 && WIFSIGNALED(status))
		ms.exit_signal = WTERMSIG(status);
	strlcpy(ms.unit, u->conf->name, sizeof(ms.unit));
	if (proc_send(PROC_SPAWNER, IMSG_SPAWN, 0, -1, &ms, sizeof(ms)) == -1)
		log_warnx("%s: spawner unreachable", u->conf->name);
}

/* The start after any skip check: pre_start if there is one, else main. */
void
sup_spawn_start(struct unit *u)
{
	u->phase = u->conf->pre_start != NULL ? PH_PRESTART : PH_MAIN;
	sup_spawn(u, u->phase == PH_PRESTART ? SPAWN_PRESTART : SPAWN_MAIN,
	    0, 0, -1);
}

void
sup_stop_pid(struct unit *u, pid_t pid)
{
	struct msg_stop	 ms;

	memset(&ms, 0, sizeof(ms));
	ms.pid = pid;
	strlcpy(ms.unit, u->conf->name, sizeof(ms.unit));
	proc_send(PROC_SPAWNER, IMSG_STOP, 0, -1, &ms, sizeof(ms));
}

/* ------------------------------------------------------------------ */
/* Units */

static void
backoff_timer(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	fsm(arg, EV_TIMER, "backoff elapsed");
}

/* Restart after tv (the timer is made by the first backoff). */
void
sup_backoff(struct unit *u, const struct timeval *tv)
{
	if (u->timer == NULL &&
	    (u->timer = evtimer_new(role->base, backoff_timer, u)) == NULL)
		fatalx("evtimer_new");
	evtimer_add(u->timer, tv);
}

static struct unit *
unit_new(struct unit_conf *c)
{
	struct unit	*u;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		fatal("calloc");
	u->conf = c;
	u->state = c->is_cron ? ST_SCHEDULED : ST_STOPPED;
	u->since_ms = now_ms();
	u->last_status = -1;
	cron_info_take(u);
	return u;
}

static void
unit_free(struct unit *u)
{
	check_stop(u);
	if (u->hc_timer != NULL)
		event_free(u->hc_timer);
	if (u->roll_timer != NULL)
		event_free(u->roll_timer);
	if (u->timer != NULL)
		event_free(u->timer);
	json_decref(u->cron_info);
	free(u->reason);
	unit_conf_free(u->conf);
	free(u->exits);
	free(u->checks);
	free(u);
}

static size_t	 unitscap;

/* Room for n units in the table (which is then never NULL). */
static void
units_reserve(size_t n)
{
	struct unit	**p;
	size_t		  cap = unitscap > 0 ? unitscap : 16;

	if (sup.units != NULL && n <= unitscap)
		return;
	while (cap < n)
		cap *= 2;
	if ((p = reallocarray(sup.units, cap, sizeof(*p))) == NULL)
		fatal("reallocarray");
	sup.units = p;
	unitscap = cap;
}

/* Into the table, after the others. */
static void
unit_add(struct unit *u)
{
	static uint32_t	 seq;

	units_reserve(sup.nunits + 1);
	sup.units[sup.nunits++] = u;
	u->seq = seq++;
	htab_insert(&units_by_name, &u->name_node);
	deps_index_add(u);
}

static void
unit_remove(struct unit *u)
{
	size_t	 i;

	for (i = 0; i < sup.nunits; i++)
		if (sup.units[i] == u) {
			memmove(sup.units + i, sup.units + i + 1,
			    (sup.nunits - i - 1) * sizeof(*sup.units));
			sup.nunits--;
			break;
		}
	htab_remove(&units_by_name, &u->name_node);
	deps_index_del(u);
	log_info("%s: removed", u->conf->name);
	unit_free(u);
}

static void	sup_shutdown_soon(void);

/* Called after every state change of a unit. */
void
sup_state_changed(struct unit *u)
{
	if (u->state == ST_STOPPED && u->after_stop == AFTER_STOP_REMOVE) {
		unit_remove(u);
		ctl_units_changed();
		sup_shutdown_soon();
		return;
	}
	if (u->state == ST_WAITING || u->state == ST_BLOCKED)
		deps_evaluate(u);
	deps_propagate(u);
	statefile_write();
	ctl_units_changed();
	sup_shutdown_soon();
}

/* ------------------------------------------------------------------ */
/* Messages from the spawner */

static void
on_spawned(const struct msg_spawned *ms)
{
	struct unit	*u = unit_find(ms->unit);

	if (u == NULL)
		return;
	switch (ms->what) {
	case SPAWN_MAIN:
		if (u->conf->is_cron) {
			if (ms->reqid == u->reqid && u->cron_pid == -1)
				cron_started(u, ms->pid);
			return;
		}
		if (ms->reqid != u->reqid || u->phase != PH_MAIN) {
			/* Stale: stop what nobody wants any more. */
			sup_stop_pid(u, ms->pid);
			return;
		}
		u->pid = ms->pid;
		u->started_ms = ms->started_ms;
		log_info("%s: started, pid %d", u->conf->name, (int)ms->pid);
		fsm(u, EV_SPAWNED, "exec succeeded");
		if (u->conf->health.type == HC_NONE && u->state == ST_STARTING)
			fsm(u, EV_READY, "no health check");
		break;
	case SPAWN_CHECK:
		if (u->hc_pid == -1)
			u->hc_pid = ms->pid;
		break;
	default:
		break;
	}
}

static void
on_spawn_failed(const struct msg_spawn_failed *f)
{
	struct unit	*u = unit_find(f->unit);

	if (u == NULL)
		return;
	log_warnx("%s: %s: %s: %s%s%s", u->conf->name,
	    f->what == SPAWN_MAIN ? "start failed" : "helper failed",
	    f->step, strerror(f->err), f->detail[0] ? ": " : "", f->detail);
	switch (f->what) {
	case SPAWN_MAIN:
		if (u->conf->is_cron) {
			cron_spawn_failed(u, f);
			return;
		}
		/* FALLTHROUGH */
	case SPAWN_PRESTART:
		if (f->reqid != u->reqid)
			return;
		unit_set_reason(u, "%s%s: %s", f->what == SPAWN_PRESTART ?
		    "pre_start " : "", f->step, strerror(f->err));
		unit_record_exit(u, -1, unit_reason(u));
		fsm(u, EV_SPAWN_FAILED, unit_reason(u));
		break;
	case SPAWN_SKIP:
		if (f->reqid != u->reqid)
			return;
		sup_spawn_start(u);
		break;
	case SPAWN_CHECK:
		check_exited(u, 127 << 8, 0);
		break;
	default:
		break;
	}
}

static void
on_helper_exit(struct unit *u, const struct msg_exited *me)
{
	int	 st = me->status;

	switch (me->what) {
	case SPAWN_PRESTART:
		if (me->reqid != u->reqid || u->phase != PH_PRESTART)
			return;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			u->phase = PH_MAIN;
			sup_spawn(u, SPAWN_MAIN, 0, 0, -1);
			return;
		}
		if (WIFSIGNALED(st))
			unit_set_reason(u, "pre_start killed by signal %d",
			    WTERMSIG(st));
		else
			unit_set_reason(u, "pre_start exited with %d",
			    WEXITSTATUS(st));
		unit_record_exit(u, st, unit_reason(u));
		fsm(u, EV_SPAWN_FAILED, unit_reason(u));
		break;
	case SPAWN_SKIP:
		if (me->reqid != u->reqid || u->phase != PH_SKIPCHECK)
			return;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			unit_set_reason(u, "skip command exited 0");
			fsm(u, EV_SKIP, unit_reason(u));
			return;
		}
		sup_spawn_start(u);
		break;
	case SPAWN_CHECK:
		check_exited(u, st, me->timed_out);
		break;
	case SPAWN_HOOK:
		if (me->timed_out)
			log_warnx("%s: hook killed at its timeout",
			    u->conf->name);
		else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			log_warnx("%s: hook failed (status %d)",
			    u->conf->name, st);
		break;
	}
}

static void
on_exited(const struct msg_exited *me)
{
	struct unit	*u = unit_find(me->unit);

	if (u == NULL)
		return;
	if (me->what != SPAWN_MAIN) {
		on_helper_exit(u, me);
		return;
	}
	if (u->conf->is_cron && me->pid == u->cron_pid) {
		cron_run_exited(u, me);
		return;
	}
	if (me->pid == u->old_pid) {
		u->old_pid = 0;
		return;
	}
	if (me->pid != u->pid)
		return;
	if (me->new_pid > 0) {
		log_info("%s: pid %d exited 0, following pid %d",
		    u->conf->name, (int)me->pid, (int)me->new_pid);
		u->pid = me->new_pid;
		ctl_units_changed();
		return;
	}
	unit_record_exit(u, me->status, NULL);
	if (WIFSIGNALED(me->status))
		log_info("%s: pid %d killed by signal %d", u->conf->name,
		    (int)me->pid, WTERMSIG(me->status));
	else
		log_info("%s: pid %d exited with %d", u->conf->name,
		    (int)me->pid, WEXITSTATUS(me->status));
	fsm(u, EV_EXIT, "process exited");
}

static void
on_stopped(const struct msg_exited *me)
{
	struct unit	*u = unit_find(me->unit);

	if (u == NULL)
		return;
	if (u->conf->is_cron && me->pid == u->cron_pid) {
		cron_run_exited(u, me);
		return;
	}
	if (me->pid == u->old_pid) {
		u->old_pid = 0;
		ctl_units_changed();
		return;
	}
	if (me->pid != u->pid && (u->pid != 0 || u->state != ST_STOPPING))
		return;
	unit_record_exit(u, me->status, "stopped");
	log_info("%s: stopped", u->conf->name);
	fsm(u, EV_STOPPED, "every process gone");
}

/* Handle an exit, then tell the spawner it need not keep it. */
static void
exit_handle(uint32_t type, const struct msg_exited *me)
{
	int32_t	 pid = me->pid;

	if (type == IMSG_EXITED)
		on_exited(me);
	else
		on_stopped(me);
	if (me->what == SPAWN_MAIN)
		proc_send(PROC_SPAWNER, IMSG_EXIT_ACK, 0, -1, &pid,
		    sizeof(pid));
}

/*
 * Exits that arrive before the first start decision (a restarted
 * supervisor hears of them with the adopted pids): replayed after it.
 */
struct early_exit {
	uint32_t		 type;
	struct msg_exited	 me;
};
static struct early_exit	*early;
static size_t			 nearly;

static void
early_exit_keep(uint32_t type, const struct msg_exited *me)
{
	struct early_exit	*e;

	if ((e = reallocarray(early, nearly + 1, sizeof(*e))) == NULL)
		fatal("reallocarray");
	early = e;
	early[nearly].type = type;
	early[nearly].me = *me;
	nearly++;
}

static void
early_exits_replay(void)
{
	struct early_exit	*e = early;
	size_t			 i, n = nearly;

	early = NULL;
	nearly = 0;
	for (i = 0; i < n; i++)
		exit_handle(e[i].type, &e[i].me);
	free(e);
}

static void
on_adopt(const struct msg_spawned *ms)
{
	struct adopted	*a;

	if ((a = reallocarray(adopted, nadopted + 1, sizeof(*a))) == NULL)
		fatal("reallocarray");
	adopted = a;
	adopted[nadopted].ms = *ms;
	adopted[nadopted].ms.unit[SYSG_NAME_MAX] = '\0';
	nadopted++;
}

static void	sup_begin(void);
static void	suplog_open(void);

static void
sup_spawner_msg(struct imsg *im)
{
	struct msg_spawned	 ms;
	struct msg_spawn_failed	 f;
	struct msg_exited	 me;
	struct msg_logfd	 lf;

	switch (im->hdr.type) {
	case IMSG_SPAWNED:
	case IMSG_ADOPT:
		if (imsg_expect(im, sizeof(ms)) == -1)
			fatalx("malformed spawned");
		memcpy(&ms, im->data, sizeof(ms));
		ms.unit[SYSG_NAME_MAX] = '\0';
		if (im->hdr.type == IMSG_ADOPT)
			on_adopt(&ms);
		else
			on_spawned(&ms);
		break;
	case IMSG_ADOPT_END:
		sup.adopted = 1;
		sup_begin();
		break;
	case IMSG_SPAWN_FAILED:
		if (imsg_expect(im, sizeof(f)) == -1)
			fatalx("malformed spawn failed");
		memcpy(&f, im->data, sizeof(f));
		f.unit[SYSG_NAME_MAX] = '\0';
		f.step[sizeof(f.step) - 1] = '\0';
		f.detail[sizeof(f.detail) - 1] = '\0';
		on_spawn_failed(&f);
		break;
	case IMSG_EXITED:
	case IMSG_STOPPED:
		if (imsg_expect(im, sizeof(me)) == -1)
			fatalx("malformed exit");
		memcpy(&me, im->data, sizeof(me));
		me.unit[SYSG_NAME_MAX] = '\0';
		if (!sup.started) {
			early_exit_keep(im->hdr.type, &me);
			break;
		}
		exit_handle(im->hdr.type, &me);
		break;
	case IMSG_LOGFD:
		if (imsg_expect(im, sizeof(lf)) == -1 || im->fd == -1)
			fatalx("malformed logfd");
		memcpy(&lf, im->data, sizeof(lf));
		lf.unit[SYSG_NAME_MAX] = '\0';
		lf.tag[sizeof(lf.tag) - 1] = '\0';
		if (lf.unit[0] == '\0' || !logname_valid(lf.unit)) {
			log_warnx("log pipe for an invalid unit name");
			break;
		}
		sup_attach_log(&lf, im->fd);
		im->fd = -1;
		break;
	case IMSG_STATS:
		ctl_stats(im->hdr.peerid, im->data, im->len);
		break;
	default:
		fatalx("unexpected message %u from spawner", im->hdr.type);
	}
}

static void
sup_peer_msg(enum sysg_proc from, struct imsg *im)
{
	switch (from) {
	case PROC_SPAWNER:
		sup_spawner_msg(im);
		break;
	case PROC_CONTROL:
		if (im->hdr.type != IMSG_CTL_REQUEST)
			fatalx("unexpected message %u from control",
			    im->hdr.type);
		ctl_request(im->hdr.peerid, im->data, im->len);
		break;
	case PROC_CRON:
		cron_msg(im);
		break;
	default:
		fatalx("message from unexpected peer");
	}
}

/* ------------------------------------------------------------------ */
/* Configuration and the first start */

static void
echo_width_update(void)
{
	size_t	 i, w = 0, l;

	for (i = 0; i < sup.nunits; i++)
		if ((l = strlen(sup.units[i]->conf->name)) > w)
			w = l;
	sup.echo_width = (int)w;
}

/* The names of a new generation, while it is compared with the table. */
struct newname {
	struct hnode	 node;
	const char	*name;
};

static const char *
newname_key(const struct hnode *n)
{
	return ((const struct newname *)(const void *)n)->name;
}

/* Apply a new generation to a running table: the reload diff. */
static void
sup_reload(struct unit_conf **nu, size_t n, json_t *summary)
{
	struct htab	 names = HTAB_INITIALIZER(newname_key);
	struct newname	*nn;
	struct unit	*u;
	char		*text, *old;
	size_t		 i, j;
	int		 same;

	if ((nn = calloc(n + 1, sizeof(*nn))) == NULL)
		fatal("calloc");
	for (j = 0; j < n; j++) {
		nn[j].name = nu[j]->name;
		htab_insert(&names, &nn[j].node);
	}
	for (i = 0; i < sup.nunits; i++) {
		u = sup.units[i];
		if (htab_find(&names, u->conf->name) != NULL)
			continue;
		json_array_append_new(json_object_get(summary, "removed"),
		    json_string(u->conf->name));
		u->after_stop = AFTER_STOP_REMOVE;
		u->manual_stop = 1;
		if (unit_active(u) && !u->conf->is_cron) {
			fsm(u, EV_STOP, "removed from the configuration");
			/* EV_STOP resets after_stop: mark it again. */
			u->after_stop = AFTER_STOP_REMOVE;
			if (u->state == ST_STOPPED) {
				sup_state_changed(u);
				i--;
			}
		} else {
			u->state = ST_STOPPED;
			sup_state_changed(u);
			i--;
		}
	}
	htab_clear(&names);
	free(nn);
	for (j = 0; j < n; j++) {
		if ((u = unit_find(nu[j]->name)) == NULL) {
			u = unit_new(nu[j]);
			nu[j] = NULL;
			unit_add(u);
			json_array_append_new(json_object_get(summary,
			    "added"), json_string(u->conf->name));
			if (!u->conf->is_cron)
				fsm(u, EV_START, "added by reload");
			continue;
		}
		if ((text = unit_to_text(nu[j])) == NULL ||
		    (old = unit_to_text(u->conf)) == NULL)
			fatalx("unit_to_text");
		same = strcmp(text, old) == 0;
		free(text);
		free(old);
		if (same) {
			json_array_append_new(json_object_get(summary,
			    "unchanged"), json_string(u->conf->name));
			continue;
		}
		json_array_append_new(json_object_get(summary, "changed"),
		    json_string(u->conf->name));
		deps_index_del(u);
		unit_conf_free(u->conf);
		u->conf = nu[j];
		nu[j] = NULL;
		deps_index_add(u);
		logs_reconf(u);
		if (u->conf->is_cron) {
			u->state = ST_SCHEDULED;
			continue;
		}
		if (unit_active(u)) {
			fsm(u, EV_STOP, "changed by reload");
			/* EV_STOP makes it a manual stop: undo, start again. */
			u->manual_stop = 0;
			u->after_stop = AFTER_STOP_START;
			if (u->state == ST_STOPPED) {
				u->after_stop = AFTER_STOP_IDLE;
				fsm(u, EV_START, "changed by reload");
			}
		} else if (!u->manual_stop)
			fsm(u, EV_START, "changed by reload");
	}
}

static void
conf_apply(void)
{
	json_t	*summary;
	size_t	 i;

	sup.gen = pend.gen;
	free(sup.config_file);
	sup.config_file = pend.file;
	pend.file = NULL;
	if (!sup.started && sup.nunits == 0) {
		units_reserve(pend.nunits + 1);
		for (i = 0; i < pend.nunits; i++)
			unit_add(unit_new(pend.units[i]));
		free(pend.units);
	} else {
		summary = json_pack("{s:[],s:[],s:[],s:[]}", "added",
		    "removed", "changed", "unchanged");
		sup_reload(pend.units, pend.nunits, summary);
		for (i = 0; i < pend.nunits; i++)
			unit_conf_free(pend.units[i]);
		free(pend.units);
		if (pend.peerid != 0)
			ctl_reply(pend.peerid, 0, summary, "reloaded");
		else
			json_decref(summary);
		log_info("configuration generation %u in force", sup.gen);
	}
	pend.units = NULL;
	pend.nunits = 0;
	echo_width_update();
	logfd_waits_flush();
	statefile_write();
	malloc_trim(0);
	proc_send(PROC_PARENT, IMSG_CONF_APPLIED, 0, -1, &sup.gen,
	    sizeof(sup.gen));
}

static void
conf_msg(struct imsg *im)
{
	if (confrecv_msg(&pend, im) == 1)
		conf_apply();
}

/* Everything known (config, spawner's table): decide what runs. */
static void
sup_begin(void)
{
	struct unit	*u;
	size_t		 i;

	if (sup.started || !sup.go || !sup.adopted || sup.units == NULL)
		return;
	sup.started = 1;
	for (i = 0; i < nadopted; i++) {
		if ((u = unit_find(adopted[i].ms.unit)) == NULL) {
			log_warnx("adopted pid %d of unknown unit '%s'",
			    (int)adopted[i].ms.pid, adopted[i].ms.unit);
			continue;
		}
		if (u->conf->is_cron) {
			u->cron_pid = adopted[i].ms.pid;
			u->state = ST_CRON_RUNNING;
			continue;
		}
		u->pid = adopted[i].ms.pid;
		u->started_ms = adopted[i].ms.started_ms;
		u->reqid = adopted[i].ms.reqid;
		if (u->reqid > sup.next_reqid)
			sup.next_reqid = u->reqid;
		u->phase = PH_MAIN;
		u->state = ST_RUNNING;
		u->ready = 1;
		check_start(u);
		log_info("%s: adopted running pid %d", u->conf->name,
		    (int)u->pid);
	}
	free(adopted);
	adopted = NULL;
	nadopted = 0;
	if (restarted_role)
		statefile_restore();
	early_exits_replay();
	for (i = 0; i < sup.nunits; i++) {
		u = sup.units[i];
		if (u->conf->is_cron || u->pid > 0 || u->state != ST_STOPPED ||
		    u->manual_stop)
			continue;
		fsm(u, EV_START, "daemon start");
	}
	ctl_units_changed();
}

/* ------------------------------------------------------------------ */
/* Shutdown: stop everything, dependents first. */

void
sup_shutdown_check(void)
{
	static int	 running, again;
	struct unit	*u;
	size_t		 i, passes = 0;
	int		 busy;

	if (!sup.shutting_down)
		return;
	/*
	 * The stops made here report state changes, which come back
	 * through sup_shutdown_soon() (cron's directly, here): note it
	 * and make one more pass, rather than start over for every unit
	 * (quadratic in the number of units).
	 */
	if (running) {
		again = 1;
		return;
	}
	running = 1;
	do {
		again = 0;
		busy = 0;
		for (i = 0; i < sup.nunits; i++) {
			u = sup.units[i];
			if (u->state == ST_WAITING || u->state == ST_BLOCKED ||
			    u->state == ST_BACKOFF) {
				fsm(u, EV_STOP, "shutdown");
				continue;
			}
			if (!unit_active(u))
				continue;
			busy = 1;
			if (u->state == ST_STOPPING)
				continue;
			if (u->conf->is_cron) {
				if (u->cron_pid > 0 && !u->cron_stopping) {
					u->cron_stopping = 1;
					sup_stop_pid(u, u->cron_pid);
				}
				continue;
			}
			if (!deps_dependents_active(u))
				fsm(u, EV_STOP, "shutdown");
		}
	} while (again && ++passes <= sup.nunits + 1);
	running = 0;
	if (busy)
		return;
	if (sup.shutting_down == 1) {
		sup.shutting_down = 2;
		statefile_write();
		log_info("every unit stopped");
		ctl_shutdown_done();
		proc_send(PROC_PARENT, IMSG_SHUTDOWN, 0, -1, NULL, 0);
	}
}

static void
shutdown_check_cb(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	sup_shutdown_check();
}

/*
 * A unit changed while shutting down: look again once the current event
 * is handled (a batch of exits), rather than walk every unit per exit.
 * Stops made by a pass come back here and make one more pass.
 */
static void
sup_shutdown_soon(void)
{
	static struct event	*ev;

	if (!sup.shutting_down)
		return;
	if (ev == NULL && (ev = event_new(role->base, -1, 0,
	    shutdown_check_cb, NULL)) == NULL)
		fatalx("event_new");
	event_active(ev, EV_TIMEOUT, 0);
}

void
sup_shutdown(void)
{
	if (sup.shutting_down)
		return;
	log_info("stopping every unit");
	sup.shutting_down = 1;
	sup_shutdown_check();
}

/* ------------------------------------------------------------------ */
/* Role glue */

static void
sup_parent_msg(struct imsg *im)
{
	struct msg_dirfd	 d;
	struct msg_logfd	 lf;

	switch (im->hdr.type) {
	case IMSG_CONF_BEGIN:
	case IMSG_CONF_UNIT:
	case IMSG_CONF_END:
		conf_msg(im);
		break;
	case IMSG_DIRFD:
		if (imsg_expect(im, sizeof(d)) == -1 || im->fd == -1)
			fatalx("malformed dirfd");
		memcpy(&d, im->data, sizeof(d));
		if (d.kind == DIRFD_STATE)
			sup.state_dirfd = im->fd;
		else
			sup.log_dirfd = im->fd;
		im->fd = -1;
		break;
	case IMSG_LOGFD:
		/* The daemon's own log pipe, for supervisor.log. */
		if (imsg_expect(im, sizeof(lf)) == -1 || im->fd == -1)
			fatalx("malformed logfd");
		memcpy(&lf, im->data, sizeof(lf));
		lf.unit[0] = '\0';
		suplog_open();
		if (sup.suplog != NULL)
			sup_attach_log(&lf, im->fd);
		else
			close(im->fd);
		im->fd = -1;
		break;
	case IMSG_SHUTDOWN_REQ:
		sup_shutdown();
		break;
	default:
		fatalx("unexpected message %u from parent", im->hdr.type);
	}
}

/* supervisor.log: the daemon's log when it runs in the background. */
static void
suplog_open(void)
{
	struct logs_conf	 lc = { 10 * 1024 * 1024, 5, true };

	if (sup.suplog != NULL || role->env.foreground || sup.log_dirfd < 0)
		return;
	sup.suplog = logfile_open_flags(role->base, sup.log_dirfd, NULL,
	    LOG_STDOUT, &lc, role->env.sysmode, LOGFILE_KEEPDIR);
	if (sup.suplog != NULL)
		log_setwriter(suplog_writer);
}

static void
sup_setup_done(void)
{
	if (role->env.started_ms != 0)
		sup.daemon_started_ms = role->env.started_ms;
	if (sup.log_dirfd <= 0)
		fatalx("no log directory");
	suplog_open();
	proc_sandbox();
	proc_ready();
}

static void
sup_go(void)
{
	restarted_role = role->restarted;
	sup.go = 1;
	sup_begin();
}

static void
sup_parent_lost(void)
{
	statefile_write_now();
	exit(0);
}

static void
sup_peer_down(enum sysg_proc p)
{
	if (p == PROC_SPAWNER && !sup.shutting_down)
		log_warnx("lost the spawner");
	if (p == PROC_CONTROL)
		ctl_clients_lost();
}

static void
sup_init(void)
{
	sup.daemon_started_ms = now_ms();
	sup.daemon_pid = getppid();
	sup.state_dirfd = -1;
	sup.log_dirfd = -1;
}

static const struct role_ops sup_ops = {
	.init = sup_init,
	.parent_msg = sup_parent_msg,
	.peer_msg = sup_peer_msg,
	.peer_down = sup_peer_down,
	.setup_done = sup_setup_done,
	.go = sup_go,
	.parent_lost = sup_parent_lost,
};

void
supervisor_main(void)
{
	proc_role_main(PROC_SUPERVISOR, &sup_ops);
}
