/*
 * sysg: one binary for the command line and every daemon role.  A role
 * is started by the parent as "sysg --role NAME" with its channel on
 * fd 3; anything else is the command line.
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "proc.h"

extern char **environ;

int
main(int argc, char *argv[])
{
	setproctitle_init(argc, argv, environ);
	if (argc == 3 && strcmp(argv[1], "--role") == 0) {
		switch (proc_role_id(argv[2])) {
		case PROC_SPAWNER:
			spawner_main();
		case PROC_SUPERVISOR:
			supervisor_main();
		case PROC_CRON:
			cron_main();
		case PROC_CONTROL:
			control_main();
		default:
			fprintf(stderr, "sysg: unknown role %s\n", argv[2]);
			return 1;
		}
	}
	return cli_main(argc, argv);
}
