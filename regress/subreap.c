/*
 * Test wrapper: runs a black-box test as a child subreaper, so that every
 * process the test started (daemons included) stays our descendant, then
 * SIGKILLs, by pid, whatever is left and reaps it.
 *   subreap TIMEOUT_SECONDS COMMAND [ARG...]
 */

#include <sys/prctl.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pid_t	child;

static void
on_alarm(int sig)
{
	(void)sig;
	if (child > 0)
		kill(-child, SIGKILL);
	if (child > 0)
		kill(child, SIGKILL);
}

/* Kill every process whose parent is us; returns how many were found. */
static int
kill_children(void)
{
	char	 path[300], buf[512];
	DIR	*d;
	struct dirent *de;
	FILE	*f;
	int	 n = 0, ppid;
	char	*p;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) != NULL &&
		    (p = strrchr(buf, ')')) != NULL && p[2] != 'Z' &&
		    sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == getpid()) {
			kill(atoi(de->d_name), SIGKILL);
			n++;
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

int
main(int argc, char *argv[])
{
	int		 status = 0, st, tries;
	pid_t		 pid;

	if (argc < 3) {
		fprintf(stderr, "usage: subreap SECONDS CMD [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1) {
		perror("prctl");
		return 2;
	}
	if ((child = fork()) == -1) {
		perror("fork");
		return 2;
	}
	if (child == 0) {
		setpgid(0, 0);
		execvp(argv[2], argv + 2);
		perror("exec");
		_exit(127);
	}
	signal(SIGALRM, on_alarm);
	alarm((unsigned)atoi(argv[1]));
	while ((pid = waitpid(child, &status, 0)) == -1 && errno == EINTR)
		;
	alarm(0);
	/* Whatever the test left behind: kill by pid, reap, repeat. */
	for (tries = 0; tries < 100; tries++) {
		int n;

		while (waitpid(-1, &st, WNOHANG) > 0)
			;
		n = kill_children();
		while (waitpid(-1, &st, WNOHANG) > 0)
			;
		if (n == 0)
			break;
		usleep(20000);
	}
	if (tries > 0)
		fprintf(stderr, "subreap: killed leftover processes\n");
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
