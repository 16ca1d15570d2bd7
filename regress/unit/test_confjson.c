#include "unit.h"

/*
 * Unit tests for common/confjson.c: the JSON form of units and of a
 * whole configuration (sysg validate --print, reload's change test).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confjson.h"
#include "unitconf_fixture.h"

static void
test_unit_text(void **state)
{
	struct unit_conf	*u;
	char			*t1, *t2;

	(void)state;
	u = full_unit();
	t1 = unit_to_text(u);
	t2 = unit_to_text(u);
	assert_string_equal(t1, t2);
	assert_true(strstr(t1, "\"CAP_NET_BIND_SERVICE\"") != NULL);
	assert_true(strstr(t1, "\"name\":\"api-1.x\"") != NULL);
	assert_true(strstr(t1, "\"stop_signal\":\"QUIT\"") != NULL);
	assert_true(strstr(t1, "\"pids_max\":\"max\"") != NULL);
	assert_true(strstr(t1, "\"argv\":[\"nginx\",\"-g\","
	    "\"daemon off;\"]") != NULL);
	free(t1);
	free(t2);
	unit_conf_free(u);
}

static void
test_conf_to_json(void **state)
{
	struct sysg_conf	 c;
	struct unit_conf	*units[1];
	json_t			*o;
	char			*s;

	(void)state;
	memset(&c, 0, sizeof(c));
	units[0] = full_unit();
	c.file = "/srv/app/systemg.yaml";
	c.project_dir = "/srv/app";
	c.logs.max_bytes = 1024;
	c.units = units;
	c.nunits = 1;
	o = conf_to_json(&c);
	assert_non_null(o);
	assert_int_equal(json_array_size(json_object_get(o, "units")), 1);
	assert_string_equal(json_string_value(json_object_get(o,
	    "project_dir")), "/srv/app");
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(s);
	assert_true(strstr(s, "\"max_bytes\":1024") != NULL);
	free(s);
	json_decref(o);
	unit_conf_free(units[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unit_text),
		cmocka_unit_test(test_conf_to_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
