/*
 * sysg validate [-c FILE] [--print]
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "confjson.h"
#include "config.h"
#include "log.h"
#include "validate.h"

static void
print_units(const struct sysg_conf *c)
{
	const struct unit_conf	*u;
	size_t			 i, j, w = 4;

	for (i = 0; i < c->nunits; i++)
		if (strlen(c->units[i]->name) > w)
			w = strlen(c->units[i]->name);
	for (i = 0; i < c->nunits; i++) {
		u = c->units[i];
		printf("  %-*s  %-7s", (int)w, u->name,
		    u->is_cron ? "cron" : "service");
		if (u->is_cron)
			printf("  \"%s\" (%s)", u->cron.expression,
			    u->cron.timezone ? u->cron.timezone : "local");
		for (j = 0; j < u->ndeps; j++)
			printf("%s%s", j ? ", " : "  depends on ",
			    u->depends_on[j]);
		if (u->skip == SKIP_YES)
			printf("  (skipped)");
		printf("\n");
	}
}

/* Each layer's units in file order, bucketed in one pass over them. */
static void
print_layers(const struct sysg_conf *c)
{
	int	*layer_of, n, l;
	size_t	*start, *order, i;

	if ((layer_of = calloc(c->nunits + 1, sizeof(int))) == NULL)
		fatal("validate");
	n = config_layers(c, layer_of);
	if ((start = calloc((size_t)n + 2, sizeof(*start))) == NULL ||
	    (order = calloc(c->nunits + 1, sizeof(*order))) == NULL)
		fatal("validate");
	for (i = 0; i < c->nunits; i++)
		if (layer_of[i] >= 0 && layer_of[i] < n)
			start[layer_of[i] + 2]++;
	for (l = 0; l < n; l++)
		start[l + 2] += start[l + 1];
	for (i = 0; i < c->nunits; i++)
		if (layer_of[i] >= 0 && layer_of[i] < n)
			order[start[layer_of[i] + 1]++] = i;
	for (l = 0; l < n; l++) {
		printf("layer %d:", l + 1);
		for (i = start[l]; i < start[l + 1]; i++)
			printf(" %s", c->units[order[i]]->name);
		printf("\n");
	}
	free(order);
	free(start);
	free(layer_of);
}

static void
print_summary(const struct sysg_conf *c)
{
	size_t	 i, ncron = 0;

	for (i = 0; i < c->nunits; i++)
		if (c->units[i]->is_cron)
			ncron++;
	printf("%s: ok, %zu unit%s (%zu service%s, %zu cron job%s)\n",
	    c->file, c->nunits, c->nunits == 1 ? "" : "s",
	    c->nunits - ncron, c->nunits - ncron == 1 ? "" : "s",
	    ncron, ncron == 1 ? "" : "s");
	print_units(c);
	print_layers(c);
}

static int
print_json(const struct sysg_conf *c)
{
	json_t	*o;
	char	*s;

	o = conf_to_json(c);
	s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(o);
	if (s == NULL)
		return -1;
	printf("%s\n", s);
	free(s);
	return 0;
}

int
validate_main(const char *config_path, int print, int sysmode,
    int drop_privileges)
{
	struct errlist		 errs = { 0 };
	struct load_opts	 opts;
	struct sysg_conf	*c = NULL;
	char			*path;
	int			 rc = 1;

	memset(&opts, 0, sizeof(opts));
	opts.sysmode = sysmode;
	opts.daemon_is_root = sysmode || geteuid() == 0;
	opts.drop_privileges = drop_privileges;
	if ((path = config_find(config_path, sysmode, &errs)) != NULL)
		c = config_load(path, &opts, &errs);
	if (c != NULL) {
		if (print)
			rc = print_json(c) == -1;
		else {
			print_summary(c);
			rc = 0;
		}
		if (fflush(stdout) == EOF)
			rc = 1;
	}
	errlist_print(&errs, STDERR_FILENO);
	errlist_free(&errs);
	config_free(c);
	free(path);
	return rc;
}
