#include "unit.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "sysg.h"
#include "history.h"

/* 2026-11-22T10:00:00.123Z */
#define T0	((int64_t)1795341600123)

struct tdir {
	char	 path[64];
	int	 fd;
};

static int
setup(void **state)
{
	struct tdir	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -1;
	strlcpy(d->path, "/tmp/history.XXXXXX", sizeof(d->path));
	if (mkdtemp(d->path) == NULL ||
	    (d->fd = open(d->path, O_RDONLY | O_DIRECTORY)) == -1) {
		free(d);
		return -1;
	}
	*state = d;
	return 0;
}

static int
teardown(void **state)
{
	struct tdir	*d = *state;
	DIR		*dir;
	struct dirent	*de;

	if ((dir = fdopendir(d->fd)) != NULL) {
		rewinddir(dir);		/* the offset is shared with dups */
		while ((de = readdir(dir)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			if (unlinkat(dirfd(dir), de->d_name, 0) == -1)
				unlinkat(dirfd(dir), de->d_name, AT_REMOVEDIR);
		}
		closedir(dir);
	} else
		close(d->fd);
	rmdir(d->path);
	free(d);
	return 0;
}

static void
put_file(int dfd, const char *name, const char *text, size_t len)
{
	int	 fd;

	unlinkat(dfd, name, 0);
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static size_t
count_entries(int dfd)
{
	DIR		*dir;
	struct dirent	*de;
	size_t		 n = 0;
	int		 fd = dup(dfd);

	assert_true(fd != -1);
	assert_non_null(dir = fdopendir(fd));
	rewinddir(dir);
	while ((de = readdir(dir)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(dir);
	return n;
}

static char *
job_text(const struct history *h, const char *job)
{
	json_t	*j = history_job_json(h, job);
	char	*s;

	assert_non_null(j);
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	assert_non_null(s);
	return s;
}

static void
test_runs(void **state)
{
	struct history			*h;
	const struct history_run	*r;
	char				*s;

	(void)state;
	assert_non_null(h = history_new());
	assert_null(history_last(h, "nightly"));
	assert_int_equal(history_count(h, "nightly"), 0);
	s = job_text(h, "nightly");
	assert_string_equal(s, "[]");
	free(s);

	assert_int_equal(history_run_start(h, "nightly", T0, 4242), 0);
	assert_non_null(r = history_last(h, "nightly"));
	assert_int_equal(r->outcome, CRON_RUNNING);
	assert_int_equal(r->finished_ms, -1);
	assert_int_equal(r->pid, 4242);
	s = job_text(h, "nightly");
	assert_string_equal(s, "[{\"started_at\":\"2026-11-22T10:00:00.123Z\","
	    "\"finished_at\":null,\"duration_ms\":null,\"exit_code\":null,"
	    "\"signal\":null,\"signal_name\":null,\"outcome\":null,"
	    "\"reason\":null}]");
	free(s);
	/* told twice: still one run */
	assert_int_equal(history_run_start(h, "nightly", T0, 4243), 0);
	assert_int_equal(history_count(h, "nightly"), 1);
	assert_int_equal(history_last(h, "nightly")->pid, 4243);

	assert_int_equal(history_run_finish(h, "nightly", T0, T0 + 1500, 0, 0,
	    CRON_SUCCESS, NULL), 0);
	assert_int_equal(history_count(h, "nightly"), 1);
	r = history_last(h, "nightly");
	assert_int_equal(r->outcome, CRON_SUCCESS);
	assert_int_equal(r->duration_ms, 1500);
	s = job_text(h, "nightly");
	assert_string_equal(s, "[{\"started_at\":\"2026-11-22T10:00:00.123Z\","
	    "\"finished_at\":\"2026-11-22T10:00:01.623Z\",\"duration_ms\":1500,"
	    "\"exit_code\":0,\"signal\":null,\"signal_name\":null,"
	    "\"outcome\":\"success\",\"reason\":null}]");
	free(s);

	/* killed by a signal, timeout */
	assert_int_equal(history_run_start(h, "nightly", T0 + 60000, 1), 0);
	assert_int_equal(history_run_finish(h, "nightly", T0 + 60000,
	    T0 + 120000, -1, SIGKILL, CRON_TIMEOUT, "timeout after 1m"), 0);
	s = job_text(h, "nightly");
	assert_non_null(strstr(s, "\"exit_code\":null,\"signal\":9,"
	    "\"signal_name\":\"KILL\",\"outcome\":\"timeout\","
	    "\"reason\":\"timeout after 1m\"}]"));
	free(s);

	/* finish without a recorded start appends a complete run */
	assert_int_equal(history_run_finish(h, "nightly", T0 + 180000,
	    T0 + 180001, 3, 0, CRON_FAILED, "exited with 3"), 0);
	assert_int_equal(history_count(h, "nightly"), 3);
	assert_int_equal(history_last(h, "nightly")->exit_code, 3);

	assert_int_equal(history_record_overlap(h, "nightly", T0 + 240000), 0);
	r = history_last(h, "nightly");
	assert_int_equal(r->outcome, CRON_OVERLAP);
	assert_int_equal(r->started_ms, r->finished_ms);
	assert_int_equal(r->duration_ms, 0);
	s = job_text(h, "nightly");
	assert_non_null(strstr(s, "\"outcome\":\"overlap\""));
	free(s);

	assert_int_equal(history_run_finish(h, "nightly", T0, T0 + 1, 0, 0,
	    CRON_START_ERROR, "exec: No such file or directory"), 0);
	assert_int_equal(history_get(h, "nightly", 0)->outcome,
	    CRON_START_ERROR);
	assert_null(history_get(h, "nightly", 4));
	assert_null(history_get(h, "other", 0));

	/* refused arguments */
	assert_int_equal(history_run_start(h, "", T0, 1), -1);
	assert_int_equal(history_run_start(h, NULL, T0, 1), -1);
	assert_int_equal(history_run_start(h, "a\nb", T0, 1), -1);
	assert_int_equal(history_run_start(h,
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "4", T0, 1), -1);
	assert_int_equal(history_run_start(h,
	    "0123456789012345678901234567890123456789012345678901234567890123",
	    T0, 1), 0);
	assert_int_equal(history_run_start(h, "x", -5, 1), -1);
	assert_int_equal(history_run_finish(h, "x", T0, T0, 256, 0,
	    CRON_FAILED, NULL), -1);
	assert_int_equal(history_run_finish(h, "x", T0, T0, 0, -1,
	    CRON_FAILED, NULL), -1);
	assert_int_equal(history_run_finish(h, "x", T0, T0, 0, 0,
	    CRON_RUNNING, NULL), -1);
	assert_int_equal(history_run_finish(h, "x", T0, T0, 0, 0,
	    (enum cron_outcome)77, NULL), -1);
	assert_int_equal(history_count(h, "x"), 0);
	assert_null(history_outcome_name(CRON_RUNNING));
	assert_string_equal(history_outcome_name(CRON_START_ERROR),
	    "start_error");
	history_free(h);
	history_free(NULL);
}

static void
test_cap(void **state)
{
	struct tdir	*d = *state;
	struct history	*h, *h2;
	char		 err[256];
	int		 i;

	assert_non_null(h = history_new());
	for (i = 0; i < SYSG_RUNS_KEPT + 17; i++) {
		assert_int_equal(history_run_start(h, "j", T0 + i * 1000, i),
		    0);
		assert_int_equal(history_run_finish(h, "j", T0 + i * 1000,
		    T0 + i * 1000 + 10, i % 256, 0, CRON_FAILED, NULL), 0);
	}
	assert_int_equal(history_count(h, "j"), SYSG_RUNS_KEPT);
	assert_int_equal(history_get(h, "j", 0)->started_ms, T0 + 17 * 1000);
	assert_int_equal(history_last(h, "j")->started_ms,
	    T0 + (SYSG_RUNS_KEPT + 16) * 1000);
	/* a start when full evicts the oldest too */
	assert_int_equal(history_run_start(h, "j", T0 + 999999, 1), 0);
	assert_int_equal(history_count(h, "j"), SYSG_RUNS_KEPT);
	assert_int_equal(history_get(h, "j", 0)->started_ms, T0 + 18 * 1000);
	assert_int_equal(history_save(h, d->fd, HISTORY_FILE), 0);
	assert_non_null(h2 = history_new());
	assert_int_equal(history_load(h2, d->fd, HISTORY_FILE, err,
	    sizeof(err)), 0);
	assert_int_equal(history_count(h2, "j"), SYSG_RUNS_KEPT);
	assert_int_equal(history_get(h2, "j", 0)->started_ms, T0 + 18 * 1000);
	assert_int_equal(history_last(h2, "j")->outcome, CRON_RUNNING);
	history_free(h2);
	history_free(h);
}

/* A file with more runs than kept: the newest ones are loaded. */
static void
test_cap_file(void **state)
{
	struct tdir	*d = *state;
	struct history	*h;
	json_t		*runs, *root;
	char		*text, ts[64];
	int		 i;

	assert_non_null(runs = json_array());
	for (i = 0; i < 70; i++) {
		snprintf(ts, sizeof(ts), "2026-01-01T00:%02d:00Z", i % 60);
		if (i >= 60)
			snprintf(ts, sizeof(ts), "2026-01-01T01:%02d:00Z",
			    i - 60);
		json_array_append_new(runs, json_pack("{s:s, s:s, s:i}",
		    "started_at", ts, "outcome", "success", "exit_code", 0));
	}
	root = json_pack("{s:s, s:{s:{s:o}}}", "schema", "cron_state.v1",
	    "jobs", "big", "runs", runs);
	assert_non_null(root);
	text = json_dumps(root, 0);
	json_decref(root);
	put_file(d->fd, HISTORY_FILE, text, strlen(text));
	free(text);
	assert_non_null(h = history_new());
	assert_int_equal(history_load(h, d->fd, HISTORY_FILE, NULL, 0), 0);
	assert_int_equal(history_count(h, "big"), SYSG_RUNS_KEPT);
	/* run 20 (00:20) is the oldest kept */
	assert_int_equal(history_get(h, "big", 0)->started_ms,
	    (int64_t)1767225600000 + 20 * 60000);
	history_free(h);
}

static void
test_roundtrip(void **state)
{
	struct tdir			*d = *state;
	struct history			*h, *h2;
	const struct history_run	*a, *b;
	const char			*jobs[] = { "alpha", "beta", "gamma" };
	char				 err[256], *s1, *s2;
	struct stat			 st;
	size_t				 i, k;

	assert_non_null(h = history_new());
	assert_int_equal(history_run_start(h, "alpha", T0, 10), 0);
	assert_int_equal(history_run_finish(h, "alpha", T0, T0 + 5, 0, 0,
	    CRON_SUCCESS, ""), 0);
	assert_int_equal(history_run_start(h, "alpha", T0 + 100, 11), 0);
	assert_int_equal(history_run_finish(h, "beta", T0 + 7, T0 + 9000, -1,
	    SIGTERM, CRON_FAILED, "killed by \"TERM\" \\ \xc3\xa9"), 0);
	assert_int_equal(history_record_overlap(h, "beta", T0 + 10000), 0);
	assert_int_equal(history_run_finish(h, "gamma", 0, 1, 255, 0,
	    CRON_TIMEOUT, "x"), 0);
	assert_int_equal(history_save(h, d->fd, HISTORY_FILE), 0);

	assert_int_equal(fstatat(d->fd, HISTORY_FILE, &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(count_entries(d->fd), 1);

	assert_non_null(h2 = history_new());
	strlcpy(err, "junk", sizeof(err));
	assert_int_equal(history_load(h2, d->fd, HISTORY_FILE, err,
	    sizeof(err)), 0);
	assert_string_equal(err, "");
	for (i = 0; i < 3; i++) {
		assert_int_equal(history_count(h, jobs[i]),
		    history_count(h2, jobs[i]));
		for (k = 0; k < history_count(h, jobs[i]); k++) {
			a = history_get(h, jobs[i], k);
			b = history_get(h2, jobs[i], k);
			assert_int_equal(a->started_ms, b->started_ms);
			assert_int_equal(a->finished_ms, b->finished_ms);
			assert_int_equal(a->duration_ms, b->duration_ms);
			assert_int_equal(a->exit_code, b->exit_code);
			assert_int_equal(a->signal, b->signal);
			assert_int_equal(a->outcome, b->outcome);
			assert_string_equal(a->reason, b->reason);
		}
		s1 = job_text(h, jobs[i]);
		s2 = job_text(h2, jobs[i]);
		assert_string_equal(s1, s2);
		free(s1);
		free(s2);
	}
	/* the run in progress stays in progress */
	assert_int_equal(history_last(h2, "alpha")->outcome, CRON_RUNNING);
	/* save again over the old file, load again: identical */
	assert_int_equal(history_save(h2, d->fd, HISTORY_FILE), 0);
	assert_int_equal(count_entries(d->fd), 1);
	assert_int_equal(history_load(h, d->fd, HISTORY_FILE, NULL, 0), 0);
	s1 = job_text(h, "beta");
	s2 = job_text(h2, "beta");
	assert_string_equal(s1, s2);
	free(s1);
	free(s2);

	/* the daemon restarted: runs in progress are closed */
	assert_int_equal(history_abandon_running(h2, "daemon restarted"), 1);
	b = history_last(h2, "alpha");
	assert_int_equal(b->outcome, CRON_FAILED);
	assert_int_equal(b->finished_ms, -1);
	assert_string_equal(b->reason, "daemon restarted");
	assert_int_equal(history_abandon_running(h2, "again"), 0);
	/* a late end still completes it */
	assert_int_equal(history_run_finish(h2, "alpha", T0 + 100, T0 + 200,
	    0, 0, CRON_SUCCESS, NULL), 0);
	assert_int_equal(history_last(h2, "alpha")->outcome, CRON_SUCCESS);
	assert_int_equal(history_count(h2, "alpha"), 2);

	/* prune keeps the named jobs */
	history_prune(h2, jobs, 2);
	assert_int_equal(history_count(h2, "gamma"), 0);
	assert_int_equal(history_count(h2, "alpha"), 2);
	assert_int_equal(history_count(h2, "beta"), 2);
	history_prune(h2, NULL, 0);
	assert_int_equal(history_count(h2, "alpha"), 0);
	history_free(h);
	history_free(h2);
}

static void
test_apply(void **state)
{
	struct history		*h;
	struct msg_cron_run	 m;

	(void)state;
	assert_non_null(h = history_new());
	memset(&m, 0, sizeof(m));
	strlcpy(m.unit, "job", sizeof(m.unit));
	m.started_ms = (uint64_t)T0;
	m.pid = 77;
	m.exit_code = -1;
	m.outcome = CRON_RUNNING;
	assert_int_equal(history_apply(h, &m), 0);
	assert_int_equal(history_last(h, "job")->pid, 77);
	m.finished_ms = (uint64_t)T0 + 10;
	m.exit_code = 1;
	m.outcome = CRON_FAILED;
	strlcpy(m.reason, "exited with 1", sizeof(m.reason));
	assert_int_equal(history_apply(h, &m), 0);
	assert_int_equal(history_count(h, "job"), 1);
	assert_string_equal(history_last(h, "job")->reason, "exited with 1");
	/* malformed messages */
	m.outcome = CRON_OUTCOME_MAX;
	assert_int_equal(history_apply(h, &m), -1);
	m.outcome = CRON_FAILED;
	memset(m.unit, 'A', sizeof(m.unit));
	assert_int_equal(history_apply(h, &m), -1);
	strlcpy(m.unit, "job", sizeof(m.unit));
	memset(m.reason, 'B', sizeof(m.reason));
	assert_int_equal(history_apply(h, &m), -1);
	m.reason[0] = '\0';
	m.finished_ms = 0;
	assert_int_equal(history_apply(h, &m), -1);	/* start, outcome */
	m.finished_ms = UINT64_MAX;
	assert_int_equal(history_apply(h, &m), -1);
	m.finished_ms = (uint64_t)T0;
	m.signal = -3;
	assert_int_equal(history_apply(h, &m), -1);
	m.signal = 0;
	m.exit_code = 1000;
	assert_int_equal(history_apply(h, &m), -1);
	m.unit[0] = '\0';
	m.exit_code = 0;
	assert_int_equal(history_apply(h, &m), -1);
	assert_int_equal(history_count(h, "job"), 1);
	history_free(h);
}

static void
test_atomic(void **state)
{
	struct tdir	*d = *state;
	struct history	*h;
	char		 buf[256];
	ssize_t		 n;
	int		 fd;

	assert_non_null(h = history_new());
	assert_int_equal(history_run_start(h, "j", T0, 1), 0);
	/* a stale temp file from a crash is replaced, then gone */
	put_file(d->fd, HISTORY_FILE ".tmp", "stale", 5);
	assert_int_equal(history_save(h, d->fd, HISTORY_FILE), 0);
	assert_int_equal(count_entries(d->fd), 1);
	assert_int_equal(faccessat(d->fd, HISTORY_FILE ".tmp", F_OK, 0), -1);
	/* a symlink planted at the temp name is not followed */
	put_file(d->fd, "victim", "keep", 4);
	assert_int_equal(symlinkat("victim", d->fd, HISTORY_FILE ".tmp"), 0);
	assert_int_equal(history_save(h, d->fd, HISTORY_FILE), 0);
	fd = openat(d->fd, "victim", O_RDONLY);
	assert_true(fd != -1);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "keep", 4);
	assert_int_equal(count_entries(d->fd), 2);
	/* a directory where the temp file goes: save fails, no leftovers */
	assert_int_equal(mkdirat(d->fd, HISTORY_FILE ".tmp", 0700), 0);
	assert_int_equal(history_save(h, d->fd, HISTORY_FILE), -1);
	assert_int_equal(unlinkat(d->fd, HISTORY_FILE ".tmp", AT_REMOVEDIR),
	    0);
	/* the previous file is intact */
	assert_int_equal(history_load(h, d->fd, HISTORY_FILE, NULL, 0), 0);
	assert_int_equal(history_count(h, "j"), 1);
	/* a bad directory descriptor */
	assert_int_equal(history_save(h, -1, HISTORY_FILE), -1);
	history_free(h);
}

static void
test_missing_corrupt(void **state)
{
	struct tdir	*d = *state;
	struct history	*h;
	char		 err[256];

	assert_non_null(h = history_new());
	assert_int_equal(history_run_start(h, "pre", T0, 1), 0);
	/* missing: empty, no error */
	strlcpy(err, "junk", sizeof(err));
	assert_int_equal(history_load(h, d->fd, "nope.json", err,
	    sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(history_count(h, "pre"), 0);

	assert_int_equal(history_run_start(h, "pre", T0, 1), 0);
	put_file(d->fd, HISTORY_FILE, "{\"schema\":\"cron_state.v1\",", 26);
	assert_int_equal(history_load(h, d->fd, HISTORY_FILE, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "line 1"));
	assert_int_equal(history_count(h, "pre"), 0);

	put_file(d->fd, HISTORY_FILE, "", 0);
	assert_int_equal(history_load(h, d->fd, HISTORY_FILE, err,
	    sizeof(err)), -1);
	put_file(d->fd, HISTORY_FILE, "\0\0\0\xff", 4);
	assert_int_equal(history_load(h, d->fd, HISTORY_FILE, err,
	    sizeof(err)), -1);
	put_file(d->fd, HISTORY_FILE, "{\"jobs\":{}}", 11);
	assert_int_equal(history_load(h, d->fd, HISTORY_FILE, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "not a cron_state.v1 file");
	put_file(d->fd, HISTORY_FILE, "{\"schema\":\"cron_state.v2\","
	    "\"jobs\":{}}", 36);
	assert_int_equal(history_load(h, d->fd, HISTORY_FILE, err,
	    sizeof(err)), -1);
	put_file(d->fd, HISTORY_FILE, "[1,2]", 5);
	assert_int_equal(history_load(h, d->fd, HISTORY_FILE, err,
	    sizeof(err)), -1);
	put_file(d->fd, HISTORY_FILE, "{\"schema\":\"cron_state.v1\","
	    "\"jobs\":[]}", 36);
	assert_int_equal(history_load(h, d->fd, HISTORY_FILE, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "\"jobs\" is not an object");

	/* not a regular file, or a symlink: refused, never followed */
	unlinkat(d->fd, HISTORY_FILE, 0);
	assert_int_equal(mkdirat(d->fd, HISTORY_FILE, 0700), 0);
	assert_int_equal(history_load(h, d->fd, HISTORY_FILE, err,
	    sizeof(err)), -1);
	assert_int_equal(unlinkat(d->fd, HISTORY_FILE, AT_REMOVEDIR), 0);
	assert_int_equal(mkfifoat(d->fd, HISTORY_FILE, 0600), 0);
	assert_int_equal(history_load(h, d->fd, HISTORY_FILE, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "not a regular file");
	unlinkat(d->fd, HISTORY_FILE, 0);
	put_file(d->fd, "real.json", "{\"schema\":\"cron_state.v1\","
	    "\"jobs\":{}}", 36);
	assert_int_equal(symlinkat("real.json", d->fd, HISTORY_FILE), 0);
	assert_int_equal(history_load(h, d->fd, HISTORY_FILE, err,
	    sizeof(err)), -1);
	unlinkat(d->fd, HISTORY_FILE, 0);
	assert_int_equal(history_load(h, d->fd, "real.json", NULL, 0), 0);
	history_free(h);
}

/* Documents with wrong types: never a crash, bad parts dropped. */
static const struct hcase {
	const char	*doc;
	int		 ret;
	const char	*job;		/* expect this many runs of job */
	size_t		 nruns;
} hostile[] = {
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{}}", 0, "a", 0 },
	{ "{\"schema\":5,\"jobs\":{}}", -1, "a", 0 },
	{ "{\"schema\":null}", -1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\"}", -1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":5}}", 1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":null}}", 1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{}}}", 1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":{}}}}",
	    1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":[]}}}",
	    0, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[1,\"x\",null,[],{},true]}}}", 1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":5}]}}}", 1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"garbage\"}]}}}", 1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-30T00:00:00Z\"}]}}}", 1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-28T00:00:00\"}]}}}", 1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-28T00:00:00Zjunk\"}]}}}", 1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"1969-12-31T23:59:59Z\"}]}}}", 1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-28T00:00:00+01:00\"},"
	    "{\"started_at\":\"2026-02-28T00:00:00.5-01:30\"},"
	    "{\"started_at\":\"2026-02-28t00:00:00.123456789z\"}]}}}",
	    0, "a", 3 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-28T00:00:00Z\",\"exit_code\":\"0\"}]}}}",
	    1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-28T00:00:00Z\",\"exit_code\":1e300}]}}}",
	    1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-28T00:00:00Z\","
	    "\"exit_code\":99999999999999}]}}}", 1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-28T00:00:00Z\",\"signal\":-1}]}}}",
	    1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-28T00:00:00Z\",\"outcome\":\"bogus\"}]}}}",
	    1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-28T00:00:00Z\",\"outcome\":7}]}}}",
	    1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-28T00:00:00Z\",\"reason\":7}]}}}",
	    1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-28T00:00:00Z\",\"duration_ms\":-4}]}}}",
	    1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-28T00:00:00Z\",\"finished_at\":[]}]}}}",
	    1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-28T00:00:00Z\",\"outcome\":\"running\"},"
	    "{\"started_at\":\"2026-02-28T00:00:01Z\",\"outcome\":\"success\","
	    "\"signal_name\":5,\"extra\":{\"x\":[1]}}]}}}", 1, "a", 1 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"\":{\"runs\":[]},"
	    "\"a\":{\"runs\":[{\"started_at\":\"2026-02-28T00:00:00Z\"}]}}}",
	    1, "a", 1 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\\u0000b\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-28T00:00:00Z\"}]}}}", -1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\\nb\":{\"runs\":[]}}}",
	    1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"aaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\":{\"runs\":[]}}}", 1, "a", 0 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":"
	    "[{\"started_at\":\"2026-02-28T00:00:00Z\",\"exit_code\":null,"
	    "\"signal\":null,\"outcome\":null,\"reason\":null,"
	    "\"finished_at\":null,\"duration_ms\":null}]}}}", 0, "a", 1 },
	{ "{\"schema\":\"cron_state.v1\",\"jobs\":{\"a\":{\"runs\":[]}},"
	    "\"jobs\":5}", -1, "a", 0 },
};

static void
test_hostile(void **state)
{
	struct tdir	*d = *state;
	struct history	*h;
	char		 err[256], *deep, *big;
	size_t		 i, n;
	json_t		*j;

	assert_non_null(h = history_new());
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		put_file(d->fd, HISTORY_FILE, hostile[i].doc,
		    strlen(hostile[i].doc));
		err[0] = '\0';
		if (history_load(h, d->fd, HISTORY_FILE, err, sizeof(err)) !=
		    hostile[i].ret ||
		    history_count(h, hostile[i].job) != hostile[i].nruns) {
			print_error("case %zu: %s: err \"%s\" runs %zu\n", i,
			    hostile[i].doc, err,
			    history_count(h, hostile[i].job));
			fail();
		}
		if (hostile[i].ret != 0)
			assert_true(err[0] != '\0');
		/* whatever was loaded can be shown and saved */
		j = history_job_json(h, hostile[i].job);
		assert_non_null(j);
		json_decref(j);
		assert_int_equal(history_save(h, d->fd, "out.json"), 0);
	}
	/* a long reason is cut, not overflowed */
	assert_non_null(big = malloc(100000));
	n = (size_t)snprintf(big, 100000, "{\"schema\":\"cron_state.v1\","
	    "\"jobs\":{\"a\":{\"runs\":[{\"started_at\":"
	    "\"2026-02-28T00:00:00Z\",\"reason\":\"");
	memset(big + n, 'r', 50000);
	strlcpy(big + n + 50000, "\"}]}}}", 100000 - n - 50000);
	put_file(d->fd, HISTORY_FILE, big, strlen(big));
	free(big);
	assert_int_equal(history_load(h, d->fd, HISTORY_FILE, NULL, 0), 0);
	assert_int_equal(strlen(history_last(h, "a")->reason),
	    HISTORY_REASON_MAX - 1);
	/* deep nesting */
	n = 200000;
	assert_non_null(deep = malloc(n + 1));
	memset(deep, '[', n);
	deep[n] = '\0';
	put_file(d->fd, HISTORY_FILE, deep, n);
	free(deep);
	assert_int_equal(history_load(h, d->fd, HISTORY_FILE, err,
	    sizeof(err)), -1);
	history_free(h);
}

/* Random damage to a good file: load never crashes. */
static void
test_fuzz(void **state)
{
	struct tdir	*d = *state;
	struct history	*h;
	char		*good, *m;
	size_t		 len, k;
	unsigned int	 seed = 1234;
	int		 i, r, c[3] = { 0, 0, 0 };
	json_t		*j;

	assert_non_null(h = history_new());
	for (i = 0; i < 5; i++) {
		assert_int_equal(history_run_start(h, "a", T0 + i, i), 0);
		assert_int_equal(history_run_finish(h, "a", T0 + i, T0 + 99, 1,
		    i == 2 ? 9 : 0, CRON_FAILED, "why"), 0);
		assert_int_equal(history_record_overlap(h, "b", T0 + i), 0);
	}
	assert_int_equal(history_run_start(h, "c", T0, 1), 0);
	assert_int_equal(history_save(h, d->fd, HISTORY_FILE), 0);
	{
		char	 path[128];
		FILE	*f;

		snprintf(path, sizeof(path), "%s/%s", d->path, HISTORY_FILE);
		assert_non_null(f = fopen(path, "r"));
		assert_non_null(good = malloc(65536));
		len = fread(good, 1, 65535, f);
		fclose(f);
	}
	assert_true(len > 100);
	assert_non_null(m = malloc(len));
	for (i = 0; i < 3000; i++) {
		static const char	 tok[] = "{}[]\",:0-9.eE ntrufalsZT\\";

		memcpy(m, good, len);
		for (k = 0; k < (size_t)(1 + i % 6); k++)
			m[(size_t)rand_r(&seed) % len] =
			    tok[(size_t)rand_r(&seed) % (sizeof(tok) - 1)];
		put_file(d->fd, HISTORY_FILE, m, i % 5 == 0 ?
		    (size_t)rand_r(&seed) % len : len);
		r = history_load(h, d->fd, HISTORY_FILE, NULL, 0);
		assert_true(r >= -1 && r <= 1);
		c[r + 1]++;
		j = history_job_json(h, "a");
		json_decref(j);
	}
	print_message("fuzz: %d corrupt, %d clean, %d partial\n", c[0], c[1],
	    c[2]);
	free(m);
	free(good);
	history_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_apply),
		cmocka_unit_test_setup_teardown(test_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_corrupt, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
