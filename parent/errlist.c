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
#include "log.h"

#define ERRLIST_MAX	1000

void
errlist_add(struct errlist *e, const char *fmt, ...)
{
	va_list	  ap;
	char	 *line, **nl;
	size_t	  i;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) == -1)
		fatal("errlist_add");
	va_end(ap);
	if (e->n > ERRLIST_MAX) {
		free(line);
		return;
	}
	for (i = 0; i < e->n; i++)
		if (strcmp(e->lines[i], line) == 0) {
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
}
