/*
 * imsg-style framing.  The header is in host byte order: it never leaves
 * the machine.  A message that announces an fd must find one in the fd
 * queue when it is assembled, else it is a protocol error.
 */

#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"
#include "log.h"

#define IMSG_READ_CHUNK	16384
#define IMSG_IOV_MAX	64

void
imsgbuf_init(struct imsgbuf *ib, int fd, size_t maxpayload, int allow_fds)
{
	memset(ib, 0, sizeof(*ib));
	ib->fd = fd;
	ib->maxpayload = maxpayload;
	ib->allow_fds = allow_fds;
	ib->pid = (uint32_t)getpid();
	TAILQ_INIT(&ib->wq);
}

void
imsgbuf_clear(struct imsgbuf *ib)
{
	struct imsg_out	*m;
	size_t		 i;

	while ((m = TAILQ_FIRST(&ib->wq)) != NULL) {
		TAILQ_REMOVE(&ib->wq, m, entry);
		if (m->fd != -1)
			close(m->fd);
		free(m);
	}
	ib->wqbytes = 0;
	for (i = 0; i < ib->nfdq; i++)
		close(ib->fdq[i]);
	ib->nfdq = 0;
	free(ib->rbuf);
	ib->rbuf = NULL;
	ib->rpos = ib->rlen = ib->rsize = 0;
}

int
imsg_compose(struct imsgbuf *ib, uint32_t type, uint32_t peerid, pid_t pid,
    int fd, const void *data, size_t len)
{
	struct imsg_out	*m;
	struct imsg_hdr	 hdr;

	if (len > ib->maxpayload || (len > 0 && data == NULL)) {
		errno = EMSGSIZE;
		if (fd != -1)
			close(fd);
		return -1;
	}
	if ((m = malloc(sizeof(*m) + IMSG_HDRSZ + len)) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = (uint32_t)len;
	hdr.peerid = peerid;
	hdr.pid = pid ? (uint32_t)pid : ib->pid;
	hdr.flags = fd != -1 ? IMSGF_HASFD : 0;
	memcpy(m->buf, &hdr, IMSG_HDRSZ);
	if (len > 0)
		memcpy(m->buf + IMSG_HDRSZ, data, len);
	m->len = IMSG_HDRSZ + len;
	m->off = 0;
	m->fd = fd;
	TAILQ_INSERT_TAIL(&ib->wq, m, entry);
	ib->wqbytes += m->len;
	return 0;
}

size_t
imsgbuf_queued(const struct imsgbuf *ib)
{
	return ib->wqbytes;
}

/* Keep the fds that came with a read; extra ones are closed. */
static int
imsgbuf_take_fds(struct imsgbuf *ib, struct msghdr *msg)
{
	struct cmsghdr	*cm;
	size_t		 i, n;
	int		*fds, bad = 0;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		fds = (int *)CMSG_DATA(cm);
		for (i = 0; i < n; i++) {
			if (!ib->allow_fds || ib->nfdq >= IMSG_FDQ_MAX ||
			    i > 0) {
				close(fds[i]);
				bad = 1;
				continue;
			}
			ib->fdq[ib->nfdq++] = fds[i];
		}
	}
	if (msg->msg_flags & MSG_CTRUNC)
		bad = 1;
	return bad ? -1 : 0;
}

ssize_t
imsgbuf_read(struct imsgbuf *ib)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * 4)];
	} cmsgbuf;
	unsigned char	*nb;
	ssize_t		 n;
	size_t		 want;

	if (ib->rpos > 0) {
		memmove(ib->rbuf, ib->rbuf + ib->rpos, ib->rlen - ib->rpos);
		ib->rlen -= ib->rpos;
		ib->rpos = 0;
	}
	want = ib->rlen + IMSG_READ_CHUNK;
	if (want > ib->rsize) {
		if ((nb = realloc(ib->rbuf, want)) == NULL)
			return -1;
		ib->rbuf = nb;
		ib->rsize = want;
	}
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = ib->rbuf + ib->rlen;
	iov.iov_len = ib->rsize - ib->rlen;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = &cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);
	while ((n = recvmsg(ib->fd, &msg, MSG_CMSG_CLOEXEC)) == -1 &&
	    errno == EINTR)
		;
	if (n == -1)
		return -1;
	if (imsgbuf_take_fds(ib, &msg) == -1) {
		errno = EBADMSG;
		return -1;
	}
	ib->rlen += (size_t)n;
	return n;
}

/* One sendmsg: a buffer with an fd only goes first in a batch. */
int
imsgbuf_write(struct imsgbuf *ib)
{
	struct iovec	 iov[IMSG_IOV_MAX];
	struct msghdr	 msg;
	struct imsg_out	*m, *first;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct cmsghdr	*cm;
	size_t		 i = 0;
	ssize_t		 n;

	if ((first = TAILQ_FIRST(&ib->wq)) == NULL)
		return 0;
	TAILQ_FOREACH(m, &ib->wq, entry) {
		if (i == IMSG_IOV_MAX || (m != first && m->fd != -1))
			break;
		iov[i].iov_base = m->buf + m->off;
		iov[i].iov_len = m->len - m->off;
		i++;
	}
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = i;
	if (first->fd != -1 && first->off == 0) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		msg.msg_control = &cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cm), &first->fd, sizeof(int));
	}
	while ((n = sendmsg(ib->fd, &msg, MSG_NOSIGNAL)) == -1 &&
	    errno == EINTR)
		;
	if (n == -1)
		return (errno == EAGAIN || errno == ENOBUFS) ? 0 : -1;
	if (first->fd != -1) {
		/* The fd travelled with the first byte. */
		close(first->fd);
		first->fd = -1;
	}
	ib->wqbytes -= (size_t)n;
	while (n > 0 && (m = TAILQ_FIRST(&ib->wq)) != NULL) {
		size_t left = m->len - m->off;

		if ((size_t)n < left) {
			m->off += (size_t)n;
			break;
		}
		n -= (ssize_t)left;
		TAILQ_REMOVE(&ib->wq, m, entry);
		free(m);
	}
	return 0;
}

/* Write until the queue is empty or the socket is full. */
static int
imsgbuf_drain(struct imsgbuf *ib)
{
	size_t	 before;

	do {
		before = ib->wqbytes;
		if (imsgbuf_write(ib) == -1)
			return -1;
	} while (ib->wqbytes > 0 && ib->wqbytes < before);
	return 0;
}

/* Blocking flush, for the command-line client. */
int
imsgbuf_flush(struct imsgbuf *ib)
{
	struct pollfd	 pfd;

	while (!TAILQ_EMPTY(&ib->wq)) {
		if (imsgbuf_write(ib) == -1)
			return -1;
		if (TAILQ_EMPTY(&ib->wq))
			break;
		pfd.fd = ib->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 5000) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}

/*
 * Take one complete message out of the read buffer: 1 on success, 0 if
 * more bytes are needed, -1 on a protocol error (the channel is dead).
 */
int
imsg_get(struct imsgbuf *ib, struct imsg *im)
{
	struct imsg_hdr	 hdr;
	unsigned char	*p;
	size_t		 total, avail;

	memset(im, 0, sizeof(*im));
	im->fd = -1;
	avail = ib->rlen - ib->rpos;
	if (avail < IMSG_HDRSZ)
		return 0;
	p = ib->rbuf + ib->rpos;
	memcpy(&hdr, p, IMSG_HDRSZ);
	if (hdr.len > ib->maxpayload || (hdr.flags & ~IMSGF_HASFD) != 0) {
		errno = ERANGE;
		return -1;
	}
	total = IMSG_HDRSZ + hdr.len;
	if (avail < total)
		return 0;
	if (hdr.flags & IMSGF_HASFD) {
		if (ib->nfdq == 0) {
			errno = EBADMSG;
			return -1;
		}
		im->fd = ib->fdq[0];
		memmove(ib->fdq, ib->fdq + 1, (ib->nfdq - 1) * sizeof(int));
		ib->nfdq--;
	}
	if ((im->data = malloc(hdr.len + 1)) == NULL) {
		if (im->fd != -1)
			close(im->fd);
		im->fd = -1;
		return -1;
	}
	memcpy(im->data, p + IMSG_HDRSZ, hdr.len);
	((char *)im->data)[hdr.len] = '\0';
	im->len = hdr.len;
	im->hdr = hdr;
	/* Taken: compacted by the next read, not once per message. */
	ib->rpos += total;
	if (ib->rpos == ib->rlen) {
		ib->rpos = ib->rlen = 0;
		/* Grown for a large message: give it back once drained. */
		if (ib->rsize > IMSG_READ_CHUNK) {
			free(ib->rbuf);
			ib->rbuf = NULL;
			ib->rsize = 0;
		}
	}
	return 1;
}

void
imsg_free(struct imsg *im)
{
	free(im->data);
	im->data = NULL;
	if (im->fd != -1)
		close(im->fd);
	im->fd = -1;
}

/* Exact-length check of a fixed payload. */
int
imsg_expect(const struct imsg *im, size_t len)
{
	if (im->len != len) {
		log_warnx("message type %u: length %zu, expected %zu",
		    im->hdr.type, im->len, len);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* libevent glue */

static void	imsgev_dispatch(int, short, void *);

void
imsgev_init(struct imsgev *iev, struct event_base *base, int fd,
    size_t maxpayload, int allow_fds, imsgev_handler handler,
    imsgev_closed closed, void *data)
{
	memset(iev, 0, sizeof(*iev));
	imsgbuf_init(&iev->ibuf, fd, maxpayload, allow_fds);
	iev->base = base;
	iev->handler = handler;
	iev->closed = closed;
	iev->data = data;
	iev->active = 1;
	imsgev_update(iev);
}

void
imsgev_update(struct imsgev *iev)
{
	short	 events = EV_READ;

	if (!iev->active)
		return;
	if (imsgbuf_queued(&iev->ibuf) > 0)
		events |= EV_WRITE;
	if (events == iev->events && event_initialized(&iev->ev))
		return;
	if (event_initialized(&iev->ev))
		event_del(&iev->ev);
	iev->events = events;
	/* Persistent: dispatch only re-adds the event when events change. */
	event_assign(&iev->ev, iev->base, iev->ibuf.fd, events | EV_PERSIST,
	    imsgev_dispatch, iev);
	if (event_add(&iev->ev, NULL) == -1)
		fatalx("event_add");
}

int
imsgev_compose(struct imsgev *iev, uint32_t type, uint32_t peerid,
    pid_t pid, int fd, const void *data, size_t len)
{
	if (!iev->active) {
		if (fd != -1)
			close(fd);
		errno = EPIPE;
		return -1;
	}
	if (imsg_compose(&iev->ibuf, type, peerid, pid, fd, data, len) == -1)
		return -1;
	imsgev_update(iev);
	return 0;
}

/*
 * Send what is queued now, as far as the socket takes it (a queued fd
 * stays open here until it is sent).  Errors are found again by the
 * write event.
 */
void
imsgev_flush(struct imsgev *iev)
{
	if (!iev->active)
		return;
	(void)imsgbuf_drain(&iev->ibuf);
	imsgev_update(iev);
}

size_t
imsgev_queued(const struct imsgev *iev)
{
	return imsgbuf_queued(&iev->ibuf);
}

void
imsgev_close(struct imsgev *iev)
{
	if (!iev->active)
		return;
	iev->active = 0;
	if (event_initialized(&iev->ev))
		event_del(&iev->ev);
	imsgbuf_clear(&iev->ibuf);
	close(iev->ibuf.fd);
	iev->ibuf.fd = -1;
}

static void
imsgev_lost(struct imsgev *iev)
{
	imsgev_close(iev);
	if (iev->closed != NULL)
		iev->closed(iev);
}

static void
imsgev_dispatch(int fd, short events, void *arg)
{
	struct imsgev	*iev = arg;
	struct imsg	 im;
	ssize_t		 n;
	int		 r;

	(void)fd;
	if (events & EV_WRITE) {
		if (imsgbuf_drain(&iev->ibuf) == -1) {
			log_debug("channel write: %s", strerror(errno));
			imsgev_lost(iev);
			return;
		}
	}
	if (events & EV_READ) {
		n = imsgbuf_read(&iev->ibuf);
		if (n == -1 && errno == EAGAIN)
			goto out;
		if (n <= 0) {
			if (n == -1)
				log_debug("channel read: %s", strerror(errno));
			imsgev_lost(iev);
			return;
		}
		while (iev->active && (r = imsg_get(&iev->ibuf, &im)) != 0) {
			if (r == -1) {
				log_warnx("malformed message on channel: %s",
				    strerror(errno));
				imsgev_lost(iev);
				return;
			}
			iev->handler(iev, &im);
			imsg_free(&im);
		}
		if (!iev->active)
			return;
	}
out:
	imsgev_update(iev);
}
