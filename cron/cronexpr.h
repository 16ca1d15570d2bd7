/*
 * Cron expressions and time zones.
 *
 * Pure functions, no global state: parse an expression once, load a zone
 * once, then ask for the next fire time as often as needed.
 *
 * Expressions have 5 fields (minute hour day-of-month month day-of-week,
 * seconds = 0) or 6 fields (seconds first).  A field is a comma list of
 * "*", "N", "A-B", "*" "/S", "A-B/S" or "A/S" (A to the field maximum, step
 * S); months JAN-DEC and days SUN-SAT are accepted in any case; in the
 * day-of-week field 0 and 7 are both Sunday.  When both day fields are
 * restricted, a day matches if either matches (classic cron).
 *
 * Zones: NULL or "local" (the zone named by $TZ, else /etc/localtime),
 * "UTC", or an IANA name read from /usr/share/zoneinfo (TZif v1/v2+/v3,
 * with the POSIX TZ footer rule for instants past the transition table).
 * No setenv("TZ")/tzset() is used.
 *
 * DST: a wall time inside a spring-forward gap fires once, at the first
 * valid instant after the gap (02:30 skipped -> 03:00); a wall time that
 * happens twice in a fall-back overlap fires once, at its first occurrence
 * (so "* * * * *" is quiet during the repeated hour: its minutes already
 * fired).  The fire times are a fixed set; cronexpr_next gives the first
 * one after any instant, so restarting in the middle changes nothing.
 */

#ifndef CRONEXPR_H
#define CRONEXPR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * A day field is "unrestricted" when it allows every value ("*", a step of 1,
 * "1-31", "0-7", ...).  Only when both day fields are restricted are they
 * ORed.  An expression whose chosen days exist in none of its months
 * ("0 0 30 2 *") is refused at parse time.
 */
struct cronexpr {
	uint64_t	 sec;		/* bit n: second n, 0-59 */
	uint64_t	 min;		/* bit n: minute n, 0-59 */
	uint32_t	 hour;		/* bit n: hour n, 0-23 */
	uint32_t	 mday;		/* bit n: day n, 1-31 */
	uint16_t	 month;		/* bit n: month n, 1-12 */
	uint8_t		 wday;		/* bit n: weekday n, 0 Sunday */
	uint8_t		 mday_star;	/* day of month: any */
	uint8_t		 wday_star;	/* day of week: any */
};

/* Opaque loaded time zone. */
struct cron_tz;

/*
 * Parse expr into out.  Returns 0, or -1 with a message in err such as
 * "field 3 (hour): 24 is out of range 0-23" or "never fires: ...".
 */
int	 cronexpr_parse(const char *, struct cronexpr *, char *, size_t);

/*
 * 1 if the zone name is acceptable: NULL, "local", "UTC", or an IANA name
 * naming a valid TZif file under /usr/share/zoneinfo (no "..", no leading
 * "/").  0 otherwise.
 */
int	 cron_tz_valid(const char *);

/*
 * Load a zone (same names as cron_tz_valid).  NULL on error.  A loaded
 * zone is immutable and may be shared; free it with cron_tz_free.
 * "local" follows $TZ (":NAME", "/path", an IANA name or a POSIX TZ
 * string such as "CET-1CEST,M3.5.0,M10.5.0/3"), else /etc/localtime, else
 * UTC, like the C library.  Zones with leap-second tables ("right/...")
 * are refused.  Zone files cannot be read inside a chroot: load the zones
 * (and "local") before sandboxing, or pass cron_tz_load_at a descriptor of
 * the zoneinfo directory opened beforehand (-1: /usr/share/zoneinfo).
 */
struct cron_tz *cron_tz_load(const char *);
struct cron_tz *cron_tz_load_at(int, const char *);
void	 cron_tz_free(struct cron_tz *);

/* UTC offset in seconds (local = UTC + offset) at instant t; NULL: UTC. */
long	 cron_tz_offset(const struct cron_tz *, time_t);

/*
 * t as RFC 3339 local time of the zone: "2026-11-23T02:30:00+01:00", or
 * "...Z" when the offset is zero (NULL zone: UTC).  0, or -1 if too short.
 */
int	 cron_tz_format(const struct cron_tz *, time_t, char *, size_t);

/*
 * The first fire time strictly after `after', in zone tz (see above; a
 * NULL struct cron_tz means UTC).
 * Returns 0 and sets *next, or -1 if no fire time exists within the
 * search window (9 years: enough for Feb 29 across 2100) or the zone
 * cannot be loaded.  The search walks fields (month, day, hour, minute,
 * second), never single seconds.  cronexpr_next loads and frees the zone
 * on every call; a daemon should load it once and use cronexpr_next_tz.
 */
int	 cronexpr_next(const struct cronexpr *, const char *, time_t,
	    time_t *);
int	 cronexpr_next_tz(const struct cronexpr *, const struct cron_tz *,
	    time_t, time_t *);

#endif /* CRONEXPR_H */
