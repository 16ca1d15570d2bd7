#include "unit.h"

/*
 * Unit tests for common/sockact.c.  Capture needs fds 3.. and
 * LISTEN_PID == getpid(), so each case runs in a forked child that
 * reports failures on stderr and through its exit status.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockact.h"

#define CHECK(c) do {							\
	if (!(c)) {							\
		dprintf(2, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #c);					\
		_exit(1);						\
	}								\
} while (0)

static void
run_child(void (*fn)(void))
{
	pid_t	 pid;
	int	 status;

	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static ino_t
ino_of(int fd)
{
	struct stat	 st;

	if (fstat(fd, &st) == -1)
		return 0;
	return st.st_ino;
}

/* Put n fresh sockets on fds 3 .. 3+n-1; their inodes in ino[]. */
static void
fake_listen(int n, ino_t *ino)
{
	int	 i, sp[2];

	for (i = 0; i < n; i++) {
		CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
		CHECK(dup2(sp[0], 3 + i) == 3 + i);
		ino[i] = ino_of(3 + i);
		if (sp[0] != 3 + i)
			close(sp[0]);
		close(sp[1]);
	}
}

static void
set_listen_env(pid_t pid, const char *fds, const char *names)
{
	char	 buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	CHECK(setenv("LISTEN_PID", buf, 1) == 0);
	CHECK(setenv("LISTEN_FDS", fds, 1) == 0);
	if (names != NULL)
		CHECK(setenv("LISTEN_FDNAMES", names, 1) == 0);
	else
		unsetenv("LISTEN_FDNAMES");
}

static void
child_capture(void)
{
	struct sockact	 sa;
	ino_t		 ino[3];
	size_t		 i;

	closefrom(3);
	fake_listen(3, ino);
	set_listen_env(getpid(), "3", "web:admin");
	CHECK(sockact_capture(&sa) == 0);
	CHECK(sa.n == 3);
	CHECK(strcmp(sa.names[0], "web") == 0);
	CHECK(strcmp(sa.names[1], "admin") == 0);
	CHECK(strcmp(sa.names[2], "unknown") == 0);
	for (i = 0; i < 3; i++) {
		CHECK(sa.fds[i] >= SOCKACT_FDBASE);
		CHECK(fcntl(sa.fds[i], F_GETFD) == FD_CLOEXEC);
		CHECK(ino_of(sa.fds[i]) == ino[i]);
		/* the low fds are free again */
		CHECK(fcntl(3 + (int)i, F_GETFD) == -1 && errno == EBADF);
	}
	CHECK(getenv("LISTEN_PID") == NULL);
	CHECK(getenv("LISTEN_FDS") == NULL);
	CHECK(getenv("LISTEN_FDNAMES") == NULL);
	CHECK(sockact_find(&sa, "admin") == sa.fds[1]);
	CHECK(sockact_find(&sa, "nope") == -1);
	sockact_clear(&sa);
	CHECK(sa.n == 0);
}

static void
test_capture(void **state)
{
	(void)state;
	run_child(child_capture);
}

static void
child_other_pid(void)
{
	struct sockact	 sa;
	ino_t		 ino[1];

	closefrom(3);
	fake_listen(1, ino);
	set_listen_env(getppid(), "1", "x");
	CHECK(sockact_capture(&sa) == 0);
	CHECK(sa.n == 0);
	CHECK(fcntl(3, F_GETFD) == 0);	/* untouched */
	CHECK(getenv("LISTEN_PID") == NULL);
	CHECK(getenv("LISTEN_FDS") == NULL);
	CHECK(getenv("LISTEN_FDNAMES") == NULL);
}

static void
test_other_pid(void **state)
{
	(void)state;
	run_child(child_other_pid);
}

static void
child_bad(void)
{
	struct sockact	 sa;
	ino_t		 ino[2];

	closefrom(3);
	/* more fds than announced exist: fd 4 missing */
	fake_listen(1, ino);
	set_listen_env(getpid(), "2", NULL);
	CHECK(sockact_capture(&sa) == -1);
	CHECK(sa.n == 0);
	set_listen_env(getpid(), "1000", NULL);
	CHECK(sockact_capture(&sa) == -1 && errno == E2BIG);
	set_listen_env(getpid(), "x", NULL);
	CHECK(sockact_capture(&sa) == -1 && errno == EINVAL);
	set_listen_env(getpid(), "1", "bad name");
	CHECK(sockact_capture(&sa) == -1 && errno == EINVAL);
	/* none of the failures took fd 3 */
	CHECK(fcntl(3, F_GETFD) == 0);
	unsetenv("LISTEN_PID");
	CHECK(sockact_capture(&sa) == 0 && sa.n == 0);
	CHECK(getenv("LISTEN_FDS") == NULL);
}

static void
test_bad_env(void **state)
{
	(void)state;
	run_child(child_bad);
}

static int
env_has(char **env, const char *kv)
{
	size_t	 i;

	for (i = 0; env[i] != NULL; i++)
		if (strcmp(env[i], kv) == 0)
			return 1;
	return 0;
}

static size_t
env_count(char **env, const char *prefix)
{
	size_t	 i, n = 0;

	for (i = 0; env[i] != NULL; i++)
		if (strncmp(env[i], prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

/*
 * Sources sitting inside the target range, in the wrong order: "b" is
 * on fd 3 and must end on 4, "a" on fd 4 must end on 3.
 */
static void
child_setup(void)
{
	struct sockact	 sa;
	ino_t		 ino[3];
	char		*names[] = { "a", "b" };
	char		*base[] = { "PATH=/bin", "LISTEN_FDS=9", NULL };
	char		**env = base;
	char		 pidbuf[64];

	closefrom(3);
	fake_listen(3, ino);
	memset(&sa, 0, sizeof(sa));
	CHECK(sockact_add(&sa, 4, "a") == 0);
	CHECK(sockact_add(&sa, 3, "b") == 0);
	CHECK(sockact_add(&sa, 5, "c") == 0);
	CHECK(sockact_add(&sa, 6, "bad:name") == -1);
	CHECK(fcntl(4, F_GETFD) == FD_CLOEXEC);
	CHECK(sockact_child_setup(&sa, names, 2, &env) == 0);
	CHECK(ino_of(3) == ino[1]);
	CHECK(ino_of(4) == ino[0]);
	CHECK(fcntl(3, F_GETFD) == 0);
	CHECK(fcntl(4, F_GETFD) == 0);
	CHECK(ino_of(5) == ino[2]);	/* c untouched, still cloexec */
	CHECK(fcntl(5, F_GETFD) == FD_CLOEXEC);
	/* no temporaries left behind */
	CHECK(fcntl(6, F_GETFD) == -1 && fcntl(7, F_GETFD) == -1);
	CHECK(env != base);
	CHECK(env_has(env, "PATH=/bin"));
	CHECK(env_has(env, "LISTEN_FDS=2"));
	CHECK(env_has(env, "LISTEN_FDNAMES=a:b"));
	snprintf(pidbuf, sizeof(pidbuf), "LISTEN_PID=%d", (int)getpid());
	CHECK(env_has(env, pidbuf));
	CHECK(env_count(env, "LISTEN_FDS=") == 1);
	CHECK(env_count(env, "LISTEN_") == 3);

	/* unknown name: ENOENT, nothing changed */
	names[0] = "zzz";
	CHECK(sockact_child_setup(&sa, names, 2, &env) == -1);
	CHECK(errno == ENOENT);
	CHECK(fcntl(6, F_GETFD) == -1);
	/* no sockets: nothing at all */
	base[1] = NULL;
	env = base;
	CHECK(sockact_child_setup(&sa, names, 0, &env) == 0 && env == base);
}

static void
test_child_setup(void **state)
{
	(void)state;
	run_child(child_setup);
}

/* In-process, to let the sanitizers see the allocations. */
static void
test_env_alloc(void **state)
{
	struct sockact	 sa;
	char		*names[] = { "only" };
	char		**env = NULL;
	int		 sp[2], hi, saved3;
	size_t		 i;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	hi = fcntl(sp[0], F_DUPFD_CLOEXEC, 200);
	assert_true(hi >= 200);
	close(sp[0]);
	close(sp[1]);
	saved3 = fcntl(3, F_DUPFD_CLOEXEC, 300);	/* may be -1 */
	memset(&sa, 0, sizeof(sa));
	assert_int_equal(sockact_add(&sa, hi, "only"), 0);
	assert_int_equal(sockact_child_setup(&sa, names, 1, &env), 0);
	assert_non_null(env);
	assert_true(env_has(env, "LISTEN_FDS=1"));
	assert_true(env_has(env, "LISTEN_FDNAMES=only"));
	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
	close(3);
	if (saved3 != -1) {
		assert_int_equal(dup2(saved3, 3), 3);
		close(saved3);
	}
	sockact_clear(&sa);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_other_pid),
		cmocka_unit_test(test_bad_env),
		cmocka_unit_test(test_child_setup),
		cmocka_unit_test(test_env_alloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
