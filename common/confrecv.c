/*
 * The receiving end of a configuration generation (see confrecv.h).
 */

#include <stdlib.h>
#include <string.h>

#include "confjson.h"
#include "confwire.h"
#include "confrecv.h"
#include "log.h"
#include "strpool.h"

#define CONFRECV_UNITS_MAX	100000

void
confrecv_free_units(struct unit_conf **u, size_t n)
{
	size_t	 i;

	if (u == NULL)
		return;
	for (i = 0; i < n; i++)
		unit_conf_free(u[i]);
	free(u);
}

void
confrecv_free_wire(struct wireunit **w, size_t n)
{
	size_t	 i;

	if (w == NULL)
		return;
	for (i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

void
confrecv_clear(struct confrecv *cr)
{
	int	 keep = cr->keep_wire;

	confrecv_free_units(cr->units, cr->nunits);
	confrecv_free_wire(cr->wunits, cr->nunits);
	strpool_unref(cr->pool);
	free(cr->file);
	memset(cr, 0, sizeof(*cr));
	cr->keep_wire = keep;
}

/* struct msg_conf_begin, the config path, NUL, the pool's strings. */
static void
confrecv_begin(struct confrecv *cr, struct imsg *im)
{
	struct msg_conf_begin	 cb;
	const char		*path;
	size_t			 plen, rest;

	if (im->len < sizeof(cb))
		fatalx("malformed configuration begin");
	memcpy(&cb, im->data, sizeof(cb));
	if (cb.nunits > CONFRECV_UNITS_MAX)
		fatalx("too many units: %u", cb.nunits);
	confrecv_clear(cr);
	cr->cap = cb.nunits;
	cr->gen = cb.gen;
	cr->peerid = im->hdr.peerid;
	cr->pool = strpool_new();
	path = (const char *)im->data + sizeof(cb);
	rest = im->len - sizeof(cb);
	if ((plen = strnlen(path, rest)) == rest)
		fatalx("malformed configuration begin");
	if (strings_unpack(cr->pool, path + plen + 1, rest - plen - 1) == -1)
		fatalx("malformed configuration strings");
	if ((cr->file = strdup(path)) == NULL)
		fatal("confrecv");
	if (cr->keep_wire)
		cr->wunits = calloc(cb.nunits + 1, sizeof(*cr->wunits));
	else
		cr->units = calloc(cb.nunits + 1, sizeof(*cr->units));
	if (cr->units == NULL && cr->wunits == NULL)
		fatal("confrecv");
}

/* The checked unit u goes; its wire form stays. */
static struct wireunit *
wire_keep(struct unit_conf *u, const struct imsg *im)
{
	struct wireunit	*w;
	size_t		 nl = strlen(u->name);

	/* Checked by unit_unpack(): a name of 1-64, a unit of < 4 GB. */
	if ((w = malloc(sizeof(*w) + nl + 1 + im->len)) == NULL)
		fatal("confrecv");
	w->len = (uint32_t)im->len;
	w->namelen = (uint8_t)nl;
	memcpy(w->name, u->name, nl + 1);
	memcpy(w->name + nl + 1, im->data, im->len);
	unit_conf_free(u);
	return w;
}

int
confrecv_msg(struct confrecv *cr, struct imsg *im)
{
	struct msg_conf_begin	 cb;
	struct unit_conf	*u;

	switch (im->hdr.type) {
	case IMSG_CONF_BEGIN:
		confrecv_begin(cr, im);
		return 0;
	case IMSG_CONF_UNIT:
		if ((cr->units == NULL && cr->wunits == NULL) ||
		    cr->nunits >= cr->cap ||
		    (u = unit_unpack(im->data, im->len, cr->pool)) == NULL)
			fatalx("malformed unit definition");
		if (cr->keep_wire)
			cr->wunits[cr->nunits++] = wire_keep(u, im);
		else
			cr->units[cr->nunits++] = u;
		return 0;
	case IMSG_CONF_END:
		if (imsg_expect(im, sizeof(cb)) == -1 ||
		    (cr->units == NULL && cr->wunits == NULL))
			fatalx("malformed configuration end");
		memcpy(&cb, im->data, sizeof(cb));
		if (cb.gen != cr->gen || cr->nunits != cr->cap)
			fatalx("configuration %u incomplete", cb.gen);
		return 1;
	default:
		fatalx("not a configuration message: %u", im->hdr.type);
	}
}
