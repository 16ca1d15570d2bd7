/*
 * The privileged part of starting a service, in three steps:
 *
 *   privspawn_resolve()	in the spawner, before fork: user, group and
 *				the complete group list (uses NSS);
 *   privspawn_fork()		the fork itself: clone3 with the namespaces
 *				the unit asks for (the service is pid 1 of
 *				its pid namespace and a child of the
 *				spawner), plain fork without;
 *   privspawn_child()		in the child, after the clean slate and
 *				before exec: namespaces set-up, rlimits,
 *				nice, affinity, cgroup, groups/gid/uid,
 *				capabilities, no_new_privs, seccomp.
 *
 * Decisions (see also config.md, Isolation and Capabilities):
 *  - A user namespace is created together with the others (they belong
 *    to it).  The spawner writes its maps before the child goes on: the
 *    service's uid maps to itself, its gid and every supplementary
 *    group map to themselves; nothing else is mapped (root only when
 *    the service runs as root), so a setuid-root file can never make
 *    the service host root.
 *  - pid: true also gets a mount namespace and a fresh /proc, so the
 *    service sees its own namespace in /proc.
 *  - private_devices: a tmpfs on /dev holding bind mounts of the host's
 *    null zero full random urandom tty, the symlinks fd stdin stdout
 *    stderr and an empty shm directory (mode 1777); no pts, no disks.
 *  - seccomp: default implies no_new_privileges; it denies (EPERM) module
 *    loading, reboot, kexec, swap, mounts, ptrace and process_vm_*, bpf
 *    and the clock-setting calls.
 *  - Without a capabilities list a non-root service ends with every set
 *    empty, the bounding set included; a root service keeps its sets.
 *  - A refused namespace (EPERM, EINVAL, ENOSPC, EUSERS, or maps that
 *    cannot be written) is dropped with a warning, or fails the fork
 *    with iso.strict.
 *
 * Notes for the caller:
 *  - privspawn_init() looks up the daemon's own identity (groups, user
 *    name) once, before any chroot or sandbox; privspawn_resolve()
 *    reuses it for every unit that keeps that identity.
 *  - Give privspawn_fork the ids from privspawn_resolve (it writes the
 *    user namespace maps from them; NULL maps the spawner's own ids).
 *    A non-root spawner can only map itself and must be dumpable (it is
 *    after exec).
 *  - With pid: true the service is pid 1 of its namespace: the kernel
 *    drops signals it has no handler for (SIGKILL excepted), so a
 *    stop_signal may be ignored until the SIGKILL at stop_timeout; when
 *    it dies, everything in its namespace dies with it.
 *  - privspawn_child may allocate (libcap, libseccomp); it closes every
 *    fd it opens.  On failure e says which step, with errno and detail.
 */

#ifndef PRIVSPAWN_H
#define PRIVSPAWN_H

#include <sys/types.h>

#include <stddef.h>

#include "sysg.h"

#define SPAWN_MAXGROUPS		1024

struct spawn_ids {
	int		 change;	/* 1: setgroups/setgid/setuid */
	uid_t		 uid;
	gid_t		 gid;
	size_t		 ngroups;	/* complete list, gid included */
	gid_t		 groups[SPAWN_MAXGROUPS];
	char		 user[64];	/* account name, "" if unknown */
};

/* What privspawn_fork really got from the kernel. */
struct spawn_ns {
	int		 flags;		/* CLONE_NEW* applied */
};

struct spawn_error {
	char		 step[32];	/* "setuid", "cgroup", ... */
	int		 err;		/* errno */
	char		 detail[256];
};

void	 privspawn_init(void);
int	 privspawn_resolve(const struct unit_conf *, int drop_privileges,
	    struct spawn_ids *, char *err, size_t errlen);
pid_t	 privspawn_fork(const struct unit_conf *, const struct spawn_ids *,
	    struct spawn_ns *, char *warn, size_t warnlen);
int	 privspawn_trivial(const struct unit_conf *);
int	 privspawn_child(const struct unit_conf *, const struct spawn_ids *,
	    const struct spawn_ns *, struct spawn_error *);

/* The CLONE_NEW* flags a unit asks for (mount implied where needed). */
int	 privspawn_ns_flags(const struct unit_conf *);

#endif /* PRIVSPAWN_H */
