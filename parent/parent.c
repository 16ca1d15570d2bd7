/*
 * The parent: owns paths and the configuration, forks the four roles
 * (fork + re-exec with a role flag, channel on fd 3), wires their
 * channels, runs the start-up barrier, restarts a dead unprivileged role,
 * and applies reloads.  It never parses client input.
 */

#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "confjson.h"
#include "confwire.h"
#include "imsg.h"
#include "log.h"
#include "parent.h"
#include "paths.h"
#include "proc.h"
#include "procscan.h"
#include "sandbox.h"
#include "sockact.h"

#define ROLE_RESTARTS_MAX	5	/* in ROLE_RESTART_WINDOW seconds */
#define ROLE_RESTART_WINDOW	60

/*
 * A configuration generation as the parent keeps it: each unit in its
 * wire form only (the parent never looks inside a unit again), which is
 * what it sends to a role and resends to a restarted one.
 */
struct packed {
	char		*file;
	struct strpool	*pool;		/* env entries, sent by number */
	void		**blob;
	size_t		*len;
	bool		*cron;
	size_t		 n;
};

struct rolech {
	pid_t		 pid;
	struct imsgev	 iev;
	int		 ready;
	int		 restarted;
	int		 nrestarts;
	time_t		 window;
};

static struct {
	struct event_base *base;
	struct sysg_env	 env;
	struct packed	*conf;
	char		*config_path;
	struct load_opts lo;
	uint32_t	 gen;
	struct rolech	 r[PROC_MAX];
	int		 listen_fd;
	int		 state_dirfd;
	int		 log_dirfd;
	int		 lock_fd;
	int		 status_fd;
	int		 logpipe;
	int		 go;
	int		 shutting_down;
	int		 exitcode;
	gid_t		 sysg_gid;
	struct packed	*reload_conf;
	uint32_t	 reload_client;
	struct event	*ev_kill;
} P;

static struct sockact	 parent_sa;
static const char	*sa_names[SOCKACT_MAX];

static void	role_start(enum sysg_proc);
static void	parent_exit(void);

static void
status_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
status_line(const char *fmt, ...)
{
	char	 buf[4096];
	va_list	 ap;
	int	 n;

	if (P.status_fd == -1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(P.status_fd, buf, (size_t)n) == -1)
		log_warn("status pipe");
	close(P.status_fd);
	P.status_fd = -1;
}

/* ------------------------------------------------------------------ */
/* Paths, lock, socket */

static int
take_lock(void)
{
	char	 path[4200];

	if (path_join(path, sizeof(path), P.env.statedir, SYSG_LOCKFILE) ==
	    -1)
		return -1;
	P.lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (P.lock_fd == -1) {
		log_warn("%s", path);
		return -1;
	}
	if (flock(P.lock_fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			return 1;
		log_warn("flock %s", path);
		return -1;
	}
	return 0;
}

static int
write_pidfile(void)
{
	char	 path[4200], buf[32];
	int	 fd, n;

	if (path_join(path, sizeof(path), P.env.statedir, SYSG_PIDFILE) == -1)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0644);
	if (fd == -1)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
open_socket(void)
{
	struct sockaddr_un	 sun;
	mode_t			 old;
	int			 s;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (path_join(sun.sun_path, sizeof(sun.sun_path), P.env.statedir,
	    SYSG_SOCKET) == -1) {
		log_warnx("state directory path too long for a socket");
		return -1;
	}
	/* We hold the lock: whatever socket is there is stale. */
	if (unlink(sun.sun_path) == -1 && errno != ENOENT) {
		log_warn("unlink %s", sun.sun_path);
		return -1;
	}
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	old = umask(0177);
	if (bind(s, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("bind %s", sun.sun_path);
		close(s);
		return -1;
	}
	umask(old);
	if (P.env.sysmode && P.sysg_gid != (gid_t)-1 &&
	    (chown(sun.sun_path, 0, P.sysg_gid) == -1 ||
	    chmod(sun.sun_path, 0660) == -1)) {
		log_warn("%s", sun.sun_path);
		close(s);
		return -1;
	}
	if ((!P.env.sysmode || P.sysg_gid == (gid_t)-1) &&
	    chmod(sun.sun_path, 0600) == -1) {
		log_warn("%s", sun.sun_path);
		close(s);
		return -1;
	}
	if (listen(s, 128) == -1) {
		log_warn("%s", sun.sun_path);
		close(s);
		return -1;
	}
	return s;
}

static void
remove_runtime_files(void)
{
	char	 path[4200];

	if (path_join(path, sizeof(path), P.env.statedir, SYSG_SOCKET) == 0)
		unlink(path);
	if (path_join(path, sizeof(path), P.env.statedir, SYSG_PIDFILE) == 0)
		unlink(path);
}

/* ------------------------------------------------------------------ */
/* Sending to roles */

static int
send_to(enum sysg_proc id, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	if (P.r[id].pid == 0 || !P.r[id].iev.active) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (imsgev_compose(&P.r[id].iev, type, peerid, 0, fd, data, len) ==
	    -1) {
		log_warn("send to %s", proc_names[id]);
		return -1;
	}
	return 0;
}

static void
packed_free(struct packed *pk)
{
	size_t	 i;

	if (pk == NULL)
		return;
	for (i = 0; i < pk->n; i++)
		free(pk->blob[i]);
	free(pk->blob);
	free(pk->len);
	free(pk->cron);
	free(pk->file);
	strpool_unref(pk->pool);
	free(pk);
}

/*
 * The wire form of a loaded configuration, which is freed.  NULL (and a
 * log line) if a unit does not read back from its wire form: no role
 * would take it.
 */
static struct packed *
packed_new(struct sysg_conf *conf)
{
	struct packed		*pk;
	struct unit_conf	*u;
	size_t			 i;

	if ((pk = calloc(1, sizeof(*pk))) == NULL ||
	    (pk->file = strdup(conf->file)) == NULL ||
	    (pk->blob = calloc(conf->nunits + 1, sizeof(*pk->blob))) == NULL ||
	    (pk->len = calloc(conf->nunits + 1, sizeof(*pk->len))) == NULL ||
	    (pk->cron = calloc(conf->nunits + 1, sizeof(*pk->cron))) == NULL)
		fatal("packed_new");
	pk->pool = strpool_new();
	for (i = 0; i < conf->nunits; i++, pk->n++) {
		pk->blob[i] = unit_pack(conf->units[i], pk->pool, &pk->len[i]);
		pk->cron[i] = conf->units[i]->is_cron;
		if ((u = unit_unpack(pk->blob[i], pk->len[i], pk->pool)) ==
		    NULL) {
			log_warnx("%s: cannot be encoded for the roles",
			    conf->units[i]->name);
			pk->n++;
			packed_free(pk);
			config_free(conf);
			return NULL;
		}
		unit_conf_free(u);
	}
	config_free(conf);
	malloc_trim(0);
	return pk;
}

/* The cron role is sent its cron jobs only. */
static int
conf_for(enum sysg_proc id, const struct packed *pk, size_t i)
{
	return id != PROC_CRON || pk->cron[i];
}

static void
send_config(enum sysg_proc id, const struct packed *pk, uint32_t gen,
    uint32_t peerid)
{
	struct msg_conf_begin	 cb;
	char			*buf, *strs;
	size_t			 i, flen, slen;

	flen = strlen(pk->file) + 1;
	strs = strings_pack(pk->pool, &slen);
	if ((buf = malloc(sizeof(cb) + flen + slen)) == NULL)
		fatal("malloc");
	cb.gen = gen;
	cb.nunits = 0;
	for (i = 0; i < pk->n; i++)
		cb.nunits += conf_for(id, pk, i);
	memcpy(buf, &cb, sizeof(cb));
	memcpy(buf + sizeof(cb), pk->file, flen);
	if (slen > 0)
		memcpy(buf + sizeof(cb) + flen, strs, slen);
	send_to(id, IMSG_CONF_BEGIN, peerid, -1, buf, sizeof(cb) + flen + slen);
	free(strs);
	free(buf);
	for (i = 0; i < pk->n; i++)
		if (conf_for(id, pk, i))
			send_to(id, IMSG_CONF_UNIT, peerid, -1, pk->blob[i],
			    pk->len[i]);
	send_to(id, IMSG_CONF_END, peerid, -1, &cb, sizeof(cb));
}

static void
send_dirfd(enum sysg_proc id, int dirfd, uint32_t kind)
{
	struct msg_dirfd	 d = { kind };
	int			 fd;

	if ((fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3)) == -1)
		fatal("dup");
	send_to(id, IMSG_DIRFD, 0, fd, &d, sizeof(d));
}

/* Connect two roles with a fresh socketpair. */
static void
wire(enum sysg_proc a, enum sysg_proc b)
{
	struct msg_peer	 pa = { (uint32_t)b }, pb = { (uint32_t)a };
	int		 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("socketpair");
	send_to(a, IMSG_PEER_FD, 0, sv[0], &pa, sizeof(pa));
	send_to(b, IMSG_PEER_FD, 0, sv[1], &pb, sizeof(pb));
}

/* The sockets inherited from systemd, for the spawner only. */
static void
send_sockets(void)
{
	size_t	 i;
	int	 fd;

	for (i = 0; i < parent_sa.n; i++) {
		if ((fd = fcntl(parent_sa.fds[i], F_DUPFD_CLOEXEC, 3)) == -1)
			fatal("dup");
		send_to(PROC_SPAWNER, IMSG_SOCKFD, 0, fd, parent_sa.names[i],
		    strlen(parent_sa.names[i]) + 1);
	}
}

/*
 * Socket activation: take the sockets systemd passed us, before
 * anything else uses fds or the environment.  Called by `sysg start`.
 */
void
parent_capture_sockets(void)
{
	size_t	 i;

	if (sockact_capture(&parent_sa) == -1)
		log_warnx("socket activation: malformed LISTEN_* variables");
	for (i = 0; i < parent_sa.n; i++)
		sa_names[i] = parent_sa.names[i];
}

static void
role_setup(enum sysg_proc id)
{
	struct msg_logfd	 lf;
	int			 fd;

	send_to(id, IMSG_ROLE_ENV, 0, -1, &P.env, sizeof(P.env));
	switch (id) {
	case PROC_SPAWNER:
		send_sockets();
		send_config(id, P.conf, P.gen, 0);
		break;
	case PROC_SUPERVISOR:
		send_dirfd(id, P.state_dirfd, DIRFD_STATE);
		send_dirfd(id, P.log_dirfd, DIRFD_LOGS);
		if (P.logpipe != -1 &&
		    (fd = fcntl(P.logpipe, F_DUPFD_CLOEXEC, 3)) != -1) {
			memset(&lf, 0, sizeof(lf));
			send_to(id, IMSG_LOGFD, 0, fd, &lf, sizeof(lf));
		}
		send_config(id, P.conf, P.gen, 0);
		break;
	case PROC_CRON:
		send_dirfd(id, P.state_dirfd, DIRFD_STATE);
		send_config(id, P.conf, P.gen, 0);
		break;
	case PROC_CONTROL:
		if ((fd = fcntl(P.listen_fd, F_DUPFD_CLOEXEC, 3)) == -1)
			fatal("dup");
		send_to(id, IMSG_LISTENFD, 0, fd, NULL, 0);
		break;
	default:
		break;
	}
	send_to(id, IMSG_SETUP_DONE, 0, -1, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* Roles */

static void
all_ready(void)
{
	uint32_t	 restarted = 0;
	int		 i;

	for (i = PROC_SPAWNER; i < PROC_MAX; i++)
		if (!P.r[i].ready)
			return;
	P.go = 1;
	for (i = PROC_SPAWNER; i < PROC_MAX; i++)
		send_to(i, IMSG_GO, 0, -1, &restarted, sizeof(restarted));
	log_info("daemon ready (pid %d), state in %s", (int)getpid(),
	    P.env.statedir);
	status_line("ok");
}

static void	reload_finish(uint32_t);

static void
reload_reply(uint32_t client, int code, json_t *doc, const char *text)
{
	struct msg_ctl_end	 end;
	char			*s;

	if (client == 0) {
		json_decref(doc);
		return;
	}
	if (doc != NULL && (s = json_dumps(doc, JSON_COMPACT)) != NULL) {
		if (strlen(s) < IMSG_CTL_MAXPAYLOAD - 1024)
			send_to(PROC_CONTROL, IMSG_CTL_DATA, client, -1, s,
			    strlen(s));
		free(s);
	}
	json_decref(doc);
	memset(&end, 0, sizeof(end));
	end.exitcode = code;
	strlcpy(end.text, text, sizeof(end.text));
	send_to(PROC_CONTROL, IMSG_CTL_END, client, -1, &end, sizeof(end));
}

static void
role_msg(struct imsgev *iev, struct imsg *im)
{
	enum sysg_proc	 id = (enum sysg_proc)(intptr_t)iev->data;
	struct rolech	*r = &P.r[id];
	uint32_t	 restarted = 1, gen;

	switch (im->hdr.type) {
	case IMSG_ROLE_READY:
		r->ready = 1;
		if (!P.go)
			all_ready();
		else
			send_to(id, IMSG_GO, 0, -1, &restarted,
			    sizeof(restarted));
		break;
	case IMSG_CONF_APPLIED:
		if (imsg_expect(im, sizeof(gen)) == -1)
			fatalx("malformed conf applied");
		memcpy(&gen, im->data, sizeof(gen));
		if (id == PROC_SPAWNER && P.reload_conf != NULL &&
		    gen == P.gen + 1)
			reload_finish(gen);
		/* The parse and the sent copies are gone: give them back. */
		malloc_trim(0);
		break;
	case IMSG_SHUTDOWN:
		if (id != PROC_SUPERVISOR)
			fatalx("shutdown from %s", proc_names[id]);
		parent_exit();
		break;
	case IMSG_RELOAD:
		if (id != PROC_CONTROL)
			fatalx("reload from %s", proc_names[id]);
		parent_reload(im->hdr.peerid, im->data, im->len);
		break;
	default:
		log_warnx("unexpected message %u from %s", im->hdr.type,
		    proc_names[id]);
		break;
	}
}

static void
role_closed(struct imsgev *iev)
{
	enum sysg_proc	 id = (enum sysg_proc)(intptr_t)iev->data;

	/* EOF on the channel: make sure the process is gone too. */
	if (P.r[id].pid > 0)
		kill(P.r[id].pid, SIGKILL);
}

static void
role_start(enum sysg_proc id)
{
	struct rolech	*r = &P.r[id];
	int		 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("socketpair");
	if ((r->pid = proc_exec_role(id, sv[1])) == -1)
		fatal("fork %s", proc_names[id]);
	close(sv[1]);
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) == -1)
		fatal("fcntl");
	imsgev_init(&r->iev, P.base, sv[0], IMSG_MAXPAYLOAD, 1, role_msg,
	    role_closed, (void *)(intptr_t)id);
	r->ready = 0;
}

static void
role_restart(enum sysg_proc id)
{
	struct rolech	*r = &P.r[id];
	time_t		 now = time(NULL);
	int		 i;

	if (now - r->window > ROLE_RESTART_WINDOW) {
		r->window = now;
		r->nrestarts = 0;
	}
	if (++r->nrestarts > ROLE_RESTARTS_MAX) {
		log_warnx("%s crashed %d times in %d s: giving up",
		    proc_names[id], r->nrestarts - 1, ROLE_RESTART_WINDOW);
		P.exitcode = 1;
		parent_exit();
		return;
	}
	log_warnx("%s died, restarting it", proc_names[id]);
	role_start(id);
	if (id == PROC_SUPERVISOR) {
		for (i = PROC_SPAWNER; i < PROC_MAX; i++)
			if (i != PROC_SUPERVISOR)
				wire(PROC_SUPERVISOR, i);
	} else
		wire(PROC_SUPERVISOR, id);
	role_setup(id);
}

/* The spawner is gone: its services came back to us.  Stop them all. */
static void
spawner_lost(void)
{
	struct pidlist	 pl = { 0 };
	size_t		 i;
	int		 j, role_pid;

	log_warnx("spawner died: stopping every service and exiting");
	P.exitcode = 1;
	if (proc_children(getpid(), &pl) == 0)
		for (i = 0; i < pl.n; i++) {
			for (j = PROC_SPAWNER, role_pid = 0; j < PROC_MAX; j++)
				if (P.r[j].pid == pl.pids[i])
					role_pid = 1;
			if (role_pid)
				continue;
			kill(-pl.pids[i], SIGKILL);
			kill(pl.pids[i], SIGKILL);
		}
	pidlist_free(&pl);
	parent_exit();
}

static void
on_sigchld(int fd, short ev, void *arg)
{
	pid_t		 pid;
	int		 status, i, alive = 0;

	(void)fd;
	(void)ev;
	(void)arg;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = PROC_SPAWNER; i < PROC_MAX; i++)
			if (P.r[i].pid == pid)
				break;
		if (i == PROC_MAX) {
			/* An orphaned service after a spawner crash. */
			continue;
		}
		P.r[i].pid = 0;
		P.r[i].ready = 0;
		imsgev_close(&P.r[i].iev);
		if (P.shutting_down)
			continue;
		if (!P.go) {
			status_line("error: %s exited during start-up",
			    proc_names[i]);
			P.exitcode = 1;
			parent_exit();
			continue;
		}
		if (i == PROC_SPAWNER)
			spawner_lost();
		else
			role_restart(i);
	}
	for (i = PROC_SPAWNER; i < PROC_MAX; i++)
		if (P.r[i].pid > 0)
			alive = 1;
	if (P.shutting_down && !alive) {
		remove_runtime_files();
		log_info("daemon stopped");
		exit(P.exitcode);
	}
}

static void
kill_roles(int fd, short ev, void *arg)
{
	int	 i;

	(void)fd;
	(void)ev;
	(void)arg;
	for (i = PROC_SPAWNER; i < PROC_MAX; i++)
		if (P.r[i].pid > 0)
			kill(P.r[i].pid, SIGKILL);
}

/*
 * Final step: close every channel; the roles see EOF and exit (the
 * spawner after stopping whatever still runs).  SIGCHLD collects them.
 */
static void
parent_exit(void)
{
	struct timeval	 tv = { 30, 0 };
	int		 i;

	if (P.shutting_down)
		return;
	P.shutting_down = 1;
	for (i = PROC_SPAWNER; i < PROC_MAX; i++)
		imsgev_close(&P.r[i].iev);
	/* Never hang: whatever is left after 30 s is killed. */
	if ((P.ev_kill = evtimer_new(P.base, kill_roles, NULL)) != NULL)
		evtimer_add(P.ev_kill, &tv);
	on_sigchld(-1, 0, NULL);
}

static void
on_sigterm(int fd, short ev, void *arg)
{
	static int	 count;

	(void)fd;
	(void)ev;
	(void)arg;
	if (++count > 1 || P.r[PROC_SUPERVISOR].pid == 0 || !P.go) {
		parent_exit();
		return;
	}
	log_info("signal received: stopping");
	send_to(PROC_SUPERVISOR, IMSG_SHUTDOWN_REQ, 0, -1, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* Reload */

static json_t *
errors_json(const struct errlist *errs)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < errs->n; i++)
		json_array_append_new(a, json_string(errs->lines[i]));
	return json_pack("{s:o}", "errors", a);
}

void
parent_reload(uint32_t client, const char *text, size_t len)
{
	struct errlist	 errs = { 0 };
	struct sysg_conf *c;
	struct packed	*nc;
	json_t		*req = NULL;
	const char	*path = NULL;
	char		*found;
	json_error_t	 jerr;

	if (P.reload_conf != NULL) {
		reload_reply(client, 1, NULL, "a reload is already under way");
		return;
	}
	if (text != NULL) {
		req = json_loadb(text, len, 0, &jerr);
		if (req == NULL || json_unpack(req, "{s?s}", "config",
		    &path) == -1) {
			json_decref(req);
			reload_reply(client, 1, NULL, "malformed request");
			return;
		}
	}
	found = path != NULL && path[0] != '\0' ? strdup(path) :
	    strdup(P.config_path);
	json_decref(req);
	if (found == NULL)
		fatal("strdup");
	if ((c = config_load(found, &P.lo, &errs)) != NULL &&
	    (nc = packed_new(c)) == NULL) {
		reload_reply(client, 1, NULL,
		    "a unit cannot be encoded, nothing changed");
		free(found);
		return;
	}
	if (c == NULL) {
		log_warnx("reload of %s refused: %zu errors, nothing changed",
		    found, errs.n);
		errlist_print(&errs, STDERR_FILENO);
		reload_reply(client, 1, errors_json(&errs),
		    "invalid configuration, nothing changed");
		errlist_free(&errs);
		free(found);
		return;
	}
	free(P.config_path);
	P.config_path = found;
	P.reload_conf = nc;
	P.reload_client = client;
	/* The spawner first: it must know the units before anyone asks. */
	send_config(PROC_SPAWNER, nc, P.gen + 1, 0);
}

static void
reload_finish(uint32_t gen)
{
	packed_free(P.conf);
	P.conf = P.reload_conf;
	P.reload_conf = NULL;
	P.gen = gen;
	send_config(PROC_CRON, P.conf, P.gen, 0);
	send_config(PROC_SUPERVISOR, P.conf, P.gen, P.reload_client);
	log_info("configuration reloaded from %s", P.config_path);
}

static void
on_sighup(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	log_info("SIGHUP: reloading");
	parent_reload(0, NULL, 0);
}

/* ------------------------------------------------------------------ */

/* supervisor.log belongs to the role user, like every log file. */
static int
suplog_create(uid_t uid, gid_t gid)
{
	char	 path[4200];
	int	 fd;

	if (path_join(path, sizeof(path), P.env.logdir, SYSG_SUPLOG) == -1)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW |
	    O_CLOEXEC, 0640);
	if (fd == -1)
		return -1;
	if (fchown(fd, uid, gid) == -1 || fchmod(fd, 0640) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * --sys: the state directory belongs to the role user (the supervisor
 * and cron write there), group sysg may reach control.sock; the log
 * directory is setgid sysg so log files are readable by the group; the
 * roles chroot to an empty root-owned directory.
 */
static int
sysmode_dirs(void)
{
	struct group	*gr;
	uid_t		 uid;
	gid_t		 gid, sg = (gid_t)-1;
	char		 name[64];

	if (mkdir("/run/sysg", 0755) == -1 && errno != EEXIST)
		return -1;
	if (mkdir(SYSG_EMPTY_DIR, 0555) == -1 && errno != EEXIST)
		return -1;
	if (chown(SYSG_EMPTY_DIR, 0, 0) == -1 || chmod(SYSG_EMPTY_DIR,
	    0555) == -1)
		return -1;
	if (sandbox_role_user(&uid, &gid, name, sizeof(name)) == -1)
		return -1;
	if ((gr = getgrnam("sysg")) != NULL)
		sg = gr->gr_gid;
	if (chown(P.env.statedir, uid, sg != (gid_t)-1 ? sg : gid) == -1 ||
	    chmod(P.env.statedir, sg != (gid_t)-1 ? 0710 : 0700) == -1)
		return -1;
	if (chown(P.env.logdir, uid, sg != (gid_t)-1 ? sg : gid) == -1 ||
	    chmod(P.env.logdir, sg != (gid_t)-1 ? 02750 : 0750) == -1)
		return -1;
	P.sysg_gid = sg;
	return suplog_create(uid, sg != (gid_t)-1 ? sg : gid);
}

static int
open_dirs(void)
{
	if (paths_make_dirs(&P.env) == -1)
		return -1;
	if (P.env.sysmode && sysmode_dirs() == -1) {
		log_warn("system mode directories");
		return -1;
	}
	P.state_dirfd = open(P.env.statedir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	P.log_dirfd = open(P.env.logdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (P.state_dirfd == -1 || P.log_dirfd == -1) {
		log_warn("open state directories");
		return -1;
	}
	return 0;
}

/* In the background, the daemon's own stderr becomes supervisor.log. */
static int
redirect_logs(void)
{
	int	 p[2], null;

	P.logpipe = -1;
	if (P.env.foreground)
		return 0;
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	if (dup2(null, STDIN_FILENO) == -1 || dup2(null, STDOUT_FILENO) ==
	    -1 || dup2(p[1], STDERR_FILENO) == -1)
		return -1;
	close(null);
	close(p[1]);
	P.logpipe = p[0];
	return 0;
}

static void
add_signal(int sig, event_callback_fn fn)
{
	struct event	*ev;

	if ((ev = evsignal_new(P.base, sig, fn, NULL)) == NULL ||
	    evsignal_add(ev, NULL) == -1)
		fatalx("signal event");
}

/* How the daemon loads its configuration (after parent_capture_sockets). */
void
parent_load_opts(struct load_opts *lo, const struct sysg_env *env)
{
	memset(lo, 0, sizeof(*lo));
	lo->sysmode = env->sysmode;
	lo->daemon_is_root = geteuid() == 0;
	lo->drop_privileges = env->drop_privileges;
	lo->sockets = sa_names;
	lo->nsockets = parent_sa.n;
	lo->check_sockets = 1;
}

int
parent_main(const struct sysg_env *env, const char *config_path,
    struct sysg_conf *conf, int status_fd)
{
	struct errlist	 errs = { 0 };
	int		 i, r;

	memset(&P, 0, sizeof(P));
	P.env = *env;
	P.env.started_ms = now_ms();
	P.status_fd = status_fd;
	P.listen_fd = P.state_dirfd = P.log_dirfd = P.lock_fd = -1;
	P.logpipe = -1;
	P.sysg_gid = (gid_t)-1;
	log_procname("parent");
	if (open_dirs() == -1) {
		status_line("error: cannot create %s: %s", P.env.statedir,
		    strerror(errno));
		return 1;
	}
	if ((r = take_lock()) != 0) {
		status_line(r == 1 ? "running" : "error: cannot lock %s",
		    P.env.statedir);
		return r == 1 ? 0 : 1;
	}
	parent_load_opts(&P.lo, env);
	if ((P.config_path = strdup(config_path)) == NULL)
		fatal("strdup");
	if (conf == NULL &&
	    (conf = config_load(P.config_path, &P.lo, &errs)) == NULL) {
		errlist_print(&errs, STDERR_FILENO);
		status_line("error: invalid configuration %s (%zu errors)",
		    P.config_path, errs.n);
		errlist_free(&errs);
		return 1;
	}
	if ((P.conf = packed_new(conf)) == NULL) {
		status_line("error: configuration %s cannot be encoded",
		    P.config_path);
		return 1;
	}
	if ((P.listen_fd = open_socket()) == -1 || write_pidfile() == -1) {
		status_line("error: cannot set up %s", P.env.statedir);
		return 1;
	}
	if (redirect_logs() == -1)
		fatal("log pipe");
	proc_title("parent");
	signal(SIGPIPE, SIG_IGN);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		log_warn("prctl subreaper");
	if ((P.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	add_signal(SIGCHLD, on_sigchld);
	add_signal(SIGTERM, on_sigterm);
	add_signal(SIGINT, on_sigterm);
	add_signal(SIGHUP, on_sighup);
	for (i = PROC_SPAWNER; i < PROC_MAX; i++)
		role_start(i);
	for (i = PROC_SPAWNER; i < PROC_MAX; i++)
		if (i != PROC_SUPERVISOR)
			wire(PROC_SUPERVISOR, i);
	for (i = PROC_SPAWNER; i < PROC_MAX; i++)
		role_setup(i);
	event_base_dispatch(P.base);
	return P.exitcode;
}
