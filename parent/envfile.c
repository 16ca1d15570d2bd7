/*
 * Env files (KEY=VALUE lines) and the sorted key/value lists the
 * environment of a unit is built in.
 *
 * Format: blank lines and lines starting with '#' are skipped; an
 * optional "export " prefix; KEY is [A-Za-z_][A-Za-z0-9_]*; blanks
 * around '=' are allowed.  A value is either '...' (taken literally),
 * "..." (backslash escapes \\ \" \$ \n \t \r), or unquoted: up to the end
 * of the line, where " #" starts a comment, trailing blanks removed.
 * No expansion is done.  A later line for the same key wins.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "log.h"
#include "parse.h"

/* ------------------------------------------------------------------ */
/* kvlist */

static size_t
kv_find(const struct kvlist *l, const char *key, int *found)
{
	size_t	 lo = 0, hi = l->n, mid;
	int	 c;

	*found = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(l->v[mid].key, key);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const char *
kv_get(const struct kvlist *l, const char *key)
{
	size_t	 i;
	int	 found;

	i = kv_find(l, key, &found);
	return found ? l->v[i].val : NULL;
}

/* val (owned if own has KV_VAL) for key (copied if own has KV_KEY). */
static void
kv_place(struct kvlist *l, const char *key, char *val, int own)
{
	struct kv	*nv;
	size_t		 i;
	int		 found;

	i = kv_find(l, key, &found);
	if (found) {
		if (l->v[i].own & KV_VAL)
			free(l->v[i].val);
		l->v[i].val = val;
		l->v[i].own = (l->v[i].own & KV_KEY) | (own & KV_VAL);
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((nv = reallocarray(l->v, l->cap, sizeof(*nv))) == NULL)
			fatal("kv_set");
		l->v = nv;
	}
	memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof(*l->v));
	l->n++;
	l->v[i].val = val;
	l->v[i].own = own;
	if (!(own & KV_KEY))
		l->v[i].key = (char *)key;
	else if ((l->v[i].key = strdup(key)) == NULL)
		fatal("kv_set");
}

void
kv_set(struct kvlist *l, const char *key, const char *val)
{
	char	*dv;

	if ((dv = strdup(val)) == NULL)
		fatal("kv_set");
	kv_place(l, key, dv, KV_KEY | KV_VAL);
}

void
kv_ref(struct kvlist *l, const char *key, const char *val)
{
	kv_place(l, key, (char *)val, 0);
}

void
kv_take(struct kvlist *l, const char *key, char *val)
{
	kv_place(l, key, val, KV_VAL);
}

/* The next entry of a merge: from dst (< 0), src (> 0) or both (0). */
static int
kv_next(const struct kvlist *dst, size_t i, const struct kvlist *src,
    size_t j)
{
	if (i == dst->n)
		return 1;
	if (j == src->n)
		return -1;
	return strcmp(dst->v[i].key, src->v[j].key);
}

/* One pass over both sorted lists; src wins on equal keys. */
void
kv_merge(struct kvlist *dst, const struct kvlist *src)
{
	struct kv	*v;
	size_t		 i = 0, j = 0, n = 0, cap = dst->n + src->n;
	int		 c;

	if (src->n == 0)
		return;
	if ((v = reallocarray(NULL, cap, sizeof(*v))) == NULL)
		fatal("kv_merge");
	while (i < dst->n || j < src->n) {
		if ((c = kv_next(dst, i, src, j)) < 0)
			v[n] = dst->v[i++];
		else if (c > 0) {
			v[n].key = src->v[j].key;
			v[n].val = src->v[j++].val;
			v[n].own = 0;
		} else {
			v[n] = dst->v[i++];
			if (v[n].own & KV_VAL)
				free(v[n].val);
			v[n].val = src->v[j++].val;
			v[n].own &= KV_KEY;
		}
		n++;
	}
	free(dst->v);
	dst->v = v;
	dst->n = n;
	dst->cap = cap;
}

void
kv_free(struct kvlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].own & KV_KEY)
			free(l->v[i].key);
		if (l->v[i].own & KV_VAL)
			free(l->v[i].val);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
env_name_valid(const char *s)
{
	size_t	 i;

	if (s == NULL || (!isalpha((unsigned char)s[0]) && s[0] != '_'))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return i <= 256;
}

/* ------------------------------------------------------------------ */
/* env files */

struct efile {
	const char	*fname;
	const char	*keypath;
	struct errlist	*errs;
	int		 nerr;
	int		 line;
	const char	*start;		/* of the line, for columns */
};

static void
eerr(struct efile *e, const char *at, const char *msg)
{
	errlist_add(e->errs, "%s:%d:%d: %s: %s", e->fname, e->line,
	    (int)(at - e->start) + 1, e->keypath, msg);
	e->nerr++;
}

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* After a closing quote only blanks or a comment may follow. */
static int
line_rest_ok(struct efile *e, const char *p)
{
	p = skip_blanks(p);
	if (*p != '\0' && *p != '#') {
		eerr(e, p, "unexpected text after the closing quote");
		return -1;
	}
	return 0;
}

static int
value_squote(struct efile *e, const char *p, char *out)
{
	const char	*q;

	if ((q = strchr(p + 1, '\'')) == NULL) {
		eerr(e, p, "unterminated single quote");
		return -1;
	}
	memcpy(out, p + 1, (size_t)(q - p - 1));
	out[q - p - 1] = '\0';
	return line_rest_ok(e, q + 1);
}

static int
value_dquote(struct efile *e, const char *p, char *out)
{
	const char	*q;
	size_t		 n = 0;

	for (q = p + 1; *q != '"'; q++) {
		if (*q == '\0') {
			eerr(e, p, "unterminated double quote");
			return -1;
		}
		if (*q == '\\' && q[1] != '\0') {
			q++;
			switch (*q) {
			case 'n':
				out[n++] = '\n';
				continue;
			case 't':
				out[n++] = '\t';
				continue;
			case 'r':
				out[n++] = '\r';
				continue;
			case '\\':
			case '"':
			case '$':
				break;
			default:
				out[n++] = '\\';
				break;
			}
		}
		out[n++] = *q;
	}
	out[n] = '\0';
	return line_rest_ok(e, q + 1);
}

static void
value_plain(const char *p, char *out)
{
	size_t	 n;

	for (n = 0; p[n] != '\0'; n++)
		if (p[n] == '#' && n > 0 && (p[n - 1] == ' ' ||
		    p[n - 1] == '\t'))
			break;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* One line (NUL-terminated, no newline). */
static void
env_line(struct efile *e, char *line, struct kvlist *out)
{
	const char	*p, *k;
	char		*key, *val;
	size_t		 klen;
	int		 rc = 0;

	p = skip_blanks(line);
	if (*p == '\0' || *p == '#')
		return;
	if (strncmp(p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t'))
		p = skip_blanks(p + 6);
	k = p;
	if (isalpha((unsigned char)*p) || *p == '_')
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
	klen = (size_t)(p - k);
	p = skip_blanks(p);
	if (klen == 0 || *p != '=') {
		eerr(e, klen == 0 ? k : p, "expected KEY=VALUE");
		return;
	}
	p = skip_blanks(p + 1);
	if ((key = strndup(k, klen)) == NULL ||
	    (val = malloc(strlen(p) + 1)) == NULL)
		fatal("envfile");
	if (*p == '\'')
		rc = value_squote(e, p, val);
	else if (*p == '"')
		rc = value_dquote(e, p, val);
	else
		value_plain(p, val);
	if (rc == 0 && out->n >= CONF_MAX_LIST && kv_get(out, key) == NULL) {
		eerr(e, k, "too many variables (the limit is 4096)");
		rc = -1;
	}
	if (rc == 0)
		kv_set(out, key, val);
	free(key);
	free(val);
}

int
envfile_parse(const char *buf, size_t len, const char *fname,
    const char *keypath, struct kvlist *out, struct errlist *errs)
{
	struct efile	 e;
	const char	*nl;
	char		*line;
	size_t		 off = 0, ll;

	memset(&e, 0, sizeof(e));
	e.fname = fname;
	e.keypath = keypath;
	e.errs = errs;
	while (off < len) {
		e.line++;
		nl = memchr(buf + off, '\n', len - off);
		ll = nl ? (size_t)(nl - (buf + off)) : len - off;
		if (!utf8_valid(buf + off, ll)) {
			e.start = buf + off;
			eerr(&e, buf + off, "the line is not valid UTF-8 text "
			    "or contains a NUL byte");
		} else {
			if ((line = strndup(buf + off, ll)) == NULL)
				fatal("envfile");
			if (ll > 0 && line[ll - 1] == '\r')
				line[ll - 1] = '\0';
			e.start = line;
			env_line(&e, line, out);
			free(line);
		}
		off += ll + 1;
	}
	return e.nerr;
}
