/*
 * Reading /proc for the spawner.  The spawner is a child subreaper, so
 * descendants that leave their process group or session come back to it
 * as children; these helpers find them and the live process tree under a
 * service.  Signals to processes that are not our children go through a
 * pidfd opened after checking the parent, so a recycled pid is never
 * signalled.
 */

#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "procscan.h"

/* Append, without looking for a duplicate. */
void
pidlist_push(struct pidlist *pl, pid_t pid)
{
	pid_t	*np;

	if (pl->n == pl->cap) {
		np = reallocarray(pl->pids, pl->cap ? pl->cap * 2 : 16,
		    sizeof(pid_t));
		if (np == NULL)
			fatal("reallocarray");
		pl->pids = np;
		pl->cap = pl->cap ? pl->cap * 2 : 16;
	}
	pl->pids[pl->n++] = pid;
}

void
pidlist_add(struct pidlist *pl, pid_t pid)
{
	if (!pidlist_has(pl, pid))
		pidlist_push(pl, pid);
}

int
pidlist_has(const struct pidlist *pl, pid_t pid)
{
	size_t	 i;

	for (i = 0; i < pl->n; i++)
		if (pl->pids[i] == pid)
			return 1;
	return 0;
}

void
pidlist_free(struct pidlist *pl)
{
	free(pl->pids);
	memset(pl, 0, sizeof(*pl));
}

static ssize_t
read_small(const char *path, char *buf, size_t len)
{
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* Parse a children file's "PID PID ..." onto out. */
static void
children_parse(const char *buf, struct pidlist *out)
{
	const char	*p = buf;
	char		*end;
	long		 v;

	for (;;) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (*p == '\0')
			return;
		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p)
			return;
		if (errno == 0 && v > 0 && v <= INT32_MAX)
			pidlist_push(out, (pid_t)v);
		p = end;
	}
}

/* One thread's children file, read whole (a subreaper's is long). */
static int
children_read(const char *path, struct pidlist *out)
{
	char	 small[512], *buf = small, *nb;
	size_t	 cap = sizeof(small), len = 0;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		if (len + 1 == cap) {
			if ((nb = malloc(cap * 4)) == NULL)
				fatal("malloc");
			memcpy(nb, buf, len);
			if (buf != small)
				free(buf);
			buf = nb;
			cap *= 4;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	children_parse(buf, out);
	if (buf != small)
		free(buf);
	return 0;
}

/*
 * Direct children of pid, from every thread's children list, appended
 * to out (no duplicate check: a subreaper may have thousands).  The
 * task directory's link count is 2 + its threads: a process of one
 * thread (most services) needs its one children file and no listing.
 */
int
proc_children(pid_t pid, struct pidlist *out)
{
	char		 path[320];
	struct stat	 st;
	DIR		*d;
	struct dirent	*de;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if (stat(path, &st) == -1)
		return -1;
	if (st.st_nlink == 3) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
		    (int)pid, (int)pid);
		if (children_read(path, out) == 0)
			return 0;
		/* Gone, or became threaded: look at every thread. */
		snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	}
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/children",
		    (int)pid, de->d_name);
		(void)children_read(path, out);
	}
	closedir(d);
	return 0;
}

/* pid and every live descendant that is still below it. */
void
proc_tree(pid_t pid, struct pidlist *out)
{
	struct pidlist	 kids = { 0 };
	size_t		 i, j;

	pidlist_add(out, pid);
	for (i = 0; i < out->n && i < 100000; i++) {
		kids.n = 0;
		proc_children(out->pids[i], &kids);
		for (j = 0; j < kids.n; j++)
			pidlist_add(out, kids.pids[j]);
	}
	pidlist_free(&kids);
}

/* The SYSG_SERVICE a process was started with, if any. */
int
proc_env_service(pid_t pid, char *name, size_t len)
{
	char	 path[64], buf[32768], *p;
	ssize_t	 n;
	size_t	 k;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	if ((n = read_small(path, buf, sizeof(buf))) <= 0)
		return -1;
	for (p = buf; p < buf + n; p += k + 1) {
		k = strnlen(p, (size_t)(buf + n - p));
		if (strncmp(p, "SYSG_SERVICE=", 13) == 0) {
			strlcpy(name, p + 13, len);
			return 0;
		}
	}
	return -1;
}

int
proc_stat(pid_t pid, pid_t *ppid, pid_t *pgid, uint64_t *start)
{
	char		 path[64], buf[1024], *p;
	int		 pp, pg;
	unsigned long long st;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	if (sscanf(p + 2, "%*c %d %d %*d %*d %*d %*u %*u %*u %*u %*u %*u "
	    "%*u %*d %*d %*d %*d %*d %*d %llu", &pp, &pg, &st) != 3)
		return -1;
	if (ppid != NULL)
		*ppid = pp;
	if (pgid != NULL)
		*pgid = pg;
	if (start != NULL)
		*start = st;
	return 0;
}

/*
 * Signal pid only if it is still the child of ppid: open a pidfd first,
 * then check, then signal through the pidfd.
 */
int
proc_signal(pid_t pid, pid_t ppid, int signo)
{
	pid_t	 cur;
	int	 pfd, r;

	if ((pfd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1)
		return -1;
	if (proc_stat(pid, &cur, NULL, NULL) == -1 || cur != ppid) {
		close(pfd);
		errno = ESRCH;
		return -1;
	}
	r = (int)syscall(SYS_pidfd_send_signal, pfd, signo, NULL, 0);
	close(pfd);
	return r;
}

int
proc_usage(pid_t pid, uint64_t *cpu_ms, uint64_t *rss)
{
	char		 path[64], buf[1024], *p;
	unsigned long long ut, stt;
	long		 rsspages, tck, pg;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%llu %llu %*d %*d %*d %*d %*d %*d %*u %*u %ld", &ut, &stt,
	    &rsspages) != 3)
		return -1;
	tck = sysconf(_SC_CLK_TCK);
	pg = sysconf(_SC_PAGESIZE);
	if (tck <= 0 || pg <= 0)
		return -1;
	*cpu_ms = (uint64_t)((ut + stt) * 1000ULL / (unsigned long long)tck);
	*rss = rsspages > 0 ? (uint64_t)rsspages * (uint64_t)pg : 0;
	return 0;
}
