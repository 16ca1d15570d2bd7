/*
 * The CLI's end of control.sock: connect, exchange versions, send one
 * request, collect the reply.  Every wait has a deadline: a daemon that
 * is stopped or frozen never hangs the CLI (CTL_TIMEOUT_MS of silence).
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "paths.h"

static int
wait_msg(struct ctl_conn *c, struct imsg *im, char *err, size_t errlen)
{
	struct pollfd	 pfd;
	ssize_t		 n;
	int		 r;

	for (;;) {
		if ((r = imsg_get(&c->ib, im)) == 1)
			return 0;
		if (r == -1) {
			snprintf(err, errlen, "malformed reply: %s",
			    strerror(errno));
			return -1;
		}
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		if ((r = poll(&pfd, 1, CTL_TIMEOUT_MS)) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "poll: %s", strerror(errno));
			return -1;
		}
		if (r == 0) {
			snprintf(err, errlen, "the daemon did not answer "
			    "within %d s", CTL_TIMEOUT_MS / 1000);
			return -1;
		}
		n = imsgbuf_read(&c->ib);
		if (n == -1 && errno == EAGAIN)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "the daemon closed the "
			    "connection");
			return -1;
		}
	}
}

int
ctl_connect(const char *statedir, struct ctl_conn *c, char *err,
    size_t errlen)
{
	struct sockaddr_un	 sun;
	struct msg_hello	 h = { SYSG_PROTO_VERSION };
	struct imsg		 im;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (path_join(sun.sun_path, sizeof(sun.sun_path), statedir,
	    SYSG_SOCKET) == -1) {
		snprintf(err, errlen, "state directory path too long");
		return -1;
	}
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(c->fd);
		c->fd = -1;
		if (errno == ENOENT || errno == ECONNREFUSED)
			return 1;
		if (errno == EACCES || errno == EPERM) {
			snprintf(err, errlen, "permission denied: cannot reach "
			    "%s: %s", sun.sun_path, strerror(errno));
			return -1;
		}
		snprintf(err, errlen, "connect %s: %s", sun.sun_path,
		    strerror(errno));
		return -1;
	}
	imsgbuf_init(&c->ib, c->fd, IMSG_CTL_MAXPAYLOAD, 0);
	if (imsg_compose(&c->ib, IMSG_CTL_HELLO, 0, 0, -1, &h,
	    sizeof(h)) == -1 || imsgbuf_flush(&c->ib) == -1) {
		snprintf(err, errlen, "send: %s", strerror(errno));
		ctl_close(c);
		return -1;
	}
	if (wait_msg(c, &im, err, errlen) == -1) {
		ctl_close(c);
		return -1;
	}
	if (im.hdr.type == IMSG_CTL_END && im.len ==
	    sizeof(struct msg_ctl_end)) {
		snprintf(err, errlen, "%s", ((struct msg_ctl_end *)
		    im.data)->text);
		imsg_free(&im);
		ctl_close(c);
		return -1;
	}
	if (im.hdr.type != IMSG_CTL_HELLO || im.len != sizeof(h)) {
		snprintf(err, errlen, "unexpected answer to hello");
		imsg_free(&im);
		ctl_close(c);
		return -1;
	}
	imsg_free(&im);
	return 0;
}

int
ctl_call(struct ctl_conn *c, json_t *req, struct ctl_result *res,
    void (*on_event)(const char *), char *err, size_t errlen)
{
	struct imsg	 im;
	struct msg_ctl_end end;
	char		*text, *buf = NULL, *nb;
	size_t		 len = 0;
	json_error_t	 jerr;

	memset(res, 0, sizeof(*res));
	if ((text = json_dumps(req, JSON_COMPACT)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (imsg_compose(&c->ib, IMSG_CTL_REQUEST, 0, 0, -1, text,
	    strlen(text)) == -1 || imsgbuf_flush(&c->ib) == -1) {
		free(text);
		snprintf(err, errlen, "send: %s", strerror(errno));
		return -1;
	}
	free(text);
	for (;;) {
		if (wait_msg(c, &im, err, errlen) == -1) {
			free(buf);
			return -1;
		}
		switch (im.hdr.type) {
		case IMSG_CTL_DATA:
			if ((nb = realloc(buf, len + im.len + 1)) == NULL) {
				imsg_free(&im);
				free(buf);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			buf = nb;
			memcpy(buf + len, im.data, im.len);
			len += im.len;
			buf[len] = '\0';
			break;
		case IMSG_CTL_EVENT:
			if (on_event != NULL)
				on_event(im.data);
			break;
		case IMSG_CTL_END:
			if (im.len != sizeof(end)) {
				imsg_free(&im);
				free(buf);
				snprintf(err, errlen, "malformed reply");
				return -1;
			}
			memcpy(&end, im.data, sizeof(end));
			end.text[sizeof(end.text) - 1] = '\0';
			res->code = end.exitcode;
			strlcpy(res->text, end.text, sizeof(res->text));
			if (buf != NULL)
				res->doc = json_loads(buf, 0, &jerr);
			free(buf);
			imsg_free(&im);
			return 0;
		default:
			break;
		}
		imsg_free(&im);
	}
}

void
ctl_close(struct ctl_conn *c)
{
	if (c->fd == -1)
		return;
	imsgbuf_clear(&c->ib);
	close(c->fd);
	c->fd = -1;
}

void
ctl_result_free(struct ctl_result *res)
{
	json_decref(res->doc);
	res->doc = NULL;
}
