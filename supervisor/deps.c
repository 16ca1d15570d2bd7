/*
 * Dependencies: a unit starts once every dependency is ready; a failed,
 * skipped or blocked dependency blocks it; a dependency that goes down
 * takes its running dependents down with it until it is ready again.
 */

#include <string.h>

#include "log.h"
#include "proc.h"
#include "supervisor.h"

int
deps_depends_on(const struct unit *v, const struct unit *u)
{
	size_t	 i;

	for (i = 0; i < v->conf->ndeps; i++)
		if (strcmp(v->conf->depends_on[i], u->conf->name) == 0)
			return 1;
	return 0;
}

static const char *
dep_bad(const struct unit *d)
{
	switch (d->state) {
	case ST_FAILED:
		return "failed";
	case ST_SKIPPED:
		return "skipped";
	case ST_BLOCKED:
		return "blocked";
	default:
		return NULL;
	}
}

/* For a unit that waits or is blocked: can it start now? */
void
deps_evaluate(struct unit *u)
{
	struct unit	*d;
	const char	*bad;
	size_t		 i;

	if (u->state != ST_WAITING && u->state != ST_BLOCKED)
		return;
	if (u->manual_stop || sup.shutting_down || !sup.go)
		return;
	for (i = 0; i < u->conf->ndeps; i++) {
		if ((d = unit_find(u->conf->depends_on[i])) == NULL)
			continue;
		if (d->ready)
			continue;
		if ((bad = dep_bad(d)) != NULL) {
			unit_set_reason(u, "dependency %s %s", d->conf->name,
			    bad);
			/* Already blocked: only the reason may have changed. */
			if (u->state == ST_WAITING)
				fsm(u, EV_DEP_BAD, u->reason);
			else
				ctl_units_changed();
			return;
		}
		unit_set_reason(u, "waiting for %s", d->conf->name);
		if (u->state == ST_BLOCKED) {
			u->state = ST_WAITING;
			sup_state_changed(u);
		}
		return;
	}
	u->reason[0] = '\0';
	fsm(u, EV_DEPS_OK, "dependencies ready");
}

/* u changed: look at the units that depend on it. */
void
deps_propagate(struct unit *u)
{
	struct unit	*v;
	size_t		 i;

	if (!sup.go || sup.shutting_down)
		return;
	for (i = 0; i < sup.nunits; i++) {
		v = sup.units[i];
		if (v == u || v->conf->ndeps == 0 || !deps_depends_on(v, u))
			continue;
		if (!u->ready && (v->state == ST_RUNNING ||
		    v->state == ST_STARTING || v->state == ST_BACKOFF) &&
		    u->state != ST_STOPPING) {
			fsm(v, EV_DEP_DOWN, "dependency went down");
			continue;
		}
		deps_evaluate(v);
	}
}

int
deps_dependents_active(const struct unit *u)
{
	size_t	 i;

	for (i = 0; i < sup.nunits; i++)
		if (sup.units[i] != u && deps_depends_on(sup.units[i], u) &&
		    unit_active(sup.units[i]))
			return 1;
	return 0;
}
