/*
 * Configuration loading: finding the file, reading it safely, walking
 * the top level, and the checks across services (dependencies, cycles,
 * start layers).  See config.md; the schema of a service is in
 * config_service.c and config_priv.c.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confjson.h"
#include "config_int.h"
#include "log.h"
#include "parse.h"

/* ------------------------------------------------------------------ */
/* Paths and files */

char *
path_resolve(const char *base, const char *p)
{
	char	*buf, *out, *seg, *save = NULL;
	size_t	 len, o = 0;

	if (asprintf(&buf, "%s/%s", p[0] == '/' ? "" : base, p) == -1)
		fatal("config");
	len = strlen(buf);
	if ((out = malloc(len + 2)) == NULL)
		fatal("config");
	for (seg = strtok_r(buf, "/", &save); seg != NULL;
	    seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			while (o > 0 && out[--o] != '/')
				;
			continue;
		}
		out[o++] = '/';
		memcpy(out + o, seg, strlen(seg));
		o += strlen(seg);
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	free(buf);
	return out;
}

static int
read_all(int fd, char *buf, size_t max, size_t *len)
{
	ssize_t	 n;
	size_t	 off = 0;

	while (off < max) {
		if ((n = read(fd, buf + off, max - off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	*len = off;
	return 0;
}

static int
check_modes(const char *path, const struct stat *st, char *err,
    size_t errlen)
{
	if (st->st_uid != 0) {
		snprintf(err, errlen, "%s: owned by uid %u, not root (refused "
		    "in --sys mode)", path, (unsigned)st->st_uid);
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s: group- or world-writable (mode "
		    "%04o; refused in --sys mode)", path,
		    (unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

int
conf_read_file(const char *path, int sysmode, char **bufp, size_t *lenp,
    char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 len;
	int		 fd;

	*bufp = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if (sysmode && check_modes(path, &st, err, errlen) == -1)
		goto fail;
	if (st.st_size > CONF_MAX_FILE)
		goto toobig;
	if ((buf = malloc(CONF_MAX_FILE + 2)) == NULL)
		fatal("config");
	if (read_all(fd, buf, CONF_MAX_FILE + 1, &len) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (len > CONF_MAX_FILE)
		goto toobig;
	buf[len] = '\0';
	close(fd);
	*bufp = buf;
	*lenp = len;
	return 0;
 toobig:
	snprintf(err, errlen, "%s: the file is too large (the limit is %d "
	    "bytes)", path, CONF_MAX_FILE);
 fail:
	free(buf);
	close(fd);
	return -1;
}

int
dir_check(struct cx *cx, const char *path)
{
	struct stat	 st;
	int		 r;

	if (memo_get(&cx->dirs, path, &r))
		return r;
	if (stat(path, &st) == -1)
		r = errno;
	else
		r = S_ISDIR(st.st_mode) ? 0 : -1;
	memo_put(&cx->dirs, path, r);
	return r;
}

static char *
config_dir(int sysmode)
{
	struct passwd	*pw;
	const char	*home;
	char		*d;

	if (sysmode)
		home = NULL;
	else if ((home = getenv("HOME")) == NULL || *home != '/')
		home = (pw = getpwuid(getuid())) ? pw->pw_dir : "/";
	if (asprintf(&d, "%s", sysmode ? "/etc/systemg" : home) == -1)
		fatal("config");
	if (!sysmode) {
		free(d);
		if (asprintf(&d, "%s/.config/systemg", home) == -1)
			fatal("config");
	}
	return d;
}

static char *
try_path(const char *dir, const char *name)
{
	struct stat	 st;
	char		*p, *r;

	p = path_resolve(dir, name);
	if (stat(p, &st) == -1) {
		free(p);
		return NULL;
	}
	if ((r = realpath(p, NULL)) != NULL) {
		free(p);
		return r;
	}
	return p;
}

char *
config_find(const char *cli_path, int sysmode, struct errlist *errs)
{
	static const char *const names[] = { "systemg.yaml", "sysg.yaml" };
	char		 cwd[PATH_MAX], *cdir, *r = NULL;
	size_t		 i;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		strlcpy(cwd, "/", sizeof(cwd));
	cdir = config_dir(sysmode);
	if (cli_path != NULL && *cli_path != '\0') {
		if ((r = try_path(cwd, cli_path)) == NULL &&
		    cli_path[0] != '/')
			r = try_path(cdir, cli_path);
		if (r == NULL && cli_path[0] == '/')
			errlist_add(errs, "%s: no such config file", cli_path);
		else if (r == NULL)
			errlist_add(errs, "%s: no such config file (looked in "
			    "%s and %s)", cli_path, cwd, cdir);
		free(cdir);
		return r;
	}
	for (i = 0; i < 2 && r == NULL; i++)
		r = try_path(cwd, names[i]);
	for (i = 0; i < 2 && r == NULL; i++)
		r = try_path(cdir, names[i]);
	if (r == NULL)
		errlist_add(errs, "systemg.yaml: no config file (looked for "
		    "systemg.yaml and sysg.yaml in %s and %s)", cwd, cdir);
	free(cdir);
	return r;
}

/* ------------------------------------------------------------------ */
/* Top level */

struct top {
	const struct ynode	*version;
	const struct ynode	*services;
	const struct ynode	*env;
	const struct ynode	*project_dir;
	const struct ynode	*logs;
};

#define TOP_KEY(fn, field)						\
static void								\
fn(struct cx *cx, const struct ynode *v, void *arg)			\
{									\
	struct top	*t = arg;					\
									\
	(void)cx;							\
	t->field = v;							\
}

TOP_KEY(k_version, version)
TOP_KEY(k_services, services)
TOP_KEY(k_env, env)
TOP_KEY(k_project_dir, project_dir)
TOP_KEY(k_logs, logs)

static void
top_version(struct cx *cx, const struct ynode *v)
{
	size_t	 old;

	old = cx_push(cx, "version");
	if (v->type != Y_SCALAR || strcmp(v->str, "1") != 0)
		cx_expected(cx, v, "\"1\"");
	cx_pop(cx, old);
}

static void
top_project_dir(struct cx *cx, const struct ynode *v)
{
	const char	*p;
	char		*d, buf[2100];
	size_t		 old;
	int		 r;

	old = cx_push(cx, "project_dir");
	if ((p = cx_str(cx, v, "a directory path")) != NULL) {
		d = path_resolve(cx->project_dir, p);
		if ((r = dir_check(cx, d)) > 0)
			cx_err(cx, v, "directory %s: %s", safe(d, buf,
			    sizeof(buf)), strerror(r));
		else if (r == -1)
			cx_err(cx, v, "%s is not a directory", safe(d, buf,
			    sizeof(buf)));
		free(cx->project_dir);
		cx->project_dir = d;
	}
	cx_pop(cx, old);
}

static void
top_env(struct cx *cx, const struct ynode *v)
{
	const struct ynode	*out[2] = { NULL, NULL };
	size_t			 old;

	old = cx_push(cx, "env");
	walk_env(cx, v, out);
	cx->top_env_vars = out[1];
	if (out[0] != NULL) {
		cx_push(cx, "file");
		if (load_envfile(cx, out[0], &cx->top_envfile) == 0)
			cx->has_top_envfile = 1;
	}
	cx_pop(cx, old);
}

static void
add_service(struct cx *cx, const struct ynode *k, const struct ynode *v)
{
	struct svc	*s = &cx->svcs[cx->nsvcs];
	size_t		 old;

	old = cx_push(cx, k->str);
	if (!unit_name_valid(k->str)) {
		cx_err(cx, k, "invalid service name: use 1-64 characters of "
		    "A-Z a-z 0-9 _ . - not starting with . or -");
		cx_pop(cx, old);
		return;
	}
	memset(s, 0, sizeof(*s));
	if ((s->u = calloc(1, sizeof(*s->u))) == NULL)
		fatal("config");
	strlcpy(s->u->name, k->str, sizeof(s->u->name));
	s->key = k;
	s->node = v;
	cx->nsvcs++;
	walk_service(cx, s);
	if (s->env_file != NULL) {
		cx_push(cx, "env");
		cx_push(cx, "file");
		if (load_envfile(cx, s->env_file, &s->envfile) == 0)
			s->has_envfile = 1;
		else
			s->bad = 1;
	}
	cx_pop(cx, old);
}

static void
top_services(struct cx *cx, const struct ynode *v)
{
	size_t	 i, old;

	old = cx_push(cx, "services");
	if (ynode_is_null(v) || v->type == Y_BAD)
		goto out;
	if (v->type != Y_MAP) {
		cx_expected(cx, v, "a mapping of service names to services");
		goto out;
	}
	map_mark_dups(cx, v);
	if (v->nkids / 2 > CONF_MAX_UNITS) {
		cx_err(cx, v, "too many services (the limit is %d)",
		    CONF_MAX_UNITS);
		goto out;
	}
	if ((cx->svcs = calloc(v->nkids / 2 + 1, sizeof(*cx->svcs))) == NULL)
		fatal("config");
	for (i = 0; i + 1 < v->nkids; i += 2)
		if (!v->kids[i]->dup)
			add_service(cx, v->kids[i], v->kids[i + 1]);
 out:
	cx_pop(cx, old);
}

static void
walk_top(struct cx *cx, const struct ynode *root)
{
	static const struct keydef keys[] = {
		{ "version",	k_version,	1 },
		{ "services",	k_services,	1 },
		{ "env",	k_env,		0 },
		{ "project_dir", k_project_dir,	0 },
		{ "logs",	k_logs,		0 },
		{ NULL,		NULL,		0 }
	};
	struct top	 t;
	size_t		 old;

	memset(&t, 0, sizeof(t));
	if (root->type != Y_MAP) {
		cx_expected(cx, root, "a mapping with \"version\" and "
		    "\"services\"");
		return;
	}
	(void)walk_map(cx, root, keys, &t);
	if (t.version != NULL)
		top_version(cx, t.version);
	if (t.project_dir != NULL)
		top_project_dir(cx, t.project_dir);
	cx->logs.max_bytes = 10 * 1024 * 1024;
	cx->logs.max_files = 5;
	if (t.logs != NULL) {
		old = cx_push(cx, "logs");
		walk_logs(cx, t.logs, &cx->logs);
		cx_pop(cx, old);
	}
	if (t.env != NULL)
		top_env(cx, t.env);
	if (t.services != NULL)
		top_services(cx, t.services);
}

/* ------------------------------------------------------------------ */
/* Dependencies */

/* Unit names to index + 1; the names must outlive the map. */
static void
name_add(struct strmap *m, const char *name, size_t i)
{
	(void)strmap_add(m, name, (void *)(uintptr_t)(i + 1));
}

static int
name_lookup(const struct strmap *m, const char *name)
{
	return (int)(uintptr_t)strmap_get(m, name) - 1;
}

static void
unknown_dep(struct cx *cx, const struct ynode *at, const char *name,
    const char ***names)
{
	const char	*sug = NULL;
	size_t		  i;

	if (cx->nsvcs <= 512) {
		if (*names == NULL) {
			if ((*names = calloc(cx->nsvcs + 1,
			    sizeof(**names))) == NULL)
				fatal("config");
			for (i = 0; i < cx->nsvcs; i++)
				(*names)[i] = cx->svcs[i].u->name;
		}
		sug = suggest(name, *names, cx->nsvcs);
	}
	if (sug != NULL)
		cx_err(cx, at, "unknown service \"%s\" (did you mean \"%s\"?)",
		    name, sug);
	else
		cx_err(cx, at, "unknown service \"%s\"", name);
}

static void
resolve_deps(struct cx *cx, const struct strmap *ni)
{
	struct svc	*s;
	const char	**names = NULL;
	size_t		 i, j, old;
	int		 d;

	for (i = 0; i < cx->nsvcs; i++) {
		s = &cx->svcs[i];
		if (s->u->ndeps == 0)
			continue;
		if ((s->dep_idx = calloc(s->u->ndeps, sizeof(int))) == NULL)
			fatal("config");
		old = cx_push(cx, "services");
		cx_push(cx, s->u->name);
		cx_push(cx, "depends_on");
		for (j = 0; j < s->u->ndeps; j++) {
			size_t o2 = cx_push_idx(cx, j);

			d = name_lookup(ni, s->u->depends_on[j]);
			s->dep_idx[j] = d;
			if (d == -1)
				unknown_dep(cx, s->deps->kids[j],
				    s->u->depends_on[j], &names);
			else if (cx->svcs[d].u->is_cron && !s->u->is_cron) {
				cx_err(cx, s->deps->kids[j], "\"%s\" is a "
				    "cron job; a service cannot depend on it",
				    s->u->depends_on[j]);
				s->dep_idx[j] = -1;
			}
			cx_pop(cx, o2);
		}
		cx_pop(cx, old);
	}
	free(names);
}

/* Report the cycle closed by the edge v -> stack[from]. */
static void
report_cycle(struct cx *cx, const int *stack, size_t from, size_t top,
    size_t edge)
{
	struct svc	*v = &cx->svcs[stack[top]];
	char		 path[1024];
	size_t		 i, old;

	path[0] = '\0';
	for (i = from; i <= top; i++) {
		if (top - from >= 16 && i == from + 8) {
			strlcat(path, "... -> ", sizeof(path));
			i = top - 6;
		}
		strlcat(path, cx->svcs[stack[i]].u->name, sizeof(path));
		strlcat(path, " -> ", sizeof(path));
	}
	strlcat(path, cx->svcs[stack[from]].u->name, sizeof(path));
	old = cx_push(cx, "services");
	cx_push(cx, v->u->name);
	cx_push(cx, "depends_on");
	cx_push_idx(cx, edge);
	cx_err(cx, v->deps->kids[edge], "dependency cycle: %s", path);
	cx_pop(cx, old);
}

static void
find_cycles(struct cx *cx)
{
	int	*color, *stack, *edge, *pos, v, w;
	size_t	 n = cx->nsvcs, r, sp;

	if ((color = calloc(n + 1, sizeof(int))) == NULL ||
	    (stack = calloc(n + 1, sizeof(int))) == NULL ||
	    (edge = calloc(n + 1, sizeof(int))) == NULL ||
	    (pos = calloc(n + 1, sizeof(int))) == NULL)
		fatal("config");
	for (r = 0; r < n; r++) {
		if (color[r] != 0)
			continue;
		sp = 0;
		stack[0] = (int)r;
		edge[0] = 0;
		color[r] = 1;
		pos[r] = 0;
		for (;;) {
			v = stack[sp];
			if ((size_t)edge[sp] < cx->svcs[v].u->ndeps &&
			    cx->svcs[v].dep_idx != NULL) {
				w = cx->svcs[v].dep_idx[edge[sp]++];
				if (w < 0 || color[w] == 2)
					continue;
				if (color[w] == 1) {
					report_cycle(cx, stack, (size_t)pos[w],
					    sp, (size_t)edge[sp] - 1);
					continue;
				}
				color[w] = 1;
				stack[++sp] = w;
				edge[sp] = 0;
				pos[w] = (int)sp;
				continue;
			}
			color[v] = 2;
			if (sp-- == 0)
				break;
		}
	}
	free(color);
	free(stack);
	free(edge);
	free(pos);
}

static void
check_deps(struct cx *cx)
{
	struct strmap	 ni;
	size_t		 i;

	if (cx->nsvcs == 0)
		return;
	strmap_init(&ni, cx->nsvcs);
	for (i = 0; i < cx->nsvcs; i++)
		name_add(&ni, cx->svcs[i].u->name, i);
	resolve_deps(cx, &ni);
	find_cycles(cx);
	strmap_free(&ni);
}

/* ------------------------------------------------------------------ */
/* Loading */

static void
cx_free(struct cx *cx, int keep_units)
{
	size_t	 i;

	for (i = 0; i < cx->nsvcs; i++) {
		if (!keep_units)
			unit_conf_free(cx->svcs[i].u);
		kv_free(&cx->svcs[i].envfile);
		free(cx->svcs[i].dep_idx);
	}
	free(cx->svcs);
	kv_free(&cx->top_envfile);
	free(cx->project_dir);
	acct_cache_free(&cx->acct);
	memo_free(&cx->dirs);
	memo_free(&cx->zones);
	envfiles_free(cx);
}

static char *
abs_config_path(const char *path)
{
	char	*r, cwd[PATH_MAX];

	if ((r = realpath(path, NULL)) != NULL)
		return r;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		strlcpy(cwd, "/", sizeof(cwd));
	return path_resolve(cwd, path);
}

struct errpos {
	char	*line;
	int	 l, c;
	size_t	 i;
};

static int
errpos_cmp(const void *a, const void *b)
{
	const struct errpos	*x = a, *y = b;

	if (x->l != y->l)
		return x->l < y->l ? -1 : 1;
	if (x->c != y->c)
		return x->c < y->c ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Order the errors of the config file (from line nerr on) by position;
 * other lines (env files, file-level errors) keep their order after them.
 */
static void
sort_errors(struct errlist *errs, size_t nerr, const char *file)
{
	struct errpos	*ep;
	size_t		 i, n = errs->n - nerr, flen = strlen(file);
	const char	*p;
	char		*end;

	if (n < 2)
		return;
	if ((ep = calloc(n, sizeof(*ep))) == NULL)
		fatal("config");
	for (i = 0; i < n; i++) {
		ep[i].line = errs->lines[nerr + i];
		ep[i].i = i;
		ep[i].l = ep[i].c = INT_MAX;
		p = ep[i].line;
		if (strncmp(p, file, flen) != 0 || p[flen] != ':')
			continue;
		ep[i].l = (int)strtol(p + flen + 1, &end, 10);
		if (*end == ':')
			ep[i].c = (int)strtol(end + 1, &end, 10);
		if (*end != ':')
			ep[i].l = ep[i].c = INT_MAX;
	}
	qsort(ep, n, sizeof(*ep), errpos_cmp);
	for (i = 0; i < n; i++)
		errs->lines[nerr + i] = ep[i].line;
	free(ep);
}

static struct sysg_conf *
conf_build(struct cx *cx, char *file)
{
	struct sysg_conf	*c;
	size_t			 i;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->units = calloc(cx->nsvcs + 1, sizeof(*c->units))) == NULL)
		fatal("config");
	c->file = file;
	c->project_dir = cx->project_dir;
	cx->project_dir = NULL;
	c->logs = cx->logs;
	for (i = 0; i < cx->nsvcs; i++)
		c->units[c->nunits++] = cx->svcs[i].u;
	return c;
}

static void
load_tree(struct cx *cx, const struct ynode *root)
{
	size_t	 i;

	walk_top(cx, root);
	for (i = 0; i < cx->nsvcs; i++) {
		resolve_accounts(cx, &cx->svcs[i]);
		build_env(cx, &cx->svcs[i]);
	}
	check_deps(cx);
}

struct sysg_conf *
config_load(const char *path, const struct load_opts *opts,
    struct errlist *errs)
{
	struct cx		 cx;
	struct ynode		*root;
	struct sysg_conf	*c = NULL;
	char			*file, *buf, err[PATH_MAX + 128];
	size_t			 len, nerr = errs->n;
	int			 empty;

	file = abs_config_path(path);
	if (conf_read_file(file, opts->sysmode, &buf, &len, err,
	    sizeof(err)) == -1) {
		errlist_add(errs, "%s", err);
		free(file);
		return NULL;
	}
	if (!utf8_valid(file, strlen(file))) {
		errlist_add(errs, "%s: the path is not valid UTF-8", file);
		free(buf);
		free(file);
		return NULL;
	}
	root = yaml_tree(file, buf, len, errs, &empty);
	free(buf);
	if (root == NULL) {
		if (empty)
			errlist_add(errs, "%s:1:1: (top): the file is empty; "
			    "expected a mapping with \"version\" and "
			    "\"services\"", file);
		free(file);
		return NULL;
	}
	memset(&cx, 0, sizeof(cx));
	cx.file = file;
	cx.errs = errs;
	cx.opts = opts;
	cx.project_dir = path_resolve(file, "..");
	load_tree(&cx, root);
	yaml_tree_free(root);
	sort_errors(errs, nerr, file);
	if (errs->n == nerr)
		c = conf_build(&cx, file);
	else
		free(file);
	cx_free(&cx, c != NULL);
	return c;
}

void
config_free(struct sysg_conf *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nunits; i++)
		unit_conf_free(c->units[i]);
	free(c->units);
	free(c->file);
	free(c->project_dir);
	free(c);
}

int
config_unit_index(const struct sysg_conf *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nunits; i++)
		if (strcmp(c->units[i]->name, name) == 0)
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Start layers (Kahn's algorithm over services) */

int
config_layers(const struct sysg_conf *c, int *layer_of)
{
	struct strmap	 ni;
	size_t		 n = c->nunits, i, j, ne = 0, qh = 0, qt = 0;
	size_t		*start, *fill;
	int		*indeg, *adj, *queue, d, v, w, nlayers = 0;

	strmap_init(&ni, n);
	for (i = 0; i < n; i++)
		name_add(&ni, c->units[i]->name, i);
	if ((indeg = calloc(n + 1, sizeof(int))) == NULL ||
	    (start = calloc(n + 2, sizeof(size_t))) == NULL ||
	    (fill = calloc(n + 1, sizeof(size_t))) == NULL ||
	    (queue = calloc(n + 1, sizeof(int))) == NULL)
		fatal("config_layers");
	for (i = 0; i < n; i++)
		ne += c->units[i]->ndeps;
	if ((adj = calloc(ne + 1, sizeof(int))) == NULL)
		fatal("config_layers");
	/* Edges dep -> dependent, in CSR form. */
	for (i = 0; i < n; i++)
		for (j = 0; j < c->units[i]->ndeps; j++)
			if ((d = name_lookup(&ni,
			    c->units[i]->depends_on[j])) >= 0)
				start[d + 1]++;
	for (i = 0; i < n; i++)
		start[i + 1] += start[i];
	for (i = 0; i < n; i++) {
		layer_of[i] = c->units[i]->is_cron ? -1 : 0;
		for (j = 0; j < c->units[i]->ndeps; j++)
			if ((d = name_lookup(&ni,
			    c->units[i]->depends_on[j])) >= 0) {
				adj[start[d] + fill[d]++] = (int)i;
				indeg[i]++;
			}
	}
	for (i = 0; i < n; i++)
		if (indeg[i] == 0)
			queue[qt++] = (int)i;
	while (qh < qt) {
		v = queue[qh++];
		if (layer_of[v] >= 0 && layer_of[v] + 1 > nlayers)
			nlayers = layer_of[v] + 1;
		for (j = start[v]; j < start[v + 1]; j++) {
			w = adj[j];
			if (layer_of[w] >= 0 && layer_of[v] >= 0 &&
			    layer_of[v] + 1 > layer_of[w])
				layer_of[w] = layer_of[v] + 1;
			if (--indeg[w] == 0)
				queue[qt++] = w;
		}
	}
	for (i = 0; i < n; i++)
		if (indeg[i] != 0)
			layer_of[i] = -1;	/* in a cycle */
	strmap_free(&ni);
	free(indeg);
	free(start);
	free(fill);
	free(queue);
	free(adj);
	return nlayers;
}
