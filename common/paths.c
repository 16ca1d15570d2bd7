/*
 * Where sysg keeps its state and logs (architecture.md, Paths).
 */

#include <sys/stat.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "paths.h"
#include "sysg.h"

int
path_join(char *buf, size_t len, const char *dir, const char *name)
{
	int	 n;

	n = snprintf(buf, len, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static const char *
home_dir(void)
{
	const char	*h;
	struct passwd	*pw;

	if ((h = getenv("HOME")) != NULL && h[0] == '/')
		return h;
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_dir != NULL)
		return pw->pw_dir;
	return NULL;
}

int
paths_resolve(struct sysg_env *env)
{
	const char	*sd, *home;
	int		 n;

	sd = getenv("SYSG_STATE_DIR");
	if (sd != NULL && sd[0] != '\0') {
		if (sd[0] != '/') {
			errno = EINVAL;
			log_warnx("SYSG_STATE_DIR must be an absolute path");
			return -1;
		}
		n = snprintf(env->statedir, sizeof(env->statedir), "%s", sd);
	} else if (env->sysmode) {
		n = snprintf(env->statedir, sizeof(env->statedir),
		    "/var/lib/systemg");
	} else {
		if ((home = home_dir()) == NULL) {
			log_warnx("cannot find the home directory");
			return -1;
		}
		n = snprintf(env->statedir, sizeof(env->statedir),
		    "%s/.local/share/systemg", home);
	}
	if (n < 0 || (size_t)n >= sizeof(env->statedir))
		return -1;
	if (env->sysmode && (sd == NULL || sd[0] == '\0'))
		n = snprintf(env->logdir, sizeof(env->logdir),
		    "/var/log/systemg");
	else
		n = snprintf(env->logdir, sizeof(env->logdir), "%s/logs",
		    env->statedir);
	if (n < 0 || (size_t)n >= sizeof(env->logdir))
		return -1;
	return 0;
}

/* mkdir -p with a final mode. */
static int
mkdirs(const char *path, mode_t mode)
{
	char	 buf[4096], *p;

	if (strlcpy(buf, path, sizeof(buf)) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

int
paths_make_dirs(const struct sysg_env *env)
{
	if (mkdirs(env->statedir, 0700) == -1) {
		log_warn("mkdir %s", env->statedir);
		return -1;
	}
	if (mkdirs(env->logdir, env->sysmode ? 0750 : 0700) == -1) {
		log_warn("mkdir %s", env->logdir);
		return -1;
	}
	return 0;
}
