/* Path resolution for user mode, --sys and SYSG_STATE_DIR. */
#ifndef PATHS_H
#define PATHS_H

#include <stddef.h>

struct sysg_env;

int	paths_resolve(struct sysg_env *);
int	paths_make_dirs(const struct sysg_env *);
int	path_join(char *, size_t, const char *, const char *);

#define SYSG_PIDFILE	"sysg.pid"
#define SYSG_SOCKET	"control.sock"
#define SYSG_LOCKFILE	"sysg.lock"
#define SYSG_STATEFILE	"state.json"
#define SYSG_CRONFILE	"cron_state.json"
#define SYSG_SUPLOG	"supervisor.log"

#endif
