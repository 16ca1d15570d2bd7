/*
 * Configuration loading (parent only): discovery, the YAML loader,
 * validation and resolution into struct sysg_conf (common/sysg.h).
 */

#ifndef CONFIG_H
#define CONFIG_H

#include "sysg.h"

struct strmap;

/*
 * Accumulated error lines: "FILE:LINE:COL: key.path: message".
 * Initialize with { 0 }; release with errlist_free().
 */
struct errlist {
	char		**lines;
	size_t		  n;
	struct strmap	 *seen;		/* the lines, hashed once many */
};

void	errlist_add(struct errlist *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	errlist_print(const struct errlist *, int fd);
void	errlist_free(struct errlist *);

struct load_opts {
	int		  sysmode;		/* --sys: StrictModes checks */
	int		  daemon_is_root;	/* user/caps allowed */
	int		  drop_privileges;	/* no user -> nobody */
	const char *const *sockets;		/* inherited LISTEN_FDNAMES */
	size_t		  nsockets;
	int		  check_sockets;	/* unknown socket name = error */
};

/*
 * Resolve the config path: cli_path if not NULL, else systemg.yaml then
 * sysg.yaml in the working directory, then in the mode's config
 * directory.  Returns a malloc'd absolute path, or NULL with an error.
 */
char		*config_find(const char *cli_path, int sysmode,
		    struct errlist *);

/* Load, validate and resolve.  NULL (and errors in errs) on failure. */
struct sysg_conf *config_load(const char *path, const struct load_opts *,
		    struct errlist *errs);
void		 config_free(struct sysg_conf *);

/* Index of the unit called name, or -1. */
int		 config_unit_index(const struct sysg_conf *, const char *name);

/*
 * Start order as layers of units that can start in parallel (services
 * only, cron units excluded).  Returns the number of layers; layer_of[i]
 * receives the 0-based layer of units[i] (-1 for cron units).  Within a
 * layer, units keep file order.
 */
int		 config_layers(const struct sysg_conf *, int *layer_of);

#endif /* CONFIG_H */
