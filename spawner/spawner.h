/* The spawner role: the only process that forks services. */
#ifndef SPAWNER_H
#define SPAWNER_H

#include <event2/event.h>

#include "sockact.h"
#include "sysg.h"

struct child {
	struct child	*next;		/* hash chain, by pid */
	struct child	*unext;		/* hash chain, by unit */
	struct event	*errev;		/* exec result, forked child */
	struct event	*timer;
	uint64_t	 started_ms;
	int64_t		 stop_timeout_ms;
	int64_t		 timeout_ms;	/* hooks, checks, cron runs */
	pid_t		 pid;
	uint32_t	 reqid;
	int		 status;
	int		 stop_signal;
	int		 errfd;		/* exec result pipe, or -1 */
	uint8_t		 what;		/* enum spawn_what */
	int8_t		 exec_state;	/* 0 unknown, 1 ok, -1 failed */
	unsigned int	 stopping:1;	/* stop sequence under way */
	unsigned int	 killed:1;	/* SIGKILL sent */
	unsigned int	 reaped:1;
	unsigned int	 timed_out:1;
	unsigned int	 cgroup:1;	/* placed in a cgroup */
	char		 unit[SYSG_NAME_MAX + 1];
};

/* spawner/spawn.c */
struct child	*spawn_unit(const struct unit_conf *, const struct msg_spawn *,
		    int *outfd, int *errfd, struct msg_spawn_failed *);
int		 spawn_exec_result(struct child *, struct msg_spawn_failed *);
void		 spawn_signals_snapshot(void);
void		 spawn_slots_release(void);

/* spawner/spawner.c */
/* The unit's definition, read from its wire form: unit_conf_free() it. */
struct unit_conf *spawner_unit(const char *);
extern int	 spawner_sysmode;
extern int	 spawner_drop_privileges;
extern struct sockact spawner_sa;

#endif
