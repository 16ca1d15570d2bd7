/*
 * The supervisor's lossless log writer.
 *
 * A struct logfile is one output file in the log directory:
 * "<unit>.stdout.log", "<unit>.stderr.log" or "supervisor.log".  Any
 * number of sources (pipe read ends) feed it, driven by the caller's
 * libevent base.
 *
 * Lossless: bytes are taken from a source pipe only once they are in
 * the file.  The writer tee(2)s the pipe into a private scratch pipe
 * (which does not consume), writes what it copied, and only then reads
 * the same number of bytes out of the source.  If the supervisor dies
 * in between, the bytes are still in the pipe (the spawner holds a
 * duplicate read end for the next supervisor): a chunk may be written
 * twice, never lost.  A source that is not a pipe falls back to plain
 * read+write.
 *
 * Back-pressure: when a write fails (ENOSPC, EDQUOT, EIO, EROFS, ...)
 * one warning is logged, every source of that file stops being read
 * (its writers block on their full pipe) and the write is retried on a
 * timer (1 s, doubling up to 10 s).  "resumed" is logged once it works.
 * Other files are unaffected.  Nothing is dropped, except lines given
 * to logfile_append() beyond LOGFILE_BACKLOG_MAX while stalled (counted
 * and reported in the file when it resumes).
 *
 * Rotation: when a write would make the live file exceed max_bytes,
 * live -> .1, .1 -> .2, ... (at most max_files rotated files, the
 * oldest is deleted) and a new live file is opened; a write is split at
 * the last newline that fits, so no file exceeds max_bytes unless a
 * single line is longer (then the line is split).  max_files 0: the
 * live file is deleted and started afresh (its content is dropped).
 * max_bytes 0: no rotation.
 *
 * Lines: with timestamps on, each line starts with
 * "2026-11-22T10:00:00.123Z " (UTC, ms, one space; the time the chunk
 * was read).  A tagged source's lines start with "[TAG] " (after the
 * timestamp).  A line from a source that ends without a newline is
 * written as is; if another line later starts in the same file, a
 * newline is put in first so every line keeps its own prefix.  Lines
 * longer than any buffer are written in pieces, never dropped.
 */

#ifndef LOGWRITER_H
#define LOGWRITER_H

#include <stddef.h>

#include "sysg.h"

struct event_base;
struct logfile;

#define LOGFILE_BACKLOG_MAX	(256 * 1024)

/* 1 if name is a valid unit name: 1-64 of [A-Za-z0-9_.-], no leading . - */
int		 logname_valid(const char *name);
/* An ANSI SGR colour code (31-36, 91-96) chosen by hashing name. */
int		 logname_color(const char *name);

/*
 * Open (create, append) the file for unit's stream in the directory
 * dirfd (duplicated; the caller keeps its own).  unit NULL means
 * "supervisor.log" (stream is then ignored).  Mode 0640 if sysmode,
 * else 0600.  Refuses (NULL, errno set, warning logged) an invalid unit
 * name (EINVAL), a symlink (ELOOP), anything but a regular file with
 * one link.
 */
struct logfile	*logfile_open(struct event_base *, int dirfd,
		    const char *unit, enum log_stream,
		    const struct logs_conf *, int sysmode);

/*
 * logfile_open() with flags:
 * LOGFILE_KEEPDIR	dirfd is used as is, not duplicated: the caller
 *			keeps it open for as long as the logfile lives.
 * LOGFILE_NEW		the caller knows the file is not there (it listed
 *			the directory): it is not looked for now, but made
 *			and checked by the first write like any new file.
 */
#define LOGFILE_KEEPDIR	0x01
#define LOGFILE_NEW	0x02
struct logfile	*logfile_open_flags(struct event_base *, int dirfd,
		    const char *unit, enum log_stream,
		    const struct logs_conf *, int sysmode, int flags);

/* New rotation/timestamp settings; they apply from the next write. */
void		 logfile_set_conf(struct logfile *, const struct logs_conf *);

/*
 * Also copy each complete line to fd (the foreground daemon's stderr),
 * prefixed "label │ " with label padded to width and, if color, in the
 * label's colour.  fd -1 turns the echo off.  Best effort: echo errors
 * are ignored.
 */
void		 logfile_set_echo(struct logfile *, int fd, const char *label,
		    int width, int color);

/*
 * Add a source: pipefd (ownership passes to the logfile, made
 * non-blocking; close-on-exec is the caller's business; a pipe is
 * enlarged to 1 MiB when allowed, once data comes through it).  tag NULL or ""
 * for the service itself, else lines get "[tag] ".  At end of file the
 * remaining data is written, the source is closed and freed and then
 * on_eof(arg) is called (it may close the logfile).  Returns 0, or -1
 * (pipefd closed) if out of memory.
 */
int		 logfile_attach(struct logfile *, int pipefd, const char *tag,
		    void (*on_eof)(void *), void *arg);

/*
 * Append the supervisor's own lines (complete lines expected).  While
 * the file is stalled they wait in memory, up to LOGFILE_BACKLOG_MAX.
 */
void		 logfile_append(struct logfile *, const char *, size_t);

/* Number of attached sources. */
size_t		 logfile_nsources(const struct logfile *);
/* 1 while writes fail and the sources are held back. */
int		 logfile_stalled(const struct logfile *);

/*
 * Close the file and every source WITHOUT reading what is left in the
 * pipes (it stays there for the next supervisor).  on_eof is not
 * called.  NULL is a no-op.
 */
void		 logfile_close(struct logfile *);

/* Retry delays after a failed write (default 1000, 10000 ms); tests. */
void		 logwriter_set_retry(int first_ms, int max_ms);

#endif /* LOGWRITER_H */
