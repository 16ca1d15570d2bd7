/*
 * Non-blocking http and tcp health probes (see health.h).
 *
 * One raw non-blocking socket per probe, one io event that first waits
 * for the connect, then for the request to be written, then for the
 * status line; one timer for the timeout; and one "done" event that is
 * made active when the result is known, so that the callback always
 * runs from the event loop and the probe can free itself afterwards.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "sysg.h"
#include "health.h"

#define PROBE_DEFAULT_MS	5000

enum probe_phase {
	PH_CONNECT = 0,
	PH_SEND,
	PH_READ,
	PH_DONE
};

struct ptarget {
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 authority[PROBE_MAXTARGET + 1];
	char			 path[PROBE_MAXTARGET + 2];
};

struct probe {
	struct event_base	*base;
	enum hc_type		 type;
	int			 fd;
	enum probe_phase	 phase;
	int64_t			 timeout_ms;
	probe_cb		 cb;
	void			*arg;
	struct event		*ev_io;
	struct event		*ev_timer;
	struct event		*ev_done;
	struct ptarget		 t;
	char			 req[2 * PROBE_MAXTARGET + 128];
	size_t			 reqlen;
	size_t			 reqoff;
	char			 line[PROBE_MAXLINE + 1];
	size_t			 linelen;
	int			 ok;
	char			 detail[PROBE_DETAILMAX];
};

static void	probe_io(evutil_socket_t, short, void *);

/* ------------------------------------------------------------------ */
/* Target parsing */

static int
perr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
perr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return 0;
}

static int
parse_port(const char *s, size_t len, uint16_t *port)
{
	unsigned long	 v = 0;
	size_t		 i;

	if (len == 0 || len > 5)
		return 0;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return 0;
	*port = (uint16_t)v;
	return 1;
}

static int
set_v4(struct ptarget *t, const char *host, uint16_t port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&t->ss;

	memset(&t->ss, 0, sizeof(t->ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return 0;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	t->sslen = sizeof(*sin);
	return 1;
}

static int
set_v6(struct ptarget *t, const char *host, uint16_t port)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&t->ss;

	memset(&t->ss, 0, sizeof(t->ss));
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
		return 0;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	t->sslen = sizeof(*sin6);
	return 1;
}

/* Split "[v6]:port", "host:port", "host" (dport > 0) into host and port. */
static int
split_hostport(const char *s, size_t len, int dport, char *host,
    size_t hostlen, uint16_t *port, int *v6, char *err, size_t errlen)
{
	const char	*h, *colon = NULL;
	size_t		 hl, i;

	*v6 = 0;
	if (len == 0)
		return perr(err, errlen, "missing host");
	if (s[0] == '[') {
		for (i = 1; i < len && s[i] != ']'; i++)
			;
		if (i == len)
			return perr(err, errlen, "missing ']' after IPv6 "
			    "address");
		h = s + 1;
		hl = i - 1;
		if (i + 1 < len) {
			if (s[i + 1] != ':')
				return perr(err, errlen, "expected ':PORT' "
				    "after ']'");
			colon = s + i + 1;
		}
		*v6 = 1;
	} else {
		for (i = 0; i < len; i++) {
			if (s[i] != ':')
				continue;
			if (colon != NULL)
				return perr(err, errlen, "IPv6 addresses "
				    "must be in brackets, e.g. [::1]:8080");
			colon = s + i;
		}
		h = s;
		hl = colon != NULL ? (size_t)(colon - s) : len;
	}
	if (hl == 0)
		return perr(err, errlen, "missing host");
	if (hl >= hostlen)
		return perr(err, errlen, "host too long");
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (colon == NULL) {
		if (dport <= 0)
			return perr(err, errlen, "missing port (expected "
			    "HOST:PORT or [IPV6]:PORT)");
		*port = (uint16_t)dport;
		return 1;
	}
	if (!parse_port(colon + 1, (size_t)(s + len - colon - 1), port))
		return perr(err, errlen, "invalid port \"%.*s\" (1-65535)",
		    (int)(s + len - colon - 1), colon + 1);
	return 1;
}

static int
parse_hostport(const char *s, size_t len, int dport, struct ptarget *t,
    char *err, size_t errlen)
{
	char		 host[PROBE_MAXTARGET + 1];
	uint16_t	 port = 0;
	int		 v6;

	if (!split_hostport(s, len, dport, host, sizeof(host), &port, &v6,
	    err, errlen))
		return 0;
	if (v6) {
		if (!set_v6(t, host, port))
			return perr(err, errlen, "invalid IPv6 address "
			    "\"%.64s\"", host);
		return 1;
	}
	if (strcasecmp(host, "localhost") == 0)
		return set_v4(t, "127.0.0.1", port);
	if (set_v4(t, host, port))
		return 1;
	return perr(err, errlen, "host \"%.64s\" is not an IP address: "
	    "health checks do not resolve host names (use an IPv4 "
	    "address, [IPv6] or localhost)", host);
}

static int
parse_path(const char *s, struct ptarget *t, char *err, size_t errlen)
{
	size_t	 n = 0, i;

	if (*s != '/')
		t->path[n++] = '/';
	for (i = 0; s[i] != '\0' && s[i] != '#'; i++) {
		if ((unsigned char)s[i] <= 0x20 ||
		    (unsigned char)s[i] >= 0x7f)
			return perr(err, errlen, "invalid character in URL "
			    "path (spaces and non-ASCII must be "
			    "%%-encoded)");
		t->path[n++] = s[i];
	}
	t->path[n] = '\0';
	return 1;
}

static int
parse_http(const char *s, struct ptarget *t, char *err, size_t errlen)
{
	const char	*a, *sep;
	size_t		 alen;

	if (strncasecmp(s, "https://", 8) == 0)
		return perr(err, errlen, "https is not supported by http "
		    "health checks (use http://, or a command check)");
	if (strncasecmp(s, "http://", 7) != 0) {
		if (strstr(s, "://") != NULL)
			return perr(err, errlen, "unsupported URL scheme "
			    "(only http:// is supported)");
		return perr(err, errlen, "URL must start with http://");
	}
	a = s + 7;
	alen = strcspn(a, "/?#");
	sep = a + alen;
	if (memchr(a, '@', alen) != NULL)
		return perr(err, errlen, "user information in the URL is "
		    "not supported");
	if (!parse_hostport(a, alen, 80, t, err, errlen))
		return 0;
	memcpy(t->authority, a, alen);
	t->authority[alen] = '\0';
	return parse_path(sep, t, err, errlen);
}

static int
parse_target(enum hc_type type, const char *target, struct ptarget *t,
    char *err, size_t errlen)
{
	size_t	 len;

	memset(t, 0, sizeof(*t));
	if (target == NULL || *target == '\0')
		return perr(err, errlen, "empty target");
	len = strlen(target);
	if (len > PROBE_MAXTARGET)
		return perr(err, errlen, "target longer than %d bytes",
		    PROBE_MAXTARGET);
	switch (type) {
	case HC_TCP:
		if (strstr(target, "://") != NULL)
			return perr(err, errlen, "tcp target must be "
			    "HOST:PORT, not a URL");
		return parse_hostport(target, len, 0, t, err, errlen);
	case HC_HTTP:
		return parse_http(target, t, err, errlen);
	default:
		return perr(err, errlen, "not an http or tcp check");
	}
}

int
probe_target_valid(enum hc_type type, const char *target, char *err,
    size_t errlen)
{
	struct ptarget	*t;
	int		 r;

	/* struct ptarget is large: keep it off the stack. */
	if ((t = malloc(sizeof(*t))) == NULL)
		return perr(err, errlen, "out of memory");
	r = parse_target(type, target, t, err, errlen);
	free(t);
	if (r && err != NULL && errlen > 0)
		err[0] = '\0';
	return r;
}

/* ------------------------------------------------------------------ */
/* Probes */

static void
probe_free(struct probe *p)
{
	if (p->ev_io != NULL)
		event_free(p->ev_io);
	if (p->ev_timer != NULL)
		event_free(p->ev_timer);
	if (p->ev_done != NULL)
		event_free(p->ev_done);
	if (p->fd != -1)
		(void)close(p->fd);
	free(p);
}

static void
probe_finish(struct probe *p, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
probe_finish(struct probe *p, int ok, const char *fmt, ...)
{
	va_list	 ap;

	if (p->phase == PH_DONE)
		return;
	p->phase = PH_DONE;
	(void)event_del(p->ev_io);
	(void)event_del(p->ev_timer);
	if (p->fd != -1) {
		(void)close(p->fd);
		p->fd = -1;
	}
	p->ok = ok;
	va_start(ap, fmt);
	(void)vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
	va_end(ap);
	event_active(p->ev_done, EV_TIMEOUT, 0);
}

static void
probe_done(evutil_socket_t fd, short ev, void *arg)
{
	struct probe	*p = arg;

	(void)fd;
	(void)ev;
	p->cb(p->arg, p->ok, p->detail);
	probe_free(p);
}

static void
probe_timeout(evutil_socket_t fd, short ev, void *arg)
{
	struct probe	*p = arg;

	(void)fd;
	(void)ev;
	probe_finish(p, 0, "timeout after %lld ms", (long long)p->timeout_ms);
}

/* Copy at most max printable characters of s for a detail message. */
static void
printable(char *dst, size_t dstlen, const char *s, size_t max)
{
	size_t	 i;

	for (i = 0; i + 1 < dstlen && i < max && s[i] != '\0'; i++)
		dst[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	dst[i] = '\0';
}

/* "HTTP/1.1 200 OK": the status code, or -1. */
static int
status_code(const char *l)
{
	if (strncmp(l, "HTTP/", 5) != 0)
		return -1;
	l += 5;
	if (!isdigit((unsigned char)l[0]) || l[1] != '.' ||
	    !isdigit((unsigned char)l[2]) || l[3] != ' ')
		return -1;
	l += 4;
	if (!isdigit((unsigned char)l[0]) || !isdigit((unsigned char)l[1]) ||
	    !isdigit((unsigned char)l[2]))
		return -1;
	if (l[3] != '\0' && l[3] != ' ')
		return -1;
	if (l[0] < '1' || l[0] > '5')
		return -1;
	return (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
}

static void
probe_status(struct probe *p)
{
	char	 shown[48];
	char	*nl;
	int	 code;

	if ((nl = memchr(p->line, '\n', p->linelen)) != NULL)
		*nl = '\0';
	else
		p->line[p->linelen] = '\0';
	p->line[strcspn(p->line, "\r")] = '\0';
	if ((code = status_code(p->line)) == -1) {
		printable(shown, sizeof(shown), p->line, 40);
		probe_finish(p, 0, "invalid HTTP status line \"%s\"", shown);
	} else if (code >= 200 && code <= 299)
		probe_finish(p, 1, "HTTP %d", code);
	else if (code >= 300 && code <= 399)
		probe_finish(p, 0, "HTTP %d (redirects are not followed)",
		    code);
	else
		probe_finish(p, 0, "HTTP %d", code);
}

static void
probe_read(struct probe *p)
{
	ssize_t	 n;

	n = recv(p->fd, p->line + p->linelen, PROBE_MAXLINE - p->linelen, 0);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		probe_finish(p, 0, "read: %s", strerror(errno));
		return;
	}
	if (n == 0) {
		if (p->linelen == 0)
			probe_finish(p, 0, "connection closed without a "
			    "response");
		else
			probe_status(p);
		return;
	}
	p->linelen += (size_t)n;
	if (memchr(p->line, '\n', p->linelen) != NULL)
		probe_status(p);
	else if (p->linelen >= PROBE_MAXLINE)
		probe_finish(p, 0, "invalid HTTP response: status line "
		    "longer than %d bytes", PROBE_MAXLINE);
}

static void
probe_send(struct probe *p)
{
	ssize_t	 n;

	n = send(p->fd, p->req + p->reqoff, p->reqlen - p->reqoff,
	    MSG_NOSIGNAL);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		probe_finish(p, 0, "send: %s", strerror(errno));
		return;
	}
	p->reqoff += (size_t)n;
	if (p->reqoff < p->reqlen)
		return;
	p->phase = PH_READ;
	(void)event_del(p->ev_io);
	if (event_assign(p->ev_io, p->base, p->fd, EV_READ | EV_PERSIST,
	    probe_io, p) == -1 || event_add(p->ev_io, NULL) == -1)
		probe_finish(p, 0, "internal error: event setup failed");
}

static void
probe_connected(struct probe *p)
{
	int		 err = 0;
	socklen_t	 len = sizeof(err);

	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == EINPROGRESS)
		return;
	if (err != 0) {
		probe_finish(p, 0, "connect: %s", strerror(err));
		return;
	}
	if (p->type == HC_TCP) {
		probe_finish(p, 1, "connected");
		return;
	}
	p->phase = PH_SEND;
	probe_send(p);
}

static void
probe_io(evutil_socket_t fd, short ev, void *arg)
{
	struct probe	*p = arg;

	(void)fd;
	(void)ev;
	switch (p->phase) {
	case PH_CONNECT:
		probe_connected(p);
		break;
	case PH_SEND:
		probe_send(p);
		break;
	case PH_READ:
		probe_read(p);
		break;
	case PH_DONE:
		break;
	}
}

static int
probe_request(struct probe *p)
{
	int	 n;

	if (p->type != HC_HTTP)
		return 0;
	n = snprintf(p->req, sizeof(p->req),
	    "GET %s HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "User-Agent: sysg-health/" SYSG_VERSION "\r\n"
	    "Accept: */*\r\n"
	    "Connection: close\r\n"
	    "\r\n", p->t.path, p->t.authority);
	if (n < 0 || (size_t)n >= sizeof(p->req))
		return -1;
	p->reqlen = (size_t)n;
	return 0;
}

/* Create the socket and start connecting; failures go through cb. */
static void
probe_connect(struct probe *p)
{
	struct timeval	 tv;

	tv.tv_sec = p->timeout_ms / 1000;
	tv.tv_usec = (p->timeout_ms % 1000) * 1000;
	if (evtimer_add(p->ev_timer, &tv) == -1) {
		probe_finish(p, 0, "internal error: timer setup failed");
		return;
	}
	p->fd = socket(p->t.ss.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd == -1) {
		probe_finish(p, 0, "socket: %s", strerror(errno));
		return;
	}
	if (connect(p->fd, (struct sockaddr *)&p->t.ss, p->t.sslen) == -1 &&
	    errno != EINPROGRESS && errno != EINTR) {
		probe_finish(p, 0, "connect: %s", strerror(errno));
		return;
	}
	if (event_assign(p->ev_io, p->base, p->fd, EV_WRITE | EV_PERSIST,
	    probe_io, p) == -1 || event_add(p->ev_io, NULL) == -1)
		probe_finish(p, 0, "internal error: event setup failed");
}

struct probe *
probe_start(struct event_base *base, enum hc_type type, const char *target,
    int64_t timeout_ms, probe_cb cb, void *arg)
{
	struct probe	*p;
	char		 err[256];

	if (base == NULL || cb == NULL || (type != HC_HTTP && type != HC_TCP))
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		log_warn("%s: calloc", __func__);
		return NULL;
	}
	p->fd = -1;
	p->base = base;
	p->type = type;
	p->cb = cb;
	p->arg = arg;
	p->timeout_ms = timeout_ms > 0 ? timeout_ms : PROBE_DEFAULT_MS;
	if (!parse_target(type, target, &p->t, err, sizeof(err))) {
		log_warnx("health probe: %s", err);
		probe_free(p);
		return NULL;
	}
	if (probe_request(p) == -1) {
		log_warnx("health probe: request too long");
		probe_free(p);
		return NULL;
	}
	p->ev_timer = evtimer_new(base, probe_timeout, p);
	p->ev_done = event_new(base, -1, 0, probe_done, p);
	/* Assigned to the socket later; -1 and no events for now. */
	p->ev_io = event_new(base, -1, 0, probe_io, p);
	if (p->ev_timer == NULL || p->ev_done == NULL || p->ev_io == NULL) {
		log_warnx("health probe: event_new failed");
		probe_free(p);
		return NULL;
	}
	probe_connect(p);
	return p;
}

void
probe_cancel(struct probe *p)
{
	if (p != NULL)
		probe_free(p);
}
