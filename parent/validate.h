/* sysg validate: check a config without starting anything. */

#ifndef VALIDATE_H
#define VALIDATE_H

/*
 * Find and load the config (config_path may be NULL: the default
 * search).  Prints a summary (or with print, the resolved config as
 * JSON) on stdout and returns 0; or prints every error on stderr, one
 * per line, and returns 1.
 */
int	validate_main(const char *config_path, int print, int sysmode,
	    int drop_privileges);

#endif /* VALIDATE_H */
