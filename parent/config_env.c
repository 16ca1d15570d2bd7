/*
 * The environment of each unit, built from scratch (config.md,
 * "Environment"): a small base, the env file, top-level vars, the
 * service's vars with ${NAME} expansion, then SYSG_SERVICE.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_int.h"
#include "log.h"
#include "parse.h"

#define DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin"
#define VALUE_MAX	(64 * 1024)

extern char **environ;

/* Report bad names and values; mark them ignored (dup) for build_env. */
void
check_vars(struct cx *cx, const struct ynode *v)
{
	struct ynode	*k, *val;
	size_t		 i, old;

	map_mark_dups(cx, v);
	if (v->nkids / 2 > CONF_MAX_LIST) {
		cx_err(cx, v, "too many variables (the limit is %d)",
		    CONF_MAX_LIST);
		for (i = 0; i < v->nkids; i += 2)
			v->kids[i]->dup = 1;
		return;
	}
	for (i = 0; i + 1 < v->nkids; i += 2) {
		k = v->kids[i];
		val = v->kids[i + 1];
		if (k->dup)
			continue;
		old = cx_push(cx, k->str);
		if (!env_name_valid(k->str)) {
			cx_err(cx, k, "invalid variable name (use letters, "
			    "digits and _, not starting with a digit)");
			k->dup = 1;
		} else if (val->type != Y_SCALAR || ynode_is_null(val)) {
			cx_expected(cx, val, "a string value (write \"\" for "
			    "an empty one)");
			k->dup = 1;
		}
		cx_pop(cx, old);
	}
}

/* An env file read and parsed without errors, kept for the load. */
struct envcache {
	char		*path;
	struct kvlist	 kv;
};

/*
 * Load env file f into out.  A file that parsed cleanly is not read
 * again in the same load: out then borrows the kept entries.
 */
int
load_envfile(struct cx *cx, const struct ynode *f, struct kvlist *out)
{
	struct envcache	*ec;
	struct kvlist	 kv;
	char		*path, *buf, err[1024], sbuf[2100];
	size_t		 len;
	int		 n;

	path = path_resolve(cx->project_dir, f->str);
	if ((ec = strmap_get(&cx->envfiles, path)) != NULL) {
		free(path);
		kv_merge(out, &ec->kv);
		return 0;
	}
	if (conf_read_file(path, cx->opts->sysmode, &buf, &len, err,
	    sizeof(err)) == -1) {
		cx_err(cx, f, "env file %s", safe(err, sbuf, sizeof(sbuf)));
		free(path);
		return -1;
	}
	memset(&kv, 0, sizeof(kv));
	n = envfile_parse(buf, len, path, cx->path, &kv, cx->errs);
	free(buf);
	if (n != 0) {
		kv_free(&kv);
		free(path);
		return -1;
	}
	if ((ec = calloc(1, sizeof(*ec))) == NULL)
		fatal("config");
	ec->path = path;
	ec->kv = kv;
	kv_merge(out, &ec->kv);
	(void)strmap_add(&cx->envfiles, ec->path, ec);
	return 0;
}

void
envfiles_free(struct cx *cx)
{
	struct envcache	*ec;
	size_t		 i;

	for (i = 0; i < cx->envfiles.cap; i++)
		if ((ec = cx->envfiles.v[i].val) != NULL) {
			kv_free(&ec->kv);
			free(ec->path);
			free(ec);
		}
	strmap_free(&cx->envfiles);
}

/* ------------------------------------------------------------------ */

struct sbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

static int
sb_add(struct sbuf *b, const char *p, size_t n)
{
	char	*ns;
	size_t	 nc;

	if (b->len + n > VALUE_MAX)
		return -1;
	if (b->len + n + 1 > b->cap) {
		nc = b->cap ? b->cap : 64;
		while (nc < b->len + n + 1)
			nc *= 2;
		if ((ns = realloc(b->s, nc)) == NULL)
			fatal("config");
		b->s = ns;
		b->cap = nc;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/* ${NAME} at p (p points at '$'); returns chars consumed or -1. */
static int
expand_ref(struct cx *cx, const struct ynode *v, const char *p,
    const struct kvlist *e, struct sbuf *b)
{
	const char	*end, *val;
	char		 name[260];
	size_t		 n;

	if ((end = strchr(p + 2, '}')) == NULL) {
		cx_err(cx, v, "unterminated ${ (write $$ for a literal $)");
		return -1;
	}
	n = (size_t)(end - (p + 2));
	if (n == 0 || n >= sizeof(name)) {
		cx_err(cx, v, "invalid variable reference ${...}");
		return -1;
	}
	memcpy(name, p + 2, n);
	name[n] = '\0';
	if (!env_name_valid(name)) {
		cx_err(cx, v, "invalid variable name in ${...}");
		return -1;
	}
	if ((val = kv_get(e, name)) == NULL) {
		cx_err(cx, v, "unknown variable ${%s} (only variables defined "
		    "before this one can be used)", name);
		return -1;
	}
	if (sb_add(b, val, strlen(val)) == -1) {
		cx_err(cx, v, "the value is longer than %d bytes after "
		    "expansion", VALUE_MAX);
		return -1;
	}
	return (int)n + 3;
}

/* Expand ${NAME} and $$ in v's text; malloc'd result or NULL. */
static char *
expand(struct cx *cx, const struct ynode *v, const struct kvlist *e)
{
	struct sbuf	 b = { NULL, 0, 0 };
	const char	*p = v->str;
	int		 n;

	if (sb_add(&b, "", 0) == -1)
		fatal("config");
	while (*p != '\0') {
		if (p[0] == '$' && p[1] == '$') {
			n = 2;
			if (sb_add(&b, "$", 1) == -1)
				goto toolong;
		} else if (p[0] == '$' && p[1] == '{') {
			if ((n = expand_ref(cx, v, p, e, &b)) == -1) {
				free(b.s);
				return NULL;
			}
		} else {
			n = 1;
			if (sb_add(&b, p, 1) == -1)
				goto toolong;
		}
		p += n;
	}
	return b.s;
 toolong:
	cx_err(cx, v, "the value is longer than %d bytes after expansion",
	    VALUE_MAX);
	free(b.s);
	return NULL;
}

static int
budget(struct cx *cx, const struct ynode *at, size_t n)
{
	if (cx->env_toobig)
		return -1;
	cx->envbytes += n;
	if (cx->envbytes <= CONF_MAX_ENV)
		return 0;
	cx->env_toobig = 1;
	cx_err(cx, at, "the resolved environments of all services are "
	    "larger than %d bytes", CONF_MAX_ENV);
	return -1;
}

static int
expand_vars(struct cx *cx, const struct ynode *vars, struct kvlist *e)
{
	const struct ynode	*k, *v;
	char			*val;
	size_t			 i, old;
	int			 rc = 0;

	for (i = 0; i + 1 < vars->nkids; i += 2) {
		k = vars->kids[i];
		v = vars->kids[i + 1];
		if (k->dup)
			continue;
		old = cx_push(cx, k->str);
		if ((val = expand(cx, v, e)) == NULL) {
			rc = -1;
			kv_ref(e, k->str, "");	/* no cascade of errors */
		} else {
			if (budget(cx, v, strlen(k->str) + strlen(val) + 2)
			    == -1)
				rc = -1;
			kv_take(e, k->str, val);
		}
		cx_pop(cx, old);
		if (cx->env_toobig)
			return -1;
	}
	return rc;
}

static void
base_set(struct kvlist *e, const char *k, const char *v)
{
	if (v != NULL && utf8_valid(v, strlen(v)))
		kv_set(e, k, v);
}

static void
base_env(struct kvlist *e, const struct acct *a)
{
	char		**ep, name[256];
	const char	*eq, *path;
	size_t		 n;

	path = getenv("PATH");
	base_set(e, "PATH", path && *path ? path : DEFAULT_PATH);
	base_set(e, "LANG", getenv("LANG"));
	base_set(e, "TZ", getenv("TZ"));
	for (ep = environ; ep != NULL && *ep != NULL; ep++) {
		if (strncmp(*ep, "LC_", 3) != 0 ||
		    (eq = strchr(*ep, '=')) == NULL ||
		    (n = (size_t)(eq - *ep)) >= sizeof(name))
			continue;
		memcpy(name, *ep, n);
		name[n] = '\0';
		if (env_name_valid(name))
			base_set(e, name, eq + 1);
	}
	if (!a->found) {
		base_set(e, "HOME", getenv("HOME"));
		base_set(e, "USER", getenv("USER"));
		base_set(e, "LOGNAME", getenv("LOGNAME"));
		base_set(e, "SHELL", getenv("SHELL"));
		return;
	}
	base_set(e, "HOME", a->pw_dir);
	base_set(e, "USER", a->pw_name);
	base_set(e, "LOGNAME", a->pw_name);
	base_set(e, "SHELL", a->pw_shell && *a->pw_shell ? a->pw_shell :
	    "/bin/sh");
}

/* The base environment of user (NULL: the daemon's), built once. */
static const struct kvlist *
user_base(struct cx *cx, const char *user)
{
	struct acct	*a;

	a = acct_user(&cx->acct, user);
	if (!a->has_base) {
		base_env(&a->base, a);
		a->has_base = 1;
	}
	return &a->base;
}

static void
env_store(struct svc *s, const struct kvlist *e)
{
	struct unit_conf	*u = s->u;
	size_t			 i, kl, vl;
	char			*p;

	if ((u->env = calloc(e->n + 1, sizeof(*u->env))) == NULL)
		fatal("config");
	for (i = 0; i < e->n; i++) {
		kl = strlen(e->v[i].key);
		vl = strlen(e->v[i].val);
		if ((p = malloc(kl + vl + 2)) == NULL)
			fatal("config");
		memcpy(p, e->v[i].key, kl);
		p[kl] = '=';
		memcpy(p + kl + 1, e->v[i].val, vl + 1);
		u->env[i] = p;
	}
	u->nenv = e->n;
}

void
build_env(struct cx *cx, struct svc *s)
{
	struct kvlist	 e;
	size_t		 old, i, bytes = 0;
	int		 rc = 0;

	if (s->bad || cx->env_toobig)
		return;
	memset(&e, 0, sizeof(e));
	kv_merge(&e, user_base(cx, s->u->user));
	if (s->has_envfile)
		kv_merge(&e, &s->envfile);
	else if (cx->has_top_envfile)
		kv_merge(&e, &cx->top_envfile);
	if (cx->top_env_vars != NULL) {
		old = cx_push(cx, "env");
		cx_push(cx, "vars");
		rc |= expand_vars(cx, cx->top_env_vars, &e);
		cx_pop(cx, old);
	}
	if (s->env_vars != NULL && !cx->env_toobig) {
		old = cx_push(cx, "services");
		cx_push(cx, s->u->name);
		cx_push(cx, "env");
		cx_push(cx, "vars");
		rc |= expand_vars(cx, s->env_vars, &e);
		cx_pop(cx, old);
	}
	kv_ref(&e, "SYSG_SERVICE", s->u->name);
	for (i = 0; i < e.n; i++)
		bytes += strlen(e.v[i].key) + strlen(e.v[i].val) + 2;
	old = cx_push(cx, "services");
	cx_push(cx, s->u->name);
	if (rc == 0 && budget(cx, s->key, bytes) == 0)
		env_store(s, &e);
	cx_pop(cx, old);
	kv_free(&e);
}
