/*
 * CLI rendering of `sysg status` and `sysg inspect` replies.
 *
 * The daemon answers with JSON (cli.md, "JSON status"); these functions
 * print it for humans.  The documents come from another process: every
 * field may be missing or of the wrong type, and is then shown as "-".
 * Strings are printed with control characters replaced by '?', so a
 * unit name or a detail can never inject terminal escapes.
 *
 * status (columns abridged here):
 *	daemon: pid 4100, user mode, up 1m33s, config /srv/sysg.yaml
 *	health: failing
 *
 *	UNIT     KIND     STATE       PID ...   RSS  LAST_EXIT  HEALTH
 *	api      service  running    4242 ...  7.0M  -          healthy
 *	web      service  blocked       - ...     -  1          failing
 *	nightly  cron     scheduled     - ...     -  0          healthy
 *
 *	CRON     NEXT RUN                   LAST RUN  LAST OUTCOME
 *	nightly  2026-11-23T02:30:00+01:00  ...       success (exit 0, 1.2s)
 *
 *	web: blocked: dependency db failed
 *
 * Numeric columns are right-aligned, widths come from the content.
 * RSS is in binary units (K = 1024 bytes), uptime as 35s, 5m07s, 1h02m,
 * 3d04h; LAST_EXIT is the exit code, the signal name (SIGKILL) or "-";
 * for a cron unit it is that of its last run.  With color set, STATE,
 * HEALTH and cron outcomes are coloured (ANSI).  With "daemon": null
 * the output is "sysg: no daemon running".
 */

#ifndef RENDER_H
#define RENDER_H

#include <stdio.h>

#include <jansson.h>

void	render_status_table(FILE *, json_t *status, int color);

/*
 * One unit in depth: the status fields, command, config file, cgroup,
 * limits (keys flattened, e.g. cgroup.memory_max), then the tables of
 * recent exits, health-check results and, for cron units, runs.
 * Accepts the unit object itself or {"unit": {...}}.
 */
void	render_inspect(FILE *, json_t *unit, int color);

/*
 * The exit code of `sysg status`: 0 healthy (or every unit inactive),
 * 1 degraded, 2 failing, 3 no daemon (daemon null, missing, or not a
 * status document).  From overall_health; when that is missing or
 * unknown, from the worst unit health (inactive ignored).
 */
int	status_exit_code(json_t *status);

#endif /* RENDER_H */
