/*
 * The configuration's wire format between the parent and the roles: a
 * unit as a run of fixed-size fields and length-prefixed strings, in
 * the host's byte order (both ends are the same executable).  Reading
 * it back trusts nothing: every length, range and name is checked, and
 * the unit comes back as one allocation (struct, pointer arrays and
 * strings together) that unit_conf_free() releases in one call.
 */

#ifndef CONFWIRE_H
#define CONFWIRE_H

#include <stddef.h>

#include "strpool.h"
#include "sysg.h"

/* The unit's wire form; *lenp its length.  Never NULL (fatal). */
void		*unit_pack(const struct unit_conf *, size_t *lenp);
/*
 * NULL if buf is not a well-formed unit.  With a pool, environment
 * entries shared by other units are kept there, once.
 */
struct unit_conf *unit_unpack(const void *buf, size_t len, struct strpool *);
/* A compact (single allocation) copy of u; u is freed. */
struct unit_conf *unit_compact(struct unit_conf *u);

#endif /* CONFWIRE_H */
