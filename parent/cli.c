/*
 * The sysg command line: global flags, one command, its options.
 * Commands that act on a running daemon talk to control.sock.
 */

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "cli.h"
#include "cmd_logs.h"
#include "config.h"
#include "log.h"
#include "parent.h"
#include "paths.h"
#include "render.h"
#include "validate.h"

struct cli {
	struct sysg_env	 env;
	const char	*cmd;
	const char	*config;
	const char	*unit;
	const char	*name;		/* positional */
	int		 daemonize;
	int		 json;
	int		 print;
	long		 wait;
	char		 err[1024];
};

static const char usage_text[] =
"usage: sysg [--sys] [--drop-privileges] [--log-level LEVEL] COMMAND [ARGS]\n"
"\n"
"commands:\n"
"  start [-c FILE] [-d] [-s NAME] [--wait SECONDS]\n"
"                      start the daemon and its services (foreground\n"
"                      unless -d); with a daemon running, -s starts one\n"
"                      unit (a cron job runs once now)\n"
"  stop [-s NAME]      stop one unit (and its dependents), or everything\n"
"                      and the daemon\n"
"  restart [-s NAME]   restart one service, or all\n"
"  reload [-c FILE]    re-read the configuration\n"
"  status [-s NAME] [--json]\n"
"                      exit 0 healthy, 1 degraded, 2 failing, 3 no daemon\n"
"  inspect NAME [--json]\n"
"  logs [NAME] [-n N] [-k stdout|stderr|all] [-f] [--supervisor]\n"
"  validate [-c FILE] [--print]\n"
"  purge               remove the state directory and logs (no daemon)\n"
"\n"
"global flags:\n"
"  --sys               system mode (/var/lib/systemg, /etc/systemg)\n"
"  --drop-privileges   with --sys: services without user run as nobody\n"
"  --log-level LEVEL   error, warn, info, debug, trace\n"
"  -h, --help          this text;  -V, --version  the version\n"
"\n"
"SYSG_STATE_DIR replaces the state directory (logs go to its logs/).\n"
"See sysg(8) and sysg.yaml(5).\n";

static int
usage(int code)
{
	fputs(usage_text, code ? stderr : stdout);
	return code;
}

static int
fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(int code, const char *fmt, ...)
{
	va_list	 ap;

	fputs("sysg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static int
use_color(FILE *f)
{
	return isatty(fileno(f)) && getenv("NO_COLOR") == NULL;
}

/* ------------------------------------------------------------------ */
/* Talking to the daemon */

static void
on_event(const char *text)
{
	(void)text;
}

/* 0 done, 1 no daemon, -1 error (in cl->err). res filled on 0. */
static int
call_quiet(struct cli *cl, json_t *req, struct ctl_result *res)
{
	struct ctl_conn	 c;
	int		 r;

	r = ctl_connect(cl->env.statedir, &c, cl->err, sizeof(cl->err));
	if (r != 0) {
		json_decref(req);
		if (r == -1 && strncmp(cl->err, "permission denied", 17) == 0)
			exit(fail(4, "%s", cl->err));
		return r;
	}
	r = ctl_call(&c, req, res, on_event, cl->err, sizeof(cl->err));
	json_decref(req);
	ctl_close(&c);
	if (r == 0 && res->code == 4) {
		ctl_result_free(res);
		exit(fail(4, "%s", res->text));
	}
	return r;
}

/* 0 done, 1 no daemon, -1 error (printed). res filled on 0. */
static int
call(struct cli *cl, json_t *req, struct ctl_result *res)
{
	struct ctl_conn	 c;
	char		 err[1024];
	int		 r;

	r = ctl_connect(cl->env.statedir, &c, err, sizeof(err));
	if (r == 1) {
		json_decref(req);
		return 1;
	}
	if (r == -1) {
		json_decref(req);
		if (strncmp(err, "permission denied", 17) == 0)
			exit(fail(4, "%s", err));
		fail(1, "%s: %s", cl->cmd, err);
		return -1;
	}
	r = ctl_call(&c, req, res, on_event, err, sizeof(err));
	json_decref(req);
	ctl_close(&c);
	if (r == -1) {
		fail(1, "%s: %s", cl->cmd, err);
		return -1;
	}
	if (res->code == 4) {
		ctl_result_free(res);
		exit(fail(4, "%s", res->text));
	}
	return 0;
}

static int
daemon_running(struct cli *cl)
{
	struct ctl_conn	 c;
	char		 err[1024];
	int		 r;

	r = ctl_connect(cl->env.statedir, &c, err, sizeof(err));
	if (r == 0)
		ctl_close(&c);
	return r == 0;
}

/* Wait until the daemon has released its lock (it exited). */
static int
wait_daemon_gone(struct cli *cl, int seconds)
{
	char	 path[PATH_MAX];
	int	 fd, i;

	if (path_join(path, sizeof(path), cl->env.statedir, SYSG_LOCKFILE) ==
	    -1)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	for (i = 0; i < seconds * 50; i++) {
		if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
			close(fd);
			return 0;
		}
		poll(NULL, 0, 20);
	}
	close(fd);
	return -1;
}

/* ------------------------------------------------------------------ */
/* start */

static void
print_settle(json_t *doc)
{
	json_t		*units, *u, *bad, *b;
	size_t		 i, j;
	const char	*name, *state, *reason;
	json_int_t	 pid;
	int		 notok;

	units = json_object_get(doc, "units");
	bad = json_object_get(doc, "not_ok");
	json_array_foreach(units, i, u) {
		name = state = reason = NULL;
		pid = 0;
		json_unpack(u, "{s:s,s:s,s?I,s?s}", "name", &name, "state",
		    &state, "pid", &pid, "reason", &reason);
		if (name == NULL || state == NULL)
			continue;
		notok = 0;
		json_array_foreach(bad, j, b)
			if (json_is_string(b) &&
			    strcmp(json_string_value(b), name) == 0)
				notok = 1;
		printf("%-20s %-10s", name, state);
		if (pid > 0)
			printf(" pid %lld", (long long)pid);
		if (reason != NULL)
			printf(" (%s)", reason);
		if (notok)
			printf("  <- not ready");
		putchar('\n');
	}
}

static int
start_wait(struct cli *cl)
{
	struct ctl_result	 res;
	json_t			*req;
	int			 r, code;

	req = json_pack("{s:s,s:I}", "cmd", "wait", "wait",
	    (json_int_t)cl->wait);
	if ((r = call(cl, req, &res)) != 0)
		return r == 1 ? fail(1, "start: the daemon went away") : 1;
	print_settle(res.doc);
	code = res.code;
	if (code != 0)
		fprintf(stderr, "sysg: start: %s; not ready: %s\n", res.text,
		    json_dumps(json_object_get(res.doc, "not_ok"),
		    JSON_COMPACT | JSON_ENCODE_ANY));
	ctl_result_free(&res);
	return code ? 1 : 0;
}

static int
read_status(int fd, char *buf, size_t len, int seconds)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	size_t		 off = 0;
	ssize_t		 n;

	while (off < len - 1) {
		if (poll(&pfd, 1, seconds * 1000) <= 0)
			return -1;
		if ((n = read(fd, buf + off, len - 1 - off)) <= 0)
			break;
		off += (size_t)n;
		if (memchr(buf, '\n', off) != NULL)
			break;
	}
	buf[off] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return off > 0 ? 0 : -1;
}

static int
start_daemon(struct cli *cl, const char *path, struct sysg_conf *conf)
{
	char	 line[4096];
	int	 p[2], code;
	pid_t	 pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		return fail(1, "start: pipe: %s", strerror(errno));
	fflush(NULL);
	if ((pid = fork()) == -1)
		return fail(1, "start: fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		if (setsid() == -1)
			_exit(1);
		cl->env.foreground = 0;
		cl->env.color = 0;
		_exit(parent_main(&cl->env, path, conf, p[1]));
	}
	config_free(conf);
	close(p[1]);
	if (read_status(p[0], line, sizeof(line), 60) == -1) {
		close(p[0]);
		waitpid(pid, &code, WNOHANG);
		return fail(1, "start: the daemon exited during start-up "
		    "(see %s/%s)", cl->env.logdir, SYSG_SUPLOG);
	}
	close(p[0]);
	if (strcmp(line, "running") == 0) {
		printf("sysg: a daemon is already running for %s\n",
		    cl->env.statedir);
		return 0;
	}
	if (strncmp(line, "error: ", 7) == 0) {
		waitpid(pid, &code, 0);
		return fail(1, "start: %s", line + 7);
	}
	return start_wait(cl);
}

static int
start_unit(struct cli *cl)
{
	struct ctl_result	 res;
	json_t			*req;
	int			 r, code;

	req = json_pack("{s:s,s:s,s:I}", "cmd", "start", "unit", cl->unit,
	    "wait", (json_int_t)cl->wait);
	if ((r = call(cl, req, &res)) != 0)
		return r == 1 ? fail(1, "start: no daemon running") : 1;
	code = res.code;
	if (res.doc != NULL && json_object_get(res.doc, "units") != NULL)
		print_settle(res.doc);
	else
		printf("%s\n", res.text);
	if (code != 0)
		fprintf(stderr, "sysg: start: %s\n", res.text);
	ctl_result_free(&res);
	return code ? 1 : 0;
}

/* The configuration, loaded as the daemon would: it is handed over. */
static struct sysg_conf *
load_checked(struct cli *cl, char **path)
{
	struct errlist		 errs = { 0 };
	struct load_opts	 lo;
	struct sysg_conf	*conf;

	if ((*path = config_find(cl->config, cl->env.sysmode, &errs)) ==
	    NULL) {
		errlist_print(&errs, STDERR_FILENO);
		errlist_free(&errs);
		return NULL;
	}
	parent_load_opts(&lo, &cl->env);
	if ((conf = config_load(*path, &lo, &errs)) == NULL) {
		errlist_print(&errs, STDERR_FILENO);
		errlist_free(&errs);
		free(*path);
		return NULL;
	}
	return conf;
}

static int
cmd_start(struct cli *cl)
{
	struct sysg_conf	*conf;
	char			*path;
	int			 code;

	if (daemon_running(cl)) {
		if (cl->unit != NULL)
			return start_unit(cl);
		printf("sysg: a daemon is already running for %s\n",
		    cl->env.statedir);
		return 0;
	}
	parent_capture_sockets();
	if ((conf = load_checked(cl, &path)) == NULL)
		return 1;
	if (cl->daemonize) {
		code = start_daemon(cl, path, conf);
		free(path);
		return code;
	}
	cl->env.foreground = 1;
	cl->env.color = use_color(stderr);
	code = parent_main(&cl->env, path, conf, -1);
	free(path);
	return code;
}

/* ------------------------------------------------------------------ */
/* Other commands */

static int
cmd_stop(struct cli *cl)
{
	struct ctl_result	 res;
	json_t			*req;
	int			 r, code;

	req = json_pack("{s:s}", "cmd", "stop");
	if (cl->unit != NULL)
		json_object_set_new(req, "unit", json_string(cl->unit));
	if ((r = call_quiet(cl, req, &res)) == 1) {
		fprintf(stderr, "sysg: no daemon running\n");
		return 0;
	}
	if (r == -1) {
		/*
		 * The daemon may close on us as it exits: that is a stop.
		 * A daemon that does not answer is not (no 60 s hang).
		 */
		if (cl->unit == NULL && strstr(cl->err,
		    "closed the connection") != NULL &&
		    wait_daemon_gone(cl, 60) == 0) {
			printf("stopped\n");
			return 0;
		}
		fprintf(stderr, "sysg: stop: %s\n", cl->err);
		return 1;
	}
	code = res.code;
	if (code != 0) {
		fprintf(stderr, "sysg: stop: %s\n", res.text);
		ctl_result_free(&res);
		return 1;
	}
	ctl_result_free(&res);
	if (cl->unit == NULL && wait_daemon_gone(cl, 60) == -1)
		return fail(1, "stop: the daemon did not exit");
	printf("stopped%s%s\n", cl->unit ? " " : "", cl->unit ? cl->unit :
	    "");
	return 0;
}

static int
cmd_restart(struct cli *cl)
{
	struct ctl_result	 res;
	json_t			*req;
	int			 r, code;

	req = json_pack("{s:s,s:I}", "cmd", "restart", "wait",
	    (json_int_t)cl->wait);
	if (cl->unit != NULL)
		json_object_set_new(req, "unit", json_string(cl->unit));
	if ((r = call(cl, req, &res)) == 1)
		return fail(1, "restart: no daemon running");
	if (r == -1)
		return 1;
	if (res.doc != NULL)
		print_settle(res.doc);
	code = res.code;
	if (code != 0)
		fprintf(stderr, "sysg: restart: %s\n", res.text);
	ctl_result_free(&res);
	return code ? 1 : 0;
}

static int
cmd_reload(struct cli *cl)
{
	struct ctl_result	 res;
	json_t			*req, *e;
	char			 abs[PATH_MAX];
	size_t			 i;
	int			 r, code;

	req = json_pack("{s:s}", "cmd", "reload");
	if (cl->config != NULL) {
		if (realpath(cl->config, abs) == NULL) {
			json_decref(req);
			return fail(1, "reload: %s: %s", cl->config,
			    strerror(errno));
		}
		json_object_set_new(req, "config", json_string(abs));
	}
	if ((r = call(cl, req, &res)) == 1)
		return fail(1, "reload: no daemon running");
	if (r == -1)
		return 1;
	json_array_foreach(json_object_get(res.doc, "errors"), i, e)
		if (json_is_string(e))
			fprintf(stderr, "%s\n", json_string_value(e));
	code = res.code;
	if (code != 0)
		fprintf(stderr, "sysg: reload: %s\n", res.text);
	else
		printf("%s\n", res.text);
	ctl_result_free(&res);
	return code ? 1 : 0;
}

static int
cmd_status(struct cli *cl)
{
	struct ctl_result	 res;
	json_t			*req;
	int			 r, code;

	req = json_pack("{s:s}", "cmd", "status");
	if (cl->unit != NULL)
		json_object_set_new(req, "unit", json_string(cl->unit));
	if ((r = call(cl, req, &res)) == 1) {
		if (cl->json)
			printf("{\"schema_version\":\"status.v1\","
			    "\"daemon\":null,\"units\":[]}\n");
		else
			fprintf(stderr, "sysg: no daemon running\n");
		return 3;
	}
	if (r == -1)
		return 1;
	if (res.code != 0 || res.doc == NULL) {
		fprintf(stderr, "sysg: status: %s\n", res.text);
		ctl_result_free(&res);
		return 1;
	}
	if (cl->json) {
		json_dumpf(res.doc, stdout, JSON_INDENT(2));
		putchar('\n');
	} else
		render_status_table(stdout, res.doc, use_color(stdout));
	code = status_exit_code(res.doc);
	ctl_result_free(&res);
	return code;
}

static int
cmd_inspect(struct cli *cl)
{
	struct ctl_result	 res;
	json_t			*req;
	int			 r;

	if (cl->name == NULL)
		return fail(1, "inspect: which unit? (sysg inspect NAME)");
	req = json_pack("{s:s,s:s}", "cmd", "inspect", "unit", cl->name);
	if ((r = call(cl, req, &res)) == 1)
		return fail(1, "inspect: no daemon running");
	if (r == -1)
		return 1;
	if (res.code != 0 || res.doc == NULL) {
		fprintf(stderr, "sysg: inspect: %s\n", res.text);
		ctl_result_free(&res);
		return 1;
	}
	if (cl->json) {
		json_dumpf(res.doc, stdout, JSON_INDENT(2));
		putchar('\n');
	} else
		render_inspect(stdout, res.doc, use_color(stdout));
	ctl_result_free(&res);
	return 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	if (remove(path) == -1 && errno != ENOENT) {
		fprintf(stderr, "sysg: purge: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
cmd_purge(struct cli *cl)
{
	char	 path[PATH_MAX];
	int	 fd;

	if (path_join(path, sizeof(path), cl->env.statedir, SYSG_LOCKFILE) ==
	    0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
			close(fd);
			return fail(1, "purge: a daemon is running; "
			    "run `sysg stop` first");
		}
		close(fd);
	}
	if (daemon_running(cl))
		return fail(1, "purge: a daemon is running; run `sysg stop` "
		    "first");
	if (nftw(cl->env.logdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == -1 &&
	    errno != ENOENT)
		return 1;
	if (nftw(cl->env.statedir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) ==
	    -1 && errno != ENOENT)
		return 1;
	printf("purged %s\n", cl->env.statedir);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Parsing */

enum {
	OPT_SYS = 256, OPT_DROP, OPT_LOGLEVEL, OPT_JSON, OPT_WAIT,
	OPT_PRINT
};

static const struct option longopts[] = {
	{ "sys", no_argument, NULL, OPT_SYS },
	{ "drop-privileges", no_argument, NULL, OPT_DROP },
	{ "log-level", required_argument, NULL, OPT_LOGLEVEL },
	{ "config", required_argument, NULL, 'c' },
	{ "daemonize", no_argument, NULL, 'd' },
	{ "service", required_argument, NULL, 's' },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "print", no_argument, NULL, OPT_PRINT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* The index of the command word, skipping flags and their values. */
static int
find_command(int argc, char **argv)
{
	int	 i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--log-level") == 0 ||
		    strcmp(argv[i], "-c") == 0 ||
		    strcmp(argv[i], "--config") == 0) {
			i++;
			continue;
		}
		if (argv[i][0] != '-')
			return i;
	}
	return -1;
}

static int
getopt_has_sys(int argc, char **argv)
{
	int	 i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--sys") == 0)
			return 1;
	return 0;
}

/* sysg logs: strip the global flags, hand the rest to logs_main(). */
static int
run_logs(struct cli *cl, int argc, char **argv)
{
	char	**av;
	int	  i, n = 0;

	if ((av = calloc((size_t)argc + 1, sizeof(char *))) == NULL)
		return fail(1, "out of memory");
	av[n++] = (char *)"logs";
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "logs") == 0 && n == 1 &&
		    i == find_command(argc, argv))
			continue;
		if (strcmp(argv[i], "--sys") == 0 ||
		    strcmp(argv[i], "--drop-privileges") == 0)
			continue;
		if (strcmp(argv[i], "--log-level") == 0) {
			i++;
			continue;
		}
		av[n++] = argv[i];
	}
	optind = 0;
	i = logs_main(n, av, cl->env.logdir);
	free(av);
	return i;
}

static int
parse(struct cli *cl, int argc, char **argv)
{
	int	 ch, lvl;
	char	*end;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:ds:hV", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case OPT_SYS:
			cl->env.sysmode = 1;
			break;
		case OPT_DROP:
			cl->env.drop_privileges = 1;
			break;
		case OPT_LOGLEVEL:
			if ((lvl = log_level_parse(optarg)) == -1)
				return fail(1, "unknown log level '%s' "
				    "(error, warn, info, debug, trace)",
				    optarg);
			cl->env.loglevel = lvl;
			break;
		case 'c':
			cl->config = optarg;
			break;
		case 'd':
			cl->daemonize = 1;
			break;
		case 's':
			cl->unit = optarg;
			break;
		case OPT_WAIT:
			errno = 0;
			cl->wait = strtol(optarg, &end, 10);
			if (errno || *end != '\0' || cl->wait < 0 ||
			    cl->wait > 86400)
				return fail(1, "--wait takes seconds "
				    "(0-86400), got '%s'", optarg);
			break;
		case OPT_JSON:
			cl->json = 1;
			break;
		case OPT_PRINT:
			cl->print = 1;
			break;
		case 'h':
			exit(usage(0));
		case 'V':
			printf("sysg %s\n", SYSG_VERSION);
			exit(0);
		case ':':
			return fail(1, "option %s needs a value",
			    argv[optind - 1]);
		default:
			return fail(1, "unknown option '%s'\n%s",
			    argv[optind - 1], "try `sysg --help`");
		}
	}
	if (optind < argc)
		cl->cmd = argv[optind++];
	if (optind < argc)
		cl->name = argv[optind++];
	if (optind < argc)
		return fail(1, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int
needs_root(const char *cmd)
{
	static const char *const cmds[] = {
		"start", "stop", "restart", "reload", "purge"
	};
	size_t	 i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i]) == 0)
			return 1;
	return 0;
}

int
cli_main(int argc, char **argv)
{
	struct cli	 cl;
	int		 ci;

	memset(&cl, 0, sizeof(cl));
	cl.env.loglevel = LOG_LVL_INFO;
	cl.wait = 60;
	log_init("sysg", LOG_LVL_INFO, 0);
	if ((ci = find_command(argc, argv)) != -1 &&
	    strcmp(argv[ci], "logs") == 0) {
		cl.env.sysmode = getopt_has_sys(argc, argv);
		if (paths_resolve(&cl.env) == -1)
			return 1;
		return run_logs(&cl, argc, argv);
	}
	if (parse(&cl, argc, argv) != 0)
		return 1;
	if (cl.cmd == NULL)
		return usage(1);
	log_setlevel(cl.env.loglevel);
	if (cl.env.sysmode && geteuid() != 0 && needs_root(cl.cmd))
		return fail(1, "%s: --sys requires root", cl.cmd);
	if (cl.env.drop_privileges && !cl.env.sysmode)
		return fail(1, "--drop-privileges needs --sys");
	if (paths_resolve(&cl.env) == -1)
		return fail(1, "cannot resolve the state directory");
	if (strcmp(cl.cmd, "validate") == 0)
		return validate_main(cl.config, cl.print, cl.env.sysmode,
		    cl.env.drop_privileges);
	if (strcmp(cl.cmd, "start") == 0)
		return cmd_start(&cl);
	if (strcmp(cl.cmd, "stop") == 0)
		return cmd_stop(&cl);
	if (strcmp(cl.cmd, "restart") == 0)
		return cmd_restart(&cl);
	if (strcmp(cl.cmd, "reload") == 0)
		return cmd_reload(&cl);
	if (strcmp(cl.cmd, "status") == 0)
		return cmd_status(&cl);
	if (strcmp(cl.cmd, "inspect") == 0) {
		if (cl.name == NULL)
			cl.name = cl.unit;
		return cmd_inspect(&cl);
	}
	if (strcmp(cl.cmd, "purge") == 0)
		return cmd_purge(&cl);
	fail(1, "unknown command '%s'", cl.cmd);
	return usage(1);
}
