/*
 * Cron run history and cron_state.json.  See history.h.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "sysg.h"
#include "atomicio.h"
#include "history.h"

#define HISTORY_FILE_MAX	(32 * 1024 * 1024)
#define MS_MAX			((int64_t)253402300799999) /* year 9999 */

struct job {
	char			 name[SYSG_NAME_MAX + 1];
	size_t			 n;
	struct history_run	 runs[SYSG_RUNS_KEPT];
};

struct history {
	struct job		*jobs;
	size_t			 njobs;
	size_t			 cap;
};

static const char *const outcome_names[CRON_OUTCOME_MAX] = {
	[CRON_SUCCESS] = "success",
	[CRON_FAILED] = "failed",
	[CRON_TIMEOUT] = "timeout",
	[CRON_OVERLAP] = "overlap",
	[CRON_START_ERROR] = "start_error",
	[CRON_RUNNING] = NULL,
};

const char *
history_outcome_name(enum cron_outcome o)
{
	if ((unsigned)o >= CRON_OUTCOME_MAX)
		return NULL;
	return outcome_names[o];
}

struct history *
history_new(void)
{
	return calloc(1, sizeof(struct history));
}

static void
history_clear(struct history *h)
{
	free(h->jobs);
	h->jobs = NULL;
	h->njobs = h->cap = 0;
}

void
history_free(struct history *h)
{
	if (h == NULL)
		return;
	history_clear(h);
	free(h);
}

static int
name_ok(const char *name)
{
	size_t	 len, i;

	if (name == NULL)
		return 0;
	len = strlen(name);
	if (len == 0 || len > SYSG_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return 0;
	return 1;
}

static struct job *
job_find(const struct history *h, const char *name)
{
	size_t	 i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < h->njobs; i++)
		if (strcmp(h->jobs[i].name, name) == 0)
			return &h->jobs[i];
	return NULL;
}

static struct job *
job_get(struct history *h, const char *name)
{
	struct job	*j;
	size_t		 ncap;

	if (!name_ok(name))
		return NULL;
	if ((j = job_find(h, name)) != NULL)
		return j;
	if (h->njobs == h->cap) {
		ncap = h->cap == 0 ? 4 : h->cap * 2;
		j = reallocarray(h->jobs, ncap, sizeof(*j));
		if (j == NULL)
			return NULL;
		h->jobs = j;
		h->cap = ncap;
	}
	j = &h->jobs[h->njobs++];
	memset(j, 0, sizeof(*j));
	strlcpy(j->name, name, sizeof(j->name));
	return j;
}

/* Append a run, evicting the oldest one when full. */
static struct history_run *
job_append(struct job *j)
{
	struct history_run	*r;

	if (j->n == SYSG_RUNS_KEPT) {
		memmove(&j->runs[0], &j->runs[1],
		    (SYSG_RUNS_KEPT - 1) * sizeof(j->runs[0]));
		j->n--;
	}
	r = &j->runs[j->n++];
	memset(r, 0, sizeof(*r));
	r->finished_ms = -1;
	r->duration_ms = -1;
	r->exit_code = -1;
	r->outcome = CRON_RUNNING;
	return r;
}

static int
ms_ok(int64_t ms)
{
	return ms >= 0 && ms <= MS_MAX;
}

int
history_run_start(struct history *h, const char *name, int64_t started,
    pid_t pid)
{
	struct job		*j;
	struct history_run	*r;
	size_t			 i;

	if (!ms_ok(started) || (j = job_get(h, name)) == NULL)
		return -1;
	for (i = j->n; i > 0; i--) {
		r = &j->runs[i - 1];
		if (r->started_ms == started && r->outcome == CRON_RUNNING) {
			r->pid = pid;		/* told twice */
			return 0;
		}
	}
	r = job_append(j);
	r->started_ms = started;
	r->pid = pid;
	return 0;
}

int
history_run_finish(struct history *h, const char *name, int64_t started,
    int64_t finished, int exit_code, int sig, enum cron_outcome outcome,
    const char *reason)
{
	struct job		*j;
	struct history_run	*r = NULL;
	size_t			 i;

	if (!ms_ok(started) || !ms_ok(finished) || exit_code < -1 ||
	    exit_code > 255 || sig < 0 || sig > 128 ||
	    (unsigned)outcome >= CRON_RUNNING ||
	    (j = job_get(h, name)) == NULL)
		return -1;
	for (i = j->n; i > 0; i--)
		if (j->runs[i - 1].started_ms == started) {
			r = &j->runs[i - 1];
			break;
		}
	if (r == NULL) {
		r = job_append(j);
		r->started_ms = started;
	}
	r->finished_ms = finished;
	r->duration_ms = finished > started ? finished - started : 0;
	r->exit_code = exit_code;
	r->signal = sig;
	r->outcome = outcome;
	r->reason[0] = '\0';
	if (reason != NULL)
		strlcpy(r->reason, reason, sizeof(r->reason));
	return 0;
}

int
history_record_overlap(struct history *h, const char *name, int64_t at)
{
	struct job		*j;
	struct history_run	*r;

	if (!ms_ok(at) || (j = job_get(h, name)) == NULL)
		return -1;
	r = job_append(j);
	r->started_ms = at;
	r->finished_ms = at;
	r->duration_ms = 0;
	r->outcome = CRON_OVERLAP;
	strlcpy(r->reason, "previous run still running", sizeof(r->reason));
	return 0;
}

int
history_apply(struct history *h, const struct msg_cron_run *m)
{
	if (memchr(m->unit, '\0', sizeof(m->unit)) == NULL ||
	    memchr(m->reason, '\0', sizeof(m->reason)) == NULL ||
	    m->started_ms > (uint64_t)MS_MAX ||
	    m->finished_ms > (uint64_t)MS_MAX ||
	    m->outcome >= CRON_OUTCOME_MAX)
		return -1;
	if (m->finished_ms == 0) {
		if (m->outcome != CRON_RUNNING)
			return -1;
		return history_run_start(h, m->unit, (int64_t)m->started_ms,
		    m->pid);
	}
	return history_run_finish(h, m->unit, (int64_t)m->started_ms,
	    (int64_t)m->finished_ms, m->exit_code, m->signal,
	    (enum cron_outcome)m->outcome, m->reason);
}

size_t
history_abandon_running(struct history *h, const char *reason)
{
	struct history_run	*r;
	size_t			 i, k, n = 0;

	for (i = 0; i < h->njobs; i++)
		for (k = 0; k < h->jobs[i].n; k++) {
			r = &h->jobs[i].runs[k];
			if (r->outcome != CRON_RUNNING)
				continue;
			r->outcome = CRON_FAILED;
			r->pid = 0;
			strlcpy(r->reason, reason != NULL ? reason : "",
			    sizeof(r->reason));
			n++;
		}
	return n;
}

size_t
history_count(const struct history *h, const char *name)
{
	struct job	*j = job_find(h, name);

	return j != NULL ? j->n : 0;
}

const struct history_run *
history_get(const struct history *h, const char *name, size_t i)
{
	struct job	*j = job_find(h, name);

	if (j == NULL || i >= j->n)
		return NULL;
	return &j->runs[i];
}

const struct history_run *
history_last(const struct history *h, const char *name)
{
	struct job	*j = job_find(h, name);

	if (j == NULL || j->n == 0)
		return NULL;
	return &j->runs[j->n - 1];
}

void
history_prune(struct history *h, const char *const *keep, size_t nkeep)
{
	size_t	 i, k, out = 0;
	int	 found;

	for (i = 0; i < h->njobs; i++) {
		found = 0;
		for (k = 0; k < nkeep && !found; k++)
			found = keep[k] != NULL &&
			    strcmp(keep[k], h->jobs[i].name) == 0;
		if (!found)
			continue;
		if (out != i)
			h->jobs[out] = h->jobs[i];
		out++;
	}
	h->njobs = out;
}

/* ------------------------------------------------------------------ */
/* JSON */

static json_t *
ms_json(int64_t ms)
{
	struct tm	 tm;
	time_t		 t;
	char		 buf[64];

	if (ms < 0)
		return json_null();
	t = (time_t)(ms / 1000);
	if (gmtime_r(&t, &tm) == NULL)
		return json_null();
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	return json_string(buf);
}

static json_t *
signame_json(int sig)
{
	const char	*name;
	char		 buf[32];

	if (sig <= 0)
		return json_null();
	if ((name = sigabbrev_np(sig)) != NULL)
		return json_string(name);
	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		snprintf(buf, sizeof(buf), "RTMIN+%d", sig - SIGRTMIN);
		return json_string(buf);
	}
	return json_null();
}

static json_t *
int_or_null(int64_t v, int64_t none)
{
	return v == none ? json_null() : json_integer(v);
}

json_t *
history_run_json(const struct history_run *r)
{
	const char	*oc = history_outcome_name(r->outcome);

	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "started_at", ms_json(r->started_ms),
	    "finished_at", ms_json(r->finished_ms),
	    "duration_ms", int_or_null(r->duration_ms, -1),
	    "exit_code", int_or_null(r->exit_code, -1),
	    "signal", int_or_null(r->signal, 0),
	    "signal_name", signame_json(r->signal),
	    "outcome", oc != NULL ? json_string(oc) : json_null(),
	    "reason", r->reason[0] != '\0' ? json_string(r->reason) :
	    json_null());
}

static json_t *
job_json(const struct job *j)
{
	json_t	*a, *r;
	size_t	 i;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; j != NULL && i < j->n; i++) {
		if ((r = history_run_json(&j->runs[i])) == NULL ||
		    json_array_append_new(a, r) == -1) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *
history_job_json(const struct history *h, const char *name)
{
	return job_json(job_find(h, name));
}

static json_t *
history_json(const struct history *h)
{
	json_t	*root, *jobs, *runs;
	size_t	 i;

	jobs = json_object();
	root = json_pack("{s:s, s:o}", "schema", HISTORY_SCHEMA, "jobs", jobs);
	if (root == NULL)
		return NULL;
	for (i = 0; i < h->njobs; i++) {
		if ((runs = job_json(&h->jobs[i])) == NULL ||
		    json_object_set_new(jobs, h->jobs[i].name,
		    json_pack("{s:o}", "runs", runs)) == -1) {
			json_decref(root);
			return NULL;
		}
	}
	return root;
}

/* ------------------------------------------------------------------ */
/* Loading */

static int __attribute__((format(printf, 3, 4)))
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
digits(const char **sp, int n, int *v)
{
	const char	*s = *sp;
	int		 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	*sp = s + n;
	return 0;
}

static int
expect(const char **sp, char c)
{
	if (**sp != c)
		return -1;
	(*sp)++;
	return 0;
}

/* RFC 3339: "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)" to ms. */
static int
parse_time(const char *s, int64_t *ms)
{
	struct tm	 tm;
	int		 y, mo, d, hh, mi, ss, oh, om, frac = 0, scale = 100;
	int		 sign;
	int64_t		 t;

	if (digits(&s, 4, &y) == -1 || expect(&s, '-') == -1 ||
	    digits(&s, 2, &mo) == -1 || expect(&s, '-') == -1 ||
	    digits(&s, 2, &d) == -1 || (*s != 'T' && *s != 't') ||
	    (s++, digits(&s, 2, &hh)) == -1 || expect(&s, ':') == -1 ||
	    digits(&s, 2, &mi) == -1 || expect(&s, ':') == -1 ||
	    digits(&s, 2, &ss) == -1)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59 ||
	    ss > 60)
		return -1;
	if (*s == '.') {
		if (*++s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++) {
			frac += (*s - '0') * scale;
			scale /= 10;
		}
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
		oh = om = 0;
		sign = 1;
	} else {
		if (*s != '+' && *s != '-')
			return -1;
		sign = *s++ == '-' ? -1 : 1;
		if (digits(&s, 2, &oh) == -1 || expect(&s, ':') == -1 ||
		    digits(&s, 2, &om) == -1 || oh > 23 || om > 59)
			return -1;
	}
	if (*s != '\0')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = hh;
	tm.tm_min = mi;
	tm.tm_sec = ss > 59 ? 59 : ss;
	t = (int64_t)timegm(&tm);
	if (tm.tm_mday != d)		/* Feb 30 and the like */
		return -1;
	t -= sign * (oh * 3600 + om * 60);
	*ms = t * 1000 + frac;
	return ms_ok(*ms) ? 0 : -1;
}

static int
opt_time(json_t *v, int64_t *ms)
{
	*ms = -1;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	return parse_time(json_string_value(v), ms);
}

static int
opt_int(json_t *v, int64_t lo, int64_t hi, int64_t none, int64_t *out)
{
	*out = none;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

static int
opt_outcome(json_t *v, enum cron_outcome *o)
{
	int	 i;

	*o = CRON_RUNNING;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	for (i = 0; i < CRON_RUNNING; i++)
		if (strcmp(json_string_value(v), outcome_names[i]) == 0) {
			*o = (enum cron_outcome)i;
			return 0;
		}
	return -1;
}

static int
load_run(json_t *o, struct history_run *r)
{
	json_t	*reason;
	int64_t	 code, sig;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(o) ||
	    !json_is_string(json_object_get(o, "started_at")) ||
	    opt_time(json_object_get(o, "started_at"), &r->started_ms) ||
	    opt_time(json_object_get(o, "finished_at"), &r->finished_ms) ||
	    opt_int(json_object_get(o, "duration_ms"), 0, MS_MAX, -1,
	    &r->duration_ms) ||
	    opt_int(json_object_get(o, "exit_code"), 0, 255, -1, &code) ||
	    opt_int(json_object_get(o, "signal"), 1, 128, 0, &sig) ||
	    opt_outcome(json_object_get(o, "outcome"), &r->outcome))
		return -1;
	r->exit_code = (int)code;
	r->signal = (int)sig;
	reason = json_object_get(o, "reason");
	if (json_is_string(reason))
		strlcpy(r->reason, json_string_value(reason),
		    sizeof(r->reason));
	else if (reason != NULL && !json_is_null(reason))
		return -1;
	return 0;
}

struct loadctx {
	size_t		 dropped;
	char		*err;
	size_t		 errlen;
};

static void __attribute__((format(printf, 2, 3)))
dropped(struct loadctx *lc, const char *fmt, ...)
{
	va_list	 ap;

	if (lc->dropped++ == 0 && lc->err != NULL && lc->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(lc->err, lc->errlen, fmt, ap);
		va_end(ap);
	}
}

static int
load_job(struct history *h, const char *name, size_t keylen, json_t *o,
    struct loadctx *lc)
{
	json_t		*runs;
	struct job	*j;
	size_t		 i, first;

	if (keylen != strlen(name) || !name_ok(name) ||
	    job_find(h, name) != NULL) {
		dropped(lc, "invalid job name");
		return 0;
	}
	runs = json_object_get(o, "runs");
	if (!json_is_object(o) || !json_is_array(runs)) {
		dropped(lc, "job %s: \"runs\" is not an array", name);
		return 0;
	}
	if ((j = job_get(h, name)) == NULL)
		return -1;
	first = json_array_size(runs) > SYSG_RUNS_KEPT ?
	    json_array_size(runs) - SYSG_RUNS_KEPT : 0;
	for (i = first; i < json_array_size(runs); i++) {
		if (load_run(json_array_get(runs, i), &j->runs[j->n]) == -1) {
			dropped(lc, "job %s: run %zu is invalid", name, i);
			continue;
		}
		j->n++;
	}
	return 0;
}

static int
load_root(struct history *h, json_t *root, struct loadctx *lc)
{
	json_t		*jobs, *schema;
	const char	*key;
	void		*it;

	schema = json_object_get(root, "schema");
	if (!json_is_object(root) || !json_is_string(schema) ||
	    strcmp(json_string_value(schema), HISTORY_SCHEMA) != 0)
		return seterr(lc->err, lc->errlen, "not a %s file",
		    HISTORY_SCHEMA);
	jobs = json_object_get(root, "jobs");
	if (!json_is_object(jobs))
		return seterr(lc->err, lc->errlen, "\"jobs\" is not an object");
	for (it = json_object_iter(jobs); it != NULL;
	    it = json_object_iter_next(jobs, it)) {
		if (h->njobs >= HISTORY_JOBS_MAX) {
			dropped(lc, "more than %d jobs", HISTORY_JOBS_MAX);
			break;
		}
		key = json_object_iter_key(it);
		if (load_job(h, key, json_object_iter_key_len(it),
		    json_object_iter_value(it), lc) == -1)
			return seterr(lc->err, lc->errlen, "out of memory");
	}
	return 0;
}

static int
read_file(int fd, char **bufp, size_t *lenp, char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf;
	size_t		 off = 0;
	ssize_t		 r;

	if (fstat(fd, &st) == -1)
		return seterr(err, errlen, "fstat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return seterr(err, errlen, "not a regular file");
	if (st.st_size > HISTORY_FILE_MAX)
		return seterr(err, errlen, "too large");
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		return seterr(err, errlen, "out of memory");
	while (off < (size_t)st.st_size) {
		r = read(fd, buf + off, (size_t)st.st_size - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			free(buf);
			return seterr(err, errlen, "read: %s", strerror(errno));
		}
		if (r == 0)
			break;			/* shrank meanwhile */
		off += (size_t)r;
	}
	*bufp = buf;
	*lenp = off;
	return 0;
}

int
history_load(struct history *h, int dirfd, const char *file, char *err,
    size_t errlen)
{
	struct loadctx	 lc = { 0, err, errlen };
	json_error_t	 jerr;
	json_t		*root;
	char		*buf = NULL;
	size_t		 len = 0;
	int		 fd, r;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	history_clear(h);
	fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return 0;
	if (fd == -1)
		return seterr(err, errlen, "%s: %s", file, strerror(errno));
	r = read_file(fd, &buf, &len, err, errlen);
	close(fd);
	if (r == -1)
		return -1;
	root = json_loadb(buf, len, 0, &jerr);
	free(buf);
	if (root == NULL)
		return seterr(err, errlen, "line %d column %d: %s", jerr.line,
		    jerr.column, jerr.text);
	r = load_root(h, root, &lc);
	json_decref(root);
	if (r == -1) {
		history_clear(h);
		return -1;
	}
	return lc.dropped > 0 ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* Saving */

int
history_save(const struct history *h, int dirfd, const char *file)
{
	json_t	*root;
	char	*text, *nl;
	int	 r;

	if ((root = history_json(h)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	text = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	if (text == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if ((nl = realloc(text, strlen(text) + 2)) == NULL) {
		free(text);
		errno = ENOMEM;
		return -1;
	}
	text = nl;
	strlcat(text, "\n", strlen(text) + 2);
	r = atomic_write_at(dirfd, file, text, strlen(text), 0600);
	free(text);
	return r;
}
