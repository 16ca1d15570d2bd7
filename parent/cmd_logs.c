/*
 * sysg logs: the last lines of the log files, and -f to follow them
 * (see cmd_logs.h).  Works from the files alone.
 */

#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_logs.h"
#include "logwriter.h"
#include "sysg.h"

#define KIND_OUT	0x1
#define KIND_ERR	0x2
#define BLOCK		(64 * 1024)
#define FNAME		(SYSG_NAME_MAX + 32)
#define ARCH_MAX	1000
#define SEP		" \xe2\x94\x82 "

struct line {
	char		*s;		/* without its newline */
	size_t		 len;
	int64_t		 key;		/* ms, for merging */
};

struct lvec {
	struct line	*v;
	size_t		 n;
	size_t		 cap;
};

struct stream {
	char		 unit[SYSG_NAME_MAX + 1];
	char		 name[FNAME];	/* the live file */
	int		 err;		/* the stderr file */
	int		 fd;		/* followed, -1 none */
	dev_t		 dev;
	ino_t		 ino;
	char		*part;		/* incomplete last line */
	size_t		 partlen;
	int64_t		 carry;		/* key of a line without stamp */
	struct lvec	 tail;
};

struct logs {
	const char	*dir;
	int		 dirfd;
	int		 kind;
	int		 follow;
	int		 prefix;	/* "name │ " */
	int		 color;
	int		 width;
	size_t		 nlines;
	struct stream	**s;
	size_t		 ns;
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: sysg logs [NAME] [-n, --lines N] "
	    "[-k, --kind stdout|stderr|all] [-f, --follow] "
	    "[--supervisor]\n");
}

static void *
xrealloc(void *p, size_t n, size_t sz)
{
	if ((p = reallocarray(p, n, sz)) == NULL) {
		fprintf(stderr, "sysg: logs: out of memory\n");
		exit(1);
	}
	return p;
}

/* ------------------------------------------------------------------ */
/* Lines and their keys */

static int
digits(const char *s, int n)
{
	int	 v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

/* ms of a leading "2026-11-22T10:00:00.123Z ", or -1. */
static int64_t
stamp_ms(const char *s, size_t len)
{
	struct tm	 tm;
	int		 ms;
	time_t		 t;

	if (len < 25 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z' ||
	    s[24] != ' ')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 5, 2) - 1;
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	tm.tm_sec = digits(s + 17, 2);
	ms = digits(s + 20, 3);
	if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mday < 0 ||
	    tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0 || ms < 0)
		return -1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	return (int64_t)t * 1000 + ms;
}

static void
lvec_add(struct lvec *lv, const char *s, size_t len, int64_t key)
{
	struct line	*l;

	if (lv->n == lv->cap) {
		lv->cap = lv->cap ? lv->cap * 2 : 64;
		lv->v = xrealloc(lv->v, lv->cap, sizeof(*lv->v));
	}
	l = &lv->v[lv->n++];
	l->s = xrealloc(NULL, len + 1, 1);
	memcpy(l->s, s, len);
	l->s[len] = '\0';
	l->len = len;
	l->key = key;
}

static void
lvec_free(struct lvec *lv)
{
	size_t	 i;

	for (i = 0; i < lv->n; i++)
		free(lv->v[i].s);
	free(lv->v);
	memset(lv, 0, sizeof(*lv));
}

/* ------------------------------------------------------------------ */
/* Reading the last lines backwards */

/*
 * Find where the last want lines of [0, end) start.  Returns the
 * number of lines found (fewer when the file is short; then *start 0).
 */
static size_t
tail_start(int fd, off_t end, size_t want, off_t *start)
{
	char	 buf[BLOCK];
	off_t	 pos = end, from;
	size_t	 found = 0, n;
	ssize_t	 r;

	*start = 0;
	if (end == 0 || want == 0) {
		*start = end;
		return 0;
	}
	if (pread(fd, buf, 1, end - 1) == 1 && buf[0] == '\n')
		pos = end - 1;		/* the last line's own newline */
	while (pos > 0) {
		from = pos > BLOCK ? pos - BLOCK : 0;
		r = pread(fd, buf, (size_t)(pos - from), from);
		if (r <= 0)
			break;
		for (n = (size_t)r; n > 0; n--) {
			if (buf[n - 1] != '\n')
				continue;
			if (++found == want) {
				*start = from + (off_t)n;
				return found;
			}
		}
		pos = from;
	}
	return found + 1;
}

/* Lines of [start, end) appended to lv. */
static int
load_lines(int fd, off_t start, off_t end, struct lvec *lv, int64_t *carry)
{
	char	*buf, *p, *nl;
	size_t	 len = (size_t)(end - start), got = 0;
	ssize_t	 r;
	int64_t	 k;

	if (len == 0)
		return 0;
	buf = xrealloc(NULL, len, 1);
	while (got < len) {
		r = pread(fd, buf + got, len - got, start + (off_t)got);
		if (r <= 0) {
			free(buf);
			return -1;
		}
		got += (size_t)r;
	}
	for (p = buf; p < buf + len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
			nl = buf + len;
		if ((k = stamp_ms(p, (size_t)(nl - p))) != -1)
			*carry = k;
		lvec_add(lv, p, (size_t)(nl - p), *carry);
	}
	free(buf);
	return 0;
}

static int
arch_name(char *buf, size_t len, const char *name, int i)
{
	int	 r;

	r = i == 0 ? snprintf(buf, len, "%s", name) :
	    snprintf(buf, len, "%s.%d", name, i);
	return r < 0 || (size_t)r >= len ? -1 : 0;
}

/*
 * One file's share of the tail: up to want lines ending at end.  Sets
 * *more when the whole file was used (older lines are in the next).
 */
static int
tail_one(struct stream *st, int fd, off_t end, size_t want,
    struct lvec *lv, int *more)
{
	off_t	 start;
	size_t	 n;

	n = tail_start(fd, end, want, &start);
	*more = n < want;
	return load_lines(fd, start, end, lv, &st->carry);
}

/* Just after the last newline before end (follow: whole lines only). */
static off_t
follow_end(int fd, off_t end)
{
	char	 buf[BLOCK];
	off_t	 pos = end, from;
	ssize_t	 r;

	while (pos > 0) {
		from = pos > BLOCK ? pos - BLOCK : 0;
		r = pread(fd, buf, (size_t)(pos - from), from);
		if (r <= 0)
			return 0;
		while (r > 0)
			if (buf[--r] == '\n')
				return from + r + 1;
		pos = from;
	}
	return 0;
}

/* Keys start at base (the file's mtime, or the smallest key). */
static int64_t
base_key(struct logs *lg, int fd)
{
	struct stat	 sb;

	if (!lg->prefix || fstat(fd, &sb) == -1)
		return INT64_MIN;
	return (int64_t)sb.st_mtim.tv_sec * 1000 +
	    sb.st_mtim.tv_nsec / 1000000;
}

/* Open the live file of a stream for reading; -1 if it is not there. */
static int
open_live(struct logs *lg, struct stream *st)
{
	struct stat	 sb;
	int		 fd;

	fd = openat(lg->dirfd, st->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return -1;
	}
	st->dev = sb.st_dev;
	st->ino = sb.st_ino;
	return fd;
}

/*
 * The last lines of a stream: live file then .1, .2 ... as needed.  In
 * follow mode the live file stays open, positioned after its last
 * complete line.
 */
static void
tail_stream(struct logs *lg, struct stream *st)
{
	struct lvec	*seg = NULL;
	struct stat	 sb;
	char		 name[FNAME + 16];
	size_t		 nseg = 0, have = 0, i, j;
	off_t		 end;
	int		 a, fd, more = 1;

	/* The live file always: in follow mode it stays open. */
	for (a = 0; a == 0 || (a < ARCH_MAX && more && have < lg->nlines);
	    a++) {
		if (a == 0)
			fd = open_live(lg, st);
		else if (arch_name(name, sizeof(name), st->name, a) == -1)
			break;
		else
			fd = openat(lg->dirfd, name, O_RDONLY | O_NOFOLLOW |
			    O_CLOEXEC | O_NONBLOCK);
		if (fd == -1) {
			if (a == 0)
				continue;
			break;
		}
		if (fstat(fd, &sb) == -1) {
			close(fd);
			break;
		}
		end = sb.st_size;
		if (a == 0 && lg->follow)
			end = follow_end(fd, end);
		seg = xrealloc(seg, nseg + 1, sizeof(*seg));
		memset(&seg[nseg], 0, sizeof(*seg));
		st->carry = base_key(lg, fd);
		if (tail_one(st, fd, end, lg->nlines - have, &seg[nseg],
		    &more) == -1)
			more = 0;
		have += seg[nseg++].n;
		if (a == 0 && lg->follow) {
			(void)lseek(fd, end, SEEK_SET);
			st->fd = fd;
		} else
			close(fd);
	}
	/* Oldest first. */
	for (i = nseg; i > 0; i--) {
		for (j = 0; j < seg[i - 1].n; j++) {
			struct line	*l = &seg[i - 1].v[j];

			if (st->tail.n == st->tail.cap) {
				st->tail.cap = st->tail.cap ?
				    st->tail.cap * 2 : 64;
				st->tail.v = xrealloc(st->tail.v,
				    st->tail.cap, sizeof(*l));
			}
			st->tail.v[st->tail.n++] = *l;
		}
		free(seg[i - 1].v);
	}
	free(seg);
	/* An archive may have given more than needed. */
	if (st->tail.n > lg->nlines) {
		for (i = 0; i < st->tail.n - lg->nlines; i++)
			free(st->tail.v[i].s);
		memmove(st->tail.v, st->tail.v + i,
		    lg->nlines * sizeof(*st->tail.v));
		st->tail.n = lg->nlines;
	}
}

/* ------------------------------------------------------------------ */
/* Output */

static void
put_line(struct logs *lg, const struct stream *st, const char *s,
    size_t len)
{
	if (lg->prefix) {
		if (lg->color)
			printf("\033[%dm%-*s\033[0m" SEP,
			    logname_color(st->unit), lg->width, st->unit);
		else
			printf("%-*s" SEP, lg->width, st->unit);
	}
	fwrite(s, 1, len, stdout);
	putchar('\n');
}

/* Merge the tails by key (ties: stream order) and print the last N. */
static void
print_tails(struct logs *lg)
{
	struct {
		size_t	 st, ln;
	}		*out;
	size_t		*pos, total = 0, i, k, best, first;
	int		 w;

	for (i = 0; i < lg->ns; i++)
		total += lg->s[i]->tail.n;
	if (total == 0)
		return;
	out = xrealloc(NULL, total, sizeof(*out));
	pos = xrealloc(NULL, lg->ns, sizeof(*pos));
	memset(pos, 0, lg->ns * sizeof(*pos));
	for (k = 0; k < total; k++) {
		best = SIZE_MAX;
		for (i = 0; i < lg->ns; i++) {
			if (pos[i] == lg->s[i]->tail.n)
				continue;
			if (best == SIZE_MAX ||
			    lg->s[i]->tail.v[pos[i]].key <
			    lg->s[best]->tail.v[pos[best]].key)
				best = i;
		}
		out[k].st = best;
		out[k].ln = pos[best]++;
	}
	first = total > lg->nlines ? total - lg->nlines : 0;
	for (k = first; k < total; k++) {
		w = (int)strlen(lg->s[out[k].st]->unit);
		if (w > lg->width)
			lg->width = w;
	}
	for (k = first; k < total; k++) {
		struct line	*l = &lg->s[out[k].st]->tail.v[out[k].ln];

		put_line(lg, lg->s[out[k].st], l->s, l->len);
	}
	free(pos);
	free(out);
	fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* Which files */

static struct stream *
add_stream(struct logs *lg, const char *unit, int err)
{
	struct stream	*st;
	size_t		 i;

	for (i = 0; i < lg->ns; i++)
		if (strcmp(lg->s[i]->unit, unit) == 0 && lg->s[i]->err == err)
			return lg->s[i];
	st = xrealloc(NULL, 1, sizeof(*st));
	memset(st, 0, sizeof(*st));
	st->fd = -1;
	st->err = err;
	strlcpy(st->unit, unit, sizeof(st->unit));
	if (err < 0)
		strlcpy(st->name, "supervisor.log", sizeof(st->name));
	else
		snprintf(st->name, sizeof(st->name), "%s.%s.log", unit,
		    err ? "stderr" : "stdout");
	lg->s = xrealloc(lg->s, lg->ns + 1, sizeof(*lg->s));
	lg->s[lg->ns++] = st;
	return st;
}

/*
 * If name is one of ours ("U.stdout.log", "U.stderr.log", with or
 * without ".N"), the unit into unit and 0/1 for stdout/stderr; else -1.
 */
static int
parse_name(const struct logs *lg, const char *name, char *unit,
    int *live)
{
	static const char *const sfx[2] = { ".stdout.log", ".stderr.log" };
	const char	*p;
	size_t		 ul;
	int		 i;

	for (i = 0; i < 2; i++) {
		if (!(lg->kind & (i ? KIND_ERR : KIND_OUT)))
			continue;
		if ((p = strstr(name, sfx[i])) == NULL || p == name)
			continue;
		ul = (size_t)(p - name);
		p += strlen(sfx[i]);
		if (*p != '\0' && (*p != '.' || digits(p + 1, 1) < 0 ||
		    strspn(p + 1, "0123456789") != strlen(p + 1)))
			continue;
		if (ul > SYSG_NAME_MAX)
			continue;
		memcpy(unit, name, ul);
		unit[ul] = '\0';
		if (!logname_valid(unit))
			continue;
		*live = *p == '\0';
		return i;
	}
	return -1;
}

static int
stream_cmp(const void *a, const void *b)
{
	const struct stream	*x = *(struct stream *const *)a;
	const struct stream	*y = *(struct stream *const *)b;
	int			 c;

	if ((c = strcmp(x->unit, y->unit)) != 0)
		return c;
	return x->err - y->err;
}

/* Every service with a log file (live or rotated). */
static int
scan_dir(struct logs *lg)
{
	struct dirent	*de;
	DIR		*d;
	char		 unit[SYSG_NAME_MAX + 1];
	int		 fd, err, live;

	if ((fd = dup(lg->dirfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		fprintf(stderr, "sysg: logs: %s: %s\n", lg->dir,
		    strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if ((err = parse_name(lg, de->d_name, unit, &live)) != -1)
			add_stream(lg, unit, err);
	closedir(d);
	if (lg->ns > 1)
		qsort(lg->s, lg->ns, sizeof(*lg->s), stream_cmp);
	return 0;
}

static int
stream_exists(struct logs *lg, const struct stream *st)
{
	char	 name[FNAME + 16];

	if (faccessat(lg->dirfd, st->name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	return arch_name(name, sizeof(name), st->name, 1) == 0 &&
	    faccessat(lg->dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* NAME's streams of the chosen kinds; those with no file are dropped. */
static int
unit_streams(struct logs *lg, const char *unit)
{
	struct stream	*st;
	size_t		 i, n = 0;
	int		 err;

	for (err = 0; err < 2; err++)
		if (lg->kind & (err ? KIND_ERR : KIND_OUT))
			add_stream(lg, unit, err);
	for (i = 0; i < lg->ns; i++)
		if (stream_exists(lg, lg->s[i]))
			n++;
	if (n > 0 && !lg->follow) {
		for (i = 0; i < lg->ns; )
			if (!stream_exists(lg, lg->s[i])) {
				st = lg->s[i];
				memmove(lg->s + i, lg->s + i + 1,
				    (lg->ns - i - 1) * sizeof(*lg->s));
				lg->ns--;
				free(st);
			} else
				i++;
	}
	if (n > 0)
		return 0;
	if (!lg->follow) {
		fprintf(stderr, "sysg: logs: no %slog for unit '%s' in %s\n",
		    lg->kind == KIND_OUT ? "stdout " : lg->kind == KIND_ERR ?
		    "stderr " : "", unit, lg->dir);
		return -1;
	}
	fprintf(stderr, "sysg: logs: no log for unit '%s' yet, waiting\n",
	    unit);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Following */

static void
flush_part(struct logs *lg, struct stream *st)
{
	if (st->partlen > 0)
		put_line(lg, st, st->part, st->partlen);
	st->partlen = 0;
}

/* Print the complete lines of buf; keep an incomplete end in part. */
static void
emit(struct logs *lg, struct stream *st, const char *buf, size_t len)
{
	const char	*nl;
	size_t		 n;

	while (len > 0) {
		if ((nl = memchr(buf, '\n', len)) == NULL) {
			st->part = xrealloc(st->part, st->partlen + len, 1);
			memcpy(st->part + st->partlen, buf, len);
			st->partlen += len;
			return;
		}
		n = (size_t)(nl - buf);
		if (st->partlen > 0) {
			st->part = xrealloc(st->part, st->partlen + n, 1);
			memcpy(st->part + st->partlen, buf, n);
			put_line(lg, st, st->part, st->partlen + n);
			st->partlen = 0;
		} else
			put_line(lg, st, buf, n);
		buf += n + 1;
		len -= n + 1;
	}
}

static void
read_new(struct logs *lg, struct stream *st)
{
	char		 buf[BLOCK];
	struct stat	 sb;
	off_t		 off;
	ssize_t		 r;

	off = lseek(st->fd, 0, SEEK_CUR);
	if (fstat(st->fd, &sb) == 0 && off != -1 && sb.st_size < off) {
		/* Truncated under us: start again from the top. */
		(void)lseek(st->fd, 0, SEEK_SET);
		st->partlen = 0;
	}
	while ((r = read(st->fd, buf, sizeof(buf))) > 0)
		emit(lg, st, buf, (size_t)r);
}

static void
stream_close(struct stream *st)
{
	if (st->fd != -1)
		close(st->fd);
	st->fd = -1;
}

/*
 * The live file we read (st->ino) was rotated away, maybe more than once
 * before we looked: print the rotated files newer than it, oldest first.
 */
static void
catch_up(struct logs *lg, struct stream *st)
{
	struct stat	 sb;
	char		 name[FNAME + 16];
	int		 k, found = 0, fd;

	for (k = 1; k < ARCH_MAX && !found; k++) {
		if (arch_name(name, sizeof(name), st->name, k) == -1 ||
		    fstatat(lg->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
			return;
		if (sb.st_ino == st->ino && sb.st_dev == st->dev)
			found = k;
	}
	for (k = found - 1; k >= 1; k--) {
		if (arch_name(name, sizeof(name), st->name, k) == -1)
			return;
		fd = openat(lg->dirfd, name, O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC | O_NONBLOCK);
		if (fd == -1)
			continue;
		stream_close(st);
		st->fd = fd;
		read_new(lg, st);
		flush_part(lg, st);
	}
}

/*
 * Something happened to the stream's files: read what is new, and when
 * the live name now is another file (rotation, creation) finish the old
 * one and switch.
 */
static void
update(struct logs *lg, struct stream *st)
{
	struct stat	 sb;
	int		 w;

	if (lg->prefix && (w = (int)strlen(st->unit)) > lg->width)
		lg->width = w;
	if (st->fd != -1)
		read_new(lg, st);
	if (fstatat(lg->dirfd, st->name, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(sb.st_mode))
		return;
	if (st->fd != -1 && sb.st_ino == st->ino && sb.st_dev == st->dev)
		return;
	if (st->fd != -1) {
		read_new(lg, st);
		flush_part(lg, st);
		catch_up(lg, st);
		stream_close(st);
	}
	if ((st->fd = open_live(lg, st)) != -1)
		read_new(lg, st);
}

/* Is name the live file of st or one of its rotated files? */
static int
name_of(const struct stream *st, const char *name)
{
	size_t	 n = strlen(st->name);

	return strncmp(name, st->name, n) == 0 &&
	    (name[n] == '\0' || name[n] == '.');
}

static void
on_name(struct logs *lg, const char *name)
{
	char	 unit[SYSG_NAME_MAX + 1];
	size_t	 i;
	int	 err, live, hit = 0;

	for (i = 0; i < lg->ns; i++)
		if (name_of(lg->s[i], name)) {
			update(lg, lg->s[i]);
			hit = 1;
		}
	/* Without NAME, a service that logs for the first time. */
	if (!hit && lg->prefix &&
	    (err = parse_name(lg, name, unit, &live)) != -1 && live)
		update(lg, add_stream(lg, unit, err));
}

/* 1: go on, 0: stop (signal), -1: error */
static int
on_inotify(struct logs *lg, int ifd)
{
	char			 buf[8192]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t			 r;
	size_t			 i;
	char			*p;

	while ((r = read(ifd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + r; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(void *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				for (i = 0; i < lg->ns; i++)
					update(lg, lg->s[i]);
			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF |
			    IN_IGNORED)) {
				fprintf(stderr, "sysg: logs: %s: directory "
				    "removed\n", lg->dir);
				return -1;
			}
			if (ev->len > 0)
				on_name(lg, ev->name);
		}
	}
	if (r == -1 && errno != EAGAIN && errno != EINTR) {
		fprintf(stderr, "sysg: logs: inotify: %s\n", strerror(errno));
		return -1;
	}
	fflush(stdout);
	return 1;
}

/* Files that appeared before the inotify watch was in place. */
static void
rescan(struct logs *lg)
{
	struct dirent	*de;
	DIR		*d;
	int		 fd;

	if ((fd = dup(lg->dirfd)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			on_name(lg, de->d_name);
	closedir(d);
}

static int
follow(struct logs *lg)
{
	struct signalfd_siginfo si;
	struct pollfd	 pfd[2];
	sigset_t	 set;
	size_t		 i;
	ssize_t		 n;
	int		 r = 1;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (pfd[0].fd = signalfd(-1, &set, SFD_CLOEXEC)) == -1) {
		fprintf(stderr, "sysg: logs: signalfd: %s\n", strerror(errno));
		return 1;
	}
	if ((pfd[1].fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) == -1 ||
	    inotify_add_watch(pfd[1].fd, lg->dir, IN_MODIFY | IN_CREATE |
	    IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE |
	    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR) == -1) {
		fprintf(stderr, "sysg: logs: inotify %s: %s\n", lg->dir,
		    strerror(errno));
		r = -1;
	}
	pfd[0].events = pfd[1].events = POLLIN;
	/* What was created or written before the watch existed. */
	if (r == 1)
		rescan(lg);
	for (i = 0; r == 1 && i < lg->ns; i++)
		update(lg, lg->s[i]);
	fflush(stdout);
	while (r == 1) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			r = -1;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			/* Take the signal, or unblocking delivers it. */
			n = read(pfd[0].fd, &si, sizeof(si));
			(void)n;
			r = 0;
		} else if (pfd[1].revents & POLLIN)
			r = on_inotify(lg, pfd[1].fd);
	}
	close(pfd[0].fd);
	if (pfd[1].fd != -1)
		close(pfd[1].fd);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	return r == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------ */

static void
logs_free(struct logs *lg)
{
	size_t	 i;

	for (i = 0; i < lg->ns; i++) {
		stream_close(lg->s[i]);
		lvec_free(&lg->s[i]->tail);
		free(lg->s[i]->part);
		free(lg->s[i]);
	}
	free(lg->s);
	if (lg->dirfd != -1)
		close(lg->dirfd);
}

static int
parse_args(struct logs *lg, int argc, char **argv, const char **unit,
    int *sup)
{
	static const struct option opts[] = {
		{ "lines",	required_argument,	NULL, 'n' },
		{ "kind",	required_argument,	NULL, 'k' },
		{ "follow",	no_argument,		NULL, 'f' },
		{ "supervisor",	no_argument,		NULL, 'S' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	const char	*errstr;
	int		 ch;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":n:k:fh", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			lg->nlines = (size_t)strtonum(optarg, 0, 100000000,
			    &errstr);
			if (errstr != NULL) {
				fprintf(stderr, "sysg: logs: --lines %s: %s\n",
				    optarg, errstr);
				return -1;
			}
			break;
		case 'k':
			if (strcmp(optarg, "stdout") == 0)
				lg->kind = KIND_OUT;
			else if (strcmp(optarg, "stderr") == 0)
				lg->kind = KIND_ERR;
			else if (strcmp(optarg, "all") == 0)
				lg->kind = KIND_OUT | KIND_ERR;
			else {
				fprintf(stderr, "sysg: logs: --kind %s: "
				    "expected stdout, stderr or all\n", optarg);
				return -1;
			}
			break;
		case 'f':
			lg->follow = 1;
			break;
		case 'S':
			*sup = 1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			fprintf(stderr, "sysg: logs: %s needs a value\n",
			    argv[optind - 1]);
			usage(stderr);
			return -1;
		default:
			fprintf(stderr, "sysg: logs: unknown option %s\n",
			    argv[optind - 1]);
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc)
		*unit = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "sysg: logs: one NAME at most\n");
		usage(stderr);
		return -1;
	}
	if (*unit != NULL && *sup) {
		fprintf(stderr, "sysg: logs: --supervisor takes no NAME\n");
		return -1;
	}
	if (*unit != NULL && !logname_valid(*unit)) {
		fprintf(stderr, "sysg: logs: invalid unit name '%s'\n",
		    *unit);
		return -1;
	}
	return 0;
}

/* The streams to show; -1 (message printed) if there is nothing. */
static int
pick_streams(struct logs *lg, const char *unit, int sup)
{
	struct stream	*st;

	if (sup) {
		st = add_stream(lg, "supervisor", -1);
		if (!lg->follow && !stream_exists(lg, st)) {
			fprintf(stderr, "sysg: logs: no supervisor log in %s\n",
			    lg->dir);
			return -1;
		}
		return 0;
	}
	if (unit != NULL)
		return unit_streams(lg, unit);
	lg->prefix = 1;
	lg->color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	return scan_dir(lg);
}

/* mkdir -p, private, as the daemon would make it. */
static int
mkdir_logdir(const char *dir)
{
	char	 buf[PATH_MAX], *p;

	if (strlcpy(buf, dir, sizeof(buf)) >= sizeof(buf))
		return -1;
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0700) == -1 && errno != EEXIST ? -1 : 0;
}

int
logs_main(int argc, char **argv, const char *logdir)
{
	struct logs	 lg;
	const char	*unit = NULL;
	size_t		 i;
	int		 r, sup = 0;

	memset(&lg, 0, sizeof(lg));
	lg.dir = logdir;
	lg.dirfd = -1;
	lg.nlines = 50;
	lg.kind = KIND_OUT | KIND_ERR;
	if ((r = parse_args(&lg, argc, argv, &unit, &sup)) != 0)
		return r == 1 ? 0 : 1;
	lg.dirfd = open(logdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lg.dirfd == -1 && errno == ENOENT && lg.follow) {
		/* Nothing ran here yet: make the directory and wait in it. */
		if (mkdir_logdir(logdir) == 0)
			lg.dirfd = open(logdir, O_RDONLY | O_DIRECTORY |
			    O_CLOEXEC);
	}
	if (lg.dirfd == -1) {
		fprintf(stderr, "sysg: logs: %s: %s\n", logdir,
		    strerror(errno));
		return 1;
	}
	if (pick_streams(&lg, unit, sup) == -1) {
		logs_free(&lg);
		return 1;
	}
	for (i = 0; i < lg.ns; i++)
		tail_stream(&lg, lg.s[i]);
	print_tails(&lg);
	for (i = 0; i < lg.ns; i++)
		lvec_free(&lg.s[i]->tail);
	r = lg.follow ? follow(&lg) : 0;
	if (fflush(stdout) == EOF || ferror(stdout))
		r = 1;
	logs_free(&lg);
	return r;
}
