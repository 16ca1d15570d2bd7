/*
 * The configuration's wire and print format: one JSON object per unit,
 * with every field resolved and defaults filled in.  The parent sends
 * units to the spawner and the supervisor with it, `sysg validate
 * --print` prints it, and reload compares units by its text.
 */

#ifndef CONFJSON_H
#define CONFJSON_H

#include <jansson.h>

#include "sysg.h"

json_t		*unit_to_json(const struct unit_conf *);
/* Compact text with sorted keys (stable): wire format and change test. */
char		*unit_to_text(const struct unit_conf *);
/* NULL if the text is not a well-formed unit (never trusts the peer). */
struct unit_conf *unit_from_text(const char *text, size_t len);
void		 unit_conf_free(struct unit_conf *);
json_t		*conf_to_json(const struct sysg_conf *);

#endif /* CONFJSON_H */
