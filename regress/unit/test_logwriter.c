#include "unit.h"

#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "logwriter.h"

struct fx {
	char			 dir[64];
	int			 dirfd;
	struct event_base	*base;
	int			 eofs;
};

static struct logs_conf	 noconf = { 0, 5, false };

static void
on_eof(void *arg)
{
	struct fx	*fx = arg;

	fx->eofs++;
}

static void
tick(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
}

/* Run the loop until *flag >= want or ms pass; 1 if reached. */
static int
run_until(struct fx *fx, int *flag, int want, int ms)
{
	struct event	*t;
	struct timeval	 tv = { 0, 10000 };
	struct timespec	 a, b;

	t = event_new(fx->base, -1, EV_PERSIST, tick, NULL);
	assert_non_null(t);
	event_add(t, &tv);
	clock_gettime(CLOCK_MONOTONIC, &a);
	while (flag == NULL || *flag < want) {
		event_base_loop(fx->base, EVLOOP_ONCE);
		clock_gettime(CLOCK_MONOTONIC, &b);
		if ((b.tv_sec - a.tv_sec) * 1000 +
		    (b.tv_nsec - a.tv_nsec) / 1000000 > ms)
			break;
	}
	event_free(t);
	return flag == NULL || *flag >= want;
}

static int
setup(void **state)
{
	struct fx	*fx;

	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	strlcpy(fx->dir, "/tmp/sysg-lw.XXXXXX", sizeof(fx->dir));
	assert_non_null(mkdtemp(fx->dir));
	fx->dirfd = open(fx->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fx->dirfd >= 0);
	fx->base = event_base_new();
	assert_non_null(fx->base);
	logwriter_set_retry(1000, 10000);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;
	char		 cmd[128];

	event_base_free(fx->base);
	close(fx->dirfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

static char *
slurp(int dirfd, const char *name, size_t *lenp)
{
	struct stat	 st;
	char		*p;
	ssize_t		 r;
	size_t		 got = 0;
	int		 fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return NULL;
	assert_int_equal(fstat(fd, &st), 0);
	p = malloc((size_t)st.st_size + 1);
	assert_non_null(p);
	while (got < (size_t)st.st_size) {
		r = read(fd, p + got, (size_t)st.st_size - got);
		assert_true(r > 0);
		got += (size_t)r;
	}
	p[got] = '\0';
	close(fd);
	*lenp = got;
	return p;
}

static void
writeall(int fd, const char *p, size_t len)
{
	ssize_t	 w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(3);
		p += w;
		len -= (size_t)w;
	}
}

/* Child: write data (len bytes) in pieces of chunk bytes, then exit. */
static pid_t
producer(int *rfd, const char *data, size_t len, size_t chunk)
{
	int	 p[2];
	pid_t	 pid;
	size_t	 n;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		close(p[0]);
		while (len > 0) {
			n = len < chunk ? len : chunk;
			writeall(p[1], data, n);
			data += n;
			len -= n;
		}
		_exit(0);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

static void
reap(pid_t pid)
{
	int	 st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* nlines of "<pre><number, width digits><post>\n". */
static char *
numbered(size_t nlines, const char *pre, int width, const char *post,
    size_t *lenp)
{
	char	*p;
	size_t	 i, cap = nlines * 80 + 1, len = 0;

	p = malloc(cap);
	assert_non_null(p);
	for (i = 0; i < nlines; i++)
		len += (size_t)snprintf(p + len, cap - len, "%s%0*zu%s\n",
		    pre, width, i, post);
	*lenp = len;
	return p;
}

/* Feed data through one logfile and return what the file holds. */
static char *
through(struct fx *fx, const char *unit, const struct logs_conf *conf,
    const char *tag, const char *data, size_t len, size_t chunk,
    size_t *outlen)
{
	struct logfile	*f;
	char		 name[128];
	pid_t		 pid;
	int		 rfd;

	f = logfile_open(fx->base, fx->dirfd, unit, LOG_STDOUT, conf, 0);
	assert_non_null(f);
	pid = producer(&rfd, data, len, chunk);
	fx->eofs = 0;
	assert_int_equal(logfile_attach(f, rfd, tag, on_eof, fx), 0);
	assert_true(run_until(fx, &fx->eofs, 1, 60000));
	assert_int_equal(logfile_nsources(f), 0);
	reap(pid);
	logfile_close(f);
	snprintf(name, sizeof(name), "%s.stdout.log", unit);
	return slurp(fx->dirfd, name, outlen);
}

static void
t_numbered(void **state)
{
	struct fx	*fx = *state;
	char		*data, *got;
	size_t		 len, glen;

	data = numbered(200000, "line ", 7, " 0123456789012345678901234567"
	    "890123456789012", &len);
	got = through(fx, "num", &noconf, NULL, data, len, 4096, &glen);
	assert_non_null(got);
	assert_int_equal(glen, len);
	assert_memory_equal(got, data, len);
	free(got);
	free(data);
}

static void
t_shapes(void **state)
{
	struct fx	*fx = *state;
	char		*data, *got;
	size_t		 len = 0, glen, cap = 3 * 1024 * 1024, i;

	data = malloc(cap);
	assert_non_null(data);
	for (i = 0; i < 1000; i++)
		data[len++] = '\n';
	for (i = 0; i < 10; i++) {
		memset(data + len, 'a' + (int)i, 4095);
		len += 4095;
		data[len++] = '\n';
	}
	memset(data + len, 'M', 1024 * 1024);
	len += 1024 * 1024;
	data[len++] = '\n';
	memcpy(data + len, "no newline at the end", 21);
	len += 21;
	got = through(fx, "shapes", &noconf, NULL, data, len, 1000, &glen);
	assert_int_equal(glen, len);
	assert_memory_equal(got, data, len);
	free(got);
	free(data);
}

static int
valid_stamp(const char *p)
{
	struct tm	 tm;
	const char	*e;
	time_t		 t;

	memset(&tm, 0, sizeof(tm));
	e = strptime(p, "%Y-%m-%dT%H:%M:%S", &tm);
	if (e == NULL || e[0] != '.' || e[1] < '0' || e[1] > '9' ||
	    e[2] < '0' || e[2] > '9' || e[3] < '0' || e[3] > '9' ||
	    e[4] != 'Z' || e[5] != ' ' || e - p != 19)
		return 0;
	t = timegm(&tm);
	return t > time(NULL) - 120 && t <= time(NULL) + 1;
}

/* Check every line is "STAMP [tag] orig" and rebuild the original. */
static void
strip_check(const char *got, size_t glen, const char *tag,
    const char *data, size_t len, size_t *nlines)
{
	char	*back;
	size_t	 i = 0, o = 0, tl = tag ? strlen(tag) : 0;
	const char *nl;

	back = malloc(glen + 1);
	assert_non_null(back);
	*nlines = 0;
	while (i < glen) {
		assert_true(valid_stamp(got + i));
		i += 25;
		if (tag != NULL) {
			assert_true(i + tl + 3 <= glen);
			assert_int_equal(got[i], '[');
			assert_memory_equal(got + i + 1, tag, tl);
			assert_int_equal(got[i + 1 + tl], ']');
			assert_int_equal(got[i + 2 + tl], ' ');
			i += tl + 3;
		}
		nl = memchr(got + i, '\n', glen - i);
		if (nl == NULL)
			nl = got + glen - 1;
		memcpy(back + o, got + i, (size_t)(nl - (got + i)) + 1);
		o += (size_t)(nl - (got + i)) + 1;
		i = (size_t)(nl - got) + 1;
		(*nlines)++;
	}
	assert_int_equal(o, len);
	assert_memory_equal(back, data, len);
	free(back);
}

static void
t_timestamps(void **state)
{
	struct fx	*fx = *state;
	struct logs_conf conf = { 0, 5, true };
	char		*data, *got;
	size_t		 len, glen, n, i;

	data = numbered(20000, "", 1, "", &len);
	/* A 1 MiB line in the middle and an unterminated last line. */
	data = realloc(data, len + 1024 * 1024 + 64);
	assert_non_null(data);
	memset(data + len, 'L', 1024 * 1024);
	len += 1024 * 1024;
	data[len++] = '\n';
	memcpy(data + len, "last", 4);
	len += 4;
	got = through(fx, "ts", &conf, NULL, data, len, 4096, &glen);
	strip_check(got, glen, NULL, data, len, &n);
	assert_int_equal(n, 20002);
	free(got);
	got = through(fx, "tag", &conf, "hook on_start.success", data, len,
	    777, &glen);
	strip_check(got, glen, "hook on_start.success", data, len, &n);
	assert_int_equal(n, 20002);
	free(got);
	/* Tag without timestamps. */
	conf.timestamps = false;
	free(data);
	data = numbered(1000, "x", 1, "", &len);
	got = through(fx, "tag2", &conf, "check", data, len, 100, &glen);
	for (i = 0, n = 0; i < glen; i++)
		if (i == 0 || got[i - 1] == '\n') {
			assert_memory_equal(got + i, "[check] x", 9);
			n++;
		}
	assert_int_equal(n, 1000);
	assert_int_equal(glen, len + 1000 * 8);
	free(got);
	free(data);
}

static void
t_two_sources(void **state)
{
	struct fx	*fx = *state;
	struct logfile	*f;
	char		*got;
	size_t		 glen;
	pid_t		 p1, p2;
	int		 r1, r2;

	f = logfile_open(fx->base, fx->dirfd, "two", LOG_STDERR, &noconf, 0);
	assert_non_null(f);
	/* A service line cut short, then a hook's line. */
	p1 = producer(&r1, "partial", 7, 7);
	fx->eofs = 0;
	logfile_attach(f, r1, NULL, on_eof, fx);
	assert_true(run_until(fx, &fx->eofs, 1, 10000));
	p2 = producer(&r2, "hello\n", 6, 6);
	logfile_attach(f, r2, "hook", on_eof, fx);
	assert_true(run_until(fx, &fx->eofs, 2, 10000));
	reap(p1);
	reap(p2);
	logfile_append(f, "sysg: x\n", 8);
	logfile_close(f);
	got = slurp(fx->dirfd, "two.stderr.log", &glen);
	assert_string_equal(got, "partial\n[hook] hello\nsysg: x\n");
	free(got);
}

static int
count_files(int dirfd, const char *base)
{
	char	 name[128];
	int	 i;

	for (i = 1; i < 100; i++) {
		snprintf(name, sizeof(name), "%s.%d", base, i);
		if (faccessat(dirfd, name, F_OK, 0) == -1)
			break;
	}
	return i - 1;
}

static void
t_rotation(void **state)
{
	struct fx	*fx = *state;
	struct logs_conf conf = { 4096, 3, false };
	char		*data, *got, *all, name[128];
	size_t		 len, glen, alen = 0, i;
	int		 n;

	data = numbered(10000, "", 6, "", &len);
	got = through(fx, "rot", &conf, NULL, data, len, 4096, &glen);
	n = count_files(fx->dirfd, "rot.stdout.log");
	assert_int_equal(n, 3);
	all = malloc(5 * 4096);
	assert_non_null(all);
	for (i = 3; i >= 1; i--) {
		char	*p;
		size_t	 pl;

		snprintf(name, sizeof(name), "rot.stdout.log.%zu", i);
		p = slurp(fx->dirfd, name, &pl);
		assert_non_null(p);
		assert_true(pl <= 4096 && pl > 4096 - 7);
		assert_int_equal(p[pl - 1], '\n');
		memcpy(all + alen, p, pl);
		alen += pl;
		free(p);
	}
	assert_true(glen <= 4096);
	memcpy(all + alen, got, glen);
	alen += glen;
	/* The newest data, contiguous, ending with the last line. */
	assert_true(alen > 3 * 4000);
	assert_memory_equal(all, data + len - alen, alen);
	free(all);
	free(got);

	/* Fewer archives later: the extra ones go at the next rotation. */
	conf.max_files = 1;
	got = through(fx, "rot", &conf, NULL, data, 8192, 4096, &glen);
	assert_int_equal(count_files(fx->dirfd, "rot.stdout.log"), 1);
	free(got);

	/* max_files 0: live only. */
	conf.max_files = 0;
	got = through(fx, "rot0", &conf, NULL, data, len, 4096, &glen);
	assert_int_equal(count_files(fx->dirfd, "rot0.stdout.log"), 0);
	assert_true(glen <= 4096 && glen > 0);
	assert_memory_equal(got, data + len - glen, glen);
	free(got);

	/* A line longer than max_bytes is split, not lost. */
	conf.max_files = 5;
	free(data);
	len = 10000;
	data = malloc(len);
	assert_non_null(data);
	memset(data, 'z', len - 1);
	data[len - 1] = '\n';
	got = through(fx, "long", &conf, NULL, data, len, 4096, &glen);
	assert_int_equal(count_files(fx->dirfd, "long.stdout.log"), 2);
	assert_int_equal(glen, len - 2 * 4096);
	free(got);
	free(data);
}

static void
t_echo(void **state)
{
	struct fx	*fx = *state;
	struct logfile	*f;
	char		 buf[512];
	char		*got;
	size_t		 glen;
	ssize_t		 r;
	pid_t		 pid;
	int		 ep[2], rfd;

	assert_int_equal(pipe2(ep, O_NONBLOCK | O_CLOEXEC), 0);
	f = logfile_open(fx->base, fx->dirfd, "web", LOG_STDOUT, &noconf, 0);
	assert_non_null(f);
	logfile_set_echo(f, ep[1], "web", 6, 0);
	pid = producer(&rfd, "one\ntwo\nthr", 11, 5);
	fx->eofs = 0;
	logfile_attach(f, rfd, NULL, on_eof, fx);
	assert_true(run_until(fx, &fx->eofs, 1, 10000));
	reap(pid);
	logfile_set_echo(f, ep[1], "web", 3, 1);
	logfile_append(f, "sup\n", 4);
	logfile_close(f);
	r = read(ep[0], buf, sizeof(buf) - 1);
	assert_true(r > 0);
	buf[r] = '\0';
	assert_string_equal(buf, "web    \xe2\x94\x82 one\n"
	    "web    \xe2\x94\x82 two\nweb    \xe2\x94\x82 thr\n"
	    "\033[33mweb\033[0m \xe2\x94\x82 sup\n");
	close(ep[0]);
	close(ep[1]);
	got = slurp(fx->dirfd, "web.stdout.log", &glen);
	assert_string_equal(got, "one\ntwo\nthr\nsup\n");
	free(got);
}

static void
t_refused(void **state)
{
	struct fx	*fx = *state;
	static const char *bad[] = { "a/b", "..", ".x", "-x", "", "../x",
	    "x y", "0123456789012345678901234567890123456789012345678901234"
	    "5678901234" };
	struct logfile	*f;
	struct stat	 st;
	size_t		 i;
	int		 fd;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		f = logfile_open(fx->base, fx->dirfd, bad[i], LOG_STDOUT,
		    &noconf, 0);
		assert_null(f);
		assert_int_equal(errno, EINVAL);
		assert_false(logname_valid(bad[i]));
	}
	assert_true(logname_valid("a.b-c_D9"));
	assert_false(logname_valid(NULL));

	fd = openat(fx->dirfd, "target", O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(symlinkat("target", fx->dirfd, "evil.stdout.log"),
	    0);
	f = logfile_open(fx->base, fx->dirfd, "evil", LOG_STDOUT, &noconf, 0);
	assert_null(f);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(fstatat(fx->dirfd, "target", &st, 0), 0);
	assert_int_equal(st.st_size, 0);
	/* A hard link is refused too; so is a FIFO. */
	assert_int_equal(linkat(fx->dirfd, "target", fx->dirfd,
	    "hard.stdout.log", 0), 0);
	assert_null(logfile_open(fx->base, fx->dirfd, "hard", LOG_STDOUT,
	    &noconf, 0));
	assert_int_equal(mkfifoat(fx->dirfd, "fifo.stdout.log", 0600), 0);
	assert_null(logfile_open(fx->base, fx->dirfd, "fifo", LOG_STDOUT,
	    &noconf, 0));

	/*
	 * Modes: 0600 user, 0640 system; supervisor.log.  A new file is
	 * made by its first write.
	 */
	f = logfile_open(fx->base, fx->dirfd, NULL, LOG_STDOUT, &noconf, 1);
	assert_non_null(f);
	logfile_append(f, "x\n", 2);
	logfile_close(f);
	assert_int_equal(fstatat(fx->dirfd, "supervisor.log", &st, 0), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	f = logfile_open(fx->base, fx->dirfd, "m", LOG_STDERR, &noconf, 0);
	assert_non_null(f);
	logfile_append(f, "x\n", 2);
	logfile_close(f);
	assert_int_equal(fstatat(fx->dirfd, "m.stderr.log", &st, 0), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void
t_close_keeps(void **state)
{
	struct fx	*fx = *state;
	struct logfile	*f;
	char		 buf[64];
	int		 p[2], dup_r;
	ssize_t		 r;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	dup_r = dup(p[0]);
	f = logfile_open(fx->base, fx->dirfd, "keep", LOG_STDOUT, &noconf, 0);
	assert_non_null(f);
	logfile_attach(f, p[0], NULL, on_eof, fx);
	writeall(p[1], "abc\n", 4);
	logfile_close(f);
	r = read(dup_r, buf, sizeof(buf));
	assert_int_equal(r, 4);
	assert_memory_equal(buf, "abc\n", 4);
	close(dup_r);
	close(p[1]);
}

static void
t_supervisor_append(void **state)
{
	struct fx	*fx = *state;
	struct logs_conf conf = { 0, 5, true };
	struct logfile	*f;
	char		*got;
	size_t		 glen;

	f = logfile_open(fx->base, fx->dirfd, NULL, LOG_STDOUT, &conf, 0);
	assert_non_null(f);
	logfile_append(f, "a\nb\n", 4);
	logfile_append(f, "c", 1);
	logfile_close(f);
	got = slurp(fx->dirfd, "supervisor.log", &glen);
	assert_int_equal(glen, 3 * 27);
	assert_true(valid_stamp(got) && valid_stamp(got + 27) &&
	    valid_stamp(got + 54));
	assert_memory_equal(got + 25, "a\n", 2);
	assert_memory_equal(got + 79, "c\n", 2);
	free(got);
}

/* A full disk: output waits in the pipe, then resumes, nothing lost. */
static void
t_full_disk(void **state)
{
	struct fx	*fx = *state;
	struct logs_conf conf = { 64 * 1024, 2, false };
	struct logfile	*f, *sup;
	char		 mnt[128], *data, *got, *all, name[64], blk[4096];
	size_t		 len, glen, alen = 0;
	int		 mfd, ffd, rfd, avail, i, before;
	pid_t		 pid;

	snprintf(mnt, sizeof(mnt), "%s/mnt", fx->dir);
	assert_int_equal(mkdir(mnt, 0700), 0);
	if (mount("sysgtest", mnt, "tmpfs", 0, "size=256k") == -1) {
		print_message("SKIP full disk: mount tmpfs: %s\n",
		    strerror(errno));
		skip();
	}
	mfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(mfd >= 0);
	logwriter_set_retry(50, 200);
	f = logfile_open(fx->base, mfd, "full", LOG_STDOUT, &conf, 0);
	sup = logfile_open(fx->base, mfd, NULL, LOG_STDOUT, &noconf, 0);
	assert_non_null(f);
	assert_non_null(sup);
	ffd = openat(mfd, "filler", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(ffd >= 0);
	memset(blk, 'F', sizeof(blk));
	while (write(ffd, blk, sizeof(blk)) > 0)
		;
	while (write(ffd, blk, 1) > 0)
		;
	close(ffd);

	data = numbered(20000, "", 7, "", &len);	/* 160 KB */
	pid = producer(&rfd, data, len, 4096);
	fx->eofs = 0;
	logfile_attach(f, rfd, NULL, on_eof, fx);
	/* Wait for the stall, then make sure nothing moves. */
	for (i = 0; i < 500 && !logfile_stalled(f); i++)
		run_until(fx, NULL, 0, 10);
	assert_true(logfile_stalled(f));
	run_until(fx, NULL, 0, 300);
	assert_true(logfile_stalled(f));
	assert_int_equal(ioctl(rfd, FIONREAD, &before), 0);
	assert_true(before > 0);
	run_until(fx, NULL, 0, 300);
	assert_int_equal(ioctl(rfd, FIONREAD, &avail), 0);
	assert_int_equal(avail, before);
	assert_int_equal(fx->eofs, 0);
	/* The supervisor's own lines wait in memory. */
	logfile_append(sup, "while full\n", 11);
	assert_true(logfile_stalled(sup));

	assert_int_equal(unlinkat(mfd, "filler", 0), 0);
	assert_true(run_until(fx, &fx->eofs, 1, 20000));
	reap(pid);
	assert_false(logfile_stalled(f));
	run_until(fx, NULL, 0, 500);
	logfile_close(f);
	logfile_close(sup);

	all = malloc(len + 1);
	assert_non_null(all);
	for (i = 2; i >= 0; i--) {
		if (i > 0)
			snprintf(name, sizeof(name), "full.stdout.log.%d", i);
		else
			snprintf(name, sizeof(name), "full.stdout.log");
		got = slurp(mfd, name, &glen);
		if (got == NULL)
			continue;
		assert_true(alen + glen <= len);
		memcpy(all + alen, got, glen);
		alen += glen;
		free(got);
	}
	assert_true(alen > 2 * 60000);
	assert_memory_equal(all, data + len - alen, alen);
	got = slurp(mfd, "supervisor.log", &glen);
	assert_non_null(got);
	assert_non_null(strstr(got, "while full\n"));
	free(got);
	free(all);
	free(data);
	close(mfd);
	assert_int_equal(umount2(mnt, MNT_DETACH), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_numbered, setup, teardown),
		cmocka_unit_test_setup_teardown(t_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(t_timestamps, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_two_sources, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(t_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(t_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(t_close_keeps, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_supervisor_append, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_full_disk, setup, teardown),
	};

	log_init("test", LOG_LVL_WARN, 0);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
