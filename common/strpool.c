/*
 * Interned strings (see strpool.h): an open-addressing hash of pointers
 * into chunks of string bytes, freed all at once with the last
 * reference.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "strpool.h"

#define CHUNK_SIZE	4096

struct chunk {
	struct chunk	*next;
	size_t		 used;
	size_t		 size;
	char		 data[];
};

struct strpool {
	int		 refs;
	char		**slot;		/* nslot entries, a power of two */
	size_t		 nslot;
	size_t		 n;
	struct chunk	*chunks;
};

struct strpool *
strpool_new(void)
{
	struct strpool	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		fatal("strpool_new");
	p->refs = 1;
	return p;
}

void
strpool_ref(struct strpool *p)
{
	p->refs++;
}

void
strpool_unref(struct strpool *p)
{
	struct chunk	*c;

	if (p == NULL || --p->refs > 0)
		return;
	while ((c = p->chunks) != NULL) {
		p->chunks = c->next;
		free(c);
	}
	free(p->slot);
	free(p);
}

static uint32_t
hash(const char *s, size_t n)
{
	uint32_t	 h = 2166136261u;

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void
grow(struct strpool *p)
{
	char	**old = p->slot;
	size_t	  oldn = p->nslot, i, j;

	p->nslot = oldn ? oldn * 2 : 16;
	if ((p->slot = calloc(p->nslot, sizeof(*p->slot))) == NULL)
		fatal("strpool");
	for (i = 0; i < oldn; i++) {
		if (old[i] == NULL)
			continue;
		j = hash(old[i], strlen(old[i])) & (p->nslot - 1);
		while (p->slot[j] != NULL)
			j = (j + 1) & (p->nslot - 1);
		p->slot[j] = old[i];
	}
	free(old);
}

static char *
store(struct strpool *p, const char *s, size_t n)
{
	struct chunk	*c = p->chunks;
	size_t		 size;
	char		*d;

	if (c == NULL || c->size - c->used < n + 1) {
		size = n + 1 > CHUNK_SIZE ? n + 1 : CHUNK_SIZE;
		if ((c = malloc(sizeof(*c) + size)) == NULL)
			fatal("strpool");
		c->used = 0;
		c->size = size;
		c->next = p->chunks;
		p->chunks = c;
	}
	d = c->data + c->used;
	memcpy(d, s, n);
	d[n] = '\0';
	c->used += n + 1;
	return d;
}

char *
strpool_intern(struct strpool *p, const char *s, size_t n)
{
	size_t	 j;

	if ((p->n + 1) * 2 > p->nslot)
		grow(p);
	for (j = hash(s, n) & (p->nslot - 1); p->slot[j] != NULL;
	    j = (j + 1) & (p->nslot - 1))
		if (strncmp(p->slot[j], s, n) == 0 && p->slot[j][n] == '\0')
			return p->slot[j];
	p->n++;
	return p->slot[j] = store(p, s, n);
}
