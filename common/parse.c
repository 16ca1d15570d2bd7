/*
 * Value parsers: durations, sizes, integers, unit names, signal names.
 * Strict: no leading or trailing blanks, no signs where none make
 * sense, overflow is an error.
 */

#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

/* Digits with optional '_' between them; returns chars consumed or 0. */
static size_t
scan_digits(const char *s, int allow_sep, uint64_t *out, int *overflow)
{
	uint64_t	 v = 0;
	size_t		 i = 0;

	*overflow = 0;
	while (isdigit((unsigned char)s[i]) || (allow_sep && s[i] == '_' &&
	    i > 0 && isdigit((unsigned char)s[i - 1]) &&
	    isdigit((unsigned char)s[i + 1]))) {
		if (s[i] != '_') {
			if (v > (UINT64_MAX - 9) / 10)
				*overflow = 1;
			else
				v = v * 10 + (uint64_t)(s[i] - '0');
		}
		i++;
	}
	*out = v;
	return i;
}

int
parse_duration(const char *s, int64_t *ms, const char **errstr)
{
	uint64_t	 v, mult;
	size_t		 n;
	int		 ovf;
	const char	*unit;

	if (errstr != NULL)
		*errstr = NULL;
	if (s == NULL || *s == '\0')
		goto invalid;
	if (*s == '-') {
		if (errstr != NULL)
			*errstr = "negative";
		return -1;
	}
	if ((n = scan_digits(s, 0, &v, &ovf)) == 0)
		goto invalid;
	unit = s + n;
	if (strcmp(unit, "ms") == 0)
		mult = 1;
	else if (*unit == '\0' || strcmp(unit, "s") == 0)
		mult = 1000;
	else if (strcmp(unit, "m") == 0)
		mult = 60 * 1000;
	else if (strcmp(unit, "h") == 0)
		mult = 3600 * 1000;
	else
		goto invalid;
	if (ovf || v > (uint64_t)PARSE_DURATION_MAX_MS / mult) {
		if (errstr != NULL)
			*errstr = "too large";
		return -1;
	}
	*ms = (int64_t)(v * mult);
	return 0;
 invalid:
	if (errstr != NULL)
		*errstr = "invalid";
	return -1;
}

static int
size_suffix(const char *p, unsigned *shift)
{
	*shift = 0;
	switch (toupper((unsigned char)*p)) {
	case 'K':
		*shift = 10;
		break;
	case 'M':
		*shift = 20;
		break;
	case 'G':
		*shift = 30;
		break;
	case 'T':
		*shift = 40;
		break;
	default:
		break;
	}
	if (*shift != 0)
		p++;
	if (*p == 'B' || *p == 'b')
		p++;
	return *p == '\0' ? 0 : -1;
}

int
parse_size(const char *s, int allow_unlimited, uint64_t *out,
    const char **errstr)
{
	uint64_t	 v;
	unsigned	 shift;
	size_t		 n;
	int		 ovf;

	if (errstr != NULL)
		*errstr = NULL;
	if (s == NULL || *s == '\0')
		goto invalid;
	if (strcasecmp(s, "unlimited") == 0) {
		if (!allow_unlimited) {
			if (errstr != NULL)
				*errstr = "unlimited not allowed";
			return -1;
		}
		*out = PARSE_UNLIMITED;
		return 0;
	}
	if (*s == '-') {
		if (errstr != NULL)
			*errstr = "negative";
		return -1;
	}
	if ((n = scan_digits(s, 1, &v, &ovf)) == 0)
		goto invalid;
	if (size_suffix(s + n, &shift) == -1) {
		if (errstr != NULL)
			*errstr = "unknown suffix";
		return -1;
	}
	if (ovf || v > (PARSE_SIZE_MAX >> shift)) {
		if (errstr != NULL)
			*errstr = "too large";
		return -1;
	}
	*out = v << shift;
	return 0;
 invalid:
	if (errstr != NULL)
		*errstr = "invalid";
	return -1;
}

int
parse_int(const char *s, long long min, long long max, long long *out,
    const char **errstr)
{
	uint64_t	 v;
	size_t		 n;
	int		 ovf, neg = 0;
	long long	 r;

	if (errstr != NULL)
		*errstr = NULL;
	if (s == NULL)
		goto invalid;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if ((n = scan_digits(s, 0, &v, &ovf)) == 0 || s[n] != '\0')
		goto invalid;
	if (ovf || v > (uint64_t)LLONG_MAX) {
		if (errstr != NULL)
			*errstr = neg ? "too small" : "too large";
		return -1;
	}
	r = neg ? -(long long)v : (long long)v;
	if (r < min || r > max) {
		if (errstr != NULL)
			*errstr = r < min ? "too small" : "too large";
		return -1;
	}
	*out = r;
	return 0;
 invalid:
	if (errstr != NULL)
		*errstr = "invalid";
	return -1;
}

int
unit_name_valid(const char *name)
{
	size_t	 i;

	if (name == NULL || name[0] == '\0' || name[0] == '.' ||
	    name[0] == '-')
		return 0;
	for (i = 0; name[i] != '\0'; i++) {
		if (i >= 64)
			return 0;
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' &&
		    name[i] != '.' && name[i] != '-')
			return 0;
	}
	return 1;
}

static const struct {
	const char	*name;
	int		 signo;
	int		 stop;		/* allowed as stop_signal */
} sigtab[] = {
	{ "HUP",	SIGHUP,		1 },
	{ "INT",	SIGINT,		1 },
	{ "QUIT",	SIGQUIT,	1 },
	{ "ILL",	SIGILL,		0 },
	{ "TRAP",	SIGTRAP,	0 },
	{ "ABRT",	SIGABRT,	0 },
	{ "BUS",	SIGBUS,		0 },
	{ "FPE",	SIGFPE,		0 },
	{ "KILL",	SIGKILL,	1 },
	{ "USR1",	SIGUSR1,	1 },
	{ "SEGV",	SIGSEGV,	0 },
	{ "USR2",	SIGUSR2,	1 },
	{ "PIPE",	SIGPIPE,	0 },
	{ "ALRM",	SIGALRM,	0 },
	{ "TERM",	SIGTERM,	1 },
	{ "STKFLT",	SIGSTKFLT,	0 },
	{ "CHLD",	SIGCHLD,	0 },
	{ "CONT",	SIGCONT,	0 },
	{ "STOP",	SIGSTOP,	0 },
	{ "TSTP",	SIGTSTP,	0 },
	{ "TTIN",	SIGTTIN,	0 },
	{ "TTOU",	SIGTTOU,	0 },
	{ "URG",	SIGURG,		0 },
	{ "XCPU",	SIGXCPU,	0 },
	{ "XFSZ",	SIGXFSZ,	0 },
	{ "VTALRM",	SIGVTALRM,	0 },
	{ "PROF",	SIGPROF,	0 },
	{ "WINCH",	SIGWINCH,	0 },
	{ "IO",		SIGIO,		0 },
	{ "PWR",	SIGPWR,		0 },
	{ "SYS",	SIGSYS,		0 },
};

int
signal_parse(const char *s)
{
	size_t	 i;

	if (s == NULL)
		return -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof(sigtab) / sizeof(sigtab[0]); i++)
		if (sigtab[i].stop && strcasecmp(s, sigtab[i].name) == 0)
			return sigtab[i].signo;
	return -1;
}

const char *
signal_name(int signo)
{
	size_t	 i;

	for (i = 0; i < sizeof(sigtab) / sizeof(sigtab[0]); i++)
		if (sigtab[i].signo == signo)
			return sigtab[i].name;
	return NULL;
}

void
duration_fmt(int64_t ms, char *buf, size_t len)
{
	if (ms != 0 && ms % 3600000 == 0)
		snprintf(buf, len, "%lldh", (long long)(ms / 3600000));
	else if (ms != 0 && ms % 60000 == 0)
		snprintf(buf, len, "%lldm", (long long)(ms / 60000));
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%llds", (long long)(ms / 1000));
	else
		snprintf(buf, len, "%lldms", (long long)ms);
}

int
utf8_valid(const char *buf, size_t len)
{
	const unsigned char	*s = (const unsigned char *)buf;
	size_t			 i = 0, n, k;
	uint32_t		 cp;

	while (i < len) {
		if (s[i] == 0)
			return 0;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}
