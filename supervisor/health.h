/*
 * Non-blocking http and tcp health probes, run inside the supervisor.
 *
 * A probe is one check: connect (tcp), or connect, send a GET and read
 * the status line (http).  It never blocks and never reads the
 * environment (no proxies).
 *
 * Targets:
 *	tcp	HOST:PORT or [V6ADDR]:PORT
 *	http	http://HOST[:PORT][/path[?query]]	(default port 80)
 * HOST is an IPv4 literal, a bracketed IPv6 literal or "localhost"
 * (127.0.0.1).  Other host names are rejected by probe_target_valid():
 * the supervisor is chrooted and sandboxed and cannot read resolv.conf
 * or talk to a resolver, so names are not resolved.  https is not
 * supported.
 *
 * Results: tcp succeeds when the connection is established.  http
 * succeeds on a 2xx status; anything else fails, redirects included
 * (they are not followed).  The detail says why: "connected",
 * "HTTP 200", "HTTP 503", "connect: Connection refused",
 * "timeout after 5000 ms", "invalid HTTP status line", ...
 * At most PROBE_MAXLINE bytes of the response are read.
 */

#ifndef HEALTH_H
#define HEALTH_H

#include <stddef.h>
#include <stdint.h>

#include "sysg.h"

struct event_base;
struct probe;

#define PROBE_MAXTARGET	2048	/* longest target, without NUL */
#define PROBE_MAXLINE	1024	/* longest accepted status line */
#define PROBE_DETAILMAX	256	/* details are shorter than this */

/* ok: 1 healthy, 0 failing.  detail: never NULL, valid during the call. */
typedef void	(*probe_cb)(void *arg, int ok, const char *detail);

/*
 * Start a probe of type HC_HTTP or HC_TCP.  timeout_ms <= 0 means the
 * config default (5000).  Returns NULL only on an immediate internal
 * failure (invalid type or target, out of memory, event setup); then
 * the callback never fires.  Otherwise cb fires exactly once, from the
 * event loop (never from inside probe_start), and the probe frees
 * itself after cb returns.  Socket errors (EMFILE, ...) are reported
 * through cb as failures.
 */
struct probe	*probe_start(struct event_base *, enum hc_type,
		    const char *target, int64_t timeout_ms, probe_cb cb,
		    void *arg);

/* Stop and free a probe whose callback has not fired yet: no callback. */
void		 probe_cancel(struct probe *);

/*
 * 1 if target is valid for the type (HC_HTTP or HC_TCP), else 0 with
 * a message in err (e.g. "https is not supported ...").
 */
int		 probe_target_valid(enum hc_type, const char *target,
		    char *err, size_t errlen);

#endif /* HEALTH_H */
