/*
 * The supervisor's lossless log writer (see logwriter.h).
 */

#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "logwriter.h"
#include "paths.h"

#define CHUNK		(256 * 1024)	/* bytes taken from a pipe at once */
#define OUTCAP		(2 * CHUNK)	/* formatted output of one chunk */
#define PUMPS		4		/* chunks per read event (fairness) */
#define PIPE_SIZE	(1024 * 1024)
#define ECHO_MAX	4096		/* longest echoed line piece */
#define STAMP_LEN	25		/* "2026-11-22T10:00:00.123Z " */
#define TAG_MAX		64		/* with "[] " and the NUL */
#define FNAME_MAX	(SYSG_NAME_MAX + 32)
#define ARCHIVES_MAX	1000

/*
 * A thousand idle services have two logfiles and two sources each: what
 * only some need (a stall, the backlog, the echo) is allocated when
 * needed, names are as long as they are, and the sources wait in one
 * poll set rather than in an event each.
 */

struct eline {
	char		*buf;		/* ECHO_MAX bytes, allocated lazily */
	size_t		 len;
};

/* A source's chunk that could not be written yet (stalled file). */
struct srcpend {
	char		*buf;		/* formatted, not yet written */
	size_t		 len;
	size_t		 off;
	size_t		 consume;	/* to take from fd once written */
};

struct logsrc {
	TAILQ_ENTRY(logsrc) entry;	/* its file's, then the dead list */
	struct logfile	*f;
	int		 fd;
	uint8_t		 tee;		/* lossless path (fd is a pipe) */
	uint8_t		 bol;		/* at the start of a line */
	uint8_t		 sized;		/* pipe enlarged (at the first read) */
	uint8_t		 armed;		/* in the poll set */
	uint8_t		 dead;		/* freed after this dispatch */
	size_t		 taglen;
	struct srcpend	*pend;
	struct eline	 echo;
	void		(*on_eof)(void *);
	void		*arg;
	char		 tag[];		/* "[tag] " or "" */
};

TAILQ_HEAD(srclist, logsrc);

/* logfile_append()'s lines, waiting to be written. */
struct backlog {
	char		*buf;
	size_t		 len;
	size_t		 cap;
	int		 mid;		/* partly written, mid-line */
	uint64_t	 dropped;
};

struct lfecho {
	int		 fd;		/* -1: off */
	char		*prefix;
	size_t		 plen;
	struct eline	 aecho;		/* logfile_append()'s */
};

struct logfile {
	struct event_base *base;
	int		 dirfd;
	int		 owndir;	/* dirfd is our duplicate */
	int		 fd;		/* -1: (re)open before writing */
	mode_t		 mode;
	struct logs_conf conf;
	uint64_t	 size;
	int		 bol;		/* the file ends with a newline */
	int		 busy;		/* appends go to the backlog */
	int		 stalled;
	int		 retry_ms;
	struct event	*retry_ev;	/* made by the first stall */
	struct backlog	*bl;		/* made by the first append */
	struct lfecho	*echo;		/* made by logfile_set_echo() */
	struct srclist	 srcs;
	size_t		 nsrcs;
	char		 name[];
};

static int	 scratch[2] = { -1, -1 };
static int	 nullfd = -1;		/* consumed bytes go here, uncopied */
static size_t	 nlogfiles;
static int	 retry_first = 1000;
static int	 retry_max = 10000;
static char	 rbuf[CHUNK];
static char	 obuf[OUTCAP];

/*
 * Every source's pipe waits in one epoll set of our own, which is one
 * event of the caller's base: no libevent event and per-fd map entry
 * for each of a thousand services' two pipes.  A source freed while a
 * batch of ready ones is handled waits on the dead list until the
 * batch is done.
 */
#define POLL_BATCH	64
static int		 srcpoll = -1;
static struct event	*srcpoll_ev;
static int		 dispatching;
static int		 srcpoll_unused;	/* let go of after the batch */
static TAILQ_HEAD(, logsrc) deadsrcs = TAILQ_HEAD_INITIALIZER(deadsrcs);

static void	 src_readcb(struct logsrc *);
static void	 srcpoll_put(void);
static void	 retry_cb(evutil_socket_t, short, void *);
static int	 backlog_flush(struct logfile *);

int
logname_valid(const char *name)
{
	size_t	 i;

	if (name == NULL || name[0] == '\0' || name[0] == '.' ||
	    name[0] == '-')
		return 0;
	for (i = 0; name[i] != '\0'; i++) {
		if (i >= SYSG_NAME_MAX)
			return 0;
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') ||
		    name[i] == '_' || name[i] == '.' || name[i] == '-'))
			return 0;
	}
	return 1;
}

int
logname_color(const char *name)
{
	static const int colors[] = { 36, 33, 32, 35, 34, 31,
	    96, 93, 92, 95, 94, 91 };
	uint32_t	 h = 2166136261u;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return colors[h % (sizeof(colors) / sizeof(colors[0]))];
}

void
logwriter_set_retry(int first_ms, int max_ms)
{
	retry_first = first_ms > 0 ? first_ms : 1;
	retry_max = max_ms >= retry_first ? max_ms : retry_first;
}

/* "2026-11-22T10:00:00.123Z " into buf (STAMP_LEN + 1 bytes). */
static size_t
stamp(char *buf, size_t len)
{
	struct timespec	 ts;
	struct tm	 tm;
	int		 n;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL)
		return 0;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	if (n != STAMP_LEN)
		return 0;
	return (size_t)n;
}

static int
scratch_get(void)
{
	int	 sz;

	if (scratch[0] != -1)
		return 0;
	/* Kept for good: the sandbox may not let us open it again. */
	if (nullfd == -1)
		nullfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (pipe2(scratch, O_NONBLOCK | O_CLOEXEC) == -1) {
		scratch[0] = scratch[1] = -1;
		return -1;
	}
	sz = fcntl(scratch[1], F_GETPIPE_SZ);
	if (sz != -1 && sz < PIPE_SIZE)
		(void)fcntl(scratch[1], F_SETPIPE_SZ, PIPE_SIZE);
	return 0;
}

static void
scratch_put(void)
{
	if (scratch[0] == -1)
		return;
	close(scratch[0]);
	close(scratch[1]);
	scratch[0] = scratch[1] = -1;
}

/* ------------------------------------------------------------------ */
/* The file: open, rotate, write */

/* Open the live file; with `create` 0, only if it exists already. */
static int
lf_openfile(struct logfile *f, int create)
{
	struct stat	 st;
	char		 c;
	int		 fd;

	fd = openat(f->dirfd, f->name, O_RDWR | O_APPEND | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC | (create ? O_CREAT : 0), f->mode);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (st.st_nlink != 1) {
		errno = EMLINK;
		goto fail;
	}
	if ((st.st_mode & 07777) != f->mode && st.st_uid == geteuid())
		(void)fchmod(fd, f->mode);
	f->fd = fd;
	f->size = (uint64_t)st.st_size;
	f->bol = 1;
	if (st.st_size > 0 && pread(fd, &c, 1, st.st_size - 1) == 1)
		f->bol = c == '\n';
	return 0;
 fail:
	close(fd);
	return -1;
}

static int
arch_name(char *buf, size_t len, const char *name, int n)
{
	int	 r;

	if (n == 0)
		r = snprintf(buf, len, "%s", name);
	else
		r = snprintf(buf, len, "%s.%d", name, n);
	if (r < 0 || (size_t)r >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Shift live -> .1 -> .2 ...; drop what is beyond max_files. */
static int
lf_shift(struct logfile *f)
{
	char	 from[FNAME_MAX + 16], to[FNAME_MAX + 16];
	int	 i, max = f->conf.max_files;

	for (i = max + 1; i < ARCHIVES_MAX; i++) {
		if (arch_name(to, sizeof(to), f->name, i) == -1)
			return -1;
		if (unlinkat(f->dirfd, to, 0) == -1) {
			if (errno == ENOENT)
				break;
			return -1;
		}
	}
	if (max <= 0) {
		if (unlinkat(f->dirfd, f->name, 0) == -1 && errno != ENOENT)
			return -1;
		return 0;
	}
	/*
	 * Delete the oldest first so that no rename replaces a file: on
	 * ext4 a replacing rename forces the source's blocks out to disk
	 * (auto_da_alloc) and stalls the writer.
	 */
	if (arch_name(to, sizeof(to), f->name, max) == -1)
		return -1;
	if (unlinkat(f->dirfd, to, 0) == -1 && errno != ENOENT)
		return -1;
	for (i = max; i >= 1; i--) {
		if (arch_name(from, sizeof(from), f->name, i - 1) == -1 ||
		    arch_name(to, sizeof(to), f->name, i) == -1)
			return -1;
		if (renameat(f->dirfd, from, f->dirfd, to) == -1 &&
		    errno != ENOENT)
			return -1;
	}
	return 0;
}

static int
lf_rotate(struct logfile *f)
{
	if (lf_shift(f) == -1)
		return -1;
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
	return lf_openfile(f, 1);
}

/*
 * Write all of p, rotating on the way.  0, or -1 with errno set; *done
 * says how much is in the file either way.
 */
static int
lf_write(struct logfile *f, const char *p, size_t len, size_t *done)
{
	const char	*nl;
	uint64_t	 room, max = f->conf.max_bytes;
	size_t		 n;
	ssize_t		 w;

	*done = 0;
	while (*done < len) {
		if (f->fd == -1 && lf_openfile(f, 1) == -1)
			return -1;
		n = len - *done;
		if (max > 0) {
			if (f->size >= max) {
				if (lf_rotate(f) == -1)
					return -1;
				continue;
			}
			room = max - f->size;
			if (n > room) {
				nl = memrchr(p + *done, '\n', room);
				if (nl != NULL)
					n = (size_t)(nl - (p + *done)) + 1;
				else if (f->size > 0) {
					if (lf_rotate(f) == -1)
						return -1;
					continue;
				} else
					n = room;
			}
		}
		w = write(f->fd, p + *done, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		*done += (size_t)w;
		f->size += (uint64_t)w;
		f->bol = p[*done - 1] == '\n';
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Echo to the foreground terminal */

static void
echo_out(struct logfile *f, const char *tag, size_t taglen, const char *a,
    size_t alen, const char *b, size_t blen)
{
	struct iovec	 iov[5];
	int		 n = 0;

	iov[n].iov_base = f->echo->prefix;
	iov[n++].iov_len = f->echo->plen;
	if (taglen > 0) {
		iov[n].iov_base = (void *)(uintptr_t)tag;
		iov[n++].iov_len = taglen;
	}
	if (alen > 0) {
		iov[n].iov_base = (void *)(uintptr_t)a;
		iov[n++].iov_len = alen;
	}
	iov[n].iov_base = (void *)(uintptr_t)b;
	iov[n++].iov_len = blen;
	if (blen == 0 || b[blen - 1] != '\n') {
		iov[n].iov_base = (void *)(uintptr_t)"\n";
		iov[n++].iov_len = 1;
	}
	/* Best effort: the echo must never hold the writer back. */
	if (writev(f->echo->fd, iov, n) == -1)
		return;
}

static void
echo_feed(struct logfile *f, struct eline *el, const char *tag,
    size_t taglen, const char *p, size_t len)
{
	const char	*nl;
	size_t		 n;

	if (f->echo == NULL || f->echo->fd == -1)
		return;
	while (len > 0) {
		nl = memchr(p, '\n', len);
		if (nl != NULL) {
			n = (size_t)(nl - p) + 1;
			echo_out(f, tag, taglen, el->buf, el->len, p, n);
			el->len = 0;
			p += n;
			len -= n;
			continue;
		}
		if (el->buf == NULL && (el->buf = malloc(ECHO_MAX)) == NULL)
			return;
		n = ECHO_MAX - el->len;
		if (n > len)
			n = len;
		memcpy(el->buf + el->len, p, n);
		el->len += n;
		p += n;
		len -= n;
		if (el->len == ECHO_MAX) {
			echo_out(f, tag, taglen, NULL, 0, el->buf, el->len);
			el->len = 0;
		}
	}
}

static void
echo_flush(struct logfile *f, struct eline *el, const char *tag,
    size_t taglen)
{
	if (f->echo != NULL && f->echo->fd != -1 && el->len > 0)
		echo_out(f, tag, taglen, NULL, 0, el->buf, el->len);
	el->len = 0;
}

/* ------------------------------------------------------------------ */
/* The sources' poll set */

static void
src_arm(struct logsrc *s)
{
	struct epoll_event	 ev;

	if (s->armed)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = s;
	if (epoll_ctl(srcpoll, EPOLL_CTL_ADD, s->fd, &ev) == -1)
		fatal("log %s: epoll_ctl", s->f->name);
	s->armed = 1;
}

static void
src_disarm(struct logsrc *s)
{
	if (!s->armed)
		return;
	if (epoll_ctl(srcpoll, EPOLL_CTL_DEL, s->fd, NULL) == -1)
		fatal("log %s: epoll_ctl", s->f->name);
	s->armed = 0;
}

static void
srcpoll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct epoll_event	 evs[POLL_BATCH];
	struct logsrc		*s;
	int			 i, n;

	(void)what;
	(void)arg;
	if ((n = epoll_wait(fd, evs, POLL_BATCH, 0)) == -1) {
		if (errno != EINTR)
			fatal("log sources: epoll_wait");
		return;
	}
	dispatching = 1;
	for (i = 0; i < n; i++) {
		s = evs[i].data.ptr;
		/* Freed or held back by an earlier one of this batch. */
		if (!s->dead && s->armed)
			src_readcb(s);
	}
	dispatching = 0;
	while ((s = TAILQ_FIRST(&deadsrcs)) != NULL) {
		TAILQ_REMOVE(&deadsrcs, s, entry);
		free(s);
	}
	if (srcpoll_unused)
		srcpoll_put();
}

/* With the last log file: the next one may come with another base. */
static void
srcpoll_put(void)
{
	srcpoll_unused = dispatching;
	if (dispatching || srcpoll == -1)
		return;
	event_free(srcpoll_ev);
	srcpoll_ev = NULL;
	close(srcpoll);
	srcpoll = -1;
}

/* The poll set, made with the first source. */
static int
srcpoll_get(struct event_base *base)
{
	srcpoll_unused = 0;
	if (srcpoll != -1)
		return 0;
	if ((srcpoll = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	if ((srcpoll_ev = event_new(base, srcpoll, EV_READ | EV_PERSIST,
	    srcpoll_cb, NULL)) == NULL || event_add(srcpoll_ev, NULL) == -1)
		fatal("log sources: event");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Back-pressure */

static void
lf_stall(struct logfile *f, int err)
{
	struct logsrc	*s;
	struct timeval	 tv;

	if (f->stalled)
		return;
	if (f->retry_ev == NULL &&
	    (f->retry_ev = evtimer_new(f->base, retry_cb, f)) == NULL)
		fatal("log %s", f->name);
	f->stalled = 1;
	f->retry_ms = retry_first;
	TAILQ_FOREACH(s, &f->srcs, entry)
		src_disarm(s);
	tv.tv_sec = f->retry_ms / 1000;
	tv.tv_usec = (f->retry_ms % 1000) * 1000;
	evtimer_add(f->retry_ev, &tv);
	log_warnx("log %s: %s; holding its output back until it can be "
	    "written", f->name, strerror(err));
}

static void
src_consume(struct logsrc *s, size_t n)
{
	ssize_t	 r;

	while (n > 0) {
		/* Drop what is written already without copying it out. */
		if (nullfd >= 0) {
			r = splice(s->fd, NULL, nullfd, NULL, n,
			    SPLICE_F_NONBLOCK);
			if (r == -1 && errno == EINVAL) {
				close(nullfd);
				nullfd = -2;
				continue;
			}
		} else
			r = read(s->fd, rbuf, n < CHUNK ? n : CHUNK);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			log_warnx("log %s: pipe lost %zu bytes it had",
			    s->f->name, n);
			return;
		}
		n -= (size_t)r;
	}
}

/* Write what a source holds back.  0 when it is all out. */
static int
src_flush_pending(struct logsrc *s)
{
	struct srcpend	*p = s->pend;
	size_t		 done;
	int		 r;

	if (p == NULL)
		return 0;
	r = lf_write(s->f, p->buf + p->off, p->len - p->off, &done);
	p->off += done;
	if (r == -1)
		return -1;
	s->pend = NULL;
	src_consume(s, p->consume);
	free(p->buf);
	free(p);
	return 0;
}

static void
retry_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct logfile	*f = arg;
	struct logsrc	*s;
	struct timeval	 tv;
	int		 err = 0;

	(void)fd;
	(void)ev;
	f->busy++;
	TAILQ_FOREACH(s, &f->srcs, entry)
		if (src_flush_pending(s) == -1) {
			err = errno;
			break;
		}
	f->busy--;
	/* Still marked stalled: a failure here is the same episode. */
	if (err == 0 && backlog_flush(f) == -1)
		err = errno;
	if (err != 0) {
		if (f->retry_ms < retry_max / 2)
			f->retry_ms *= 2;
		else
			f->retry_ms = retry_max;
		tv.tv_sec = f->retry_ms / 1000;
		tv.tv_usec = (f->retry_ms % 1000) * 1000;
		evtimer_add(f->retry_ev, &tv);
		return;
	}
	f->stalled = 0;
	TAILQ_FOREACH(s, &f->srcs, entry)
		src_arm(s);
	log_warnx("log %s: writable again, output resumed", f->name);
}

/* ------------------------------------------------------------------ */
/* Sources */

/*
 * Format in[] for the file: a newline first if a new line starts while
 * the file is mid-line, then per line the timestamp and the tag.  Stops
 * when out is full; *consumed says how much of in was used.
 */
static size_t
fmt_chunk(struct logfile *f, struct logsrc *s, const char *st,
    size_t stlen, const char *in, size_t inlen, size_t *consumed)
{
	const char	*nl;
	size_t		 i = 0, o = 0, n, line;
	int		 filebol = f->bol;

	while (i < inlen) {
		if (s->bol) {
			if (OUTCAP - o < stlen + s->taglen + 2)
				break;
			if (!filebol)
				obuf[o++] = '\n';
			memcpy(obuf + o, st, stlen);
			o += stlen;
			memcpy(obuf + o, s->tag, s->taglen);
			o += s->taglen;
			s->bol = 0;
		}
		nl = memchr(in + i, '\n', inlen - i);
		line = nl != NULL ? (size_t)(nl - (in + i)) + 1 : inlen - i;
		n = line < OUTCAP - o ? line : OUTCAP - o;
		if (n == 0)
			break;
		memcpy(obuf + o, in + i, n);
		o += n;
		i += n;
		if (n == line && nl != NULL)
			s->bol = 1;
		filebol = obuf[o - 1] == '\n';
	}
	*consumed = i;
	return o;
}

/* Copy what the tee put into the scratch pipe into rbuf. */
static int
scratch_read(size_t n)
{
	size_t	 got = 0;
	ssize_t	 r;

	while (got < n) {
		r = read(scratch[0], rbuf + got, n - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got == n)
		return 0;
	/* Cannot happen; start over with a clean scratch pipe. */
	log_warnx("log: scratch pipe out of step, resetting it");
	scratch_put();
	(void)scratch_get();
	return -1;
}

/* Take one chunk.  1: moved data, 0: nothing now, -1: stalled, 2: EOF. */
static int
src_pump(struct logsrc *s)
{
	struct logfile	*f = s->f;
	const char	*out;
	char		 st[STAMP_LEN + 1];
	size_t		 n, olen, used, done, stlen = 0;
	ssize_t		 r = -1;

	if (s->tee) {
		if (scratch[0] == -1 && scratch_get() == -1)
			s->tee = 0;
	}
	if (s->tee) {
		r = tee(s->fd, scratch[1], CHUNK, SPLICE_F_NONBLOCK);
		if (r == -1 && errno == EINVAL)
			s->tee = 0;
		else if (r > 0 && scratch_read((size_t)r) == -1)
			return 0;
	}
	if (!s->tee)
		r = read(s->fd, rbuf, CHUNK);
	if (r == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		log_warn("log %s: read", f->name);
		return 2;
	}
	if (r == 0)
		return 2;
	n = (size_t)r;
	if (f->conf.timestamps)
		stlen = stamp(st, sizeof(st));
	if (stlen == 0 && s->taglen == 0 && (f->bol || !s->bol)) {
		out = rbuf;
		olen = used = n;
		s->bol = rbuf[n - 1] == '\n';
	} else {
		out = obuf;
		olen = fmt_chunk(f, s, st, stlen, rbuf, n, &used);
	}
	echo_feed(f, &s->echo, s->tag, s->taglen, rbuf, used);
	if (lf_write(f, out, olen, &done) == -1) {
		r = errno;
		if ((s->pend = malloc(sizeof(*s->pend))) == NULL ||
		    (s->pend->buf = malloc(olen - done)) == NULL)
			fatal("log %s", f->name);
		memcpy(s->pend->buf, out + done, olen - done);
		s->pend->len = olen - done;
		s->pend->off = 0;
		s->pend->consume = s->tee ? used : 0;
		lf_stall(f, (int)r);
		return -1;
	}
	if (s->tee)
		src_consume(s, used);
	return 1;
}

static void
src_free(struct logsrc *s)
{
	struct logfile	*f = s->f;

	TAILQ_REMOVE(&f->srcs, s, entry);
	f->nsrcs--;
	src_disarm(s);
	close(s->fd);
	s->fd = -1;
	if (s->pend != NULL) {
		free(s->pend->buf);
		free(s->pend);
		s->pend = NULL;
	}
	free(s->echo.buf);
	s->echo.buf = NULL;
	if (dispatching) {
		s->dead = 1;
		TAILQ_INSERT_TAIL(&deadsrcs, s, entry);
		return;
	}
	free(s);
}

static void
src_readcb(struct logsrc *s)
{
	struct logfile	*f = s->f;
	void		(*cb)(void *);
	void		*cbarg;
	int		 i, r = 0, sz;

	if (f->stalled)
		return;
	f->busy++;
	for (i = 0; i < PUMPS; i++)
		if ((r = src_pump(s)) != 1)
			break;
	/*
	 * The pipe is enlarged once data comes through it (not at its
	 * end): a quiet service's pipe keeps the kernel's default size.
	 */
	if (!s->sized && i > 0 && r != 2) {
		s->sized = 1;
		sz = fcntl(s->fd, F_GETPIPE_SZ);
		if (sz != -1 && sz < PIPE_SIZE)
			(void)fcntl(s->fd, F_SETPIPE_SZ, PIPE_SIZE);
	}
	if (r == 2)
		echo_flush(f, &s->echo, s->tag, s->taglen);
	f->busy--;
	if (!f->stalled)
		(void)backlog_flush(f);
	if (r != 2)
		return;
	cb = s->on_eof;
	cbarg = s->arg;
	src_free(s);
	if (cb != NULL)
		cb(cbarg);
}

int
logfile_attach(struct logfile *f, int fd, const char *tag,
    void (*on_eof)(void *), void *arg)
{
	struct logsrc	*s = NULL;
	size_t		 tl = 0;
	int		 one = 1, fl;

	/* "[tag] ": the tag cut to TAG_MAX with the NUL. */
	if (tag != NULL && tag[0] != '\0') {
		tl = 1 + strlen(tag);
		if (tl > TAG_MAX - 3)
			tl = TAG_MAX - 3;
		tl += 2;
	}
	if (srcpoll_get(f->base) == -1 ||
	    (s = calloc(1, sizeof(*s) + tl + 1)) == NULL)
		goto fail;
	/* One call rather than F_GETFL and F_SETFL (those if it fails). */
	if (ioctl(fd, FIONBIO, &one) == -1 && (fl = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	s->f = f;
	s->fd = fd;
	s->tee = 1;
	s->bol = 1;
	s->on_eof = on_eof;
	s->arg = arg;
	if (tl > 0) {
		s->tag[0] = '[';
		memcpy(s->tag + 1, tag, tl - 3);
		s->tag[tl - 2] = ']';
		s->tag[tl - 1] = ' ';
		s->tag[tl] = '\0';
		s->taglen = tl;
	}
	TAILQ_INSERT_TAIL(&f->srcs, s, entry);
	f->nsrcs++;
	if (!f->stalled)
		src_arm(s);
	return 0;
 fail:
	log_warn("log %s: attach", f->name);
	free(s);
	close(fd);
	return -1;
}

/* ------------------------------------------------------------------ */
/* The supervisor's own lines */

static int
backlog_grow(struct backlog *b, size_t need)
{
	size_t	 cap;
	char	*p;

	if (b->cap - b->len >= need)
		return 0;
	cap = b->cap > 0 ? b->cap : 4096;
	while (cap - b->len < need)
		cap *= 2;
	if ((p = realloc(b->buf, cap)) == NULL)
		return -1;
	b->buf = p;
	b->cap = cap;
	return 0;
}

static int
backlog_flush(struct logfile *f)
{
	struct backlog	*b = f->bl;
	char		 note[128];
	size_t		 done;
	int		 r = 0, n;

	if (b == NULL || (b->len == 0 && b->dropped == 0))
		return 0;
	f->busy++;
	if (b->len > 0 && !f->bol && !b->mid &&
	    lf_write(f, "\n", 1, &done) == -1)
		goto fail;
	if (b->len > 0) {
		r = lf_write(f, b->buf, b->len, &done);
		memmove(b->buf, b->buf + done, b->len - done);
		b->len -= done;
		b->mid = b->len > 0 && !f->bol;
		if (r == -1)
			goto fail;
	}
	if (b->dropped > 0) {
		n = snprintf(note, sizeof(note), "%ssysg: log: %llu bytes "
		    "of log lines dropped while the log was not writable\n",
		    f->bol ? "" : "\n", (unsigned long long)b->dropped);
		if (n < 0 || (size_t)n >= sizeof(note))
			n = 0;
		if (lf_write(f, note, (size_t)n, &done) == -1)
			goto fail;
		b->dropped = 0;
	}
	f->busy--;
	return 0;
 fail:
	r = errno;
	f->busy--;
	lf_stall(f, r);
	errno = r;
	return -1;
}

void
logfile_append(struct logfile *f, const char *buf, size_t len)
{
	struct backlog	*b;
	const char	*nl;
	char		 st[STAMP_LEN + 1];
	size_t		 i, n, need, lines = 1, stlen = 0;

	if (len == 0)
		return;
	st[0] = '\0';
	if (f->echo != NULL) {
		echo_feed(f, &f->echo->aecho, "", 0, buf, len);
		if (buf[len - 1] != '\n')
			echo_flush(f, &f->echo->aecho, "", 0);
	}
	if (f->bl == NULL && (f->bl = calloc(1, sizeof(*f->bl))) == NULL)
		return;
	b = f->bl;
	if (f->conf.timestamps) {
		stlen = stamp(st, sizeof(st));
		for (i = 0; i < len; i++)
			lines += buf[i] == '\n';
	}
	need = len + lines * stlen + 1;
	if (b->len + need > LOGFILE_BACKLOG_MAX ||
	    backlog_grow(b, need) == -1) {
		b->dropped += len;
		return;
	}
	for (i = 0; i < len; i += n) {
		memcpy(b->buf + b->len, st, stlen);
		b->len += stlen;
		nl = memchr(buf + i, '\n', len - i);
		n = nl != NULL ? (size_t)(nl - (buf + i)) + 1 : len - i;
		memcpy(b->buf + b->len, buf + i, n);
		b->len += n;
	}
	if (buf[len - 1] != '\n')
		b->buf[b->len++] = '\n';
	if (!f->busy && !f->stalled)
		(void)backlog_flush(f);
}

/* ------------------------------------------------------------------ */
/* Life cycle */

struct logfile *
logfile_open(struct event_base *base, int dirfd, const char *unit,
    enum log_stream stream, const struct logs_conf *conf, int sysmode)
{
	return logfile_open_flags(base, dirfd, unit, stream, conf, sysmode, 0);
}

struct logfile *
logfile_open_flags(struct event_base *base, int dirfd, const char *unit,
    enum log_stream stream, const struct logs_conf *conf, int sysmode,
    int flags)
{
	struct logfile	*f;
	size_t		 len;
	int		 saved;

	if (unit != NULL && !logname_valid(unit)) {
		log_warnx("log: invalid unit name");
		errno = EINVAL;
		return NULL;
	}
	len = unit == NULL ? strlen(SYSG_SUPLOG) : strlen(unit) +
	    strlen(".stderr.log");
	if ((f = calloc(1, sizeof(*f) + len + 1)) == NULL)
		return NULL;
	f->base = base;
	f->fd = f->dirfd = -1;
	f->mode = sysmode ? 0640 : 0600;
	f->bol = 1;
	TAILQ_INIT(&f->srcs);
	logfile_set_conf(f, conf);
	if (unit == NULL)
		(void)snprintf(f->name, len + 1, "%s", SYSG_SUPLOG);
	else
		(void)snprintf(f->name, len + 1, "%s.%s.log", unit,
		    stream == LOG_STDERR ? "stderr" : "stdout");
	if (flags & LOGFILE_KEEPDIR)
		f->dirfd = dirfd;
	else if ((f->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) == -1)
		goto fail;
	else
		f->owndir = 1;
	/*
	 * A file that is there already is checked now; a new one is made
	 * by the first write (a thousand quiet services make no files).
	 */
	if (!(flags & LOGFILE_NEW) && lf_openfile(f, 0) == -1 &&
	    errno != ENOENT) {
		if (errno == ELOOP || errno == EINVAL || errno == EMLINK ||
		    errno == EISDIR || errno == ENXIO || errno == ENOTDIR ||
		    errno == EBADF)
			goto fail;
		/* Space, quota, I/O: retried by the first write. */
		log_warn("log %s: open", f->name);
	}
	if (nlogfiles++ == 0)
		(void)scratch_get();
	return f;
 fail:
	saved = errno;
	log_warnx("log %s: refused: %s", f->name, strerror(saved));
	if (f->owndir)
		close(f->dirfd);
	free(f);
	errno = saved;
	return NULL;
}

void
logfile_set_conf(struct logfile *f, const struct logs_conf *conf)
{
	f->conf = *conf;
	if (f->conf.max_files < 0)
		f->conf.max_files = 0;
	if (f->conf.max_files > ARCHIVES_MAX - 1)
		f->conf.max_files = ARCHIVES_MAX - 1;
}

void
logfile_set_echo(struct logfile *f, int fd, const char *label, int width,
    int color)
{
	struct lfecho	*e = f->echo;
	int		 n;

	if (e == NULL) {
		if (fd == -1 || label == NULL)
			return;
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return;
		f->echo = e;
	}
	free(e->prefix);
	e->prefix = NULL;
	e->plen = 0;
	e->fd = -1;
	if (fd == -1 || label == NULL)
		return;
	if (width < 0 || width > SYSG_NAME_MAX)
		width = 0;
	if (color)
		n = asprintf(&e->prefix, "\033[%dm%-*s\033[0m \xe2\x94\x82 ",
		    logname_color(label), width, label);
	else
		n = asprintf(&e->prefix, "%-*s \xe2\x94\x82 ", width, label);
	if (n == -1) {
		e->prefix = NULL;
		return;
	}
	e->plen = (size_t)n;
	e->fd = fd;
}

size_t
logfile_nsources(const struct logfile *f)
{
	return f->nsrcs;
}

int
logfile_stalled(const struct logfile *f)
{
	return f->stalled;
}

void
logfile_close(struct logfile *f)
{
	struct logsrc	*s;

	if (f == NULL)
		return;
	while ((s = TAILQ_FIRST(&f->srcs)) != NULL)
		src_free(s);
	if (!f->stalled && !f->busy)
		(void)backlog_flush(f);
	if (f->retry_ev != NULL)
		event_free(f->retry_ev);
	if (f->fd != -1)
		close(f->fd);
	if (f->owndir)
		close(f->dirfd);
	if (f->bl != NULL) {
		free(f->bl->buf);
		free(f->bl);
	}
	if (f->echo != NULL) {
		free(f->echo->prefix);
		free(f->echo->aecho.buf);
		free(f->echo);
	}
	free(f);
	if (--nlogfiles == 0) {
		scratch_put();
		srcpoll_put();
	}
}
