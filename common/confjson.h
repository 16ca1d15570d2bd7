/*
 * The configuration's print format: one JSON object per unit, with
 * every field resolved and defaults filled in.  `sysg validate --print`
 * prints it and reload compares units by its text (the roles receive
 * units in the wire form of confwire.h).
 */

#ifndef CONFJSON_H
#define CONFJSON_H

#include <jansson.h>

#include "sysg.h"

json_t		*unit_to_json(const struct unit_conf *);
/* Compact text with sorted keys (stable): the change test. */
char		*unit_to_text(const struct unit_conf *);
void		 unit_conf_free(struct unit_conf *);
/* The length of a NULL-terminated string list (0 for NULL). */
size_t		 strv_len(char *const *);
json_t		*conf_to_json(const struct sysg_conf *);

#endif /* CONFJSON_H */
