/* The daemon's parent process. */
#ifndef PARENT_H
#define PARENT_H

#include "sysg.h"

struct load_opts;

/*
 * Run the daemon in this process.  conf, loaded by the caller with
 * parent_load_opts(), is taken over (NULL: load config_path here).
 * status_fd (or -1) receives one line, "ok", "running" or "error: ...",
 * once the daemon is up or could not start.  Returns the process exit
 * code.
 */
int	parent_main(const struct sysg_env *, const char *config_path,
	    struct sysg_conf *conf, int status_fd);
void	parent_load_opts(struct load_opts *, const struct sysg_env *);

void	parent_capture_sockets(void);
void	parent_reload(uint32_t client, const char *, size_t);

#endif
