/*
 * imsg-style framing over AF_UNIX stream sockets: a fixed header, a
 * bounded payload and at most one file descriptor per message, with an
 * output queue (back-pressure: callers look at imsgbuf_queued()).
 * imsgev glues an imsgbuf to a libevent event.
 */

#ifndef IMSG_H
#define IMSG_H

#include <sys/queue.h>
#include <sys/types.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <stddef.h>
#include <stdint.h>

struct imsg_hdr {
	uint32_t	 type;
	uint32_t	 len;		/* payload bytes after the header */
	uint32_t	 peerid;
	uint32_t	 pid;
	uint32_t	 flags;
};

#define IMSG_HDRSZ	sizeof(struct imsg_hdr)
#define IMSGF_HASFD	0x1
#define IMSG_FDQ_MAX	16

struct imsg {
	struct imsg_hdr	 hdr;
	int		 fd;		/* -1, or ours to close */
	void		*data;		/* NUL-terminated copy, len bytes */
	size_t		 len;
};

struct imsg_out {
	TAILQ_ENTRY(imsg_out) entry;
	size_t		 len;
	size_t		 off;
	int		 fd;
	unsigned char	 buf[];
};

struct imsgbuf {
	int		 fd;
	int		 allow_fds;
	size_t		 maxpayload;
	unsigned char	*rbuf;
	size_t		 rpos;		/* first byte not taken yet */
	size_t		 rlen;
	size_t		 rsize;
	int		 fdq[IMSG_FDQ_MAX];
	size_t		 nfdq;
	TAILQ_HEAD(, imsg_out) wq;
	size_t		 wqbytes;
	uint32_t	 pid;
};

void	imsgbuf_init(struct imsgbuf *, int fd, size_t maxpayload,
	    int allow_fds);
void	imsgbuf_clear(struct imsgbuf *);
int	imsg_compose(struct imsgbuf *, uint32_t type, uint32_t peerid,
	    pid_t pid, int fd, const void *data, size_t len);
ssize_t	imsgbuf_read(struct imsgbuf *);
int	imsgbuf_write(struct imsgbuf *);
int	imsgbuf_flush(struct imsgbuf *);
size_t	imsgbuf_queued(const struct imsgbuf *);
int	imsg_get(struct imsgbuf *, struct imsg *);
void	imsg_free(struct imsg *);
int	imsg_expect(const struct imsg *, size_t len);

struct imsgev;
typedef void	(*imsgev_handler)(struct imsgev *, struct imsg *);
typedef void	(*imsgev_closed)(struct imsgev *);

struct imsgev {
	struct imsgbuf	 ibuf;
	struct event	 ev;
	struct event_base *base;
	short		 events;
	int		 active;
	int		 dispatching;
	int		 dead;
	imsgev_handler	 handler;
	imsgev_closed	 closed;
	void		*data;
};

void	imsgev_init(struct imsgev *, struct event_base *, int fd,
	    size_t maxpayload, int allow_fds, imsgev_handler, imsgev_closed,
	    void *data);
int	imsgev_compose(struct imsgev *, uint32_t type, uint32_t peerid,
	    pid_t pid, int fd, const void *data, size_t len);
void	imsgev_update(struct imsgev *);
void	imsgev_close(struct imsgev *);
size_t	imsgev_queued(const struct imsgev *);
void	imsgev_flush(struct imsgev *);

#endif /* IMSG_H */
