/*
 * svc: the benchmark's service program and log checker.
 *
 *	svc idle			pause forever, write nothing
 *	svc flood SECS COUNTFILE	write numbered 64-byte lines to stdout
 *					in 4 KiB writes for SECS seconds, put
 *					"LINES BYTES T0_NS T1_NS" (CLOCK_REALTIME)
 *					in COUNTFILE, then pause forever
 *	svc check WRITTEN FILE...	count the flood lines in FILE... (oldest
 *					first): "lines unique dup bad lost"
 *
 * A flood line is "%010llu svc-flood 0000...0\n", 64 bytes; a checked
 * line may carry a prefix (a timestamp): its last 64 bytes are taken.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE	64
#define WCHUNK	4096

static const char tail[] = " svc-flood ";

static long long
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
flood(double secs, const char *countfile)
{
	char		 buf[WCHUNK], num[10];
	unsigned long long seq = 0, bytes = 0;
	long long	 t0, t1, end;
	size_t		 off;
	int		 k;
	FILE		*f;

	for (off = 0; off < sizeof(buf); off += LINE) {
		memset(buf + off, '0', LINE - 1);
		memcpy(buf + off + 10, tail, sizeof(tail) - 1);
		buf[off + LINE - 1] = '\n';
	}
	memset(num, '0', sizeof(num));
	t0 = now_ns();
	end = t0 + (long long)(secs * 1e9);
	for (;;) {
		for (off = 0; off < sizeof(buf); off += LINE) {
			memcpy(buf + off, num, 10);
			seq++;
			for (k = 9; k >= 0; k--) {
				if (num[k] != '9') {
					num[k]++;
					break;
				}
				num[k] = '0';
			}
		}
		if (write_all(1, buf, sizeof(buf)) == -1) {
			seq -= sizeof(buf) / LINE;
			break;
		}
		bytes += sizeof(buf);
		if (now_ns() >= end)
			break;
	}
	t1 = now_ns();
	if ((f = fopen(countfile, "w")) != NULL) {
		fprintf(f, "%llu %llu %lld %lld\n", seq, bytes, t0, t1);
		fclose(f);
	}
}

static int
check(long long written, int argc, char **argv)
{
	unsigned char	*seen;
	char		*line = NULL, *p;
	size_t		 cap, lcap = 0;
	ssize_t		 len;
	long long	 lines = 0, uniq = 0, dups = 0, bad = 0, s;
	int		 i, k, ok;
	FILE		*f;

	cap = written > 0 ? (size_t)(written / 8 + 1) : 1;
	if ((seen = calloc(cap, 1)) == NULL)
		return 1;
	for (i = 0; i < argc; i++) {
		if ((f = fopen(argv[i], "r")) == NULL) {
			perror(argv[i]);
			continue;
		}
		while ((len = getline(&line, &lcap, f)) > 0) {
			lines++;
			p = line + len - LINE;
			ok = len >= LINE && line[len - 1] == '\n' &&
			    memcmp(p + 10, tail, sizeof(tail) - 1) == 0;
			for (s = 0, k = 0; ok && k < 10; k++) {
				if (p[k] < '0' || p[k] > '9')
					ok = 0;
				else
					s = s * 10 + (p[k] - '0');
			}
			if (!ok || s >= written) {
				bad++;
				continue;
			}
			if (seen[s / 8] & (1 << (s % 8)))
				dups++;
			else {
				seen[s / 8] |= 1 << (s % 8);
				uniq++;
			}
		}
		fclose(f);
	}
	printf("%lld %lld %lld %lld %lld\n", lines, uniq, dups, bad,
	    written - uniq);
	return 0;
}

int
main(int argc, char *argv[])
{
	const char	*mode = argc > 1 ? argv[1] : "idle";

	if (strcmp(mode, "check") == 0 && argc > 2)
		return check(atoll(argv[2]), argc - 3, argv + 3);
	if (strcmp(mode, "flood") == 0 && argc > 3)
		flood(atof(argv[2]), argv[3]);
	for (;;)
		pause();
}
