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
	uint32_t	*slot;		/* id + 1, or 0; nslot, a power of 2 */
	size_t		 nslot;
	char		**byid;		/* n strings, by number */
	uint32_t	 n;
	size_t		 bytes;
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
	free(p->byid);
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
	size_t		 i, j;

	p->nslot = p->nslot ? p->nslot * 2 : 16;
	free(p->slot);
	if ((p->slot = calloc(p->nslot, sizeof(*p->slot))) == NULL ||
	    (p->byid = reallocarray(p->byid, p->nslot / 2,
	    sizeof(*p->byid))) == NULL)
		fatal("strpool");
	for (i = 0; i < p->n; i++) {
		j = hash(p->byid[i], strlen(p->byid[i])) & (p->nslot - 1);
		while (p->slot[j] != 0)
			j = (j + 1) & (p->nslot - 1);
		p->slot[j] = (uint32_t)i + 1;
	}
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

/* The slot of s[0..n), or of the free slot where it would go. */
static size_t
lookup(const struct strpool *p, const char *s, size_t n)
{
	const char	*t;
	size_t		 j;

	for (j = hash(s, n) & (p->nslot - 1); p->slot[j] != 0;
	    j = (j + 1) & (p->nslot - 1)) {
		t = p->byid[p->slot[j] - 1];
		if (strncmp(t, s, n) == 0 && t[n] == '\0')
			break;
	}
	return j;
}

uint32_t
strpool_find(const struct strpool *p, const char *s, size_t n)
{
	size_t	 j;

	if (p->nslot == 0 || p->slot[j = lookup(p, s, n)] == 0)
		return UINT32_MAX;
	return p->slot[j] - 1;
}

uint32_t
strpool_id(struct strpool *p, const char *s, size_t n)
{
	size_t	 j;

	if (((size_t)p->n + 1) * 2 > p->nslot)
		grow(p);
	if (p->slot[j = lookup(p, s, n)] != 0)
		return p->slot[j] - 1;
	p->byid[p->n] = store(p, s, n);
	p->bytes += n;
	p->slot[j] = ++p->n;
	return p->n - 1;
}

size_t
strpool_bytes(const struct strpool *p)
{
	return p != NULL ? p->bytes : 0;
}

char *
strpool_get(const struct strpool *p, uint32_t id)
{
	return p != NULL && id < p->n ? p->byid[id] : NULL;
}

uint32_t
strpool_count(const struct strpool *p)
{
	return p != NULL ? p->n : 0;
}
