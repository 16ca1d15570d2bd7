#include "unit.h"

/*
 * Unit tests for spawner/privspawn.c.  A hand-built unit_conf goes
 * through privspawn_resolve, privspawn_fork and, in the child, the same
 * clean slate the spawner makes, privspawn_child, then an exec of this
 * very binary in "probe" mode (through an fd opened before the uid
 * change).  The probe prints what it sees (ids, capability sets, limits,
 * namespaces, /tmp, /dev, what seccomp lets through) and the parent
 * checks it.  Needs root; skips otherwise.
 */

#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "privspawn.h"
#include "sysg.h"

#define CGROUP2_MAGIC	0x63677270
#define OUTMAX		8192
#define BIT(c)		(UINT64_C(1) << (c))

static char	 marker[128];		/* a file in the host's /tmp */
static char	 wrote[128];		/* the probe creates it in its /tmp */
static char	 cgroot[256];		/* a real cgroup2 root, or "" */

/* ------------------------------------------------------------------ */
/* The probe: runs as the service */

static void
probe_status(void)
{
	static const char *const keys[] = {
		"Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff",
		"CapBnd", "CapAmb", "NoNewPrivs", "Seccomp",
		"Cpus_allowed_list",
	};
	char	 line[512];
	FILE	*f;
	size_t	 i, kl;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			kl = strlen(keys[i]);
			if (strncmp(line, keys[i], kl) == 0 &&
			    line[kl] == ':')
				printf("%s", line);
		}
	fclose(f);
}

static void
probe_file(const char *key, const char *path)
{
	char	 buf[256];
	FILE	*f;

	if ((f = fopen(path, "r")) == NULL) {
		printf("%s: (errno %d)\n", key, errno);
		return;
	}
	while (fgets(buf, sizeof(buf), f) != NULL)
		printf("%s: %s", key, buf);
	fclose(f);
}

static void
probe_limits(void)
{
	static const struct { int r; const char *n; } t[] = {
		{ RLIMIT_NOFILE, "nofile" }, { RLIMIT_NPROC, "nproc" },
		{ RLIMIT_MEMLOCK, "memlock" }, { RLIMIT_CORE, "core" },
	};
	struct rlimit	 rl;
	size_t		 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (getrlimit(t[i].r, &rl) == 0)
			printf("%s: %llu %llu\n", t[i].n,
			    (unsigned long long)rl.rlim_cur,
			    (unsigned long long)rl.rlim_max);
	errno = 0;
	printf("nice: %d\n", getpriority(PRIO_PROCESS, 0));
}

static void
probe_bind80(void)
{
	struct sockaddr_in sin;
	int		 s, r;

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
		printf("bind80: socket %d\n", errno);
		return;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(80);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = bind(s, (struct sockaddr *)&sin, sizeof(sin));
	printf("bind80: %d\n", r == 0 ? 0 : errno);
	close(s);
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in a directory, sorted, comma-separated. */
static void
probe_dir(const char *key, const char *path)
{
	char		*names[256];
	size_t		 n = 0, i;
	DIR		*d;
	struct dirent	*de;

	if ((d = opendir(path)) == NULL) {
		printf("%s: (errno %d)\n", key, errno);
		return;
	}
	while ((de = readdir(d)) != NULL && n < 256)
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmpstr);
	printf("%s: ", key);
	for (i = 0; i < n; i++) {
		printf("%s%s", i ? "," : "", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static void
probe_netifs(void)
{
	char	 line[512], name[64];
	FILE	*f;
	int	 first = 1;

	printf("netifs: ");
	if ((f = fopen("/proc/net/dev", "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, " %63[^:]:", name) == 1 &&
			    strchr(line, '|') == NULL) {
				printf("%s%s", first ? "" : ",", name);
				first = 0;
			}
		fclose(f);
	}
	printf("\n");
}

static void
probe_tmp(const char *hostmarker, const char *towrite)
{
	struct stat	 st;
	int		 fd;

	printf("marker: %s\n", access(hostmarker, F_OK) == 0 ? "visible" :
	    "absent");
	if (stat("/tmp", &st) == 0)
		printf("tmpmode: %o\n", (unsigned)(st.st_mode & 07777));
	fd = open(towrite, O_WRONLY | O_CREAT, 0600);
	printf("tmpwrite: %d\n", fd == -1 ? errno : 0);
	if (fd != -1)
		close(fd);
}

static void
probe_devio(void)
{
	char	 buf[4];
	int	 fd, ok = 0;

	if ((fd = open("/dev/null", O_WRONLY)) != -1) {
		ok += write(fd, "x", 1) == 1;
		close(fd);
	}
	if ((fd = open("/dev/urandom", O_RDONLY)) != -1) {
		ok += read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf);
		close(fd);
	}
	printf("devio: %d\n", ok);
}

/* Harmless calls: the kernel refuses them whatever the filter says. */
static void
probe_seccomp(void)
{
	errno = 0;
	printf("swapon: %d\n", swapon("/nonexistent-sysg", 0) == 0 ? 0 :
	    errno);
	/* a bad magic: EINVAL from the kernel, EPERM from the filter */
	printf("reboot: %d\n", syscall(SYS_reboot, 0, 0, 0, NULL) == 0 ? 0 :
	    errno);
	printf("mount: %d\n", mount("none", "/nonexistent-sysg", "tmpfs", 0,
	    NULL) == 0 ? 0 : errno);
}

static int
probe_main(int argc, char **argv)
{
	char	 buf[64];
	ssize_t	 n;

	setvbuf(stdout, NULL, _IOFBF, 0);
	printf("pid: %d\n", (int)getpid());
	n = readlink("/proc/self", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("procself: %s\n", buf);
	probe_status();
	probe_limits();
	probe_bind80();
	probe_netifs();
	if (argc > 3)
		probe_tmp(argv[2], argv[3]);
	probe_dir("dev", "/dev");
	probe_devio();
	probe_file("uid_map", "/proc/self/uid_map");
	probe_file("gid_map", "/proc/self/gid_map");
	probe_file("cgroup", "/proc/self/cgroup");
	probe_seccomp();
	fflush(stdout);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The spawner side */

struct run {
	char		 out[OUTMAX];
	char		 warn[512];
	int		 status;
	struct spawn_ns	 ns;
};

static void __attribute__((noreturn))
child_side(const struct unit_conf *u, const struct spawn_ids *ids,
    const struct spawn_ns *ns, int outw, int exefd)
{
	struct spawn_error e;
	char	*argv[] = { "probe", "probe", marker, wrote, NULL };
	char	*envp[] = { "ASAN_OPTIONS=detect_leaks=0",
		    "PATH=/usr/bin:/bin", NULL };
	sigset_t set;
	int	 fd, s;

	/* the spawner's clean slate */
	if (setsid() == -1)
		_exit(90);
	for (s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	if ((fd = open("/dev/null", O_RDONLY)) == -1 || dup2(fd, 0) == -1 ||
	    dup2(outw, 1) == -1 || dup2(exefd, 3) == -1)
		_exit(91);
	closefrom(4);
	if (chdir("/") == -1)
		_exit(92);

	if (privspawn_child(u, ids, ns, &e) == -1) {
		dprintf(1, "FAIL step=%s err=%d (%s) detail=%s\n", e.step,
		    e.err, strerror(e.err), e.detail);
		_exit(2);
	}
	syscall(SYS_execveat, 3, "", argv, envp, AT_EMPTY_PATH);
	dprintf(1, "FAIL step=exec err=%d\n", errno);
	_exit(3);
}

static void
read_all(int fd, char *out, size_t len)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	size_t		 n = 0;
	ssize_t		 r;

	while (n + 1 < len) {
		if (poll(&pfd, 1, 30000) <= 0)
			break;
		if ((r = read(fd, out + n, len - n - 1)) <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
}

/* Spawn the probe for u; the output in r->out. */
static void
spawn_probe(const struct unit_conf *u, int drop, struct run *r)
{
	struct spawn_ids ids;
	char		 err[256];
	int		 p[2], exefd;
	pid_t		 pid;

	memset(r, 0, sizeof(*r));
	unlink(wrote);
	if (privspawn_resolve(u, drop, &ids, err, sizeof(err)) == -1)
		fail_msg("resolve: %s", err);
	if (u->limits.cgroup.set &&
	    cgroup_prepare(u, r->warn, sizeof(r->warn)) == -1)
		fail_msg("cgroup_prepare: %s", r->warn);
	exefd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	assert_true(exefd != -1);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = privspawn_fork(u, &ids, &r->ns, r->warn, sizeof(r->warn));
	assert_true(pid != -1);
	if (pid == 0)
		child_side(u, &ids, &r->ns, p[1], exefd);
	close(p[1]);
	close(exefd);
	read_all(p[0], r->out, sizeof(r->out));
	close(p[0]);
	if (waitpid(pid, &r->status, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &r->status, 0);
	}
	if (strncmp(r->out, "FAIL", 4) == 0 || !WIFEXITED(r->status) ||
	    WEXITSTATUS(r->status) != 0)
		fail_msg("probe failed (status %#x): %s", r->status, r->out);
}

/* The value of "key: value" in the probe output, blanks squeezed. */
static const char *
val(const struct run *r, const char *key)
{
	static char	 buf[512];
	const char	*p = r->out;
	size_t		 kl = strlen(key), n;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
			p += kl + 1;
			for (n = 0; *p != '\n' && *p != '\0' &&
			    n + 1 < sizeof(buf); p++) {
				if (*p != ' ' && *p != '\t')
					buf[n++] = *p;
				else if (n > 0 && buf[n - 1] != ' ')
					buf[n++] = ' ';
			}
			while (n > 0 && buf[n - 1] == ' ')
				n--;
			buf[n] = '\0';
			return buf;
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return "(missing)";
}

#define assert_val(r, key, want) do {					\
	const char *v_ = val((r), (key));				\
	if (strcmp(v_, (want)) != 0)					\
		fail_msg("%s: got \"%s\", want \"%s\"\n%s", (key), v_,	\
		    (want), (r)->out);					\
} while (0)

static void
assert_caps(const struct run *r, const char *inh, const char *prm,
    const char *eff, const char *bnd, const char *amb)
{
	assert_val(r, "CapInh", inh);
	assert_val(r, "CapPrm", prm);
	assert_val(r, "CapEff", eff);
	assert_val(r, "CapBnd", bnd);
	assert_val(r, "CapAmb", amb);
}

static void
unit_init(struct unit_conf *u, const char *name)
{
	memset(u, 0, sizeof(*u));
	strlcpy(u->name, name, sizeof(u->name));
	u->limits.cgroup.pids_max = -1;
}

static void
need_root(void)
{
	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		skip();
	}
}

static char *
capset_hex(uint64_t set, char *buf, size_t len)
{
	snprintf(buf, len, "%016llx", (unsigned long long)set);
	return buf;
}

/* What a root process has here (the machine may lack some). */
static uint64_t
full_bounding(void)
{
	uint64_t s = 0;
	int	 c;

	for (c = 0; c < 64; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			s |= BIT(c);
	return s;
}

/* ------------------------------------------------------------------ */
/* Tests */

/* Does the list hold g? */
static int
has_gid(const gid_t *list, size_t n, gid_t g)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (list[i] == g)
			return 1;
	return 0;
}

/*
 * The daemon's own identity is looked up once (privspawn_init) and
 * reused; should the effective ids change, it is looked up afresh.
 */
static void
test_keep_self(void **state)
{
	struct unit_conf u;
	struct spawn_ids a, b;
	struct passwd	*pw, *nobody;
	gid_t		 g[SPAWN_MAXGROUPS];
	char		 err[256], name[64] = "";
	size_t		 i;
	pid_t		 pid;
	int		 n, st, ok;

	(void)state;
	unit_init(&u, "self");
	privspawn_init();
	assert_int_equal(privspawn_resolve(&u, 0, &a, err, sizeof(err)), 0);
	assert_int_equal(privspawn_resolve(&u, 0, &b, err, sizeof(err)), 0);
	assert_int_equal(a.change, 0);
	assert_int_equal(a.uid, geteuid());
	assert_int_equal(a.gid, getegid());
	assert_true((n = getgroups(SPAWN_MAXGROUPS, g)) != -1);
	for (i = 0; i < (size_t)n; i++)
		assert_true(has_gid(a.groups, a.ngroups, g[i]));
	assert_true(has_gid(a.groups, a.ngroups, getegid()));
	assert_int_equal(a.ngroups, (size_t)n +
	    !has_gid(g, (size_t)n, getegid()));
	if ((pw = getpwuid(geteuid())) != NULL)
		strlcpy(name, pw->pw_name, sizeof(name));
	assert_string_equal(a.user, name);
	/* the second time, from the cache: the same */
	assert_int_equal(b.change, 0);
	assert_int_equal(b.uid, a.uid);
	assert_int_equal(b.gid, a.gid);
	assert_int_equal(b.ngroups, a.ngroups);
	assert_memory_equal(b.groups, a.groups,
	    a.ngroups * sizeof(a.groups[0]));
	assert_string_equal(b.user, a.user);

	if (geteuid() != 0 || (nobody = getpwnam("nobody")) == NULL)
		return;
	/* a process that became nobody sees nobody, not the cache */
	if ((pid = fork()) == 0) {
		if (setgroups(0, NULL) == -1 ||
		    setresgid(nobody->pw_gid, nobody->pw_gid,
		    nobody->pw_gid) == -1 ||
		    setresuid(nobody->pw_uid, nobody->pw_uid,
		    nobody->pw_uid) == -1)
			_exit(2);
		ok = privspawn_resolve(&u, 0, &a, err, sizeof(err)) == 0 &&
		    a.change == 0 && a.uid == nobody->pw_uid &&
		    a.gid == nobody->pw_gid && a.ngroups == 1 &&
		    a.groups[0] == nobody->pw_gid &&
		    strcmp(a.user, "nobody") == 0;
		_exit(ok ? 0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
test_resolve(void **state)
{
	struct unit_conf u;
	struct spawn_ids ids;
	char		 err[256], nobody[] = "nobody", users[] = "users";
	char		 bogus[] = "no-such-sysg-account";
	char		*supp[] = { users, users };
	struct group	*gr;
	struct passwd	*pw;
	size_t		 i;
	int		 saw_users = 0, saw_gid = 0;

	(void)state;
	need_root();
	assert_non_null(pw = getpwnam("nobody"));
	assert_non_null(gr = getgrnam("users"));
	unit_init(&u, "r");

	/* no user, no drop: the daemon's identity, nothing changes */
	assert_int_equal(privspawn_resolve(&u, 0, &ids, err, sizeof(err)), 0);
	assert_int_equal(ids.change, 0);
	assert_int_equal(ids.uid, 0);

	/* --drop-privileges: nobody, with nobody's groups only */
	assert_int_equal(privspawn_resolve(&u, 1, &ids, err, sizeof(err)), 0);
	assert_int_equal(ids.change, 1);
	assert_int_equal(ids.uid, pw->pw_uid);
	assert_int_equal(ids.gid, pw->pw_gid);
	for (i = 0; i < ids.ngroups; i++)
		assert_true(ids.groups[i] != 0);
	assert_string_equal(ids.user, "nobody");

	/* group + supplementary groups (duplicates folded) */
	u.user = nobody;
	u.group = users;
	u.supp_groups = supp;
	u.nsupp = 2;
	assert_int_equal(privspawn_resolve(&u, 0, &ids, err, sizeof(err)), 0);
	assert_int_equal(ids.gid, gr->gr_gid);
	for (i = 0; i < ids.ngroups; i++) {
		assert_true(ids.groups[i] != 0);
		saw_users += ids.groups[i] == gr->gr_gid;
		saw_gid += ids.groups[i] == pw->pw_gid;
	}
	assert_int_equal(saw_users, 1);
	/* initgroups(nobody, users) has no nogroup: nobody is not in it */
	assert_int_equal(saw_gid, 0);

	u.user = bogus;
	assert_int_equal(privspawn_resolve(&u, 0, &ids, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown user"));
	u.user = nobody;
	u.group = bogus;
	assert_int_equal(privspawn_resolve(&u, 0, &ids, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown group"));
}

static int
find_cgroup2(void)
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
		snprintf(cgroot, sizeof(cgroot), "%s/sysg-ps-%d", mnts[i],
		    (int)getpid());
		return 0;
	}
	cgroot[0] = '\0';
	return -1;
}

/* Everything at once: the brief's reference service. */
static void
test_full_nobody(void **state)
{
	struct unit_conf u;
	struct run	 r;
	char		 nobody[] = "nobody", users[] = "users";
	char		*supp[] = { users };
	char		 want[128], host[PATH_MAX];
	int		 cpus[] = { 0 };
	struct passwd	*pw;
	struct group	*gr;

	(void)state;
	need_root();
	assert_non_null(pw = getpwnam("nobody"));
	assert_non_null(gr = getgrnam("users"));
	unit_init(&u, "full");
	u.user = nobody;
	u.supp_groups = supp;
	u.nsupp = 1;
	u.has_caps = true;
	u.caps = BIT(CAP_NET_BIND_SERVICE);
	u.limits.nofile = (struct rlimit_conf){ true, 1000, 2000 };
	u.limits.nproc = (struct rlimit_conf){ true, 4096, 4096 };
	u.limits.memlock = (struct rlimit_conf){ true, 65536, 65536 };
	u.limits.core = (struct rlimit_conf){ true, 0, 0 };
	u.limits.has_nice = true;
	u.limits.nice = 5;
	u.limits.cpus = cpus;
	u.limits.ncpus = 1;
	u.iso = (struct isolation_conf){ .set = true, .network = true,
	    .pid = true, .private_tmp = true, .private_devices = true,
	    .no_new_privileges = true, .seccomp_default = true };
	if (find_cgroup2() == 0) {
		u.limits.cgroup.set = true;
		u.limits.cgroup.root = cgroot;
	} else
		printf("note: no cgroup2 mount, cgroup placement not tested "
		    "here\n");

	spawn_probe(&u, 0, &r);
	if (r.warn[0] != '\0')
		printf("note: warnings: %s\n", r.warn);
	assert_int_equal(r.ns.flags, CLONE_NEWNET | CLONE_NEWPID |
	    CLONE_NEWNS);

	snprintf(want, sizeof(want), "%u %u %u %u", pw->pw_uid, pw->pw_uid,
	    pw->pw_uid, pw->pw_uid);
	assert_val(&r, "Uid", want);
	snprintf(want, sizeof(want), "%u %u %u %u", pw->pw_gid, pw->pw_gid,
	    pw->pw_gid, pw->pw_gid);
	assert_val(&r, "Gid", want);
	/* initgroups(nobody, nogroup) = nogroup, plus users; never 0 */
	if (gr->gr_gid < pw->pw_gid)
		snprintf(want, sizeof(want), "%u %u", gr->gr_gid, pw->pw_gid);
	else
		snprintf(want, sizeof(want), "%u %u", pw->pw_gid, gr->gr_gid);
	assert_val(&r, "Groups", want);
	assert_caps(&r, "0000000000000400", "0000000000000400",
	    "0000000000000400", "0000000000000400", "0000000000000400");
	assert_val(&r, "NoNewPrivs", "1");
	assert_val(&r, "Seccomp", "2");
	assert_val(&r, "Cpus_allowed_list", "0");
	assert_val(&r, "nofile", "1000 2000");
	assert_val(&r, "nproc", "4096 4096");
	assert_val(&r, "memlock", "65536 65536");
	assert_val(&r, "core", "0 0");
	assert_val(&r, "nice", "5");
	/* CAP_NET_BIND_SERVICE, as nobody, in its own network namespace */
	assert_val(&r, "bind80", "0");
	assert_val(&r, "netifs", "lo");
	assert_val(&r, "pid", "1");
	assert_val(&r, "procself", "1");
	assert_val(&r, "marker", "absent");
	assert_val(&r, "tmpmode", "1777");
	assert_val(&r, "tmpwrite", "0");
	assert_true(access(wrote, F_OK) == -1);
	assert_val(&r, "dev", "fd,full,null,random,shm,stderr,stdin,stdout,"
	    "tty,urandom,zero");
	assert_val(&r, "devio", "2");
	assert_val(&r, "swapon", "1");
	assert_val(&r, "reboot", "1");
	assert_val(&r, "mount", "1");
	if (cgroot[0] != '\0') {
		snprintf(want, sizeof(want), "0::/%s/full",
		    strrchr(cgroot, '/') + 1);
		if (strstr(r.out, want) == NULL)
			fail_msg("cgroup: want %s in\n%s", want, r.out);
		assert_int_equal(cgroup_empty(&u), 1);
		assert_int_equal(cgroup_remove(&u), 0);
		assert_int_equal(rmdir(cgroot), 0);
	}
	snprintf(host, sizeof(host), "%s", marker);
	assert_int_equal(access(host, F_OK), 0);
}

/* No capabilities key, non-root: every set empty, bounding included. */
static void
test_nocaps_nobody(void **state)
{
	struct unit_conf u;
	struct run	 r;
	char		 nobody[] = "nobody";

	(void)state;
	need_root();
	unit_init(&u, "nocaps");
	u.user = nobody;
	u.iso.network = true;
	spawn_probe(&u, 0, &r);
	assert_caps(&r, "0000000000000000", "0000000000000000",
	    "0000000000000000", "0000000000000000", "0000000000000000");
	assert_val(&r, "bind80", "13");		/* EACCES */
	assert_val(&r, "NoNewPrivs", "0");
	assert_val(&r, "Seccomp", "0");
	assert_val(&r, "netifs", "lo");
	assert_true(strstr(val(&r, "Groups"), "0 ") == NULL);
	assert_true(strcmp(val(&r, "Groups"), "0") != 0);
}

/* --drop-privileges and a unit without user: nobody. */
static void
test_drop_privileges(void **state)
{
	struct unit_conf u;
	struct run	 r;
	struct passwd	*pw;
	char		 want[64];

	(void)state;
	need_root();
	assert_non_null(pw = getpwnam("nobody"));
	unit_init(&u, "drop");
	spawn_probe(&u, 1, &r);
	snprintf(want, sizeof(want), "%u %u %u %u", pw->pw_uid, pw->pw_uid,
	    pw->pw_uid, pw->pw_uid);
	assert_val(&r, "Uid", want);
	snprintf(want, sizeof(want), "%u", pw->pw_gid);
	assert_val(&r, "Groups", want);
	assert_val(&r, "CapEff", "0000000000000000");
	assert_val(&r, "CapBnd", "0000000000000000");
}

/* A root service keeps its sets without a list, only the list with one. */
static void
test_root_caps(void **state)
{
	struct unit_conf u;
	struct run	 r;
	char		 full[32], want[32];

	(void)state;
	need_root();
	capset_hex(full_bounding(), full, sizeof(full));
	unit_init(&u, "rootall");
	spawn_probe(&u, 0, &r);
	assert_val(&r, "Uid", "0 0 0 0");
	assert_val(&r, "CapEff", full);
	assert_val(&r, "CapBnd", full);

	unit_init(&u, "rootsome");
	u.has_caps = true;
	u.caps = BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_KILL);
	spawn_probe(&u, 0, &r);
	capset_hex(u.caps, want, sizeof(want));
	assert_val(&r, "Uid", "0 0 0 0");
	assert_val(&r, "CapPrm", want);
	assert_val(&r, "CapEff", want);
	assert_val(&r, "CapBnd", want);
}

/* seccomp: default as root: the kernel would say EINVAL/ENOENT. */
static void
test_root_seccomp(void **state)
{
	struct unit_conf u;
	struct run	 r;

	(void)state;
	need_root();
	unit_init(&u, "plain");
	u.iso.mount = true;	/* never touch the host's mounts */
	spawn_probe(&u, 0, &r);
	assert_val(&r, "swapon", "2");		/* ENOENT */
	assert_val(&r, "reboot", "22");		/* EINVAL */
	assert_val(&r, "mount", "2");		/* ENOENT */
	assert_val(&r, "Seccomp", "0");

	u.iso.seccomp_default = true;
	spawn_probe(&u, 0, &r);
	assert_val(&r, "swapon", "1");		/* EPERM */
	assert_val(&r, "reboot", "1");
	assert_val(&r, "mount", "1");
	assert_val(&r, "Seccomp", "2");
	assert_val(&r, "NoNewPrivs", "1");	/* implied */
}

/* A user namespace: maps written by the spawner, caps inside it. */
static void
test_userns(void **state)
{
	struct unit_conf u;
	struct run	 r;
	char		 nobody[] = "nobody", users[] = "users";
	char		*supp[] = { users };
	char		 want[128];
	struct passwd	*pw;
	struct group	*gr;

	(void)state;
	need_root();
	assert_non_null(pw = getpwnam("nobody"));
	assert_non_null(gr = getgrnam("users"));
	unit_init(&u, "userns");
	u.user = nobody;
	u.supp_groups = supp;
	u.nsupp = 1;
	u.has_caps = true;
	u.caps = BIT(CAP_NET_BIND_SERVICE);
	u.iso = (struct isolation_conf){ .set = true, .user = true,
	    .network = true, .pid = true, .private_tmp = true,
	    .private_devices = true, .strict = true };
	if (find_cgroup2() == 0) {
		u.limits.cgroup.set = true;
		u.limits.cgroup.root = cgroot;
	}
	spawn_probe(&u, 0, &r);
	assert_int_equal(r.ns.flags, CLONE_NEWUSER | CLONE_NEWNET |
	    CLONE_NEWPID | CLONE_NEWNS);
	if (cgroot[0] != '\0') {
		snprintf(want, sizeof(want), "0::/%s/userns",
		    strrchr(cgroot, '/') + 1);
		if (strstr(r.out, want) == NULL)
			fail_msg("cgroup: want %s in\n%s", want, r.out);
		assert_int_equal(cgroup_remove(&u), 0);
		assert_int_equal(rmdir(cgroot), 0);
	}
	snprintf(want, sizeof(want), "%u %u 1", pw->pw_uid, pw->pw_uid);
	assert_val(&r, "uid_map", want);
	if (strstr(r.out, "gid_map:") == NULL ||
	    strstr(val(&r, "gid_map"), "0 0") != NULL)
		fail_msg("gid_map:\n%s", r.out);
	snprintf(want, sizeof(want), "%u %u %u %u", pw->pw_uid, pw->pw_uid,
	    pw->pw_uid, pw->pw_uid);
	assert_val(&r, "Uid", want);
	assert_caps(&r, "0000000000000400", "0000000000000400",
	    "0000000000000400", "0000000000000400", "0000000000000400");
	assert_val(&r, "bind80", "0");
	assert_val(&r, "netifs", "lo");
	assert_val(&r, "pid", "1");
	assert_val(&r, "marker", "absent");
	assert_val(&r, "dev", "fd,full,null,random,shm,stderr,stdin,stdout,"
	    "tty,urandom,zero");
	assert_val(&r, "devio", "2");
}

/*
 * A spawner that is not root (user mode) may still give a service a user
 * namespace and, inside it, the other namespaces: it maps only itself.
 */
static int
only_lo(void)
{
	char	 line[512], name[64];
	FILE	*f;
	int	 n = 0, lo = 0;

	if ((f = fopen("/proc/net/dev", "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, " %63[^:]:", name) == 1 &&
		    strchr(line, '|') == NULL) {
			n++;
			lo += strcmp(name, "lo") == 0;
		}
	fclose(f);
	return n == 1 && lo == 1;
}

static int
unpriv_grandchild(const struct unit_conf *u, const struct spawn_ids *ids,
    const struct spawn_ns *ns, uid_t uid)
{
	struct spawn_error e;
	char		 buf[128], want[64];
	FILE		*f;

	if (privspawn_child(u, ids, ns, &e) == -1) {
		fprintf(stderr, "step %s: %s (%s)\n", e.step, strerror(e.err),
		    e.detail);
		return 20;
	}
	if (getuid() != uid || getpid() != 1)
		return 21;
	if ((f = fopen("/proc/self/uid_map", "r")) == NULL ||
	    fgets(buf, sizeof(buf), f) == NULL)
		return 22;
	fclose(f);
	snprintf(want, sizeof(want), "%u %u 1", uid, uid);
	buf[strcspn(buf, "\n")] = '\0';
	{
		struct run r;

		snprintf(r.out, sizeof(r.out), "m: %s\n", buf);
		if (strcmp(val(&r, "m"), want) != 0)
			return 23;
	}
	if (access(marker, F_OK) == 0)
		return 24;
	if (!only_lo())
		return 25;
	if (access("/dev/vda", F_OK) == 0 || access("/dev/null", W_OK) == -1)
		return 26;
	return 0;
}

static int
unpriv_child(void)
{
	struct unit_conf u;
	struct spawn_ids ids;
	struct spawn_ns	 ns;
	struct passwd	*pw;
	char		 warn[512], err[128];
	pid_t		 pid;
	int		 status;

	if ((pw = getpwnam("nobody")) == NULL ||
	    setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		return 10;
	/* as after an exec: /proc/<pid> of our children must be ours */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == -1)
		return 10;
	unit_init(&u, "unpriv");
	u.iso = (struct isolation_conf){ .set = true, .user = true,
	    .network = true, .pid = true, .private_tmp = true,
	    .private_devices = true, .strict = true };
	if (privspawn_resolve(&u, 0, &ids, err, sizeof(err)) == -1 ||
	    ids.change != 0)
		return 11;
	pid = privspawn_fork(&u, &ids, &ns, warn, sizeof(warn));
	if (pid == 0)
		_exit(unpriv_grandchild(&u, &ids, &ns, pw->pw_uid));
	if (pid == -1) {
		fprintf(stderr, "fork: %s: %s\n", strerror(errno), warn);
		return 12;
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 13;
	return WEXITSTATUS(status);
}

static void
test_userns_unprivileged(void **state)
{
	int	 status;
	pid_t	 pid;

	(void)state;
	need_root();	/* to become nobody */
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0)
		_exit(unpriv_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 12) {
		printf("SKIP: unprivileged user namespaces refused here\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * A kernel that refuses a namespace: a spawner without CAP_SYS_ADMIN
 * cannot make a network namespace.  Without strict the service runs
 * without it and a warning says so; with strict the fork fails.
 * Runs in a child (cmocka asserts stay in the parent).
 */
static int
refused_child(void)
{
	struct unit_conf u;
	struct spawn_ns	 ns;
	struct spawn_ids ids;
	char		 warn[512], err[128];
	cap_value_t	 v = CAP_SYS_ADMIN;
	cap_t		 c;
	pid_t		 pid;
	int		 status;

	if ((c = cap_get_proc()) == NULL ||
	    cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_CLEAR) == -1 ||
	    cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_CLEAR) == -1 ||
	    cap_set_proc(c) == -1)
		return 10;
	cap_free(c);
	unit_init(&u, "refused");
	u.iso.network = true;
	if (privspawn_resolve(&u, 0, &ids, err, sizeof(err)) == -1)
		return 11;
	pid = privspawn_fork(&u, &ids, &ns, warn, sizeof(warn));
	if (pid == 0)
		_exit(ns.flags == 0 ? 0 : 1);
	if (pid == -1 || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return 12;
	fprintf(stderr, "warn: %s\n", warn);
	if (strstr(warn, "network namespace refused") == NULL ||
	    strstr(warn, "running without it") == NULL || ns.flags != 0)
		return 13;

	u.iso.private_tmp = true;
	u.iso.strict = true;
	errno = 0;
	pid = privspawn_fork(&u, &ids, &ns, warn, sizeof(warn));
	if (pid == 0)
		_exit(99);
	fprintf(stderr, "strict warn: %s\n", warn);
	if (pid != -1 || errno != EPERM || strstr(warn, "strict") == NULL)
		return 14;
	return 0;
}

static void
test_refused(void **state)
{
	int	 status;
	pid_t	 pid;

	(void)state;
	need_root();
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0)
		_exit(refused_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A failing step is reported with its name and errno. */
static void
test_child_error(void **state)
{
	struct unit_conf u;
	struct spawn_ids ids;
	struct spawn_ns	 ns;
	struct spawn_error e;
	char		 err[128], bad[] = "/nonexistent-sysg-root";
	pid_t		 pid;
	int		 p[2], status;

	(void)state;
	need_root();
	unit_init(&u, "err");
	u.limits.cgroup.set = true;
	u.limits.cgroup.root = bad;	/* cgroup_enter fails: no group */
	assert_int_equal(privspawn_resolve(&u, 0, &ids, err, sizeof(err)), 0);
	assert_int_equal(pipe(p), 0);
	pid = privspawn_fork(&u, &ids, &ns, err, sizeof(err));
	assert_true(pid != -1);
	if (pid == 0) {
		close(p[0]);
		if (privspawn_child(&u, &ids, &ns, &e) == 0)
			_exit(1);
		if (write(p[1], &e, sizeof(e)) != (ssize_t)sizeof(e))
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &e, sizeof(e)), (ssize_t)sizeof(e));
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(e.step, "cgroup");
	assert_int_equal(e.err, ENOENT);

	/* an rlimit above the hard limit without CAP_SYS_RESOURCE */
	unit_init(&u, "err2");
	u.limits.nofile = (struct rlimit_conf){ true, 10, 5 };
	pid = privspawn_fork(&u, &ids, &ns, err, sizeof(err));
	assert_true(pid != -1);
	if (pid == 0)
		_exit(privspawn_child(&u, &ids, &ns, &e) == -1 &&
		    strcmp(e.step, "setrlimit") == 0 && e.err == EINVAL ? 0 :
		    1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
test_ns_flags(void **state)
{
	struct unit_conf u;

	(void)state;
	unit_init(&u, "f");
	assert_int_equal(privspawn_ns_flags(&u), 0);
	u.iso.private_tmp = true;
	assert_int_equal(privspawn_ns_flags(&u), CLONE_NEWNS);
	u.iso.private_tmp = false;
	u.iso.pid = true;
	assert_int_equal(privspawn_ns_flags(&u), CLONE_NEWPID | CLONE_NEWNS);
	u.iso.user = true;
	u.iso.network = true;
	assert_int_equal(privspawn_ns_flags(&u), CLONE_NEWPID | CLONE_NEWNS |
	    CLONE_NEWUSER | CLONE_NEWNET);
}

static int
setup(void **state)
{
	int	 fd;

	(void)state;
	snprintf(marker, sizeof(marker), "/tmp/sysg-ps-marker.%d",
	    (int)getpid());
	snprintf(wrote, sizeof(wrote), "/tmp/sysg-ps-wrote.%d",
	    (int)getpid());
	if ((fd = open(marker, O_WRONLY | O_CREAT, 0644)) == -1)
		return -1;
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(marker);
	unlink(wrote);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ns_flags),
		cmocka_unit_test(test_keep_self),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_full_nobody),
		cmocka_unit_test(test_nocaps_nobody),
		cmocka_unit_test(test_drop_privileges),
		cmocka_unit_test(test_root_caps),
		cmocka_unit_test(test_root_seccomp),
		cmocka_unit_test(test_userns),
		cmocka_unit_test(test_userns_unprivileged),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_child_error),
	};

	if (argc > 1 && strcmp(argv[1], "probe") == 0)
		return probe_main(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
