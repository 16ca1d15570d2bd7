/*
 * A reference-counted set of interned strings: the environment entries
 * that most units of a configuration share (PATH, HOME, LANG...) are
 * kept once per generation instead of once per unit.
 */

#ifndef STRPOOL_H
#define STRPOOL_H

#include <stddef.h>

struct strpool;

/* A new pool holding one reference. */
struct strpool	*strpool_new(void);
void		 strpool_ref(struct strpool *);
/* Drop a reference; the last one frees every string. */
void		 strpool_unref(struct strpool *);
/* The pool's copy of s[0..n) (which holds no NUL), made if needed. */
char		*strpool_intern(struct strpool *, const char *s, size_t n);

#endif /* STRPOOL_H */
