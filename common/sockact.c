/*
 * Socket activation: take systemd's fds at start, hand them to services.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockact.h"

#define SA_FIRST_FD	3

static void
sa_unsetenv(void)
{
	(void)unsetenv("LISTEN_PID");
	(void)unsetenv("LISTEN_FDS");
	(void)unsetenv("LISTEN_FDNAMES");
}

/* A name as systemd allows it: printable ASCII, no ':'. */
static int
sa_name_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > SOCKACT_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == ':')
			return 0;
	return 1;
}

/* Split LISTEN_FDNAMES into sa->names; missing or empty -> "unknown". */
static int
sa_names(struct sockact *sa, size_t n, const char *names)
{
	const char	*p = names;
	size_t		 i, len;

	for (i = 0; i < n; i++) {
		len = p != NULL ? strcspn(p, ":") : 0;
		if (len == 0)
			strlcpy(sa->names[i], "unknown", sizeof(sa->names[i]));
		else if (!sa_name_ok(p, len)) {
			errno = EINVAL;
			return -1;
		} else {
			memcpy(sa->names[i], p, len);
			sa->names[i][len] = '\0';
		}
		if (p != NULL)
			p = p[len] == ':' ? p + len + 1 : NULL;
	}
	return 0;
}

int
sockact_capture(struct sockact *sa)
{
	const char	*pidstr, *fdstr, *errstr;
	long long	 pid, n;
	size_t		 i;
	int		 fd;

	memset(sa, 0, sizeof(*sa));
	pidstr = getenv("LISTEN_PID");
	fdstr = getenv("LISTEN_FDS");
	if (pidstr == NULL || fdstr == NULL) {
		sa_unsetenv();
		return 0;
	}
	pid = strtonum(pidstr, 1, INT_MAX, &errstr);
	if (errstr != NULL || pid != (long long)getpid()) {
		sa_unsetenv();	/* not meant for this process */
		return 0;
	}
	n = strtonum(fdstr, 0, INT_MAX, &errstr);
	if (errstr != NULL || n > SOCKACT_MAX) {
		errno = errstr != NULL ? EINVAL : E2BIG;
		return -1;
	}
	if (sa_names(sa, (size_t)n, getenv("LISTEN_FDNAMES")) == -1)
		return -1;
	for (i = 0; i < (size_t)n; i++)
		if (fcntl(SA_FIRST_FD + (int)i, F_GETFD) == -1)
			return -1;
	for (i = 0; i < (size_t)n; i++) {
		fd = fcntl(SA_FIRST_FD + (int)i, F_DUPFD_CLOEXEC,
		    SOCKACT_FDBASE);
		if (fd == -1) {
			sockact_clear(sa);
			return -1;
		}
		(void)close(SA_FIRST_FD + (int)i);
		sa->fds[sa->n++] = fd;
	}
	sa_unsetenv();
	return 0;
}

int
sockact_add(struct sockact *sa, int fd, const char *name)
{
	if (sa->n >= SOCKACT_MAX || fd < 0 ||
	    !sa_name_ok(name, strlen(name))) {
		errno = sa->n >= SOCKACT_MAX ? E2BIG : EINVAL;
		return -1;
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	strlcpy(sa->names[sa->n], name, sizeof(sa->names[sa->n]));
	sa->fds[sa->n++] = fd;
	return 0;
}

int
sockact_find(const struct sockact *sa, const char *name)
{
	size_t	 i;

	for (i = 0; i < sa->n; i++)
		if (strcmp(sa->names[i], name) == 0)
			return sa->fds[i];
	return -1;
}

void
sockact_clear(struct sockact *sa)
{
	size_t	 i;

	for (i = 0; i < sa->n; i++)
		(void)close(sa->fds[i]);
	memset(sa, 0, sizeof(*sa));
}

static int
sa_is_listen_var(const char *e)
{
	return strncmp(e, "LISTEN_PID=", 11) == 0 ||
	    strncmp(e, "LISTEN_FDS=", 11) == 0 ||
	    strncmp(e, "LISTEN_FDNAMES=", 15) == 0;
}

static char *
sa_joined(char *const *names, size_t n)
{
	size_t	 i, len = sizeof("LISTEN_FDNAMES=");
	char	*s;

	for (i = 0; i < n; i++)
		len += strlen(names[i]) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	strlcpy(s, "LISTEN_FDNAMES=", len);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strlcat(s, ":", len);
		strlcat(s, names[i], len);
	}
	return s;
}

static int
sa_env(char *const *names, size_t n, char ***envp_io)
{
	char	**old = *envp_io, **env;
	size_t	  i, k = 0, nold = 0;
	char	  num[64];

	while (old != NULL && old[nold] != NULL)
		nold++;
	if ((env = calloc(nold + 4, sizeof(*env))) == NULL)
		return -1;
	for (i = 0; i < nold; i++)
		if (!sa_is_listen_var(old[i]))
			env[k++] = old[i];
	(void)snprintf(num, sizeof(num), "LISTEN_FDS=%zu", n);
	env[k] = strdup(num);
	(void)snprintf(num, sizeof(num), "LISTEN_PID=%d", (int)getpid());
	env[k + 1] = strdup(num);
	env[k + 2] = sa_joined(names, n);
	if (env[k] == NULL || env[k + 1] == NULL || env[k + 2] == NULL) {
		for (i = k; i < k + 3; i++)
			free(env[i]);
		free(env);
		errno = ENOMEM;
		return -1;
	}
	env[k + 3] = NULL;
	*envp_io = env;
	return 0;
}

int
sockact_child_setup(const struct sockact *sa, char *const *names, size_t n,
    char ***envp_io)
{
	int	 tmp[SOCKACT_MAX], src;
	size_t	 i, j;

	if (n == 0)
		return 0;
	if (n > SOCKACT_MAX) {
		errno = E2BIG;
		return -1;
	}
	/* First above the target range, so no source is overwritten. */
	for (i = 0; i < n; i++) {
		if ((src = sockact_find(sa, names[i])) == -1)
			errno = ENOENT;
		if (src == -1 || (tmp[i] = fcntl(src, F_DUPFD_CLOEXEC,
		    SA_FIRST_FD + (int)n)) == -1) {
			for (j = 0; j < i; j++)
				(void)close(tmp[j]);
			return -1;
		}
	}
	for (i = 0; i < n; i++) {
		if (dup2(tmp[i], SA_FIRST_FD + (int)i) == -1)
			return -1;
		(void)close(tmp[i]);
	}
	return sa_env(names, n, envp_io);
}
