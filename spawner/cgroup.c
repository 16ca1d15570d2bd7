/*
 * Per-service cgroup v2 groups: create, set limits, enter, kill, remove.
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"

#define CGROUP_KILL_ROUNDS	100
#define CGROUP_KILL_SEEN	4096

static void
cg_warn(char *warn, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
cg_warn(char *warn, size_t len, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 n;

	if (warn == NULL || len == 0)
		return;
	n = strlen(warn);
	if (n > 0 && n + 2 < len) {
		strlcat(warn, "; ", len);
		n += 2;
	}
	if (n + 1 >= len)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(warn + n, len - n, fmt, ap);
	va_end(ap);
}

/* A unit name as config.md allows it: it must stay one path component. */
static int
cg_name_ok(const char *name)
{
	size_t	 i, n;

	n = strnlen(name, SYSG_NAME_MAX + 1);
	if (n == 0 || n > SYSG_NAME_MAX || name[0] == '.' || name[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' &&
		    name[i] != '.' && name[i] != '-')
			return 0;
	return 1;
}

/* An absolute root without "." or ".." components. */
static int
cg_root_ok(const char *root)
{
	const char	*p;
	size_t		 n;

	if (root[0] != '/')
		return 0;
	for (p = root; *p != '\0'; p += n) {
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
	}
	return 1;
}

static const char *
cg_root(const struct unit_conf *u)
{
	const char	*r = u->limits.cgroup.root;

	return r != NULL && r[0] != '\0' ? r : CGROUP_DEFAULT_ROOT;
}

int
cgroup_path(const struct unit_conf *u, char *buf, size_t len)
{
	const char	*root = cg_root(u);
	size_t		 n;
	int		 r;

	if (!cg_name_ok(u->name) || !cg_root_ok(root)) {
		errno = EINVAL;
		return -1;
	}
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	r = snprintf(buf, len, "%.*s/%s", (int)n, root, u->name);
	if (r < 0 || (size_t)r >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int
cg_join(char *buf, size_t len, const char *dir, const char *file)
{
	int	 r;

	r = snprintf(buf, len, "%s/%s", dir, file);
	if (r < 0 || (size_t)r >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int
cg_file(const struct unit_conf *u, const char *file, char *buf, size_t len)
{
	char	 dir[PATH_MAX];

	if (cgroup_path(u, dir, sizeof(dir)) == -1)
		return -1;
	return cg_join(buf, len, dir, file);
}

/* Write a short string to an existing file (never creates one). */
static int
cg_write(const char *path, const char *val)
{
	size_t	 len = strlen(val);
	ssize_t	 w;
	int	 fd, saved;

	if ((fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		return -1;
	w = write(fd, val, len);
	saved = errno;
	if (close(fd) == -1 && w != -1)
		return -1;
	if (w == -1) {
		errno = saved;
		return -1;
	}
	if ((size_t)w != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* Read a small file into buf (NUL-terminated); -1 on error. */
static int
cg_read(const char *path, char *buf, size_t len)
{
	ssize_t	 r = 0;
	size_t	 n = 0;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	while (n + 1 < len) {
		r = read(fd, buf + n, len - n - 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	(void)close(fd);
	return r == -1 ? -1 : 0;
}

/* Is word in the space-separated list? */
static int
cg_listed(const char *list, const char *word)
{
	size_t	 wl = strlen(word), n;
	const char *p;

	for (p = list; *p != '\0'; p += n) {
		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		if (n == wl && strncmp(p, word, n) == 0)
			return 1;
	}
	return 0;
}

static int
cg_mkdirs(const char *path)
{
	char		 buf[PATH_MAX];
	char		*p;
	struct stat	 st;

	if (strlcpy(buf, path, sizeof(buf)) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char c = *p;

			*p = '\0';
			if (mkdir(buf, 0755) == -1 && errno != EEXIST)
				return -1;
			*p = c;
		}
		if (*p == '\0')
			break;
	}
	if (stat(path, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* Enable one controller in dir's cgroup.subtree_control if needed. */
static int
cg_enable_in(const char *dir, const char *ctl, char *warn, size_t wlen)
{
	char	 ctlpath[PATH_MAX], path[PATH_MAX], have[1024], op[32];

	if (cg_join(path, sizeof(path), dir, "cgroup.subtree_control") == -1 ||
	    access(path, F_OK) == -1)
		return 0;		/* not a cgroup2 directory */
	if (cg_read(path, have, sizeof(have)) == 0 && cg_listed(have, ctl))
		return 0;
	if (cg_join(ctlpath, sizeof(ctlpath), dir, "cgroup.controllers") ==
	    -1 || cg_read(ctlpath, have, sizeof(have)) == -1 ||
	    !cg_listed(have, ctl)) {
		cg_warn(warn, wlen, "cgroup: controller %s not available in %s",
		    ctl, dir);
		return -1;
	}
	(void)snprintf(op, sizeof(op), "+%s", ctl);
	if (cg_write(path, op) == -1) {
		cg_warn(warn, wlen, "cgroup: cannot enable %s in %s: %s",
		    ctl, dir, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Enable a controller from the top-most cgroup directory of the root
 * path down to the root itself, so that <root>/<unit> gets it.
 */
static void
cg_enable(const char *root, const char *ctl, char *warn, size_t wlen)
{
	char	 dir[PATH_MAX];
	size_t	 i, n;

	if (strlcpy(dir, root, sizeof(dir)) >= sizeof(dir))
		return;
	n = strlen(dir);
	for (i = 1; i <= n; i++) {
		if (dir[i] != '/' && dir[i] != '\0')
			continue;
		dir[i] = '\0';
		if (cg_enable_in(dir, ctl, warn, wlen) == -1)
			return;
		if (i < n)
			dir[i] = '/';
	}
}

static void
cg_set(const struct unit_conf *u, const char *file, const char *val,
    char *warn, size_t wlen)
{
	char	 path[PATH_MAX];

	if (cg_file(u, file, path, sizeof(path)) == -1)
		return;
	if (cg_write(path, val) == 0)
		return;
	if (errno == ENOENT)
		cg_warn(warn, wlen, "cgroup: %s: no such controller file "
		    "(controller not enabled?)", file);
	else
		cg_warn(warn, wlen, "cgroup: %s: %s", file, strerror(errno));
}

/* cpu.max is "max", "QUOTA" or "QUOTA PERIOD", nothing else. */
static int
cg_cpumax_ok(const char *s)
{
	size_t	 i;

	if (s[0] == '\0' || strlen(s) > 40)
		return 0;
	if (strncmp(s, "max", 3) == 0)
		s += 3;
	for (i = 0; s[i] != '\0'; i++)
		if (!isdigit((unsigned char)s[i]) && s[i] != ' ')
			return 0;
	return 1;
}

int
cgroup_prepare(const struct unit_conf *u, char *warn, size_t warnlen)
{
	const struct cgroup_conf *c = &u->limits.cgroup;
	char	 dir[PATH_MAX], root[PATH_MAX], val[64];
	size_t	 n;

	if (warn != NULL && warnlen > 0)
		warn[0] = '\0';
	if (!c->set)
		return 0;
	if (cgroup_path(u, dir, sizeof(dir)) == -1 ||
	    strlcpy(root, dir, sizeof(root)) >= sizeof(root)) {
		cg_warn(warn, warnlen, "cgroup: bad path for unit %s under %s",
		    u->name, cg_root(u));
		return -1;
	}
	n = strlen(root) - strlen(u->name) - 1;
	root[n > 0 ? n : 1] = '\0';
	if (cg_mkdirs(dir) == -1) {
		cg_warn(warn, warnlen, "cgroup: cannot create %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (c->has_memory_max)
		cg_enable(root, "memory", warn, warnlen);
	if (c->cpu_max != NULL || c->cpu_weight > 0)
		cg_enable(root, "cpu", warn, warnlen);
	if (c->pids_max >= 0)
		cg_enable(root, "pids", warn, warnlen);
	if (c->has_memory_max) {
		if (c->memory_max == LIMIT_INFINITY)
			strlcpy(val, "max", sizeof(val));
		else
			(void)snprintf(val, sizeof(val), "%" PRIu64,
			    c->memory_max);
		cg_set(u, "memory.max", val, warn, warnlen);
	}
	if (c->cpu_max != NULL) {
		if (cg_cpumax_ok(c->cpu_max))
			cg_set(u, "cpu.max", c->cpu_max, warn, warnlen);
		else
			cg_warn(warn, warnlen, "cgroup: cpu.max: bad value");
	}
	if (c->cpu_weight > 0) {
		(void)snprintf(val, sizeof(val), "%d", c->cpu_weight);
		cg_set(u, "cpu.weight", val, warn, warnlen);
	}
	if (c->pids_max >= 0) {
		if (c->pids_max == 0)
			strlcpy(val, "max", sizeof(val));
		else
			(void)snprintf(val, sizeof(val), "%" PRId64,
			    c->pids_max);
		cg_set(u, "pids.max", val, warn, warnlen);
	}
	return 0;
}

int
cgroup_enter(const struct unit_conf *u)
{
	char	 path[PATH_MAX];

	if (cg_file(u, "cgroup.procs", path, sizeof(path)) == -1)
		return -1;
	return cg_write(path, "0");
}

static int
cg_seen(const pid_t *seen, size_t n, pid_t pid)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (seen[i] == pid)
			return 1;
	return 0;
}

/* One pass over cgroup.procs: SIGKILL every pid not signalled before. */
static int
cg_kill_round(const char *procs, pid_t *seen, size_t *nseen)
{
	FILE		*f;
	char		 line[64];
	const char	*errstr;
	long long	 v;
	int		 fresh = 0;

	if ((f = fopen(procs, "re")) == NULL)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		v = strtonum(line, 1, INT_MAX, &errstr);
		if (errstr != NULL || cg_seen(seen, *nseen, (pid_t)v))
			continue;
		if (kill((pid_t)v, SIGKILL) == -1 && errno != ESRCH)
			log_warn("cgroup: kill %lld", v);
		if (*nseen < CGROUP_KILL_SEEN)
			seen[(*nseen)++] = (pid_t)v;
		fresh++;
	}
	(void)fclose(f);
	return fresh;
}

int
cgroup_kill(const struct unit_conf *u)
{
	char	 path[PATH_MAX];
	pid_t	*seen;
	size_t	 nseen = 0;
	int	 i, r = 0;

	if (!u->limits.cgroup.set)
		return 0;
	if (cg_file(u, "cgroup.kill", path, sizeof(path)) == -1)
		return -1;
	if (cg_write(path, "1") == 0)
		return 0;
	if (errno != ENOENT)
		log_warn("cgroup: %s", path);
	if (cg_file(u, "cgroup.procs", path, sizeof(path)) == -1)
		return -1;
	if ((seen = calloc(CGROUP_KILL_SEEN, sizeof(*seen))) == NULL)
		return -1;
	for (i = 0; i < CGROUP_KILL_ROUNDS; i++)
		if ((r = cg_kill_round(path, seen, &nseen)) <= 0)
			break;
	free(seen);
	if (r > 0) {
		errno = EAGAIN;
		return -1;
	}
	return r;
}

int
cgroup_empty(const struct unit_conf *u)
{
	char	 path[PATH_MAX], buf[256];
	const char *p;

	if (!u->limits.cgroup.set)
		return 1;
	if (cg_file(u, "cgroup.events", path, sizeof(path)) == -1)
		return -1;
	if (cg_read(path, buf, sizeof(buf)) == 0 &&
	    (p = strstr(buf, "populated ")) != NULL)
		return p[10] == '0';
	if (cg_file(u, "cgroup.procs", path, sizeof(path)) == -1)
		return -1;
	if (cg_read(path, buf, sizeof(buf)) == -1)
		return errno == ENOENT ? 1 : -1;
	return buf[strspn(buf, " \n")] == '\0';
}

int
cgroup_remove(const struct unit_conf *u)
{
	char	 dir[PATH_MAX];

	if (!u->limits.cgroup.set)
		return 0;
	if (cgroup_path(u, dir, sizeof(dir)) == -1)
		return -1;
	if (rmdir(dir) == -1 && errno != ENOENT)
		return -1;
	return 0;
}
