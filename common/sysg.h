/*
 * sysg: shared types and the message catalogue.
 *
 * Every role includes this header.  It holds the configuration types the
 * parent fills in and sends to the spawner and the supervisor, the IMSG_*
 * catalogue with the fixed payload structures, and the unit states.
 */

#ifndef SYSG_H
#define SYSG_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYSG_VERSION		"0.1.0"
#define SYSG_PROTO_VERSION	1
#define SYSG_NAME_MAX		64		/* unit name, without NUL */
#define SYSG_RUNS_KEPT		50		/* cron history per job */
#define SYSG_RESET_RUN_MS	10000		/* a run this long resets backoff */

/* Fixed file descriptors in a freshly exec'd role. */
#define ROLE_PARENT_FD		3

/* The empty root-owned directory unprivileged roles chroot to (--sys). */
#define SYSG_EMPTY_DIR		"/run/sysg/empty"

/* Maximum payload of one message on internal and control channels. */
#define IMSG_MAXPAYLOAD		(256 * 1024)
#define IMSG_CTL_MAXPAYLOAD	(64 * 1024)

/* ------------------------------------------------------------------ */
/* Processes */

enum sysg_proc {
	PROC_PARENT = 0,
	PROC_SPAWNER,
	PROC_SUPERVISOR,
	PROC_CRON,
	PROC_CONTROL,
	PROC_MAX
};

extern const char *const proc_names[PROC_MAX];

/* Global daemon settings handed to every role on its command line. */
struct sysg_env {
	int		 sysmode;		/* --sys */
	int		 drop_privileges;	/* --drop-privileges */
	int		 foreground;		/* echo service output */
	int		 color;			/* ... coloured */
	int		 loglevel;
	uint64_t	 started_ms;		/* daemon start, ms */
	char		 statedir[4096];
	char		 logdir[4096];
};

/* ------------------------------------------------------------------ */
/* Configuration (filled by parent/config.c, sent as JSON, see confjson) */

enum restart_policy {
	RESTART_NEVER = 0,
	RESTART_ON_FAILURE,
	RESTART_ALWAYS
};

enum hc_type {
	HC_NONE = 0,
	HC_COMMAND,
	HC_HTTP,
	HC_TCP
};

enum on_unhealthy {
	UNHEALTHY_RESTART = 0,
	UNHEALTHY_NONE
};

enum deploy_strategy {
	DEPLOY_IMMEDIATE = 0,
	DEPLOY_ROLLING
};

enum skip_kind {
	SKIP_NO = 0,
	SKIP_YES,
	SKIP_COMMAND
};

enum hook_event {
	HOOK_START = 0,
	HOOK_STOP,
	HOOK_RESTART,
	HOOK_EVENT_MAX
};

enum hook_outcome {
	HOOK_SUCCESS = 0,
	HOOK_ERROR,
	HOOK_OUTCOME_MAX
};

struct hook_conf {
	char		*command;		/* NULL: no hook */
	int64_t		 timeout_ms;		/* default 30000 */
};

struct health_conf {
	enum hc_type	 type;
	char		*target;		/* command, URL or host:port */
	int64_t		 interval_ms;		/* default 10000 */
	int64_t		 timeout_ms;		/* default 5000 */
	int		 retries;		/* default 3 */
	int64_t		 start_period_ms;	/* default 0 */
	enum on_unhealthy on_unhealthy;
};

struct logs_conf {
	uint64_t	 max_bytes;		/* default 10M */
	int		 max_files;		/* default 5 */
	bool		 timestamps;		/* default false */
};

#define LIMIT_INFINITY	UINT64_MAX

struct rlimit_conf {
	bool		 set;
	uint64_t	 soft;			/* LIMIT_INFINITY: unlimited */
	uint64_t	 hard;
};

struct cgroup_conf {
	bool		 set;
	char		*root;			/* default /sys/fs/cgroup/systemg */
	bool		 has_memory_max;
	uint64_t	 memory_max;		/* LIMIT_INFINITY: "max" */
	char		*cpu_max;		/* "quota period" or "max", NULL */
	int		 cpu_weight;		/* 0: unset, else 1..10000 */
	int64_t		 pids_max;		/* -1: unset, 0: "max" */
};

struct limits_conf {
	struct rlimit_conf nofile;
	struct rlimit_conf nproc;
	struct rlimit_conf memlock;
	struct rlimit_conf core;
	bool		 has_nice;
	int		 nice;
	int		*cpus;			/* cpu_affinity */
	size_t		 ncpus;
	struct cgroup_conf cgroup;
};

struct isolation_conf {
	bool		 set;
	bool		 network;
	bool		 pid;
	bool		 mount;
	bool		 user;
	bool		 private_tmp;
	bool		 private_devices;
	bool		 no_new_privileges;
	bool		 strict;
	bool		 seccomp_default;
};

struct cron_conf {
	char		*expression;
	char		*timezone;		/* NULL or "local": local time */
	int64_t		 timeout_ms;		/* 0: none */
};

struct strpool;

struct unit_conf {
	char		 name[SYSG_NAME_MAX + 1];
	char		*command;
	char	       **argv;			/* NULL-terminated; NULL: sh -c */
	char		*working_dir;		/* absolute */
	char	       **env;			/* NULL-terminated KEY=VALUE, complete */
	size_t		 nenv;
	char	       **depends_on;
	size_t		 ndeps;
	enum restart_policy restart;
	int64_t		 backoff_ms;		/* default 1000 */
	int64_t		 max_backoff_ms;	/* default 60000 */
	int		 max_restarts;		/* -1: unlimited */
	int		 stop_signal;		/* default SIGTERM */
	int64_t		 stop_timeout_ms;	/* default 10000 */
	struct health_conf health;
	struct hook_conf hooks[HOOK_EVENT_MAX][HOOK_OUTCOME_MAX];
	enum deploy_strategy strategy;
	char		*pre_start;
	int64_t		 grace_period_ms;	/* default 0 */
	bool		 is_cron;
	struct cron_conf cron;
	enum skip_kind	 skip;
	char		*skip_command;
	struct logs_conf logs;			/* resolved (top-level merged) */
	char	       **sockets;
	size_t		 nsockets;
	char		*user;			/* NULL: the daemon's user */
	char		*group;
	char	       **supp_groups;
	size_t		 nsupp;
	bool		 has_caps;
	uint64_t	 caps;			/* bit n: capability n */
	struct limits_conf limits;
	struct isolation_conf iso;
	bool		 flat;			/* one allocation (confwire.c) */
	struct strpool	*pool;			/* shared env entries, or NULL */
};

struct sysg_conf {
	char		*file;			/* absolute path of the config */
	char		*project_dir;
	struct logs_conf logs;
	struct unit_conf **units;		/* in file order */
	size_t		 nunits;
};

/* ------------------------------------------------------------------ */
/* Unit states (cli.md) */

enum unit_state {
	ST_WAITING = 0,
	ST_STARTING,
	ST_RUNNING,
	ST_STOPPING,
	ST_STOPPED,
	ST_BACKOFF,
	ST_EXITED,
	ST_FAILED,
	ST_BLOCKED,
	ST_SKIPPED,
	ST_SCHEDULED,		/* cron */
	ST_CRON_RUNNING,	/* cron, shown as "running" */
	ST_MAX
};

enum unit_health {
	HEALTH_HEALTHY = 0,
	HEALTH_DEGRADED,
	HEALTH_FAILING,
	HEALTH_INACTIVE
};

/* ------------------------------------------------------------------ */
/* Message catalogue */

enum imsg_type {
	IMSG_NONE = 0,

	/* parent -> roles: wiring and start-up barrier */
	IMSG_ROLE_ENV,		/* struct sysg_env, first message */
	IMSG_SETUP_DONE,	/* parent -> role: all setup sent */
	IMSG_PEER_FD,		/* fd: channel; struct msg_peer */
	IMSG_ROLE_READY,	/* role -> parent, wiring done */
	IMSG_GO,		/* parent -> roles: everybody is wired */
	IMSG_DIRFD,		/* fd: state or log dir; struct msg_dirfd */
	IMSG_LISTENFD,		/* fd: control.sock listener (control) */
	IMSG_SOCKFD,		/* fd: activation socket; name as payload */

	/* parent -> spawner, supervisor, cron: configuration */
	IMSG_CONF_BEGIN,	/* struct msg_conf_begin, path, strings */
	IMSG_CONF_UNIT,		/* one unit in wire form (confwire) */
	IMSG_CONF_END,		/* struct msg_conf_begin (same gen) */
	IMSG_CONF_APPLIED,	/* supervisor -> parent: gen now in force */

	/* supervisor <-> spawner */
	IMSG_SPAWN,		/* struct msg_spawn */
	IMSG_SPAWNED,		/* struct msg_spawned */
	IMSG_SPAWN_FAILED,	/* struct msg_spawn_failed */
	IMSG_LOGFD,		/* fd: pipe read end; struct msg_logfd */
	IMSG_EXITED,		/* struct msg_exited */
	IMSG_STOP,		/* struct msg_stop: stop sequence */
	IMSG_STOPPED,		/* struct msg_exited: all processes gone */
	IMSG_SIGNAL,		/* struct msg_signal */
	IMSG_ADOPT,		/* spawner -> new supervisor: struct msg_spawned */
	IMSG_ADOPT_END,
	IMSG_STATS_REQ,		/* struct msg_stats_req */
	IMSG_STATS,		/* struct msg_stats */
	IMSG_LOGFD_DONE,	/* sup -> spawner: struct msg_logfd, drained */
	IMSG_EXIT_ACK,		/* sup -> spawner: int32 pid, exit handled */
	IMSG_SHUTDOWN_REQ,	/* parent -> sup: stop everything */

	/* supervisor <-> cron */
	IMSG_CRON_FIRE,		/* cron -> sup: struct msg_cron_fire */
	IMSG_CRON_STARTED,	/* sup -> cron: struct msg_cron_run */
	IMSG_CRON_DONE,		/* sup -> cron: struct msg_cron_run */
	IMSG_CRON_INFO,		/* cron -> sup: JSON {name,next_run,...} */

	/* control protocol (CLI <-> control <-> supervisor/parent) */
	IMSG_CTL_HELLO,		/* struct msg_hello, first message */
	IMSG_CTL_REQUEST,	/* JSON request {"cmd":..., ...} */
	IMSG_CTL_DATA,		/* chunk of the JSON reply */
	IMSG_CTL_END,		/* struct msg_ctl_end: exit code + text */
	IMSG_CTL_EVENT,		/* progress text (streamed) */

	/* supervisor -> parent */
	IMSG_SHUTDOWN,		/* everything is stopped, exit */
	IMSG_RELOAD,		/* control -> parent: path (may be empty) */

	IMSG_MAX
};

struct msg_peer {
	uint32_t	 proc;		/* enum sysg_proc of the other end */
};

enum dirfd_kind {
	DIRFD_STATE = 0,
	DIRFD_LOGS
};

struct msg_dirfd {
	uint32_t	 kind;		/* enum dirfd_kind */
};

struct msg_conf_begin {
	uint32_t	 gen;
	uint32_t	 nunits;
};

/* What a spawn request runs for a unit. */
enum spawn_what {
	SPAWN_MAIN = 0,		/* the service itself (or a cron run) */
	SPAWN_HOOK,		/* hooks[event][outcome] */
	SPAWN_CHECK,		/* health_check.command */
	SPAWN_PRESTART,		/* deployment.pre_start */
	SPAWN_SKIP,		/* skip command */
	SPAWN_WHAT_MAX
};

struct msg_spawn {
	uint32_t	 gen;
	uint32_t	 reqid;
	uint32_t	 what;		/* enum spawn_what */
	uint32_t	 event;		/* hooks: enum hook_event */
	uint32_t	 outcome;	/* hooks: enum hook_outcome */
	int32_t		 exit_code;	/* hooks: -1 unknown */
	int32_t		 exit_signal;	/* hooks: 0 none */
	char		 unit[SYSG_NAME_MAX + 1];
};

struct msg_spawned {
	uint32_t	 reqid;
	uint32_t	 what;
	int32_t		 pid;
	uint64_t	 started_ms;	/* CLOCK_REALTIME in ms */
	char		 unit[SYSG_NAME_MAX + 1];
};

struct msg_spawn_failed {
	uint32_t	 reqid;
	uint32_t	 what;
	int32_t		 err;		/* errno */
	char		 unit[SYSG_NAME_MAX + 1];
	char		 step[32];	/* "exec", "setuid", ... */
	char		 detail[256];
};

enum log_stream {
	LOG_STDOUT = 0,
	LOG_STDERR
};

struct msg_logfd {
	int32_t		 pid;
	uint32_t	 what;
	uint32_t	 stream;	/* enum log_stream */
	char		 unit[SYSG_NAME_MAX + 1];
	char		 tag[32];	/* "" for the service, else "hook ..." */
};

struct msg_exited {
	uint32_t	 reqid;
	uint32_t	 what;
	int32_t		 pid;
	int32_t		 status;	/* wait(2) status */
	int32_t		 new_pid;	/* > 0: a descendant lives on */
	uint32_t	 timed_out;	/* killed at its timeout */
	char		 unit[SYSG_NAME_MAX + 1];
};

struct msg_stop {
	int32_t		 pid;
	char		 unit[SYSG_NAME_MAX + 1];
};

struct msg_signal {
	int32_t		 pid;
	int32_t		 signo;
	char		 unit[SYSG_NAME_MAX + 1];
};

struct msg_stats_req {
	uint32_t	 reqid;
	int32_t		 pid;
};

struct msg_stats {
	uint32_t	 reqid;
	int32_t		 pid;
	uint64_t	 cpu_ms;
	uint64_t	 rss_bytes;
};

struct msg_cron_fire {
	uint64_t	 due_ms;
	uint32_t	 manual;	/* sysg start -s JOB */
	char		 unit[SYSG_NAME_MAX + 1];
};

enum cron_outcome {
	CRON_SUCCESS = 0,
	CRON_FAILED,
	CRON_TIMEOUT,
	CRON_OVERLAP,
	CRON_START_ERROR,
	CRON_RUNNING,		/* in progress, no outcome yet */
	CRON_OUTCOME_MAX
};

struct msg_cron_run {
	uint64_t	 started_ms;
	uint64_t	 finished_ms;	/* 0: still running */
	int32_t		 pid;
	int32_t		 exit_code;	/* -1: none */
	int32_t		 signal;	/* 0: none */
	uint32_t	 outcome;	/* enum cron_outcome */
	char		 unit[SYSG_NAME_MAX + 1];
	char		 reason[128];
};

struct msg_hello {
	uint32_t	 version;	/* SYSG_PROTO_VERSION */
};

struct msg_ctl_end {
	int32_t		 exitcode;
	char		 text[1024];
};

#endif /* SYSG_H */
