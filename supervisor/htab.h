/*
 * Small hash tables for the supervisor.
 *
 * struct htab: chained, keyed by a string the entry itself holds.  The
 * node is embedded in the entry (no allocation per entry); the table
 * asks key() for an entry's string, which may move (a unit's conf is
 * replaced on reload) as long as its content stays the same.  The
 * bucket array doubles as entries are added and is never shrunk.
 *
 * struct pidmap: open addressing, pid -> pointer, built for one use.
 */

#ifndef HTAB_H
#define HTAB_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct hnode {
	struct hnode	*next;
	uint32_t	 hash;
};

struct htab {
	struct hnode	**b;
	size_t		  nb;		/* 0 or a power of two */
	size_t		  n;
	const char	*(*key)(const struct hnode *);
};

#define HTAB_INITIALIZER(keyfn)	{ NULL, 0, 0, (keyfn) }

uint32_t	 htab_hash(const char *);
/* The key must not be in the table already. */
void		 htab_insert(struct htab *, struct hnode *);
void		 htab_remove(struct htab *, struct hnode *);
struct hnode	*htab_find(const struct htab *, const char *);
/* Forget every entry and the buckets (the entries are the caller's). */
void		 htab_clear(struct htab *);

struct pident {
	pid_t		 pid;		/* 0: free */
	void		*val;
};

struct pidmap {
	struct pident	*e;
	size_t		 cap;		/* a power of two */
};

/* Room for n pids. */
void		 pidmap_init(struct pidmap *, size_t n);
/* Ignored if pid <= 0 or already there: the first value stays. */
void		 pidmap_put(struct pidmap *, pid_t, void *);
void		*pidmap_get(const struct pidmap *, pid_t);
void		 pidmap_free(struct pidmap *);

#endif
