#include "unit.h"

/*
 * Unit tests for spawner/procscan.c: proc_children() finds the children
 * of a process of one thread (its one children file), of a process
 * whose second thread forked (every thread's file), and the long list
 * of a process with hundreds of children; proc_tree() follows a chain.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procscan.h"

#define MANY	300

/* A child that sleeps until killed. */
static pid_t
sleeper(void)
{
	pid_t	 pid;

	if ((pid = fork()) == 0) {
		for (;;)
			pause();
	}
	assert_true(pid > 0);
	return pid;
}

static void
reap_all(const pid_t *pids, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
}

static void
test_many(void **state)
{
	struct pidlist	 pl = { 0 };
	pid_t		 pids[MANY];
	size_t		 i, found;
	int		 r;

	(void)state;
	for (i = 0; i < MANY; i++)
		pids[i] = sleeper();
	r = proc_children(getpid(), &pl);
	for (i = 0, found = 0; i < MANY; i++)
		found += pidlist_has(&pl, pids[i]);
	pidlist_free(&pl);
	reap_all(pids, MANY);
	assert_int_equal(r, 0);
	assert_int_equal(found, MANY);
}

/* A chain a -> b -> c: the tree of a is all three, c found via b. */
static void
test_tree(void **state)
{
	struct pidlist	 pl = { 0 };
	int		 p[2];
	pid_t		 a, c = 0, first;
	size_t		 i, n;
	int		 has_c;

	(void)state;
	assert_int_equal(pipe(p), 0);
	if ((a = fork()) == 0) {
		close(p[0]);
		if (fork() == 0) {	/* b */
			if ((c = fork()) == 0)
				for (;;)
					pause();
			if (write(p[1], &c, sizeof(c)) != sizeof(c))
				_exit(1);
			for (;;)
				pause();
		}
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, sizeof(c)), (ssize_t)sizeof(c));
	close(p[0]);
	proc_tree(a, &pl);
	n = pl.n;
	first = pl.n > 0 ? pl.pids[0] : 0;
	has_c = pidlist_has(&pl, c);
	for (i = pl.n; i > 0; i--)
		kill(pl.pids[i - 1], SIGKILL);
	kill(a, SIGKILL);
	kill(c, SIGKILL);
	pidlist_free(&pl);
	waitpid(a, NULL, 0);
	assert_int_equal(n, 3);
	assert_int_equal(first, a);
	assert_true(has_c);
}

static pid_t	 thread_child;

static void *
forker(void *arg)
{
	(void)arg;
	thread_child = sleeper();
	/* Alive, or its child would pass to the main thread. */
	for (;;)
		pause();
	return NULL;
}

/*
 * Our second thread's child is listed in that thread's children file
 * only: a threaded process is read thread by thread.
 */
static void
test_threaded(void **state)
{
	struct pidlist	 pl = { 0 };
	pthread_t	 t;
	int		 done[2], r, found;
	pid_t		 pid;

	(void)state;
	assert_int_equal(pipe(done), 0);
	if ((pid = fork()) == 0) {
		/* Threaded: the thread forks and stays alive. */
		if (pthread_create(&t, NULL, forker, NULL) != 0)
			_exit(1);
		while (thread_child == 0)
			usleep(1000);
		if (write(done[1], &thread_child, sizeof(thread_child)) !=
		    sizeof(thread_child))
			_exit(1);
		for (;;)
			pause();
	}
	assert_int_equal(read(done[0], &thread_child, sizeof(thread_child)),
	    (ssize_t)sizeof(thread_child));
	r = proc_children(pid, &pl);
	found = pidlist_has(&pl, thread_child);
	pidlist_free(&pl);
	kill(thread_child, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(done[0]);
	close(done[1]);
	assert_int_equal(r, 0);
	assert_true(found);
}

static void
test_gone(void **state)
{
	struct pidlist	 pl = { 0 };
	pid_t		 pid;

	(void)state;
	pid = sleeper();
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(proc_children(pid, &pl), -1);
	assert_int_equal(pl.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_threaded),
		cmocka_unit_test(test_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
