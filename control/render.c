/*
 * CLI rendering of status and inspect replies (see render.h).
 *
 * A small table engine (cells are sanitized copies, widths computed
 * from the content, colour codes kept out of the width) and helpers
 * that read one JSON field defensively and format it, or give "-".
 */

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "log.h"
#include "render.h"

#define CELLMAX		512
#define FLATDEPTH	4

#define C_RESET		"\033[0m"
#define C_BOLD		"\033[1m"
#define C_DIM		"\033[2m"
#define C_RED		"\033[31m"
#define C_GREEN		"\033[32m"
#define C_YELLOW	"\033[33m"

/* ------------------------------------------------------------------ */
/* Table engine */

struct cell {
	char		*text;
	const char	*color;
};

struct table {
	size_t		 ncols;
	const char *const *heads;	/* NULL: no header line */
	const int	*ralign;	/* NULL: all left */
	size_t		 nrows;
	size_t		 cap;
	struct cell	*cells;
};

static void	tset(struct table *, size_t, const char *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

static void
table_init(struct table *t, size_t ncols, const char *const *heads,
    const int *ralign)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->heads = heads;
	t->ralign = ralign;
}

static void
table_free(struct table *t)
{
	size_t	 i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].text);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}

static void
table_row(struct table *t)
{
	struct cell	*c;
	size_t		 ncap;

	if (t->nrows == t->cap) {
		ncap = t->cap == 0 ? 8 : t->cap * 2;
		c = reallocarray(t->cells, ncap * t->ncols, sizeof(*c));
		if (c == NULL)
			fatal("%s", __func__);
		t->cells = c;
		t->cap = ncap;
	}
	memset(&t->cells[t->nrows * t->ncols], 0,
	    t->ncols * sizeof(*t->cells));
	t->nrows++;
}

/* Replace control characters so that no cell can carry escapes. */
static void
sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* Set a cell of the last row. */
static void
tset(struct table *t, size_t col, const char *color, const char *fmt, ...)
{
	struct cell	*c;
	char		 buf[CELLMAX];
	va_list		 ap;

	if (t->nrows == 0 || col >= t->ncols)
		return;
	c = &t->cells[(t->nrows - 1) * t->ncols + col];
	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sanitize(buf);
	free(c->text);
	if ((c->text = strdup(buf)) == NULL)
		fatal("%s", __func__);
	c->color = color;
}

/* Display width: UTF-8 code points (continuation bytes don't count). */
static size_t
dwidth(const char *s)
{
	size_t	 w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void
pad(FILE *fp, size_t n)
{
	while (n-- > 0)
		fputc(' ', fp);
}

static void
print_cell(FILE *fp, const char *text, const char *color, size_t width,
    int right, int last, int usecolor)
{
	size_t	 w = dwidth(text);
	size_t	 fill = width > w ? width - w : 0;

	if (right)
		pad(fp, fill);
	if (usecolor && color != NULL)
		fprintf(fp, "%s%s%s", color, text, C_RESET);
	else
		fputs(text, fp);
	if (!right && !last)
		pad(fp, fill);
}

static void
table_widths(struct table *t, size_t *w)
{
	struct cell	*c;
	size_t		 r, i, n;

	for (i = 0; i < t->ncols; i++) {
		w[i] = t->heads != NULL ? dwidth(t->heads[i]) : 0;
		for (r = 0; r < t->nrows; r++) {
			c = &t->cells[r * t->ncols + i];
			n = dwidth(c->text != NULL ? c->text : "-");
			if (n > w[i])
				w[i] = n;
		}
	}
}

static void
table_print(struct table *t, FILE *fp, const char *indent, int usecolor)
{
	struct cell	*c;
	size_t		*w, r, i;
	int		 right, last;

	if ((w = calloc(t->ncols, sizeof(*w))) == NULL)
		fatal("%s", __func__);
	table_widths(t, w);
	for (r = 0; r < t->nrows + (t->heads != NULL); r++) {
		fputs(indent, fp);
		for (i = 0; i < t->ncols; i++) {
			right = t->ralign != NULL && t->ralign[i];
			last = i + 1 == t->ncols;
			if (t->heads != NULL && r == 0) {
				print_cell(fp, t->heads[i], C_BOLD, w[i],
				    right, last, usecolor);
			} else {
				c = &t->cells[(r - (t->heads != NULL)) *
				    t->ncols + i];
				print_cell(fp, c->text != NULL ? c->text : "-",
				    c->color, w[i], right, last, usecolor);
			}
			if (!last)
				fputs("  ", fp);
		}
		fputc('\n', fp);
	}
	free(w);
}

/* ------------------------------------------------------------------ */
/* JSON access and formatting */

static json_t *
jget(json_t *o, const char *k)
{
	return json_is_object(o) ? json_object_get(o, k) : NULL;
}

static const char *
jstr(json_t *o, const char *k)
{
	json_t	*v = jget(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A finite number (integer or real) in *d. */
static int
jnum(json_t *o, const char *k, double *d)
{
	json_t	*v = jget(o, k);

	if (!json_is_number(v))
		return 0;
	*d = json_number_value(v);
	return isfinite(*d);
}

/* An integral number in range of long long. */
static int
jint(json_t *o, const char *k, long long *n)
{
	json_t	*v = jget(o, k);
	double	 d;

	if (json_is_integer(v)) {
		*n = (long long)json_integer_value(v);
		return 1;
	}
	if (!jnum(o, k, &d) || d < -9e18 || d > 9e18)
		return 0;
	*n = (long long)d;
	return 1;
}

static const char *
orstr(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

/* 35s, 5m07s, 1h02m, 3d04h */
static const char *
fmt_duration(char *buf, size_t len, long long s)
{
	if (s < 0)
		(void)snprintf(buf, len, "-");
	else if (s < 60)
		(void)snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		(void)snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		(void)snprintf(buf, len, "%lldh%02lldm", s / 3600,
		    s % 3600 / 60);
	else
		(void)snprintf(buf, len, "%lldd%02lldh", s / 86400,
		    s % 86400 / 3600);
	return buf;
}

/* 350ms, 1.2s, then as fmt_duration. */
static const char *
fmt_ms(char *buf, size_t len, long long ms)
{
	if (ms < 0)
		(void)snprintf(buf, len, "-");
	else if (ms < 1000)
		(void)snprintf(buf, len, "%lldms", ms);
	else if (ms < 60000)
		(void)snprintf(buf, len, "%.1fs", (double)ms / 1000.0);
	else
		return fmt_duration(buf, len, ms / 1000);
	return buf;
}

/* Bytes in binary units: 512B, 1.5K, 7.0M, 2.0G. */
static const char *
fmt_bytes(char *buf, size_t len, double b)
{
	static const char	 units[] = "KMGTPE";
	size_t			 u = 0;

	if (b < 0) {
		(void)snprintf(buf, len, "-");
		return buf;
	}
	if (b < 1024) {
		(void)snprintf(buf, len, "%.0fB", b);
		return buf;
	}
	b /= 1024;
	while (b >= 1023.95 && u + 1 < sizeof(units) - 1) {
		b /= 1024;
		u++;
	}
	(void)snprintf(buf, len, "%.1f%c", b, units[u]);
	return buf;
}

/* "SIGKILL" from a name ("KILL", "SIGKILL") or a number. */
static const char *
fmt_signal(char *buf, size_t len, const char *name, long long signo)
{
	const char	*abbr = NULL;

	if (name != NULL && *name != '\0') {
		(void)snprintf(buf, len, "%s%s",
		    strncmp(name, "SIG", 3) == 0 ? "" : "SIG", name);
		return buf;
	}
	if (signo > 0 && signo < 128)
		abbr = sigabbrev_np((int)signo);
	if (abbr != NULL)
		(void)snprintf(buf, len, "SIG%s", abbr);
	else
		(void)snprintf(buf, len, "signal %lld", signo);
	return buf;
}

/* last_exit / exits[]: {"code": N} or {"signal": N, "name": "KILL"}. */
static const char *
fmt_exit(char *buf, size_t len, json_t *e)
{
	json_t		*sig = jget(e, "signal");
	long long	 n;

	if (json_is_string(sig))
		return fmt_signal(buf, len, json_string_value(sig), 0);
	if (jint(e, "signal", &n) && n > 0)
		return fmt_signal(buf, len, jstr(e, "name"), n);
	if (jint(e, "code", &n))
		(void)snprintf(buf, len, "%lld", n);
	else
		(void)snprintf(buf, len, "-");
	return buf;
}

/* Cron runs: {"exit_code": N|null|-1, "signal": N|"KILL"|null|0}. */
static const char *
fmt_run_exit(char *buf, size_t len, json_t *run)
{
	json_t		*sig = jget(run, "signal");
	long long	 n;

	if (json_is_string(sig) && *json_string_value(sig) != '\0')
		return fmt_signal(buf, len, json_string_value(sig), 0);
	if (jint(run, "signal", &n) && n > 0)
		return fmt_signal(buf, len, jstr(run, "signal_name"), n);
	if (jint(run, "exit_code", &n) && n >= 0)
		(void)snprintf(buf, len, "%lld", n);
	else
		(void)snprintf(buf, len, "-");
	return buf;
}

/* A time: ISO string as sent, or epoch seconds / milliseconds. */
static const char *
fmt_time(char *buf, size_t len, json_t *o, const char *k)
{
	struct tm	 tm;
	long long	 n;
	time_t		 t;

	if (jstr(o, k) != NULL) {
		(void)snprintf(buf, len, "%s", orstr(jstr(o, k)));
		return buf;
	}
	if (!jint(o, k, &n) || n < 0) {
		(void)snprintf(buf, len, "-");
		return buf;
	}
	t = (time_t)(n > 100000000000LL ? n / 1000 : n);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		(void)snprintf(buf, len, "-");
	return buf;
}

static const char *
state_color(const char *s)
{
	static const char *const green[] = { "running", "scheduled",
	    "exited", NULL };
	static const char *const yellow[] = { "waiting", "starting",
	    "stopping", "backoff", NULL };
	static const char *const red[] = { "failed", "blocked", NULL };
	size_t	 i;

	if (s == NULL)
		return NULL;
	for (i = 0; green[i] != NULL; i++)
		if (strcmp(s, green[i]) == 0)
			return C_GREEN;
	for (i = 0; yellow[i] != NULL; i++)
		if (strcmp(s, yellow[i]) == 0)
			return C_YELLOW;
	for (i = 0; red[i] != NULL; i++)
		if (strcmp(s, red[i]) == 0)
			return C_RED;
	return C_DIM;
}

static const char *
health_color(const char *h)
{
	if (h == NULL)
		return NULL;
	if (strcmp(h, "healthy") == 0)
		return C_GREEN;
	if (strcmp(h, "degraded") == 0)
		return C_YELLOW;
	if (strcmp(h, "failing") == 0)
		return C_RED;
	return C_DIM;
}

static const char *
outcome_color(const char *o)
{
	if (o == NULL || strcmp(o, "-") == 0)
		return NULL;
	if (strcmp(o, "success") == 0)
		return C_GREEN;
	if (strcmp(o, "running") == 0)
		return C_YELLOW;
	return C_RED;
}

/* ------------------------------------------------------------------ */
/* Health levels */

static int
health_level(const char *h)
{
	if (h == NULL)
		return -1;
	if (strcmp(h, "healthy") == 0 || strcmp(h, "inactive") == 0)
		return 0;
	if (strcmp(h, "degraded") == 0)
		return 1;
	if (strcmp(h, "failing") == 0)
		return 2;
	return -1;
}

int
status_exit_code(json_t *status)
{
	json_t	*daemon = jget(status, "daemon");
	json_t	*units = jget(status, "units");
	size_t	 i;
	int	 lvl, worst = 0;

	if (!json_is_object(daemon))
		return 3;
	if ((lvl = health_level(jstr(status, "overall_health"))) != -1)
		return lvl;
	for (i = 0; json_is_array(units) && i < json_array_size(units); i++) {
		lvl = health_level(jstr(json_array_get(units, i), "health"));
		if (lvl > worst)
			worst = lvl;
	}
	return worst;
}

/* ------------------------------------------------------------------ */
/* Status */

enum {
	COL_UNIT = 0, COL_KIND, COL_STATE, COL_PID, COL_USER, COL_UPTIME,
	COL_RESTARTS, COL_CPU, COL_RSS, COL_LASTEXIT, COL_HEALTH, COL_MAX
};

static const char *const status_heads[COL_MAX] = {
	"UNIT", "KIND", "STATE", "PID", "USER", "UPTIME", "RESTARTS", "CPU",
	"RSS", "LAST_EXIT", "HEALTH"
};
static const int status_ralign[COL_MAX] = {
	0, 0, 0, 1, 0, 1, 1, 1, 1, 0, 0
};

static int
is_cron(json_t *u)
{
	const char	*k = jstr(u, "kind");

	return (k != NULL && strcmp(k, "cron") == 0) ||
	    json_is_object(jget(u, "last_run")) || jstr(u, "next_run") != NULL;
}

static void
set_int(struct table *t, size_t col, json_t *u, const char *k, int pos)
{
	long long	 n;

	if (jint(u, k, &n) && (!pos || n > 0))
		tset(t, col, NULL, "%lld", n);
}

static void
status_row(struct table *t, json_t *u)
{
	const char	*state = jstr(u, "state");
	const char	*health = jstr(u, "health");
	char		 buf[64];
	json_t		*last;
	long long	 n;
	double		 d;

	table_row(t);
	tset(t, COL_UNIT, NULL, "%s", orstr(jstr(u, "name")));
	tset(t, COL_KIND, NULL, "%s", orstr(jstr(u, "kind")));
	tset(t, COL_STATE, state_color(state), "%s", orstr(state));
	set_int(t, COL_PID, u, "pid", 1);
	tset(t, COL_USER, NULL, "%s", orstr(jstr(u, "user")));
	if (jint(u, "uptime_seconds", &n) && n >= 0)
		tset(t, COL_UPTIME, NULL, "%s",
		    fmt_duration(buf, sizeof(buf), n));
	set_int(t, COL_RESTARTS, u, "restarts", 0);
	if (jnum(u, "cpu_seconds", &d) && d >= 0)
		tset(t, COL_CPU, NULL, "%.2f", d);
	if (jnum(u, "rss_bytes", &d) && d >= 0)
		tset(t, COL_RSS, NULL, "%s", fmt_bytes(buf, sizeof(buf), d));
	last = jget(u, "last_exit");
	if (json_is_object(last))
		tset(t, COL_LASTEXIT, NULL, "%s",
		    fmt_exit(buf, sizeof(buf), last));
	else if (json_is_object(jget(u, "last_run")))
		tset(t, COL_LASTEXIT, NULL, "%s",
		    fmt_run_exit(buf, sizeof(buf), jget(u, "last_run")));
	tset(t, COL_HEALTH, health_color(health), "%s", orstr(health));
}

/*
 * "success (exit 0, 1.2s)", "failed (SIGKILL, 1h00m): reason".
 * Returns the outcome word (NULL for no run) for colouring.
 */
static const char *
cron_outcome(char *buf, size_t len, json_t *run)
{
	const char	*o = jstr(run, "outcome"), *r = jstr(run, "reason");
	char		 ex[64], dur[64];
	long long	 ms;

	if (!json_is_object(run)) {
		(void)snprintf(buf, len, "not run yet");
		return NULL;
	}
	if (o == NULL)
		o = jget(run, "finished_at") == NULL ||
		    json_is_null(jget(run, "finished_at")) ? "running" : "-";
	fmt_run_exit(ex, sizeof(ex), run);
	dur[0] = '\0';
	if (jint(run, "duration_ms", &ms) && ms >= 0)
		fmt_ms(dur, sizeof(dur), ms);
	if (strcmp(ex, "-") == 0 && dur[0] == '\0')
		(void)snprintf(buf, len, "%s", o);
	else if (strcmp(ex, "-") == 0)
		(void)snprintf(buf, len, "%s (%s)", o, dur);
	else
		(void)snprintf(buf, len, "%s (%s%s%s%s)", o,
		    (ex[0] >= '0' && ex[0] <= '9') || ex[0] == '-' ?
		    "exit " : "", ex,
		    dur[0] != '\0' ? ", " : "", dur);
	if (r != NULL && *r != '\0')
		(void)snprintf(buf + strlen(buf), len - strlen(buf), ": %s", r);
	return o;
}

static void
cron_section(FILE *fp, json_t *units, int color)
{
	static const char *const heads[] = { "CRON", "NEXT RUN", "LAST RUN",
	    "LAST OUTCOME" };
	struct table	 t;
	json_t		*u, *run;
	const char	*o;
	size_t		 i;
	char		 buf[CELLMAX];

	table_init(&t, 4, heads, NULL);
	json_array_foreach(units, i, u) {
		if (!is_cron(u))
			continue;
		run = jget(u, "last_run");
		table_row(&t);
		tset(&t, 0, NULL, "%s", orstr(jstr(u, "name")));
		tset(&t, 1, NULL, "%s", fmt_time(buf, sizeof(buf), u,
		    "next_run"));
		tset(&t, 2, NULL, "%s", fmt_time(buf, sizeof(buf), run,
		    "started_at"));
		o = cron_outcome(buf, sizeof(buf), run);
		tset(&t, 3, outcome_color(o), "%s", buf);
	}
	if (t.nrows > 0) {
		fputc('\n', fp);
		table_print(&t, fp, "", color);
	}
	table_free(&t);
}

static void
reasons_section(FILE *fp, json_t *units)
{
	json_t		*u;
	size_t		 i;
	int		 first = 1;
	char		 buf[CELLMAX];

	json_array_foreach(units, i, u) {
		if (jstr(u, "reason") == NULL || *jstr(u, "reason") == '\0')
			continue;
		if (first)
			fputc('\n', fp);
		first = 0;
		(void)snprintf(buf, sizeof(buf), "%s: %s: %s",
		    orstr(jstr(u, "name")), orstr(jstr(u, "state")),
		    jstr(u, "reason"));
		sanitize(buf);
		fprintf(fp, "%s\n", buf);
	}
}

static void
status_header(FILE *fp, json_t *status, json_t *daemon, int color)
{
	const char	*h = jstr(status, "overall_health");
	char		 buf[CELLMAX], up[64];
	long long	 n;

	if (jint(daemon, "uptime_seconds", &n) && n >= 0)
		fmt_duration(up, sizeof(up), n);
	else
		(void)snprintf(up, sizeof(up), "-");
	if (jint(daemon, "pid", &n))
		(void)snprintf(buf, sizeof(buf), "daemon: pid %lld, %s mode, "
		    "up %s, config %s", n, orstr(jstr(daemon, "mode")), up,
		    orstr(jstr(daemon, "config")));
	else
		(void)snprintf(buf, sizeof(buf), "daemon: pid -, %s mode, "
		    "up %s, config %s", orstr(jstr(daemon, "mode")), up,
		    orstr(jstr(daemon, "config")));
	sanitize(buf);
	fprintf(fp, "%s\n", buf);
	(void)snprintf(buf, sizeof(buf), "%s", orstr(h));
	sanitize(buf);
	if (color)
		fprintf(fp, "health: %s%s%s\n", health_color(buf), buf,
		    C_RESET);
	else
		fprintf(fp, "health: %s\n", buf);
}

void
render_status_table(FILE *fp, json_t *status, int color)
{
	json_t		*daemon = jget(status, "daemon");
	json_t		*units = jget(status, "units");
	json_t		*u;
	struct table	 t;
	size_t		 i;

	if (!json_is_object(daemon)) {
		fprintf(fp, "sysg: no daemon running\n");
		return;
	}
	status_header(fp, status, daemon, color);
	if (!json_is_array(units) || json_array_size(units) == 0) {
		fprintf(fp, "\nno units\n");
		return;
	}
	table_init(&t, COL_MAX, status_heads, status_ralign);
	json_array_foreach(units, i, u)
		status_row(&t, u);
	fputc('\n', fp);
	table_print(&t, fp, "", color);
	table_free(&t);
	cron_section(fp, units, color);
	reasons_section(fp, units);
}

/* ------------------------------------------------------------------ */
/* Inspect */

static void
kv(struct table *t, const char *key, const char *color, const char *val)
{
	table_row(t);
	tset(t, 0, NULL, "%s", key);
	tset(t, 1, color, "%s", orstr(val));
}

static void
kv_int(struct table *t, const char *key, json_t *u, const char *k)
{
	char		 buf[32];
	long long	 n;

	if (jint(u, k, &n) && (strcmp(k, "pid") != 0 || n > 0))
		(void)snprintf(buf, sizeof(buf), "%lld", n);
	else
		(void)snprintf(buf, sizeof(buf), "-");
	kv(t, key, NULL, buf);
}

static void
inspect_usage(struct table *t, json_t *u)
{
	char		 buf[64];
	long long	 n;
	double		 d;

	buf[0] = '\0';
	if (jint(u, "uptime_seconds", &n) && n >= 0)
		fmt_duration(buf, sizeof(buf), n);
	kv(t, "uptime", NULL, buf);
	kv_int(t, "restarts", u, "restarts");
	buf[0] = '\0';
	if (jnum(u, "cpu_seconds", &d) && d >= 0)
		(void)snprintf(buf, sizeof(buf), "%.2fs", d);
	kv(t, "cpu", NULL, buf);
	buf[0] = '\0';
	if (jnum(u, "rss_bytes", &d) && d >= 0)
		fmt_bytes(buf, sizeof(buf), d);
	kv(t, "rss", NULL, buf);
	kv(t, "last exit", NULL, fmt_exit(buf, sizeof(buf),
	    jget(u, "last_exit")));
}

static void
inspect_summary(FILE *fp, json_t *u, int color)
{
	struct table	 t;
	char		 buf[CELLMAX];

	table_init(&t, 2, NULL, NULL);
	kv(&t, "state", state_color(jstr(u, "state")), jstr(u, "state"));
	kv(&t, "health", health_color(jstr(u, "health")), jstr(u, "health"));
	if (jstr(u, "reason") != NULL)
		kv(&t, "reason", NULL, jstr(u, "reason"));
	kv_int(&t, "pid", u, "pid");
	kv(&t, "user", NULL, jstr(u, "user"));
	inspect_usage(&t, u);
	kv(&t, "command", NULL, jstr(u, "command"));
	kv(&t, "config", NULL, jstr(u, "config_file"));
	kv(&t, "cgroup", NULL, jstr(u, "cgroup"));
	if (is_cron(u)) {
		kv(&t, "next run", NULL, fmt_time(buf, sizeof(buf), u,
		    "next_run"));
		kv(&t, "last run", outcome_color(cron_outcome(buf,
		    sizeof(buf), jget(u, "last_run"))), buf);
	}
	table_print(&t, fp, "  ", color);
	table_free(&t);
}

static void
flatten(struct table *t, const char *prefix, json_t *v, int depth)
{
	const char	*k;
	json_t		*sub;
	char		*s, key[CELLMAX];

	if (json_is_object(v) && depth < FLATDEPTH) {
		json_object_foreach(v, k, sub) {
			(void)snprintf(key, sizeof(key), "%s%s%s", prefix,
			    *prefix != '\0' ? "." : "", k);
			flatten(t, key, sub, depth + 1);
		}
		return;
	}
	if (json_is_string(v)) {
		kv(t, prefix, NULL, json_string_value(v));
		return;
	}
	if (json_is_null(v) || v == NULL) {
		kv(t, prefix, NULL, NULL);
		return;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	kv(t, prefix, NULL, s);
	free(s);
}

static void
inspect_limits(FILE *fp, json_t *u, int color)
{
	struct table	 t;
	json_t		*lim = jget(u, "limits");

	if (!json_is_object(lim) || json_object_size(lim) == 0)
		return;
	fprintf(fp, "\nlimits\n");
	table_init(&t, 2, NULL, NULL);
	flatten(&t, "", lim, 0);
	table_print(&t, fp, "  ", color);
	table_free(&t);
}

static int
section(FILE *fp, json_t *a, const char *title)
{
	fprintf(fp, "\n%s\n", title);
	if (!json_is_array(a) || json_array_size(a) == 0) {
		fprintf(fp, "  none\n");
		return 0;
	}
	return 1;
}

static void
inspect_exits(FILE *fp, json_t *u, int color)
{
	static const char *const heads[] = { "AT", "EXIT", "REASON" };
	struct table	 t;
	json_t		*a = jget(u, "exits"), *e;
	size_t		 i;
	char		 buf[CELLMAX];

	if (!section(fp, a, "exits (newest last)"))
		return;
	table_init(&t, 3, heads, NULL);
	json_array_foreach(a, i, e) {
		table_row(&t);
		tset(&t, 0, NULL, "%s", fmt_time(buf, sizeof(buf), e, "at"));
		tset(&t, 1, NULL, "%s", fmt_exit(buf, sizeof(buf), e));
		tset(&t, 2, NULL, "%s", orstr(jstr(e, "reason")));
	}
	table_print(&t, fp, "  ", color);
	table_free(&t);
}

static void
inspect_checks(FILE *fp, json_t *u, int color)
{
	static const char *const heads[] = { "AT", "RESULT", "DETAIL" };
	struct table	 t;
	json_t		*a = jget(u, "health_checks"), *c, *ok;
	size_t		 i;
	char		 buf[CELLMAX];

	if (!section(fp, a, "health checks (newest last)"))
		return;
	table_init(&t, 3, heads, NULL);
	json_array_foreach(a, i, c) {
		ok = jget(c, "ok");
		table_row(&t);
		tset(&t, 0, NULL, "%s", fmt_time(buf, sizeof(buf), c, "at"));
		if (json_is_boolean(ok))
			tset(&t, 1, json_is_true(ok) ? C_GREEN : C_RED, "%s",
			    json_is_true(ok) ? "ok" : "fail");
		tset(&t, 2, NULL, "%s", orstr(jstr(c, "detail")));
	}
	table_print(&t, fp, "  ", color);
	table_free(&t);
}

static void
run_row(struct table *t, json_t *r)
{
	const char	*o = jstr(r, "outcome");
	char		 buf[CELLMAX];
	long long	 ms;

	table_row(t);
	tset(t, 0, NULL, "%s", fmt_time(buf, sizeof(buf), r, "started_at"));
	tset(t, 1, NULL, "%s", fmt_time(buf, sizeof(buf), r, "finished_at"));
	if (jint(r, "duration_ms", &ms) && ms >= 0)
		tset(t, 2, NULL, "%s", fmt_ms(buf, sizeof(buf), ms));
	tset(t, 3, NULL, "%s", fmt_run_exit(buf, sizeof(buf), r));
	if (o == NULL && json_is_object(r) &&
	    json_is_null(jget(r, "finished_at")))
		o = "running";
	tset(t, 4, outcome_color(o), "%s", orstr(o));
	tset(t, 5, NULL, "%s", orstr(jstr(r, "reason")));
}

static void
inspect_runs(FILE *fp, json_t *u, int color)
{
	static const char *const heads[] = { "STARTED", "FINISHED",
	    "DURATION", "EXIT", "OUTCOME", "REASON" };
	static const int ralign[] = { 0, 0, 1, 0, 0, 0 };
	struct table	 t;
	json_t		*a = jget(u, "runs"), *r;
	size_t		 i;

	if (!is_cron(u) && !json_is_array(a))
		return;
	if (!section(fp, a, "runs (oldest first)"))
		return;
	table_init(&t, 6, heads, ralign);
	json_array_foreach(a, i, r)
		run_row(&t, r);
	table_print(&t, fp, "  ", color);
	table_free(&t);
}

void
render_inspect(FILE *fp, json_t *unit, int color)
{
	json_t		*u = unit;
	char		 buf[CELLMAX];

	if (json_is_object(jget(u, "unit")) && jget(u, "name") == NULL)
		u = jget(u, "unit");
	if (!json_is_object(u)) {
		fprintf(fp, "sysg: no unit information\n");
		return;
	}
	(void)snprintf(buf, sizeof(buf), "%s (%s)", orstr(jstr(u, "name")),
	    orstr(jstr(u, "kind")));
	sanitize(buf);
	if (color)
		fprintf(fp, "%s%s%s\n", C_BOLD, buf, C_RESET);
	else
		fprintf(fp, "%s\n", buf);
	inspect_summary(fp, u, color);
	inspect_limits(fp, u, color);
	inspect_exits(fp, u, color);
	inspect_checks(fp, u, color);
	inspect_runs(fp, u, color);
}
