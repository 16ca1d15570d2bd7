#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "render.h"

static const char status_doc[] =
"{ \"schema_version\": \"status.v1\","
"  \"captured_at\": \"2026-11-22T10:00:00Z\","
"  \"overall_health\": \"failing\","
"  \"daemon\": { \"pid\": 4100, \"mode\": \"user\","
"    \"config\": \"/srv/app/systemg.yaml\", \"uptime_seconds\": 3720 },"
"  \"units\": ["
"    { \"name\": \"api\", \"kind\": \"service\", \"state\": \"running\","
"      \"health\": \"healthy\", \"pid\": 4242, \"user\": \"www-data\","
"      \"uptime_seconds\": 90, \"restarts\": 0, \"last_exit\": null,"
"      \"cpu_seconds\": 0.42, \"rss_bytes\": 7340032 },"
"    { \"name\": \"worker-long-name\", \"kind\": \"service\","
"      \"state\": \"backoff\", \"health\": \"degraded\", \"pid\": null,"
"      \"user\": \"app\", \"restarts\": 12,"
"      \"last_exit\": { \"signal\": 9, \"name\": \"KILL\" },"
"      \"cpu_seconds\": 12.345, \"rss_bytes\": 512 },"
"    { \"name\": \"web\", \"kind\": \"service\", \"state\": \"blocked\","
"      \"health\": \"failing\", \"pid\": null,"
"      \"reason\": \"dependency db failed\","
"      \"last_exit\": { \"code\": 1 } },"
"    { \"name\": \"nightly\", \"kind\": \"cron\", \"state\": \"scheduled\","
"      \"health\": \"healthy\", \"pid\": null,"
"      \"next_run\": \"2026-11-23T02:30:00+01:00\","
"      \"last_run\": { \"started_at\": \"2026-11-22T02:30:00+01:00\","
"        \"finished_at\": \"2026-11-22T02:30:01+01:00\","
"        \"outcome\": \"success\", \"exit_code\": 0,"
"        \"duration_ms\": 1200 } },"
"    { \"name\": \"hourly\", \"kind\": \"cron\", \"state\": \"scheduled\","
"      \"health\": \"failing\", \"pid\": null,"
"      \"next_run\": \"2026-11-22T11:00:00+01:00\","
"      \"last_run\": { \"started_at\": \"2026-11-22T10:00:00+01:00\","
"        \"outcome\": \"timeout\", \"signal\": 9, \"exit_code\": null,"
"        \"duration_ms\": 3600000 } }"
"  ] }";

static json_t *
load(const char *text)
{
	json_error_t	 err;
	json_t		*j;

	j = json_loads(text, JSON_DECODE_ANY, &err);
	if (j == NULL)
		fail_msg("bad test JSON: %s (line %d)", err.text, err.line);
	return j;
}

/* Render with fn into a string (caller frees). */
static char *
render(void (*fn)(FILE *, json_t *, int), json_t *j, int color)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	fn(fp, j, color);
	assert_int_equal(fclose(fp), 0);
	assert_non_null(buf);
	return buf;
}

/* The line of out that starts with prefix, copied into line. */
static int
find_line(const char *out, const char *prefix, char *line, size_t len)
{
	const char	*p = out, *nl;
	size_t		 n;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			if (n >= len)
				n = len - 1;
			memcpy(line, p, n);
			line[n] = '\0';
			return 1;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

/* Column start of word in line, or -1. */
static int
col(const char *line, const char *word)
{
	const char	*p = strstr(line, word);

	return p != NULL ? (int)(p - line) : -1;
}

static void
test_status_table(void **state)
{
	json_t	*j = load(status_doc);
	char	*out, head[512], api[512], wrk[512], web[512], cron[512];

	(void)state;
	out = render(render_status_table, j, 0);
	assert_null(strchr(out, '\033'));
	assert_non_null(strstr(out, "pid 4100"));
	assert_non_null(strstr(out, "user mode"));
	assert_non_null(strstr(out, "up 1h02m"));
	assert_non_null(strstr(out, "/srv/app/systemg.yaml"));
	assert_non_null(strstr(out, "health: failing"));

	assert_true(find_line(out, "UNIT", head, sizeof(head)));
	assert_true(find_line(out, "api ", api, sizeof(api)));
	assert_true(find_line(out, "worker-long-name", wrk, sizeof(wrk)));
	assert_true(find_line(out, "web ", web, sizeof(web)));
	assert_non_null(strstr(head, "UNIT"));
	assert_true(col(head, "KIND") < col(head, "STATE"));
	assert_true(col(head, "LAST_EXIT") < col(head, "HEALTH"));

	/* left-aligned columns line up with the header */
	assert_int_equal(col(api, "service"), col(head, "KIND"));
	assert_int_equal(col(wrk, "service"), col(head, "KIND"));
	assert_int_equal(col(api, "running"), col(head, "STATE"));
	assert_int_equal(col(wrk, "backoff"), col(head, "STATE"));
	assert_int_equal(col(api, "healthy"), col(head, "HEALTH"));
	assert_int_equal(col(wrk, "degraded"), col(head, "HEALTH"));
	assert_int_equal(col(web, "failing"), col(head, "HEALTH"));
	assert_int_equal(col(wrk, "SIGKILL"), col(head, "LAST_EXIT"));
	/* right-aligned: numbers end where their header ends */
	assert_int_equal(col(api, "4242") + 4, col(head, "PID") + 3);
	assert_int_equal(col(api, "7.0M") + 4, col(head, "RSS") + 3);
	assert_int_equal(col(wrk, "512B") + 4, col(head, "RSS") + 3);

	/* values */
	assert_non_null(strstr(api, "www-data"));
	assert_non_null(strstr(api, "1m30s"));
	assert_non_null(strstr(api, "0.42"));
	assert_null(strstr(api, "7.0G"));
	assert_non_null(strstr(wrk, "12.35"));
	assert_non_null(strstr(wrk, " 12 "));
	assert_non_null(strstr(web, " 1 "));

	/* cron section */
	assert_true(find_line(out, "CRON", cron, sizeof(cron)));
	assert_non_null(strstr(cron, "NEXT RUN"));
	assert_true(find_line(out, "nightly  2026", cron, sizeof(cron)) ||
	    find_line(out, "nightly ", cron, sizeof(cron)));
	assert_non_null(strstr(out, "2026-11-23T02:30:00+01:00"));
	assert_non_null(strstr(out, "success (exit 0, 1.2s)"));
	assert_non_null(strstr(out, "timeout (SIGKILL, 1h00m)"));

	/* reasons */
	assert_non_null(strstr(out, "web: blocked: dependency db failed"));

	/* no trailing blanks */
	assert_null(strstr(out, " \n"));
	free(out);
	json_decref(j);
}

static void
test_status_color(void **state)
{
	json_t	*j = load(status_doc);
	char	*out, head[512], api[512];

	(void)state;
	out = render(render_status_table, j, 1);
	assert_non_null(strstr(out, "\033[32mrunning\033[0m"));
	assert_non_null(strstr(out, "\033[31mfailing\033[0m"));
	assert_non_null(strstr(out, "\033[33mdegraded\033[0m"));
	/* colour codes don't disturb alignment: strip and compare */
	assert_true(find_line(out, "\033[1mUNIT", head, sizeof(head)));
	assert_true(find_line(out, "api ", api, sizeof(api)));
	free(out);
	json_decref(j);
}

static void
test_no_daemon(void **state)
{
	json_t	*j;
	char	*out;

	(void)state;
	j = load("{\"schema_version\":\"status.v1\",\"daemon\":null,"
	    "\"units\":[]}");
	out = render(render_status_table, j, 1);
	assert_non_null(strstr(out, "no daemon running"));
	assert_int_equal(status_exit_code(j), 3);
	free(out);
	json_decref(j);
}

static void
test_exit_codes(void **state)
{
	static const struct {
		const char	*doc;
		int		 code;
	} cases[] = {
		{ "{\"daemon\":{},\"overall_health\":\"healthy\"}", 0 },
		{ "{\"daemon\":{},\"overall_health\":\"degraded\"}", 1 },
		{ "{\"daemon\":{},\"overall_health\":\"failing\"}", 2 },
		{ "{\"daemon\":{},\"overall_health\":\"inactive\"}", 0 },
		{ "{\"daemon\":null,\"overall_health\":\"healthy\"}", 3 },
		{ "{\"units\":[]}", 3 },
		{ "[1,2]", 3 },
		{ "{\"daemon\":{},\"units\":[{\"health\":\"inactive\"},"
		    "{\"health\":\"degraded\"},{\"health\":7}]}", 1 },
		{ "{\"daemon\":{},\"overall_health\":42,\"units\":["
		    "{\"health\":\"failing\"}]}", 2 },
		{ "{\"daemon\":{},\"units\":\"x\"}", 0 },
	};
	json_t	*j;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		j = load(cases[i].doc);
		if (status_exit_code(j) != cases[i].code)
			fail_msg("%s: got %d, want %d", cases[i].doc,
			    status_exit_code(j), cases[i].code);
		json_decref(j);
	}
	assert_int_equal(status_exit_code(NULL), 3);
	j = load(status_doc);
	assert_int_equal(status_exit_code(j), 2);
	json_decref(j);
}

static void
check_rss(long long bytes, const char *want)
{
	char	 doc[256], *out, line[512];
	json_t	*j;

	snprintf(doc, sizeof(doc), "{\"daemon\":{\"pid\":1},\"units\":["
	    "{\"name\":\"u\",\"rss_bytes\":%lld}]}", bytes);
	j = load(doc);
	out = render(render_status_table, j, 0);
	assert_true(find_line(out, "u ", line, sizeof(line)));
	if (strstr(line, want) == NULL)
		fail_msg("%lld bytes: \"%s\" lacks %s", bytes, line, want);
	free(out);
	json_decref(j);
}

static void
test_rss_units(void **state)
{
	(void)state;
	check_rss(7340032, " 7.0M");
	check_rss(0, " 0B");
	check_rss(1023, " 1023B");
	check_rss(1024, " 1.0K");
	check_rss(1536, " 1.5K");
	check_rss(1048575, " 1.0M");
	check_rss(536870912, " 512.0M");
	check_rss(3221225472LL, " 3.0G");
	check_rss(-5, " - ");
}

static void
test_uptime(void **state)
{
	static const struct {
		long long	 s;
		const char	*want;
	} cases[] = {
		{ 0, " 0s " }, { 35, " 35s " }, { 60, " 1m00s " },
		{ 307, " 5m07s " }, { 3720, " 1h02m " },
		{ 273600, " 3d04h " },
	};
	char	 doc[256], *out, line[512];
	json_t	*j;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(doc, sizeof(doc), "{\"daemon\":{},\"units\":["
		    "{\"name\":\"u\",\"uptime_seconds\":%lld,"
		    "\"health\":\"x\"}]}", cases[i].s);
		j = load(doc);
		out = render(render_status_table, j, 0);
		assert_true(find_line(out, "u ", line, sizeof(line)));
		if (strstr(line, cases[i].want) == NULL)
			fail_msg("%lld: \"%s\" lacks \"%s\"", cases[i].s, line,
			    cases[i].want);
		free(out);
		json_decref(j);
	}
}

static const char inspect_doc[] =
"{ \"name\": \"api\", \"kind\": \"service\", \"state\": \"running\","
"  \"health\": \"degraded\", \"pid\": 4242, \"user\": \"www-data\","
"  \"uptime_seconds\": 90, \"restarts\": 2, \"cpu_seconds\": 1.5,"
"  \"rss_bytes\": 7340032, \"last_exit\": { \"code\": 3 },"
"  \"command\": \"python3 -m http.server 8000\","
"  \"config_file\": \"/srv/app/systemg.yaml\","
"  \"cgroup\": \"/sys/fs/cgroup/systemg/api\","
"  \"limits\": { \"nofile\": 65536, \"memlock\": \"64M\","
"    \"cpu_affinity\": [0, 1],"
"    \"cgroup\": { \"memory_max\": 536870912, \"cpu_max\": \"max\" } },"
"  \"exits\": ["
"    { \"at\": \"2026-11-22T09:00:00Z\", \"code\": 3,"
"      \"reason\": \"crashed\" },"
"    { \"at\": \"2026-11-22T09:10:00Z\", \"signal\": 9, \"name\": \"KILL\","
"      \"reason\": \"killed at stop timeout\" } ],"
"  \"health_checks\": ["
"    { \"at\": \"2026-11-22T09:59:50Z\", \"ok\": true,"
"      \"detail\": \"HTTP 200\" },"
"    { \"at\": \"2026-11-22T10:00:00Z\", \"ok\": false,"
"      \"detail\": \"HTTP 503\" } ] }";

static void
test_inspect(void **state)
{
	json_t	*j = load(inspect_doc);
	char	*out, line[512];

	(void)state;
	out = render(render_inspect, j, 0);
	assert_true(find_line(out, "api (service)", line, sizeof(line)));
	assert_non_null(strstr(out, "python3 -m http.server 8000"));
	assert_non_null(strstr(out, "/srv/app/systemg.yaml"));
	assert_non_null(strstr(out, "/sys/fs/cgroup/systemg/api"));
	assert_non_null(strstr(out, "4242"));
	assert_non_null(strstr(out, "7.0M"));
	assert_non_null(strstr(out, "1.50s"));
	/* limits flattened */
	assert_non_null(strstr(out, "nofile"));
	assert_non_null(strstr(out, "65536"));
	assert_non_null(strstr(out, "64M"));
	assert_non_null(strstr(out, "cgroup.memory_max"));
	assert_non_null(strstr(out, "cgroup.cpu_max"));
	assert_non_null(strstr(out, "[0,1]"));
	/* exits */
	assert_true(find_line(out, "  2026-11-22T09:10:00Z", line,
	    sizeof(line)));
	assert_non_null(strstr(line, "SIGKILL"));
	assert_non_null(strstr(line, "killed at stop timeout"));
	assert_non_null(strstr(out, "crashed"));
	/* health checks */
	assert_true(find_line(out, "  2026-11-22T10:00:00Z", line,
	    sizeof(line)));
	assert_non_null(strstr(line, "fail"));
	assert_non_null(strstr(line, "HTTP 503"));
	assert_non_null(strstr(out, "HTTP 200"));
	/* not a cron unit: no runs section */
	assert_null(strstr(out, "runs"));
	assert_null(strchr(out, '\033'));
	assert_null(strstr(out, " \n"));
	free(out);

	out = render(render_inspect, j, 1);
	assert_non_null(strstr(out, "\033[33mdegraded"));
	free(out);
	json_decref(j);
}

static void
test_inspect_cron(void **state)
{
	json_t	*j;
	char	*out, line[512];

	(void)state;
	j = load("{ \"unit\": { \"name\": \"nightly\", \"kind\": \"cron\","
	    "\"state\": \"running\", \"health\": \"failing\", \"pid\": 77,"
	    "\"next_run\": \"2026-11-23T02:30:00+01:00\","
	    "\"command\": \"backup.sh\", \"cgroup\": null,"
	    "\"exits\": [], \"health_checks\": [],"
	    "\"runs\": ["
	    "{ \"started_at\": \"2026-11-21T02:30:00+01:00\","
	    "  \"finished_at\": \"2026-11-21T02:30:05+01:00\","
	    "  \"duration_ms\": 5000, \"exit_code\": 0, \"signal\": null,"
	    "  \"outcome\": \"success\" },"
	    "{ \"started_at\": \"2026-11-22T02:30:00+01:00\","
	    "  \"finished_at\": \"2026-11-22T03:30:00+01:00\","
	    "  \"duration_ms\": 3600000, \"exit_code\": null, \"signal\": 9,"
	    "  \"outcome\": \"timeout\", \"reason\": \"killed at 1h\" },"
	    "{ \"started_at\": 1795000000000, \"finished_at\": null,"
	    "  \"duration_ms\": null, \"exit_code\": -1,"
	    "  \"signal\": 0 } ] } }");
	out = render(render_inspect, j, 0);
	assert_non_null(strstr(out, "nightly (cron)"));
	assert_non_null(strstr(out, "runs (oldest first)"));
	assert_true(find_line(out, "  2026-11-21T02:30:00", line,
	    sizeof(line)));
	assert_non_null(strstr(line, "5.0s"));
	assert_non_null(strstr(line, "success"));
	assert_true(find_line(out, "  2026-11-22T02:30:00", line,
	    sizeof(line)));
	assert_non_null(strstr(line, "1h00m"));
	assert_non_null(strstr(line, "SIGKILL"));
	assert_non_null(strstr(line, "timeout"));
	assert_non_null(strstr(line, "killed at 1h"));
	assert_non_null(strstr(out, "running"));
	assert_non_null(strstr(out, "2026-11-23T02:30:00+01:00"));
	assert_non_null(strstr(out, "none"));		/* empty exits */
	free(out);
	json_decref(j);
}

static void
test_garbage(void **state)
{
	static const char *const docs[] = {
		"null", "[]", "42", "\"str\"", "{}",
		"{\"daemon\":[],\"units\":{}}",
		"{\"daemon\":{\"pid\":\"x\",\"mode\":7,\"uptime_seconds\":-4,"
		    "\"config\":null},\"overall_health\":[],\"units\":[1,"
		    "null,\"x\",[],{}]}",
		"{\"daemon\":{},\"units\":[{\"name\":5,\"kind\":\"cron\","
		    "\"state\":{},\"pid\":1e300,\"uptime_seconds\":\"1\","
		    "\"restarts\":-1.5,\"cpu_seconds\":\"x\","
		    "\"rss_bytes\":1e300,\"last_exit\":{\"signal\":\"x\"},"
		    "\"last_run\":[],\"next_run\":{},\"health\":null,"
		    "\"reason\":\"a\\u001b[31mb\\n\"}]}",
		"{\"daemon\":{},\"units\":[{\"name\":\"c\",\"kind\":\"cron\","
		    "\"last_run\":{\"outcome\":5,\"exit_code\":\"x\","
		    "\"signal\":-3,\"duration_ms\":-1,\"started_at\":true},"
		    "\"last_exit\":{\"signal\":999}}]}",
		"{\"name\":\"x\",\"kind\":\"cron\",\"limits\":[1],"
		    "\"exits\":{},\"health_checks\":[1,null,{\"ok\":3}],"
		    "\"runs\":[{},5,{\"started_at\":-1}]}",
		"{\"name\":\"\\u001b]0;pwn\\u0007\",\"limits\":{\"a\":{\"b\":"
		    "{\"c\":{\"d\":{\"e\":{\"f\":1}}}}},\"n\":null},"
		    "\"exits\":[{\"signal\":0,\"code\":null},{\"at\":1e308}],"
		    "\"health_checks\":\"x\",\"runs\":null}",
	};
	json_t	*j;
	char	*out;
	size_t	 i;
	int	 c;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		j = load(docs[i]);
		for (c = 0; c <= 1; c++) {
			out = render(render_status_table, j, c);
			if (c == 0)
				assert_null(strchr(out, '\033'));
			free(out);
			out = render(render_inspect, j, c);
			if (c == 0)
				assert_null(strchr(out, '\033'));
			free(out);
		}
		(void)status_exit_code(j);
		json_decref(j);
	}
	out = render(render_status_table, NULL, 0);
	assert_non_null(strstr(out, "no daemon running"));
	free(out);
	out = render(render_inspect, NULL, 0);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_table),
		cmocka_unit_test(test_status_color),
		cmocka_unit_test(test_no_daemon),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_rss_units),
		cmocka_unit_test(test_uptime),
		cmocka_unit_test(test_inspect),
		cmocka_unit_test(test_inspect_cron),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
