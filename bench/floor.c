/*
 * floor: the smallest supervisor, the benchmark's yardstick.  It starts
 * every service with fork + execve (no shell), restarts one the moment
 * it dies, relays a logged service's stdout and stderr through a pipe
 * into its log file (read/write, 64 KiB), and on SIGTERM sends SIGTERM
 * to every service, reaps them, drains the pipes and exits.
 *
 *	floor [-p PIDFILE] SERVICES
 *
 * SERVICES: one service a line, "NAME<TAB>COMMAND<TAB>LOGFILE" (LOGFILE
 * "-": not captured).  COMMAND is split on blanks.
 */

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARGMAX	32

struct svc {
	char	*argv[ARGMAX];
	int	 logfd;
	int	 rfd;
	int	 wfd;
	pid_t	 pid;
};

extern char	**environ;

static struct svc	*svcs;
static int		 nsvc;
static int		 devnull;
static char		 buf[65536];

static void
die(const char *what)
{
	perror(what);
	exit(111);
}

static pid_t
start(struct svc *s)
{
	sigset_t	 none;
	pid_t		 pid;

	if ((pid = fork()) == -1) {
		perror("fork");
		return 0;
	}
	if (pid > 0)
		return pid;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	dup2(devnull, 0);
	if (s->wfd != -1) {
		dup2(s->wfd, 1);
		dup2(s->wfd, 2);
	}
	execve(s->argv[0], s->argv, environ);
	_exit(127);
}

static void
drain(struct svc *s)
{
	ssize_t	 r, w, off;

	while ((r = read(s->rfd, buf, sizeof(buf))) > 0)
		for (off = 0; off < r; off += w)
			if ((w = write(s->logfd, buf + off, r - off)) == -1) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				perror("write log");
				return;
			}
}

static void
load(const char *path)
{
	FILE	*f;
	char	*line = NULL, *name, *cmd, *log, *t;
	size_t	 cap = 0;
	ssize_t	 len;
	struct svc *s;
	int	 p[2], ac;

	if ((f = fopen(path, "r")) == NULL)
		die(path);
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if ((name = strtok(line, "\t")) == NULL ||
		    (cmd = strtok(NULL, "\t")) == NULL)
			continue;
		log = strtok(NULL, "\t");
		if ((svcs = realloc(svcs, (nsvc + 1) * sizeof(*svcs))) == NULL)
			die("realloc");
		s = &svcs[nsvc++];
		memset(s, 0, sizeof(*s));
		s->logfd = s->rfd = s->wfd = -1;
		cmd = strdup(cmd);
		for (ac = 0, t = strtok(cmd, " "); t != NULL && ac < ARGMAX - 1;
		    t = strtok(NULL, " "))
			s->argv[ac++] = t;
		if (log == NULL || strcmp(log, "-") == 0)
			continue;
		if ((s->logfd = open(log, O_WRONLY | O_CREAT | O_APPEND |
		    O_CLOEXEC, 0644)) == -1)
			die(log);
		if (pipe2(p, O_CLOEXEC) == -1)
			die("pipe");
		s->rfd = p[0];
		s->wfd = p[1];
		fcntl(s->rfd, F_SETFL, O_NONBLOCK);
	}
	free(line);
	fclose(f);
}

int
main(int argc, char *argv[])
{
	struct epoll_event	 ev, evs[64];
	struct signalfd_siginfo	 si;
	sigset_t		 set;
	FILE			*pf;
	pid_t			 pid;
	int			 ep, sfd, i, n, st, stopping = 0, alive;

	if (argc == 4 && strcmp(argv[1], "-p") == 0) {
		if ((pf = fopen(argv[2], "w")) == NULL)
			die(argv[2]);
		fprintf(pf, "%d\n", (int)getpid());
		fclose(pf);
		argv += 2;
		argc -= 2;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: floor [-p pidfile] services\n");
		return 100;
	}
	load(argv[1]);
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		die("/dev/null");
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) == -1 ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("signalfd");
	ev.events = EPOLLIN;
	ev.data.u32 = 0;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	for (i = 0; i < nsvc; i++)
		if (svcs[i].rfd != -1) {
			ev.data.u32 = (uint32_t)i + 1;
			epoll_ctl(ep, EPOLL_CTL_ADD, svcs[i].rfd, &ev);
		}
	for (i = 0; i < nsvc; i++)
		svcs[i].pid = start(&svcs[i]);
	for (;;) {
		if ((n = epoll_wait(ep, evs, 64, -1)) == -1) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (i = 0; i < n; i++)
			if (evs[i].data.u32 > 0)
				drain(&svcs[evs[i].data.u32 - 1]);
		while (read(sfd, &si, sizeof(si)) == sizeof(si))
			if (si.ssi_signo != SIGCHLD && !stopping) {
				stopping = 1;
				for (i = 0; i < nsvc; i++)
					if (svcs[i].pid > 0)
						kill(svcs[i].pid, SIGTERM);
			}
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			for (i = 0; i < nsvc; i++)
				if (svcs[i].pid == pid) {
					svcs[i].pid = stopping ? 0 :
					    start(&svcs[i]);
					break;
				}
		if (!stopping)
			continue;
		for (i = 0, alive = 0; i < nsvc; i++)
			alive |= svcs[i].pid > 0;
		if (!alive)
			break;
	}
	for (i = 0; i < nsvc; i++)
		if (svcs[i].rfd != -1)
			drain(&svcs[i]);
	return 0;
}
