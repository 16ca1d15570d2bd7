/*
 * Split a service command into an argv the way sh(1) would, when it is
 * made only of words and quoting; otherwise it must run as
 * /bin/sh -c COMMAND (see config.md, "command").
 */

#ifndef CMDSPLIT_H
#define CMDSPLIT_H

/*
 * A malloc'd NULL-terminated argv (free with cmd_free), or NULL when
 * the command needs a shell (or is empty, or is malformed).
 */
char		**cmd_split(const char *command);
void		  cmd_free(char **);

#endif /* CMDSPLIT_H */
