#include "unit.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "sysg.h"
#include "health.h"

/* A tiny loopback HTTP server driven by the test's event_base. */

enum srv_mode {
	M_200 = 0,
	M_503,
	M_301,
	M_GARBAGE,
	M_HANG,
	M_CLOSE,
	M_LONGLINE,
	M_NOCRLF
};

#define MAXCONN	8

struct conn {
	int		 fd;
	struct event	*ev;
	char		 buf[4096];
	size_t		 len;
};

struct result {
	int		 called;
	int		 ok;
	char		 detail[PROBE_DETAILMAX];
};

static struct event_base	*base;
static int			 lfd = -1;
static uint16_t			 lport;
static struct event		*ev_accept;
static enum srv_mode		 mode;
static struct conn		 conns[MAXCONN];
static char			 lastreq[4096];

static void
conn_close(struct conn *c)
{
	if (c->ev != NULL)
		event_free(c->ev);
	if (c->fd != -1)
		close(c->fd);
	c->ev = NULL;
	c->fd = -1;
	c->len = 0;
}

static void
srv_reply(struct conn *c)
{
	static char	 longline[8192];
	const char	*r = NULL;
	ssize_t		 n;

	switch (mode) {
	case M_200:
		r = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
		break;
	case M_503:
		r = "HTTP/1.1 503 Service Unavailable\r\n\r\n";
		break;
	case M_301:
		r = "HTTP/1.1 301 Moved Permanently\r\n"
		    "Location: /elsewhere\r\n\r\n";
		break;
	case M_GARBAGE:
		r = "SSH-2.0-OpenSSH_9.2\r\n";
		break;
	case M_NOCRLF:
		r = "HTTP/1.0 204 No Content";
		break;
	case M_LONGLINE:
		memset(longline, 'A', sizeof(longline));
		n = write(c->fd, longline, sizeof(longline));
		(void)n;
		return;			/* keep it open */
	case M_HANG:
	case M_CLOSE:
		return;
	}
	n = write(c->fd, r, strlen(r));
	assert_int_equal(n, (ssize_t)strlen(r));
	conn_close(c);
}

static void
srv_read(evutil_socket_t fd, short ev, void *arg)
{
	struct conn	*c = arg;
	ssize_t		 n;

	(void)fd;
	(void)ev;
	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	if (strstr(c->buf, "\r\n\r\n") == NULL)
		return;
	memcpy(lastreq, c->buf, c->len + 1);
	srv_reply(c);
}

static void
srv_accept(evutil_socket_t fd, short ev, void *arg)
{
	struct conn	*c = NULL;
	int		 s, i;

	(void)ev;
	(void)arg;
	if ((s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	if (mode == M_CLOSE) {
		close(s);
		return;
	}
	for (i = 0; i < MAXCONN; i++)
		if (conns[i].fd == -1) {
			c = &conns[i];
			break;
		}
	assert_non_null(c);
	c->fd = s;
	c->len = 0;
	c->ev = event_new(base, s, EV_READ | EV_PERSIST, srv_read, c);
	assert_non_null(c->ev);
	assert_int_equal(event_add(c->ev, NULL), 0);
}

static int
listen_v4(uint16_t *port, int dolisten)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 s;

	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(s != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	if (dolisten)
		assert_int_equal(listen(s, 16), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return s;
}

static int
setup(void **state)
{
	int	 i;

	(void)state;
	base = event_base_new();
	assert_non_null(base);
	for (i = 0; i < MAXCONN; i++) {
		conns[i].fd = -1;
		conns[i].ev = NULL;
	}
	lfd = listen_v4(&lport, 1);
	ev_accept = event_new(base, lfd, EV_READ | EV_PERSIST, srv_accept,
	    NULL);
	assert_non_null(ev_accept);
	assert_int_equal(event_add(ev_accept, NULL), 0);
	mode = M_200;
	lastreq[0] = '\0';
	return 0;
}

static int
teardown(void **state)
{
	int	 i;

	(void)state;
	for (i = 0; i < MAXCONN; i++)
		conn_close(&conns[i]);
	event_free(ev_accept);
	close(lfd);
	event_base_free(base);
	return 0;
}

static void
probe_done_cb(void *arg, int ok, const char *detail)
{
	struct result	*r = arg;

	r->called++;
	r->ok = ok;
	snprintf(r->detail, sizeof(r->detail), "%s", detail);
	event_base_loopexit(base, NULL);
}

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run the loop until the callback fires or limit_ms pass. */
static void
run_for(int64_t limit_ms)
{
	struct timeval	 tv;

	tv.tv_sec = limit_ms / 1000;
	tv.tv_usec = (limit_ms % 1000) * 1000;
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static struct result
probe_run(enum hc_type type, const char *target, int64_t timeout_ms)
{
	struct result	 r;
	struct probe	*p;

	memset(&r, 0, sizeof(r));
	p = probe_start(base, type, target, timeout_ms, probe_done_cb, &r);
	assert_non_null(p);
	assert_int_equal(r.called, 0);		/* never synchronous */
	run_for(5000);
	assert_int_equal(r.called, 1);
	return r;
}

static struct result
http_mode(enum srv_mode m, const char *path)
{
	char	 url[256];

	mode = m;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", lport, path);
	return probe_run(HC_HTTP, url, 3000);
}

static void
test_http_200(void **state)
{
	struct result	 r;
	char		 host[64];

	(void)state;
	r = http_mode(M_200, "/health?x=1#frag");
	assert_int_equal(r.ok, 1);
	assert_string_equal(r.detail, "HTTP 200");
	assert_non_null(strstr(lastreq, "GET /health?x=1 HTTP/1.1\r\n"));
	snprintf(host, sizeof(host), "\r\nHost: 127.0.0.1:%u\r\n", lport);
	assert_non_null(strstr(lastreq, host));
	assert_non_null(strstr(lastreq, "Connection: close\r\n"));
}

static void
test_http_root_path(void **state)
{
	struct result	 r;

	(void)state;
	r = http_mode(M_200, "");
	assert_int_equal(r.ok, 1);
	assert_true(strncmp(lastreq, "GET / HTTP/1.1\r\n", 16) == 0);
}

static void
test_http_503(void **state)
{
	struct result	 r;

	(void)state;
	r = http_mode(M_503, "/");
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.detail, "HTTP 503");
}

static void
test_http_301(void **state)
{
	struct result	 r;

	(void)state;
	r = http_mode(M_301, "/");
	assert_int_equal(r.ok, 0);
	assert_true(strncmp(r.detail, "HTTP 301", 8) == 0);
}

static void
test_http_garbage(void **state)
{
	struct result	 r;

	(void)state;
	r = http_mode(M_GARBAGE, "/");
	assert_int_equal(r.ok, 0);
	assert_non_null(strstr(r.detail, "invalid HTTP status line"));
	assert_non_null(strstr(r.detail, "SSH-2.0"));
}

static void
test_http_nocrlf(void **state)
{
	struct result	 r;

	(void)state;
	r = http_mode(M_NOCRLF, "/");
	assert_int_equal(r.ok, 1);
	assert_string_equal(r.detail, "HTTP 204");
}

static void
test_http_longline(void **state)
{
	struct result	 r;
	int64_t		 t0 = now_ms();

	(void)state;
	r = http_mode(M_LONGLINE, "/");
	assert_int_equal(r.ok, 0);
	assert_non_null(strstr(r.detail, "longer than"));
	assert_true(now_ms() - t0 < 2000);	/* not the timeout */
}

static void
test_http_close(void **state)
{
	struct result	 r;

	(void)state;
	r = http_mode(M_CLOSE, "/");
	assert_int_equal(r.ok, 0);
	assert_true(strstr(r.detail, "closed") != NULL ||
	    strstr(r.detail, "reset") != NULL);
}

static void
test_http_hang_timeout(void **state)
{
	struct result	 r;
	char		 url[64];
	int64_t		 t0, dt;

	(void)state;
	mode = M_HANG;
	snprintf(url, sizeof(url), "http://localhost:%u/", lport);
	t0 = now_ms();
	r = probe_run(HC_HTTP, url, 300);
	dt = now_ms() - t0;
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.detail, "timeout after 300 ms");
	assert_true(dt >= 280 && dt < 1000);
}

static void
test_http_refused(void **state)
{
	struct result	 r;
	char		 url[64];
	uint16_t	 port;
	int		 s;

	(void)state;
	s = listen_v4(&port, 0);
	close(s);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", port);
	r = probe_run(HC_HTTP, url, 1000);
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.detail, "connect: Connection refused");
}

static void
test_tcp_open(void **state)
{
	struct result	 r;
	char		 t[64];

	(void)state;
	mode = M_HANG;
	snprintf(t, sizeof(t), "127.0.0.1:%u", lport);
	r = probe_run(HC_TCP, t, 1000);
	assert_int_equal(r.ok, 1);
	assert_string_equal(r.detail, "connected");
}

static void
test_tcp_closed(void **state)
{
	struct result	 r;
	char		 t[64];
	uint16_t	 port;
	int		 s;

	(void)state;
	s = listen_v4(&port, 0);
	close(s);
	snprintf(t, sizeof(t), "localhost:%u", port);
	r = probe_run(HC_TCP, t, 1000);
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.detail, "connect: Connection refused");
}

static void
test_tcp_v6(void **state)
{
	struct sockaddr_in6	 sin6;
	socklen_t		 len = sizeof(sin6);
	struct result		 r;
	char			 t[64];
	int			 s;

	(void)state;
	s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s == -1)
		skip();
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	if (bind(s, (struct sockaddr *)&sin6, sizeof(sin6)) == -1) {
		close(s);
		skip();
	}
	assert_int_equal(listen(s, 4), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sin6, &len), 0);
	snprintf(t, sizeof(t), "[::1]:%u", ntohs(sin6.sin6_port));
	r = probe_run(HC_TCP, t, 1000);
	close(s);
	assert_int_equal(r.ok, 1);
}

static void
test_cancel_inflight(void **state)
{
	struct result	 r;
	struct probe	*p;
	char		 url[64];

	(void)state;
	memset(&r, 0, sizeof(r));
	mode = M_HANG;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", lport);
	p = probe_start(base, HC_HTTP, url, 200, probe_done_cb, &r);
	assert_non_null(p);
	run_for(50);		/* connected, request sent, waiting */
	assert_int_equal(r.called, 0);
	assert_non_null(strstr(lastreq, "GET / HTTP/1.1"));
	probe_cancel(p);
	run_for(400);		/* past the timeout */
	assert_int_equal(r.called, 0);
}

static void
test_cancel_before_callback(void **state)
{
	struct result	 r;
	struct probe	*p;
	char		 t[64];
	uint16_t	 port;
	int		 s;

	(void)state;
	memset(&r, 0, sizeof(r));
	s = listen_v4(&port, 0);
	close(s);
	snprintf(t, sizeof(t), "127.0.0.1:%u", port);
	/* The refusal may already be known: the done event is pending. */
	p = probe_start(base, HC_TCP, t, 500, probe_done_cb, &r);
	assert_non_null(p);
	probe_cancel(p);
	p = probe_start(base, HC_HTTP, "http://127.0.0.1:1/", 500,
	    probe_done_cb, &r);
	assert_non_null(p);
	probe_cancel(p);
	probe_cancel(NULL);
	run_for(100);
	assert_int_equal(r.called, 0);
}

static void
test_start_invalid(void **state)
{
	struct result	 r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_null(probe_start(base, HC_HTTP, "https://127.0.0.1/", 100,
	    probe_done_cb, &r));
	assert_null(probe_start(base, HC_COMMAND, "true", 100,
	    probe_done_cb, &r));
	assert_null(probe_start(base, HC_TCP, NULL, 100, probe_done_cb, &r));
	run_for(50);
	assert_int_equal(r.called, 0);
}

static void
test_valid(void **state)
{
	static const char *const tcp_ok[] = {
		"127.0.0.1:5432", "localhost:80", "LocalHost:1",
		"[::1]:8080", "10.1.2.3:65535", NULL
	};
	static const char *const http_ok[] = {
		"http://127.0.0.1:8000/health", "http://localhost",
		"HTTP://[::1]:8080/x?y=1", "http://127.0.0.1/p#frag",
		"http://127.0.0.1?q=1", "http://localhost:8080/", NULL
	};
	char	 err[256];
	int	 i;

	(void)state;
	for (i = 0; tcp_ok[i] != NULL; i++) {
		strlcpy(err, "junk", sizeof(err));
		assert_int_equal(probe_target_valid(HC_TCP, tcp_ok[i], err,
		    sizeof(err)), 1);
		assert_string_equal(err, "");
	}
	for (i = 0; http_ok[i] != NULL; i++)
		assert_int_equal(probe_target_valid(HC_HTTP, http_ok[i], err,
		    sizeof(err)), 1);
}

static void
bad(enum hc_type type, const char *target, const char *want)
{
	char	 err[256] = "";

	if (probe_target_valid(type, target, err, sizeof(err)) != 0)
		fail_msg("accepted \"%s\"", target != NULL ? target : "NULL");
	if (strstr(err, want) == NULL)
		fail_msg("\"%s\": error \"%s\" lacks \"%s\"",
		    target != NULL ? target : "NULL", err, want);
}

static void
test_invalid(void **state)
{
	char	 longt[PROBE_MAXTARGET + 32];

	(void)state;
	bad(HC_TCP, "127.0.0.1", "missing port");
	bad(HC_TCP, "127.0.0.1:0", "invalid port");
	bad(HC_TCP, "127.0.0.1:65536", "invalid port");
	bad(HC_TCP, "127.0.0.1:8a", "invalid port");
	bad(HC_TCP, "127.0.0.1:", "invalid port");
	bad(HC_TCP, "db.internal:5432", "host names");
	bad(HC_TCP, "::1:80", "brackets");
	bad(HC_TCP, "[::1", "']'");
	bad(HC_TCP, "[::1]x", "':PORT'");
	bad(HC_TCP, "[zz]:80", "invalid IPv6");
	bad(HC_TCP, "[127.0.0.1]:80", "invalid IPv6");
	bad(HC_TCP, ":80", "missing host");
	bad(HC_TCP, "", "empty");
	bad(HC_TCP, NULL, "empty");
	bad(HC_TCP, "http://127.0.0.1:80", "not a URL");
	bad(HC_TCP, "256.1.1.1:80", "not an IP address");
	bad(HC_HTTP, "https://127.0.0.1/", "https is not supported");
	bad(HC_HTTP, "127.0.0.1:80", "http://");
	bad(HC_HTTP, "ftp://127.0.0.1/", "scheme");
	bad(HC_HTTP, "http://user@127.0.0.1/", "user information");
	bad(HC_HTTP, "http://example.com/", "host names");
	bad(HC_HTTP, "http://127.0.0.1/a b", "invalid character");
	bad(HC_HTTP, "http://127.0.0.1/\x01", "invalid character");
	bad(HC_HTTP, "http://", "missing host");
	bad(HC_HTTP, "http://127.0.0.1:/", "invalid port");
	bad(HC_COMMAND, "true", "not an http or tcp");
	memset(longt, 'a', sizeof(longt) - 1);
	longt[sizeof(longt) - 1] = '\0';
	memcpy(longt, "http://", 7);
	bad(HC_HTTP, longt, "longer than");
	/* NULL err buffer is fine */
	assert_int_equal(probe_target_valid(HC_TCP, "x", NULL, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_http_200, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_http_root_path, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_http_503, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_http_301, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_http_garbage, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_http_nocrlf, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_http_longline, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_http_close, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_http_hang_timeout, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_http_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tcp_open, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tcp_closed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tcp_v6, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cancel_inflight, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cancel_before_callback,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_invalid, setup,
		    teardown),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
