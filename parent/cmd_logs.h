/*
 * sysg logs: print and follow the log files, without the daemon.
 */

#ifndef CMD_LOGS_H
#define CMD_LOGS_H

/*
 * argv[0] is the command word ("logs"); options and NAME follow:
 *   sysg logs [NAME] [-n N] [-k stdout|stderr|all] [-f] [--supervisor]
 * logdir is the log directory ($SYSG_STATE_DIR/logs, ...).
 *
 * Order of the lines printed:
 * - NAME with -k all: stdout and stderr merged by their timestamps
 *   (timestamps: true); a line without one sorts with the line before
 *   it in its file; a file without any comes whole, stdout first.
 * - no NAME: every service, each line prefixed "name │ " (names padded
 *   to the longest one shown, coloured on a terminal unless NO_COLOR is
 *   set), merged by timestamp; lines without one sort at their file's
 *   modification time.
 * The last N are taken from the live file and, when it holds fewer,
 * from the rotated ones (.1, .2, ...), reading backwards from the end.
 * -f then follows with inotify (across rotation, and before the files
 * exist) until SIGINT or SIGTERM; a line is printed once it is complete.
 *
 * Returns the exit status: 0, or 1 on a usage error or when NAME has
 * no log files (without -f; with -f it waits for them).
 */
int	logs_main(int argc, char **argv, const char *logdir);

#endif /* CMD_LOGS_H */
