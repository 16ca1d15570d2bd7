#include "unit.h"

/*
 * Unit tests for common/imsg.c: framing, fd passing, back-pressure and
 * the libevent glue (imsgev).  Every channel is an AF_UNIX stream
 * socketpair; nothing sleeps, event loops are bounded by a guard timer.
 */

#include <sys/socket.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "imsg.h"
#include "log.h"
#include "sysg.h"

#define SMALLMAX	4096
#define GUARD_SEC	5

/* ------------------------------------------------------------------ */
/* helpers */

static void
set_nonblock(int fd)
{
	int	 fl;

	fl = fcntl(fd, F_GETFL);
	assert_true(fl != -1);
	assert_int_equal(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
}

static void
mkpair(int sv[2], int nonblock)
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	if (nonblock) {
		set_nonblock(sv[0]);
		set_nonblock(sv[1]);
	}
}

/* Open descriptors of this process (the directory's own fd included). */
static int
count_fds(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	d = opendir("/proc/self/fd");
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int	 nwarnings;	/* counted by count_log */

static void
count_log(const char *line, size_t len)
{
	(void)len;
	if (strstr(line, "warning") != NULL)
		nwarnings++;
}

static int
fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

static void
write_all(int fd, const void *buf, size_t len)
{
	const unsigned char	*p = buf;
	ssize_t			 n;

	while (len > 0) {
		n = write(fd, p, len);
		assert_true(n > 0);
		p += n;
		len -= (size_t)n;
	}
}

/*
 * Move bytes from snd to rcv until one message is complete on rcv.
 * Both sockets must be non-blocking.  Returns what imsg_get returned.
 */
static int
pump_one(struct imsgbuf *snd, struct imsgbuf *rcv, struct imsg *im)
{
	ssize_t	 n;
	int	 r, i;

	for (i = 0; i < 100000; i++) {
		if ((r = imsg_get(rcv, im)) != 0)
			return r;
		if (snd != NULL && imsgbuf_queued(snd) > 0)
			assert_int_equal(imsgbuf_write(snd), 0);
		n = imsgbuf_read(rcv);
		if (n == -1 && errno == EAGAIN)
			continue;
		assert_true(n > 0);
	}
	fail_msg("pump_one: no progress");
	return -1;
}

/* The raw bytes imsg_compose puts on the wire. */
static size_t
encode(uint32_t type, uint32_t peerid, pid_t pid, const void *data,
    size_t len, unsigned char *out, size_t outsz)
{
	struct imsgbuf	 ib;
	int		 sv[2];
	size_t		 got = 0;
	ssize_t		 n;

	mkpair(sv, 1);
	imsgbuf_init(&ib, sv[0], SMALLMAX, 0);
	assert_int_equal(imsg_compose(&ib, type, peerid, pid, -1, data, len),
	    0);
	assert_int_equal(imsgbuf_flush(&ib), 0);
	assert_int_equal(imsgbuf_queued(&ib), 0);
	while (got < IMSG_HDRSZ + len) {
		n = read(sv[1], out + got, outsz - got);
		assert_true(n > 0);
		got += (size_t)n;
	}
	assert_int_equal(got, IMSG_HDRSZ + len);
	imsgbuf_clear(&ib);
	close(sv[0]);
	close(sv[1]);
	return got;
}

/*
 * Write a hand-built header (and payload) with plain write() and return
 * what imsg_get says about it; *err gets errno after a -1.
 */
static int
raw_get(const struct imsg_hdr *hdr, const void *data, size_t len,
    size_t maxpayload, int *err)
{
	struct imsgbuf	 ib;
	struct imsg	 im;
	int		 sv[2], r;

	mkpair(sv, 1);
	imsgbuf_init(&ib, sv[1], maxpayload, 1);
	write_all(sv[0], hdr, sizeof(*hdr));
	if (len > 0)
		write_all(sv[0], data, len);
	assert_int_equal(imsgbuf_read(&ib), (ssize_t)(sizeof(*hdr) + len));
	errno = 0;
	r = imsg_get(&ib, &im);
	*err = errno;
	if (r == 1)
		imsg_free(&im);
	else {
		assert_null(im.data);
		assert_int_equal(im.fd, -1);
	}
	imsgbuf_clear(&ib);
	close(sv[0]);
	close(sv[1]);
	return r;
}

/* A pipe whose read end holds `text'; the write end is closed. */
static int
pipe_with(const char *text)
{
	int	 p[2];

	assert_int_equal(pipe(p), 0);
	write_all(p[1], text, strlen(text));
	close(p[1]);
	return p[0];
}

static void
expect_fd_text(int fd, const char *text)
{
	char	 buf[128];
	ssize_t	 n;
	int	 fl;

	assert_true(fd >= 0);
	fl = fcntl(fd, F_GETFD);
	assert_true(fl != -1);
	assert_true(fl & FD_CLOEXEC);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_int_equal(n, (ssize_t)strlen(text));
	buf[n] = '\0';
	assert_string_equal(buf, text);
	/* The writer is gone: EOF next. */
	assert_int_equal(read(fd, buf, sizeof(buf)), 0);
}

/* ------------------------------------------------------------------ */
/* round trips */

static void
test_roundtrip_empty(void **state)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	int		 sv[2];

	(void)state;
	mkpair(sv, 1);
	imsgbuf_init(&a, sv[0], SMALLMAX, 0);
	imsgbuf_init(&b, sv[1], SMALLMAX, 0);
	assert_int_equal(imsg_compose(&a, 7, 0, 0, -1, NULL, 0), 0);
	assert_int_equal(imsgbuf_queued(&a), IMSG_HDRSZ);
	assert_int_equal(pump_one(&a, &b, &im), 1);
	assert_int_equal(imsgbuf_queued(&a), 0);
	assert_int_equal(im.hdr.type, 7);
	assert_int_equal(im.hdr.len, 0);
	assert_int_equal(im.len, 0);
	assert_int_equal(im.fd, -1);
	assert_non_null(im.data);
	assert_int_equal(((char *)im.data)[0], '\0');
	assert_int_equal(imsg_expect(&im, 0), 0);
	imsg_free(&im);
	assert_null(im.data);
	assert_int_equal(imsg_get(&b, &im), 0);
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

static void
test_roundtrip_small(void **state)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	const char	 text[] = "hello, world";
	int		 sv[2];

	(void)state;
	mkpair(sv, 1);
	imsgbuf_init(&a, sv[0], SMALLMAX, 0);
	imsgbuf_init(&b, sv[1], SMALLMAX, 0);
	/* Without its NUL: the receiver's copy must add one. */
	assert_int_equal(imsg_compose(&a, 1, 2, 0, -1, text,
	    strlen(text)), 0);
	assert_int_equal(pump_one(&a, &b, &im), 1);
	assert_int_equal(im.len, strlen(text));
	assert_memory_equal(im.data, text, strlen(text));
	assert_int_equal(((char *)im.data)[im.len], '\0');
	assert_string_equal(im.data, text);
	nwarnings = 0;
	log_setwriter(count_log);
	assert_int_equal(imsg_expect(&im, strlen(text)), 0);
	assert_int_equal(nwarnings, 0);
	assert_int_equal(imsg_expect(&im, strlen(text) + 1), -1);
	assert_int_equal(nwarnings, 1);
	log_setwriter(NULL);
	imsg_free(&im);
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

static void
test_roundtrip_max(void **state)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	unsigned char	*buf;
	size_t		 i;
	int		 sv[2];

	(void)state;
	buf = malloc(IMSG_MAXPAYLOAD);
	assert_non_null(buf);
	for (i = 0; i < IMSG_MAXPAYLOAD; i++)
		buf[i] = (unsigned char)(i * 7 + (i >> 8));
	mkpair(sv, 1);
	imsgbuf_init(&a, sv[0], IMSG_MAXPAYLOAD, 0);
	imsgbuf_init(&b, sv[1], IMSG_MAXPAYLOAD, 0);
	assert_int_equal(imsg_compose(&a, 3, 0, 0, -1, buf,
	    IMSG_MAXPAYLOAD), 0);
	assert_int_equal(imsgbuf_queued(&a), IMSG_HDRSZ + IMSG_MAXPAYLOAD);
	assert_int_equal(pump_one(&a, &b, &im), 1);
	assert_int_equal(im.hdr.type, 3);
	assert_int_equal(im.hdr.len, IMSG_MAXPAYLOAD);
	assert_int_equal(im.len, IMSG_MAXPAYLOAD);
	assert_memory_equal(im.data, buf, IMSG_MAXPAYLOAD);
	assert_int_equal(((char *)im.data)[IMSG_MAXPAYLOAD], '\0');
	imsg_free(&im);
	assert_int_equal(imsgbuf_queued(&a), 0);
	assert_int_equal(imsg_get(&b, &im), 0);
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
	free(buf);
}

static void
test_roundtrip_many(void **state)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	char		 text[32];
	int		 sv[2], i, got;
	const int	 nmsg = 60;	/* fits one sendmsg's iovec */

	(void)state;
	mkpair(sv, 1);
	imsgbuf_init(&a, sv[0], SMALLMAX, 0);
	imsgbuf_init(&b, sv[1], SMALLMAX, 0);
	for (i = 0; i < nmsg; i++) {
		snprintf(text, sizeof(text), "message %d", i);
		assert_int_equal(imsg_compose(&a, 100 + (uint32_t)i,
		    (uint32_t)i, 0, -1, text, strlen(text)), 0);
	}
	assert_true(imsgbuf_queued(&a) > (size_t)nmsg * IMSG_HDRSZ);
	/* One write moves the whole queue. */
	assert_int_equal(imsgbuf_write(&a), 0);
	assert_int_equal(imsgbuf_queued(&a), 0);
	/* Nothing queued: a further write is a no-op. */
	assert_int_equal(imsgbuf_write(&a), 0);
	for (got = 0; got < nmsg; got++) {
		assert_int_equal(pump_one(NULL, &b, &im), 1);
		snprintf(text, sizeof(text), "message %d", got);
		assert_int_equal(im.hdr.type, 100 + (uint32_t)got);
		assert_int_equal(im.hdr.peerid, (uint32_t)got);
		assert_string_equal(im.data, text);
		imsg_free(&im);
	}
	assert_int_equal(imsg_get(&b, &im), 0);
	errno = 0;
	assert_int_equal(imsgbuf_read(&b), -1);
	assert_int_equal(errno, EAGAIN);
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

static void
test_header_fields(void **state)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	const char	 text[] = "abc";
	int		 sv[2];

	(void)state;
	mkpair(sv, 1);
	imsgbuf_init(&a, sv[0], SMALLMAX, 0);
	imsgbuf_init(&b, sv[1], SMALLMAX, 0);
	assert_int_equal(imsg_compose(&a, 0xdeadbeef, 0xfeedface, 4242, -1,
	    text, sizeof(text)), 0);
	/* pid 0 means "mine". */
	assert_int_equal(imsg_compose(&a, 0, UINT32_MAX, 0, -1, NULL, 0), 0);

	assert_int_equal(pump_one(&a, &b, &im), 1);
	assert_int_equal(im.hdr.type, 0xdeadbeef);
	assert_int_equal(im.hdr.peerid, 0xfeedface);
	assert_int_equal(im.hdr.pid, 4242);
	assert_int_equal(im.hdr.len, sizeof(text));
	assert_int_equal(im.hdr.flags, 0);
	assert_int_equal(im.len, sizeof(text));
	assert_memory_equal(im.data, text, sizeof(text));
	imsg_free(&im);

	assert_int_equal(pump_one(&a, &b, &im), 1);
	assert_int_equal(im.hdr.type, 0);
	assert_int_equal(im.hdr.peerid, UINT32_MAX);
	assert_int_equal(im.hdr.pid, (uint32_t)getpid());
	assert_int_equal(im.hdr.len, 0);
	assert_int_equal(im.hdr.flags, 0);
	imsg_free(&im);

	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------------ */
/* framing across reads */

static void
test_split_bytes(void **state)
{
	struct imsgbuf	 b;
	struct imsg	 im;
	unsigned char	 raw[256];
	const char	 text[] = "split into single bytes";
	size_t		 l1, l2, i;
	int		 sv[2], r, ngot = 0;

	(void)state;
	l1 = encode(11, 1, 0, text, strlen(text), raw, sizeof(raw));
	l2 = encode(12, 2, 0, NULL, 0, raw + l1, sizeof(raw) - l1);
	assert_int_equal(l1, IMSG_HDRSZ + strlen(text));
	assert_int_equal(l2, IMSG_HDRSZ);

	mkpair(sv, 1);
	imsgbuf_init(&b, sv[1], SMALLMAX, 0);
	for (i = 0; i < l1 + l2; i++) {
		write_all(sv[0], raw + i, 1);
		assert_int_equal(imsgbuf_read(&b), 1);
		r = imsg_get(&b, &im);
		if (i == l1 - 1) {
			assert_int_equal(r, 1);
			assert_int_equal(im.hdr.type, 11);
			assert_int_equal(im.len, strlen(text));
			assert_string_equal(im.data, text);
			imsg_free(&im);
			ngot++;
		} else if (i == l1 + l2 - 1) {
			assert_int_equal(r, 1);
			assert_int_equal(im.hdr.type, 12);
			assert_int_equal(im.len, 0);
			imsg_free(&im);
			ngot++;
		} else {
			assert_int_equal(r, 0);
			assert_null(im.data);
			assert_int_equal(im.fd, -1);
		}
		/* Never twice. */
		assert_int_equal(imsg_get(&b, &im), 0);
	}
	assert_int_equal(ngot, 2);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------------ */
/* malformed input */

static void
test_oversized_header(void **state)
{
	struct imsg_hdr	 hdr;
	int		 err;

	(void)state;
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = 1;

	/* Exactly the limit is fine. */
	hdr.len = SMALLMAX;
	{
		unsigned char	*pl = calloc(1, SMALLMAX);

		assert_non_null(pl);
		assert_int_equal(raw_get(&hdr, pl, SMALLMAX, SMALLMAX, &err),
		    1);
		free(pl);
	}

	/* Rejected as soon as the header is in, without the payload. */
	hdr.len = SMALLMAX + 1;
	assert_int_equal(raw_get(&hdr, NULL, 0, SMALLMAX, &err), -1);
	assert_int_equal(err, ERANGE);

	hdr.len = UINT32_MAX;
	assert_int_equal(raw_get(&hdr, NULL, 0, SMALLMAX, &err), -1);
	assert_int_equal(err, ERANGE);
}

static void
test_compose_oversized(void **state)
{
	struct imsgbuf	 a;
	unsigned char	*buf;
	int		 sv[2], fd;

	(void)state;
	buf = calloc(1, SMALLMAX + 1);
	assert_non_null(buf);
	mkpair(sv, 1);
	imsgbuf_init(&a, sv[0], SMALLMAX, 1);

	fd = pipe_with("x");
	errno = 0;
	assert_int_equal(imsg_compose(&a, 1, 0, 0, fd, buf, SMALLMAX + 1),
	    -1);
	assert_int_equal(errno, EMSGSIZE);
	/* The fd was handed over and is gone. */
	assert_false(fd_is_open(fd));
	assert_int_equal(imsgbuf_queued(&a), 0);

	/* Without an fd, and a payload pointer missing. */
	errno = 0;
	assert_int_equal(imsg_compose(&a, 1, 0, 0, -1, buf, SMALLMAX + 1),
	    -1);
	assert_int_equal(errno, EMSGSIZE);
	fd = pipe_with("y");
	errno = 0;
	assert_int_equal(imsg_compose(&a, 1, 0, 0, fd, NULL, 1), -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_false(fd_is_open(fd));
	assert_int_equal(imsgbuf_queued(&a), 0);

	/* The limit itself is accepted. */
	assert_int_equal(imsg_compose(&a, 1, 0, 0, -1, buf, SMALLMAX), 0);
	assert_int_equal(imsgbuf_queued(&a), IMSG_HDRSZ + SMALLMAX);

	imsgbuf_clear(&a);
	assert_int_equal(imsgbuf_queued(&a), 0);
	close(sv[0]);
	close(sv[1]);
	free(buf);
}

static void
test_unknown_flags(void **state)
{
	struct imsg_hdr	 hdr;
	const uint32_t	 bad[] = { 0x2, 0x80000000, IMSGF_HASFD | 0x4,
			    UINT32_MAX };
	size_t		 i;
	int		 err;

	(void)state;
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = 1;
	hdr.len = 4;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hdr.flags = bad[i];
		assert_int_equal(raw_get(&hdr, "abcd", 4, SMALLMAX, &err), -1);
		assert_int_equal(err, ERANGE);
	}
	/* The same header without the stray bits goes through. */
	hdr.flags = 0;
	assert_int_equal(raw_get(&hdr, "abcd", 4, SMALLMAX, &err), 1);
}

static void
test_eof_mid_message(void **state)
{
	struct imsgbuf	 b;
	struct imsg	 im;
	unsigned char	 raw[256], payload[100];
	size_t		 len, cuts[3], cut, i;
	ssize_t		 n;
	int		 sv[2];

	(void)state;
	memset(payload, 'p', sizeof(payload));
	len = encode(5, 0, 0, payload, sizeof(payload), raw, sizeof(raw));

	/* Cut inside the header, inside the payload, one byte short. */
	cuts[0] = IMSG_HDRSZ / 2;
	cuts[1] = len / 2;
	cuts[2] = len - 1;
	for (i = 0; i < 3; i++) {
		cut = cuts[i];
		mkpair(sv, 1);
		imsgbuf_init(&b, sv[1], SMALLMAX, 0);
		write_all(sv[0], raw, cut);
		close(sv[0]);
		n = imsgbuf_read(&b);
		assert_int_equal(n, (ssize_t)cut);
		assert_int_equal(imsg_get(&b, &im), 0);
		assert_null(im.data);
		assert_int_equal(imsgbuf_read(&b), 0);	/* EOF */
		assert_int_equal(imsg_get(&b, &im), 0);
		assert_int_equal(imsgbuf_read(&b), 0);
		assert_int_equal(imsg_get(&b, &im), 0);
		imsgbuf_clear(&b);
		close(sv[1]);
	}
}

/* ------------------------------------------------------------------ */
/* fd passing */

static void
test_fd_passing(void **state)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	int		 sv[2], fd1, fd2, before;

	(void)state;
	mkpair(sv, 1);
	imsgbuf_init(&a, sv[0], SMALLMAX, 1);
	imsgbuf_init(&b, sv[1], SMALLMAX, 1);
	before = count_fds();

	fd1 = pipe_with("first pipe");
	fd2 = pipe_with("second pipe");
	assert_int_equal(imsg_compose(&a, 1, 0, 0, fd1, "one", 3), 0);
	assert_int_equal(imsg_compose(&a, 2, 0, 0, -1, "two", 3), 0);
	assert_int_equal(imsg_compose(&a, 3, 0, 0, fd2, "three", 5), 0);
	assert_int_equal(imsg_compose(&a, 4, 0, 0, -1, NULL, 0), 0);

	/* The first write carries fd1 and closes our copy. */
	assert_int_equal(imsgbuf_write(&a), 0);
	assert_false(fd_is_open(fd1));
	assert_true(fd_is_open(fd2));
	assert_true(imsgbuf_queued(&a) > 0);	/* fd2 starts a new batch */
	assert_int_equal(imsgbuf_write(&a), 0);
	assert_false(fd_is_open(fd2));
	assert_int_equal(imsgbuf_queued(&a), 0);

	assert_int_equal(pump_one(NULL, &b, &im), 1);
	assert_int_equal(im.hdr.type, 1);
	assert_int_equal(im.hdr.flags, IMSGF_HASFD);
	assert_string_equal(im.data, "one");
	expect_fd_text(im.fd, "first pipe");
	imsg_free(&im);
	assert_int_equal(im.fd, -1);

	assert_int_equal(pump_one(NULL, &b, &im), 1);
	assert_int_equal(im.hdr.type, 2);
	assert_int_equal(im.hdr.flags, 0);
	assert_int_equal(im.fd, -1);
	imsg_free(&im);

	assert_int_equal(pump_one(NULL, &b, &im), 1);
	assert_int_equal(im.hdr.type, 3);
	assert_string_equal(im.data, "three");
	expect_fd_text(im.fd, "second pipe");
	imsg_free(&im);

	assert_int_equal(pump_one(NULL, &b, &im), 1);
	assert_int_equal(im.hdr.type, 4);
	assert_int_equal(im.fd, -1);
	imsg_free(&im);

	/* Every passed fd was closed by imsg_free. */
	assert_int_equal(count_fds(), before);
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

/* An fd still queued, or received but never taken, is closed on clear. */
static void
test_fd_clear(void **state)
{
	struct imsgbuf	 a, b;
	int		 sv[2], before;

	(void)state;
	mkpair(sv, 1);
	imsgbuf_init(&a, sv[0], SMALLMAX, 1);
	imsgbuf_init(&b, sv[1], SMALLMAX, 1);
	before = count_fds();
	assert_int_equal(imsg_compose(&a, 1, 0, 0, pipe_with("a"), NULL, 0),
	    0);
	assert_int_equal(imsg_compose(&a, 2, 0, 0, pipe_with("b"), NULL, 0),
	    0);
	assert_int_equal(imsgbuf_write(&a), 0);	/* first one travels */
	assert_true(imsgbuf_queued(&a) > 0);
	assert_true(imsgbuf_read(&b) > 0);	/* ... and waits in fdq */
	assert_int_equal(count_fds(), before + 2);
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	assert_int_equal(count_fds(), before);
	close(sv[0]);
	close(sv[1]);
}

static void
test_hasfd_without_fd(void **state)
{
	struct imsg_hdr	 hdr;
	int		 err;

	(void)state;
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = 9;
	hdr.flags = IMSGF_HASFD;
	assert_int_equal(raw_get(&hdr, NULL, 0, SMALLMAX, &err), -1);
	assert_int_equal(err, EBADMSG);

	hdr.len = 3;
	assert_int_equal(raw_get(&hdr, "xyz", 3, SMALLMAX, &err), -1);
	assert_int_equal(err, EBADMSG);
}

static void
test_fd_refused(void **state)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	int		 sv[2], p[2], before;

	(void)state;
	mkpair(sv, 1);
	imsgbuf_init(&a, sv[0], SMALLMAX, 1);
	imsgbuf_init(&b, sv[1], SMALLMAX, 0);	/* no fds here */
	before = count_fds();

	assert_int_equal(pipe(p), 0);
	assert_int_equal(imsg_compose(&a, 1, 0, 0, p[0], "fd", 2), 0);
	assert_int_equal(imsgbuf_write(&a), 0);
	assert_false(fd_is_open(p[0]));
	assert_int_equal(imsgbuf_queued(&a), 0);

	errno = 0;
	assert_int_equal(imsgbuf_read(&b), -1);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(imsg_get(&b, &im), 0);
	/* Only our write end is left: the passed read end was closed. */
	assert_int_equal(count_fds(), before + 1);
	errno = 0;
	assert_int_equal(write(p[1], "x", 1), -1);
	assert_int_equal(errno, EPIPE);
	close(p[1]);
	assert_int_equal(count_fds(), before);

	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------------ */
/* back-pressure */

static void
test_partial_writes(void **state)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	unsigned char	 payload[2000];
	size_t		 q, prev;
	ssize_t		 n;
	int		 sv[2], sndbuf = 4096, i, got = 0, r, rounds = 0;
	const int	 nmsg = 100;

	(void)state;
	mkpair(sv, 1);
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
	    sizeof(sndbuf)), 0);
	imsgbuf_init(&a, sv[0], SMALLMAX, 0);
	imsgbuf_init(&b, sv[1], SMALLMAX, 0);
	for (i = 0; i < nmsg; i++) {
		memset(payload, 'a' + i % 26, sizeof(payload));
		payload[0] = (unsigned char)i;
		assert_int_equal(imsg_compose(&a, (uint32_t)i, 0, 0, -1,
		    payload, sizeof(payload)), 0);
	}
	q = imsgbuf_queued(&a);
	assert_int_equal(q, (size_t)nmsg * (IMSG_HDRSZ + sizeof(payload)));

	/* The socket fills up: some goes, the rest stays queued. */
	assert_int_equal(imsgbuf_write(&a), 0);
	prev = imsgbuf_queued(&a);
	assert_true(prev > 0 && prev < q);
	/* Nobody reads: no progress, and no error. */
	assert_int_equal(imsgbuf_write(&a), 0);
	assert_int_equal(imsgbuf_queued(&a), prev);

	while (got < nmsg) {
		assert_true(++rounds < 10000);
		n = imsgbuf_read(&b);
		if (n == -1) {
			assert_int_equal(errno, EAGAIN);
		} else
			assert_true(n > 0);
		while ((r = imsg_get(&b, &im)) == 1) {
			assert_int_equal(im.hdr.type, (uint32_t)got);
			assert_int_equal(im.len, sizeof(payload));
			memset(payload, 'a' + got % 26, sizeof(payload));
			payload[0] = (unsigned char)got;
			assert_memory_equal(im.data, payload,
			    sizeof(payload));
			imsg_free(&im);
			got++;
		}
		assert_int_equal(r, 0);
		if (prev > 0) {
			assert_int_equal(imsgbuf_write(&a), 0);
			q = imsgbuf_queued(&a);
			/* The reader made room: the queue shrinks. */
			if (n > 0)
				assert_true(q < prev);
			else
				assert_true(q <= prev);
			prev = q;
		}
	}
	assert_int_equal(imsgbuf_queued(&a), 0);
	assert_int_equal(imsg_get(&b, &im), 0);
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------------ */
/* libevent glue */

#define EVMAX	16

struct evpeer {
	struct imsgev	 iev;
	int		 nrecv;
	uint32_t	 types[EVMAX];
	int		 hadfd[EVMAX];
	int		 nclosed;
	int		 echo;		/* reply to each message */
	struct evpeer	*notify;	/* compose on it when closed */
};

static int	 guard_fired;

static void
guard_cb(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	guard_fired = 1;
	event_base_loopbreak(arg);
}

/* Run the base until *cond becomes >= want, bounded by a guard timer. */
static void
run_until(struct event_base *base, const int *cond, int want)
{
	struct event	*guard;
	struct timeval	 tv = { GUARD_SEC, 0 };

	guard_fired = 0;
	guard = evtimer_new(base, guard_cb, base);
	assert_non_null(guard);
	assert_int_equal(evtimer_add(guard, &tv), 0);
	while (*cond < want && !guard_fired)
		assert_true(event_base_loop(base, EVLOOP_ONCE) != -1);
	event_free(guard);
	assert_false(guard_fired);
}

static void
peer_handler(struct imsgev *iev, struct imsg *im)
{
	struct evpeer	*p = (struct evpeer *)iev;
	char		 text[64];

	assert_true(p->nrecv < EVMAX);
	p->types[p->nrecv] = im->hdr.type;
	p->hadfd[p->nrecv] = im->fd != -1;
	if (im->fd != -1) {
		snprintf(text, sizeof(text), "pipe %u", im->hdr.type);
		expect_fd_text(im->fd, text);
	}
	p->nrecv++;
	if (p->echo)
		assert_int_equal(imsgev_compose(iev, im->hdr.type + 1000,
		    im->hdr.peerid, 0, -1, im->data, im->len), 0);
}

static void
peer_closed(struct imsgev *iev)
{
	struct evpeer	*p = (struct evpeer *)iev;

	p->nclosed++;
	assert_false(iev->active);
	assert_int_equal(iev->ibuf.fd, -1);
	if (p->notify != NULL)
		assert_int_equal(imsgev_compose(&p->notify->iev, 77, 0, 0, -1,
		    "after", 5), 0);
}

static void
peer_init(struct evpeer *p, struct event_base *base, int fd)
{
	memset(p, 0, sizeof(*p));
	imsgev_init(&p->iev, base, fd, SMALLMAX, 1, peer_handler,
	    peer_closed, p);
}

static void
send_some(struct evpeer *p, uint32_t first, int count)
{
	char		 text[64];
	uint32_t	 t;
	int		 fd;

	for (t = first; t < first + (uint32_t)count; t++) {
		fd = -1;
		if (t % 2 == 0) {
			snprintf(text, sizeof(text), "pipe %u", t);
			fd = pipe_with(text);
		}
		assert_int_equal(imsgev_compose(&p->iev, t, t, 0, fd, "m", 1),
		    0);
	}
}

static void
test_imsgev_roundtrip(void **state)
{
	struct event_base	*base;
	struct evpeer		 a, b;
	int			 sv[2], i, before;

	(void)state;
	before = count_fds();
	base = event_base_new();
	assert_non_null(base);
	mkpair(sv, 1);
	peer_init(&a, base, sv[0]);
	peer_init(&b, base, sv[1]);
	b.echo = 1;

	send_some(&a, 10, 6);
	assert_true(imsgev_queued(&a.iev) > 0);
	run_until(base, &a.nrecv, 6);
	for (i = 0; i < 6; i++) {
		assert_int_equal(b.types[i], 10 + (uint32_t)i);
		assert_int_equal(b.hadfd[i], i % 2 == 0);
		assert_int_equal(a.types[i], 1010 + (uint32_t)i);
		assert_false(a.hadfd[i]);
	}
	assert_int_equal(imsgev_queued(&a.iev), 0);
	assert_int_equal(imsgev_queued(&b.iev), 0);

	/* The channel stays armed after an idle turn of the loop. */
	send_some(&a, 20, 3);
	run_until(base, &a.nrecv, 9);
	for (i = 6; i < 9; i++) {
		assert_int_equal(b.types[i], 14 + (uint32_t)i);
		assert_int_equal(a.types[i], 1014 + (uint32_t)i);
	}
	assert_int_equal(a.nclosed, 0);
	assert_int_equal(b.nclosed, 0);

	imsgev_close(&a.iev);
	imsgev_close(&b.iev);
	imsgev_close(&b.iev);		/* idempotent */
	errno = 0;
	assert_int_equal(imsgev_compose(&a.iev, 1, 0, 0, pipe_with("z"),
	    NULL, 0), -1);
	assert_int_equal(errno, EPIPE);
	event_base_free(base);
	assert_int_equal(count_fds(), before);
}

static void
test_imsgev_closed(void **state)
{
	struct event_base	*base;
	struct evpeer		 a, b;
	int			 sv[2], before;

	(void)state;
	before = count_fds();
	base = event_base_new();
	assert_non_null(base);
	mkpair(sv, 1);
	peer_init(&a, base, sv[0]);
	peer_init(&b, base, sv[1]);

	/* A message with an fd still queued when the end is closed. */
	send_some(&a, 2, 1);
	imsgev_close(&a.iev);
	assert_int_equal(a.nclosed, 0);	/* own close: no callback */
	run_until(base, &b.nclosed, 1);
	assert_int_equal(b.nclosed, 1);
	assert_int_equal(b.nrecv, 0);
	assert_int_equal(a.nclosed, 0);

	event_base_free(base);
	assert_int_equal(count_fds(), before);
}

static void
test_imsgev_malformed(void **state)
{
	struct event_base	*base;
	struct evpeer		 b, c, d;
	struct imsg_hdr		 hdr;
	int			 sv[2], sv2[2], before;

	(void)state;
	before = count_fds();
	base = event_base_new();
	assert_non_null(base);
	mkpair(sv, 1);
	mkpair(sv2, 1);
	peer_init(&b, base, sv[1]);
	peer_init(&c, base, sv2[0]);
	peer_init(&d, base, sv2[1]);
	b.notify = &c;

	/* A good message first, then an oversized header. */
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = 5;
	write_all(sv[0], &hdr, sizeof(hdr));
	hdr.type = 6;
	hdr.len = SMALLMAX + 1;
	write_all(sv[0], &hdr, sizeof(hdr));

	nwarnings = 0;
	log_setwriter(count_log);
	run_until(base, &b.nclosed, 1);
	log_setwriter(NULL);
	assert_int_equal(b.nrecv, 1);
	assert_int_equal(b.types[0], 5);
	assert_true(nwarnings >= 1);

	/* The base still runs: the closed callback's message arrives. */
	run_until(base, &d.nrecv, 1);
	assert_int_equal(d.types[0], 77);
	assert_int_equal(c.nclosed + d.nclosed, 0);
	assert_int_equal(b.nclosed, 1);

	imsgev_close(&c.iev);
	imsgev_close(&d.iev);
	close(sv[0]);
	event_base_free(base);
	assert_int_equal(count_fds(), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_empty),
		cmocka_unit_test(test_roundtrip_small),
		cmocka_unit_test(test_roundtrip_max),
		cmocka_unit_test(test_roundtrip_many),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_split_bytes),
		cmocka_unit_test(test_oversized_header),
		cmocka_unit_test(test_compose_oversized),
		cmocka_unit_test(test_unknown_flags),
		cmocka_unit_test(test_eof_mid_message),
		cmocka_unit_test(test_fd_passing),
		cmocka_unit_test(test_fd_clear),
		cmocka_unit_test(test_hasfd_without_fd),
		cmocka_unit_test(test_fd_refused),
		cmocka_unit_test(test_partial_writes),
		cmocka_unit_test(test_imsgev_roundtrip),
		cmocka_unit_test(test_imsgev_closed),
		cmocka_unit_test(test_imsgev_malformed),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
