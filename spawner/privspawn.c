/*
 * The privileged spawn sequence: identities before fork, namespaces at
 * fork, and in the child everything between the clean slate and exec.
 * See privspawn.h for the decisions taken.
 */

#include <sys/capability.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <net/if.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stddef.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "privspawn.h"

#define PS_NSFLAGS	(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | \
			    CLONE_NEWNET)
#define PS_MAXEXTENTS	340		/* kernel limit for uid/gid maps */

/* The layout of struct clone_args, version 0 (64 bytes). */
struct ps_clone_args {
	uint64_t	 flags;
	uint64_t	 pidfd;
	uint64_t	 child_tid;
	uint64_t	 parent_tid;
	uint64_t	 exit_signal;
	uint64_t	 stack;
	uint64_t	 stack_size;
	uint64_t	 tls;
};

static const struct {
	int		 flag;
	const char	*name;
} ps_nsnames[] = {
	{ CLONE_NEWUSER, "user" },
	{ CLONE_NEWNS, "mount" },
	{ CLONE_NEWPID, "pid" },
	{ CLONE_NEWNET, "network" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
ps_msg(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append one message to buf, "; "-separated. */
static void
ps_msg(char *buf, size_t len, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 n;

	if (buf == NULL || len == 0)
		return;
	n = strnlen(buf, len);
	if (n >= len)
		return;
	if (n > 0 && n + 2 < len) {
		buf[n++] = ';';
		buf[n++] = ' ';
		buf[n] = '\0';
	}
	if (n + 1 >= len)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Identities (before fork) */

static int
ps_addgroup(struct spawn_ids *ids, gid_t g)
{
	size_t	 i;

	for (i = 0; i < ids->ngroups; i++)
		if (ids->groups[i] == g)
			return 0;
	if (ids->ngroups >= SPAWN_MAXGROUPS) {
		errno = E2BIG;
		return -1;
	}
	ids->groups[ids->ngroups++] = g;
	return 0;
}

/*
 * The daemon's own identity, looked up once: getpwuid() reads the
 * password database on every call, and that identity does not change.
 * Looked up again should the effective ids ever differ.
 */
static struct spawn_ids	 ps_self;
static int		 ps_self_valid;

static int
ps_self_load(uid_t euid, gid_t egid, char *err, size_t errlen)
{
	struct passwd	*pw;
	int		 n;

	ps_self_valid = 0;
	memset(&ps_self, 0, sizeof(ps_self));
	ps_self.uid = euid;
	ps_self.gid = egid;
	if ((n = getgroups(SPAWN_MAXGROUPS, ps_self.groups)) == -1) {
		ps_msg(err, errlen, "getgroups: %s", strerror(errno));
		return -1;
	}
	ps_self.ngroups = (size_t)n;
	if (ps_addgroup(&ps_self, ps_self.gid) == -1) {
		ps_msg(err, errlen, "too many groups");
		return -1;
	}
	if ((pw = getpwuid(ps_self.uid)) != NULL)
		strlcpy(ps_self.user, pw->pw_name, sizeof(ps_self.user));
	ps_self_valid = 1;
	return 0;
}

void
privspawn_init(void)
{
	(void)ps_self_load(geteuid(), getegid(), NULL, 0);
}

/* The daemon's own identity: nothing to change. */
static int
ps_keep_self(struct spawn_ids *ids, uid_t euid, char *err, size_t errlen)
{
	gid_t	 egid = getegid();

	if ((!ps_self_valid || ps_self.uid != euid || ps_self.gid != egid) &&
	    ps_self_load(euid, egid, err, errlen) == -1)
		return -1;
	ids->change = 0;
	ids->uid = ps_self.uid;
	ids->gid = ps_self.gid;
	ids->ngroups = ps_self.ngroups;
	memcpy(ids->groups, ps_self.groups,
	    ps_self.ngroups * sizeof(ids->groups[0]));
	memcpy(ids->user, ps_self.user, sizeof(ids->user));
	return 0;
}

static int
ps_group(const char *name, gid_t *gid, char *err, size_t errlen)
{
	struct group	*gr;

	errno = 0;
	if ((gr = getgrnam(name)) == NULL) {
		if (errno == 0)
			errno = ENOENT;
		ps_msg(err, errlen, "unknown group %s", name);
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

int
privspawn_resolve(const struct unit_conf *u, int drop_privileges,
    struct spawn_ids *ids, char *err, size_t errlen)
{
	struct passwd	*pw;
	const char	*name;
	char		 pwname[256];
	uid_t		 euid;
	gid_t		 g;
	size_t		 i;
	int		 n, wants;

	memset(ids, 0, offsetof(struct spawn_ids, groups));
	memset(ids->user, 0, sizeof(ids->user));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	wants = u->user != NULL || u->group != NULL || u->nsupp > 0;
	if ((euid = geteuid()) != 0) {
		if (wants) {
			ps_msg(err, errlen, "user/group switching requested "
			    "but sysg is not running as root");
			errno = EPERM;
			return -1;
		}
		return ps_keep_self(ids, euid, err, errlen);
	}
	name = u->user != NULL ? u->user : drop_privileges ? "nobody" : NULL;
	if (name == NULL && !wants)
		return ps_keep_self(ids, euid, err, errlen);

	errno = 0;
	pw = name != NULL ? getpwnam(name) : getpwuid(euid);
	if (pw == NULL) {
		if (errno == 0)
			errno = ENOENT;
		ps_msg(err, errlen, "unknown user %s",
		    name != NULL ? name : "(daemon uid)");
		return -1;
	}
	ids->uid = pw->pw_uid;
	ids->gid = pw->pw_gid;
	if (strlcpy(pwname, pw->pw_name, sizeof(pwname)) >= sizeof(pwname)) {
		ps_msg(err, errlen, "user name too long");
		errno = ENAMETOOLONG;
		return -1;
	}
	strlcpy(ids->user, pwname, sizeof(ids->user));
	if (u->group != NULL && ps_group(u->group, &ids->gid, err,
	    errlen) == -1)
		return -1;

	n = SPAWN_MAXGROUPS;
	if (getgrouplist(pwname, ids->gid, ids->groups, &n) == -1) {
		ps_msg(err, errlen, "user %s: too many groups", pwname);
		errno = E2BIG;
		return -1;
	}
	ids->ngroups = (size_t)n;
	if (ps_addgroup(ids, ids->gid) == -1) {
		ps_msg(err, errlen, "user %s: too many groups", pwname);
		return -1;
	}
	for (i = 0; i < u->nsupp; i++) {
		if (ps_group(u->supp_groups[i], &g, err, errlen) == -1)
			return -1;
		if (ps_addgroup(ids, g) == -1) {
			ps_msg(err, errlen, "user %s: too many groups", pwname);
			return -1;
		}
	}
	ids->change = 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Fork with namespaces */

int
privspawn_ns_flags(const struct unit_conf *u)
{
	const struct isolation_conf *i = &u->iso;
	int	 f = 0;

	if (i->network)
		f |= CLONE_NEWNET;
	if (i->pid)
		f |= CLONE_NEWPID | CLONE_NEWNS;
	if (i->mount || i->private_tmp || i->private_devices)
		f |= CLONE_NEWNS;
	if (i->user)
		f |= CLONE_NEWUSER;
	return f;
}

static pid_t
ps_rawclone(int flags)
{
	struct ps_clone_args	 ca;
	long			 r;

	memset(&ca, 0, sizeof(ca));
	ca.flags = (uint64_t)(unsigned int)flags;
	ca.exit_signal = SIGCHLD;
	r = syscall(SYS_clone3, &ca, sizeof(ca));
	if (r == -1 && errno == ENOSYS)
		r = syscall(SYS_clone, (unsigned long)flags | SIGCHLD, 0, 0,
		    0, 0);
	return (pid_t)r;
}

static int
ps_refusable(int err)
{
	return err == EPERM || err == EINVAL || err == ENOSPC ||
	    err == EUSERS || err == ENOSYS;
}

static void
ps_reap(pid_t pid)
{
	(void)kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
}

/* The namespaces the kernel refuses on their own. */
static int
ps_probe(int flags)
{
	size_t	 i;
	pid_t	 pid;
	int	 bad = 0;

	for (i = 0; i < NELEM(ps_nsnames); i++) {
		if ((flags & ps_nsnames[i].flag) == 0)
			continue;
		if ((pid = ps_rawclone(ps_nsnames[i].flag)) == 0)
			_exit(0);
		if (pid == -1) {
			if (ps_refusable(errno))
				bad |= ps_nsnames[i].flag;
			continue;
		}
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	return bad;
}

static int
ps_gidcmp(const void *a, const void *b)
{
	gid_t	 x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

static int
ps_writemap(pid_t pid, const char *file, const char *text)
{
	char	 path[64];
	size_t	 len = strlen(text);
	ssize_t	 w;
	int	 fd, saved;

	(void)snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	w = write(fd, text, len);
	saved = errno;
	(void)close(fd);
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

/*
 * A spawner that is not root may only map its own ids, once, and must
 * give up setgroups in the namespace first (user_namespaces(7)).
 */
static int
ps_userns_map_self(pid_t pid)
{
	char	 text[64];

	if (ps_writemap(pid, "setgroups", "deny") == -1)
		return -1;
	(void)snprintf(text, sizeof(text), "%u %u 1\n", (unsigned)getegid(),
	    (unsigned)getegid());
	if (ps_writemap(pid, "gid_map", text) == -1)
		return -1;
	(void)snprintf(text, sizeof(text), "%u %u 1\n", (unsigned)geteuid(),
	    (unsigned)geteuid());
	return ps_writemap(pid, "uid_map", text);
}

/*
 * Map the service's uid and its groups to themselves, nothing else.
 * Written by the spawner (privileged in the parent namespace), so the
 * child may still call setgroups.
 */
static int
ps_userns_map(pid_t pid, const struct spawn_ids *ids)
{
	gid_t	 g[SPAWN_MAXGROUPS + 1];
	char	 text[PS_MAXEXTENTS * 36];
	size_t	 n = 0, i, j, off = 0, ext = 0;
	uid_t	 uid = ids != NULL ? ids->uid : geteuid();
	int	 r;

	if (geteuid() != 0)
		return ps_userns_map_self(pid);
	g[n++] = ids != NULL ? ids->gid : getegid();
	for (i = 0; ids != NULL && i < ids->ngroups; i++)
		g[n++] = ids->groups[i];
	qsort(g, n, sizeof(g[0]), ps_gidcmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && g[j] <= g[j - 1] + 1; j++)
			;
		if (++ext > PS_MAXEXTENTS) {
			errno = E2BIG;
			return -1;
		}
		r = snprintf(text + off, sizeof(text) - off, "%u %u %u\n",
		    (unsigned)g[i], (unsigned)g[i],
		    (unsigned)(g[j - 1] - g[i] + 1));
		if (r < 0 || (size_t)r >= sizeof(text) - off) {
			errno = E2BIG;
			return -1;
		}
		off += (size_t)r;
	}
	if (ps_writemap(pid, "gid_map", text) == -1)
		return -1;
	(void)snprintf(text, sizeof(text), "%u %u 1\n", (unsigned)uid,
	    (unsigned)uid);
	return ps_writemap(pid, "uid_map", text);
}

/*
 * One clone.  With a user namespace the child waits on a pipe until
 * the spawner has written its maps; *mapfail says the maps failed.
 */
static pid_t
ps_clone_once(int flags, const struct spawn_ids *ids, int *mapfail)
{
	pid_t	 pid;
	int	 p[2], saved;
	char	 c = 0;

	*mapfail = 0;
	if ((flags & CLONE_NEWUSER) == 0)
		return flags != 0 ? ps_rawclone(flags) : fork();
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((pid = ps_rawclone(flags)) == 0) {
		(void)close(p[1]);
		while (read(p[0], &c, 1) == -1 && errno == EINTR)
			;
		(void)close(p[0]);
		if (c != 'm')
			_exit(127);
		return 0;
	}
	saved = errno;
	(void)close(p[0]);
	if (pid == -1) {
		(void)close(p[1]);
		errno = saved;
		return -1;
	}
	if (ps_userns_map(pid, ids) == -1) {
		saved = errno;
		(void)close(p[1]);
		ps_reap(pid);
		*mapfail = 1;
		errno = saved;
		return -1;
	}
	c = 'm';
	if (write(p[1], &c, 1) != 1) {
		saved = errno;
		(void)close(p[1]);
		ps_reap(pid);
		errno = saved;
		return -1;
	}
	(void)close(p[1]);
	return pid;
}

static void
ps_warn_refused(int bad, int err, int strict, char *warn, size_t warnlen)
{
	size_t	 i;

	for (i = 0; i < NELEM(ps_nsnames); i++)
		if (bad & ps_nsnames[i].flag)
			ps_msg(warn, warnlen, "isolation: %s namespace "
			    "refused by the kernel (%s)%s", ps_nsnames[i].name,
			    strerror(err), strict ? ", strict: not started" :
			    ", running without it");
}

/* Features that silently need a namespace we could not get. */
static void
ps_warn_lost(const struct unit_conf *u, int flags, char *warn,
    size_t warnlen)
{
	if (flags & CLONE_NEWNS)
		return;
	if (u->iso.private_tmp)
		ps_msg(warn, warnlen, "isolation: private_tmp not applied");
	if (u->iso.private_devices)
		ps_msg(warn, warnlen, "isolation: private_devices not "
		    "applied");
}

pid_t
privspawn_fork(const struct unit_conf *u, const struct spawn_ids *ids,
    struct spawn_ns *applied, char *warn, size_t warnlen)
{
	pid_t	 pid;
	int	 flags, bad, mapfail, saved, tries;

	if (warn != NULL && warnlen > 0)
		warn[0] = '\0';
	flags = privspawn_ns_flags(u);
	for (tries = 0; tries <= (int)NELEM(ps_nsnames); tries++) {
		applied->flags = flags;
		if ((pid = ps_clone_once(flags, ids, &mapfail)) != -1) {
			if (pid > 0)
				ps_warn_lost(u, flags, warn, warnlen);
			return pid;
		}
		saved = errno;
		applied->flags = 0;
		if (!mapfail && (flags == 0 || !ps_refusable(saved)))
			return -1;
		if (mapfail)
			bad = CLONE_NEWUSER;
		else if ((bad = ps_probe(flags)) == 0)
			bad = flags;	/* only the combination fails */
		ps_warn_refused(bad, saved, u->iso.strict, warn, warnlen);
		if (u->iso.strict) {
			errno = saved;
			return -1;
		}
		flags &= ~bad;
	}
	errno = EAGAIN;
	return -1;
}

/* ------------------------------------------------------------------ */
/* In the child */

static int
ps_fail(struct spawn_error *e, const char *step, int err, const char *detail)
{
	strlcpy(e->step, step, sizeof(e->step));
	e->err = err;
	if (detail != NULL)
		strlcpy(e->detail, detail, sizeof(e->detail));
	else
		e->detail[0] = '\0';
	errno = err;
	return -1;
}

static int
ps_loopback(struct spawn_error *e)
{
	struct ifreq	 ifr;
	int		 s, saved;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return ps_fail(e, "network", errno, "socket");
	memset(&ifr, 0, sizeof(ifr));
	strlcpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name));
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == -1)
		goto fail;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) == -1)
		goto fail;
	(void)close(s);
	return 0;
fail:
	saved = errno;
	(void)close(s);
	return ps_fail(e, "network", saved, "bring lo up");
}

static int
ps_private_tmp(struct spawn_error *e)
{
	static const char *const dirs[] = { "/tmp", "/var/tmp" };
	struct stat	 st;
	size_t		 i;

	for (i = 0; i < NELEM(dirs); i++) {
		if (stat(dirs[i], &st) == -1 && errno == ENOENT)
			continue;
		if (mount("tmpfs", dirs[i], "tmpfs", MS_NOSUID | MS_NODEV,
		    "mode=1777") == -1)
			return ps_fail(e, "private_tmp", errno, dirs[i]);
	}
	return 0;
}

static const char *const ps_devnodes[] = {
	"null", "zero", "full", "random", "urandom", "tty"
};

static int
ps_devnode(const char *name, int src, struct spawn_error *e)
{
	char	 dst[64], from[64];
	int	 fd;

	(void)snprintf(dst, sizeof(dst), "/dev/%s", name);
	(void)snprintf(from, sizeof(from), "/proc/self/fd/%d", src);
	if ((fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0666)) == -1)
		return ps_fail(e, "private_devices", errno, dst);
	(void)close(fd);
	if (mount(from, dst, NULL, MS_BIND, NULL) == -1)
		return ps_fail(e, "private_devices", errno, dst);
	return 0;
}

static int
ps_devlinks(struct spawn_error *e)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "/dev/fd" },
		{ "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" },
		{ "/proc/self/fd/2", "/dev/stderr" },
	};
	size_t	 i;

	for (i = 0; i < NELEM(links); i++)
		if (symlink(links[i][0], links[i][1]) == -1)
			return ps_fail(e, "private_devices", errno,
			    links[i][1]);
	if (mkdir("/dev/shm", 0755) == -1)
		return ps_fail(e, "private_devices", errno, "/dev/shm");
	if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
	    "mode=1777") == -1)
		return ps_fail(e, "private_devices", errno, "/dev/shm");
	return 0;
}

/*
 * A minimal /dev: a tmpfs with bind mounts of the host's harmless
 * nodes, reached through O_PATH descriptors opened before the host's
 * /dev is covered.  The tmpfs is made read-only at the end.
 */
static int
ps_private_devices(const struct spawn_ids *ids, int userns,
    struct spawn_error *e)
{
	int	 src[NELEM(ps_devnodes)];
	size_t	 i;
	int	 r = -1;
	char	 path[64], opts[64];

	for (i = 0; i < NELEM(ps_devnodes); i++) {
		(void)snprintf(path, sizeof(path), "/dev/%s", ps_devnodes[i]);
		src[i] = open(path, O_PATH | O_CLOEXEC);
	}
	/*
	 * In a user namespace only mapped ids may own or create files:
	 * the tmpfs belongs to the service's ids, which create the nodes.
	 */
	userns = userns && ids != NULL;
	if (userns)
		(void)snprintf(opts, sizeof(opts), "mode=0755,size=1m,"
		    "uid=%u,gid=%u", (unsigned)ids->uid, (unsigned)ids->gid);
	else
		strlcpy(opts, "mode=0755,size=1m", sizeof(opts));
	if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC,
	    opts) == -1) {
		(void)ps_fail(e, "private_devices", errno, "/dev");
		goto out;
	}
	if (userns) {
		(void)setfsgid(ids->gid);
		(void)setfsuid(ids->uid);
	}
	for (i = 0; i < NELEM(ps_devnodes); i++)
		if (src[i] != -1 && ps_devnode(ps_devnodes[i], src[i],
		    e) == -1)
			goto out;
	if (ps_devlinks(e) == -1)
		goto out;
	if (mount(NULL, "/dev", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY |
	    MS_NOSUID | MS_NOEXEC, NULL) == -1) {
		(void)ps_fail(e, "private_devices", errno, "remount /dev");
		goto out;
	}
	r = 0;
out:
	for (i = 0; i < NELEM(ps_devnodes); i++)
		if (src[i] != -1)
			(void)close(src[i]);
	return r;
}

static int
ps_mounts(const struct unit_conf *u, const struct spawn_ids *ids,
    const struct spawn_ns *ns, struct spawn_error *e)
{
	if ((ns->flags & CLONE_NEWNS) == 0)
		return 0;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return ps_fail(e, "mount", errno, "make / private");
	if (u->iso.private_tmp && ps_private_tmp(e) == -1)
		return -1;
	if (u->iso.private_devices && ps_private_devices(ids,
	    (ns->flags & CLONE_NEWUSER) != 0, e) == -1)
		return -1;
	if ((ns->flags & CLONE_NEWPID) && mount("proc", "/proc", "proc",
	    MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
		return ps_fail(e, "mount", errno, "/proc");
	return 0;
}

static rlim_t
ps_rlim(uint64_t v)
{
	return v == LIMIT_INFINITY ? RLIM_INFINITY : (rlim_t)v;
}

static int
ps_rlimits(const struct unit_conf *u, struct spawn_error *e)
{
	const struct {
		int			 res;
		const struct rlimit_conf *c;
		const char		*name;
	} t[] = {
		{ RLIMIT_NOFILE, &u->limits.nofile, "nofile" },
		{ RLIMIT_NPROC, &u->limits.nproc, "nproc" },
		{ RLIMIT_MEMLOCK, &u->limits.memlock, "memlock" },
		{ RLIMIT_CORE, &u->limits.core, "core" },
	};
	struct rlimit	 rl;
	size_t		 i;

	for (i = 0; i < NELEM(t); i++) {
		if (!t[i].c->set)
			continue;
		rl.rlim_cur = ps_rlim(t[i].c->soft);
		rl.rlim_max = ps_rlim(t[i].c->hard);
		if (setrlimit(t[i].res, &rl) == -1)
			return ps_fail(e, "setrlimit", errno, t[i].name);
	}
	return 0;
}

static int
ps_sched(const struct unit_conf *u, struct spawn_error *e)
{
	cpu_set_t	 set;
	size_t		 i;

	if (u->limits.has_nice &&
	    setpriority(PRIO_PROCESS, 0, u->limits.nice) == -1)
		return ps_fail(e, "nice", errno, NULL);
	if (u->limits.ncpus == 0)
		return 0;
	CPU_ZERO(&set);
	for (i = 0; i < u->limits.ncpus; i++) {
		if (u->limits.cpus[i] < 0 || u->limits.cpus[i] >= CPU_SETSIZE)
			return ps_fail(e, "cpu_affinity", EINVAL, NULL);
		CPU_SET(u->limits.cpus[i], &set);
	}
	if (sched_setaffinity(0, sizeof(set), &set) == -1)
		return ps_fail(e, "cpu_affinity", errno, NULL);
	return 0;
}

static int
ps_lastcap(void)
{
	int	 n = (int)cap_max_bits();

	return n > 0 && n <= 64 ? n - 1 : CAP_LAST_CAP;
}

/* Drop every capability not in keep from the bounding set. */
static int
ps_bounding(uint64_t keep, struct spawn_error *e)
{
	int	 c, last = ps_lastcap();

	for (c = 0; c <= last; c++) {
		if (keep & (UINT64_C(1) << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == -1 &&
		    errno != EINVAL)
			return ps_fail(e, "capabilities", errno,
			    "bounding set");
	}
	return 0;
}

/* Permitted, effective and inheritable = keep; ambient raised = keep. */
static int
ps_capsets(uint64_t keep, struct spawn_error *e)
{
	cap_t		 caps;
	cap_value_t	 v;
	int		 c, last = ps_lastcap(), saved;

	if ((caps = cap_init()) == NULL)
		return ps_fail(e, "capabilities", errno, "cap_init");
	for (c = 0; c <= last; c++) {
		if ((keep & (UINT64_C(1) << c)) == 0)
			continue;
		v = c;
		if (cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET) == -1 ||
		    cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET) == -1 ||
		    cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET) == -1)
			goto fail;
	}
	if (cap_set_proc(caps) == -1)
		goto fail;
	(void)cap_free(caps);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1)
		return ps_fail(e, "capabilities", errno, "ambient");
	for (c = 0; c <= last; c++)
		if ((keep & (UINT64_C(1) << c)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) == -1)
			return ps_fail(e, "capabilities", errno, "ambient");
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1)
		return ps_fail(e, "capabilities", errno, "keepcaps");
	return 0;
fail:
	saved = errno;
	(void)cap_free(caps);
	return ps_fail(e, "capabilities", saved, "cap_set_proc");
}

static int
ps_setids(const struct spawn_ids *ids, struct spawn_error *e)
{
	uid_t	 ru, eu, su;
	gid_t	 rg, eg, sg;

	if (ids->ngroups > SPAWN_MAXGROUPS)
		return ps_fail(e, "setgroups", EINVAL, NULL);
	if (setgroups(ids->ngroups, ids->groups) == -1)
		return ps_fail(e, "setgroups", errno, NULL);
	if (setresgid(ids->gid, ids->gid, ids->gid) == -1)
		return ps_fail(e, "setgid", errno, NULL);
	if (setresuid(ids->uid, ids->uid, ids->uid) == -1)
		return ps_fail(e, "setuid", errno, NULL);
	if (getresgid(&rg, &eg, &sg) == -1 || rg != ids->gid ||
	    eg != ids->gid || sg != ids->gid)
		return ps_fail(e, "setgid", EPERM, "gid did not stick");
	if (getresuid(&ru, &eu, &su) == -1 || ru != ids->uid ||
	    eu != ids->uid || su != ids->uid)
		return ps_fail(e, "setuid", EPERM, "uid did not stick");
	return 0;
}

/*
 * Groups, gid, uid and capabilities.  The bounding set is reduced while
 * still privileged; listed capabilities survive the uid change through
 * keep-caps and exec through the ambient set.
 */
static int
ps_identity(const struct unit_conf *u, const struct spawn_ids *ids,
    struct spawn_error *e)
{
	uint64_t keep = u->has_caps ? u->caps : 0;
	int	 nonroot = ids->change && ids->uid != 0;
	int	 setcaps = u->has_caps || nonroot;

	if (setcaps && ps_bounding(keep, e) == -1)
		return -1;
	if (keep != 0 && nonroot &&
	    prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1)
		return ps_fail(e, "capabilities", errno, "keepcaps");
	if (ids->change && ps_setids(ids, e) == -1)
		return -1;
	if (setcaps && ps_capsets(keep, e) == -1)
		return -1;
	return 0;
}

/* The `seccomp: default` deny list (names unknown here are skipped). */
static const char *const ps_denied[] = {
	/* kernel modules */
	"init_module", "finit_module", "delete_module", "create_module",
	/* reboot, kexec */
	"reboot", "kexec_load", "kexec_file_load",
	/* swap */
	"swapon", "swapoff",
	/* mounts */
	"mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig",
	"fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
	/* tracing other processes */
	"ptrace", "process_vm_readv", "process_vm_writev",
	/* bpf */
	"bpf",
	/* clocks */
	"settimeofday", "clock_settime", "clock_settime64", "clock_adjtime",
	"clock_adjtime64", "adjtimex", "stime",
};

static void
ps_compat_arches(scmp_filter_ctx ctx)
{
	uint32_t	 native = seccomp_arch_native();

	if (native == SCMP_ARCH_X86_64) {
		(void)seccomp_arch_add(ctx, SCMP_ARCH_X86);
		(void)seccomp_arch_add(ctx, SCMP_ARCH_X32);
	} else if (native == SCMP_ARCH_AARCH64)
		(void)seccomp_arch_add(ctx, SCMP_ARCH_ARM);
}

static int
ps_seccomp(struct spawn_error *e)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 nr, r;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return ps_fail(e, "seccomp", ENOMEM, "seccomp_init");
	ps_compat_arches(ctx);
	for (i = 0; i < NELEM(ps_denied); i++) {
		nr = seccomp_syscall_resolve_name(ps_denied[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr,
		    0)) < 0) {
			seccomp_release(ctx);
			return ps_fail(e, "seccomp", -r, ps_denied[i]);
		}
	}
	r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		return ps_fail(e, "seccomp", -r, "seccomp_load");
	return 0;
}

/*
 * 1 if privspawn_child() has nothing to do for u run as the daemon's
 * own user: no limits, scheduling, namespaces, cgroup, capabilities or
 * filters.
 */
int
privspawn_trivial(const struct unit_conf *u)
{
	const struct limits_conf	*l = &u->limits;

	return !l->nofile.set && !l->nproc.set && !l->memlock.set &&
	    !l->core.set && !l->has_nice && l->ncpus == 0 &&
	    !l->cgroup.set && privspawn_ns_flags(u) == 0 && !u->has_caps &&
	    !u->iso.no_new_privileges && !u->iso.seccomp_default;
}

int
privspawn_child(const struct unit_conf *u, const struct spawn_ids *ids,
    const struct spawn_ns *ns, struct spawn_error *e)
{
	memset(e, 0, sizeof(*e));
	/* First, so the set-up below is already accounted to the group. */
	if (u->limits.cgroup.set && cgroup_enter(u) == -1)
		return ps_fail(e, "cgroup", errno, NULL);
	if ((ns->flags & CLONE_NEWNET) && ps_loopback(e) == -1)
		return -1;
	if (ps_mounts(u, ids, ns, e) == -1)
		return -1;
	if (ps_rlimits(u, e) == -1 || ps_sched(u, e) == -1)
		return -1;
	if (ps_identity(u, ids, e) == -1)
		return -1;
	if ((u->iso.no_new_privileges || u->iso.seccomp_default) &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return ps_fail(e, "no_new_privileges", errno, NULL);
	if (u->iso.seccomp_default && ps_seccomp(e) == -1)
		return -1;
	return 0;
}
