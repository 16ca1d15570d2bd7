#include "unit.h"

/*
 * Unit tests for common/sandbox.c.  Each case forks a child that applies
 * a role's sandbox and then does what that role does (a libevent loop
 * with a socketpair and a timer, file writes through a directory fd, a
 * tcp connect, an accept on a Unix listener) and what it must not do
 * (execve, ptrace, mount, fork, executable mappings, ...).  While the
 * child waits, the parent reads /proc/<pid>/status: ids, capabilities,
 * NoNewPrivs, Seccomp, and /proc/<pid>/root for the chroot.
 */

#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "sandbox.h"
#include "sysg.h"

static int	 resfd = -1;

#define CHECK(c) do {							\
	if (!(c)) {							\
		dprintf(resfd, "line %d: %s (errno %d)\n", __LINE__,	\
		    #c, errno);						\
		_exit(1);						\
	}								\
} while (0)

#define DENIED(call) do {						\
	errno = 0;							\
	CHECK((call) == -1 && errno == EPERM);				\
} while (0)

struct fixture {
	char		 chroot[64];	/* empty, root-owned */
	char		 work[64];	/* writable by the role user */
	char		 sock[128];	/* control listener path */
	int		 tcp;		/* listener on 127.0.0.1 */
	int		 tcpport;
};

static struct fixture	 fx;

/* ------------------------------------------------------------------ */
/* What runs in the sandboxed child */

struct loopstate {
	struct event_base *base;
	int		 sp[2];
	int		 fired, got;
};

static void
on_timer(evutil_socket_t fd, short ev, void *arg)
{
	struct loopstate *ls = arg;

	(void)fd;
	(void)ev;
	ls->fired = 1;
	CHECK(write(ls->sp[1], "ping", 4) == 4);
}

static void
on_read(evutil_socket_t fd, short ev, void *arg)
{
	struct loopstate *ls = arg;
	char		 buf[8];

	(void)ev;
	if (read(fd, buf, sizeof(buf)) == 4)
		ls->got = 1;
	event_base_loopbreak(ls->base);
}

static void
ops_event_loop(void)
{
	struct loopstate ls;
	struct event	*t, *r;
	struct timeval	 tv = { 0, 10000 };
	int		 n;

	memset(&ls, 0, sizeof(ls));
	CHECK((ls.base = event_base_new()) != NULL);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ls.sp) == 0);
	CHECK(evutil_make_socket_nonblocking(ls.sp[0]) == 0);
	CHECK((t = evtimer_new(ls.base, on_timer, &ls)) != NULL);
	CHECK((r = event_new(ls.base, ls.sp[0], EV_READ, on_read, &ls)) !=
	    NULL);
	CHECK(evtimer_add(t, &tv) == 0);
	CHECK(event_add(r, NULL) == 0);
	CHECK(event_base_dispatch(ls.base) == 0);
	CHECK(ls.fired && ls.got);
	CHECK(ioctl(ls.sp[0], FIONREAD, &n) == 0 && n == 0);
	event_free(t);
	event_free(r);
	event_base_free(ls.base);
	close(ls.sp[0]);
	close(ls.sp[1]);
}

static void
ops_files(int dfd)
{
	struct stat	 st;
	DIR		*d;
	int		 fd, found = 0;
	struct dirent	*de;

	CHECK((fd = openat(dfd, "state.json.tmp", O_WRONLY | O_CREAT |
	    O_TRUNC | O_CLOEXEC, 0640)) != -1);
	CHECK(write(fd, "{}\n", 3) == 3);
	CHECK(fsync(fd) == 0);
	CHECK(close(fd) == 0);
	CHECK(renameat(dfd, "state.json.tmp", dfd, "state.json") == 0);
	CHECK(fstatat(dfd, "state.json", &st, 0) == 0 && st.st_size == 3);
	CHECK((fd = dup(dfd)) != -1);
	CHECK((d = fdopendir(fd)) != NULL);
	while ((de = readdir(d)) != NULL)
		found |= strcmp(de->d_name, "state.json") == 0;
	closedir(d);
	CHECK(found);
	CHECK(unlinkat(dfd, "state.json", 0) == 0);
}

/* The log writer: tee a pipe and splice it into a file. */
static void
ops_splice(int dfd)
{
	int	 a[2], b[2], fd;

	CHECK(pipe2(a, O_CLOEXEC) == 0 && pipe2(b, O_CLOEXEC) == 0);
	CHECK(write(a[1], "line\n", 5) == 5);
	CHECK(tee(a[0], b[1], 5, 0) == 5);
	CHECK((fd = openat(dfd, "svc.log", O_WRONLY | O_CREAT | O_CLOEXEC,
	    0640)) != -1);
	CHECK(splice(a[0], NULL, fd, NULL, 5, 0) == 5);
	close(fd);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	CHECK(unlinkat(dfd, "svc.log", 0) == 0);
}

static void
ops_tcp_check(void)
{
	struct sockaddr_in sin;
	int		 s;

	CHECK((s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)fx.tcpport);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(connect(s, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	close(s);
	DENIED(socket(AF_UNIX, SOCK_STREAM, 0));
	DENIED(socket(AF_NETLINK, SOCK_RAW, 0));
}

static void
ops_accept(int lfd)
{
	struct ucred	 cr;
	socklen_t	 len = sizeof(cr);
	int		 c;

	CHECK((c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) != -1);
	CHECK(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0);
	CHECK(cr.uid == 0 || cr.uid == getuid());
	CHECK(send(c, "hi", 2, 0) == 2);
	close(c);
}

/* What no role may do. */
static void
ops_denied(enum sysg_proc role, int dfd)
{
	char	*argv[] = { "/bin/true", NULL }, *envp[] = { NULL };
	struct rlimit rl = { 10, 10 };
	void	*p;

	DENIED(execve("/bin/true", argv, envp));
	DENIED(syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, envp, 0));
	DENIED(ptrace(PTRACE_TRACEME, 0, NULL, NULL));
	DENIED(mount("none", "/mnt", "tmpfs", 0, NULL));
	DENIED(fork());
	DENIED(setuid(0));
	DENIED(setrlimit(RLIMIT_NOFILE, &rl));
	DENIED(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
	DENIED(kill(getppid(), 0));
	errno = 0;
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	CHECK(p == MAP_FAILED && errno == EPERM);
	CHECK((p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0)) != MAP_FAILED);
	DENIED(mprotect(p, 4096, PROT_READ | PROT_EXEC));
	CHECK(munmap(p, 4096) == 0);
	if (role == PROC_CONTROL) {
		DENIED(openat(dfd, "x", O_WRONLY | O_CREAT, 0600));
		DENIED(renameat(dfd, "a", dfd, "b"));
		DENIED(socket(AF_INET, SOCK_STREAM, 0));
	}
	if (role == PROC_CRON)
		DENIED(socket(AF_INET, SOCK_STREAM, 0));
}

static void
ops_allowed_misc(void)
{
	struct rlimit	 rl;
	char		 name[16];

	CHECK(prctl(PR_SET_NAME, "sysg-test", 0, 0, 0) == 0);
	CHECK(prctl(PR_GET_NAME, name, 0, 0, 0) == 0);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK(getpid() > 0 && getuid() == geteuid());
	CHECK(isatty(resfd) == 0);
}

static void __attribute__((noreturn))
sandboxed_child(enum sysg_proc role, int sysmode, int waitfd)
{
	struct sysg_env	 env;
	int		 dfd, lfd = -1;
	char		 c;

	memset(&env, 0, sizeof(env));
	env.sysmode = sysmode;
	log_init("test", LOG_LVL_WARN, 0);
	CHECK((dfd = open(fx.work, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) !=
	    -1);
	if (role == PROC_CONTROL) {
		struct sockaddr_un sun;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		strlcpy(sun.sun_path, fx.sock, sizeof(sun.sun_path));
		CHECK((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
		    0)) != -1);
		CHECK(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
		CHECK(listen(lfd, 4) == 0);
		/* connect to ourselves before the sandbox; accept after */
		{
			int cs = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

			CHECK(cs != -1);
			CHECK(connect(cs, (struct sockaddr *)&sun,
			    sizeof(sun)) == 0);
		}
	}

	sandbox_role(role, &env, sysmode ? fx.chroot : NULL);

	ops_event_loop();
	ops_allowed_misc();
	if (role == PROC_SUPERVISOR || role == PROC_CRON)
		ops_files(dfd);
	if (role == PROC_SUPERVISOR) {
		ops_splice(dfd);
		ops_tcp_check();
	}
	if (role == PROC_CONTROL)
		ops_accept(lfd);
	ops_denied(role, dfd);
	CHECK(write(resfd, "ok\n", 3) == 3);
	/* stay until the parent has looked at /proc/<pid>/status */
	while (read(waitfd, &c, 1) == -1 && errno == EINTR)
		;
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* The parent side */

static void
status_field(pid_t pid, const char *key, char *out, size_t len)
{
	char	 path[64], line[512];
	FILE	*f;
	size_t	 kl = strlen(key);

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			line[strcspn(line, "\n")] = '\0';
			strlcpy(out, line + kl + 1 + strspn(line + kl + 1,
			    " \t"), len);
			break;
		}
	fclose(f);
}

static void
assert_field(pid_t pid, const char *key, const char *want)
{
	char	 got[256];

	status_field(pid, key, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", key, got, want);
}

static void
run_case(enum sysg_proc role, int sysmode, const char *seccomp_env)
{
	char	 res[256], buf[64], want[64], link[PATH_MAX];
	int	 rp[2], wp[2], status;
	ssize_t	 n;
	pid_t	 pid;
	uid_t	 uid = 0;
	gid_t	 gid = 0;

	if (sysmode)
		assert_int_equal(sandbox_role_user(&uid, &gid, NULL, 0), 0);
	assert_int_equal(pipe2(rp, O_CLOEXEC), 0);
	assert_int_equal(pipe2(wp, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		close(rp[0]);
		close(wp[1]);
		resfd = rp[1];
		if (seccomp_env != NULL)
			setenv("SYSG_SECCOMP", seccomp_env, 1);
		sandboxed_child(role, sysmode, wp[0]);
	}
	close(rp[1]);
	close(wp[0]);
	n = read(rp[0], res, sizeof(res) - 1);
	res[n > 0 ? n : 0] = '\0';
	if (strcmp(res, "ok\n") != 0) {
		close(wp[1]);
		waitpid(pid, &status, 0);
		fail_msg("%s child: %s (status %#x)", proc_names[role],
		    n > 0 ? res : "no result", status);
	}
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", uid, uid, uid, uid);
	assert_field(pid, "Uid", want);
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", gid, gid, gid, gid);
	assert_field(pid, "Gid", want);
	if (sysmode) {
		snprintf(want, sizeof(want), "%u", gid);
		status_field(pid, "Groups", buf, sizeof(buf));
		buf[strcspn(buf, " ")] = '\0';
		assert_string_equal(buf, want);
	}
	assert_field(pid, "CapInh", "0000000000000000");
	assert_field(pid, "CapPrm", "0000000000000000");
	assert_field(pid, "CapEff", "0000000000000000");
	assert_field(pid, "CapAmb", "0000000000000000");
	if (geteuid() == 0)
		assert_field(pid, "CapBnd", "0000000000000000");
	assert_field(pid, "NoNewPrivs", "1");
	assert_field(pid, "Seccomp", "2");
	snprintf(buf, sizeof(buf), "/proc/%d/root", (int)pid);
	n = readlink(buf, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, sysmode ? fx.chroot : "/");
	close(wp[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(rp[0]);
}

static int
setup(void **state)
{
	struct sockaddr_in sin;
	socklen_t	 len = sizeof(sin);
	uid_t		 uid;
	gid_t		 gid;

	(void)state;
	strlcpy(fx.chroot, "/tmp/sysg-sbroot.XXXXXX", sizeof(fx.chroot));
	strlcpy(fx.work, "/tmp/sysg-sbwork.XXXXXX", sizeof(fx.work));
	if (mkdtemp(fx.chroot) == NULL || mkdtemp(fx.work) == NULL ||
	    chmod(fx.chroot, 0755) == -1 || chmod(fx.work, 0777) == -1)
		return -1;
	if (sandbox_role_user(&uid, &gid, NULL, 0) == 0 && geteuid() == 0 &&
	    chown(fx.work, uid, gid) == -1)
		return -1;
	snprintf(fx.sock, sizeof(fx.sock), "%s/ctl.sock", fx.work);
	if ((fx.tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fx.tcp, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fx.tcp, 16) == -1 ||
	    getsockname(fx.tcp, (struct sockaddr *)&sin, &len) == -1)
		return -1;
	fx.tcpport = ntohs(sin.sin_port);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	close(fx.tcp);
	unlink(fx.sock);
	rmdir(fx.work);
	rmdir(fx.chroot);
	return 0;
}

static void
before_case(void)
{
	unlink(fx.sock);
}

static void
test_role_user(void **state)
{
	char		 name[64];
	uid_t		 uid;
	gid_t		 gid;
	struct passwd	*pw;

	(void)state;
	assert_int_equal(sandbox_role_user(&uid, &gid, name, sizeof(name)), 0);
	pw = getpwnam(SANDBOX_USER);
	if (pw == NULL)
		pw = getpwnam(SANDBOX_FALLBACK_USER);
	assert_non_null(pw);
	assert_string_equal(name, pw->pw_name);
	assert_int_equal(uid, pw->pw_uid);
	assert_int_equal(gid, pw->pw_gid);
	assert_int_equal(sandbox_role_user(&uid, &gid, name, 2), -1);
}

static void
need_root(void)
{
	if (geteuid() != 0) {
		printf("SKIP: needs root (chroot, setuid)\n");
		skip();
	}
}

static void
test_supervisor_sys(void **state)
{
	(void)state;
	need_root();
	before_case();
	run_case(PROC_SUPERVISOR, 1, NULL);
}

static void
test_cron_sys(void **state)
{
	(void)state;
	need_root();
	before_case();
	run_case(PROC_CRON, 1, NULL);
}

static void
test_control_sys(void **state)
{
	(void)state;
	need_root();
	before_case();
	run_case(PROC_CONTROL, 1, NULL);
}

static void
test_supervisor_user(void **state)
{
	(void)state;
	before_case();
	run_case(PROC_SUPERVISOR, 0, NULL);
}

static void
test_control_user(void **state)
{
	(void)state;
	before_case();
	run_case(PROC_CONTROL, 0, NULL);
}

/* SYSG_SECCOMP=kill: an unlisted call kills; execve is still EPERM. */
static void
test_kill_knob(void **state)
{
	struct sysg_env	 env;
	int		 status, p[2];
	char		*argv[] = { "/bin/true", NULL }, *envp[] = { NULL };
	pid_t		 pid;
	char		 c = 0;

	(void)state;
	memset(&env, 0, sizeof(env));
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		close(p[0]);
		resfd = 2;
		setenv("SYSG_SECCOMP", "kill", 1);
		sandbox_role(PROC_CRON, &env, NULL);
		DENIED(execve("/bin/true", argv, envp));
		CHECK(write(p[1], "e", 1) == 1);
		syscall(SYS_getpgid, 0);	/* not on any list */
		_exit(3);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(c, 'e');
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

/* A chroot that is not empty, or not root's, is refused (fatal). */
static void
test_bad_chroot(void **state)
{
	struct sysg_env	 env;
	char		 f[128];
	int		 status, fd;
	pid_t		 pid;

	(void)state;
	need_root();
	memset(&env, 0, sizeof(env));
	env.sysmode = 1;
	snprintf(f, sizeof(f), "%s/junk", fx.chroot);
	assert_true((fd = open(f, O_WRONLY | O_CREAT, 0600)) != -1);
	close(fd);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		log_init("test", LOG_LVL_ERROR, 0);
		sandbox_role(PROC_SUPERVISOR, &env, fx.chroot);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(f);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		log_init("test", LOG_LVL_ERROR, 0);
		sandbox_role(PROC_SUPERVISOR, &env, fx.work);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
}

/* Parent and spawner: nothing applied. */
static void
test_privileged_roles(void **state)
{
	struct sysg_env	 env;
	int		 status;
	pid_t		 pid;

	(void)state;
	memset(&env, 0, sizeof(env));
	env.sysmode = 1;
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		sandbox_role(PROC_SPAWNER, &env, fx.chroot);
		sandbox_role(PROC_PARENT, &env, fx.chroot);
		_exit(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0 &&
		    getuid() == geteuid() ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_user),
		cmocka_unit_test(test_supervisor_sys),
		cmocka_unit_test(test_cron_sys),
		cmocka_unit_test(test_control_sys),
		cmocka_unit_test(test_supervisor_user),
		cmocka_unit_test(test_control_user),
		cmocka_unit_test(test_kill_knob),
		cmocka_unit_test(test_bad_chroot),
		cmocka_unit_test(test_privileged_roles),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
