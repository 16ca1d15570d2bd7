/* /proc walking for the spawner: a unit's process tree and orphans. */
#ifndef PROCSCAN_H
#define PROCSCAN_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

struct pidlist {
	pid_t	*pids;
	size_t	 n;
	size_t	 cap;
};

void	pidlist_push(struct pidlist *, pid_t);
void	pidlist_add(struct pidlist *, pid_t);
int	pidlist_has(const struct pidlist *, pid_t);
void	pidlist_free(struct pidlist *);
int	proc_children(pid_t, struct pidlist *);
void	proc_tree(pid_t, struct pidlist *);
int	proc_env_service(pid_t, char *, size_t);
int	proc_stat(pid_t, pid_t *ppid, pid_t *pgid, uint64_t *start);
int	proc_signal(pid_t pid, pid_t ppid, int signo);
int	proc_usage(pid_t, uint64_t *cpu_ms, uint64_t *rss);

#endif
