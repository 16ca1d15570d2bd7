/*
 * Cron run history: the last SYSG_RUNS_KEPT runs of each job, kept in
 * memory and saved to cron_state.json in the state directory:
 *
 *   {"schema":"cron_state.v1","jobs":{"NAME":{"runs":[RUN, ...]}}}
 *   RUN = {"started_at":"2026-11-22T10:00:00.123Z",
 *          "finished_at":"..."|null, "duration_ms":N|null,
 *          "exit_code":N|null, "signal":N|null, "signal_name":"KILL"|null,
 *          "outcome":"success"|"failed"|"timeout"|"overlap"|
 *                    "start_error"|null,
 *          "reason":"..."|null}
 *
 * Runs are kept oldest first, in the order they were started.  A run in
 * progress has finished_at and outcome null.  Times are UTC, RFC 3339 with
 * milliseconds.
 *
 * Policies:
 * - Loading never closes runs in progress: the cron role may be restarted
 *   while a job keeps running, and its end is then still reported.  When
 *   the whole daemon restarted, call history_abandon_running(h, "daemon
 *   restarted"): such runs become "failed" with that reason and
 *   finished_at null.
 * - Jobs that disappear from the config keep their history (a job that is
 *   commented out and back again keeps it); history_prune drops all jobs
 *   but the named ones, for a caller that wants to.
 */

#ifndef HISTORY_H
#define HISTORY_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sysg.h"

#define HISTORY_FILE		"cron_state.json"
#define HISTORY_SCHEMA		"cron_state.v1"
#define HISTORY_REASON_MAX	128	/* with the NUL */
#define HISTORY_JOBS_MAX	4096	/* jobs read from a file */

struct history_run {
	int64_t		 started_ms;
	int64_t		 finished_ms;	/* -1: null */
	int64_t		 duration_ms;	/* -1: null */
	int		 exit_code;	/* -1: null */
	int		 signal;	/* 0: null */
	enum cron_outcome outcome;	/* CRON_RUNNING: null */
	pid_t		 pid;		/* not saved; 0: unknown */
	char		 reason[HISTORY_REASON_MAX];	/* "": null */
};

struct history;

struct history	*history_new(void);
void		 history_free(struct history *);

/*
 * Replace the contents of h with dirfd/file.  0: loaded (a missing file
 * is an empty history); 1: loaded, but invalid jobs or runs were dropped
 * (err says which, first one); -1: the file is unreadable or corrupt, h is
 * empty and err says why.  Nothing in the file can crash it.
 */
int	 history_load(struct history *, int, const char *, char *, size_t);

/*
 * Write h to dirfd/file atomically: "<file>.tmp" created with O_EXCL and
 * O_NOFOLLOW, mode 0600, fsynced, renamed over file, then the directory
 * fsynced.  0, or -1 with errno set (no temporary file is left behind).
 */
int	 history_save(const struct history *, int, const char *);

/* A run of job started at started_ms (by pid).  0, or -1 (bad name/ENOMEM). */
int	 history_run_start(struct history *, const char *, int64_t, pid_t);

/*
 * The run of job that started at started_ms ended.  Completes the recorded
 * run with that start time (the newest such one), else appends a complete
 * run.  exit_code -1 and signal 0 mean none; reason NULL or "" means null.
 */
int	 history_run_finish(struct history *, const char *, int64_t, int64_t,
	    int, int, enum cron_outcome, const char *);

/* A firing at at_ms skipped because the previous run is still going. */
int	 history_record_overlap(struct history *, const char *, int64_t);

/*
 * Apply a message from the supervisor (IMSG_CRON_STARTED / _DONE):
 * finished_ms 0 starts a run, else finishes it.  The message is checked
 * (NUL-terminated strings, outcome in range): -1 if it is malformed.
 */
int	 history_apply(struct history *, const struct msg_cron_run *);

/* Runs in progress become "failed" with the reason.  Returns how many. */
size_t	 history_abandon_running(struct history *, const char *);

/* Runs of job, oldest first.  0 / NULL for an unknown job or index. */
size_t	 history_count(const struct history *, const char *);
const struct history_run *history_get(const struct history *, const char *,
	    size_t);
const struct history_run *history_last(const struct history *,
	    const char *);

/* New JSON values: one run, or the runs array of job ([] if unknown). */
json_t	*history_run_json(const struct history_run *);
json_t	*history_job_json(const struct history *, const char *);

/* Drop the history of every job not named in keep[0..n). */
void	 history_prune(struct history *, const char *const *, size_t);

/* Names of outcomes as stored ("success", ...); NULL for CRON_RUNNING. */
const char *history_outcome_name(enum cron_outcome);

#endif /* HISTORY_H */
