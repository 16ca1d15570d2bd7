/*
 * The cron role's scheduler.  See cronsched.h.
 *
 * One timerfd on CLOCK_REALTIME, absolute, with TFD_TIMER_CANCEL_ON_SET,
 * armed at the earliest next fire time of all jobs: the role sleeps in
 * epoll until a job is due, never ticks.  When the wall clock is set,
 * read() fails with ECANCELED and every next fire time is recomputed
 * from the new "now" without firing the runs that were skipped over.
 * After a suspend the timer fires once: each job that became due fires
 * once and its next time is computed from now, so there is no burst.
 */

#include <sys/timerfd.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "cronsched.h"

/* A clock set back by at most this much never fires a due time again. */
#define REFIRE_GUARD_S		300
/* Jobs without a next fire time are looked at again this often. */
#define RECHECK_S		86400

struct zone {
	char		*name;			/* "local", "UTC", IANA */
	struct cron_tz	*tz;
};

static struct job	*jobs;
static size_t		 njobs;

static struct job	*pjobs;			/* generation being received */
static size_t		 npjobs, pcap;
static uint32_t		 pgen;
static int		 pactive;

static struct zone	*zones;
static size_t		 nzones;
static int		 zonedir = -1;
static int		 zones_opened;

static int		 tfd = -1;
static struct event	*tev;
static int		 started;

/* ------------------------------------------------------------------ */
/* Zones: each loaded once, shared by the jobs that name it. */

static const char *
zone_key(const char *name)
{
	return name == NULL || strcasecmp(name, "local") == 0 ? "local" :
	    name;
}

static const struct cron_tz *
zone_get(const char *name)
{
	struct cron_tz	*tz;
	struct zone	*nz;
	const char	*key = zone_key(name);
	size_t		 i;

	for (i = 0; i < nzones; i++)
		if (strcmp(zones[i].name, key) == 0)
			return zones[i].tz;
	if ((tz = cron_tz_load_at(zonedir, key)) == NULL) {
		log_warnx("time zone %s cannot be loaded", key);
		return NULL;
	}
	if ((nz = reallocarray(zones, nzones + 1, sizeof(*zones))) == NULL)
		fatal("reallocarray");
	zones = nz;
	if ((zones[nzones].name = strdup(key)) == NULL)
		fatal("strdup");
	zones[nzones].tz = tz;
	nzones++;
	log_debug("time zone %s loaded", key);
	return tz;
}

/* Drop the zones no job uses any more ("local" stays). */
static void
zones_gc(void)
{
	size_t	 i, k, out = 0;
	int	 used;

	for (i = 0; i < nzones; i++) {
		used = strcmp(zones[i].name, "local") == 0;
		for (k = 0; k < njobs && !used; k++)
			used = jobs[k].tz == zones[i].tz;
		if (!used) {
			cron_tz_free(zones[i].tz);
			free(zones[i].name);
			continue;
		}
		zones[out++] = zones[i];
	}
	nzones = out;
}

void
sched_zones_open(void)
{
	if (zones_opened)
		return;
	zones_opened = 1;
	zonedir = open("/usr/share/zoneinfo", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	if (zonedir == -1)
		log_warn("/usr/share/zoneinfo");
	/* "local" reads $TZ or /etc/localtime: not possible in a chroot. */
	(void)zone_get("local");
}

/* ------------------------------------------------------------------ */
/* Fire times */

/* Not time(): its coarse clock may lag the timer's by a tick. */
static time_t
now_sec(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

static time_t
job_next(const struct job *j, time_t after)
{
	time_t	 t;

	if (!j->expr_ok || j->tz == NULL)
		return -1;
	if (cronexpr_next_tz(&j->expr, j->tz, after, &t) == -1)
		return -1;
	return t;
}

/* The first fire time after now that was not fired yet. */
static time_t
job_next_from(const struct job *j, time_t now)
{
	time_t	 base = now;

	if (j->last_due != -1 && j->last_due > now &&
	    j->last_due - now <= REFIRE_GUARD_S)
		base = j->last_due;
	return job_next(j, base);
}

static void
sched_arm(void)
{
	struct itimerspec	 its;
	time_t			 min = -1;
	size_t			 i;

	if (!started || tfd == -1)
		return;
	for (i = 0; i < njobs; i++)
		if (jobs[i].next != -1 && (min == -1 || jobs[i].next < min))
			min = jobs[i].next;
	memset(&its, 0, sizeof(its));
	if (min == -1 && njobs > 0)
		min = now_sec() + RECHECK_S;
	if (min != -1)
		its.it_value.tv_sec = min;
	if (timerfd_settime(tfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
	    &its, NULL) == -1)
		fatal("timerfd_settime");
	log_trace("timer armed at %lld", (long long)min);
}

/* The wall clock was set: recompute from now, fire nothing missed. */
static void
sched_recompute(void)
{
	time_t	 now = now_sec();
	size_t	 i;

	for (i = 0; i < njobs; i++)
		jobs[i].next = job_next_from(&jobs[i], now);
}

static void
sched_due(void)
{
	struct job	*j;
	time_t		 now = now_sec(), due;
	size_t		 i;

	for (i = 0; i < njobs; i++) {
		j = &jobs[i];
		if (j->next == -1 || j->next > now)
			continue;
		due = j->next;
		j->last_due = due;
		/* Strictly after the due time: never twice for one time. */
		j->next = job_next(j, due);
		/* Several fire times passed (suspend): continue from now. */
		if (j->next != -1 && j->next < now)
			j->next = job_next(j, now);
		cron_due(j, due);
	}
}

static void
sched_timer(int fd, short ev, void *arg)
{
	uint64_t	 n;
	ssize_t		 r;

	(void)fd;
	(void)ev;
	(void)arg;
	r = read(tfd, &n, sizeof(n));
	if (r == -1 && errno == ECANCELED) {
		log_info("wall clock changed: next fire times recomputed");
		sched_recompute();
		sched_arm();
		return;
	}
	if (r == -1 && errno != EAGAIN && errno != EINTR)
		fatal("timerfd read");
	sched_due();
	sched_arm();
}

void
sched_init(void)
{
	if ((tfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK |
	    TFD_CLOEXEC)) == -1)
		fatal("timerfd_create");
	if ((tev = event_new(role->base, tfd, EV_READ | EV_PERSIST,
	    sched_timer, NULL)) == NULL || event_add(tev, NULL) == -1)
		fatalx("timer event");
}

void
sched_start(void)
{
	if (started)
		return;
	started = 1;
	sched_arm();
}

/* ------------------------------------------------------------------ */
/* Configuration generations */

static void
job_clear(struct job *j)
{
	free(j->expression);
	free(j->zone);
	j->expression = j->zone = NULL;
}

static void
jobs_free(struct job *js, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		job_clear(&js[i]);
	free(js);
}

void
sched_conf_begin(uint32_t gen, uint32_t nunits)
{
	jobs_free(pjobs, npjobs);
	pjobs = NULL;
	npjobs = 0;
	pcap = nunits;
	pgen = gen;
	pactive = 1;
	if (nunits > 0 && (pjobs = calloc(nunits, sizeof(*pjobs))) == NULL)
		fatal("calloc");
}

void
sched_conf_unit(const struct unit_conf *u)
{
	struct job	*j;
	char		 err[256];

	if (!pactive || npjobs >= pcap)
		fatalx("unit outside a configuration");
	if (!u->is_cron)
		return;
	j = &pjobs[npjobs++];
	memset(j, 0, sizeof(*j));
	strlcpy(j->name, u->name, sizeof(j->name));
	if ((j->expression = strdup(u->cron.expression != NULL ?
	    u->cron.expression : "")) == NULL)
		fatal("strdup");
	if (u->cron.timezone != NULL &&
	    (j->zone = strdup(u->cron.timezone)) == NULL)
		fatal("strdup");
	j->next = j->last_due = -1;
	if (cronexpr_parse(j->expression, &j->expr, err, sizeof(err)) == -1)
		log_warnx("%s: cron expression \"%s\": %s: never fires",
		    j->name, j->expression, err);
	else
		j->expr_ok = 1;
}

static int
same_zone(const char *a, const char *b)
{
	return strcmp(zone_key(a), zone_key(b)) == 0;
}

/*
 * The new generation replaces the job set.  A job that keeps its name
 * and its schedule keeps its next fire time; any other is computed from
 * now (a due time it already fired is never fired again).
 */
int
sched_conf_end(uint32_t gen)
{
	const struct job *old;
	struct job	*j;
	time_t		 now = now_sec();
	size_t		 i;

	if (!pactive || gen != pgen)
		return -1;
	sched_zones_open();
	for (i = 0; i < npjobs; i++) {
		j = &pjobs[i];
		j->tz = zone_get(j->zone);
		if ((old = sched_find(j->name)) != NULL) {
			j->last_due = old->last_due;
			if (old->expr_ok && j->expr_ok &&
			    strcmp(old->expression, j->expression) == 0 &&
			    same_zone(old->zone, j->zone) &&
			    old->tz == j->tz && old->next != -1) {
				j->next = old->next;
				continue;
			}
		}
		j->next = job_next_from(j, now);
	}
	jobs_free(jobs, njobs);
	jobs = pjobs;
	njobs = npjobs;
	pjobs = NULL;
	npjobs = pcap = 0;
	pactive = 0;
	zones_gc();
	log_info("configuration generation %u: %zu cron job%s", gen, njobs,
	    njobs == 1 ? "" : "s");
	sched_arm();
	return 0;
}

size_t
sched_njobs(void)
{
	return njobs;
}

const struct job *
sched_job(size_t i)
{
	return i < njobs ? &jobs[i] : NULL;
}

const struct job *
sched_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < njobs; i++)
		if (strcmp(jobs[i].name, name) == 0)
			return &jobs[i];
	return NULL;
}

int
sched_next_str(const struct job *j, char *buf, size_t len)
{
	if (j->next == -1 || j->tz == NULL)
		return -1;
	return cron_tz_format(j->tz, j->next, buf, len);
}

void
sched_shutdown(void)
{
	size_t	 i;

	if (tev != NULL)
		event_free(tev);
	tev = NULL;
	if (tfd != -1)
		close(tfd);
	tfd = -1;
	jobs_free(jobs, njobs);
	jobs = NULL;
	njobs = 0;
	jobs_free(pjobs, npjobs);
	pjobs = NULL;
	npjobs = 0;
	for (i = 0; i < nzones; i++) {
		cron_tz_free(zones[i].tz);
		free(zones[i].name);
	}
	free(zones);
	zones = NULL;
	nzones = 0;
	if (zonedir != -1)
		close(zonedir);
	zonedir = -1;
}
