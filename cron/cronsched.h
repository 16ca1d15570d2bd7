/*
 * The cron role's scheduler: the jobs of the configuration generation in
 * force, their time zones (each loaded once), and one timerfd for the
 * whole role, armed at the earliest next fire time.
 */

#ifndef CRONSCHED_H
#define CRONSCHED_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cronexpr.h"
#include "sysg.h"

struct job {
	char		 name[SYSG_NAME_MAX + 1];
	char		*expression;		/* as configured */
	char		*zone;			/* NULL: local */
	struct cronexpr	 expr;
	int		 expr_ok;
	const struct cron_tz *tz;		/* NULL: zone not loadable */
	time_t		 next;			/* -1: none */
	time_t		 last_due;		/* -1: never fired */
};

/* Before the sandbox: the zoneinfo directory and the local zone. */
void		 sched_zones_open(void);
/* Once, from the role's init: the timerfd and its event. */
void		 sched_init(void);
/* Fire from now on (after IMSG_GO); until then the timer stays off. */
void		 sched_start(void);

/* A configuration generation: begin, each unit, end (applies it). */
void		 sched_conf_begin(uint32_t gen, uint32_t nunits);
void		 sched_conf_unit(const struct unit_conf *);
int		 sched_conf_end(uint32_t gen);

size_t		 sched_njobs(void);
const struct job *sched_job(size_t);
const struct job *sched_find(const char *);
/* next_run of a job as RFC 3339 in its zone; -1 if it has none. */
int		 sched_next_str(const struct job *, char *, size_t);

void		 sched_shutdown(void);

/* Provided by cron.c: the job is due (send IMSG_CRON_FIRE). */
void		 cron_due(const struct job *, time_t due);

#endif /* CRONSCHED_H */
