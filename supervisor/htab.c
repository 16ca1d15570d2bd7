/*
 * Small hash tables for the supervisor (see htab.h).
 */

#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "log.h"

#define HTAB_MINBUCKETS	64

/* FNV-1a: names are short. */
uint32_t
htab_hash(const char *s)
{
	uint32_t	 h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
htab_grow(struct htab *t)
{
	struct hnode	**nb, *n, *next;
	size_t		  i, cap;

	cap = t->nb > 0 ? t->nb * 2 : HTAB_MINBUCKETS;
	if ((nb = calloc(cap, sizeof(*nb))) == NULL)
		fatal("calloc");
	for (i = 0; i < t->nb; i++)
		for (n = t->b[i]; n != NULL; n = next) {
			next = n->next;
			n->next = nb[n->hash & (cap - 1)];
			nb[n->hash & (cap - 1)] = n;
		}
	free(t->b);
	t->b = nb;
	t->nb = cap;
}

void
htab_insert(struct htab *t, struct hnode *n)
{
	struct hnode	**bp;

	if (t->n + 1 > t->nb)
		htab_grow(t);
	n->hash = htab_hash(t->key(n));
	bp = &t->b[n->hash & (t->nb - 1)];
	n->next = *bp;
	*bp = n;
	t->n++;
}

void
htab_remove(struct htab *t, struct hnode *n)
{
	struct hnode	**pp;

	if (t->nb == 0)
		return;
	for (pp = &t->b[n->hash & (t->nb - 1)]; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			t->n--;
			return;
		}
}

struct hnode *
htab_find(const struct htab *t, const char *key)
{
	struct hnode	*n;
	uint32_t	 h;

	if (t->n == 0)
		return NULL;
	h = htab_hash(key);
	for (n = t->b[h & (t->nb - 1)]; n != NULL; n = n->next)
		if (n->hash == h && strcmp(t->key(n), key) == 0)
			return n;
	return NULL;
}

void
htab_clear(struct htab *t)
{
	free(t->b);
	t->b = NULL;
	t->nb = t->n = 0;
}

/* ------------------------------------------------------------------ */

static size_t
pid_slot(pid_t pid, size_t cap)
{
	return ((uint32_t)pid * 2654435761u) & (cap - 1);
}

void
pidmap_init(struct pidmap *m, size_t n)
{
	size_t	 cap = 16;

	while (cap < n * 2)
		cap *= 2;
	if ((m->e = calloc(cap, sizeof(*m->e))) == NULL)
		fatal("calloc");
	m->cap = cap;
}

void
pidmap_put(struct pidmap *m, pid_t pid, void *val)
{
	size_t	 i;

	if (pid <= 0)
		return;
	for (i = pid_slot(pid, m->cap); m->e[i].pid != 0;
	    i = (i + 1) & (m->cap - 1))
		if (m->e[i].pid == pid)
			return;
	m->e[i].pid = pid;
	m->e[i].val = val;
}

void *
pidmap_get(const struct pidmap *m, pid_t pid)
{
	size_t	 i;

	if (pid <= 0)
		return NULL;
	for (i = pid_slot(pid, m->cap); m->e[i].pid != 0;
	    i = (i + 1) & (m->cap - 1))
		if (m->e[i].pid == pid)
			return m->e[i].val;
	return NULL;
}

void
pidmap_free(struct pidmap *m)
{
	free(m->e);
	m->e = NULL;
	m->cap = 0;
}
