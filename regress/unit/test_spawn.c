#include "unit.h"

/*
 * Unit tests for spawner/spawn.c: spawn_unit() on hand-built units, both
 * ways a child is started (vfork for a plain unit, with its verdict known
 * when spawn_unit() returns; fork for one that asks for seccomp, with the
 * verdict on a pipe), the step and detail of a failure, and the clean
 * slate the service starts with (dispositions, signal mask).
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawner.h"
#include "sysg.h"

#define OUTMAX	16384
#define MANY	40	/* more than the spawner's slots */

static char	 a_cat[] = "/bin/cat", a_status[] = "/proc/self/status";
static char	 a_catp[] = "cat";		/* found through PATH */
static char	 a_none[] = "/nonexistent/sysg-test-binary";
static char	 a_nonep[] = "sysg-test-no-such-binary";
static char	*argv_status[] = { a_cat, a_status, NULL };
static char	*argv_statusp[] = { a_catp, a_status, NULL };
static char	*argv_none[] = { a_none, NULL };
static char	*argv_nonep[] = { a_nonep, NULL };
static char	 nodir[] = "/nonexistent/sysg-test-dir";

static void
on_usr1(int sig)
{
	(void)sig;
}

static void
unit_init(struct unit_conf *u, char **argv)
{
	memset(u, 0, sizeof(*u));
	strlcpy(u->name, "t", sizeof(u->name));
	u->command = argv[0];
	u->argv = argv;
	u->limits.cgroup.pids_max = -1;
}

static void
req_init(struct msg_spawn *req, uint32_t reqid)
{
	memset(req, 0, sizeof(*req));
	req->reqid = reqid;
	req->what = SPAWN_MAIN;
	req->exit_code = -1;
	strlcpy(req->unit, "t", sizeof(req->unit));
}

/* Everything the child wrote, up to its end of the pipe closing. */
static void
read_all(int fd, char *buf, size_t len)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off + 1 < len &&
	    (n = read(fd, buf + off, len - off - 1)) != 0) {
		if (n == -1) {
			assert_int_equal(errno, EINTR);
			continue;
		}
		off += (size_t)n;
	}
	buf[off] = '\0';
}

static int
reap(pid_t pid)
{
	int	 st;

	while (waitpid(pid, &st, 0) == -1)
		assert_int_equal(errno, EINTR);
	return st;
}

/*
 * A signal set of /proc/self/status ("SigIgn" etc.) must be empty, but
 * for the signals libc keeps to itself (32 up to SIGRTMIN): no one can
 * set those back through libc, and a caller may have left them ignored.
 */
static void
assert_status_empty(const char *out, const char *key)
{
	char			 k[32], *p, *end;
	unsigned long long	 v, libc = 0;
	int			 sig;

	for (sig = 32; sig < SIGRTMIN; sig++)
		libc |= 1ULL << (sig - 1);
	snprintf(k, sizeof(k), "\n%s:\t", key);
	if ((p = strstr(out, k)) == NULL) {
		print_error("no %s in\n%s\n", key, out);
		fail();
	}
	v = strtoull(p + strlen(k), &end, 16);
	if (end == p + strlen(k) || (v & ~libc) != 0) {
		print_error("%s: want none in\n%s\n", key, out);
		fail();
	}
}

/*
 * Ignored, handled and blocked signals in the spawner: the service gets
 * none of them.
 */
static void
odd_signals(sigset_t *saved)
{
	sigset_t	 b;

	signal(SIGQUIT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGUSR1, on_usr1);
	sigemptyset(&b);
	sigaddset(&b, SIGUSR2);
	sigprocmask(SIG_BLOCK, &b, saved);
	spawn_signals_snapshot();
}

static void
even_signals(const sigset_t *saved)
{
	signal(SIGQUIT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	sigprocmask(SIG_SETMASK, saved, NULL);
	spawn_signals_snapshot();
}

static void
check_clean_status(int outfd)
{
	char	*out;

	assert_non_null(out = malloc(OUTMAX));
	out[0] = '\n';
	read_all(outfd, out + 1, OUTMAX - 1);
	assert_status_empty(out, "SigBlk");
	assert_status_empty(out, "SigIgn");
	assert_status_empty(out, "SigCgt");
	free(out);
}

static void
spawned_free(struct child *c, int outfd, int errfd)
{
	close(outfd);
	close(errfd);
	if (c->errfd != -1)
		close(c->errfd);
	free(c);
}

/*
 * u started a way whose verdict comes on the exec result pipe: not known
 * when spawn_unit() returns, then "exec'd", with a clean slate (or, with
 * want, that output).
 */
static void
piped_exec_ok(struct unit_conf *u, uint32_t reqid, const char *want)
{
	char			 out[256];
	struct msg_spawn	 req;
	struct msg_spawn_failed	 f;
	struct child		*c;
	sigset_t		 saved;
	int			 outfd, errfd, st;

	req_init(&req, reqid);
	odd_signals(&saved);
	c = spawn_unit(u, &req, &outfd, &errfd, &f);
	even_signals(&saved);
	assert_non_null(c);
	assert_int_equal(c->exec_state, 0);
	assert_true(c->errfd != -1);
	if (want == NULL)
		check_clean_status(outfd);
	else {
		read_all(outfd, out, sizeof(out));
		assert_string_equal(out, want);
	}
	st = reap(c->pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(spawn_exec_result(c, &f), 1);
	spawned_free(c, outfd, errfd);
}

/* The same, for a child that fails at step with ENOENT about detail. */
static void
piped_exec_fails(struct unit_conf *u, uint32_t reqid, const char *step,
    const char *detail)
{
	struct msg_spawn	 req;
	struct msg_spawn_failed	 f;
	struct child		*c;
	int			 outfd, errfd, st;

	req_init(&req, reqid);
	assert_non_null(c = spawn_unit(u, &req, &outfd, &errfd, &f));
	assert_int_equal(c->exec_state, 0);
	st = reap(c->pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 127);
	assert_int_equal(spawn_exec_result(c, &f), -1);
	assert_int_equal(f.reqid, reqid);
	assert_string_equal(f.unit, "t");
	assert_int_equal(f.err, ENOENT);
	assert_string_equal(f.step, step);
	assert_string_equal(f.detail, detail);
	spawned_free(c, outfd, errfd);
}

/*
 * A plain unit whose program is found through PATH: vfork, exec'd by
 * the time spawn_unit() returns.
 */
static void
test_vfork_exec(void **state)
{
	struct unit_conf	 u;
	struct msg_spawn	 req;
	struct msg_spawn_failed	 f;
	struct child		*c;
	sigset_t		 saved;
	int			 outfd, errfd, st;

	(void)state;
	unit_init(&u, argv_statusp);
	req_init(&req, 7);
	odd_signals(&saved);
	c = spawn_unit(&u, &req, &outfd, &errfd, &f);
	even_signals(&saved);
	assert_non_null(c);
	assert_int_equal(c->exec_state, 1);
	assert_int_equal(c->errfd, -1);
	assert_int_equal(c->reqid, 7);
	assert_string_equal(c->unit, "t");
	check_clean_status(outfd);
	st = reap(c->pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	spawned_free(c, outfd, errfd);
}

/* A vfork child that cannot exec: its step and detail, at once. */
static void
test_vfork_fail(void **state)
{
	struct unit_conf	 u;
	struct msg_spawn	 req;
	struct msg_spawn_failed	 f;
	struct child		*c;
	int			 outfd, errfd, st;

	(void)state;
	unit_init(&u, argv_nonep);
	req_init(&req, 8);
	assert_non_null(c = spawn_unit(&u, &req, &outfd, &errfd, &f));
	assert_int_equal(c->exec_state, -1);
	assert_int_equal(f.reqid, 8);
	assert_int_equal(f.what, SPAWN_MAIN);
	assert_string_equal(f.unit, "t");
	assert_int_equal(f.err, ENOENT);
	assert_string_equal(f.step, "exec");
	assert_string_equal(f.detail, a_nonep);
	st = reap(c->pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 127);
	spawned_free(c, outfd, errfd);

	/* a failure before exec, with a detail of its own */
	unit_init(&u, argv_statusp);
	u.working_dir = nodir;
	req_init(&req, 9);
	assert_non_null(c = spawn_unit(&u, &req, &outfd, &errfd, &f));
	assert_int_equal(c->exec_state, -1);
	assert_int_equal(f.reqid, 9);
	assert_int_equal(f.err, ENOENT);
	assert_string_equal(f.step, "chdir");
	assert_string_equal(f.detail, nodir);
	st = reap(c->pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 127);
	spawned_free(c, outfd, errfd);
}

#if defined(__x86_64__)
/*
 * A plain unit whose program has a path: a clone(CLONE_VM) child that
 * spawn_unit() does not wait for, the verdict on the exec result pipe;
 * the same clean slate as the other ways.
 */
static void
test_nowait_exec(void **state)
{
	struct unit_conf	 u;

	(void)state;
	unit_init(&u, argv_status);
	piped_exec_ok(&u, 12, NULL);

	/* sh -c, its environment and working directory */
	unit_init(&u, argv_status);
	u.argv = NULL;
	u.command = (char *)"echo \"$SYSG_T\" $(pwd)";
	u.env = (char *[]){ (char *)"SYSG_T=one two", NULL };
	u.nenv = 1;
	u.working_dir = (char *)"/tmp";
	piped_exec_ok(&u, 13, "one two /tmp\n");
}

/* Its failures: the step, the errno and the detail, on the pipe. */
static void
test_nowait_fail(void **state)
{
	struct unit_conf	 u;
	struct msg_spawn	 req;
	struct msg_spawn_failed	 f;
	struct child		*cs[MANY];
	int			 st, i, outs[MANY], errs[MANY];

	(void)state;
	unit_init(&u, argv_none);
	piped_exec_fails(&u, 14, "exec", a_none);
	unit_init(&u, argv_status);
	u.working_dir = nodir;
	piped_exec_fails(&u, 15, "chdir", nodir);

	/* More at once than there are slots: each waits its turn. */
	for (i = 0; i < MANY; i++) {
		unit_init(&u, argv_status);
		req_init(&req, 100 + (uint32_t)i);
		assert_non_null(cs[i] = spawn_unit(&u, &req, &outs[i],
		    &errs[i], &f));
		assert_int_equal(cs[i]->reqid, 100 + (uint32_t)i);
	}
	for (i = 0; i < MANY; i++) {
		check_clean_status(outs[i]);
		st = reap(cs[i]->pid);
		assert_int_equal(WEXITSTATUS(st), 0);
		assert_int_equal(spawn_exec_result(cs[i], &f), 1);
		spawned_free(cs[i], outs[i], errs[i]);
	}
}
#endif

/* seccomp: forked, the verdict on the exec result pipe. */
static void
test_fork_exec(void **state)
{
	struct unit_conf	 u;

	(void)state;
	unit_init(&u, argv_status);
	u.iso.seccomp_default = true;
	piped_exec_ok(&u, 10, NULL);

	unit_init(&u, argv_none);
	u.iso.seccomp_default = true;
	piped_exec_fails(&u, 11, "exec", a_none);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vfork_exec),
		cmocka_unit_test(test_vfork_fail),
		cmocka_unit_test(test_fork_exec),
#if defined(__x86_64__)
		cmocka_unit_test(test_nowait_exec),
		cmocka_unit_test(test_nowait_fail),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
