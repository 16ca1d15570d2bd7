/*
 * The supervisor role: one unit per configured service or cron job, a
 * state machine per unit (supervisor/fsm.c), dependency order, restarts,
 * health checks, hooks, logs and the answers to control requests.
 */

#ifndef SUPERVISOR_H
#define SUPERVISOR_H

#include <event2/event.h>
#include <jansson.h>

#include "htab.h"
#include "imsg.h"
#include "sysg.h"

#define UNIT_EXITS_KEPT		10
#define UNIT_CHECKS_KEPT	10
#define UNIT_REASON_MAX		256

enum fsm_event {
	EV_START = 0,		/* manual or initial start */
	EV_STOP,		/* manual stop */
	EV_DEPS_OK,		/* every dependency is ready */
	EV_DEP_BAD,		/* a dependency failed, was skipped, blocked */
	EV_DEP_DOWN,		/* a dependency crashed while we ran */
	EV_SPAWNED,		/* the main process exec'd */
	EV_SPAWN_FAILED,	/* exec error, pre_start failed */
	EV_READY,		/* health check passed (or none) */
	EV_UNHEALTHY,		/* retries exhausted */
	EV_EXIT,		/* the main process exited by itself */
	EV_STOPPED,		/* the spawner reports every process gone */
	EV_TIMER,		/* backoff elapsed */
	EV_SKIP,		/* skip: true or the skip command said so */
	EV_MAX
};

enum start_phase {
	PH_NONE = 0,
	PH_SKIPCHECK,
	PH_PRESTART,
	PH_MAIN
};

enum after_stop {
	AFTER_STOP_IDLE = 0,	/* stay stopped */
	AFTER_STOP_START,	/* restart right away */
	AFTER_STOP_WAIT,	/* wait for the dependencies again */
	AFTER_STOP_REMOVE	/* removed by reload: forget the unit */
};

struct exit_rec {
	uint64_t	 at_ms;
	int		 status;	/* wait status; -1: none */
	char		 reason[128];
};

struct check_rec {
	uint64_t	 at_ms;
	int		 ok;
	char		 detail[128];
};

struct unit {
	struct unit_conf *conf;
	struct hnode	 name_node;	/* unit_find() */
	uint32_t	 seq;		/* order of creation: the table's */
	enum unit_state	 state;
	uint64_t	 since_ms;
	enum start_phase phase;
	uint32_t	 reqid;		/* current start request */
	pid_t		 pid;		/* main process */
	uint64_t	 started_ms;
	pid_t		 old_pid;	/* rolling: instance being replaced */
	int		 rolling;	/* 1 candidate starting, 2 grace */
	struct event	*roll_timer;
	int		 ready;		/* dependents may start */
	int		 manual_stop;	/* no automatic start until start */
	int		 auto_restart;	/* this start is an automatic one */
	int		 restarts;	/* automatic restarts, total */
	int		 consecutive;	/* short runs in a row */
	int		 last_status;	/* wait status, -1: none */
	enum after_stop	 after_stop;
	char		*reason;	/* UNIT_REASON_MAX bytes once set */
	struct event	*timer;		/* backoff, at first use */
	/* health */
	struct event	*hc_timer;
	struct probe	*hc_probe;
	pid_t		 hc_pid;
	int		 hc_passed;
	int		 hc_fails;
	int		 hc_failing;
	struct check_rec *checks;	/* UNIT_CHECKS_KEPT, at first use */
	size_t		 nchecks;
	struct exit_rec	*exits;		/* UNIT_EXITS_KEPT, at first use */
	size_t		 nexits;
	/* cron */
	json_t		*cron_info;	/* from the cron process */
	pid_t		 cron_pid;
	uint64_t	 cron_started_ms;
	int		 cron_stopping;
	/* stats for status (filled on request) */
	uint64_t	 cpu_ms;
	uint64_t	 rss;
};

struct sup {
	struct unit	**units;
	size_t		 nunits;
	uint32_t	 gen;
	char		*config_file;
	uint64_t	 daemon_started_ms;
	pid_t		 daemon_pid;
	int		 started;	/* initial start done */
	int		 adopted;	/* spawner's table received */
	int		 go;
	int		 shutting_down;
	uint32_t	 next_reqid;
	int		 state_dirfd;
	int		 log_dirfd;
	struct logfile	*suplog;
	int		 echo_width;
};

extern struct sup	 sup;

/* supervisor.c */
struct unit	*unit_find(const char *);
void		 sup_spawn(struct unit *, uint32_t what, uint32_t event,
		    uint32_t outcome, int status);
void		 sup_spawn_start(struct unit *);
void		 sup_backoff(struct unit *, const struct timeval *);
void		 sup_stop_pid(struct unit *, pid_t);
void		 sup_state_changed(struct unit *);
void		 sup_shutdown_check(void);
void		 sup_attach_log(const struct msg_logfd *, int fd);
void		 sup_shutdown(void);
void		 supervisor_main(void) __attribute__((noreturn));

/* fsm.c */
void		 fsm(struct unit *, enum fsm_event, const char *cause);
void		 deploy_rolling(struct unit *);
const char	*state_name(enum unit_state);
enum unit_health unit_health(const struct unit *);
void		 unit_set_reason(struct unit *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 unit_clear_reason(struct unit *);
const char	*unit_reason(const struct unit *);
void		 unit_record_exit(struct unit *, int status, const char *);
int		 unit_active(const struct unit *);
void		 hook_fire(struct unit *, enum hook_event, enum hook_outcome,
		    int status);

/* deps.c */
void		 deps_index_add(struct unit *);
void		 deps_index_del(struct unit *);
struct unit	*const *deps_dependents(const struct unit *, size_t *);
void		 deps_evaluate(struct unit *);
void		 deps_propagate(struct unit *);
int		 deps_dependents_active(const struct unit *);

/* check.c */
void		 check_start(struct unit *);
void		 check_stop(struct unit *);
void		 check_exited(struct unit *, int status, int timed_out);

/* status.c */
json_t		*status_json(const char *only);
json_t		*inspect_json(struct unit *);
const char	*health_name(enum unit_health);
json_t		*exit_json(int status);

/* ctl.c */
void		 ctl_request(uint32_t client, const char *, size_t);
void		 ctl_reply(uint32_t client, int code, json_t *, const char *,
		    ...) __attribute__((format(printf, 4, 5)));
void		 ctl_units_changed(void);
void		 ctl_shutdown_done(void);
void		 ctl_clients_lost(void);
void		 ctl_stats(uint32_t, const void *, size_t);

/* statefile.c */
char		*statefile_text(void);
void		 statefile_write(void);
void		 statefile_write_now(void);
void		 statefile_restore(void);

/* cronrun.c */
void		 cron_msg(struct imsg *);
void		 cron_spawn_failed(struct unit *, const struct msg_spawn_failed *);
void		 cron_run_exited(struct unit *, const struct msg_exited *);
int		 cron_run_now(struct unit *, int manual);
void		 cron_started(struct unit *, pid_t);
void		 cron_info_take(struct unit *);

#endif
