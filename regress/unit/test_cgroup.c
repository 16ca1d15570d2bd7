#include "unit.h"

/*
 * Unit tests for spawner/cgroup.c: against a temporary directory as the
 * cgroup root (files written, names checked), and, when this machine
 * has a writable cgroup2 mount, against a real group (placement, kill,
 * empty, remove, and a bounded fork bomb held by pids.max).
 */

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "sysg.h"

#define CGROUP2_MAGIC	0x63677270
#define CGROUP_V1_MAGIC	0x27e0eb

static char	 tmproot[256];

static void
write_file(const char *dir, const char *name, const char *text)
{
	char	 path[PATH_MAX];
	int	 fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void
read_file(const char *dir, const char *name, char *buf, size_t len)
{
	char	 path[PATH_MAX];
	ssize_t	 n;
	int	 fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	assert_true(fd != -1);
	n = read(fd, buf, len - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

static void
unit_init(struct unit_conf *u, const char *name, char *root)
{
	memset(u, 0, sizeof(*u));
	strlcpy(u->name, name, sizeof(u->name));
	u->limits.cgroup.set = true;
	u->limits.cgroup.root = root;
	u->limits.cgroup.pids_max = -1;
}

static void
rm_tree(const char *dir)
{
	char	 cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", dir);
}

static int
setup_tmp(void **state)
{
	(void)state;
	strlcpy(tmproot, "/tmp/sysg-cgtest.XXXXXX", sizeof(tmproot));
	return mkdtemp(tmproot) == NULL ? -1 : 0;
}

static int
teardown_tmp(void **state)
{
	(void)state;
	rm_tree(tmproot);
	return 0;
}

static void
test_names(void **state)
{
	struct unit_conf u;
	char		 buf[PATH_MAX], root[] = "/sys/fs/cgroup/x/";
	char		 rel[] = "rel/x", dots[] = "/sys/../etc";
	char		 warn[256];
	const char	*bad[] = { "..", ".", "a/b", ".x", "-x", "", "a b" };
	size_t		 i;

	(void)state;
	unit_init(&u, "web.1_a-b", root);
	assert_int_equal(cgroup_path(&u, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/fs/cgroup/x/web.1_a-b");
	u.limits.cgroup.root = NULL;
	assert_int_equal(cgroup_path(&u, buf, sizeof(buf)), 0);
	assert_string_equal(buf, CGROUP_DEFAULT_ROOT "/web.1_a-b");
	assert_int_equal(cgroup_path(&u, buf, 10), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strlcpy(u.name, bad[i], sizeof(u.name));
		assert_int_equal(cgroup_path(&u, buf, sizeof(buf)), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(cgroup_prepare(&u, warn, sizeof(warn)), -1);
	}
	strlcpy(u.name, "ok", sizeof(u.name));
	u.limits.cgroup.root = rel;
	assert_int_equal(cgroup_path(&u, buf, sizeof(buf)), -1);
	u.limits.cgroup.root = dots;
	assert_int_equal(cgroup_path(&u, buf, sizeof(buf)), -1);
	/* no cgroup block: every call is a no-op */
	u.limits.cgroup.set = false;
	assert_int_equal(cgroup_prepare(&u, warn, sizeof(warn)), 0);
	assert_int_equal(cgroup_kill(&u), 0);
	assert_int_equal(cgroup_empty(&u), 1);
	assert_int_equal(cgroup_remove(&u), 0);
}

static void
test_tmp_prepare(void **state)
{
	struct unit_conf u;
	char		 root[PATH_MAX], dir[PATH_MAX], buf[128], warn[512];
	char		 cpumax[] = "50000 100000";

	(void)state;
	snprintf(root, sizeof(root), "%s/a/b/systemg", tmproot);
	unit_init(&u, "api", root);
	u.limits.cgroup.has_memory_max = true;
	u.limits.cgroup.memory_max = 512ULL << 20;
	u.limits.cgroup.cpu_max = cpumax;
	u.limits.cgroup.cpu_weight = 100;
	u.limits.cgroup.pids_max = 0;

	/* First run: the directory is created, every file is missing. */
	assert_int_equal(cgroup_prepare(&u, warn, sizeof(warn)), 0);
	assert_int_equal(cgroup_path(&u, dir, sizeof(dir)), 0);
	assert_int_equal(access(dir, F_OK), 0);
	assert_non_null(strstr(warn, "memory.max"));
	assert_non_null(strstr(warn, "pids.max"));

	/* With the files there, the values land in them. */
	write_file(dir, "memory.max", "");
	write_file(dir, "cpu.max", "");
	write_file(dir, "cpu.weight", "");
	assert_int_equal(cgroup_prepare(&u, warn, sizeof(warn)), 0);
	read_file(dir, "memory.max", buf, sizeof(buf));
	assert_string_equal(buf, "536870912");
	read_file(dir, "cpu.max", buf, sizeof(buf));
	assert_string_equal(buf, "50000 100000");
	read_file(dir, "cpu.weight", buf, sizeof(buf));
	assert_string_equal(buf, "100");
	assert_null(strstr(warn, "memory.max"));
	assert_non_null(strstr(warn, "pids.max"));

	write_file(dir, "pids.max", "");
	u.limits.cgroup.memory_max = LIMIT_INFINITY;
	u.limits.cgroup.pids_max = 0;
	assert_int_equal(cgroup_prepare(&u, warn, sizeof(warn)), 0);
	assert_string_equal(warn, "");
	read_file(dir, "memory.max", buf, sizeof(buf));
	assert_string_equal(buf, "max");
	read_file(dir, "pids.max", buf, sizeof(buf));
	assert_string_equal(buf, "max");
	u.limits.cgroup.pids_max = 64;
	assert_int_equal(cgroup_prepare(&u, warn, sizeof(warn)), 0);
	read_file(dir, "pids.max", buf, sizeof(buf));
	assert_string_equal(buf, "64");

	/* A root that cannot be created is the only failure. */
	write_file(tmproot, "file", "x");
	snprintf(root, sizeof(root), "%s/file/sub", tmproot);
	assert_int_equal(cgroup_prepare(&u, warn, sizeof(warn)), -1);
	assert_non_null(strstr(warn, "cannot create"));
}

static void
test_tmp_procs(void **state)
{
	struct unit_conf u;
	char		 root[PATH_MAX], dir[PATH_MAX], buf[64], warn[256];
	pid_t		 pid, victim;
	int		 status;

	(void)state;
	snprintf(root, sizeof(root), "%s/procs", tmproot);
	unit_init(&u, "svc", root);
	assert_int_equal(cgroup_prepare(&u, warn, sizeof(warn)), 0);
	assert_int_equal(cgroup_path(&u, dir, sizeof(dir)), 0);

	/* enter: no cgroup.procs yet, then writes "0" (the caller). */
	assert_int_equal(cgroup_enter(&u), -1);
	write_file(dir, "cgroup.procs", "");
	assert_int_equal(cgroup_empty(&u), 1);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0)
		_exit(cgroup_enter(&u) == 0 ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	read_file(dir, "cgroup.procs", buf, sizeof(buf));
	assert_string_equal(buf, "0");

	/* kill without cgroup.kill: SIGKILL every listed pid. */
	victim = fork();
	assert_true(victim != -1);
	if (victim == 0) {
		for (;;)
			pause();
	}
	snprintf(buf, sizeof(buf), "%d\n", (int)victim);
	write_file(dir, "cgroup.procs", buf);
	assert_int_equal(cgroup_empty(&u), 0);
	assert_int_equal(cgroup_kill(&u), 0);
	assert_int_equal(waitpid(victim, &status, 0), victim);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	/* with cgroup.kill: "1" is written there. */
	write_file(dir, "cgroup.kill", "");
	assert_int_equal(cgroup_kill(&u), 0);
	read_file(dir, "cgroup.kill", buf, sizeof(buf));
	assert_string_equal(buf, "1");

	/* cgroup.events wins over cgroup.procs when present. */
	write_file(dir, "cgroup.events", "populated 0\nfrozen 0\n");
	assert_int_equal(cgroup_empty(&u), 1);
	write_file(dir, "cgroup.events", "populated 1\nfrozen 0\n");
	assert_int_equal(cgroup_empty(&u), 0);

	/* remove: refused while not empty, fine once gone. */
	assert_int_equal(cgroup_remove(&u), -1);
	rm_tree(dir);
	assert_int_equal(cgroup_remove(&u), 0);
	assert_int_equal(cgroup_empty(&u), 1);
	assert_int_equal(cgroup_kill(&u), 0);
}

/* ------------------------------------------------------------------ */
/* A real cgroup2 hierarchy */

static char	 realroot[256];

static int
find_cgroup2(char *root, size_t len)
{
	static const char *const mnts[] = {
		"/sys/fs/cgroup", "/sys/fs/cgroup/unified"
	};
	struct statfs	 sf;
	size_t		 i;

	for (i = 0; i < sizeof(mnts) / sizeof(mnts[0]); i++) {
		if (statfs(mnts[i], &sf) == -1 ||
		    (unsigned long)sf.f_type != CGROUP2_MAGIC)
			continue;
		snprintf(root, len, "%s/sysg-test-%d", mnts[i], (int)getpid());
		if (mkdir(root, 0755) == 0)
			return 0;
	}
	return -1;
}

static void
wait_empty(const struct unit_conf *u)
{
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };
	int		 i;

	for (i = 0; i < 500 && cgroup_empty(u) != 1; i++)
		nanosleep(&ts, NULL);
	assert_int_equal(cgroup_empty(u), 1);
}

static int
in_procs(const char *dir, pid_t pid)
{
	char	 buf[4096], want[32], *p;

	read_file(dir, "cgroup.procs", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%d", (int)pid);
	for (p = strtok(buf, "\n"); p != NULL; p = strtok(NULL, "\n"))
		if (strcmp(p, want) == 0)
			return 1;
	return 0;
}

static void
test_real_group(void **state)
{
	struct unit_conf u;
	char		 dir[PATH_MAX], warn[512], c;
	pid_t		 pid;
	int		 p[2], status;

	(void)state;
	if (geteuid() != 0) {
		printf("SKIP: not root\n");
		skip();
	}
	if (find_cgroup2(realroot, sizeof(realroot)) == -1) {
		printf("SKIP: no writable cgroup2 mount\n");
		skip();
	}
	unit_init(&u, "svc", realroot);
	u.limits.cgroup.has_memory_max = true;
	u.limits.cgroup.memory_max = 64ULL << 20;
	assert_int_equal(cgroup_prepare(&u, warn, sizeof(warn)), 0);
	if (warn[0] != '\0')
		printf("note: cgroup_prepare warned: %s\n", warn);
	assert_int_equal(cgroup_path(&u, dir, sizeof(dir)), 0);
	assert_int_equal(cgroup_empty(&u), 1);

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		close(p[0]);
		c = cgroup_enter(&u) == 0 ? 'y' : 'n';
		/* a grandchild too, so the kill has a tree to take down */
		if (fork() == 0) {
			for (;;)
				pause();
		}
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	assert_int_equal(c, 'y');
	assert_true(in_procs(dir, pid));
	assert_int_equal(cgroup_empty(&u), 0);
	assert_int_equal(cgroup_remove(&u), -1);	/* busy */

	assert_int_equal(cgroup_kill(&u), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	wait_empty(&u);
	assert_int_equal(cgroup_remove(&u), 0);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_equal(rmdir(realroot), 0);
}

#define BOMB_TRIES	64
#define BOMB_PIDS	8

static void __attribute__((noreturn))
bomb(const struct unit_conf *u, int fd)
{
	int	 i, made = 0, eagain = 0;
	char	 msg[32];
	pid_t	 pid;

	if (cgroup_enter(u) == -1)
		_exit(2);
	for (i = 0; i < BOMB_TRIES; i++) {
		if ((pid = fork()) == 0) {
			for (;;)
				pause();
		}
		if (pid == -1) {
			eagain = errno == EAGAIN;
			break;
		}
		made++;
	}
	snprintf(msg, sizeof(msg), "%d %d", made, eagain);
	if (write(fd, msg, strlen(msg)) == -1)
		_exit(1);
	for (;;)
		pause();
}

/*
 * The pids controller: in cgroup2 when it is there, else in a cgroup v1
 * pids hierarchy (same file names; no cgroup.kill there, so this also
 * runs the SIGKILL-every-pid fallback).
 */
static int
find_pids_root(char *root, size_t len, char *how, size_t howlen)
{
	char		 probe[PATH_MAX];
	struct statfs	 sf;

	if (find_cgroup2(root, len) == 0) {
		snprintf(probe, sizeof(probe), "%.200s/../cgroup.controllers",
		    root);
		if (access(probe, F_OK) == 0) {
			char	 buf[512];
			FILE	*f = fopen(probe, "r");

			buf[0] = '\0';
			if (f != NULL) {
				if (fgets(buf, sizeof(buf), f) == NULL)
					buf[0] = '\0';
				fclose(f);
			}
			if (strstr(buf, "pids") != NULL) {
				strlcpy(how, "cgroup2", howlen);
				return 0;
			}
		}
		rmdir(root);
	}
	if (statfs("/sys/fs/cgroup/pids", &sf) == 0 &&
	    (unsigned long)sf.f_type == CGROUP_V1_MAGIC) {
		snprintf(root, len, "/sys/fs/cgroup/pids/sysg-test-%d",
		    (int)getpid());
		if (mkdir(root, 0755) == 0) {
			strlcpy(how, "cgroup v1 pids hierarchy", howlen);
			return 0;
		}
	}
	return -1;
}

static void
test_real_pids_bomb(void **state)
{
	struct unit_conf u;
	char		 dir[PATH_MAX], warn[512], buf[64], how[64];
	pid_t		 pid;
	int		 p[2], status, made = -1, eagain = 0;
	ssize_t		 n;

	(void)state;
	if (geteuid() != 0) {
		printf("SKIP: not root\n");
		skip();
	}
	if (find_pids_root(realroot, sizeof(realroot), how,
	    sizeof(how)) == -1) {
		printf("SKIP: no writable cgroup with the pids controller\n");
		skip();
	}
	printf("note: pids test in %s (%s)\n", realroot, how);
	unit_init(&u, "bomb", realroot);
	u.limits.cgroup.pids_max = BOMB_PIDS;
	assert_int_equal(cgroup_prepare(&u, warn, sizeof(warn)), 0);
	assert_int_equal(cgroup_path(&u, dir, sizeof(dir)), 0);
	read_file(dir, "pids.max", buf, sizeof(buf));
	assert_int_equal(atoi(buf), BOMB_PIDS);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		close(p[0]);
		bomb(&u, p[1]);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_int_equal(sscanf(buf, "%d %d", &made, &eagain), 2);
	printf("note: the bomb made %d processes before EAGAIN\n", made);
	assert_true(made < BOMB_PIDS);
	assert_int_equal(eagain, 1);
	assert_int_equal(cgroup_empty(&u), 0);
	assert_int_equal(cgroup_kill(&u), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	wait_empty(&u);
	assert_int_equal(cgroup_remove(&u), 0);
	assert_int_equal(rmdir(realroot), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_tmp_prepare),
		cmocka_unit_test(test_tmp_procs),
		cmocka_unit_test(test_real_group),
		cmocka_unit_test(test_real_pids_bomb),
	};

	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
