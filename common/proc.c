/*
 * Role framework: every unprivileged role and the spawner run
 * proc_role_main(), which wires the channel to the parent (fd 3), takes
 * peer channels from IMSG_PEER_FD and implements the start-up barrier:
 * IMSG_SETUP_DONE -> role's setup_done() -> proc_ready() -> IMSG_GO.
 */

#include <sys/prctl.h>
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "sandbox.h"

const char *const proc_names[PROC_MAX] = {
	"parent", "spawner", "supervisor", "cron", "control"
};

struct role	*role;
static struct role role_storage;

uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
proc_role_id(const char *name)
{
	int	 i;

	for (i = PROC_SPAWNER; i < PROC_MAX; i++)
		if (strcmp(name, proc_names[i]) == 0)
			return i;
	return -1;
}

void
proc_title(const char *name)
{
	setproctitle("%s", name);
}

/*
 * Parent side: fork and re-exec ourselves as a role, with the channel
 * on fd 3 and nothing else but stdio.
 */
pid_t
proc_exec_role(enum sysg_proc id, int chanfd)
{
	char	*argv[4];
	pid_t	 pid;
	int	 fd;

	if ((pid = fork()) == -1)
		return -1;
	if (pid > 0)
		return pid;
	if (chanfd == ROLE_PARENT_FD) {
		if ((fd = fcntl(chanfd, F_GETFD)) == -1 ||
		    fcntl(chanfd, F_SETFD, fd & ~FD_CLOEXEC) == -1)
			_exit(127);
	} else if (dup2(chanfd, ROLE_PARENT_FD) == -1)
		_exit(127);
	closefrom(ROLE_PARENT_FD + 1);
	argv[0] = (char *)"sysg";
	argv[1] = (char *)"--role";
	argv[2] = (char *)proc_names[id];
	argv[3] = NULL;
	execv("/proc/self/exe", argv);
	_exit(127);
}

int
proc_send(enum sysg_proc to, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	struct imsgev	*iev;

	iev = to == PROC_PARENT ? &role->parent : role->peers[to];
	if (iev == NULL || !iev->active) {
		if (fd != -1)
			close(fd);
		errno = ENOTCONN;
		return -1;
	}
	if (imsgev_compose(iev, type, peerid, 0, fd, data, len) == -1) {
		log_warn("send %u to %s", type, proc_names[to]);
		return -1;
	}
	return 0;
}

int
proc_peer_up(enum sysg_proc p)
{
	return role->peers[p] != NULL && role->peers[p]->active;
}

void
proc_flush(enum sysg_proc p)
{
	struct imsgev	*iev;

	iev = p == PROC_PARENT ? &role->parent : role->peers[p];
	if (iev != NULL)
		imsgev_flush(iev);
}

size_t
proc_queued(enum sysg_proc p)
{
	struct imsgev	*iev;

	iev = p == PROC_PARENT ? &role->parent : role->peers[p];
	return iev != NULL && iev->active ? imsgev_queued(iev) : 0;
}

/*
 * Give the memory of a burst back to the kernel (malloc keeps what was
 * freed otherwise): a relayed status of a thousand units, a configuration
 * generation read and checked, a burst of spawns.  One one-shot timer,
 * armed only by such a burst, so an idle role never wakes for it; the
 * role's own trim hook runs with it.
 */
static void
trim_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	malloc_trim(0);
	if (role->ops->trim != NULL)
		role->ops->trim();
}

void
proc_trim_soon(void)
{
	static struct event	*ev;
	struct timeval		 tv = { 0, PROC_TRIM_DELAY_MS * 1000 };

	if (ev == NULL &&
	    (ev = evtimer_new(role->base, trim_cb, NULL)) == NULL)
		fatal("evtimer_new");
	if (!evtimer_pending(ev, NULL) && evtimer_add(ev, &tv) == -1)
		fatal("evtimer_add");
}

void
proc_ready(void)
{
	if (proc_send(PROC_PARENT, IMSG_ROLE_READY, 0, -1, NULL, 0) == -1)
		fatalx("cannot report ready");
}

static enum sysg_proc
peer_of(struct imsgev *iev)
{
	return (enum sysg_proc)(intptr_t)iev->data;
}

static void
peer_dispatch(struct imsgev *iev, struct imsg *im)
{
	role->ops->peer_msg(peer_of(iev), im);
}

static void
peer_closed(struct imsgev *iev)
{
	enum sysg_proc	 p = peer_of(iev);

	log_debug("channel to %s closed", proc_names[p]);
	if (role->peers[p] == iev) {
		role->peers[p] = NULL;
		if (role->ops->peer_down != NULL)
			role->ops->peer_down(p);
	}
	/* Freed later: we may be inside its own dispatch. */
	iev->dead = 1;
}

static void
peer_install(struct imsg *im)
{
	struct msg_peer	 mp;
	struct imsgev	*iev, *old;

	if (imsg_expect(im, sizeof(mp)) == -1 || im->fd == -1)
		fatalx("bad IMSG_PEER_FD");
	memcpy(&mp, im->data, sizeof(mp));
	if (mp.proc <= PROC_PARENT || mp.proc >= PROC_MAX)
		fatalx("bad peer %u", mp.proc);
	if ((old = role->peers[mp.proc]) != NULL) {
		role->peers[mp.proc] = NULL;
		imsgev_close(old);
		free(old);
	}
	if ((iev = calloc(1, sizeof(*iev))) == NULL)
		fatal("calloc");
	if (fcntl(im->fd, F_SETFL, O_NONBLOCK) == -1)
		fatal("fcntl");
	imsgev_init(iev, role->base, im->fd, IMSG_MAXPAYLOAD, 1,
	    peer_dispatch, peer_closed, (void *)(intptr_t)mp.proc);
	im->fd = -1;
	role->peers[mp.proc] = iev;
	log_debug("channel to %s up", proc_names[mp.proc]);
	if (role->ops->peer_up != NULL)
		role->ops->peer_up(mp.proc);
}

static void
parent_dispatch(struct imsgev *iev, struct imsg *im)
{
	(void)iev;
	switch (im->hdr.type) {
	case IMSG_ROLE_ENV:
		if (imsg_expect(im, sizeof(role->env)) == -1)
			fatalx("bad IMSG_ROLE_ENV");
		memcpy(&role->env, im->data, sizeof(role->env));
		role->env.statedir[sizeof(role->env.statedir) - 1] = '\0';
		role->env.logdir[sizeof(role->env.logdir) - 1] = '\0';
		role->have_env = 1;
		log_setlevel(role->env.loglevel);
		break;
	case IMSG_PEER_FD:
		peer_install(im);
		break;
	case IMSG_SETUP_DONE:
		if (!role->have_env)
			fatalx("setup done before environment");
		role->ops->setup_done();
		break;
	case IMSG_GO:
		if (im->len == sizeof(uint32_t))
			memcpy(&role->restarted, im->data, sizeof(uint32_t));
		if (role->ops->go != NULL)
			role->ops->go();
		break;
	default:
		role->ops->parent_msg(im);
		break;
	}
}

static void
parent_closed(struct imsgev *iev)
{
	(void)iev;
	log_debug("parent gone");
	if (role->ops->parent_lost != NULL)
		role->ops->parent_lost();
	else
		exit(0);
}

/*
 * The sandbox of an unprivileged role, applied after its last
 * privileged step.  common/sandbox.c holds the per-role details.
 */
void
proc_sandbox(void)
{
	sandbox_role(role->id, &role->env, role->env.sysmode ?
	    SYSG_EMPTY_DIR : NULL);
}

static void
raise_nofile(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit nofile");
	}
}

void
proc_role_main(enum sysg_proc id, const struct role_ops *ops)
{
	char	 title[32];

	role = &role_storage;
	role->id = id;
	role->ops = ops;
	snprintf(title, sizeof(title), "%s", proc_names[id]);
	log_procname(proc_names[id]);
	proc_title(title);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		log_warn("prctl pdeathsig");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	raise_nofile();
	if ((role->base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if (fcntl(ROLE_PARENT_FD, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(ROLE_PARENT_FD, F_SETFL, O_NONBLOCK) == -1)
		fatal("channel to parent");
	imsgev_init(&role->parent, role->base, ROLE_PARENT_FD,
	    IMSG_MAXPAYLOAD, 1, parent_dispatch, parent_closed, NULL);
	if (ops->init != NULL)
		ops->init();
	event_base_dispatch(role->base);
	exit(0);
}
