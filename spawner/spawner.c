/*
 * The spawner role.  It keeps its own copy of the unit definitions from
 * the parent and acts on supervisor requests that name a unit of that
 * copy: spawn, stop, signal.  It is a child subreaper, reaps every child
 * on SIGCHLD, and holds a duplicate of every service pipe's read end so
 * a restarted supervisor loses no output.
 */

#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <linux/capability.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "confjson.h"
#include "confrecv.h"
#include "confwire.h"
#include "log.h"
#include "privspawn.h"
#include "proc.h"
#include "procscan.h"
#include "spawner.h"

#define CHILD_HASH	1024
#define BANK_BATCH	8	/* held pipes banked at once */
#define SPAWN_FLUSH	8	/* spawns between two flushes at most */
#define TREE_WALK_MS	50	/* a stop's walk for strays, after */

/*
 * The read ends of a spawn's stdout and stderr pipes, held until the
 * supervisor has drained them (IMSG_LOGFD_DONE): one record for both,
 * freed with the last.
 */
enum { HP_HELD, HP_DEAD, HP_GONE };

struct heldpipe {
	TAILQ_ENTRY(heldpipe)	 entry;	/* loose or banked, in order */
	int			 fd;	/* -1 while banked */
	uint8_t			 stream; /* enum log_stream, index in set */
	uint8_t			 state;	/* HP_DEAD: let go of while banked */
};
TAILQ_HEAD(heldq, heldpipe);

struct heldset {
	struct heldset		*next;	/* hash chain, by pid */
	pid_t			 pid;
	uint8_t			 what;
	char			 unit[SYSG_NAME_MAX + 1];
	struct heldpipe		 p[2];	/* by stream */
};

struct orphan {
	struct orphan	*next;
	pid_t		 pid;
	char		 unit[SYSG_NAME_MAX + 1];
};

/*
 * The units in their wire form, each read back when it is used: a spawn
 * is rare next to the memory a parsed copy of every unit would hold.
 */
static struct {
	struct wireunit	**units;
	size_t		 nunits;
	uint32_t	 gen;
	struct strpool	*pool;		/* their shared strings */
	const struct wireunit **hash;	/* open addressing, by name */
	size_t		 hmask;		/* slots - 1 */
} conf;

static struct child	*children[CHILD_HASH];
static struct child	*byunit[CHILD_HASH];	/* the same, by unit name */
static size_t		 nchildren;
static struct heldset	*held[CHILD_HASH];
static struct heldq	 loose = TAILQ_HEAD_INITIALIZER(loose);
static struct heldq	 banked = TAILQ_HEAD_INITIALIZER(banked);
static size_t		 nbanked, ndead, nloose;
static int		 bank[2] = { -1, -1 };
static struct orphan	*orphans;
static struct event	*ev_sigchld;
static int		 exiting;

int	spawner_sysmode;
struct sockact	spawner_sa;
int	spawner_drop_privileges;

static void	child_done(struct child *);
static void	unit_check_drained(const char *);

/* ------------------------------------------------------------------ */
/* Tables */

/* FNV-1a. */
static size_t
name_hash(const char *name)
{
	const unsigned char	*p;
	uint32_t		 h = 2166136261U;

	for (p = (const unsigned char *)name; *p != '\0'; p++)
		h = (h ^ *p) * 16777619U;
	return h;
}

/*
 * Index the units of the generation just installed by name: at least
 * twice as many slots as units, linear probing.  The first of two units
 * of the same name wins, as it did with a scan.
 */
static void
unit_hash_build(void)
{
	const struct wireunit	**t;
	size_t			  n = 16, i, h;

	while (n < conf.nunits * 2)
		n *= 2;
	if ((t = calloc(n, sizeof(*t))) == NULL)
		fatal("calloc");
	for (i = 0; i < conf.nunits; i++) {
		for (h = name_hash(conf.units[i]->name) & (n - 1); t[h] != NULL;
		    h = (h + 1) & (n - 1))
			if (strcmp(t[h]->name, conf.units[i]->name) == 0)
				break;
		if (t[h] == NULL)
			t[h] = conf.units[i];
	}
	free(conf.hash);
	conf.hash = t;
	conf.hmask = n - 1;
}

struct unit_conf *
spawner_unit(const char *name)
{
	const struct wireunit	*w;
	struct unit_conf	*u;
	size_t			 h;

	if (conf.hash == NULL)
		return NULL;
	for (h = name_hash(name) & conf.hmask; conf.hash[h] != NULL;
	    h = (h + 1) & conf.hmask) {
		w = conf.hash[h];
		if (strcmp(w->name, name) != 0)
			continue;
		/* Checked when it arrived: it reads back. */
		if ((u = unit_unpack(wireunit_blob(w), w->len,
		    conf.pool)) == NULL)
			fatalx("%s: unit lost its form", name);
		return u;
	}
	return NULL;
}

static struct child *
child_find(pid_t pid)
{
	struct child	*c;

	for (c = children[(unsigned)pid % CHILD_HASH]; c != NULL; c = c->next)
		if (c->pid == pid)
			return c;
	return NULL;
}

static void
child_insert(struct child *c)
{
	unsigned	 h = (unsigned)c->pid % CHILD_HASH;

	c->next = children[h];
	children[h] = c;
	h = name_hash(c->unit) & (CHILD_HASH - 1);
	c->unext = byunit[h];
	byunit[h] = c;
	nchildren++;
}

static void
child_free(struct child *c)
{
	struct child	**pp;

	for (pp = &children[(unsigned)c->pid % CHILD_HASH]; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			nchildren--;
			break;
		}
	for (pp = &byunit[name_hash(c->unit) & (CHILD_HASH - 1)];
	    *pp != NULL; pp = &(*pp)->unext)
		if (*pp == c) {
			*pp = c->unext;
			break;
		}
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->errev != NULL)
		event_free(c->errev);
	if (c->errfd != -1)
		close(c->errfd);
	free(c);
}

static struct orphan *
orphan_find(pid_t pid)
{
	struct orphan	*o;

	for (o = orphans; o != NULL; o = o->next)
		if (o->pid == pid)
			return o;
	return NULL;
}

static void
orphan_remove(pid_t pid)
{
	struct orphan	**pp, *o;

	for (pp = &orphans; (o = *pp) != NULL; pp = &o->next)
		if (o->pid == pid) {
			*pp = o->next;
			free(o);
			return;
		}
}

/*
 * The unit of an orphan whose environment did not say (read while it is
 * half way through an exec, it is empty): that of the child of ours that
 * leads its process group, if any.  A group keeps its id from reuse.
 */
static int
orphan_group_unit(pid_t pid, char *unit, size_t len)
{
	struct child	*c;
	pid_t		 pgid;

	if (proc_stat(pid, NULL, &pgid, NULL) == -1 ||
	    (c = child_find(pgid)) == NULL)
		return -1;
	strlcpy(unit, c->unit, len);
	return 0;
}

/*
 * Children of ours that we did not fork: reparented descendants.  Unless
 * `fresh`, a look taken earlier in the same pass of the event loop will
 * do, so a batch of stop requests costs one look, not one per unit.
 */
static void
orphans_scan(int fresh)
{
	static struct timeval	 last;
	struct timeval		 now;
	struct pidlist		 pl = { 0 };
	struct orphan		*o;
	size_t			 i;

	if (event_base_gettimeofday_cached(role->base, &now) == -1)
		timerclear(&now);
	if (!fresh && timerisset(&now) && timercmp(&now, &last, ==))
		return;
	last = now;
	if (proc_children(getpid(), &pl) == -1)
		return;
	for (i = 0; i < pl.n; i++) {
		if (child_find(pl.pids[i]) != NULL ||
		    orphan_find(pl.pids[i]) != NULL)
			continue;
		if ((o = calloc(1, sizeof(*o))) == NULL)
			fatal("calloc");
		o->pid = pl.pids[i];
		if (proc_env_service(o->pid, o->unit, sizeof(o->unit)) == -1 &&
		    orphan_group_unit(o->pid, o->unit, sizeof(o->unit)) == -1)
			o->unit[0] = '\0';
		o->next = orphans;
		orphans = o;
		log_debug("adopted orphan %d of unit '%s'", (int)o->pid,
		    o->unit);
	}
	pidlist_free(&pl);
}

static struct orphan *
orphan_of(const char *unit)
{
	struct orphan	*o;

	for (o = orphans; o != NULL; o = o->next)
		if (strcmp(o->unit, unit) == 0)
			return o;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Pipes held for the supervisor */

static struct heldset *
heldset_of(struct heldpipe *h)
{
	return (struct heldset *)(void *)((char *)(h - h->stream) -
	    offsetof(struct heldset, p));
}

/* What the supervisor is told of a held pipe. */
static void
held_msg(struct heldpipe *h, struct msg_logfd *lf)
{
	struct heldset	*s = heldset_of(h);

	memset(lf, 0, sizeof(*lf));
	lf->pid = s->pid;
	lf->what = s->what;
	lf->stream = h->stream;
	strlcpy(lf->unit, s->unit, sizeof(lf->unit));
}

/* A pipe let go of (its fd closed): its set goes with the last one. */
static void
held_gone(struct heldpipe *h)
{
	struct heldset	*s = heldset_of(h), **pp;

	h->state = HP_GONE;
	h->fd = -1;
	if (s->p[LOG_STDOUT].state != HP_GONE ||
	    s->p[LOG_STDERR].state != HP_GONE)
		return;
	for (pp = &held[(unsigned)s->pid % CHILD_HASH]; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	free(s);
}

/*
 * The bank: a datagram socketpair that keeps held pipes in flight
 * (SCM_RIGHTS) instead of in our fd table, which every fork copies and
 * every child closes again; with a thousand services that is most of
 * the cost of a spawn.  A pipe we cannot bank stays loose, in the table.
 */
static void
bank_put(void)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(BANK_BATCH * sizeof(int))];
	} cm;
	struct heldpipe	*h, *batch[BANK_BATCH];
	struct msghdr	 msg;
	struct cmsghdr	*c;
	struct iovec	 iov;
	char		 b = 0;
	size_t		 i, n = 0;

	if (bank[0] == -1 && socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0, bank) == -1) {
		log_warn("log pipe bank");
		bank[0] = bank[1] = -2;
	}
	if (bank[0] < 0)
		return;
	TAILQ_FOREACH(h, &loose, entry) {
		batch[n++] = h;
		if (n == BANK_BATCH)
			break;
	}
	if (n == 0)
		return;
	memset(&msg, 0, sizeof(msg));
	memset(&cm, 0, sizeof(cm));
	iov.iov_base = &b;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.buf;
	msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	for (i = 0; i < n; i++)
		memcpy(CMSG_DATA(c) + i * sizeof(int), &batch[i]->fd,
		    sizeof(int));
	/* Full (or worse): they stay loose. */
	if (sendmsg(bank[0], &msg, MSG_NOSIGNAL) == -1)
		return;
	for (i = 0; i < n; i++) {
		h = batch[i];
		close(h->fd);
		h->fd = -1;
		TAILQ_REMOVE(&loose, h, entry);
		TAILQ_INSERT_TAIL(&banked, h, entry);
	}
	nloose -= n;
	nbanked += n;
}

/* Bank loose pipes while there are enough to fill a batch. */
static void
bank_fill(void)
{
	size_t	 before;

	do {
		before = nloose;
		if (nloose >= BANK_BATCH)
			bank_put();
	} while (nloose >= BANK_BATCH && nloose < before);
}

/* Take every banked pipe back into the table; forget the dead ones. */
static void
bank_take(void)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(BANK_BATCH * sizeof(int))];
	} cm;
	struct heldpipe	*h;
	struct msghdr	 msg;
	struct cmsghdr	*c;
	struct iovec	 iov;
	char		 b;
	size_t		 i, n;
	int		 fd;

	while (!TAILQ_EMPTY(&banked)) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = &b;
		iov.iov_len = 1;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cm.buf;
		msg.msg_controllen = sizeof(cm.buf);
		if (recvmsg(bank[1], &msg, MSG_CMSG_CLOEXEC) == -1)
			fatal("log pipe bank");
		if ((c = CMSG_FIRSTHDR(&msg)) == NULL ||
		    c->cmsg_type != SCM_RIGHTS || (msg.msg_flags & MSG_CTRUNC))
			fatalx("log pipe bank out of step");
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n && (h = TAILQ_FIRST(&banked)) != NULL;
		    i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			TAILQ_REMOVE(&banked, h, entry);
			nbanked--;
			if (h->state == HP_DEAD) {
				close(fd);
				ndead--;
				held_gone(h);
				continue;
			}
			h->fd = fd;
			TAILQ_INSERT_TAIL(&loose, h, entry);
			nloose++;
		}
	}
}

/*
 * Hold the read ends of a spawn's pipes and queue a duplicate of each
 * for the supervisor; held_flush() sends them.
 */
static void
held_add(const struct child *c, int outfd, int errfd)
{
	struct heldset		*s;
	struct heldpipe		*h;
	struct msg_logfd	 lf;
	unsigned		 hash = (unsigned)c->pid % CHILD_HASH;
	int			 i, dup;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal("calloc");
	s->pid = c->pid;
	s->what = c->what;
	strlcpy(s->unit, c->unit, sizeof(s->unit));
	s->p[LOG_STDOUT].fd = outfd;
	s->p[LOG_STDERR].fd = errfd;
	s->next = held[hash];
	held[hash] = s;
	for (i = LOG_STDOUT; i <= LOG_STDERR; i++) {
		h = &s->p[i];
		h->stream = i;
		h->state = HP_HELD;
		TAILQ_INSERT_TAIL(&loose, h, entry);
		nloose++;
		if ((dup = fcntl(h->fd, F_DUPFD_CLOEXEC, 3)) == -1) {
			log_warn("dup log pipe");
			continue;
		}
		held_msg(h, &lf);
		proc_send(PROC_SUPERVISOR, IMSG_LOGFD, 0, dup, &lf, sizeof(lf));
	}
}

/*
 * The held pipes into the bank once there are enough.  What goes to the
 * supervisor is sent by the channel's write event once the requests
 * read at once are all handled: the supervisor wakes once for a burst
 * of spawns, not once a spawn (a wake-up it would take from the CPU the
 * services start on).  Every SPAWN_FLUSH spawns it goes all the same,
 * so that the duplicates queued with it stay few in our fd table.  A
 * while after the burst the spawn slots' pages go back (the trim hook).
 */
static void
held_flush(void)
{
	static unsigned	 since;

	if (++since >= SPAWN_FLUSH) {
		since = 0;
		proc_flush(PROC_SUPERVISOR);
	}
	bank_fill();
	proc_trim_soon();
}

static void
held_done(const struct msg_logfd *lf)
{
	struct heldset	*s;
	struct heldpipe	*h = NULL;

	if (lf->stream > LOG_STDERR)
		return;
	for (s = held[(unsigned)lf->pid % CHILD_HASH]; s != NULL; s = s->next)
		if (s->pid == lf->pid && s->p[lf->stream].state == HP_HELD) {
			h = &s->p[lf->stream];
			break;
		}
	if (h == NULL)
		return;
	if (h->fd != -1) {
		TAILQ_REMOVE(&loose, h, entry);
		nloose--;
		close(h->fd);
		held_gone(h);
		return;
	}
	/* Banked: let go of when the bank is next emptied. */
	h->state = HP_DEAD;
	if (++ndead >= BANK_BATCH && ndead * 2 >= nbanked) {
		bank_take();
		bank_fill();
	}
}

/* ------------------------------------------------------------------ */
/* Signals and stopping */

/* The main process and its process group. */
static void
signal_group(struct child *c, int signo)
{
	if (kill(-c->pid, signo) == -1 && errno != ESRCH)
		log_warn("kill -%d", (int)c->pid);
	kill(c->pid, signo);
}

/* What a unit's main process left behind, come back to us. */
static void
signal_orphans(struct child *c, int signo)
{
	struct orphan	*o;

	if (c->what != SPAWN_MAIN)
		return;
	for (o = orphans; o != NULL; o = o->next)
		if (strcmp(o->unit, c->unit) == 0) {
			kill(-o->pid, signo);
			kill(o->pid, signo);
		}
}

/* The live descendants of c, each checked before it is signalled. */
static void
signal_descendants(struct child *c, int signo)
{
	struct pidlist	 pl = { 0 };
	pid_t		 ppid;
	size_t		 i;

	proc_tree(c->pid, &pl);
	for (i = 1; i < pl.n; i++)
		if (proc_stat(pl.pids[i], &ppid, NULL, NULL) == 0)
			proc_signal(pl.pids[i], ppid, signo);
	pidlist_free(&pl);
}

/* Everything of c's: its group, its descendants, its orphans. */
static void
signal_tree(struct child *c, int signo)
{
	if (!c->reaped) {
		signal_group(c, signo);
		signal_descendants(c, signo);
	}
	signal_orphans(c, signo);
}

/*
 * A stop signals the process group at once, and walks /proc for the
 * descendants that left it TREE_WALK_MS later, only for the processes
 * that are still there: a walk costs a few /proc reads, and makes the
 * kernel's reaping of the process dearer, for each of a thousand
 * services stopped at once.  A main process gone by then needs none:
 * what it left behind came back to us (we are a subreaper) and was
 * signalled as its orphans when it was reaped (child_done()).
 */
static struct pidlist	 walks;
static struct event	*ev_walk;

static void
walks_run(int fd, short ev, void *arg)
{
	struct pidlist	 todo = walks;
	struct child	*c;
	size_t		 i;

	(void)fd;
	(void)ev;
	(void)arg;
	memset(&walks, 0, sizeof(walks));
	for (i = 0; i < todo.n; i++)
		if ((c = child_find(todo.pids[i])) != NULL && c->stopping &&
		    !c->reaped && !c->killed)
			signal_descendants(c, c->stop_signal);
	pidlist_free(&todo);
}

static void
stop_signal_first(struct child *c)
{
	struct timeval	 tv = { 0, TREE_WALK_MS * 1000 };

	if (c->reaped)
		return;
	signal_group(c, c->stop_signal);
	if (ev_walk == NULL &&
	    (ev_walk = evtimer_new(role->base, walks_run, NULL)) == NULL)
		fatalx("evtimer_new");
	if (walks.n == 0)
		evtimer_add(ev_walk, &tv);
	pidlist_push(&walks, c->pid);
}

static void
stop_timeout(int fd, short ev, void *arg)
{
	struct child	*c = arg;

	(void)fd;
	(void)ev;
	orphans_scan(0);
	if (!c->stopping)
		c->timed_out = 1;
	c->killed = 1;
	log_debug("%s: pid %d: SIGKILL after timeout", c->unit, (int)c->pid);
	signal_tree(c, SIGKILL);
}

static void
arm_timer(struct child *c, int64_t ms)
{
	struct timeval	 tv;

	if (ms <= 0)
		return;
	if (c->timer == NULL &&
	    (c->timer = evtimer_new(role->base, stop_timeout, c)) == NULL)
		fatalx("evtimer_new");
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(c->timer, &tv);
}

static void
stop_child(struct child *c)
{
	if (c->stopping)
		return;
	c->stopping = 1;
	orphans_scan(0);
	stop_signal_first(c);
	signal_orphans(c, c->stop_signal);
	if (c->stop_timeout_ms > 0)
		arm_timer(c, c->stop_timeout_ms);
	else
		stop_timeout(-1, 0, c);
	if (c->reaped)
		unit_check_drained(c->unit);
}

/* ------------------------------------------------------------------ */
/* Exits */

/*
 * Exits of main processes are kept until the supervisor acknowledges
 * them (IMSG_EXIT_ACK): one that dies with an exit in its socket buffer
 * does not lose it.  The next supervisor hears of each as an adopted pid
 * followed by its exit.
 */
struct kept_exit {
	uint32_t	 type;
	uint64_t	 started_ms;
	struct msg_exited me;
};
static struct kept_exit	*kept;
static size_t		 nkept;

static void
exit_keep(uint32_t type, const struct msg_exited *me, uint64_t started)
{
	struct kept_exit	*k;

	if (me->what != SPAWN_MAIN)
		return;
	if ((k = reallocarray(kept, nkept + 1, sizeof(*kept))) == NULL)
		fatal("reallocarray");
	kept = k;
	kept[nkept].type = type;
	kept[nkept].started_ms = started;
	kept[nkept].me = *me;
	nkept++;
}

static void
exit_acked(struct imsg *im)
{
	int32_t	 pid;
	size_t	 i;

	if (imsg_expect(im, sizeof(pid)) == -1)
		fatalx("malformed exit ack");
	memcpy(&pid, im->data, sizeof(pid));
	for (i = 0; i < nkept; i++)
		if (kept[i].me.pid == pid) {
			memmove(kept + i, kept + i + 1,
			    (nkept - i - 1) * sizeof(*kept));
			nkept--;
			return;
		}
}

static void
exits_replay(void)
{
	struct msg_spawned	 ms;
	size_t			 i;

	for (i = 0; i < nkept; i++) {
		memset(&ms, 0, sizeof(ms));
		ms.reqid = kept[i].me.reqid;
		ms.what = SPAWN_MAIN;
		ms.pid = kept[i].me.pid;
		ms.started_ms = kept[i].started_ms;
		strlcpy(ms.unit, kept[i].me.unit, sizeof(ms.unit));
		proc_send(PROC_SUPERVISOR, IMSG_ADOPT, 0, -1, &ms, sizeof(ms));
		proc_send(PROC_SUPERVISOR, kept[i].type, 0, -1, &kept[i].me,
		    sizeof(kept[i].me));
	}
}

static void
send_exited(struct child *c, uint32_t type, pid_t new_pid)
{
	struct msg_exited me;

	memset(&me, 0, sizeof(me));
	me.reqid = c->reqid;
	me.what = c->what;
	me.pid = c->pid;
	me.status = c->status;
	me.new_pid = new_pid;
	me.timed_out = c->timed_out;
	strlcpy(me.unit, c->unit, sizeof(me.unit));
	exit_keep(type, &me, c->started_ms);
	proc_send(PROC_SUPERVISOR, type, 0, -1, &me, sizeof(me));
}

static void
send_spawned(struct child *c)
{
	struct msg_spawned	 ms;

	memset(&ms, 0, sizeof(ms));
	ms.reqid = c->reqid;
	ms.what = c->what;
	ms.pid = c->pid;
	ms.started_ms = c->started_ms;
	strlcpy(ms.unit, c->unit, sizeof(ms.unit));
	proc_send(PROC_SUPERVISOR, IMSG_SPAWNED, 0, -1, &ms, sizeof(ms));
}

static struct event	*ev_drain;

/* Every unit being stopped whose main process is gone: done yet? */
static void
drains_check(int fd, short ev, void *arg)
{
	struct child	*c;
	char		(*names)[SYSG_NAME_MAX + 1] = NULL, (*nn)[SYSG_NAME_MAX + 1];
	size_t		 i, n = 0;

	(void)fd;
	(void)ev;
	(void)arg;
	for (i = 0; i < CHILD_HASH; i++)
		for (c = children[i]; c != NULL; c = c->next) {
			if (!c->reaped || !c->stopping)
				continue;
			if ((nn = reallocarray(names, n + 1, sizeof(*names))) ==
			    NULL)
				fatal("reallocarray");
			names = nn;
			strlcpy(names[n++], c->unit, sizeof(names[0]));
		}
	/* unit_check_drained() may free children: names are copies. */
	for (i = 0; i < n; i++)
		unit_check_drained(names[i]);
	free(names);
}

/*
 * Processes in a cgroup that are not our descendants send no SIGCHLD:
 * while such a drain is pending, look again every 100 ms.
 */
static void
drains_arm(void)
{
	struct timeval	 tv = { 0, 100000 };

	if (ev_drain == NULL &&
	    (ev_drain = evtimer_new(role->base, drains_check, NULL)) == NULL)
		fatalx("evtimer_new");
	if (!evtimer_pending(ev_drain, NULL))
		evtimer_add(ev_drain, &tv);
}

/*
 * A unit with a cgroup: kill what is left in the group (cgroup.kill
 * where present); returns 1 while the group still has processes.
 */
static int
cgroup_busy_unit(const struct unit_conf *u)
{
	if (!u->limits.cgroup.set)
		return 0;
	if (cgroup_empty(u)) {
		if (cgroup_remove(u) == -1 && errno != ENOENT)
			log_warn("%s: remove cgroup", u->name);
		return 0;
	}
	if (cgroup_kill(u) == -1)
		log_warn("%s: cgroup kill", u->name);
	if (cgroup_empty(u)) {
		cgroup_remove(u);
		return 0;
	}
	drains_arm();
	return 1;
}

static int
cgroup_busy(const char *unit)
{
	struct unit_conf	*u;
	int			 busy;

	if ((u = spawner_unit(unit)) == NULL)
		return 0;
	busy = cgroup_busy_unit(u);
	unit_conf_free(u);
	return busy;
}

/* A stopping main whose processes are all gone: report and forget. */
static void
unit_check_drained(const char *unit)
{
	struct child	*c, *next;
	size_t		 h;

	if (orphan_of(unit) != NULL)
		return;
	h = name_hash(unit) & (CHILD_HASH - 1);
	for (c = byunit[h]; c != NULL; c = c->unext)
		if (c->reaped && c->stopping && c->cgroup &&
		    strcmp(c->unit, unit) == 0 && cgroup_busy(unit))
			return;
	for (c = byunit[h]; c != NULL; c = next) {
		next = c->unext;
		if (c->reaped && c->stopping && strcmp(c->unit, unit) == 0) {
			send_exited(c, IMSG_STOPPED, 0);
			child_free(c);
		}
	}
}

/* A reaped child that needs a fresh look for orphans (see reap()). */
static int
needs_scan(const struct child *c)
{
	return c->stopping || (c->what == SPAWN_MAIN &&
	    WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0);
}

/* The main process of a unit exited by itself. */
static void
main_exited(struct child *c)
{
	struct orphan	*o;
	struct child	*n;

	if ((o = orphan_of(c->unit)) != NULL && WIFEXITED(c->status) &&
	    WEXITSTATUS(c->status) == 0) {
		/* A daemon that forked away: follow the survivor. */
		if ((n = calloc(1, sizeof(*n))) == NULL)
			fatal("calloc");
		*n = *c;
		n->next = NULL;
		n->pid = o->pid;
		n->reaped = 0;
		n->status = 0;
		n->timer = NULL;
		n->errev = NULL;
		n->errfd = -1;
		orphan_remove(o->pid);
		child_insert(n);
		log_info("%s: pid %d exited 0, following descendant %d",
		    c->unit, (int)c->pid, (int)n->pid);
		send_exited(c, IMSG_EXITED, n->pid);
		child_free(c);
		return;
	}
	send_exited(c, IMSG_EXITED, 0);
	child_free(c);
}

static void
child_done(struct child *c)
{
	struct msg_spawn_failed	 f;

	if (c->exec_state == 0) {
		c->exec_state = spawn_exec_result(c, &f) == 1 ? 1 : -1;
		if (c->exec_state == -1) {
			proc_send(PROC_SUPERVISOR, IMSG_SPAWN_FAILED, 0, -1,
			    &f, sizeof(f));
			child_free(c);
			return;
		}
		send_spawned(c);
	}
	if (c->stopping) {
		signal_tree(c, c->killed ? SIGKILL : c->stop_signal);
		unit_check_drained(c->unit);
		return;
	}
	if (c->what == SPAWN_MAIN) {
		main_exited(c);
		return;
	}
	send_exited(c, IMSG_EXITED, 0);
	child_free(c);
}

/*
 * Reap everything first, then take one fresh look for orphans if a stop
 * or a clean exit needs it (an exit without orphans to follow or to stop
 * needs none), then act on the exits.
 */
static void
reap(int fd, short ev, void *arg)
{
	struct pidlist	 done = { 0 };
	struct child	*c;
	struct orphan	*o;
	char		 unit[SYSG_NAME_MAX + 1];
	pid_t		 pid;
	size_t		 i;
	int		 status, stray = 0, scan = 0;

	(void)fd;
	(void)ev;
	(void)arg;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((c = child_find(pid)) != NULL) {
			c->status = status;
			scan |= needs_scan(c);
			pidlist_add(&done, pid);
			continue;
		}
		if ((o = orphan_find(pid)) != NULL) {
			strlcpy(unit, o->unit, sizeof(unit));
			orphan_remove(pid);
			unit_check_drained(unit);
		} else
			stray = 1;
	}
	if (scan)
		orphans_scan(1);
	for (i = 0; i < done.n; i++)
		if ((c = child_find(done.pids[i])) != NULL) {
			c->reaped = 1;
			child_done(c);
		}
	pidlist_free(&done);
	if (stray)
		drains_check(-1, 0, NULL);
	if (exiting && nchildren == 0 && orphans == NULL)
		exit(0);
}

/* ------------------------------------------------------------------ */
/* Requests */

/* The child exec'd (exec_state 1) or failed (-1, as f says). */
static void
exec_verdict(struct child *c, const struct msg_spawn_failed *f)
{
	if (c->exec_state == -1) {
		proc_send(PROC_SUPERVISOR, IMSG_SPAWN_FAILED, 0, -1, f,
		    sizeof(*f));
		return;
	}
	send_spawned(c);
	if (c->timeout_ms > 0)
		arm_timer(c, c->timeout_ms);
}

static void
exec_result_cb(int fd, short ev, void *arg)
{
	struct child		*c = arg;
	struct msg_spawn_failed	 f;
	int			 r;

	(void)fd;
	(void)ev;
	if ((r = spawn_exec_result(c, &f)) == 0)
		return;
	event_free(c->errev);
	c->errev = NULL;
	c->exec_state = r;
	close(c->errfd);
	c->errfd = -1;
	exec_verdict(c, &f);
}

static void
req_spawn(struct imsg *im)
{
	struct msg_spawn	 req;
	struct msg_spawn_failed	 f;
	struct unit_conf	*u;
	struct child		*c;
	int			 outfd, errfd;

	if (imsg_expect(im, sizeof(req)) == -1)
		fatalx("malformed spawn request");
	memcpy(&req, im->data, sizeof(req));
	req.unit[sizeof(req.unit) - 1] = '\0';
	if (req.what >= SPAWN_WHAT_MAX || req.event >= HOOK_EVENT_MAX ||
	    req.outcome >= HOOK_OUTCOME_MAX)
		fatalx("malformed spawn request");
	if (req.gen != conf.gen || (u = spawner_unit(req.unit)) == NULL) {
		log_warnx("refused spawn of unknown unit '%s' (gen %u)",
		    req.unit, req.gen);
		memset(&f, 0, sizeof(f));
		f.reqid = req.reqid;
		f.what = req.what;
		f.err = ENOENT;
		strlcpy(f.unit, req.unit, sizeof(f.unit));
		strlcpy(f.step, "refused", sizeof(f.step));
		strlcpy(f.detail, "unit not in the spawner's configuration",
		    sizeof(f.detail));
		proc_send(PROC_SUPERVISOR, IMSG_SPAWN_FAILED, 0, -1, &f,
		    sizeof(f));
		return;
	}
	c = spawn_unit(u, &req, &outfd, &errfd, &f);
	unit_conf_free(u);
	if (c == NULL) {
		proc_send(PROC_SUPERVISOR, IMSG_SPAWN_FAILED, 0, -1, &f,
		    sizeof(f));
		return;
	}
	child_insert(c);
	held_add(c, outfd, errfd);
	/* A vfork child has exec'd or failed already: no need to wait. */
	if (c->exec_state != 0)
		exec_verdict(c, &f);
	else if ((c->errev = event_new(role->base, c->errfd,
	    EV_READ | EV_PERSIST, exec_result_cb, c)) == NULL ||
	    event_add(c->errev, NULL) == -1)
		fatal("exec result event");
	held_flush();
}

static void
req_stop(struct imsg *im)
{
	struct msg_stop	 ms;
	struct child	*c;
	struct msg_exited me;

	if (imsg_expect(im, sizeof(ms)) == -1)
		fatalx("malformed stop request");
	memcpy(&ms, im->data, sizeof(ms));
	ms.unit[sizeof(ms.unit) - 1] = '\0';
	if ((c = child_find(ms.pid)) == NULL ||
	    strcmp(c->unit, ms.unit) != 0) {
		memset(&me, 0, sizeof(me));
		me.pid = ms.pid;
		strlcpy(me.unit, ms.unit, sizeof(me.unit));
		proc_send(PROC_SUPERVISOR, IMSG_STOPPED, 0, -1, &me,
		    sizeof(me));
		return;
	}
	stop_child(c);
}

static void
req_signal(struct imsg *im)
{
	struct msg_signal	 ms;
	struct child		*c;

	if (imsg_expect(im, sizeof(ms)) == -1)
		fatalx("malformed signal request");
	memcpy(&ms, im->data, sizeof(ms));
	ms.unit[sizeof(ms.unit) - 1] = '\0';
	if (ms.signo <= 0 || ms.signo >= NSIG ||
	    (c = child_find(ms.pid)) == NULL || strcmp(c->unit, ms.unit) ||
	    c->reaped) {
		log_warnx("refused signal %d to pid %d", ms.signo, ms.pid);
		return;
	}
	kill(-c->pid, ms.signo);
}

static void
req_stats(struct imsg *im)
{
	struct msg_stats	*out;
	const int32_t		*pids = im->data;
	size_t			 n, i;

	if (im->len % sizeof(int32_t) != 0)
		fatalx("malformed stats request");
	n = im->len / sizeof(int32_t);
	if ((out = calloc(n ? n : 1, sizeof(*out))) == NULL)
		fatal("calloc");
	for (i = 0; i < n; i++) {
		out[i].pid = pids[i];
		if (child_find(pids[i]) != NULL)
			proc_usage(pids[i], &out[i].cpu_ms,
			    &out[i].rss_bytes);
	}
	proc_send(PROC_SUPERVISOR, IMSG_STATS, im->hdr.peerid, -1, out,
	    n * sizeof(*out));
	free(out);
}

static void
req_logfd_done(struct imsg *im)
{
	struct msg_logfd	 lf;

	if (imsg_expect(im, sizeof(lf)) == -1)
		fatalx("malformed logfd done");
	memcpy(&lf, im->data, sizeof(lf));
	held_done(&lf);
}

static void
spawner_peer_msg(enum sysg_proc from, struct imsg *im)
{
	if (from != PROC_SUPERVISOR)
		fatalx("message from unexpected peer %s", proc_names[from]);
	switch (im->hdr.type) {
	case IMSG_SPAWN:
		req_spawn(im);
		break;
	case IMSG_STOP:
		req_stop(im);
		break;
	case IMSG_SIGNAL:
		req_signal(im);
		break;
	case IMSG_STATS_REQ:
		req_stats(im);
		break;
	case IMSG_LOGFD_DONE:
		req_logfd_done(im);
		break;
	case IMSG_EXIT_ACK:
		exit_acked(im);
		break;
	default:
		fatalx("unexpected message %u from supervisor",
		    im->hdr.type);
	}
}

/* A new supervisor: tell it what runs and hand over the pipes again. */
static void
spawner_peer_up(enum sysg_proc p)
{
	struct heldpipe		*h;
	struct child		*c;
	struct msg_spawned	 ms;
	struct msg_logfd	 lf;
	size_t			 i;
	int			 dup;

	if (p != PROC_SUPERVISOR)
		return;
	for (i = 0; i < CHILD_HASH; i++)
		for (c = children[i]; c != NULL; c = c->next) {
			if (c->what != SPAWN_MAIN || c->reaped)
				continue;
			memset(&ms, 0, sizeof(ms));
			ms.reqid = c->reqid;
			ms.what = c->what;
			ms.pid = c->pid;
			ms.started_ms = c->started_ms;
			strlcpy(ms.unit, c->unit, sizeof(ms.unit));
			proc_send(p, IMSG_ADOPT, 0, -1, &ms, sizeof(ms));
		}
	bank_take();
	TAILQ_FOREACH(h, &loose, entry) {
		if ((dup = fcntl(h->fd, F_DUPFD_CLOEXEC, 3)) == -1) {
			log_warn("dup log pipe");
			continue;
		}
		held_msg(h, &lf);
		proc_send(p, IMSG_LOGFD, 0, dup, &lf, sizeof(lf));
	}
	bank_fill();
	exits_replay();
	proc_send(p, IMSG_ADOPT_END, 0, -1, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* Configuration from the parent */

static struct confrecv	 crecv;

static void
conf_msg(struct imsg *im)
{
	crecv.keep_wire = 1;
	if (confrecv_msg(&crecv, im) == 0)
		return;
	confrecv_free_wire(conf.units, conf.nunits);
	strpool_unref(conf.pool);
	conf.units = crecv.wunits;
	conf.nunits = crecv.nunits;
	conf.gen = crecv.gen;
	conf.pool = crecv.pool;
	strpool_ref(conf.pool);
	crecv.wunits = NULL;
	crecv.nunits = 0;
	confrecv_clear(&crecv);
	unit_hash_build();
	spawn_signals_snapshot();
	log_debug("configuration generation %u: %zu units", conf.gen,
	    conf.nunits);
	/* Give back what parsing left behind: every fork copies it. */
	malloc_trim(0);
	proc_send(PROC_PARENT, IMSG_CONF_APPLIED, 0, -1, &conf.gen,
	    sizeof(conf.gen));
}

static void
spawner_parent_msg(struct imsg *im)
{
	switch (im->hdr.type) {
	case IMSG_CONF_BEGIN:
	case IMSG_CONF_UNIT:
	case IMSG_CONF_END:
		conf_msg(im);
		break;
	case IMSG_SOCKFD:
		if (im->fd == -1 || im->len == 0 || im->len > SOCKACT_NAME_MAX)
			fatalx("malformed socket fd");
		if (sockact_add(&spawner_sa, im->fd, im->data) == -1)
			log_warnx("too many activation sockets");
		else
			im->fd = -1;
		break;
	default:
		fatalx("unexpected message %u from parent", im->hdr.type);
	}
}

/* The parent is gone: stop every service, then exit. */
static void
spawner_parent_lost(void)
{
	struct child	*c;
	size_t		 i;

	exiting = 1;
	for (i = 0; i < CHILD_HASH; i++)
		for (c = children[i]; c != NULL; c = c->next)
			stop_child(c);
	if (nchildren == 0 && orphans == NULL)
		exit(0);
}

static void
spawner_init(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		log_warn("prctl subreaper");
	privspawn_init();
	/*
	 * The parent-death SIGTERM must not kill us: the services would be
	 * orphaned.  End-of-file on the parent channel stops them instead.
	 * Services get default dispositions back (child_signals()).
	 */
	signal(SIGTERM, SIG_IGN);
	/*
	 * Requests before reaping: a stop of everything sends every
	 * signal first, then reaps the exits in bulk.  The parent channel
	 * (made already) keeps priority 0, later events get 1, SIGCHLD 2.
	 */
	if (event_base_priority_init(role->base, 3) == -1)
		fatalx("event priorities");
	if ((ev_sigchld = evsignal_new(role->base, SIGCHLD, reap, NULL)) ==
	    NULL || event_priority_set(ev_sigchld, 2) == -1 ||
	    evsignal_add(ev_sigchld, NULL) == -1)
		fatalx("SIGCHLD event");
}

/* Does the unit run as uid 0 (no user, or a user such as root)? */
static int
unit_is_root(const struct unit_conf *u)
{
	struct passwd	*pw;

	if (u->user == NULL)
		return !spawner_drop_privileges;
	return (pw = getpwnam(u->user)) != NULL && pw->pw_uid == 0;
}

/*
 * A root spawner keeps in its bounding set only what it uses itself and
 * what the configured services ask for.  A service that runs as root
 * without a capabilities list keeps root's full set, so then nothing is
 * dropped.  Capabilities added later by a reload need a daemon restart.
 */
static void
spawner_bound_caps(void)
{
	static const int own[] = {
		CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER,
		CAP_KILL, CAP_SETGID, CAP_SETUID, CAP_SETPCAP, CAP_NET_ADMIN,
		CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_SYS_RESOURCE, CAP_SYS_NICE,
	};
	struct unit_conf *u;
	uint64_t	 keep = 0;
	size_t		 i;
	int		 c, root;

	if (geteuid() != 0)
		return;
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		keep |= 1ULL << own[i];
	for (i = 0; i < conf.nunits; i++) {
		if ((u = unit_unpack(wireunit_blob(conf.units[i]),
		    conf.units[i]->len, conf.pool)) == NULL)
			fatalx("%s: unit lost its form", conf.units[i]->name);
		root = !u->has_caps && unit_is_root(u);
		if (u->has_caps)
			keep |= u->caps;
		unit_conf_free(u);
		if (root) {
			log_debug("a root service keeps every capability: "
			    "bounding set unchanged");
			return;
		}
	}
	for (c = 0; c < 64 && prctl(PR_CAPBSET_READ, c) >= 0; c++)
		if (!(keep & (1ULL << c)) &&
		    prctl(PR_CAPBSET_DROP, c) == -1)
			log_warn("drop capability %d from the bounding set", c);
}

static void
spawner_setup_done(void)
{
	spawner_sysmode = role->env.sysmode;
	spawner_drop_privileges = role->env.drop_privileges;
	spawner_bound_caps();
	spawn_signals_snapshot();
	proc_ready();
}

static const struct role_ops spawner_ops = {
	.init = spawner_init,
	.parent_msg = spawner_parent_msg,
	.peer_msg = spawner_peer_msg,
	.peer_up = spawner_peer_up,
	.setup_done = spawner_setup_done,
	.parent_lost = spawner_parent_lost,
	.trim = spawn_slots_release,
};

void
spawner_main(void)
{
	proc_role_main(PROC_SPAWNER, &spawner_ops);
}
