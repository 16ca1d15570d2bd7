/*
 * Accumulated configuration errors, one line each, printed together.
 * Identical lines are kept once; past ERRLIST_MAX lines a last line
 * says that more were dropped (n always counts the stored lines).
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicio.h"
#include "config.h"
#include "config_int.h"
#include "log.h"

#define ERRLIST_MAX	1000
#define ERRLIST_SCAN	16	/* lines compared one by one, then hashed */

/* Whether line is already in e. */
static int
errlist_has(struct errlist *e, const char *line)
{
	size_t	 i;

	if (e->n < ERRLIST_SCAN) {
		for (i = 0; i < e->n; i++)
			if (strcmp(e->lines[i], line) == 0)
				return 1;
		return 0;
	}
	if (e->seen == NULL) {
		if ((e->seen = calloc(1, sizeof(*e->seen))) == NULL)
			fatal("errlist_add");
		strmap_init(e->seen, 2 * e->n);
		for (i = 0; i < e->n; i++)
			(void)strmap_add(e->seen, e->lines[i], e->lines[i]);
	}
	return strmap_get(e->seen, line) != NULL;
}

void
errlist_add(struct errlist *e, const char *fmt, ...)
{
	va_list	  ap;
	char	 *line, **nl;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) == -1)
		fatal("errlist_add");
	va_end(ap);
	if (e->n > ERRLIST_MAX || errlist_has(e, line)) {
		free(line);
		return;
	}
	if (e->n == ERRLIST_MAX) {
		free(line);
		if ((line = strdup("too many errors, the rest are not shown"))
		    == NULL)
			fatal("errlist_add");
	}
	if ((nl = reallocarray(e->lines, e->n + 1, sizeof(*nl))) == NULL)
		fatal("errlist_add");
	e->lines = nl;
	e->lines[e->n++] = line;
	if (e->seen != NULL)
		(void)strmap_add(e->seen, line, line);
}

void
errlist_print(const struct errlist *e, int fd)
{
	size_t	 i;

	for (i = 0; i < e->n; i++)
		if (write_all(fd, e->lines[i], strlen(e->lines[i])) == -1 ||
		    write_all(fd, "\n", 1) == -1)
			return;
}

void
errlist_free(struct errlist *e)
{
	size_t	 i;

	for (i = 0; i < e->n; i++)
		free(e->lines[i]);
	free(e->lines);
	e->lines = NULL;
	e->n = 0;
	if (e->seen != NULL) {
		strmap_free(e->seen);
		free(e->seen);
		e->seen = NULL;
	}
}
