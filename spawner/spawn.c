/*
 * The spawn sequence: fork, then in the child a clean slate (new session,
 * default signals, empty mask, stdin /dev/null, stdout/stderr to pipes,
 * no inherited fds, cwd, environment from scratch), then exec.  A failure
 * in the child comes back as (step, errno) and as a start error, never
 * as a crash: a vfork child leaves it in the memory it shares with us,
 * where we find it when we resume; a forked child, and a clone(CLONE_VM)
 * child we do not wait for (spawn_nowait()), write it to a close-on-exec
 * pipe, read when it becomes readable.
 */

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "privspawn.h"
#include "sockact.h"
#include "proc.h"
#include "spawner.h"

extern char **environ;

/* What the child needs, prepared before fork. */
struct spawn_req_ctx {
	uint32_t		 what;
	const char		*cmd;
	int			 use_argv;
	int			 outw;
	int			 errw;
	int			 errfd;	/* exec result pipe, fork only */
	int			 vforked;
	int			 nowait;	/* clone(CLONE_VM), not waited for */
	const struct unit_conf	*u;	/* the definition to apply */
	struct spawn_ids	 ids;
	struct spawn_ns		 ns;
};

struct child_err {
	int32_t	 err;
	char	 step[32];
	char	 detail[256];
};

/*
 * A vfork child's failure, written by the child in our memory before it
 * exits.  Static, so that no compiler takes the stores of a child that
 * never returns for dead ones.
 */
static struct child_err	 vfork_err;
static int		 vfork_failed;

static const char *const what_names[SPAWN_WHAT_MAX] = {
	"main", "hook", "check", "pre_start", "skip"
};

static const char *const event_names[HOOK_EVENT_MAX] = {
	"start", "stop", "restart"
};

static const char *
signame(int sig)
{
	static const struct { int s; const char *n; } t[] = {
		{ SIGHUP, "HUP" }, { SIGINT, "INT" }, { SIGQUIT, "QUIT" },
		{ SIGILL, "ILL" }, { SIGTRAP, "TRAP" }, { SIGABRT, "ABRT" },
		{ SIGBUS, "BUS" }, { SIGFPE, "FPE" }, { SIGKILL, "KILL" },
		{ SIGUSR1, "USR1" }, { SIGSEGV, "SEGV" }, { SIGUSR2, "USR2" },
		{ SIGPIPE, "PIPE" }, { SIGALRM, "ALRM" }, { SIGTERM, "TERM" },
		{ SIGXCPU, "XCPU" }, { SIGSYS, "SYS" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].s == sig)
			return t[i].n;
	return "UNKNOWN";
}

/* The command to run for this request, NULL if the unit has none. */
static const char *
spawn_command(const struct unit_conf *u, const struct msg_spawn *req)
{
	switch (req->what) {
	case SPAWN_MAIN:
		return u->command;
	case SPAWN_HOOK:
		if (req->event >= HOOK_EVENT_MAX ||
		    req->outcome >= HOOK_OUTCOME_MAX)
			return NULL;
		return u->hooks[req->event][req->outcome].command;
	case SPAWN_CHECK:
		return u->health.type == HC_COMMAND ? u->health.target : NULL;
	case SPAWN_PRESTART:
		return u->pre_start;
	case SPAWN_SKIP:
		return u->skip == SKIP_COMMAND ? u->skip_command : NULL;
	}
	return NULL;
}

static int64_t
spawn_timeout(const struct unit_conf *u, const struct msg_spawn *req)
{
	switch (req->what) {
	case SPAWN_MAIN:
		return u->is_cron ? u->cron.timeout_ms : 0;
	case SPAWN_HOOK:
		return u->hooks[req->event][req->outcome].timeout_ms;
	case SPAWN_CHECK:
		return u->health.timeout_ms;
	case SPAWN_PRESTART:
	case SPAWN_SKIP:
		return u->stop_timeout_ms > 0 ? 30000 : 30000;
	}
	return 0;
}

/* Build the child's environment: the unit's plus the hook variables. */
static char **
spawn_env(const struct unit_conf *u, const struct msg_spawn *req)
{
	char	**env;
	size_t	  n = 0, i;
	char	  buf[128];

	if ((env = calloc(u->nenv + 6, sizeof(char *))) == NULL)
		return NULL;
	for (i = 0; i < u->nenv; i++)
		env[n++] = u->env[i];
	if (req->what != SPAWN_HOOK)
		return env;
	snprintf(buf, sizeof(buf), "SYSG_EVENT=%s", event_names[req->event]);
	env[n++] = strdup(buf);
	snprintf(buf, sizeof(buf), "SYSG_OUTCOME=%s",
	    req->outcome == HOOK_SUCCESS ? "success" : "error");
	env[n++] = strdup(buf);
	if (req->exit_signal > 0) {
		snprintf(buf, sizeof(buf), "SYSG_SIGNAL=%s",
		    signame(req->exit_signal));
		env[n++] = strdup(buf);
	} else if (req->exit_code >= 0) {
		snprintf(buf, sizeof(buf), "SYSG_EXIT_CODE=%d",
		    req->exit_code);
		env[n++] = strdup(buf);
	}
	for (i = u->nenv; i < n; i++)
		if (env[i] == NULL)
			fatal("strdup");
	return env;
}

static void
spawn_env_free(const struct unit_conf *u, char **env)
{
	size_t	 i;

	if (env == NULL)
		return;
	for (i = u->nenv; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

static void __attribute__((noreturn))
child_fail(const struct spawn_req_ctx *x, int errfd, const char *step,
    int err, const char *detail)
{
	struct child_err	 local, *ce;

	ce = x->vforked ? &vfork_err : &local;
	memset(ce, 0, sizeof(*ce));
	ce->err = err;
	strlcpy(ce->step, step, sizeof(ce->step));
	if (detail != NULL)
		strlcpy(ce->detail, detail, sizeof(ce->detail));
	if (x->vforked) {
		/* Our parent resumes when we are gone, and looks. */
		vfork_failed = 1;
		_exit(127);
	}
	if (write(errfd, ce, sizeof(*ce)) == -1)
		_exit(126);
	_exit(127);
}

/*
 * The signals whose disposition is not the default in us (ignored or
 * handled): the only ones a child has to set back, instead of some 60
 * sigaction calls per spawn.  Taken when the spawner is set up and with
 * every configuration generation; whatever changes a disposition later
 * must call spawn_signals_snapshot() again.
 */
static sigset_t	 sig_changed;
static uint64_t	 sig_changed_mask;	/* the same, bit n - 1 for signal n */
static int	 sig_taken;

void
spawn_signals_snapshot(void)
{
	struct sigaction sa;
	int		 s;

	sigemptyset(&sig_changed);
	sig_changed_mask = 0;
	for (s = 1; s < NSIG; s++) {
		if (s == SIGKILL || s == SIGSTOP)
			continue;
		/* On error (signals libc keeps to itself) do as before. */
		if (sigaction(s, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
			continue;
		sigaddset(&sig_changed, s);
		if (s <= 64)
			sig_changed_mask |= 1ULL << (s - 1);
	}
	sig_taken = 1;
}

static void
child_signals(void)
{
	sigset_t	 set;
	int		 s;

	for (s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP &&
		    sigismember(&sig_changed, s) == 1)
			signal(s, SIG_DFL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

/* Keep fd `keep` (-1: none), close everything from fd `from` up. */
static void
close_rest(int from, int keep)
{
	if (keep > from)
		close_range((unsigned)from, (unsigned)keep - 1, 0);
	close_range((unsigned)(keep > from ? keep + 1 : from), ~0U, 0);
}

static void __attribute__((noreturn))
child_main(const struct unit_conf *u, const struct spawn_req_ctx *x,
    char **env)
{
	struct spawn_error	 e;
	char			*shargv[4];
	int			 devnull, errfd = -1;

	if (setsid() == -1)
		child_fail(x, x->errfd, "setsid", errno, NULL);
	child_signals();
	/* Out of the way of stdio and of the sockets on 3, 4, ... */
	if (!x->vforked && (errfd = fcntl(x->errfd, F_DUPFD_CLOEXEC, 64 +
	    SOCKACT_MAX)) == -1)
		child_fail(x, x->errfd, "dup", errno, NULL);
	if ((devnull = open("/dev/null", O_RDONLY)) == -1)
		child_fail(x, errfd, "open /dev/null", errno, NULL);
	if (dup2(devnull, 0) == -1 || dup2(x->outw, 1) == -1 ||
	    dup2(x->errw, 2) == -1)
		child_fail(x, errfd, "dup2", errno, NULL);
	if (x->what == SPAWN_MAIN && u->nsockets > 0) {
		if (sockact_child_setup(&spawner_sa, u->sockets, u->nsockets,
		    &env) == -1)
			child_fail(x, errfd, "sockets", errno, NULL);
	}
	close_rest(3 + (x->what == SPAWN_MAIN ? (int)u->nsockets : 0),
	    errfd);
	if (u->working_dir != NULL && chdir(u->working_dir) == -1)
		child_fail(x, errfd, "chdir", errno, u->working_dir);
	memset(&e, 0, sizeof(e));
	if (privspawn_child(x->u, &x->ids, &x->ns, &e) == -1)
		child_fail(x, errfd, e.step, e.err, e.detail);
	environ = env;
	if (x->use_argv) {
		execvp(u->argv[0], u->argv);
		child_fail(x, errfd, "exec", errno, u->argv[0]);
	}
	shargv[0] = (char *)"sh";
	shargv[1] = (char *)"-c";
	shargv[2] = (char *)x->cmd;
	shargv[3] = NULL;
	execv("/bin/sh", shargv);
	child_fail(x, errfd, "exec", errno, "/bin/sh");
}

/*
 * A child that needs nothing but syscalls of its own between fork and
 * exec (no namespaces, cgroup, identity or capability change, seccomp
 * filter, activation sockets: those allocate or need a copy of us) is
 * started with vfork(): no copy of our address space is made only for
 * exec to throw it away, and that copy is most of the cost of a spawn.
 */
static int
spawn_vforkable(const struct spawn_req_ctx *x)
{
	const struct unit_conf	*u = x->u;

	return privspawn_ns_flags(u) == 0 && !u->limits.cgroup.set &&
	    !x->ids.change && !u->has_caps && !u->iso.seccomp_default &&
	    (x->what != SPAWN_MAIN || u->nsockets == 0);
}

/*
 * The child runs child_main() from here and never returns.  We resume
 * once it has exec'd or exited: if it failed, vfork_failed is set and
 * vfork_err says why.
 */
static pid_t
spawn_vfork(const struct unit_conf *u, const struct spawn_req_ctx *x,
    char **env)
{
	sigset_t	 all, mask;
	char		**saved = environ;
	pid_t		 pid;
	int		 saved_errno;

	/* No handler of ours may run in the child: it shares our memory. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &mask);
	vfork_failed = 0;
	if ((pid = vfork()) == 0)
		child_main(u, x, env);
	saved_errno = errno;
	environ = saved;	/* the child set it, in our memory */
	sigprocmask(SIG_SETMASK, &mask, NULL);
	errno = saved_errno;
	return pid;
}


/*
 * The spawn that does not wait.  A vfork() parent sleeps until its child
 * has exec'd, and the kernel often runs that child on another CPU, behind
 * a service still starting, while ours idles: a sixth of a two-CPU
 * machine's time while a thousand services start.  A plain unit whose
 * program is named by a path is started instead by a clone(CLONE_VM)
 * child on a stack of its own, which we do not wait for: its exec
 * verdict comes on the close-on-exec pipe, as a forked child's does.
 *
 * The child shares our memory while we go on, so it reads only its slot
 * (a copy of what it needs, made before the clone) and writes nothing of
 * ours: raw system calls, which leave errno (our thread's) alone, and no
 * libc state.  The kernel clears the slot's tid when the child has
 * exec'd or exited (CLONE_CHILD_CLEARTID): the slot is free again.
 */
#if defined(__x86_64__)
#define NOWAIT_SLOTS	16
#define NOWAIT_SIZE	(16 * 1024)
#define NOWAIT_DATA	(6 * 1024)	/* strings and pointers */

struct nowait {
	volatile pid_t	 tid;		/* 0: free */
	int		 outw, errw, errfd, devnull;
	const char	*path;
	char		**argv;
	char		**env;
	const char	*dir;
	uint64_t	 changed;	/* signals to set back to SIG_DFL */
	size_t		 used;		/* of data */
	char		 data[NOWAIT_DATA] __attribute__((aligned(16)));
	/* the child's stack: the rest of the slot */
};

static unsigned char	*nowait_pool;
static int		 nowait_off;	/* could not map the pool */

static long
raw_syscall(long n, long a, long b, long c, long d)
{
	long		 ret;
	register long	 r10 __asm__("r10") = d;

	__asm__ volatile ("syscall"
	    : "=a"(ret)
	    : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
	    : "rcx", "r11", "memory");
	return ret;
}

/* The kernel's struct sigaction, to set a disposition back. */
struct ksigaction {
	void		(*handler)(int);
	unsigned long	 flags;
	void		(*restorer)(void);
	uint64_t	 mask;
};

static void __attribute__((noreturn, no_sanitize_address))
nowait_fail(int errfd, const char *step, long err, const char *detail)
{
	struct child_err	 ce;
	size_t			 i;

	for (i = 0; i < sizeof(ce); i++)
		((volatile char *)&ce)[i] = 0;
	ce.err = (int32_t)err;
	for (i = 0; step[i] != '\0' && i < sizeof(ce.step) - 1; i++)
		ce.step[i] = step[i];
	for (i = 0; detail != NULL && detail[i] != '\0' &&
	    i < sizeof(ce.detail) - 1; i++)
		ce.detail[i] = detail[i];
	(void)raw_syscall(SYS_write, errfd, (long)&ce, sizeof(ce), 0);
	for (;;)
		(void)raw_syscall(SYS_exit_group, 127, 0, 0, 0);
}

static int __attribute__((no_sanitize_address))
nowait_child(void *arg)
{
	const struct nowait	*w = arg;
	struct ksigaction	 dfl;
	uint64_t		 none = 0;
	long			 r, errfd;
	int			 sig;

	if ((r = raw_syscall(SYS_setsid, 0, 0, 0, 0)) < 0)
		nowait_fail(w->errfd, "setsid", -r, NULL);
	dfl.handler = SIG_DFL;
	dfl.flags = 0;
	dfl.restorer = NULL;
	dfl.mask = 0;
	for (sig = 1; sig <= 64; sig++)
		if (w->changed & (1ULL << (sig - 1)))
			(void)raw_syscall(SYS_rt_sigaction, sig, (long)&dfl, 0,
			    sizeof(uint64_t));
	(void)raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, 0,
	    sizeof(uint64_t));
	/* Out of the way of stdio and of the sockets on 3, 4, ... */
	if ((errfd = raw_syscall(SYS_fcntl, w->errfd, F_DUPFD_CLOEXEC,
	    64 + SOCKACT_MAX, 0)) < 0)
		nowait_fail(w->errfd, "dup", -errfd, NULL);
	if ((r = raw_syscall(SYS_dup2, w->devnull, 0, 0, 0)) < 0 ||
	    (r = raw_syscall(SYS_dup2, w->outw, 1, 0, 0)) < 0 ||
	    (r = raw_syscall(SYS_dup2, w->errw, 2, 0, 0)) < 0)
		nowait_fail(errfd, "dup2", -r, NULL);
	(void)raw_syscall(SYS_close_range, 3, errfd - 1, 0, 0);
	(void)raw_syscall(SYS_close_range, errfd + 1, ~0U, 0, 0);
	if (w->dir != NULL &&
	    (r = raw_syscall(SYS_chdir, (long)w->dir, 0, 0, 0)) < 0)
		nowait_fail(errfd, "chdir", -r, w->dir);
	r = raw_syscall(SYS_execve, (long)w->path, (long)w->argv,
	    (long)w->env, 0);
	nowait_fail(errfd, "exec", -r, w->argv[0]);
}

/* Copy n bytes into the slot's data; NULL if they do not fit. */
static void *
nowait_put(struct nowait *w, const void *p, size_t n)
{
	char	*d;
	size_t	 r = (n + 7) & ~(size_t)7;	/* the next stays aligned */

	if (r > sizeof(w->data) - w->used)
		return NULL;
	d = w->data + w->used;
	memcpy(d, p, n);
	w->used += r;
	return d;
}

/* A NULL-terminated list of strings, copied into the slot. */
static char **
nowait_strv(struct nowait *w, char *const *v)
{
	char	**out;
	size_t	  n, i;

	for (n = 0; v[n] != NULL; n++)
		;
	if ((out = nowait_put(w, v, (n + 1) * sizeof(char *))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if ((out[i] = nowait_put(w, v[i], strlen(v[i]) + 1)) == NULL)
			return NULL;
	return out;
}

/* A free slot, waiting for the oldest child if all are in use. */
static struct nowait *
nowait_slot(void)
{
	static unsigned	 next;
	struct nowait	*w;
	pid_t		 tid;
	unsigned	 i;

	if (nowait_pool == NULL && !nowait_off) {
		nowait_pool = mmap(NULL, NOWAIT_SLOTS * NOWAIT_SIZE,
		    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_STACK, -1, 0);
		if (nowait_pool == MAP_FAILED) {
			log_warn("spawn slots");
			nowait_pool = NULL;
			nowait_off = 1;
		}
	}
	if (nowait_pool == NULL)
		return NULL;
	for (i = 0; i < NOWAIT_SLOTS; i++) {
		w = (struct nowait *)(void *)(nowait_pool +
		    (size_t)((next + i) % NOWAIT_SLOTS) * NOWAIT_SIZE);
		if (__atomic_load_n(&w->tid, __ATOMIC_ACQUIRE) == 0) {
			next = (next + i + 1) % NOWAIT_SLOTS;
			return w;
		}
	}
	/* All in flight: the next in turn is the oldest. */
	w = (struct nowait *)(void *)(nowait_pool +
	    (size_t)next * NOWAIT_SIZE);
	while ((tid = __atomic_load_n(&w->tid, __ATOMIC_ACQUIRE)) != 0)
		(void)syscall(SYS_futex, &w->tid, FUTEX_WAIT, tid, NULL,
		    NULL, 0);
	next = (next + 1) % NOWAIT_SLOTS;
	return w;
}

/*
 * Give the slots' touched pages back once none is in flight, a while
 * after a burst of spawns (the idle spawner keeps no copy of them).
 */
void
spawn_slots_release(void)
{
	struct nowait	*w;
	unsigned	 i;

	if (nowait_pool == NULL)
		return;
	for (i = 0; i < NOWAIT_SLOTS; i++) {
		w = (struct nowait *)(void *)(nowait_pool +
		    (size_t)i * NOWAIT_SIZE);
		if (__atomic_load_n(&w->tid, __ATOMIC_ACQUIRE) != 0)
			return;
	}
	(void)madvise(nowait_pool, NOWAIT_SLOTS * NOWAIT_SIZE,
	    MADV_DONTNEED);
}

/* A plain unit whose program has a path (no PATH search in the child). */
static int
spawn_nowaitable(const struct spawn_req_ctx *x)
{
	return x->vforked && privspawn_trivial(x->u) &&
	    (!x->use_argv || strchr(x->u->argv[0], '/') != NULL);
}

static pid_t
spawn_nowait(const struct unit_conf *u, const struct spawn_req_ctx *x,
    char **env)
{
	static int	 devnull = -1;
	static char	 sh[] = "/bin/sh", dash_c[] = "-c";
	struct nowait	*w;
	char		*shargv[4];
	sigset_t	 all, mask;
	pid_t		 pid;
	int		 saved_errno;

	if (devnull == -1 &&
	    (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		return -2;
	if ((w = nowait_slot()) == NULL)
		return -2;
	w->used = 0;
	w->outw = x->outw;
	w->errw = x->errw;
	w->errfd = x->errfd;
	w->devnull = devnull;
	w->changed = sig_changed_mask;
	if (x->use_argv) {
		w->argv = nowait_strv(w, u->argv);
		w->path = w->argv != NULL ? w->argv[0] : NULL;
	} else {
		shargv[0] = sh;
		shargv[1] = dash_c;
		shargv[2] = (char *)x->cmd;
		shargv[3] = NULL;
		w->argv = nowait_strv(w, shargv);
		w->path = sh;
	}
	w->env = nowait_strv(w, env);
	w->dir = u->working_dir == NULL ? NULL :
	    nowait_put(w, u->working_dir, strlen(u->working_dir) + 1);
	if (w->argv == NULL || w->env == NULL ||
	    (u->working_dir != NULL && w->dir == NULL))
		return -2;	/* too large for a slot */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &mask);
	pid = clone(nowait_child, (char *)w + NOWAIT_SIZE,
	    CLONE_VM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD,
	    w, &w->tid, NULL, &w->tid);
	saved_errno = errno;
	sigprocmask(SIG_SETMASK, &mask, NULL);
	errno = saved_errno;
	return pid;
}
#else
static int
spawn_nowaitable(const struct spawn_req_ctx *x)
{
	(void)x;
	return 0;
}

static pid_t
spawn_nowait(const struct unit_conf *u, const struct spawn_req_ctx *x,
    char **env)
{
	(void)u;
	(void)x;
	(void)env;
	return -2;
}

void
spawn_slots_release(void)
{
}
#endif

/*
 * Before fork: identity; then, for a forked child, the exec result pipe
 * (a vfork child needs none); then the cgroup.
 */
static int
prepare(const struct unit_conf *u, const struct msg_spawn *req,
    struct spawn_req_ctx *x, int xp[2], struct msg_spawn_failed *fail)
{
	char	 warn[512] = "";

	if (privspawn_resolve(u, spawner_drop_privileges, &x->ids,
	    fail->detail, sizeof(fail->detail)) == -1) {
		fail->err = errno ? errno : EINVAL;
		strlcpy(fail->step, "user", sizeof(fail->step));
		return -1;
	}
	x->vforked = spawn_vforkable(x);
	x->nowait = spawn_nowaitable(x);
	if (!x->vforked || x->nowait) {
		/* Non-blocking: read when readable, or once the child died. */
		if (pipe2(xp, O_CLOEXEC | O_NONBLOCK) == -1) {
			fail->err = errno;
			strlcpy(fail->step, "pipe", sizeof(fail->step));
			return -1;
		}
		x->errfd = xp[1];
	}
	if (req->what == SPAWN_MAIN && u->limits.cgroup.set) {
		if (cgroup_prepare(u, warn, sizeof(warn)) == -1) {
			fail->err = errno;
			strlcpy(fail->step, "cgroup", sizeof(fail->step));
			strlcpy(fail->detail, warn, sizeof(fail->detail));
			return -1;
		}
		if (warn[0] != '\0')
			log_warnx("%s: %s", u->name, warn);
	}
	return 0;
}

static void
close3(int a, int b, int c)
{
	if (a != -1)
		close(a);
	if (b != -1)
		close(b);
	if (c != -1)
		close(c);
}

/* The failure a child reported, as a message for the supervisor. */
static void
exec_failure(const struct child *c, const struct child_err *ce,
    struct msg_spawn_failed *fail)
{
	struct child_err	 t = *ce;

	memset(fail, 0, sizeof(*fail));
	fail->reqid = c->reqid;
	fail->what = c->what;
	strlcpy(fail->unit, c->unit, sizeof(fail->unit));
	fail->err = t.err;
	t.step[sizeof(t.step) - 1] = '\0';
	t.detail[sizeof(t.detail) - 1] = '\0';
	strlcpy(fail->step, t.step, sizeof(fail->step));
	strlcpy(fail->detail, t.detail, sizeof(fail->detail));
}

/* The child, started the way x says; -1 with errno set on failure. */
static pid_t
spawn_start(const struct unit_conf *u, struct spawn_req_ctx *x, char **env,
    int xp[2], char *warn, size_t wlen)
{
	pid_t	 pid;

	if (x->nowait) {
		if ((pid = spawn_nowait(u, x, env)) != -2)
			return pid;
		/* Too large for a slot: as any other plain unit. */
		x->nowait = 0;
		close3(xp[0], xp[1], -1);
		xp[0] = xp[1] = x->errfd = -1;
	}
	if (x->vforked)
		return spawn_vfork(u, x, env);
	return privspawn_fork(x->u, &x->ids, &x->ns, warn, wlen);
}

/*
 * Fork one process for (unit, request).  Returns the child record with
 * *outfd and *errfd set to the pipe read ends, or NULL with *fail set.
 * A vfork child has exec'd or failed by then: exec_state says which
 * (1 or -1, then with *fail set); 0 for a forked child, whose result
 * comes through c->errfd (spawn_exec_result()).
 */
struct child *
spawn_unit(const struct unit_conf *u, const struct msg_spawn *req,
    int *outfd, int *errfd, struct msg_spawn_failed *fail)
{
	struct child	*c;
	const char	*cmd;
	char		**env;
	int		 op[2] = { -1, -1 }, ep[2] = { -1, -1 };
	int		 xp[2] = { -1, -1 };
	pid_t		 pid;
	struct spawn_req_ctx x;
	struct unit_conf helper;
	char		 warn[512] = "";

	memset(fail, 0, sizeof(*fail));
	fail->reqid = req->reqid;
	fail->what = req->what;
	strlcpy(fail->unit, u->name, sizeof(fail->unit));
	if (!sig_taken)
		spawn_signals_snapshot();
	if ((cmd = spawn_command(u, req)) == NULL) {
		strlcpy(fail->step, "request", sizeof(fail->step));
		snprintf(fail->detail, sizeof(fail->detail),
		    "unit %s has no %s command", u->name,
		    what_names[req->what]);
		fail->err = EINVAL;
		return NULL;
	}
	if (pipe2(op, O_CLOEXEC) == -1 || pipe2(ep, O_CLOEXEC) == -1) {
		fail->err = errno;
		strlcpy(fail->step, "pipe", sizeof(fail->step));
		close3(op[0], op[1], ep[0]);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (env = spawn_env(u, req)) == NULL)
		fatal("spawn");
	memset(&x, 0, sizeof(x));
	x.what = req->what;
	x.cmd = cmd;
	x.use_argv = req->what == SPAWN_MAIN && u->argv != NULL;
	x.outw = op[1];
	x.errw = ep[1];
	x.errfd = -1;
	x.u = u;
	if (req->what != SPAWN_MAIN) {
		/* Helpers share the identity, not the namespaces. */
		helper = *u;
		memset(&helper.iso, 0, sizeof(helper.iso));
		helper.iso.no_new_privileges = u->iso.no_new_privileges;
		helper.iso.seccomp_default = u->iso.seccomp_default;
		helper.limits.cgroup.set = false;
		x.u = &helper;
	}
	if (prepare(x.u, req, &x, xp, fail) == -1 ||
	    (pid = spawn_start(u, &x, env, xp, warn, sizeof(warn))) == -1) {
		if (fail->step[0] == '\0') {
			fail->err = errno;
			strlcpy(fail->step, "fork", sizeof(fail->step));
			strlcpy(fail->detail, warn, sizeof(fail->detail));
		}
		close3(op[0], op[1], ep[0]);
		close3(ep[1], xp[0], xp[1]);
		spawn_env_free(u, env);
		free(c);
		return NULL;
	}
	if (warn[0] != '\0')
		log_warnx("%s: %s", u->name, warn);
	if (pid == 0)
		child_main(u, &x, env);
	spawn_env_free(u, env);
	close3(op[1], ep[1], xp[1]);
	c->pid = pid;
	c->reqid = req->reqid;
	c->what = req->what;
	strlcpy(c->unit, u->name, sizeof(c->unit));
	c->started_ms = now_ms();
	c->stop_signal = u->stop_signal > 0 ? u->stop_signal : SIGTERM;
	c->stop_timeout_ms = u->stop_timeout_ms;
	c->cgroup = req->what == SPAWN_MAIN && u->limits.cgroup.set;
	c->timeout_ms = spawn_timeout(u, req);
	c->errfd = xp[0];
	if (x.vforked && !x.nowait) {
		c->exec_state = vfork_failed ? -1 : 1;
		if (vfork_failed)
			exec_failure(c, &vfork_err, fail);
	}
	*outfd = op[0];
	*errfd = ep[0];
	return c;
}

/* Read the child's exec verdict: 1 exec'd, -1 failed, 0 not yet. */
int
spawn_exec_result(struct child *c, struct msg_spawn_failed *fail)
{
	struct child_err ce;
	ssize_t		 n;

	while ((n = read(c->errfd, &ce, sizeof(ce))) == -1 && errno == EINTR)
		;
	if (n == -1 && errno == EAGAIN)
		return 0;
	if (n == 0)
		return 1;
	if (n != (ssize_t)sizeof(ce)) {
		memset(&ce, 0, sizeof(ce));
		ce.err = EIO;
		strlcpy(ce.step, "exec", sizeof(ce.step));
		strlcpy(ce.detail, "child died before exec",
		    sizeof(ce.detail));
	}
	exec_failure(c, &ce, fail);
	return -1;
}
