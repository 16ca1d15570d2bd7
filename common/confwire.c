/*
 * The configuration's wire format (see confwire.h).  One walk over the
 * fields of a unit serves both directions: writing appends each field,
 * reading takes it back.  Reading runs the walk twice: once to check
 * the framing and size the unit, once to fill a single allocation; the
 * values are then checked as strictly as the YAML loader made them.
 */

#include <linux/capability.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "confjson.h"
#include "confwire.h"
#include "log.h"
#include "parse.h"
#include "strpool.h"

/* A string's leading number: NULL, a pool reference, or length + 2. */
#define WIRE_NULL	0		/* a NULL string or string list */
#define WIRE_REF	1		/* string number N of the pool */
#define WIRE_LEN	2		/* added to a string's length */
#define WIRE_POOL_MAX	(128 * 1024)	/* bytes of strings sent by number */
#define STRV_MAX	65536
#define CPUS_MAX	65536

struct wire {
	int		 reading;
	/* writing */
	char		*b;
	size_t		 len;
	size_t		 cap;
	/* reading */
	const uint8_t	*p;
	size_t		 plen;
	size_t		 off;
	int		 bad;
	int		 fill;		/* second pass: into the block */
	size_t		 nptr;		/* first pass: what the block needs */
	size_t		 nint;
	size_t		 nchr;
	struct strpool	*pool;		/* env entries by number, or NULL */
	int		 intern;	/* at the env entries */
	int		 pooled;	/* some are the pool's */
	char		**ptr;		/* second pass: where the next goes */
	int		*ints;
	char		*chr;
};

/* ------------------------------------------------------------------ */
/* Fields, both ways */

static void
w_put(struct wire *w, const void *v, size_t n)
{
	size_t	 cap;

	if (w->len + n > w->cap) {
		for (cap = w->cap ? w->cap : 512; cap < w->len + n; cap *= 2)
			;
		if ((w->b = realloc(w->b, cap)) == NULL)
			fatal("unit_pack");
		w->cap = cap;
	}
	memcpy(w->b + w->len, v, n);
	w->len += n;
}

static void
wv_raw(struct wire *w, void *v, size_t n)
{
	if (!w->reading) {
		w_put(w, v, n);
		return;
	}
	if (w->bad || n > w->plen - w->off) {
		w->bad = 1;
		memset(v, 0, n);
		return;
	}
	memcpy(v, w->p + w->off, n);
	w->off += n;
}

/*
 * Numbers travel as LEB128 varints, seven bits a byte, low bits first
 * (signed ones zigzag-mapped first): the small values that most fields
 * hold take one byte instead of four or eight.
 */
static uint64_t
wv_varint(struct wire *w, uint64_t v)
{
	uint8_t		 b;
	unsigned	 shift;

	if (!w->reading) {
		do {
			b = v & 0x7f;
			if ((v >>= 7) != 0)
				b |= 0x80;
			w_put(w, &b, 1);
		} while (v != 0);
		return 0;
	}
	v = 0;
	for (shift = 0; !w->bad; shift += 7) {
		if (w->off >= w->plen || shift > 63 ||
		    (shift == 63 && (w->p[w->off] & 0x7e) != 0)) {
			w->bad = 1;
			break;
		}
		b = w->p[w->off++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return v;
	}
	return 0;
}

static uint64_t
zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t
unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void
wv_int(struct wire *w, int *v)
{
	int64_t	 x;

	x = unzigzag(wv_varint(w, zigzag(*v)));
	if (!w->reading)
		return;
	if (x < INT32_MIN || x > INT32_MAX) {
		w->bad = 1;
		x = 0;
	}
	*v = (int)x;
}

static void
wv_i64(struct wire *w, int64_t *v)
{
	int64_t	 x;

	x = unzigzag(wv_varint(w, zigzag(*v)));
	if (w->reading)
		*v = x;
}

static void
wv_u64(struct wire *w, uint64_t *v)
{
	uint64_t	 x;

	x = wv_varint(w, *v);
	if (w->reading)
		*v = x;
}

static uint32_t
wv_u32(struct wire *w, uint32_t v)
{
	uint64_t	 x;

	x = wv_varint(w, v);
	if (!w->reading)
		return v;
	if (x > UINT32_MAX) {
		w->bad = 1;
		return 0;
	}
	return (uint32_t)x;
}

static void
wv_bool(struct wire *w, bool *v)
{
	uint8_t	 b = *v ? 1 : 0;

	wv_raw(w, &b, sizeof(b));
	if (b > 1)
		w->bad = 1;
	*v = b == 1;
}

/* An enum, read back only if it is at most max. */
static int
wv_enum(struct wire *w, int v, int max)
{
	wv_int(w, &v);
	if (v < 0 || v > max)
		w->bad = 1;
	return v;
}

/* An environment entry that other units likely share (not their name). */
static int
shared(const struct wire *w, const char *s, size_t n)
{
	static const char	 own[] = "SYSG_SERVICE=";

	return w->pool != NULL && w->intern &&
	    !(n >= sizeof(own) - 1 && memcmp(s, own, sizeof(own) - 1) == 0);
}

/* Reading: n bytes of string, checked, kept in the block's string area. */
static char *
r_chars(struct wire *w, uint32_t n)
{
	const char	*s;
	char		*d;

	if (w->bad || n > w->plen - w->off) {
		w->bad = 1;
		return NULL;
	}
	s = (const char *)w->p + w->off;
	if (memchr(s, '\0', n) != NULL || !utf8_valid(s, n)) {
		w->bad = 1;
		return NULL;
	}
	w->off += n;
	if (!w->fill) {
		w->nchr += (size_t)n + 1;
		return NULL;
	}
	d = w->chr;
	memcpy(d, s, n);
	d[n] = '\0';
	w->chr += (size_t)n + 1;
	return d;
}

/*
 * Writing: the number of a shared environment entry in the pool, while
 * the pool stays small enough to travel in one message.
 */
static uint32_t
pool_id(struct wire *w, const char *s, size_t n)
{
	uint32_t	 id;

	if (!shared(w, s, n))
		return UINT32_MAX;
	if ((id = strpool_find(w->pool, s, n)) != UINT32_MAX ||
	    strpool_bytes(w->pool) + n + 4 * (strpool_count(w->pool) + 1) >
	    WIRE_POOL_MAX)
		return id;
	return strpool_id(w->pool, s, n);
}

static void
wv_str(struct wire *w, char **s, int nullable)
{
	uint32_t	 n, id;

	if (!w->reading) {
		if (*s == NULL) {
			wv_u32(w, WIRE_NULL);
			return;
		}
		n = (uint32_t)strlen(*s);
		if ((id = pool_id(w, *s, n)) != UINT32_MAX) {
			wv_u32(w, WIRE_REF);
			wv_u32(w, id);
			return;
		}
		wv_u32(w, n + WIRE_LEN);
		w_put(w, *s, n);
		return;
	}
	*s = NULL;
	if ((n = wv_u32(w, 0)) == WIRE_NULL) {
		if (!nullable)
			w->bad = 1;
		return;
	}
	if (n == WIRE_REF) {
		if ((*s = strpool_get(w->pool, wv_u32(w, 0))) == NULL ||
		    !w->intern)
			w->bad = 1;
		w->pooled = 1;
		return;
	}
	*s = r_chars(w, n - WIRE_LEN);
}

/* A string list; np NULL for a NULL-terminated one without a count. */
static void
wv_strv(struct wire *w, char ***v, size_t *np, int nullable)
{
	char		**sv = NULL;
	uint32_t	  n, i;

	if (!w->reading) {
		n = *v == NULL ? 0 : np != NULL ? (uint32_t)*np :
		    (uint32_t)strv_len(*v);
		/* NULL, or the count + 1 */
		wv_u32(w, *v == NULL && nullable ? WIRE_NULL : n + 1);
		for (i = 0; *v != NULL && i < n; i++)
			wv_str(w, &(*v)[i], 0);
		return;
	}
	*v = NULL;
	if (np != NULL)
		*np = 0;
	if ((n = wv_u32(w, 0)) == WIRE_NULL) {
		if (!nullable)
			w->bad = 1;
		return;
	}
	n--;
	/* Every string takes a byte at least. */
	if (w->bad || n > STRV_MAX || n > w->plen - w->off) {
		w->bad = 1;
		return;
	}
	if (w->fill) {
		sv = w->ptr;
		w->ptr += n + 1;
		sv[n] = NULL;
	} else
		w->nptr += (size_t)n + 1;
	for (i = 0; i < n; i++) {
		wv_str(w, w->fill ? &sv[i] : &(char *){ NULL }, 0);
		if (w->bad)
			return;
	}
	*v = sv;
	if (np != NULL)
		*np = n;
}

static void
wv_cpus(struct wire *w, struct limits_conf *l)
{
	uint32_t	 n, i;
	int		 c;

	n = wv_u32(w, l->cpus == NULL ? 0 : (uint32_t)l->ncpus);
	if (!w->reading) {
		for (i = 0; i < n; i++)
			wv_int(w, &l->cpus[i]);
		return;
	}
	l->cpus = NULL;
	l->ncpus = 0;
	if (w->bad || n > CPUS_MAX || n > w->plen - w->off) {
		w->bad = 1;
		return;
	}
	if (n == 0)
		return;
	if (!w->fill)
		w->nint += n;
	else {
		l->cpus = w->ints;
		w->ints += n;
	}
	for (i = 0; i < n; i++) {
		wv_int(w, &c);
		if (c < 0 || c > 65535)
			w->bad = 1;
		if (w->fill)
			l->cpus[i] = c;
	}
	if (w->fill)
		l->ncpus = n;
}

static void
wv_name(struct wire *w, char *name)
{
	uint32_t	 n;

	n = wv_u32(w, (uint32_t)strnlen(name, SYSG_NAME_MAX));
	if (!w->reading) {
		w_put(w, name, n);
		return;
	}
	if (w->bad || n == 0 || n > SYSG_NAME_MAX || n > w->plen - w->off) {
		w->bad = 1;
		return;
	}
	memcpy(name, w->p + w->off, n);
	name[n] = '\0';
	w->off += n;
}

/* ------------------------------------------------------------------ */
/* The unit, field by field */

static void
walk_health(struct wire *w, struct health_conf *h)
{
	h->type = wv_enum(w, h->type, HC_TCP);
	if (h->type == HC_NONE)
		return;
	wv_str(w, &h->target, 0);
	wv_i64(w, &h->interval_ms);
	wv_i64(w, &h->timeout_ms);
	wv_int(w, &h->retries);
	wv_i64(w, &h->start_period_ms);
	h->on_unhealthy = wv_enum(w, h->on_unhealthy, UNHEALTHY_NONE);
}

static void
walk_hooks(struct wire *w, struct unit_conf *u)
{
	int	 e, r;

	for (e = 0; e < HOOK_EVENT_MAX; e++)
		for (r = 0; r < HOOK_OUTCOME_MAX; r++) {
			wv_str(w, &u->hooks[e][r].command, 1);
			wv_i64(w, &u->hooks[e][r].timeout_ms);
		}
}

static void
walk_rlimit(struct wire *w, struct rlimit_conf *r)
{
	wv_bool(w, &r->set);
	if (!r->set)
		return;
	wv_u64(w, &r->soft);
	wv_u64(w, &r->hard);
}

static void
walk_cgroup(struct wire *w, struct cgroup_conf *c)
{
	wv_bool(w, &c->set);
	if (!c->set)
		return;
	wv_str(w, &c->root, 0);
	wv_bool(w, &c->has_memory_max);
	if (c->has_memory_max)
		wv_u64(w, &c->memory_max);
	wv_str(w, &c->cpu_max, 1);
	wv_int(w, &c->cpu_weight);
	wv_i64(w, &c->pids_max);
}

static void
walk_limits(struct wire *w, struct limits_conf *l)
{
	walk_rlimit(w, &l->nofile);
	walk_rlimit(w, &l->nproc);
	walk_rlimit(w, &l->memlock);
	walk_rlimit(w, &l->core);
	wv_bool(w, &l->has_nice);
	if (l->has_nice)
		wv_int(w, &l->nice);
	wv_cpus(w, l);
	walk_cgroup(w, &l->cgroup);
}

static void
walk_iso(struct wire *w, struct isolation_conf *i)
{
	wv_bool(w, &i->set);
	if (!i->set)
		return;
	wv_bool(w, &i->network);
	wv_bool(w, &i->pid);
	wv_bool(w, &i->mount);
	wv_bool(w, &i->user);
	wv_bool(w, &i->private_tmp);
	wv_bool(w, &i->private_devices);
	wv_bool(w, &i->no_new_privileges);
	wv_bool(w, &i->strict);
	wv_bool(w, &i->seccomp_default);
}

static void
walk_unit(struct wire *w, struct unit_conf *u)
{
	wv_name(w, u->name);
	wv_str(w, &u->command, 0);
	wv_strv(w, &u->argv, NULL, 1);
	wv_str(w, &u->working_dir, 1);
	w->intern = 1;
	wv_strv(w, &u->env, &u->nenv, 0);
	w->intern = 0;
	wv_strv(w, &u->depends_on, &u->ndeps, 0);
	u->restart = wv_enum(w, u->restart, RESTART_ALWAYS);
	wv_i64(w, &u->backoff_ms);
	wv_i64(w, &u->max_backoff_ms);
	wv_int(w, &u->max_restarts);
	wv_int(w, &u->stop_signal);
	wv_i64(w, &u->stop_timeout_ms);
	walk_health(w, &u->health);
	walk_hooks(w, u);
	u->strategy = wv_enum(w, u->strategy, DEPLOY_ROLLING);
	wv_str(w, &u->pre_start, 1);
	wv_i64(w, &u->grace_period_ms);
	wv_bool(w, &u->is_cron);
	if (u->is_cron) {
		wv_str(w, &u->cron.expression, 0);
		wv_str(w, &u->cron.timezone, 1);
		wv_i64(w, &u->cron.timeout_ms);
	}
	u->skip = wv_enum(w, u->skip, SKIP_COMMAND);
	if (u->skip == SKIP_COMMAND)
		wv_str(w, &u->skip_command, 0);
	wv_u64(w, &u->logs.max_bytes);
	wv_int(w, &u->logs.max_files);
	wv_bool(w, &u->logs.timestamps);
	wv_strv(w, &u->sockets, &u->nsockets, 0);
	wv_str(w, &u->user, 1);
	wv_str(w, &u->group, 1);
	wv_strv(w, &u->supp_groups, &u->nsupp, 0);
	wv_bool(w, &u->has_caps);
	if (u->has_caps)
		wv_u64(w, &u->caps);
	walk_limits(w, &u->limits);
	walk_iso(w, &u->iso);
}

/* ------------------------------------------------------------------ */
/* Checking what was read */

static int
ms_ok(int64_t v)
{
	return v >= 0 && v <= PARSE_DURATION_MAX_MS;
}

/* env entries are KEY=VALUE with a non-empty key. */
static int
env_ok(char *const *env, size_t n)
{
	size_t	 i;
	char	*eq;

	for (i = 0; i < n; i++)
		if ((eq = strchr(env[i], '=')) == NULL || eq == env[i])
			return 0;
	return 1;
}

static int
names_ok(char *const *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!unit_name_valid(v[i]))
			return 0;
	return 1;
}

static int
signal_ok(int sig)
{
	const char	*name;

	return (name = signal_name(sig)) != NULL && signal_parse(name) == sig;
}

static int
health_ok(const struct health_conf *h)
{
	if (h->type == HC_NONE)
		return 1;
	return ms_ok(h->interval_ms) && ms_ok(h->timeout_ms) &&
	    ms_ok(h->start_period_ms) && h->retries >= 1;
}

static int
hooks_ok(const struct unit_conf *u)
{
	int	 e, r;

	for (e = 0; e < HOOK_EVENT_MAX; e++)
		for (r = 0; r < HOOK_OUTCOME_MAX; r++)
			if (!ms_ok(u->hooks[e][r].timeout_ms))
				return 0;
	return 1;
}

static int
limits_ok(const struct limits_conf *l)
{
	const struct cgroup_conf	*c = &l->cgroup;

	if ((l->nofile.set && l->nofile.soft > l->nofile.hard) ||
	    (l->nproc.set && l->nproc.soft > l->nproc.hard) ||
	    (l->memlock.set && l->memlock.soft > l->memlock.hard) ||
	    (l->core.set && l->core.soft > l->core.hard) ||
	    (l->has_nice && (l->nice < -20 || l->nice > 19)))
		return 0;
	if (!c->set)
		return 1;
	return c->root[0] == '/' && c->cpu_weight >= 0 &&
	    c->cpu_weight <= 10000 && c->pids_max >= -1;
}

static int
unit_ok(const struct unit_conf *u)
{
	return unit_name_valid(u->name) &&
	    (u->argv == NULL || u->argv[0] != NULL) &&
	    env_ok(u->env, u->nenv) && names_ok(u->depends_on, u->ndeps) &&
	    ms_ok(u->backoff_ms) && ms_ok(u->max_backoff_ms) &&
	    u->max_restarts >= -1 && signal_ok(u->stop_signal) &&
	    ms_ok(u->stop_timeout_ms) && health_ok(&u->health) &&
	    hooks_ok(u) && ms_ok(u->grace_period_ms) &&
	    (!u->is_cron || ms_ok(u->cron.timeout_ms)) &&
	    u->logs.max_bytes != LIMIT_INFINITY && u->logs.max_files >= 0 &&
	    (u->caps >> (CAP_LAST_CAP + 1)) == 0 && limits_ok(&u->limits);
}

/* ------------------------------------------------------------------ */
/* Entry points */

void *
unit_pack(const struct unit_conf *u, struct strpool *pool, size_t *lenp)
{
	struct wire		 w;
	struct unit_conf	 c = *u;	/* the walk assigns back */

	memset(&w, 0, sizeof(w));
	w.pool = pool;
	walk_unit(&w, &c);
	/* Kept by the parent for as long as the generation lasts. */
	if ((w.b = realloc(w.b, w.len)) == NULL)
		fatal("unit_pack");
	*lenp = w.len;
	return w.b;
}

struct unit_conf *
unit_unpack(const void *buf, size_t len, struct strpool *pool)
{
	struct wire		 w;
	struct unit_conf	 scratch, *u;
	size_t			 size;

	if (buf == NULL || len > IMSG_MAXPAYLOAD)
		return NULL;
	memset(&w, 0, sizeof(w));
	w.reading = 1;
	w.p = buf;
	w.plen = len;
	w.pool = pool;
	memset(&scratch, 0, sizeof(scratch));
	walk_unit(&w, &scratch);
	if (w.bad || w.off != len)
		return NULL;
	size = sizeof(*u) + w.nptr * sizeof(char *) + w.nint * sizeof(int) +
	    w.nchr;
	if ((u = calloc(1, size)) == NULL)
		fatal("unit_unpack");
	w.ptr = (char **)(u + 1);
	w.ints = (int *)(w.ptr + w.nptr);
	w.chr = (char *)(w.ints + w.nint);
	w.fill = 1;
	w.off = 0;
	u->limits.cgroup.pids_max = -1;
	walk_unit(&w, u);
	u->flat = true;
	if (w.bad || w.off != len || w.chr != (char *)u + size ||
	    !unit_ok(u)) {
		free(u);
		return NULL;
	}
	if (w.pooled && pool != NULL) {
		u->pool = pool;
		strpool_ref(pool);
	}
	return u;
}

void *
strings_pack(const struct strpool *pool, size_t *lenp)
{
	struct wire	 w;
	uint32_t	 i, n;
	char		*s;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < strpool_count(pool); i++) {
		s = strpool_get(pool, i);
		n = (uint32_t)strlen(s);
		wv_u32(&w, n);
		w_put(&w, s, n);
	}
	*lenp = w.len;
	return w.b;
}

int
strings_unpack(struct strpool *pool, const void *buf, size_t len)
{
	struct wire	 w;
	const char	*s;
	uint32_t	 n;

	memset(&w, 0, sizeof(w));
	w.reading = 1;
	w.p = buf;
	w.plen = len;
	while (!w.bad && w.off < len) {
		n = wv_u32(&w, 0);
		if (w.bad || n > len - w.off)
			return -1;
		s = (const char *)w.p + w.off;
		if (memchr(s, '\0', n) != NULL || !utf8_valid(s, n) ||
		    strpool_find(pool, s, n) != UINT32_MAX)
			return -1;
		strpool_id(pool, s, n);
		w.off += n;
	}
	return w.bad ? -1 : 0;
}

struct unit_conf *
unit_compact(struct unit_conf *u)
{
	struct unit_conf	*c;
	void			*buf;
	size_t			 len;

	buf = unit_pack(u, NULL, &len);
	c = unit_unpack(buf, len, NULL);
	free(buf);
	if (c == NULL)
		return NULL;
	unit_conf_free(u);
	return c;
}
