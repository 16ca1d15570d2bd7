/*
 * Dependencies: a unit starts once every dependency is ready; a failed,
 * skipped or blocked dependency blocks it; a dependency that goes down
 * takes its running dependents down with it until it is ready again.
 */

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "proc.h"
#include "supervisor.h"

/*
 * The dependents index: for every name some unit depends on, the units
 * that list it, in table order (by seq).  Kept by name, not by unit, so
 * a dependency that is not (or no longer, or not yet) a unit is fine.
 */
struct depset {
	struct hnode	 node;
	struct unit	**v;
	size_t		 n;
	size_t		 cap;
	char		 name[];
};

static const char *
depset_key(const struct hnode *n)
{
	return ((const struct depset *)(const void *)n)->name;
}

static struct htab	 depsets = HTAB_INITIALIZER(depset_key);
static int		 deps_busy;	/* a depset is being walked */

static struct depset *
depset_find(const char *name)
{
	return (struct depset *)(void *)htab_find(&depsets, name);
}

/* v's conf is in force: list v under each of its dependencies. */
void
deps_index_add(struct unit *v)
{
	struct depset	*ds;
	const char	*name;
	size_t		 i, k, len;

	for (i = 0; i < v->conf->ndeps; i++) {
		name = v->conf->depends_on[i];
		if ((ds = depset_find(name)) == NULL) {
			len = strlen(name);
			if ((ds = calloc(1, sizeof(*ds) + len + 1)) == NULL)
				fatal("calloc");
			memcpy(ds->name, name, len + 1);
			htab_insert(&depsets, &ds->node);
		}
		for (k = ds->n; k > 0 && ds->v[k - 1]->seq > v->seq; k--)
			;
		if (k > 0 && ds->v[k - 1] == v)
			continue;		/* listed twice */
		if (ds->n == ds->cap) {
			ds->cap = ds->cap > 0 ? ds->cap * 2 : 4;
			if ((ds->v = reallocarray(ds->v, ds->cap,
			    sizeof(*ds->v))) == NULL)
				fatal("reallocarray");
		}
		memmove(ds->v + k + 1, ds->v + k, (ds->n - k) *
		    sizeof(*ds->v));
		ds->v[k] = v;
		ds->n++;
	}
}

/* v goes, or its conf is about to be replaced: unlist it. */
void
deps_index_del(struct unit *v)
{
	struct depset	*ds;
	size_t		 i, k;

	for (i = 0; i < v->conf->ndeps; i++) {
		if ((ds = depset_find(v->conf->depends_on[i])) == NULL)
			continue;
		for (k = 0; k < ds->n; k++)
			if (ds->v[k] == v) {
				memmove(ds->v + k, ds->v + k + 1,
				    (ds->n - k - 1) * sizeof(*ds->v));
				ds->n--;
				break;
			}
		if (ds->n == 0 && deps_busy == 0) {
			htab_remove(&depsets, &ds->node);
			free(ds->v);
			free(ds);
		}
	}
}

/* The units that depend on u, in table order. */
struct unit *const *
deps_dependents(const struct unit *u, size_t *n)
{
	struct depset	*ds;

	if ((ds = depset_find(u->conf->name)) == NULL) {
		*n = 0;
		return NULL;
	}
	*n = ds->n;
	return ds->v;
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
				fsm(u, EV_DEP_BAD, unit_reason(u));
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
	unit_clear_reason(u);
	fsm(u, EV_DEPS_OK, "dependencies ready");
}

/* u changed: look at the units that depend on it. */
void
deps_propagate(struct unit *u)
{
	struct depset	*ds;
	struct unit	*v;
	size_t		 i;

	if (!sup.go || sup.shutting_down)
		return;
	if ((ds = depset_find(u->conf->name)) == NULL)
		return;
	deps_busy++;
	/* ds->n is read again every time: fsm() may change the set. */
	for (i = 0; i < ds->n; i++) {
		v = ds->v[i];
		if (v == u)
			continue;
		if (!u->ready && (v->state == ST_RUNNING ||
		    v->state == ST_STARTING || v->state == ST_BACKOFF) &&
		    u->state != ST_STOPPING) {
			fsm(v, EV_DEP_DOWN, "dependency went down");
			continue;
		}
		deps_evaluate(v);
	}
	deps_busy--;
}

int
deps_dependents_active(const struct unit *u)
{
	struct unit *const	*v;
	size_t			 i, n;

	v = deps_dependents(u, &n);
	for (i = 0; i < n; i++)
		if (v[i] != u && unit_active(v[i]))
			return 1;
	return 0;
}
