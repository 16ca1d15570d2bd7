/*
 * A small hash map from strings to pointers for the loader: name
 * lookups that must not scan every unit (accounts, service names,
 * duplicate list items).  Keys are not copied; they must outlive the
 * map.  Open addressing with linear probing, at most half full.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "log.h"

static uint32_t
strmap_hash(const char *s)
{
	uint32_t	 h = 2166136261U;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 16777619U;
	}
	return h;
}

/* The slot of key, or the empty slot where it would go. */
static struct strmap_ent *
strmap_slot(struct strmap_ent *v, size_t cap, const char *key,
    uint32_t h)
{
	size_t	 i = h & (cap - 1);

	while (v[i].key != NULL) {
		if (v[i].hash == h && strcmp(v[i].key, key) == 0)
			break;
		i = (i + 1) & (cap - 1);
	}
	return &v[i];
}

static void
strmap_resize(struct strmap *m, size_t ncap)
{
	struct strmap_ent	*nv, *e;
	size_t			 i;

	if ((nv = calloc(ncap, sizeof(*nv))) == NULL)
		fatal("config");
	for (i = 0; i < m->cap; i++)
		if (m->v[i].key != NULL) {
			e = strmap_slot(nv, ncap, m->v[i].key, m->v[i].hash);
			*e = m->v[i];
		}
	free(m->v);
	m->v = nv;
	m->cap = ncap;
}

/* An empty map with room for n keys. */
void
strmap_init(struct strmap *m, size_t n)
{
	size_t	 cap = 16;

	memset(m, 0, sizeof(*m));
	while (cap < 2 * n)
		cap *= 2;
	strmap_resize(m, cap);
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_ent	*e;

	if (m->n == 0)
		return NULL;
	e = strmap_slot(m->v, m->cap, key, strmap_hash(key));
	return e->key != NULL ? e->val : NULL;
}

/*
 * Map key to val (not NULL) unless key is already there: returns NULL
 * if added, else the value already mapped (which is kept).
 */
void *
strmap_add(struct strmap *m, const char *key, void *val)
{
	struct strmap_ent	*e;
	uint32_t		 h = strmap_hash(key);

	if ((m->n + 1) * 2 > m->cap)
		strmap_resize(m, m->cap ? m->cap * 2 : 16);
	e = strmap_slot(m->v, m->cap, key, h);
	if (e->key != NULL)
		return e->val;
	e->key = key;
	e->hash = h;
	e->val = val;
	m->n++;
	return NULL;
}

void
strmap_free(struct strmap *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------ */
/* Memos: the int result of a check on a string, the string copied */

struct memo_ent {
	int	 val;
	char	 key[];
};

/* 1 and the value in *val if key was recorded, else 0. */
int
memo_get(const struct strmap *m, const char *key, int *val)
{
	const struct memo_ent	*e;

	if ((e = strmap_get(m, key)) == NULL)
		return 0;
	*val = e->val;
	return 1;
}

void
memo_put(struct strmap *m, const char *key, int val)
{
	struct memo_ent	*e;
	size_t		 len = strlen(key);

	if ((e = malloc(sizeof(*e) + len + 1)) == NULL)
		fatal("config");
	e->val = val;
	memcpy(e->key, key, len + 1);
	if (strmap_add(m, e->key, e) != NULL)
		free(e);
}

void
memo_free(struct strmap *m)
{
	size_t	 i;

	for (i = 0; i < m->cap; i++)
		free(m->v[i].val);
	strmap_free(m);
}
