/*
 * The sandbox each role applies after its last privileged step (the
 * Linux stand-in for chroot + pledge):
 *
 *   1. --sys only: chroot to an empty, root-owned directory, chdir "/";
 *   2. --sys only, when root: become the role user (_sysg, else nobody):
 *      setgroups to its gid alone, setgid, setuid, checked;
 *   3. drop every capability (the bounding set too while privileged);
 *   4. PR_SET_NO_NEW_PRIVS, in both modes;
 *   5. a seccomp allow-list for the role (libseccomp).
 *
 * The parent and the spawner get nothing: the parent forks the roles and
 * the spawner must exec services with any capability a unit may list.
 *
 * A syscall missing from a role's list fails with EPERM (easier to debug
 * than a killed role, and the role handles the error).  execve and
 * execveat, ptrace, mount, module loading, reboot, kexec and swapon are
 * always denied with EPERM.  SYSG_SECCOMP=kill in the environment kills
 * the role on an unlisted syscall instead; SYSG_SECCOMP=log lets unlisted
 * syscalls through but has the kernel log them (audit), to find what a
 * list lacks.  Any failure is fatal: a role never runs half-sandboxed.
 */

#ifndef SANDBOX_H
#define SANDBOX_H

#include <sys/types.h>

#include <stddef.h>

#include "sysg.h"

#define SANDBOX_USER		"_sysg"
#define SANDBOX_FALLBACK_USER	"nobody"

void	 sandbox_role(enum sysg_proc, const struct sysg_env *,
	    const char *chroot_dir);
/* The unprivileged role account: _sysg if it exists, else nobody. */
int	 sandbox_role_user(uid_t *, gid_t *, char *name, size_t namelen);

#endif /* SANDBOX_H */
