/*
 * Internals of the configuration loader (parent/config*.c only).
 */

#ifndef CONFIG_INT_H
#define CONFIG_INT_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define CONF_MAX_FILE	(1024 * 1024)	/* config and env file size */
#define CONF_MAX_DEPTH	64		/* YAML nesting */
#define CONF_MAX_UNITS	4096
#define CONF_MAX_LIST	4096		/* items of any list or map */
#define CONF_MAX_ENV	(64 * 1024 * 1024) /* all resolved env bytes */

/* ------------------------------------------------------------------ */
/* YAML tree (config_yaml.c) */

enum ynode_type {
	Y_SCALAR,
	Y_MAP,
	Y_SEQ,
	Y_BAD			/* already reported (alias, NUL, ...) */
};

struct ynode {
	enum ynode_type	  type;
	int		  line;		/* 1-based */
	int		  col;
	char		 *str;		/* Y_SCALAR */
	size_t		  len;
	int		  plain;	/* unquoted scalar */
	int		  dup;		/* duplicate key: ignored */
	struct ynode	**kids;		/* SEQ: items; MAP: key, value, ... */
	size_t		  nkids;
	struct yarena	 *arena;	/* the root's: all nodes and strings */
};

/*
 * Parse buf into a tree.  NULL with errors in errs (prefixed with file)
 * on syntax errors and excess nesting.  Aliases, anchors, tags and NUL
 * characters are reported and their nodes become Y_BAD, but the tree
 * is returned.  An empty document gives NULL and no error, *empty set.
 */
struct ynode	*yaml_tree(const char *file, const char *buf, size_t len,
		    struct errlist *errs, int *empty);
/* Frees the whole tree; root only. */
void		 yaml_tree_free(struct ynode *root);

int		 ynode_is_null(const struct ynode *);

/* ------------------------------------------------------------------ */
/* String map (config_hash.c); keys are not copied */

struct strmap_ent {
	const char	*key;
	void		*val;
	uint32_t	 hash;
};

struct strmap {
	struct strmap_ent	*v;
	size_t			 n;
	size_t			 cap;
};

void		 strmap_init(struct strmap *, size_t n);
void		*strmap_get(const struct strmap *, const char *key);
void		*strmap_add(struct strmap *, const char *key, void *val);
void		 strmap_free(struct strmap *);

/* Memos on a strmap: ints per string, keys copied (config_hash.c). */
int		 memo_get(const struct strmap *, const char *key, int *val);
void		 memo_put(struct strmap *, const char *key, int val);
void		 memo_free(struct strmap *);

/* ------------------------------------------------------------------ */
/* Key/value lists (envfile.c, config_env.c) */

struct kv {
	char	*key;
	char	*val;
	int	 own;		/* KV_KEY, KV_VAL: freed with the list */
};

#define KV_KEY	0x1
#define KV_VAL	0x2

struct kvlist {
	struct kv	*v;		/* sorted by key */
	size_t		 n;
	size_t		 cap;
};

const char	*kv_get(const struct kvlist *, const char *key);
/* Set key to a copy of val. */
void		 kv_set(struct kvlist *, const char *key, const char *val);
/* Set key to val without copies: both must outlive the list. */
void		 kv_ref(struct kvlist *, const char *key, const char *val);
/* Set key (which must outlive the list) to val, malloc'd, now owned. */
void		 kv_take(struct kvlist *, const char *key, char *val);
/* Set every key of src, whose strings must outlive dst, in dst. */
void		 kv_merge(struct kvlist *dst, const struct kvlist *src);
void		 kv_free(struct kvlist *);

int		 env_name_valid(const char *);

/*
 * Parse an env file's text; errors "fname:LINE:COL: keypath: msg".
 * Returns the number of errors added.
 */
int		 envfile_parse(const char *buf, size_t len, const char *fname,
		    const char *keypath, struct kvlist *out,
		    struct errlist *errs);

/*
 * Read a file (config or env file) of at most CONF_MAX_FILE bytes.
 * In sysmode the file must be owned by root and not group/other
 * writable.  -1 with a message in err.
 */
int		 conf_read_file(const char *path, int sysmode, char **buf,
		    size_t *len, char *err, size_t errlen);

/* Lexically cleaned absolute path of p relative to base (malloc'd). */
char		*path_resolve(const char *base, const char *p);

/* ------------------------------------------------------------------ */
/* Accounts, looked up once per name and load (config_acct.c) */

struct acct {
	char		*key;		/* the name looked up; NULL: the euid */
	int		 found;		/* in the passwd database */
	char		*pw_name;
	char		*pw_dir;
	char		*pw_shell;
	gid_t		 gid;
	char		*grname;	/* of gid; NULL if it has none */
	int		 grdone;
	struct kvlist	 base;		/* base environment (config_env.c) */
	int		 has_base;
};

struct acct_cache {
	struct acct	*self;		/* getpwuid(geteuid()) */
	struct strmap	 users;		/* getpwnam: name -> struct acct */
	struct strmap	 groups;	/* getgrnam: name -> struct grent */
};

/* The passwd entry of name, or of the effective uid if name is NULL. */
struct acct	*acct_user(struct acct_cache *, const char *name);
/* The name of a found user's primary group, or NULL. */
const char	*acct_group_name(struct acct *);
int		 acct_group_known(struct acct_cache *, const char *name);
void		 acct_cache_free(struct acct_cache *);

/* ------------------------------------------------------------------ */
/* Schema walking (config_walk.c) */

struct svc {
	struct unit_conf	*u;
	const struct ynode	*key;		/* the name in services: */
	const struct ynode	*node;		/* its mapping */
	const struct ynode	*env_file;
	const struct ynode	*env_vars;
	const struct ynode	*deps;
	const struct ynode	*restart;
	const struct ynode	*max_backoff;
	const struct ynode	*health;
	const struct ynode	*user;
	const struct ynode	*group;
	const struct ynode	*supp;
	const struct ynode	*caps;
	struct kvlist		 envfile;	/* its own env file */
	int			 has_envfile;
	int			*dep_idx;	/* index in svcs, -1 unknown */
	int			 bad;		/* its env is not built */
};

struct cx {
	const char		*file;
	struct errlist		*errs;
	const struct load_opts	*opts;
	char			 path[640];
	size_t			 plen;
	char			*project_dir;
	struct logs_conf	 logs;
	const struct ynode	*top_env_file;
	const struct ynode	*top_env_vars;
	struct kvlist		 top_envfile;
	int			 has_top_envfile;
	size_t			 envbytes;
	int			 env_toobig;
	struct svc		*svcs;
	size_t			 nsvcs;
	struct acct_cache	 acct;
	long			 ncpu;		/* 0: not read yet */
	unsigned long long	 nr_open;	/* 0: unknown */
	int			 nr_open_read;
	struct strmap		 dirs;		/* memo: path -> dir_check() */
	struct strmap		 zones;		/* memo: cron_tz_valid() */
	struct strmap		 envfiles;	/* path -> parsed env file */
};

typedef void	(*keyfn)(struct cx *, const struct ynode *, void *);

struct keydef {
	const char	*name;
	keyfn		 fn;
	int		 required;
};

size_t		 cx_push(struct cx *, const char *key);
size_t		 cx_push_idx(struct cx *, size_t);
void		 cx_pop(struct cx *, size_t);
void		 cx_err(struct cx *, const struct ynode *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
void		 cx_errat(struct cx *, const struct ynode *, const char *key,
		    const char *, ...)
		    __attribute__((format(printf, 4, 5)));
void		 cx_expected(struct cx *, const struct ynode *,
		    const char *what);
void		 ydesc(const struct ynode *, char *, size_t);
void		 sanitize(const char *, size_t maxlen, char *, size_t);
/* s made printable (escapes, at most 512 bytes shown) in buf. */
const char	*safe(const char *s, char *buf, size_t len);
const char	*suggest(const char *word, const char *const *cands,
		    size_t n);

/* Returns -1 (and reports) if n is not a mapping. */
int		 walk_map(struct cx *, const struct ynode *,
		    const struct keydef *, void *);
void		 map_mark_dups(struct cx *, const struct ynode *);

const char	*cx_str(struct cx *, const struct ynode *, const char *what);
char		*cx_strdup(struct cx *, const struct ynode *, const char *what);
int		 cx_bool(struct cx *, const struct ynode *, bool *);
int		 cx_int(struct cx *, const struct ynode *, long long min,
		    long long max, long long *);
int		 cx_duration(struct cx *, const struct ynode *, int64_t *);
int		 cx_size(struct cx *, const struct ynode *, int unlimited,
		    uint64_t *);
int		 cx_strlist(struct cx *, const struct ynode *, const char *what,
		    int (*valid)(const char *), char ***, size_t *);

/* Service keys (config_service.c) and privileged keys (config_priv.c). */
void		 walk_service(struct cx *, struct svc *);
void		 walk_logs(struct cx *, const struct ynode *, void *);
void		 walk_env(struct cx *, const struct ynode *,
		    const struct ynode **);
void		 key_user(struct cx *, const struct ynode *, void *);
void		 key_group(struct cx *, const struct ynode *, void *);
void		 key_supp(struct cx *, const struct ynode *, void *);
void		 key_limits(struct cx *, const struct ynode *, void *);
void		 key_caps(struct cx *, const struct ynode *, void *);
void		 key_isolation(struct cx *, const struct ynode *, void *);
void		 resolve_accounts(struct cx *, struct svc *);

/* Environment (config_env.c). */
void		 check_vars(struct cx *, const struct ynode *);
int		 load_envfile(struct cx *, const struct ynode *,
		    struct kvlist *);
void		 build_env(struct cx *, struct svc *);
void		 envfiles_free(struct cx *);

/*
 * 0 if path is a directory, -1 if it is something else, else stat()'s
 * errno; asked of the file system once per path and load.
 */
int		 dir_check(struct cx *, const char *path);

#endif /* CONFIG_INT_H */
