/*
 * state.json: the supervisor's view of every unit, keyed by name,
 * written atomically (temp file, fsync, rename) through the state
 * directory fd, at most once per 200 ms after a change.  A restarted
 * supervisor reads it back to keep manual stops and restart counts.
 */

#include <errno.h>
#include <fcntl.h>
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

static json_t *
state_doc(void)
{
	json_t		*units = json_object();
	struct unit	*u;
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
	return json_pack("{s:s,s:o}", "schema", "state.v1", "units", units);
}

static void
statefile_flush(int fd, short ev, void *arg)
{
	json_t	*doc;
	char	*text;

	(void)fd;
	(void)ev;
	(void)arg;
	if (sup.state_dirfd == -1)
		return;
	doc = state_doc();
	text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	if (text == NULL)
		return;
	if (atomic_write_at(sup.state_dirfd, SYSG_STATEFILE, text,
	    strlen(text), 0600) == -1)
		log_warn("write %s", SYSG_STATEFILE);
	free(text);
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
