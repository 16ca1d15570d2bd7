/*
 * Small value parsers shared by the configuration loader and the roles:
 * durations, sizes, integers, unit names and signal names.
 *
 * Every parser returns 0 on success and -1 on error; on error *errstr
 * (when not NULL) points to a static description such as "too large".
 */

#ifndef PARSE_H
#define PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Largest duration accepted: 2^31 - 1 seconds, in milliseconds. */
#define PARSE_DURATION_MAX_MS	(INT64_C(2147483647) * 1000)
/* Largest size accepted (sizes must fit a JSON integer). */
#define PARSE_SIZE_MAX		((uint64_t)INT64_MAX)
/* What parse_size stores for "unlimited". */
#define PARSE_UNLIMITED		UINT64_MAX

/* "250ms", "5s", "2m", "1h" or bare seconds "30" -> milliseconds. */
int		 parse_duration(const char *, int64_t *ms, const char **errstr);

/*
 * "65536", "64K", "512M", "1G", "2T" (powers of 1024), optional trailing
 * "B", "_" between digits, "unlimited" (any case) when allow_unlimited,
 * stored as PARSE_UNLIMITED.
 */
int		 parse_size(const char *, int allow_unlimited, uint64_t *out,
		    const char **errstr);

/* Decimal integer, optional leading '-', within [min, max]. */
int		 parse_int(const char *, long long min, long long max,
		    long long *out, const char **errstr);

/* 1..64 characters of [A-Za-z0-9_.-], not starting with '.' or '-'. */
int		 unit_name_valid(const char *);

/* "TERM", "SIGTERM", "term" ... -> SIGTERM; -1 if not a stop signal. */
int		 signal_parse(const char *);
/* SIGTERM -> "TERM" for any signal; NULL if unknown. */
const char	*signal_name(int);

/* Format a duration in ms the way it is written: "1s", "250ms", "2m". */
void		 duration_fmt(int64_t ms, char *buf, size_t len);

/* 1 if the buffer is valid UTF-8 without NUL bytes. */
int		 utf8_valid(const char *, size_t);

#endif /* PARSE_H */
