/*
 * Receiving a configuration generation from the parent: IMSG_CONF_BEGIN
 * (struct msg_conf_begin + the config path), one IMSG_CONF_UNIT per unit
 * (confwire form), IMSG_CONF_END.  Shared by every role that keeps a
 * copy of the units.  A malformed message is fatal to the role.
 */

#ifndef CONFRECV_H
#define CONFRECV_H

#include <stdint.h>

#include "imsg.h"
#include "strpool.h"
#include "sysg.h"

/*
 * A unit kept in its wire form (confrecv.keep_wire), read when needed:
 * its name (NUL-terminated, as long as it is), then the wire form.
 */
struct wireunit {
	uint32_t	 len;		/* of the wire form */
	uint8_t		 namelen;
	char		 name[];
};

static inline const unsigned char *
wireunit_blob(const struct wireunit *w)
{
	return (const unsigned char *)w->name + w->namelen + 1;
}

struct confrecv {
	int		 keep_wire;	/* fill wunits, not units */
	struct unit_conf **units;	/* NULL-terminated, nunits long */
	struct wireunit	**wunits;	/* the same, checked, in wire form */
	size_t		 nunits;
	size_t		 cap;
	uint32_t	 gen;
	uint32_t	 peerid;	/* who asked (reload client), or 0 */
	char		*file;
	struct strpool	*pool;		/* the generation's shared strings */
};

/* 1 when a whole generation is in (take units and file), else 0. */
int	confrecv_msg(struct confrecv *, struct imsg *);
/* Free what was received and not taken. */
void	confrecv_clear(struct confrecv *);
void	confrecv_free_units(struct unit_conf **, size_t);
void	confrecv_free_wire(struct wireunit **, size_t);

#endif
