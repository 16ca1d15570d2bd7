/*
 * Per-role sandbox: chroot, role user, no capabilities, no_new_privs,
 * seccomp allow-list.  See sandbox.h.
 */

#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Everything an event-driven role uses: libevent, imsg, glibc, jansson. */
static const char *const sb_base[] = {
	"read", "write", "readv", "writev", "pread64", "pwrite64", "close",
	"close_range", "lseek", "fstat", "newfstatat", "statx", "fcntl",
	"dup", "dup2", "dup3", "pipe", "pipe2", "socketpair", "eventfd2",
	"brk", "munmap", "mremap", "madvise", "futex", "set_robust_list",
	"rseq", "getrandom", "clock_gettime", "clock_getres",
	"gettimeofday", "time", "nanosleep", "clock_nanosleep", "getpid",
	"gettid", "getppid", "getuid", "geteuid", "getgid", "getegid",
	"getresuid", "getresgid", "getgroups", "rt_sigaction",
	"rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall",
	"exit", "exit_group", "epoll_create", "epoll_create1", "epoll_ctl",
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "poll", "ppoll",
	"select", "pselect6", "timerfd_create", "timerfd_settime",
	"timerfd_gettime", "recvmsg", "sendmsg", "recvfrom", "sendto",
	"shutdown", "getsockopt", "setsockopt", "getsockname", "getpeername",
	"uname", "sysinfo", "sched_yield", "sched_getaffinity", "getrusage",
	"times", "getcwd", "umask",
};

/* Reading files (relative to the directory fds a role was handed). */
static const char *const sb_fsread[] = {
	"getdents64", "access", "faccessat", "faccessat2", "readlink",
	"readlinkat",
};

/* Writing state and log files. */
static const char *const sb_fswrite[] = {
	"openat", "rename", "renameat", "renameat2", "unlink", "unlinkat",
	"mkdir", "mkdirat", "fsync", "fdatasync", "ftruncate", "fchmod",
	"fchown",
};

/* supervisor: log writer (tee/splice) and tcp/http health checks. */
static const char *const sb_supervisor[] = {
	"tee", "splice", "connect",
};

/* control: accept CLI connections on the listener it was handed. */
static const char *const sb_control[] = {
	"accept", "accept4",
};

/* Denied with EPERM whatever the default action. */
static const char *const sb_denied[] = {
	"execve", "execveat", "ptrace", "mount", "umount2", "init_module",
	"finit_module", "delete_module", "reboot", "kexec_load",
	"kexec_file_load", "swapon", "swapoff",
};

static void
sb_rule(scmp_filter_ctx ctx, uint32_t act, const char *name,
    unsigned int argc, const struct scmp_arg_cmp *cmp)
{
	int	 nr, r;

	if ((nr = seccomp_syscall_resolve_name(name)) == __NR_SCMP_ERROR)
		return;			/* not a syscall on this arch */
	if ((r = seccomp_rule_add_array(ctx, act, nr, argc, cmp)) < 0)
		fatalx("sandbox: seccomp rule %s: %s", name, strerror(-r));
}

static void
sb_allow(scmp_filter_ctx ctx, const char *const *names, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		sb_rule(ctx, SCMP_ACT_ALLOW, names[i], 0, NULL);
}

static void
sb_allow1(scmp_filter_ctx ctx, const char *name, struct scmp_arg_cmp cmp)
{
	sb_rule(ctx, SCMP_ACT_ALLOW, name, 1, &cmp);
}

/* Calls allowed only with some arguments. */
static void
sb_restricted(scmp_filter_ctx ctx, enum sysg_proc role)
{
	static const unsigned long ioctls[] = {
		FIONREAD, FIONBIO, TCGETS, TIOCGWINSZ
	};
	size_t	 i;

	/* No executable mappings. */
	sb_allow1(ctx, "mmap", SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	sb_allow1(ctx, "mprotect", SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	for (i = 0; i < NELEM(ioctls); i++)
		sb_allow1(ctx, "ioctl", SCMP_A1(SCMP_CMP_EQ, ioctls[i]));
	sb_allow1(ctx, "prctl", SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME));
	sb_allow1(ctx, "prctl", SCMP_A0(SCMP_CMP_EQ, PR_GET_NAME));
	/* raise()/abort() signal the process itself only. */
	sb_allow1(ctx, "tgkill", SCMP_A0(SCMP_CMP_EQ, (uint64_t)getpid()));
	/* getrlimit, never setrlimit. */
	sb_allow1(ctx, "prlimit64", SCMP_A2(SCMP_CMP_EQ, 0));
	sb_allow(ctx, (const char *const[]){ "getrlimit" }, 1);

	switch (role) {
	case PROC_SUPERVISOR:
		sb_allow1(ctx, "socket", SCMP_A0(SCMP_CMP_EQ, AF_INET));
		sb_allow1(ctx, "socket", SCMP_A0(SCMP_CMP_EQ, AF_INET6));
		break;
	case PROC_CONTROL:
		/* Read-only opens. */
		sb_allow1(ctx, "openat", SCMP_A2(SCMP_CMP_MASKED_EQ,
		    O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY));
		break;
	default:
		break;
	}
}

static uint32_t
sb_default_action(void)
{
	const char	*s = getenv("SYSG_SECCOMP");

	if (s != NULL && strcmp(s, "kill") == 0)
		return SCMP_ACT_KILL_PROCESS;
	if (s != NULL && strcmp(s, "log") == 0)
		return SCMP_ACT_LOG;
	return SCMP_ACT_ERRNO(EPERM);
}

static void
sb_seccomp(enum sysg_proc role)
{
	scmp_filter_ctx	 ctx;
	uint32_t	 def = sb_default_action();
	size_t		 i;
	int		 r;

	if ((ctx = seccomp_init(def)) == NULL)
		fatalx("sandbox: seccomp_init failed");
	/* Native arch only: any other arch hits the BADARCH kill. */
	sb_allow(ctx, sb_base, NELEM(sb_base));
	sb_restricted(ctx, role);
	switch (role) {
	case PROC_SUPERVISOR:
		sb_allow(ctx, sb_fsread, NELEM(sb_fsread));
		sb_allow(ctx, sb_fswrite, NELEM(sb_fswrite));
		sb_allow(ctx, sb_supervisor, NELEM(sb_supervisor));
		break;
	case PROC_CRON:
		sb_allow(ctx, sb_fsread, NELEM(sb_fsread));
		sb_allow(ctx, sb_fswrite, NELEM(sb_fswrite));
		break;
	case PROC_CONTROL:
		sb_allow(ctx, sb_fsread, NELEM(sb_fsread));
		sb_allow(ctx, sb_control, NELEM(sb_control));
		break;
	default:
		fatalx("sandbox: no seccomp list for role %d", (int)role);
	}
	if (def != SCMP_ACT_ERRNO(EPERM))
		for (i = 0; i < NELEM(sb_denied); i++)
			sb_rule(ctx, SCMP_ACT_ERRNO(EPERM), sb_denied[i], 0,
			    NULL);
	if ((r = seccomp_load(ctx)) < 0)
		fatalx("sandbox: seccomp_load: %s", strerror(-r));
	seccomp_release(ctx);
}

int
sandbox_role_user(uid_t *uid, gid_t *gid, char *name, size_t namelen)
{
	struct passwd	*pw;

	if ((pw = getpwnam(SANDBOX_USER)) == NULL &&
	    (pw = getpwnam(SANDBOX_FALLBACK_USER)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (name != NULL && namelen > 0 &&
	    strlcpy(name, pw->pw_name, namelen) >= namelen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* The chroot must be a root-owned directory nobody else may write, empty. */
static void
sb_chroot(const char *dir)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	int		 fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		fatal("sandbox: %s", dir);
	if (fstat(fd, &st) == -1)
		fatal("sandbox: %s", dir);
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		fatalx("sandbox: %s must be owned by root and not writable "
		    "by others", dir);
	if ((d = fdopendir(fd)) == NULL)
		fatal("sandbox: %s", dir);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			fatalx("sandbox: %s is not empty", dir);
	(void)closedir(d);
	if (chroot(dir) == -1)
		fatal("sandbox: chroot %s", dir);
	if (chdir("/") == -1)
		fatal("sandbox: chdir /");
}

static int
sb_have_setpcap(void)
{
	cap_flag_value_t v = CAP_CLEAR;
	cap_t		 c;

	if ((c = cap_get_proc()) == NULL)
		return 0;
	if (cap_get_flag(c, CAP_SETPCAP, CAP_EFFECTIVE, &v) == -1)
		v = CAP_CLEAR;
	(void)cap_free(c);
	return v == CAP_SET;
}

static void
sb_drop_bounding(void)
{
	int	 c, last = (int)cap_max_bits() - 1;

	if (last < 0 || last > 63)
		last = CAP_LAST_CAP;
	for (c = 0; c <= last; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == -1 &&
		    errno != EINVAL)
			fatal("sandbox: drop bounding capability %d", c);
}

static void
sb_drop_caps(void)
{
	cap_t	 c, cur;
	int	 same;

	if ((c = cap_init()) == NULL)
		fatal("sandbox: cap_init");
	if (cap_set_proc(c) == -1)
		fatal("sandbox: cap_set_proc");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL)
		fatal("sandbox: clear ambient capabilities");
	if ((cur = cap_get_proc()) == NULL)
		fatal("sandbox: cap_get_proc");
	same = cap_compare(c, cur) == 0;
	(void)cap_free(cur);
	(void)cap_free(c);
	if (!same)
		fatalx("sandbox: capabilities still held");
}

static void
sb_become(uid_t uid, gid_t gid, const char *name)
{
	uid_t	 ru, eu, su;
	gid_t	 rg, eg, sg;

	if (setgroups(1, &gid) == -1)
		fatal("sandbox: setgroups");
	if (setresgid(gid, gid, gid) == -1)
		fatal("sandbox: setresgid");
	if (setresuid(uid, uid, uid) == -1)
		fatal("sandbox: setresuid %s", name);
	if (getresgid(&rg, &eg, &sg) == -1 || rg != gid || eg != gid ||
	    sg != gid || getresuid(&ru, &eu, &su) == -1 || ru != uid ||
	    eu != uid || su != uid)
		fatalx("sandbox: identity did not stick");
	if (uid != 0 && setuid(0) != -1)
		fatalx("sandbox: could regain root");
}

void
sandbox_role(enum sysg_proc role, const struct sysg_env *env,
    const char *chroot_dir)
{
	char	 name[64];
	uid_t	 uid = 0;
	gid_t	 gid = 0;
	int	 drop;

	if (role == PROC_PARENT || role == PROC_SPAWNER) {
		log_debug("sandbox: none for %s", proc_names[role]);
		return;
	}
	if (role != PROC_SUPERVISOR && role != PROC_CRON &&
	    role != PROC_CONTROL)
		fatalx("sandbox: unknown role %d", (int)role);

	drop = env->sysmode && geteuid() == 0;
	if (drop && sandbox_role_user(&uid, &gid, name, sizeof(name)) == -1)
		fatalx("sandbox: no %s or %s account", SANDBOX_USER,
		    SANDBOX_FALLBACK_USER);
	tzset();
	if (env->sysmode && chroot_dir != NULL)
		sb_chroot(chroot_dir);
	if (sb_have_setpcap())
		sb_drop_bounding();
	if (drop)
		sb_become(uid, gid, name);
	sb_drop_caps();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("sandbox: no_new_privs");
	sb_seccomp(role);
	log_debug("sandbox: %s%s%s, seccomp on", proc_names[role],
	    drop ? " as " : "", drop ? name : "");
}
