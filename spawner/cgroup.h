/*
 * Per-service cgroup v2 groups: <root>/<unit>, root from
 * limits.cgroup.root (default CGROUP_DEFAULT_ROOT).  Nothing here acts
 * on a unit without a limits.cgroup block.  A controller file that is
 * missing or refused is a warning, never a failure; only a group that
 * cannot be created (prepare) or entered (enter) fails a start.
 */

#ifndef CGROUP_H
#define CGROUP_H

#include <stddef.h>

#include "sysg.h"

#define CGROUP_DEFAULT_ROOT	"/sys/fs/cgroup/systemg"

/* "<root>/<unit>" into buf; -1 (EINVAL/ENAMETOOLONG) if it would escape. */
int	 cgroup_path(const struct unit_conf *, char *buf, size_t len);
/* Before fork: create the group, enable controllers, write the limits. */
int	 cgroup_prepare(const struct unit_conf *, char *warn, size_t warnlen);
/* In the child: move the calling process into the group. */
int	 cgroup_enter(const struct unit_conf *);
/* Kill every process in the group (cgroup.kill, else SIGKILL each pid). */
int	 cgroup_kill(const struct unit_conf *);
/* 1: no process left (or no group), 0: some left, -1: error. */
int	 cgroup_empty(const struct unit_conf *);
/* rmdir the group; 0 if it is gone, -1 (EBUSY, ...) else. */
int	 cgroup_remove(const struct unit_conf *);

#endif /* CGROUP_H */
