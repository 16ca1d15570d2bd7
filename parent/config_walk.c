/*
 * Generic schema walking: key paths, error lines, type checks, unknown
 * and duplicate keys with "did you mean" suggestions.
 */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_int.h"
#include "log.h"
#include "parse.h"

#define NAME_SHOWN	64	/* bytes of a key shown in a path */
#define VALUE_SHOWN	60	/* bytes of a value shown after "got" */

/* Printable copy of at most maxlen bytes of s, with C-like escapes. */
void
sanitize(const char *s, size_t maxlen, char *out, size_t outlen)
{
	size_t		 i, o = 0;
	unsigned char	 c;
	char		 esc[8];

	if (outlen == 0)
		return;
	for (i = 0; s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (i >= maxlen && (c & 0xc0) != 0x80) {
			if (o + 4 < outlen)
				o += (size_t)snprintf(out + o, outlen - o,
				    "...");
			break;
		}
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c == '\n')
			strlcpy(esc, "\\n", sizeof(esc));
		else if (c == '\t')
			strlcpy(esc, "\\t", sizeof(esc));
		else if (c < 0x20 || c == 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", c);
		else {
			esc[0] = (char)c;
			esc[1] = '\0';
		}
		if (o + strlen(esc) + 4 >= outlen)
			break;
		o += strlcpy(out + o, esc, outlen - o);
	}
	out[o] = '\0';
}

const char *
safe(const char *s, char *buf, size_t len)
{
	sanitize(s, 512, buf, len);
	return buf;
}

void
ydesc(const struct ynode *n, char *buf, size_t len)
{
	char	 tmp[VALUE_SHOWN * 4 + 8];

	if (n == NULL || ynode_is_null(n))
		strlcpy(buf, "nothing (null)", len);
	else if (n->type == Y_MAP)
		strlcpy(buf, "a mapping", len);
	else if (n->type == Y_SEQ)
		strlcpy(buf, "a list", len);
	else if (n->type == Y_SCALAR) {
		sanitize(n->str, VALUE_SHOWN, tmp, sizeof(tmp));
		snprintf(buf, len, "\"%s\"", tmp);
	} else
		strlcpy(buf, "an invalid value", len);
}

/* ------------------------------------------------------------------ */
/* Paths and errors */

/* Append n bytes of s to the path, truncating as strlcat() would. */
static void
path_add(struct cx *cx, const char *s, size_t n)
{
	size_t	 room = sizeof(cx->path) - 1 - cx->plen;

	if (n > room)
		n = room;
	memcpy(cx->path + cx->plen, s, n);
	cx->plen += n;
	cx->path[cx->plen] = '\0';
}

/* The length of key if sanitize() would leave it as it is, else 0. */
static size_t
plain_len(const char *key)
{
	size_t		 i;
	unsigned char	 c;

	for (i = 0; (c = (unsigned char)key[i]) != '\0'; i++)
		if (i >= NAME_SHOWN || c < 0x20 || c == 0x7f || c == '"' ||
		    c == '\\')
			return 0;
	return i;
}

size_t
cx_push(struct cx *cx, const char *key)
{
	size_t	 old = cx->plen, n;
	char	 tmp[NAME_SHOWN * 4 + 8];

	if (cx->plen > 0)
		path_add(cx, ".", 1);
	if ((n = plain_len(key)) > 0)
		path_add(cx, key, n);
	else {
		sanitize(key, NAME_SHOWN, tmp, sizeof(tmp));
		path_add(cx, tmp, strlen(tmp));
	}
	return old;
}

size_t
cx_push_idx(struct cx *cx, size_t i)
{
	size_t	 old = cx->plen;
	char	 tmp[32];
	int	 n;

	n = snprintf(tmp, sizeof(tmp), "[%zu]", i);
	path_add(cx, tmp, (size_t)n);
	return old;
}

void
cx_pop(struct cx *cx, size_t old)
{
	cx->plen = old;
	cx->path[old] = '\0';
}

static void
cx_verr(struct cx *cx, const struct ynode *n, const char *fmt, va_list ap)
{
	char	 msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	errlist_add(cx->errs, "%s:%d:%d: %s: %s", cx->file,
	    n ? n->line : 1, n ? n->col : 1,
	    cx->plen ? cx->path : "(top)", msg);
}

void
cx_err(struct cx *cx, const struct ynode *n, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	cx_verr(cx, n, fmt, ap);
	va_end(ap);
}

void
cx_errat(struct cx *cx, const struct ynode *n, const char *key,
    const char *fmt, ...)
{
	va_list	 ap;
	size_t	 old;

	old = cx_push(cx, key);
	va_start(ap, fmt);
	cx_verr(cx, n, fmt, ap);
	va_end(ap);
	cx_pop(cx, old);
}

void
cx_expected(struct cx *cx, const struct ynode *n, const char *what)
{
	char	 got[VALUE_SHOWN * 4 + 16];

	if (n != NULL && n->type == Y_BAD)
		return;
	ydesc(n, got, sizeof(got));
	cx_err(cx, n, "expected %s, got %s", what, got);
}

/* ------------------------------------------------------------------ */
/* Suggestions */

/*
 * Case-insensitive edit distance of a (la bytes) and b if it is at most
 * max, else SIZE_MAX; so is any distance involving a word longer than
 * NAME_SHOWN.  A row whose smallest entry is above max ends the work.
 */
static size_t
edit_distance(const char *a, size_t la, const char *b, size_t max)
{
	size_t	 lb = strlen(b), i, j, prev, tmp, cost, low;
	size_t	 row[NAME_SHOWN + 1];

	if (la > NAME_SHOWN || lb > NAME_SHOWN ||
	    (la > lb ? la - lb : lb - la) > max)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = low = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			cost = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			row[j] = prev + cost;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
			if (row[j] < low)
				low = row[j];
		}
		if (low > max)
			return SIZE_MAX;
	}
	return row[lb] <= max ? row[lb] : SIZE_MAX;
}

/* The first of the closest candidates, if it is close enough. */
const char *
suggest(const char *word, const char *const *cands, size_t n)
{
	size_t		 i, d, best = SIZE_MAX, limit, len = strlen(word);
	const char	*pick = NULL;

	limit = len <= 4 ? 1 : 2;
	if (len >= 8)
		limit = 3;
	for (i = 0; i < n && best > 0; i++) {
		d = edit_distance(word, len, cands[i],
		    best <= limit ? best - 1 : limit);
		if (d < best) {
			best = d;
			pick = cands[i];
		}
	}
	return best <= limit ? pick : NULL;
}

/* ------------------------------------------------------------------ */
/* Mappings */

struct keyref {
	const struct ynode	*key;
	size_t			 idx;
};

static int
keyref_cmp(const void *a, const void *b)
{
	const struct keyref	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->key->str, y->key->str)) != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

#define SMALL_MAP	16	/* keys checked on the stack, by insertion */

static void
sort_keyrefs(struct keyref *refs, size_t nr)
{
	struct keyref	 t;
	size_t		 i, j;

	for (i = 1; i < nr; i++) {
		t = refs[i];
		for (j = i; j > 0 && keyref_cmp(&refs[j - 1], &t) > 0; j--)
			refs[j] = refs[j - 1];
		refs[j] = t;
	}
}

/* The string keys of n in refs; the others are reported and marked. */
static size_t
collect_keys(struct cx *cx, const struct ynode *n, struct keyref *refs)
{
	struct ynode	*k;
	size_t		 i, nr = 0;

	for (i = 0; i < n->nkids / 2; i++) {
		k = n->kids[2 * i];
		if (k->type != Y_SCALAR || ynode_is_null(k)) {
			if (k->type != Y_BAD)
				cx_expected(cx, k, "a key that is a string");
			k->dup = 1;
			continue;
		}
		refs[nr].key = k;
		refs[nr++].idx = i;
	}
	return nr;
}

static void
report_dups(struct cx *cx, const struct ynode *n, const int *first)
{
	struct ynode	*k;
	size_t		 i, old;

	for (i = 0; i < n->nkids / 2; i++) {
		k = n->kids[2 * i];
		if (k->dup && k->type == Y_SCALAR && first[i] != 0) {
			old = cx_push(cx, k->str);
			cx_err(cx, k, "duplicate key (first defined on line "
			    "%d)", first[i]);
			cx_pop(cx, old);
		}
	}
}

/*
 * Mark the later of equal keys in refs (in file order) as duplicates;
 * first[idx] gets the line of the first, 0 if that one was already
 * ignored.  Few keys are sorted by insertion, many are hashed.
 */
static int
mark_dups(struct keyref *refs, size_t nr, int *first)
{
	struct strmap	 seen;
	struct keyref	*r;
	size_t		 i;
	int		 ndup = 0;

	if (nr <= SMALL_MAP) {
		sort_keyrefs(refs, nr);
		for (i = 1; i < nr; i++)
			if (strcmp(refs[i].key->str,
			    refs[i - 1].key->str) == 0) {
				((struct ynode *)refs[i].key)->dup = 1;
				first[refs[i].idx] = refs[i - 1].key->dup ?
				    first[refs[i - 1].idx] :
				    refs[i - 1].key->line;
				ndup++;
			}
		return ndup;
	}
	strmap_init(&seen, nr);
	for (i = 0; i < nr; i++)
		if ((r = strmap_add(&seen, refs[i].key->str, &refs[i]))
		    != NULL) {
			((struct ynode *)refs[i].key)->dup = 1;
			first[refs[i].idx] = r->key->dup ? 0 : r->key->line;
			ndup++;
		}
	strmap_free(&seen);
	return ndup;
}

/* Mark non-string and duplicate keys (reported, then ignored). */
void
map_mark_dups(struct cx *cx, const struct ynode *n)
{
	struct keyref	 srefs[SMALL_MAP], *refs = srefs;
	size_t		 nk = n->nkids / 2;
	int		 sfirst[SMALL_MAP], *first = sfirst;

	if (nk > SMALL_MAP) {
		if ((refs = calloc(nk, sizeof(*refs))) == NULL ||
		    (first = calloc(nk, sizeof(*first))) == NULL)
			fatal("config");
	} else
		memset(sfirst, 0, sizeof(sfirst));
	if (mark_dups(refs, collect_keys(cx, n, refs), first) > 0)
		report_dups(cx, n, first);
	if (refs != srefs) {
		free(first);
		free(refs);
	}
}

int
walk_map(struct cx *cx, const struct ynode *n, const struct keydef *defs,
    void *arg)
{
	const struct ynode	*k;
	const char		*names[64], *sug;
	uint64_t		 seen = 0;
	size_t			 i, j, nd, old;

	if (n->type == Y_BAD)
		return -1;
	if (n->type != Y_MAP) {
		cx_expected(cx, n, "a mapping");
		return -1;
	}
	for (nd = 0; defs[nd].name != NULL && nd < 64; nd++)
		names[nd] = defs[nd].name;
	map_mark_dups(cx, n);
	for (i = 0; i + 1 < n->nkids; i += 2) {
		k = n->kids[i];
		if (k->dup)
			continue;
		for (j = 0; j < nd; j++)
			if (k->str[0] == defs[j].name[0] &&
			    strcmp(k->str, defs[j].name) == 0)
				break;
		old = cx_push(cx, k->str);
		if (j == nd) {
			if ((sug = suggest(k->str, names, nd)) != NULL)
				cx_err(cx, k, "unknown key (did you mean "
				    "\"%s\"?)", sug);
			else
				cx_err(cx, k, "unknown key");
		} else {
			seen |= (uint64_t)1 << j;
			defs[j].fn(cx, n->kids[i + 1], arg);
		}
		cx_pop(cx, old);
	}
	for (j = 0; j < nd; j++)
		if (defs[j].required && (seen & ((uint64_t)1 << j)) == 0)
			cx_errat(cx, n, defs[j].name,
			    "required key is missing");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Scalars */

const char *
cx_str(struct cx *cx, const struct ynode *n, const char *what)
{
	if (n->type == Y_BAD)
		return NULL;
	if (n->type != Y_SCALAR || ynode_is_null(n)) {
		cx_expected(cx, n, what);
		return NULL;
	}
	return n->str;
}

char *
cx_strdup(struct cx *cx, const struct ynode *n, const char *what)
{
	const char	*s;
	char		*d;

	if ((s = cx_str(cx, n, what)) == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		fatal("config");
	return d;
}

int
cx_bool(struct cx *cx, const struct ynode *n, bool *out)
{
	if (n->type == Y_SCALAR) {
		if (strcmp(n->str, "true") == 0 ||
		    strcmp(n->str, "True") == 0 ||
		    strcmp(n->str, "TRUE") == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(n->str, "false") == 0 ||
		    strcmp(n->str, "False") == 0 ||
		    strcmp(n->str, "FALSE") == 0) {
			*out = false;
			return 0;
		}
	}
	cx_expected(cx, n, "true or false");
	return -1;
}

int
cx_int(struct cx *cx, const struct ynode *n, long long min, long long max,
    long long *out)
{
	const char	*err;
	char		 got[VALUE_SHOWN * 4 + 16];

	if (n->type != Y_SCALAR || ynode_is_null(n)) {
		cx_expected(cx, n, "an integer");
		return -1;
	}
	if (parse_int(n->str, min, max, out, &err) == 0)
		return 0;
	if (strcmp(err, "invalid") == 0) {
		cx_expected(cx, n, "an integer");
		return -1;
	}
	sanitize(n->str, VALUE_SHOWN, got, sizeof(got));
	cx_err(cx, n, "%s is out of range %lld..%lld", got, min, max);
	return -1;
}

int
cx_duration(struct cx *cx, const struct ynode *n, int64_t *ms)
{
	const char	*err;
	char		 got[VALUE_SHOWN * 4 + 16];

	if (n->type != Y_SCALAR || ynode_is_null(n)) {
		cx_expected(cx, n, "a duration like 5s, 250ms, 2m or 1h");
		return -1;
	}
	if (parse_duration(n->str, ms, &err) == 0)
		return 0;
	ydesc(n, got, sizeof(got));
	if (strcmp(err, "negative") == 0)
		cx_err(cx, n, "a duration cannot be negative, got %s", got);
	else if (strcmp(err, "too large") == 0)
		cx_err(cx, n, "duration %s is too large (the maximum is "
		    "2147483647s)", got);
	else
		cx_expected(cx, n, "a duration like 5s, 250ms, 2m or 1h");
	return -1;
}

int
cx_size(struct cx *cx, const struct ynode *n, int unlimited, uint64_t *out)
{
	const char	*err, *what;
	char		 got[VALUE_SHOWN * 4 + 16];

	what = unlimited ? "a size like 65536 or \"64K\", or \"unlimited\"" :
	    "a size like 65536 or \"64K\"";
	if (n->type != Y_SCALAR || ynode_is_null(n)) {
		cx_expected(cx, n, what);
		return -1;
	}
	if (parse_size(n->str, unlimited, out, &err) == 0)
		return 0;
	ydesc(n, got, sizeof(got));
	if (strcmp(err, "negative") == 0)
		cx_err(cx, n, "a size cannot be negative, got %s", got);
	else if (strcmp(err, "too large") == 0)
		cx_err(cx, n, "size %s is too large (the maximum is "
		    "9223372036854775807 bytes)", got);
	else if (strcmp(err, "unknown suffix") == 0)
		cx_err(cx, n, "expected %s, got %s (unknown suffix; use K, M, "
		    "G or T)", what, got);
	else if (strcmp(err, "unlimited not allowed") == 0)
		cx_err(cx, n, "\"unlimited\" is not allowed here; expected %s",
		    what);
	else
		cx_expected(cx, n, what);
	return -1;
}

/* Whether s is in v[0..cnt), through seen once the list is long. */
static int
listed(struct strmap *seen, char **v, size_t cnt, const char *s)
{
	size_t	 j;

	if (cnt < SMALL_MAP) {
		for (j = 0; j < cnt; j++)
			if (strcmp(v[j], s) == 0)
				return 1;
		return 0;
	}
	if (seen->n == 0)
		for (j = 0; j < cnt; j++)
			(void)strmap_add(seen, v[j], v[j]);
	return strmap_get(seen, s) != NULL;
}

static void
strv_drop(char **v, size_t cnt)
{
	size_t	 j;

	for (j = 0; j < cnt; j++)
		free(v[j]);
	free(v);
}

int
cx_strlist(struct cx *cx, const struct ynode *n, const char *what,
    int (*valid)(const char *), char ***out, size_t *nout)
{
	struct strmap	  seen;
	char		**v, desc[VALUE_SHOWN * 4 + 16], item[128];
	const char	 *s;
	size_t		  i, old, cnt = 0;
	int		  rc = 0;

	*out = NULL;
	*nout = 0;
	if (n->type != Y_SEQ) {
		snprintf(desc, sizeof(desc), "a list of %ss", what);
		cx_expected(cx, n, desc);
		return -1;
	}
	snprintf(item, sizeof(item), "a %s", what);
	if (n->nkids > CONF_MAX_LIST) {
		cx_err(cx, n, "too many items (the limit is %d)",
		    CONF_MAX_LIST);
		return -1;
	}
	if ((v = calloc(n->nkids + 1, sizeof(*v))) == NULL)
		fatal("config");
	memset(&seen, 0, sizeof(seen));
	for (i = 0; i < n->nkids; i++) {
		old = cx_push_idx(cx, i);
		if ((s = cx_str(cx, n->kids[i], item)) == NULL)
			rc = -1;
		else if (valid != NULL && !valid(s)) {
			ydesc(n->kids[i], desc, sizeof(desc));
			cx_err(cx, n->kids[i], "%s is not a valid %s", desc,
			    what);
			rc = -1;
		} else if (listed(&seen, v, cnt, s)) {
			ydesc(n->kids[i], desc, sizeof(desc));
			cx_err(cx, n->kids[i], "%s is listed twice", desc);
			rc = -1;
		} else {
			if ((v[cnt] = strdup(s)) == NULL)
				fatal("config");
			if (seen.n > 0)
				(void)strmap_add(&seen, v[cnt], v[cnt]);
			cnt++;
		}
		cx_pop(cx, old);
	}
	strmap_free(&seen);
	if (rc == -1) {
		strv_drop(v, cnt);
		return -1;
	}
	*out = v;
	*nout = cnt;
	return 0;
}
