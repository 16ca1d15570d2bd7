/* The daemon's parent process. */
#ifndef PARENT_H
#define PARENT_H

#include "sysg.h"

/*
 * Run the daemon in this process.  status_fd (or -1) receives one line,
 * "ok", "running" or "error: ...", once the daemon is up or could not
 * start.  Returns the process exit code.
 */
int	parent_main(const struct sysg_env *, const char *config_path,
	    int status_fd);

void	parent_capture_sockets(void);
void	parent_reload(uint32_t client, const char *, size_t);

#endif
