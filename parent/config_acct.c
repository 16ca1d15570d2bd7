/*
 * The passwd and group entries a load needs, each looked up once: with
 * a thousand services every getpwuid() or getgrnam() would otherwise
 * read /etc/passwd or /etc/group again.  The cache lives for one load.
 */

#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_int.h"
#include "log.h"

struct grent {
	char	*name;
	int	 known;
};

static char *
dup_or_null(const char *s)
{
	char	*d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		fatal("config");
	return d;
}

static struct acct *
acct_new(const char *key, const struct passwd *pw)
{
	struct acct	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		fatal("config");
	a->key = dup_or_null(key);
	if (pw == NULL)
		return a;
	a->found = 1;
	a->pw_name = dup_or_null(pw->pw_name);
	a->pw_dir = dup_or_null(pw->pw_dir);
	a->pw_shell = dup_or_null(pw->pw_shell);
	a->gid = pw->pw_gid;
	return a;
}

static void
acct_free(struct acct *a)
{
	free(a->key);
	free(a->pw_name);
	free(a->pw_dir);
	free(a->pw_shell);
	free(a->grname);
	kv_free(&a->base);
	free(a);
}

struct acct *
acct_user(struct acct_cache *c, const char *name)
{
	struct acct	*a;

	if (name == NULL) {
		if (c->self == NULL)
			c->self = acct_new(NULL, getpwuid(geteuid()));
		return c->self;
	}
	if ((a = strmap_get(&c->users, name)) != NULL)
		return a;
	a = acct_new(name, getpwnam(name));
	(void)strmap_add(&c->users, a->key, a);
	return a;
}

const char *
acct_group_name(struct acct *a)
{
	struct group	*gr;

	if (!a->found)
		return NULL;
	if (!a->grdone) {
		a->grdone = 1;
		if ((gr = getgrgid(a->gid)) != NULL)
			a->grname = dup_or_null(gr->gr_name);
	}
	return a->grname;
}

int
acct_group_known(struct acct_cache *c, const char *name)
{
	struct grent	*g;

	if ((g = strmap_get(&c->groups, name)) != NULL)
		return g->known;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		fatal("config");
	g->name = dup_or_null(name);
	g->known = getgrnam(name) != NULL;
	(void)strmap_add(&c->groups, g->name, g);
	return g->known;
}

void
acct_cache_free(struct acct_cache *c)
{
	struct grent	*g;
	size_t		 i;

	if (c->self != NULL)
		acct_free(c->self);
	for (i = 0; i < c->users.cap; i++)
		if (c->users.v[i].key != NULL)
			acct_free(c->users.v[i].val);
	for (i = 0; i < c->groups.cap; i++)
		if ((g = c->groups.v[i].val) != NULL) {
			free(g->name);
			free(g);
		}
	strmap_free(&c->users);
	strmap_free(&c->groups);
	c->self = NULL;
}
