/*
 * The configuration's wire format between the parent and the roles: a
 * unit as a run of fields, numbers as LEB128 varints (zigzag for signed
 * ones) and strings prefixed by their length (both ends are the same
 * executable).  Reading
 * it back trusts nothing: every length, range and name is checked, and
 * the unit comes back as one allocation (struct, pointer arrays and
 * strings together) that unit_conf_free() releases in one call.
 */

#ifndef CONFWIRE_H
#define CONFWIRE_H

#include <stddef.h>

#include "strpool.h"
#include "sysg.h"

/*
 * The unit's wire form; *lenp its length.  Never NULL (fatal).  With a
 * pool, environment entries (but SYSG_SERVICE) are sent as numbers in
 * it, and the pool's strings must reach the other end first.
 */
void		*unit_pack(const struct unit_conf *, struct strpool *,
		    size_t *lenp);
/*
 * NULL if buf is not a well-formed unit.  Environment entries sent as
 * numbers are taken from the pool, which the unit then holds a
 * reference to.
 */
struct unit_conf *unit_unpack(const void *buf, size_t len, struct strpool *);
/* The pool's strings, in number order, for the other end. */
void		*strings_pack(const struct strpool *, size_t *lenp);
/* Add them to an empty pool; -1 if malformed or repeated. */
int		 strings_unpack(struct strpool *, const void *buf, size_t len);
/* A compact (single allocation) copy of u; u is freed. */
struct unit_conf *unit_compact(struct unit_conf *u);

#endif /* CONFWIRE_H */
