/*
 * Logging for every role: log_warn and friends, fatal and fatalx.
 * Lines go to stderr ("sysg: ROLE: message"); in a daemon stderr is the
 * pipe that ends in supervisor.log.  A role may install a writer to
 * take the formatted lines itself (the supervisor does).
 */

#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
	LOG_LVL_TRACE
};

typedef void	(*log_writer_fn)(const char *line, size_t len);

void	log_init(const char *procname, int level, int timestamps);
void	log_setlevel(int level);
int	log_getlevel(void);
int	log_level_parse(const char *);		/* -1 if unknown */
void	log_setwriter(log_writer_fn);
void	log_procname(const char *);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_trace(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2)))
	    __attribute__((noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2)))
	    __attribute__((noreturn));

#endif /* LOG_H */
