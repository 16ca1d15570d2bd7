/*
 * Numbered-line generator for the t_logs_*.sh tests (compiled by them).
 *
 *   logs_gen [-n COUNT] [-s FIRST] [-w WIDTH] [-r LINES_PER_SEC] [-g FILE]
 *
 * Writes lines FIRST..FIRST+COUNT-1 to stdout, each exactly WIDTH bytes
 * (default 100, at least 12): "%010d " then filler that depends on the
 * number, then "\n".  logs_check.py rebuilds the same bytes.  It writes
 * in 64 KiB blocks that ignore line boundaries (as stdio does), as fast
 * as it can or, with -r, at about that many lines a second (what is
 * buffered is written out before each pause, so a slow rate writes
 * whole lines).  -g FILE: wait until FILE exists before writing.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLK	(64 * 1024)

static void
put(const char *p, size_t len)
{
	ssize_t	 w;

	while (len > 0) {
		w = write(STDOUT_FILENO, p, len);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			exit(1);
		p += w;
		len -= (size_t)w;
	}
}

static size_t
line(char *buf, long n, int width)
{
	int	 i;

	snprintf(buf, 12, "%010ld ", n);
	for (i = 11; i < width - 1; i++)
		buf[i] = 'a' + (char)((n + i) % 26);
	buf[width - 1] = '\n';
	return (size_t)width;
}

static void
msleep(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
main(int argc, char **argv)
{
	static char	 buf[BLK + 4096];
	struct timespec	 t0, t;
	const char	*gate = NULL;
	long		 n, first = 1, count = 1000, rate = 0, el;
	size_t		 len = 0;
	int		 c, width = 100;

	while ((c = getopt(argc, argv, "g:n:r:s:w:")) != -1) {
		switch (c) {
		case 'g':
			gate = optarg;
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 'r':
			rate = atol(optarg);
			break;
		case 's':
			first = atol(optarg);
			break;
		case 'w':
			width = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: logs_gen [-n count] [-s first] "
			    "[-w width] [-r rate] [-g file]\n");
			return 2;
		}
	}
	if (width < 12 || width > 4096)
		return 2;
	while (gate != NULL && access(gate, F_OK) == -1)
		msleep(10);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = first; n < first + count; n++) {
		if (rate > 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			el = (t.tv_sec - t0.tv_sec) * 1000 +
			    (t.tv_nsec - t0.tv_nsec) / 1000000;
			if ((n - first) * 1000 / rate > el) {
				put(buf, len);
				len = 0;
				msleep((n - first) * 1000 / rate - el);
			}
		}
		len += line(buf + len, n, width);
		if (len >= BLK) {
			put(buf, BLK);
			memmove(buf, buf + BLK, len - BLK);
			len -= BLK;
		}
	}
	put(buf, len);
	return 0;
}
