/*
 * Privileged keys of a service: user, group, supplementary_groups,
 * capabilities, limits (rlimits, nice, affinity, cgroup) and isolation.
 * Accounts are resolved with the passwd and group databases at load.
 */

#include <sys/capability.h>
#include <sys/resource.h>

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config_int.h"
#include "log.h"
#include "parse.h"

#define CGROUP_ROOT	"/sys/fs/cgroup/systemg"
#define MAX_CPUS	1024	/* CPU_SETSIZE; <sched.h> is shadowed by -Icron */

/* ------------------------------------------------------------------ */
/* Accounts */

static int
account_name_valid(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-' && s[i] != '.' && !(s[i] == '$' &&
		    s[i + 1] == '\0'))
			return 0;
	return i > 0 && i <= 256 && s[0] != '-';
}

void
key_user(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;
	const char	*n;

	if ((n = cx_str(cx, v, "a user name")) == NULL)
		return;
	if (!account_name_valid(n)) {
		cx_expected(cx, v, "a user name");
		return;
	}
	s->user = v;
	if ((s->u->user = strdup(n)) == NULL)
		fatal("config");
}

void
key_group(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;
	const char	*n;

	if ((n = cx_str(cx, v, "a group name")) == NULL)
		return;
	if (!account_name_valid(n)) {
		cx_expected(cx, v, "a group name");
		return;
	}
	s->group = v;
	if ((s->u->group = strdup(n)) == NULL)
		fatal("config");
}

void
key_supp(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	if (cx_strlist(cx, v, "group name", account_name_valid,
	    &s->u->supp_groups, &s->u->nsupp) == 0)
		s->supp = v;
}

static void
need_root(struct cx *cx, const struct ynode *v, const char *key)
{
	cx_errat(cx, v, key, "needs a daemon that runs as root (this one "
	    "would not; run sysg as root, e.g. sysg --sys)");
}

static void
resolve_user(struct cx *cx, struct svc *s)
{
	struct acct	*a;
	const char	*gr;

	if (!(a = acct_user(&cx->acct, s->u->user))->found) {
		if (s->user != NULL)
			cx_errat(cx, s->user, "user", "unknown user \"%s\"",
			    s->u->user);
		else
			cx_err(cx, s->key, "--drop-privileges: unknown user "
			    "\"%s\"", s->u->user);
		return;
	}
	if (s->u->group != NULL)
		return;
	if ((gr = acct_group_name(a)) == NULL)
		return;
	if ((s->u->group = strdup(gr)) == NULL)
		fatal("config");
}

static void	check_accounts(struct cx *, struct svc *);

/* Privilege checks and account resolution, after the walk. */
void
resolve_accounts(struct cx *cx, struct svc *s)
{
	struct unit_conf	*u = s->u;
	const struct load_opts	*o = cx->opts;
	size_t			 old;

	if (s->user == NULL && s->group == NULL && s->supp == NULL &&
	    s->caps == NULL && u->user == NULL &&
	    !(o->daemon_is_root && o->sysmode && o->drop_privileges))
		return;		/* nothing to check */
	old = cx_push(cx, "services");
	cx_push(cx, u->name);
	check_accounts(cx, s);
	cx_pop(cx, old);
}

static void
check_accounts(struct cx *cx, struct svc *s)
{
	struct unit_conf	*u = s->u;
	size_t			 i, old;

	if (!cx->opts->daemon_is_root) {
		if (s->user != NULL)
			need_root(cx, s->user, "user");
		if (s->group != NULL)
			need_root(cx, s->group, "group");
		if (s->supp != NULL)
			need_root(cx, s->supp, "supplementary_groups");
		if (s->caps != NULL)
			need_root(cx, s->caps, "capabilities");
		return;
	}
	if (u->user == NULL && cx->opts->sysmode &&
	    cx->opts->drop_privileges && (u->user = strdup("nobody")) ==
	    NULL)
		fatal("config");
	if (u->user != NULL)
		resolve_user(cx, s);
	if (s->group != NULL && !acct_group_known(&cx->acct, u->group))
		cx_errat(cx, s->group, "group", "unknown group \"%s\"",
		    u->group);
	old = cx_push(cx, "supplementary_groups");
	for (i = 0; i < u->nsupp; i++)
		if (!acct_group_known(&cx->acct, u->supp_groups[i])) {
			size_t o2 = cx_push_idx(cx, i);

			cx_err(cx, s->supp->kids[i], "unknown group \"%s\"",
			    u->supp_groups[i]);
			cx_pop(cx, o2);
		}
	cx_pop(cx, old);
}

/* ------------------------------------------------------------------ */
/* Capabilities */

static int
cap_known(const char *name, cap_value_t *cv)
{
	const char	*p;

	if (strncasecmp(name, "CAP_", 4) != 0 || name[4] == '\0')
		return 0;
	for (p = name + 4; *p != '\0'; p++)
		if (!isalpha((unsigned char)*p) && *p != '_')
			return 0;
	return cap_from_name(name, cv) == 0 && *cv >= 0 && *cv < 64;
}

void
key_caps(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;
	cap_value_t	 cv;
	const char	*n;
	size_t		 i, old;

	if (v->type != Y_SEQ) {
		cx_expected(cx, v, "a list of capability names like "
		    "CAP_NET_BIND_SERVICE");
		return;
	}
	s->caps = v;
	s->u->has_caps = true;
	for (i = 0; i < v->nkids; i++) {
		old = cx_push_idx(cx, i);
		if ((n = cx_str(cx, v->kids[i], "a capability name")) != NULL) {
			if (!cap_known(n, &cv))
				cx_expected(cx, v->kids[i], "a capability "
				    "name like CAP_NET_BIND_SERVICE");
			else if (cv >= cap_max_bits())
				cx_err(cx, v->kids[i], "%s is not supported "
				    "by this kernel", n);
			else
				s->u->caps |= (uint64_t)1 << cv;
		}
		cx_pop(cx, old);
	}
}

/* ------------------------------------------------------------------ */
/* rlimits */

struct rlarg {
	struct rlimit_conf	*r;
	const char		*name;
};

/* fs.nr_open, 0 if unknown; read once per load. */
static unsigned long long
nr_open(struct cx *cx)
{
	FILE			*f;
	unsigned long long	 n = 0;

	if (cx->nr_open_read)
		return cx->nr_open;
	cx->nr_open_read = 1;
	if ((f = fopen("/proc/sys/fs/nr_open", "r")) == NULL)
		return 0;
	if (fscanf(f, "%llu", &n) != 1)
		n = 0;
	fclose(f);
	return cx->nr_open = n;
}

/* Configured CPUs, at least 1 and at most MAX_CPUS; read once. */
static long
ncpus(struct cx *cx)
{
	long	 n;

	if (cx->ncpu != 0)
		return cx->ncpu;
	if ((n = sysconf(_SC_NPROCESSORS_CONF)) < 1)
		n = 1;
	if (n > MAX_CPUS)
		n = MAX_CPUS;
	return cx->ncpu = n;
}

static void
k_rl_soft(struct cx *cx, const struct ynode *v, void *arg)
{
	struct rlarg	*ra = arg;

	(void)cx_size(cx, v, 1, &ra->r->soft);
}

static void
k_rl_hard(struct cx *cx, const struct ynode *v, void *arg)
{
	struct rlarg	*ra = arg;

	(void)cx_size(cx, v, 1, &ra->r->hard);
}

static int
rlimit_value(struct cx *cx, const struct ynode *v, struct rlarg *ra)
{
	static const struct keydef keys[] = {
		{ "soft",	k_rl_soft,	1 },
		{ "hard",	k_rl_hard,	1 },
		{ NULL,		NULL,		0 }
	};
	size_t	 nerr = cx->errs->n;

	if (v->type == Y_MAP) {
		(void)walk_map(cx, v, keys, ra);
		if (nerr != cx->errs->n)
			return -1;
		if (ra->r->soft > ra->r->hard) {
			cx_err(cx, v, "the soft limit is above the hard "
			    "limit");
			return -1;
		}
		return 0;
	}
	if (v->type == Y_SEQ || ynode_is_null(v)) {
		cx_expected(cx, v, "a size like 65536 or \"64K\", "
		    "\"unlimited\", or {soft, hard}");
		return -1;
	}
	if (cx_size(cx, v, 1, &ra->r->soft) == -1)
		return -1;
	ra->r->hard = ra->r->soft;
	return 0;
}

static void
rlimit_key(struct cx *cx, const struct ynode *v, struct rlimit_conf *r,
    const char *name)
{
	struct rlarg		 ra;
	unsigned long long	 max;

	ra.r = r;
	ra.name = name;
	if (rlimit_value(cx, v, &ra) == -1)
		return;
	r->set = true;
	if (strcmp(name, "nofile") != 0)
		return;
	if (r->hard == LIMIT_INFINITY)
		cx_err(cx, v, "nofile cannot be \"unlimited\" on Linux; give "
		    "a number (at most fs.nr_open)");
	else if ((max = nr_open(cx)) != 0 && r->hard > max)
		cx_err(cx, v, "nofile %llu is above the kernel's maximum "
		    "(fs.nr_open)", (unsigned long long)r->hard);
}

static void
k_nofile(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	rlimit_key(cx, v, &s->u->limits.nofile, "nofile");
}

static void
k_nproc(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	rlimit_key(cx, v, &s->u->limits.nproc, "nproc");
}

static void
k_memlock(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	rlimit_key(cx, v, &s->u->limits.memlock, "memlock");
}

static void
k_core(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;

	rlimit_key(cx, v, &s->u->limits.core, "core");
}

static void
k_nice(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc	*s = arg;
	long long	 n;

	if (cx_int(cx, v, -20, 19, &n) == -1)
		return;
	s->u->limits.has_nice = true;
	s->u->limits.nice = (int)n;
}

static void
k_cpu_affinity(struct cx *cx, const struct ynode *v, void *arg)
{
	struct svc		*s = arg;
	struct limits_conf	*l = &s->u->limits;
	uint64_t		 listed[MAX_CPUS / 64];
	long			 ncpu;
	long long		 c;
	size_t			 i, old;

	if (v->type != Y_SEQ) {
		cx_expected(cx, v, "a list of CPU numbers");
		return;
	}
	if (v->nkids == 0) {
		cx_err(cx, v, "the list is empty");
		return;
	}
	if (v->nkids > MAX_CPUS) {
		cx_err(cx, v, "too many CPUs listed");
		return;
	}
	ncpu = ncpus(cx);
	free(l->cpus);
	l->ncpus = 0;
	if ((l->cpus = calloc(v->nkids, sizeof(*l->cpus))) == NULL)
		fatal("config");
	memset(listed, 0, sizeof(listed));
	for (i = 0; i < v->nkids; i++) {
		old = cx_push_idx(cx, i);
		if (cx_int(cx, v->kids[i], 0, INT_MAX, &c) == 0) {
			if (c >= ncpu)
				cx_err(cx, v->kids[i], "CPU %lld does not "
				    "exist on this machine", c);
			else if (listed[c / 64] & (uint64_t)1 << (c % 64))
				cx_err(cx, v->kids[i], "CPU %lld is listed "
				    "twice", c);
			else {
				listed[c / 64] |= (uint64_t)1 << (c % 64);
				l->cpus[l->ncpus++] = (int)c;
			}
		}
		cx_pop(cx, old);
	}
}

/* ------------------------------------------------------------------ */
/* cgroup */

static void
k_cg_root(struct cx *cx, const struct ynode *v, void *arg)
{
	struct cgroup_conf	*c = arg;
	const char		*p;

	if ((p = cx_str(cx, v, "an absolute directory path")) == NULL)
		return;
	if (p[0] != '/' || strstr(p, "/../") != NULL ||
	    (strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0)) {
		cx_expected(cx, v, "an absolute directory path without \"..\"");
		return;
	}
	free(c->root);
	c->root = path_resolve("/", p);
}

static void
k_cg_memory_max(struct cx *cx, const struct ynode *v, void *arg)
{
	struct cgroup_conf	*c = arg;

	const char		*err;

	if (v->type == Y_SCALAR && strcmp(v->str, "max") == 0)
		c->memory_max = LIMIT_INFINITY;
	else if (v->type != Y_SCALAR || parse_size(v->str, 1,
	    &c->memory_max, &err) == -1) {
		cx_expected(cx, v, "a size like \"512M\", or \"max\"");
		return;
	}
	c->has_memory_max = true;
}

static int
cpu_max_valid(const char *s, char *norm, size_t len)
{
	char		 q[32], p[32], extra[2];
	long long	 quota = 0, period = 100000;
	int		 n;

	n = sscanf(s, "%31s %31s %1s", q, p, extra);
	if (n < 1 || n > 2)
		return 0;
	if (strcmp(q, "max") != 0 &&
	    parse_int(q, 1000, 1000000000000LL, &quota, NULL) == -1)
		return 0;
	if (n == 2 && parse_int(p, 1000, 1000000, &period, NULL) == -1)
		return 0;
	if (n == 1 && strcmp(q, "max") == 0)
		snprintf(norm, len, "max");
	else
		snprintf(norm, len, "%s %lld", q, period);
	return 1;
}

static void
k_cg_cpu_max(struct cx *cx, const struct ynode *v, void *arg)
{
	struct cgroup_conf	*c = arg;
	char			 norm[80];

	if (v->type != Y_SCALAR || ynode_is_null(v) ||
	    !cpu_max_valid(v->str, norm, sizeof(norm))) {
		cx_expected(cx, v, "\"QUOTA PERIOD\" in microseconds like "
		    "\"50000 100000\" (quota >= 1000, period 1000..1000000), "
		    "or \"max\"");
		return;
	}
	free(c->cpu_max);
	if ((c->cpu_max = strdup(norm)) == NULL)
		fatal("config");
}

static void
k_cg_cpu_weight(struct cx *cx, const struct ynode *v, void *arg)
{
	struct cgroup_conf	*c = arg;
	long long		 n;

	if (cx_int(cx, v, 1, 10000, &n) == 0)
		c->cpu_weight = (int)n;
}

static void
k_cg_pids_max(struct cx *cx, const struct ynode *v, void *arg)
{
	struct cgroup_conf	*c = arg;
	long long		 n;

	if (v->type == Y_SCALAR && strcmp(v->str, "max") == 0) {
		c->pids_max = 0;
		return;
	}
	if (cx_int(cx, v, 1, INT64_MAX, &n) == 0)
		c->pids_max = n;
}

static void
k_cgroup(struct cx *cx, const struct ynode *v, void *arg)
{
	static const struct keydef keys[] = {
		{ "root",	k_cg_root,		0 },
		{ "memory_max",	k_cg_memory_max,	0 },
		{ "cpu_max",	k_cg_cpu_max,		0 },
		{ "cpu_weight",	k_cg_cpu_weight,	0 },
		{ "pids_max",	k_cg_pids_max,		0 },
		{ NULL,		NULL,			0 }
	};
	struct svc		*s = arg;
	struct cgroup_conf	*c = &s->u->limits.cgroup;

	if (walk_map(cx, v, keys, c) == -1)
		return;
	c->set = true;
	if (c->root == NULL && (c->root = strdup(CGROUP_ROOT)) == NULL)
		fatal("config");
}

void
key_limits(struct cx *cx, const struct ynode *v, void *arg)
{
	static const struct keydef keys[] = {
		{ "nofile",		k_nofile,		0 },
		{ "nproc",		k_nproc,		0 },
		{ "memlock",		k_memlock,		0 },
		{ "core",		k_core,			0 },
		{ "nice",		k_nice,			0 },
		{ "cpu_affinity",	k_cpu_affinity,		0 },
		{ "cgroup",		k_cgroup,		0 },
		{ NULL,			NULL,			0 }
	};

	(void)walk_map(cx, v, keys, arg);
}

/* ------------------------------------------------------------------ */
/* Isolation */

#define ISO_BOOL(fn, field)						\
static void								\
fn(struct cx *cx, const struct ynode *v, void *arg)			\
{									\
	struct isolation_conf	*i = arg;				\
									\
	(void)cx_bool(cx, v, &i->field);				\
}

ISO_BOOL(k_iso_network, network)
ISO_BOOL(k_iso_pid, pid)
ISO_BOOL(k_iso_mount, mount)
ISO_BOOL(k_iso_user, user)
ISO_BOOL(k_iso_private_tmp, private_tmp)
ISO_BOOL(k_iso_private_devices, private_devices)
ISO_BOOL(k_iso_nnp, no_new_privileges)
ISO_BOOL(k_iso_strict, strict)

static void
k_iso_seccomp(struct cx *cx, const struct ynode *v, void *arg)
{
	struct isolation_conf	*i = arg;

	if (v->type == Y_SCALAR && strcmp(v->str, "default") == 0)
		i->seccomp_default = true;
	else if (v->type == Y_SCALAR && strcmp(v->str, "none") == 0)
		i->seccomp_default = false;
	else
		cx_expected(cx, v, "\"default\" or \"none\"");
}

void
key_isolation(struct cx *cx, const struct ynode *v, void *arg)
{
	static const struct keydef keys[] = {
		{ "network",		k_iso_network,		0 },
		{ "pid",		k_iso_pid,		0 },
		{ "mount",		k_iso_mount,		0 },
		{ "user",		k_iso_user,		0 },
		{ "private_tmp",	k_iso_private_tmp,	0 },
		{ "private_devices",	k_iso_private_devices,	0 },
		{ "no_new_privileges",	k_iso_nnp,		0 },
		{ "strict",		k_iso_strict,		0 },
		{ "seccomp",		k_iso_seccomp,		0 },
		{ NULL,			NULL,			0 }
	};
	struct svc	*s = arg;

	if (walk_map(cx, v, keys, &s->u->iso) == 0)
		s->u->iso.set = true;
}
