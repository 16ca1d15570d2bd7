/*
 * The role framework shared by the four daemon roles: the channel to the
 * parent on fd 3, peer channels handed over by the parent, the start-up
 * barrier, and helpers to send messages.  One role per process.
 */

#ifndef PROC_H
#define PROC_H

#include "imsg.h"
#include "sysg.h"

struct role_ops {
	void	(*init)(void);
	void	(*parent_msg)(struct imsg *);
	void	(*peer_msg)(enum sysg_proc, struct imsg *);
	void	(*peer_up)(enum sysg_proc);
	void	(*peer_down)(enum sysg_proc);
	void	(*setup_done)(void);		/* sandbox, then proc_ready() */
	void	(*go)(void);
	void	(*parent_lost)(void);
	void	(*trim)(void);			/* with proc_trim_soon() */
};

struct role {
	enum sysg_proc	 id;
	struct event_base *base;
	struct sysg_env	 env;
	int		 have_env;
	int		 restarted;	/* this role was restarted */
	struct imsgev	 parent;
	struct imsgev	*peers[PROC_MAX];
	const struct role_ops *ops;
};

extern struct role	*role;

int	 proc_role_id(const char *);
void	 proc_role_main(enum sysg_proc, const struct role_ops *)
	    __attribute__((noreturn));
void	 proc_ready(void);
int	 proc_send(enum sysg_proc, uint32_t type, uint32_t peerid, int fd,
	    const void *, size_t);
int	 proc_peer_up(enum sysg_proc);
size_t	 proc_queued(enum sysg_proc);
void	 proc_flush(enum sysg_proc);
/* malloc_trim() a little later, after a burst of allocations. */
#define PROC_TRIM_DELAY_MS	200
/* A message this large is a burst worth trimming after. */
#define PROC_TRIM_BYTES		(64 * 1024)
void	 proc_trim_soon(void);
void	 proc_title(const char *);
pid_t	 proc_exec_role(enum sysg_proc, int chanfd);
void	 proc_sandbox(void);
uint64_t now_ms(void);

/* Role entry points. */
void	 spawner_main(void) __attribute__((noreturn));
void	 supervisor_main(void) __attribute__((noreturn));
void	 cron_main(void) __attribute__((noreturn));
void	 control_main(void) __attribute__((noreturn));

#endif /* PROC_H */
