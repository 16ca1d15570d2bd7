/* The spawner role: the only process that forks services. */
#ifndef SPAWNER_H
#define SPAWNER_H

#include <event2/event.h>

#include "sockact.h"
#include "sysg.h"

struct child {
	struct child	*next;		/* hash chain */
	pid_t		 pid;
	uint32_t	 reqid;
	uint32_t	 what;		/* enum spawn_what */
	char		 unit[SYSG_NAME_MAX + 1];
	uint64_t	 started_ms;
	int		 stop_signal;
	int64_t		 stop_timeout_ms;
	int64_t		 timeout_ms;	/* hooks, checks, cron runs */
	int		 stopping;	/* stop sequence under way */
	int		 killed;	/* SIGKILL sent */
	int		 reaped;
	int		 status;
	int		 timed_out;
	int		 exec_state;	/* 0 unknown, 1 ok, -1 failed */
	int		 errfd;
	struct event	*errev;
	struct event	*timer;
	int		 cgroup;	/* placed in a cgroup */
};

/* spawner/spawn.c */
struct child	*spawn_unit(const struct unit_conf *, const struct msg_spawn *,
		    int *outfd, int *errfd, struct msg_spawn_failed *);
int		 spawn_exec_result(struct child *, struct msg_spawn_failed *);
void		 spawn_signals_snapshot(void);

/* spawner/spawner.c */
const struct unit_conf *spawner_unit(const char *);
extern int	 spawner_sysmode;
extern int	 spawner_drop_privileges;
extern struct sockact spawner_sa;

#endif
