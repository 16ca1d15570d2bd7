/*
 * state.json: the supervisor's view of every unit, keyed by name,
 * written atomically (temp file, fsync, rename) through the state
 * directory fd, at most once per 200 ms after a change.  A restarted
 * supervisor reads it back to keep manual stops and restart counts.
 */

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicio.h"
#include "log.h"
#include "paths.h"
#include "proc.h"
#include "supervisor.h"

static struct event	*ev_write;

/* The document through jansson: the reference, and for odd names. */
static char *
state_text_jansson(void)
{
	json_t		*units = json_object(), *doc;
	struct unit	*u;
	char		*text;
	size_t		 i;

	for (i = 0; i < sup.nunits; i++) {
		u = sup.units[i];
		json_object_set_new(units, u->conf->name, json_pack(
		    "{s:s,s:I,s:i,s:b,s:o,s:I}", "state", state_name(u->state),
		    "pid", (json_int_t)u->pid, "restarts", u->restarts,
		    "manual_stop", u->manual_stop, "last_exit",
		    exit_json(u->last_status), "started_ms",
		    (json_int_t)u->started_ms));
	}
	doc = json_pack("{s:s,s:o}", "schema", "state.v1", "units", units);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	return text;
}

struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

static void
sb_add(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			fatalx("statefile: vsnprintf");
		if ((size_t)n < b->cap - b->len)
			break;
		b->cap = (b->len + (size_t)n + 1) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			fatal("realloc");
	}
	b->len += (size_t)n;
}

/* A string jansson writes as is: printable ASCII but '"' and '\'. */
static int
plain_string(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

static int
unit_cmp(const void *a, const void *b)
{
	const struct unit	*ua = *(struct unit *const *)a;
	const struct unit	*ub = *(struct unit *const *)b;

	return strcmp(ua->conf->name, ub->conf->name);
}

/*
 * state.json as json_dumps(JSON_INDENT(2) | JSON_SORT_KEYS) writes it,
 * without building a document of every unit first.
 */
char *
statefile_text(void)
{
	struct sbuf	 b;
	struct unit	**v, *u;
	const char	*sig;
	size_t		 i;
	int		 st;

	if (sup.nunits == 0)
		return strdup("{\n  \"schema\": \"state.v1\",\n"
		    "  \"units\": {}\n}");
	if ((v = reallocarray(NULL, sup.nunits, sizeof(*v))) == NULL)
		fatal("reallocarray");
	for (i = 0; i < sup.nunits; i++) {
		v[i] = sup.units[i];
		if (!plain_string(v[i]->conf->name)) {
			free(v);
			return state_text_jansson();
		}
	}
	qsort(v, sup.nunits, sizeof(*v), unit_cmp);
	b.len = 0;
	b.cap = sup.nunits * 240 + 64;
	if ((b.p = malloc(b.cap)) == NULL)
		fatal("malloc");
	sb_add(&b, "{\n  \"schema\": \"state.v1\",\n  \"units\": {");
	for (i = 0; i < sup.nunits; i++) {
		u = v[i];
		st = u->last_status;
		sb_add(&b, "%s\n    \"%s\": {\n      \"last_exit\": ",
		    i > 0 ? "," : "", u->conf->name);
		if (st == -1)
			sb_add(&b, "null");
		else if (WIFSIGNALED(st)) {
			if ((sig = sigabbrev_np(WTERMSIG(st))) == NULL)
				sig = "UNKNOWN";
			sb_add(&b, "{\n        \"name\": \"%s\",\n"
			    "        \"signal\": %d\n      }", sig,
			    WTERMSIG(st));
		} else
			sb_add(&b, "{\n        \"code\": %d\n      }",
			    WEXITSTATUS(st));
		sb_add(&b, ",\n      \"manual_stop\": %s,\n"
		    "      \"pid\": %" JSON_INTEGER_FORMAT ",\n"
		    "      \"restarts\": %d,\n"
		    "      \"started_ms\": %" JSON_INTEGER_FORMAT ",\n"
		    "      \"state\": \"%s\"\n    }",
		    u->manual_stop ? "true" : "false", (json_int_t)u->pid,
		    u->restarts, (json_int_t)u->started_ms,
		    state_name(u->state));
	}
	sb_add(&b, "\n  }\n}");
	free(v);
	return b.p;
}

static void
statefile_flush(int fd, short ev, void *arg)
{
	char	*text;

	(void)fd;
	(void)ev;
	(void)arg;
	if (sup.state_dirfd == -1)
		return;
	if ((text = statefile_text()) == NULL)
		return;
	if (atomic_write_at(sup.state_dirfd, SYSG_STATEFILE, text,
	    strlen(text), 0600) == -1)
		log_warn("write %s", SYSG_STATEFILE);
	free(text);
	/* Give back what the text and the changes since left free. */
	malloc_trim(0);
}

void
statefile_write(void)
{
	struct timeval	 tv = { 0, 200000 };

	if (!sup.started)
		return;		/* nothing decided yet, nor sandboxed */
	if (sup.shutting_down == 2) {
		statefile_flush(-1, 0, NULL);
		return;
	}
	if (ev_write == NULL &&
	    (ev_write = evtimer_new(role->base, statefile_flush, NULL)) ==
	    NULL)
		fatalx("evtimer_new");
	if (!evtimer_pending(ev_write, NULL))
		evtimer_add(ev_write, &tv);
}

/* Now, for the last moments of the process. */
void
statefile_write_now(void)
{
	if (sup.started)
		statefile_flush(-1, 0, NULL);
}

static json_t *
state_read(void)
{
	json_t		*doc;
	json_error_t	 err;
	FILE		*f;
	int		 fd;

	fd = openat(sup.state_dirfd, SYSG_STATEFILE, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return NULL;
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return NULL;
	}
	doc = json_loadf(f, 0, &err);
	fclose(f);
	if (doc == NULL)
		log_warnx("%s: corrupt (%s), ignored", SYSG_STATEFILE,
		    err.text);
	return doc;
}

/* After a supervisor restart: keep what the operator decided. */
void
statefile_restore(void)
{
	json_t		*doc, *units, *o;
	struct unit	*u;
	const char	*st;
	size_t		 i;
	int		 manual, restarts;

	if ((doc = state_read()) == NULL)
		return;
	units = json_object_get(doc, "units");
	for (i = 0; i < sup.nunits; i++) {
		u = sup.units[i];
		if ((o = json_object_get(units, u->conf->name)) == NULL)
			continue;
		st = NULL;
		manual = 0;
		restarts = 0;
		if (json_unpack(o, "{s?s,s?b,s?i}", "state", &st,
		    "manual_stop", &manual, "restarts", &restarts) == -1)
			continue;
		u->restarts = restarts;
		if (u->pid > 0 || u->conf->is_cron || st == NULL)
			continue;
		if (manual || strcmp(st, "stopped") == 0) {
			u->manual_stop = 1;
			u->state = ST_STOPPED;
		} else if (strcmp(st, "exited") == 0)
			u->state = ST_EXITED;
		else if (strcmp(st, "failed") == 0)
			u->state = ST_FAILED;
	}
	json_decref(doc);
}
