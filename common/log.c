/*
 * Logging shared by every role.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char	*log_proc = "sysg";
static int		 log_level = LOG_LVL_INFO;
static int		 log_ts;
static log_writer_fn	 log_writer;

static const char *const level_names[] = {
	"error", "warn", "info", "debug", "trace"
};

void
log_init(const char *procname, int level, int timestamps)
{
	log_proc = procname;
	log_level = level;
	log_ts = timestamps;
}

void
log_setlevel(int level)
{
	log_level = level;
}

int
log_getlevel(void)
{
	return log_level;
}

int
log_level_parse(const char *s)
{
	size_t	 i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return (int)i;
	return -1;
}

void
log_setwriter(log_writer_fn fn)
{
	log_writer = fn;
}

void
log_procname(const char *procname)
{
	log_proc = procname;
}

static size_t
log_stamp(char *buf, size_t len)
{
	struct timespec	 ts;
	struct tm	 tm;
	size_t		 n;

	if (!log_ts || clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL)
		return 0;
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (n == 0)
		return 0;
	n += (size_t)snprintf(buf + n, len - n, ".%03ldZ ",
	    ts.tv_nsec / 1000000);
	return n < len ? n : len - 1;
}

static void
log_emit(int level, const char *errstr, const char *fmt, va_list ap)
{
	char	 line[2048];
	size_t	 n;
	int	 r;

	if (level > log_level)
		return;
	n = log_stamp(line, sizeof(line));
	r = snprintf(line + n, sizeof(line) - n, "sysg: %s: %s", log_proc,
	    level <= LOG_LVL_WARN ? (level == LOG_LVL_ERROR ? "error: " :
	    "warning: ") : "");
	if (r > 0)
		n += (size_t)r;
	if (n < sizeof(line)) {
		r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		if (r > 0)
			n += (size_t)r;
	}
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	if (errstr != NULL && n < sizeof(line) - 2) {
		r = snprintf(line + n, sizeof(line) - n, ": %s", errstr);
		if (r > 0)
			n += (size_t)r;
		if (n >= sizeof(line) - 1)
			n = sizeof(line) - 2;
	}
	line[n++] = '\n';
	line[n] = '\0';
	if (log_writer != NULL) {
		log_writer(line, n);
		return;
	}
	/* Best effort: a failing stderr must not take the daemon down. */
	if (write(STDERR_FILENO, line, n) == -1)
		return;
}

#define LOG_FN(fn, lvl, witherr)				\
void								\
fn(const char *fmt, ...)					\
{								\
	va_list	 ap;						\
	int	 saved = errno;					\
								\
	va_start(ap, fmt);					\
	log_emit(lvl, witherr ? strerror(saved) : NULL, fmt, ap);	\
	va_end(ap);						\
	errno = saved;						\
}

LOG_FN(log_warn, LOG_LVL_WARN, 1)
LOG_FN(log_warnx, LOG_LVL_WARN, 0)
LOG_FN(log_info, LOG_LVL_INFO, 0)
LOG_FN(log_debug, LOG_LVL_DEBUG, 0)
LOG_FN(log_trace, LOG_LVL_TRACE, 0)

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_emit(LOG_LVL_ERROR, strerror(saved), fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_emit(LOG_LVL_ERROR, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
