/*
 * A reference-counted table of interned strings, numbered in the order
 * they were first seen: the environment entries that most units of a
 * configuration share (PATH, HOME, LANG...) are kept and sent once per
 * generation instead of once per unit.
 */

#ifndef STRPOOL_H
#define STRPOOL_H

#include <stddef.h>
#include <stdint.h>

struct strpool;

/* A new pool holding one reference. */
struct strpool	*strpool_new(void);
void		 strpool_ref(struct strpool *);
/* Drop a reference; the last one frees every string. */
void		 strpool_unref(struct strpool *);
/* The number of s[0..n) (which holds no NUL), interned if new. */
uint32_t	 strpool_id(struct strpool *, const char *s, size_t n);
/* The number of s[0..n), or UINT32_MAX if it is not in the pool. */
uint32_t	 strpool_find(const struct strpool *, const char *s, size_t n);
/* String number id, or NULL if there is none. */
char		*strpool_get(const struct strpool *, uint32_t id);
uint32_t	 strpool_count(const struct strpool *);
/* The bytes of all its strings, without their NULs. */
size_t		 strpool_bytes(const struct strpool *);

#endif /* STRPOOL_H */
