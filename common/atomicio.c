/*
 * Whole writes and atomic file replacement (see atomicio.h).
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "atomicio.h"

int
write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
open_temp(int dirfd, const char *tmp, mode_t mode)
{
	int	 fd;

	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode);
	if (fd == -1 && errno == EEXIST) {
		/* Left by a crash: only one process writes this file. */
		if (unlinkat(dirfd, tmp, 0) == -1)
			return -1;
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, mode);
	}
	return fd;
}

int
atomic_write_at(int dirfd, const char *name, const void *data, size_t len,
    mode_t mode)
{
	char	 tmp[PATH_MAX];
	int	 fd, r, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", name) >=
	    sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open_temp(dirfd, tmp, mode)) == -1)
		return -1;
	r = write_all(fd, data, len);
	if (r == 0)
		r = fsync(fd);
	if (close(fd) == -1)
		r = -1;
	if (r == 0)
		r = renameat(dirfd, tmp, dirfd, name);
	if (r == -1) {
		saved = errno;
		unlinkat(dirfd, tmp, 0);
		errno = saved;
		return -1;
	}
	fsync(dirfd);		/* the rename; best effort */
	return 0;
}
