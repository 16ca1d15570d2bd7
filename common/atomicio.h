/* Whole writes, and files replaced atomically through a directory fd. */
#ifndef ATOMICIO_H
#define ATOMICIO_H

#include <sys/types.h>
#include <stddef.h>

/* Write all of buf, retrying on EINTR and short writes. */
int	write_all(int fd, const void *buf, size_t len);

/*
 * Replace dirfd/name with data: a temp file next to it (O_EXCL,
 * O_NOFOLLOW, a stale one from a crash is removed first), fsync, rename,
 * fsync of the directory.  0, or -1 with errno set and nothing replaced.
 */
int	atomic_write_at(int dirfd, const char *name, const void *data,
	    size_t len, mode_t mode);

#endif
