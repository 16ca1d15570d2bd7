/*
 * Cron expressions: parsing, time zones (a small TZif reader) and the
 * search for the next fire time.  See cronexpr.h.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cronexpr.h"

#define ZONEINFO_DIR	"/usr/share/zoneinfo"
#define TZ_NAME_MAX	255
#define TZ_FILE_MAX	(512 * 1024)
#define TZ_TRANS_MAX	100000
#define TZ_TYPES_MAX	256
#define TZ_OFF_MAX	(26 * 3600)	/* largest |UTC offset| accepted */
#define SEARCH_YEARS	9		/* Feb 29 across 2100 */
#define FIELD_TOK_MAX	32		/* value shown in messages */
#define DAY		86400

/* ------------------------------------------------------------------ */
/* Calendar arithmetic (proleptic Gregorian, days since 1970-01-01) */

struct civil {
	int64_t		 y;
	int		 mon;		/* 1-12 */
	int		 d;		/* 1-31 */
	int		 h, mi, s;
};

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
mdays(int64_t y, int m)
{
	static const int n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && is_leap(y))
		return 29;
	return n[m - 1];
}

static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t	 era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* 0 = Sunday */
static int
weekday(int64_t days)
{
	int64_t	 w = (days + 4) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t	 q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static void
secs_to_civil(int64_t t, struct civil *c)
{
	int64_t	 days = floordiv(t, DAY);
	int64_t	 rem = t - days * DAY;

	civil_from_days(days, &c->y, &c->mon, &c->d);
	c->h = (int)(rem / 3600);
	c->mi = (int)(rem / 60 % 60);
	c->s = (int)(rem % 60);
}

static int64_t
civil_to_secs(const struct civil *c)
{
	return days_from_civil(c->y, c->mon, c->d) * DAY + c->h * 3600 +
	    c->mi * 60 + c->s;
}

/* ------------------------------------------------------------------ */
/* Parsing */

enum { F_SEC, F_MIN, F_HOUR, F_MDAY, F_MONTH, F_WDAY, F_MAX };

static const char *const month_names[] = { "JAN", "FEB", "MAR", "APR",
    "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL };
static const char *const wday_names[] = { "SUN", "MON", "TUE", "WED",
    "THU", "FRI", "SAT", NULL };

struct field {
	const char		*name;
	int			 lo, hi;	/* values accepted */
	int			 star_hi;	/* end of "*" and "a/n" */
	const char *const	*names;		/* names[i]: base + i */
	int			 name_base;
};

static const struct field fields[F_MAX] = {
	{ "second",	  0, 59, 59, NULL, 0 },
	{ "minute",	  0, 59, 59, NULL, 0 },
	{ "hour",	  0, 23, 23, NULL, 0 },
	{ "day-of-month", 1, 31, 31, NULL, 0 },
	{ "month",	  1, 12, 12, month_names, 1 },
	{ "day-of-week",  0,  7,  6, wday_names, 0 },
};

struct pctx {
	const struct field	*f;
	int			 pos;		/* field number, 1-6 */
	char			*err;
	size_t			 errlen;
};

static int __attribute__((format(printf, 2, 3)))
perr(struct pctx *p, const char *fmt, ...)
{
	char	 msg[256];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err != NULL && p->errlen > 0)
		snprintf(p->err, p->errlen, "field %d (%s): %s", p->pos,
		    p->f->name, msg);
	return -1;
}

static int
tok_len(size_t len)
{
	return len > FIELD_TOK_MAX ? FIELD_TOK_MAX : (int)len;
}

/* A number or a name in s[0..len). */
static int
parse_value(struct pctx *p, const char *s, size_t len, int *v)
{
	size_t	 i;
	long	 n = 0;

	if (len == 0)
		return perr(p, "missing value");
	if (isdigit((unsigned char)s[0])) {
		for (i = 0; i < len; i++) {
			if (!isdigit((unsigned char)s[i]))
				return perr(p, "invalid value \"%.*s\"",
				    tok_len(len), s);
			if (n < 100000)
				n = n * 10 + (s[i] - '0');
		}
		if (n < p->f->lo || n > p->f->hi)
			return perr(p, "%.*s is out of range %d-%d",
			    tok_len(len), s, p->f->lo, p->f->hi);
		*v = (int)n;
		return 0;
	}
	for (i = 0; i < len; i++)
		if (!isalpha((unsigned char)s[i]))
			return perr(p, "invalid value \"%.*s\"",
			    tok_len(len), s);
	if (p->f->names == NULL)
		return perr(p, "invalid value \"%.*s\"", tok_len(len), s);
	for (i = 0; len == 3 && p->f->names[i] != NULL; i++)
		if (strncasecmp(s, p->f->names[i], 3) == 0) {
			*v = (int)i + p->f->name_base;
			return 0;
		}
	return perr(p, "unknown name \"%.*s\"", tok_len(len), s);
}

static int
parse_step(struct pctx *p, const char *s, size_t len, int *step)
{
	size_t	 i;
	long	 n = 0;
	int	 span = p->f->star_hi - p->f->lo + 1;

	if (len == 0)
		return perr(p, "missing step after \"/\"");
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return perr(p, "invalid step \"%.*s\"",
			    tok_len(len), s);
		if (n < 100000)
			n = n * 10 + (s[i] - '0');
	}
	if (n < 1 || n > span)
		return perr(p, "step %.*s is out of range 1-%d",
		    tok_len(len), s, span);
	*step = (int)n;
	return 0;
}

/* One list element: "*", "a", "a-b", each with an optional "/n". */
static int
parse_elem(struct pctx *p, const char *s, size_t len, uint64_t *mask)
{
	const char	*slash, *dash;
	size_t		 blen;
	int		 a, b, step = 1, v;

	if (len == 0)
		return perr(p, "empty list element");
	slash = memchr(s, '/', len);
	blen = slash != NULL ? (size_t)(slash - s) : len;
	if (slash != NULL && parse_step(p, slash + 1,
	    len - blen - 1, &step) == -1)
		return -1;
	if (blen == 1 && s[0] == '*') {
		a = p->f->lo;
		b = p->f->star_hi;
	} else if ((dash = memchr(s, '-', blen)) != NULL) {
		if (parse_value(p, s, (size_t)(dash - s), &a) == -1 ||
		    parse_value(p, dash + 1, blen - (size_t)(dash - s) - 1,
		    &b) == -1)
			return -1;
		if (a > b && p->f == &fields[F_WDAY] && b == 0)
			b = 7;			/* FRI-SUN */
		if (a > b)
			return perr(p, "range %.*s is backwards",
			    tok_len(blen), s);
	} else {
		if (parse_value(p, s, blen, &a) == -1)
			return -1;
		b = a;
		if (slash != NULL && b < p->f->star_hi)
			b = p->f->star_hi;	/* a/n: a to the end */
	}
	for (v = a; v <= b; v += step)
		*mask |= (uint64_t)1 << (p->f == &fields[F_WDAY] ? v % 7 : v);
	return 0;
}

static int
parse_field(struct pctx *p, const char *s, size_t len, uint64_t *mask)
{
	const char	*comma;
	size_t		 n;

	*mask = 0;
	for (;;) {
		comma = memchr(s, ',', len);
		n = comma != NULL ? (size_t)(comma - s) : len;
		if (parse_elem(p, s, n, mask) == -1)
			return -1;
		if (comma == NULL)
			return 0;
		s += n + 1;
		len -= n + 1;
	}
}

static uint64_t
range_mask(int lo, int hi)
{
	uint64_t	 m = 0;
	int		 i;

	for (i = lo; i <= hi; i++)
		m |= (uint64_t)1 << i;
	return m;
}

/*
 * With the day-of-week unrestricted, days come from the day-of-month field
 * alone: some chosen month must have one of the chosen days.
 */
static int
check_fires(const struct cronexpr *ce, char *err, size_t errlen)
{
	char	 names[64] = "";
	int	 m, d, first = 0;

	if (!ce->wday_star || ce->mday_star)
		return 0;
	for (m = 1; m <= 12; m++) {
		if (!(ce->month & (1U << m)))
			continue;
		if (ce->mday & range_mask(1, mdays(2000, m)))
			return 0;	/* 2000: a leap year */
	}
	for (d = 1; d <= 31; d++)
		if (ce->mday & (1U << d)) {
			first = d;
			break;
		}
	for (m = 1; m <= 12; m++)
		if (ce->month & (1U << m)) {
			if (names[0] != '\0')
				strlcat(names, ",", sizeof(names));
			strlcat(names, month_names[m - 1], sizeof(names));
		}
	if (err != NULL && errlen > 0)
		snprintf(err, errlen,
		    "never fires: day %d does not exist in %s", first, names);
	return -1;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
cronexpr_parse(const char *expr, struct cronexpr *out, char *err,
    size_t errlen)
{
	const char	*tok[F_MAX + 1], *s;
	size_t		 len[F_MAX + 1];
	uint64_t	 mask[F_MAX];
	struct pctx	 p;
	int		 n = 0, i, base;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	for (s = expr == NULL ? "" : expr; *s != '\0';) {
		while (is_space(*s))
			s++;
		if (*s == '\0')
			break;
		if (n <= F_MAX)
			tok[n] = s;
		while (*s != '\0' && !is_space(*s))
			s++;
		if (n <= F_MAX)
			len[n] = (size_t)(s - tok[n]);
		n++;
	}
	if (n != 5 && n != 6) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "expected 5 or 6 fields, got %d",
			    n);
		return -1;
	}
	base = n == 5 ? 1 : 0;
	mask[F_SEC] = 1;
	p.err = err;
	p.errlen = errlen;
	for (i = 0; i < n; i++) {
		p.f = &fields[i + base];
		p.pos = i + 1;
		if (parse_field(&p, tok[i], len[i], &mask[i + base]) == -1)
			return -1;
	}
	memset(out, 0, sizeof(*out));
	out->sec = mask[F_SEC];
	out->min = mask[F_MIN];
	out->hour = (uint32_t)mask[F_HOUR];
	out->mday = (uint32_t)mask[F_MDAY];
	out->month = (uint16_t)mask[F_MONTH];
	out->wday = (uint8_t)mask[F_WDAY];
	out->mday_star = out->mday == range_mask(1, 31);
	out->wday_star = out->wday == range_mask(0, 6);
	return check_fires(out, err, errlen);
}

/* ------------------------------------------------------------------ */
/* POSIX TZ strings (the TZif footer, or $TZ) */

struct tzrule {
	char		 kind;		/* 'J', 'N' (0-based), 'M' */
	int		 n, m, w, d;
	long		 time;		/* seconds after midnight */
};

struct posix_tz {
	long		 std_off;	/* UTC offset, east positive */
	long		 dst_off;
	int		 has_dst;
	struct tzrule	 start, end;
};

struct cron_tz {
	int64_t		*trans;
	uint8_t		*idx;
	size_t		 ntrans;
	int32_t		 types[TZ_TYPES_MAX];
	size_t		 ntypes;
	int		 has_rule;
	struct posix_tz	 rule;
};

static const char *
ptz_name(const char *s)
{
	const char	*b = s;

	if (*s == '<') {
		while (*s != '\0' && *s != '>')
			s++;
		return *s == '>' && s - b > 1 ? s + 1 : NULL;
	}
	while (isalpha((unsigned char)*s))
		s++;
	return s - b >= 3 ? s : NULL;
}

static int
ptz_num(const char **sp, int max, long *v)
{
	const char	*s = *sp;
	long		 n = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	while (isdigit((unsigned char)*s)) {
		n = n * 10 + (*s++ - '0');
		if (n > max)
			return -1;
	}
	*sp = s;
	*v = n;
	return 0;
}

/* [+-]hh[:mm[:ss]] in seconds, hours up to maxh. */
static const char *
ptz_hms(const char *s, int maxh, long *v)
{
	long	 h, m = 0, sec = 0;
	int	 neg = 0;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (ptz_num(&s, maxh, &h) == -1)
		return NULL;
	if (*s == ':') {
		s++;
		if (ptz_num(&s, 59, &m) == -1)
			return NULL;
		if (*s == ':') {
			s++;
			if (ptz_num(&s, 59, &sec) == -1)
				return NULL;
		}
	}
	*v = (h * 3600 + m * 60 + sec) * (neg ? -1 : 1);
	return s;
}

static const char *
ptz_rule(const char *s, struct tzrule *r)
{
	long	 a, b, c;

	memset(r, 0, sizeof(*r));
	r->time = 7200;
	if (*s == 'M') {
		s++;
		if (ptz_num(&s, 12, &a) == -1 || a < 1 || *s++ != '.' ||
		    ptz_num(&s, 5, &b) == -1 || b < 1 || *s++ != '.' ||
		    ptz_num(&s, 6, &c) == -1)
			return NULL;
		r->kind = 'M';
		r->m = (int)a;
		r->w = (int)b;
		r->d = (int)c;
	} else if (*s == 'J') {
		s++;
		if (ptz_num(&s, 365, &a) == -1 || a < 1)
			return NULL;
		r->kind = 'J';
		r->n = (int)a;
	} else {
		if (ptz_num(&s, 365, &a) == -1)
			return NULL;
		r->kind = 'N';
		r->n = (int)a;
	}
	if (*s == '/' && (s = ptz_hms(s + 1, 167, &r->time)) == NULL)
		return NULL;
	return s;
}

static int
posix_tz_parse(const char *s, struct posix_tz *pt)
{
	long	 off;

	memset(pt, 0, sizeof(*pt));
	if ((s = ptz_name(s)) == NULL || (s = ptz_hms(s, 24, &off)) == NULL)
		return -1;
	pt->std_off = -off;
	if (*s == '\0')
		return 0;
	if ((s = ptz_name(s)) == NULL)
		return -1;
	pt->has_dst = 1;
	pt->dst_off = pt->std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if ((s = ptz_hms(s, 24, &off)) == NULL)
			return -1;
		pt->dst_off = -off;
	}
	if (*s == '\0') {
		/* No rule: the US rules, as POSIX implementations do. */
		s = "M3.2.0,M11.1.0";
	} else if (*s++ != ',')
		return -1;
	if ((s = ptz_rule(s, &pt->start)) == NULL || *s++ != ',' ||
	    (s = ptz_rule(s, &pt->end)) == NULL || *s != '\0')
		return -1;
	return 0;
}

/* Local seconds of the rule's moment in year y. */
static int64_t
rule_local(const struct tzrule *r, int64_t y)
{
	int64_t	 days = days_from_civil(y, 1, 1);
	int	 first, d;

	switch (r->kind) {
	case 'J':
		days += r->n - 1 + (is_leap(y) && r->n >= 60);
		break;
	case 'N':
		days += r->n;
		break;
	default:
		days = days_from_civil(y, r->m, 1);
		first = weekday(days);
		d = 1 + (r->d - first + 7) % 7 + 7 * (r->w - 1);
		while (d > mdays(y, r->m))
			d -= 7;
		days += d - 1;
		break;
	}
	return days * DAY + r->time;
}

static long
rule_offset(const struct posix_tz *pt, int64_t t)
{
	struct civil	 c;
	int64_t		 s, e;
	int		 dst;

	if (!pt->has_dst)
		return pt->std_off;
	secs_to_civil(t + pt->std_off, &c);
	s = rule_local(&pt->start, c.y) - pt->std_off;
	e = rule_local(&pt->end, c.y) - pt->dst_off;
	if (s < e)
		dst = t >= s && t < e;
	else
		dst = !(t >= e && t < s);
	return dst ? pt->dst_off : pt->std_off;
}

/* ------------------------------------------------------------------ */
/* TZif */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_hdr {
	uint32_t	 isut, isstd, leap, time, type, chars;
};

static int
tzif_header(const unsigned char *p, size_t len, struct tzif_hdr *h)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return -1;
	h->isut = be32(p + 20);
	h->isstd = be32(p + 24);
	h->leap = be32(p + 28);
	h->time = be32(p + 32);
	h->type = be32(p + 36);
	h->chars = be32(p + 40);
	if (h->type < 1 || h->type > TZ_TYPES_MAX || h->time > TZ_TRANS_MAX ||
	    h->chars > 65536 || h->leap > 65536 ||
	    (h->isut != 0 && h->isut != h->type) ||
	    (h->isstd != 0 && h->isstd != h->type))
		return -1;
	return 0;
}

static size_t
tzif_block(const struct tzif_hdr *h, size_t tsize)
{
	return h->time * (tsize + 1) + h->type * 6 + h->chars +
	    h->leap * (tsize + 4) + h->isstd + h->isut;
}

/* Fill tz from the data block at p (after its header). */
static int
tzif_data(struct cron_tz *tz, const struct tzif_hdr *h,
    const unsigned char *p, size_t tsize)
{
	const unsigned char	*tp;
	size_t			 i;
	int32_t			 off;

	if (h->leap != 0)
		return -1;		/* "right/" zones: not POSIX time */
	tz->ntrans = h->time;
	tz->ntypes = h->type;
	if (h->time > 0) {
		tz->trans = calloc(h->time, sizeof(*tz->trans));
		tz->idx = calloc(h->time, 1);
		if (tz->trans == NULL || tz->idx == NULL)
			return -1;
	}
	for (i = 0; i < h->time; i++) {
		tz->trans[i] = tsize == 8 ? be64(p + i * 8) :
		    (int32_t)be32(p + i * 4);
		if (i > 0 && tz->trans[i] <= tz->trans[i - 1])
			return -1;
		tz->idx[i] = p[h->time * tsize + i];
		if (tz->idx[i] >= h->type)
			return -1;
	}
	tp = p + h->time * (tsize + 1);
	for (i = 0; i < h->type; i++) {
		off = (int32_t)be32(tp + i * 6);
		if (off < -TZ_OFF_MAX || off > TZ_OFF_MAX || tp[i * 6 + 4] > 1)
			return -1;
		tz->types[i] = off;
	}
	return 0;
}

static int
tzif_parse(struct cron_tz *tz, const unsigned char *p, size_t len)
{
	struct tzif_hdr	 h;
	size_t		 n;
	const unsigned char *f, *e;
	char		 footer[256];

	if (tzif_header(p, len, &h) == -1)
		return -1;
	n = 44 + tzif_block(&h, 4);
	if (n > len)
		return -1;
	if (p[4] == '\0')
		return tzif_data(tz, &h, p + 44, 4);
	p += n;
	len -= n;
	if (tzif_header(p, len, &h) == -1)
		return -1;
	n = 44 + tzif_block(&h, 8);
	if (n > len || tzif_data(tz, &h, p + 44, 8) == -1)
		return -1;
	f = p + n;
	len -= n;
	if (len < 2 || f[0] != '\n' ||
	    (e = memchr(f + 1, '\n', len - 1)) == NULL)
		return -1;
	if (e == f + 1)
		return 0;		/* empty footer */
	if ((size_t)(e - f - 1) >= sizeof(footer))
		return -1;
	memcpy(footer, f + 1, (size_t)(e - f - 1));
	footer[e - f - 1] = '\0';
	if (posix_tz_parse(footer, &tz->rule) == -1)
		return -1;
	tz->has_rule = 1;
	return 0;
}

static int
read_all(int fd, unsigned char **bufp, size_t *lenp)
{
	struct stat	 st;
	unsigned char	*buf;
	size_t		 off = 0;
	ssize_t		 r;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size < 44 || st.st_size > TZ_FILE_MAX)
		return -1;
	if ((buf = malloc((size_t)st.st_size)) == NULL)
		return -1;
	while (off < (size_t)st.st_size) {
		r = read(fd, buf + off, (size_t)st.st_size - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			return -1;
		}
		off += (size_t)r;
	}
	*bufp = buf;
	*lenp = off;
	return 0;
}

static struct cron_tz *
tz_new(void)
{
	return calloc(1, sizeof(struct cron_tz));
}

void
cron_tz_free(struct cron_tz *tz)
{
	if (tz == NULL)
		return;
	free(tz->trans);
	free(tz->idx);
	free(tz);
}

static struct cron_tz *
tz_load_fd(int fd)
{
	struct cron_tz	*tz;
	unsigned char	*buf;
	size_t		 len;

	if (fd == -1)
		return NULL;
	if (read_all(fd, &buf, &len) == -1) {
		close(fd);
		return NULL;
	}
	close(fd);
	if ((tz = tz_new()) != NULL && tzif_parse(tz, buf, len) == -1) {
		cron_tz_free(tz);
		tz = NULL;
	}
	free(buf);
	return tz;
}

static int
tz_name_ok(const char *name)
{
	const char	*s;
	size_t		 len = strlen(name);

	if (len == 0 || len > TZ_NAME_MAX || name[0] == '/' ||
	    name[0] == '.' || name[0] == '-' || strstr(name, "..") != NULL ||
	    strstr(name, "//") != NULL || strstr(name, "/.") != NULL ||
	    name[len - 1] == '/')
		return 0;
	for (s = name; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("/_+-.", *s) == NULL)
			return 0;
	return 1;
}

static int
is_utc(const char *name)
{
	return strcasecmp(name, "UTC") == 0;
}

static int
is_local(const char *name)
{
	return name == NULL || strcasecmp(name, "local") == 0;
}

static struct cron_tz *
tz_load_local(void)
{
	const char	*env = getenv("TZ");
	struct cron_tz	*tz = NULL;

	if (env == NULL)
		tz = tz_load_fd(open("/etc/localtime", O_RDONLY | O_CLOEXEC));
	else {
		if (*env == ':')
			env++;
		if (*env == '/')
			tz = tz_load_fd(open(env, O_RDONLY | O_CLOEXEC));
		else if (*env != '\0' && !is_utc(env) && tz_name_ok(env))
			tz = cron_tz_load_at(-1, env);
		if (tz == NULL && *env != '\0' && (tz = tz_new()) != NULL) {
			if (posix_tz_parse(env, &tz->rule) == 0)
				tz->has_rule = 1;
			else {
				cron_tz_free(tz);
				tz = NULL;
			}
		}
	}
	if (tz == NULL)
		tz = tz_new();		/* UTC, as the C library does */
	if (tz != NULL && tz->ntypes == 0 && !tz->has_rule)
		tz->ntypes = 1;
	return tz;
}

struct cron_tz *
cron_tz_load_at(int dirfd, const char *name)
{
	struct cron_tz	*tz;
	char		 path[sizeof(ZONEINFO_DIR) + TZ_NAME_MAX + 2];
	int		 fd;

	if (is_local(name))
		return tz_load_local();
	if (is_utc(name)) {
		if ((tz = tz_new()) != NULL)
			tz->ntypes = 1;
		return tz;
	}
	if (!tz_name_ok(name))
		return NULL;
	if (dirfd == -1) {
		snprintf(path, sizeof(path), "%s/%s", ZONEINFO_DIR, name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	} else
		fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	return tz_load_fd(fd);
}

struct cron_tz *
cron_tz_load(const char *name)
{
	return cron_tz_load_at(-1, name);
}

int
cron_tz_valid(const char *name)
{
	struct cron_tz	*tz;

	if (is_local(name) || is_utc(name))
		return 1;
	if ((tz = cron_tz_load(name)) == NULL)
		return 0;
	cron_tz_free(tz);
	return 1;
}

long
cron_tz_offset(const struct cron_tz *tz, time_t t)
{
	size_t	 lo, hi, mid;

	if (tz == NULL)
		return 0;
	if (tz->ntrans == 0)
		return tz->has_rule ? rule_offset(&tz->rule, t) : tz->types[0];
	if (t < tz->trans[0])
		return tz->types[0];
	if (t >= tz->trans[tz->ntrans - 1] && tz->has_rule)
		return rule_offset(&tz->rule, t);
	lo = 0;
	hi = tz->ntrans;		/* trans[lo] <= t < trans[hi] */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (tz->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->types[tz->idx[lo]];
}

int
cron_tz_format(const struct cron_tz *tz, time_t t, char *buf, size_t len)
{
	struct civil	 c;
	long		 off = tz != NULL ? cron_tz_offset(tz, t) : 0;
	int		 a = (int)(off < 0 ? -off : off) % DAY;
	char		 zone[16];
	int		 r;

	secs_to_civil((int64_t)t + off, &c);
	if (off == 0)
		strlcpy(zone, "Z", sizeof(zone));
	else
		snprintf(zone, sizeof(zone), "%c%02d:%02d",
		    off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
	r = snprintf(buf, len, "%04lld-%02d-%02dT%02d:%02d:%02d%s",
	    (long long)c.y, c.mon, c.d, c.h, c.mi, c.s, zone);
	return r < 0 || (size_t)r >= len ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Next fire time */

static int
next_bit(uint64_t mask, int from, int max)
{
	int	 i;

	for (i = from; i <= max; i++)
		if (mask & ((uint64_t)1 << i))
			return i;
	return -1;
}

static int
day_matches(const struct cronexpr *ce, const struct civil *c)
{
	int	 dom, dow;

	dom = (ce->mday >> c->d) & 1;
	dow = (ce->wday >> weekday(days_from_civil(c->y, c->mon, c->d))) & 1;
	if (ce->mday_star || ce->wday_star)
		return dom && dow;
	return dom || dow;
}

/* Carry overflowing fields upwards. */
static void
civil_norm(struct civil *c)
{
	if (c->s > 59) {
		c->s = 0;
		c->mi++;
	}
	if (c->mi > 59) {
		c->mi = 0;
		c->h++;
	}
	if (c->h > 23) {
		c->h = 0;
		c->d++;
	}
	if (c->d > mdays(c->y, c->mon)) {
		c->d = 1;
		c->mon++;
	}
	if (c->mon > 12) {
		c->mon = 1;
		c->y++;
	}
}

/* The first matching wall-clock time at or after *c. */
static int
next_wall(const struct cronexpr *ce, struct civil *c, int64_t maxyear)
{
	int	 v;

	for (;;) {
		civil_norm(c);
		if (c->y > maxyear)
			return -1;
		if (!(ce->month & (1U << c->mon))) {
			if ((v = next_bit(ce->month, c->mon + 1, 12)) == -1) {
				c->y++;
				v = next_bit(ce->month, 1, 12);
			}
			c->mon = v;
			c->d = 1;
			c->h = c->mi = c->s = 0;
			continue;
		}
		if (!day_matches(ce, c)) {
			c->d++;
			c->h = c->mi = c->s = 0;
			continue;
		}
		if ((v = next_bit(ce->hour, c->h, 23)) != c->h) {
			c->h = v == -1 ? 24 : v;
			c->mi = c->s = 0;
			continue;
		}
		if ((v = next_bit(ce->min, c->mi, 59)) != c->mi) {
			c->mi = v == -1 ? 60 : v;
			c->s = 0;
			continue;
		}
		if ((v = next_bit(ce->sec, c->s, 59)) != c->s) {
			c->s = v == -1 ? 60 : v;
			continue;
		}
		return 0;
	}
}

/*
 * The instant at which wall time l fires: its first occurrence, or, when l
 * falls in a gap, the end of the gap.
 */
static int64_t
resolve(const struct cron_tz *tz, int64_t l)
{
	int64_t	 best = INT64_MAX, t, lo, hi, mid;
	long	 off;
	int	 k;

	for (k = -4; k <= 4; k++) {
		off = cron_tz_offset(tz, (time_t)(l + k * 4 * 3600));
		t = l - off;
		if (cron_tz_offset(tz, (time_t)t) == off && t < best)
			best = t;
	}
	if (best != INT64_MAX)
		return best;
	/* In a gap: the first instant whose wall time is past l. */
	lo = l - TZ_OFF_MAX;
	hi = l + TZ_OFF_MAX;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (mid + cron_tz_offset(tz, (time_t)mid) > l)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

#define TIME_LIMIT	((int64_t)1 << 40)	/* about 34000 years */

int
cronexpr_next_tz(const struct cronexpr *ce, const struct cron_tz *tz,
    time_t after, time_t *next)
{
	struct civil	 c;
	int64_t		 l, t, maxyear;

	if ((int64_t)after > TIME_LIMIT || (int64_t)after < -TIME_LIMIT ||
	    ce->sec == 0 || ce->min == 0 || ce->hour == 0 || ce->mday == 0 ||
	    ce->month == 0 || ce->wday == 0)
		return -1;
	secs_to_civil((int64_t)after + cron_tz_offset(tz, after) + 1, &c);
	maxyear = c.y + SEARCH_YEARS;
	for (;;) {
		if (next_wall(ce, &c, maxyear) == -1)
			return -1;
		l = civil_to_secs(&c);
		t = resolve(tz, l);
		if (t > (int64_t)after) {
			*next = (time_t)t;
			return 0;
		}
		c.s++;
	}
}

int
cronexpr_next(const struct cronexpr *ce, const char *zone, time_t after,
    time_t *next)
{
	struct cron_tz	*tz;
	int		 r;

	if ((tz = cron_tz_load(zone)) == NULL)
		return -1;
	r = cronexpr_next_tz(ce, tz, after, next);
	cron_tz_free(tz);
	return r;
}
