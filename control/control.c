/*
 * The control role: accepts CLI connections on control.sock, checks peer
 * credentials for every request, and relays a fixed table of requests to
 * the supervisor (or, for reload, the parent).  Everything a client sends
 * is hostile: bounded frames, no fds, a version handshake first.
 */

#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"

#define CLIENTS_MAX	256

struct client {
	struct client	*next;
	uint32_t	 id;
	struct imsgev	 iev;
	uid_t		 uid;
	gid_t		 gid;
	pid_t		 pid;
	int		 hello;
	int		 readonly;	/* may only read */
	int		 busy;		/* a request is under way */
};

enum access {
	ACC_READ,
	ACC_WRITE
};

static const struct {
	const char	*cmd;
	enum access	 access;
	enum sysg_proc	 to;
} requests[] = {
	{ "status",	ACC_READ,	PROC_SUPERVISOR },
	{ "inspect",	ACC_READ,	PROC_SUPERVISOR },
	{ "wait",	ACC_READ,	PROC_SUPERVISOR },
	{ "start",	ACC_WRITE,	PROC_SUPERVISOR },
	{ "stop",	ACC_WRITE,	PROC_SUPERVISOR },
	{ "restart",	ACC_WRITE,	PROC_SUPERVISOR },
	{ "reload",	ACC_WRITE,	PROC_PARENT },
};

#define LINGER_MS	300	/* for replies to get out, at most */

static struct client	*clients;
static size_t		 nclients;
static uint32_t		 next_id = 1;
static int		 listen_fd = -1;
static struct event	*ev_accept;
static struct event	*ev_pause;
static uid_t		 daemon_uid;

static void
client_free(struct client *c)
{
	struct client	**pp;

	for (pp = &clients; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			nclients--;
			break;
		}
	imsgev_close(&c->iev);
	free(c);
	if (ev_accept != NULL && !event_pending(ev_accept, EV_READ, NULL))
		event_add(ev_accept, NULL);
}

static struct client *
client_find(uint32_t id)
{
	struct client	*c;

	for (c = clients; c != NULL; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void
client_end(struct client *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
client_end(struct client *c, int code, const char *fmt, ...)
{
	struct msg_ctl_end	 end;
	va_list			 ap;

	memset(&end, 0, sizeof(end));
	end.exitcode = code;
	va_start(ap, fmt);
	vsnprintf(end.text, sizeof(end.text), fmt, ap);
	va_end(ap);
	imsgev_compose(&c->iev, IMSG_CTL_END, 0, 0, -1, &end, sizeof(end));
}

/*
 * Members of group sysg may read in system mode.  The group database is
 * read once, before the sandbox takes /etc away: the gid, and the uids of
 * its members and of the accounts whose primary group it is.
 */
static struct {
	int	 exists;
	gid_t	 gid;
	uid_t	*uids;
	size_t	 n;
} sysg_group;

static void
sysg_group_add(uid_t uid)
{
	uid_t	*nu;

	if ((nu = reallocarray(sysg_group.uids, sysg_group.n + 1,
	    sizeof(uid_t))) == NULL)
		fatal("reallocarray");
	sysg_group.uids = nu;
	sysg_group.uids[sysg_group.n++] = uid;
}

static void
sysg_group_load(void)
{
	struct group	*gr;
	struct passwd	*pw;
	char	       **m;

	if ((gr = getgrnam("sysg")) == NULL)
		return;
	sysg_group.exists = 1;
	sysg_group.gid = gr->gr_gid;
	for (m = gr->gr_mem; *m != NULL; m++)
		if ((pw = getpwnam(*m)) != NULL)
			sysg_group_add(pw->pw_uid);
	setpwent();
	while ((pw = getpwent()) != NULL)
		if (pw->pw_gid == sysg_group.gid)
			sysg_group_add(pw->pw_uid);
	endpwent();
}

static int
in_group_sysg(uid_t uid, gid_t gid)
{
	size_t	 i;

	if (!sysg_group.exists)
		return 0;
	if (gid == sysg_group.gid)
		return 1;
	for (i = 0; i < sysg_group.n; i++)
		if (sysg_group.uids[i] == uid)
			return 1;
	return 0;
}

static int
client_access(struct client *c)
{
	if (!role->env.sysmode)
		return c->uid == daemon_uid ? 1 : -1;
	if (c->uid == 0)
		return 1;
	return in_group_sysg(c->uid, c->gid) ? 0 : -1;
}

static void
client_request(struct client *c, struct imsg *im)
{
	json_t		*req;
	json_error_t	 err;
	const char	*cmd;
	size_t		 i;
	int		 acc;

	if (c->busy) {
		client_end(c, 1, "one request at a time");
		return;
	}
	req = json_loadb(im->data, im->len, JSON_REJECT_DUPLICATES, &err);
	if (req == NULL || !json_is_object(req) ||
	    json_unpack(req, "{s:s}", "cmd", &cmd) == -1) {
		json_decref(req);
		client_end(c, 1, "malformed request");
		return;
	}
	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
		if (strcmp(requests[i].cmd, cmd) == 0)
			break;
	if (i == sizeof(requests) / sizeof(requests[0])) {
		json_decref(req);
		client_end(c, 1, "unknown request");
		return;
	}
	acc = client_access(c);
	if (acc < 0 || (acc == 0 && requests[i].access == ACC_WRITE)) {
		log_warnx("refused %s from uid %d pid %d", cmd, (int)c->uid,
		    (int)c->pid);
		json_decref(req);
		client_end(c, 4, "permission denied: uid %d may not %s",
		    (int)c->uid, acc < 0 ? "use this daemon" :
		    requests[i].cmd);
		return;
	}
	if (requests[i].access == ACC_WRITE)
		log_info("%s requested by uid %d pid %d", cmd, (int)c->uid,
		    (int)c->pid);
	json_decref(req);
	c->busy = 1;
	if (proc_send(requests[i].to, requests[i].to == PROC_PARENT ?
	    IMSG_RELOAD : IMSG_CTL_REQUEST, c->id, -1, im->data,
	    im->len) == -1) {
		c->busy = 0;
		client_end(c, 1, "daemon busy: %s unreachable",
		    proc_names[requests[i].to]);
	}
}

/*
 * A protocol error: send the error now and disconnect.  The shutdown makes
 * the next read see end-of-file, which frees the client outside dispatch.
 */
static void
client_reject(struct client *c)
{
	c->hello = -1;
	if (imsgbuf_write(&c->iev.ibuf) == -1)
		log_debug("client %u: %s", c->id, strerror(errno));
	shutdown(c->iev.ibuf.fd, SHUT_RDWR);
}

static void
client_dispatch(struct imsgev *iev, struct imsg *im)
{
	struct client		*c = iev->data;
	struct msg_hello	 h;

	if (!c->hello) {
		if (im->hdr.type != IMSG_CTL_HELLO || im->len != sizeof(h)) {
			client_end(c, 1, "protocol error: no hello");
			client_reject(c);
			return;
		}
		memcpy(&h, im->data, sizeof(h));
		if (h.version != SYSG_PROTO_VERSION) {
			client_end(c, 1, "protocol version %u, daemon "
			    "speaks %u", h.version, SYSG_PROTO_VERSION);
			client_reject(c);
			return;
		}
		c->hello = 1;
		h.version = SYSG_PROTO_VERSION;
		imsgev_compose(iev, IMSG_CTL_HELLO, 0, 0, -1, &h, sizeof(h));
		return;
	}
	if (c->hello < 0)
		return;
	if (im->hdr.type != IMSG_CTL_REQUEST) {
		client_end(c, 1, "protocol error: unexpected message");
		client_reject(c);
		return;
	}
	client_request(c, im);
}

static void
client_closed(struct imsgev *iev)
{
	client_free(iev->data);
}

static void
accept_resume(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	event_add(ev_accept, NULL);
}

static void
client_accept(int fd, short ev, void *arg)
{
	struct client	*c;
	struct ucred	 cred;
	socklen_t	 len = sizeof(cred);
	struct timeval	 tv = { 1, 0 };
	int		 s;

	(void)ev;
	(void)arg;
	if ((s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		if (errno == EMFILE || errno == ENFILE) {
			/* Do not spin: pause accepting for a second. */
			event_del(ev_accept);
			evtimer_add(ev_pause, &tv);
		}
		return;
	}
	if (nclients >= CLIENTS_MAX ||
	    getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		close(s);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(s);
		return;
	}
	c->id = next_id++;
	if (next_id == 0)
		next_id = 1;
	c->uid = cred.uid;
	c->gid = cred.gid;
	c->pid = cred.pid;
	imsgev_init(&c->iev, role->base, s, IMSG_CTL_MAXPAYLOAD, 0,
	    client_dispatch, client_closed, c);
	c->next = clients;
	clients = c;
	nclients++;
}

/* Replies from the supervisor or the parent, routed by client id. */
static void
relay_reply(struct imsg *im)
{
	static size_t	 relayed;
	struct client	*c;

	if ((c = client_find(im->hdr.peerid)) == NULL)
		return;
	switch (im->hdr.type) {
	case IMSG_CTL_DATA:
	case IMSG_CTL_EVENT:
		break;
	case IMSG_CTL_END:
		if (im->len != sizeof(struct msg_ctl_end))
			fatalx("malformed reply");
		c->busy = 0;
		break;
	default:
		fatalx("unexpected reply %u", im->hdr.type);
	}
	imsgev_compose(&c->iev, im->hdr.type, 0, 0, -1, im->data, im->len);
	/* A long reply (a status of every unit) comes in many pieces. */
	if ((relayed += im->len) >= PROC_TRIM_BYTES) {
		relayed = 0;
		proc_trim_soon();
	}
}

static void
control_peer_msg(enum sysg_proc from, struct imsg *im)
{
	if (from != PROC_SUPERVISOR)
		fatalx("message from unexpected peer");
	relay_reply(im);
}

static void
control_parent_msg(struct imsg *im)
{
	switch (im->hdr.type) {
	case IMSG_LISTENFD:
		if (im->fd == -1)
			fatalx("no listening socket");
		if (listen_fd != -1)
			close(listen_fd);
		listen_fd = im->fd;
		im->fd = -1;
		break;
	case IMSG_CTL_DATA:
	case IMSG_CTL_END:
	case IMSG_CTL_EVENT:
		relay_reply(im);
		break;
	default:
		fatalx("unexpected message %u from parent", im->hdr.type);
	}
}

static void
control_setup_done(void)
{
	if (listen_fd == -1)
		fatalx("no listening socket");
	daemon_uid = getuid();
	if (role->env.sysmode)
		sysg_group_load();
	proc_sandbox();
	proc_ready();
}

static void
control_go(void)
{
	if (fcntl(listen_fd, F_SETFL, O_NONBLOCK) == -1)
		fatal("fcntl");
	if ((ev_accept = event_new(role->base, listen_fd, EV_READ |
	    EV_PERSIST, client_accept, NULL)) == NULL ||
	    (ev_pause = evtimer_new(role->base, accept_resume, NULL)) ==
	    NULL || event_add(ev_accept, NULL) == -1)
		fatalx("accept event");
}

static void
control_peer_down(enum sysg_proc p)
{
	struct client	*c;

	if (p != PROC_SUPERVISOR)
		return;
	for (c = clients; c != NULL; c = c->next)
		if (c->busy) {
			c->busy = 0;
			client_end(c, 1, "supervisor restarted, try again");
		}
}

/* The daemon is going away: let replies in flight reach clients. */
/*
 * The parent is gone: the daemon is stopping.  Replies still queued for
 * clients (the one to the stop itself) are sent now; if a client's
 * socket does not take them all, they get LINGER_MS to get out, else we
 * go at once, without keeping the stop waiting.
 */
static void
control_parent_lost(void)
{
	struct timeval	 tv = { 0, LINGER_MS * 1000 };
	struct client	*c;
	int		 queued = 0;

	if (ev_accept != NULL)
		event_del(ev_accept);
	for (c = clients; c != NULL; c = c->next) {
		imsgev_flush(&c->iev);
		if (imsgev_queued(&c->iev) > 0)
			queued = 1;
	}
	if (queued)
		event_base_loopexit(role->base, &tv);
	else
		event_base_loopbreak(role->base);
}

static const struct role_ops control_ops = {
	.parent_msg = control_parent_msg,
	.peer_msg = control_peer_msg,
	.peer_down = control_peer_down,
	.setup_done = control_setup_done,
	.go = control_go,
	.parent_lost = control_parent_lost,
};

void
control_main(void)
{
	proc_role_main(PROC_CONTROL, &control_ops);
}
