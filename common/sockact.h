/*
 * Socket activation (cli.md, "Socket activation").
 *
 * At daemon start sockact_capture() takes the fds systemd passed
 * (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES), moves them to
 * SOCKACT_FDBASE or above (close-on-exec) so that fd 3 and the other
 * low fds stay free for the roles' channels, and removes the three
 * variables from the environment.  A role that receives the sockets
 * over a channel rebuilds the table with sockact_add().
 *
 * In a service child sockact_child_setup() puts the named sockets on
 * fds 3, 4, ... and adds LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID (the
 * child's own pid) to its environment.  Whatever the caller had on fds
 * 3 .. 3+n-1 is replaced: keep your own fds above that first.
 */

#ifndef SOCKACT_H
#define SOCKACT_H

#include <stddef.h>

#define SOCKACT_MAX		64	/* sockets taken from systemd */
#define SOCKACT_NAME_MAX	255	/* as systemd's FileDescriptorName= */
#define SOCKACT_FDBASE		100	/* captured fds live here or above */

struct sockact {
	size_t		 n;
	int		 fds[SOCKACT_MAX];
	char		 names[SOCKACT_MAX][SOCKACT_NAME_MAX + 1];
};

/* 0: done (sa->n may be 0: not activated); -1: bad variables (errno). */
int	 sockact_capture(struct sockact *);
/* Add one fd (made close-on-exec) under a name; -1 if full or bad. */
int	 sockact_add(struct sockact *, int fd, const char *name);
/* The fd for a name, -1 if none. */
int	 sockact_find(const struct sockact *, const char *name);
/* Close every fd and empty the table. */
void	 sockact_clear(struct sockact *);
/*
 * In the child, before exec: dup the named sockets to 3, 4, ...
 * (without close-on-exec) and replace *envp_io by a new malloc'd array:
 * the old entries (LISTEN_* ones dropped) plus the three variables.
 * n == 0 changes nothing.  -1 with errno ENOENT for an unknown name.
 */
int	 sockact_child_setup(const struct sockact *, char *const *names,
	    size_t n, char ***envp_io);

#endif /* SOCKACT_H */
