#include "unit.h"

/*
 * Unit tests for common/parse.c: durations, sizes, integers, unit
 * names, signal names, UTF-8.
 */

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

static void
dur_ok(const char *s, int64_t want)
{
	int64_t		 ms = -1;
	const char	*err = "x";

	assert_int_equal(parse_duration(s, &ms, &err), 0);
	assert_null(err);
	assert_int_equal(ms, want);
}

static void
dur_bad(const char *s, const char *why)
{
	int64_t		 ms = 42;
	const char	*err = NULL;

	assert_int_equal(parse_duration(s, &ms, &err), -1);
	assert_non_null(err);
	assert_string_equal(err, why);
	assert_int_equal(ms, 42);
}

static void
test_duration(void **state)
{
	(void)state;
	dur_ok("250ms", 250);
	dur_ok("5s", 5000);
	dur_ok("2m", 120000);
	dur_ok("1h", 3600000);
	dur_ok("30", 30000);
	dur_ok("0", 0);
	dur_ok("0ms", 0);
	dur_ok("2147483647", INT64_C(2147483647000));
	dur_ok("2147483647000ms", INT64_C(2147483647000));
	dur_bad("", "invalid");
	dur_bad("s", "invalid");
	dur_bad("5x", "invalid");
	dur_bad("5 s", "invalid");
	dur_bad(" 5s", "invalid");
	dur_bad("5S", "invalid");
	dur_bad("1.5s", "invalid");
	dur_bad("1h30m", "invalid");
	dur_bad("+5s", "invalid");
	dur_bad("0x10", "invalid");
	dur_bad("5_000ms", "invalid");
	dur_bad("-5s", "negative");
	dur_bad("-0", "negative");
	dur_bad("2147483648", "too large");
	dur_bad("596524h", "too large");
	dur_bad("99999999999999999999999999s", "too large");
	dur_bad("18446744073709551616ms", "too large");
	assert_int_equal(parse_duration(NULL, NULL, NULL), -1);
}

static void
size_ok(const char *s, int unl, uint64_t want)
{
	uint64_t	 v = 1;
	const char	*err = "x";

	assert_int_equal(parse_size(s, unl, &v, &err), 0);
	assert_null(err);
	assert_true(v == want);
}

static void
size_bad(const char *s, int unl, const char *why)
{
	uint64_t	 v = 7;
	const char	*err = NULL;

	assert_int_equal(parse_size(s, unl, &v, &err), -1);
	assert_non_null(err);
	assert_string_equal(err, why);
	assert_true(v == 7);
}

static void
test_size(void **state)
{
	(void)state;
	size_ok("0", 0, 0);
	size_ok("65536", 0, 65536);
	size_ok("64K", 0, 65536);
	size_ok("64k", 0, 65536);
	size_ok("64KB", 0, 65536);
	size_ok("64kb", 0, 65536);
	size_ok("512M", 0, UINT64_C(512) << 20);
	size_ok("1G", 0, UINT64_C(1) << 30);
	size_ok("2T", 0, UINT64_C(2) << 40);
	size_ok("100B", 0, 100);
	size_ok("1_000_000", 0, 1000000);
	size_ok("64_000K", 0, UINT64_C(64000) << 10);
	size_ok("unlimited", 1, PARSE_UNLIMITED);
	size_ok("UNLIMITED", 1, PARSE_UNLIMITED);
	size_ok("9223372036854775807", 0, (uint64_t)INT64_MAX);
	size_ok("8388607T", 0, UINT64_C(8388607) << 40);
	size_bad("unlimited", 0, "unlimited not allowed");
	size_bad("", 0, "invalid");
	size_bad("K", 0, "invalid");
	size_bad("lots", 0, "invalid");
	size_bad("_1", 0, "invalid");
	size_bad("1_", 0, "unknown suffix");
	size_bad("1__0", 0, "unknown suffix");
	size_bad("64Q", 0, "unknown suffix");
	size_bad("64KiB", 0, "unknown suffix");
	size_bad("64 K", 0, "unknown suffix");
	size_bad("1.5G", 0, "unknown suffix");
	size_bad("-1", 0, "negative");
	size_bad("-64K", 1, "negative");
	size_bad("9223372036854775808", 0, "too large");
	size_bad("8388608T", 0, "too large");
	size_bad("18446744073709551615", 0, "too large");
	size_bad("99999999999999999999999", 0, "too large");
	size_bad("16777216T", 0, "too large");
}

static void
test_int(void **state)
{
	long long	 v;
	const char	*err;

	(void)state;
	assert_int_equal(parse_int("5", -20, 19, &v, &err), 0);
	assert_int_equal(v, 5);
	assert_int_equal(parse_int("-20", -20, 19, &v, &err), 0);
	assert_int_equal(v, -20);
	assert_int_equal(parse_int("20", -20, 19, &v, &err), -1);
	assert_string_equal(err, "too large");
	assert_int_equal(parse_int("-21", -20, 19, &v, &err), -1);
	assert_string_equal(err, "too small");
	assert_int_equal(parse_int("x", 0, 1, &v, &err), -1);
	assert_string_equal(err, "invalid");
	assert_int_equal(parse_int("", 0, 1, &v, &err), -1);
	assert_int_equal(parse_int("-", 0, 1, &v, &err), -1);
	assert_int_equal(parse_int("1 ", 0, 9, &v, &err), -1);
	assert_int_equal(parse_int("99999999999999999999", 0, 9, &v, &err),
	    -1);
	assert_string_equal(err, "too large");
	assert_int_equal(parse_int("9223372036854775807", 0, INT64_MAX, &v,
	    &err), 0);
	assert_true(v == INT64_MAX);
}

static void
test_unit_name(void **state)
{
	char	 n64[65], n65[66];

	(void)state;
	memset(n64, 'a', 64);
	n64[64] = '\0';
	memset(n65, 'a', 65);
	n65[65] = '\0';
	assert_true(unit_name_valid("api"));
	assert_true(unit_name_valid("a"));
	assert_true(unit_name_valid("web-1.worker_2"));
	assert_true(unit_name_valid("9lives"));
	assert_true(unit_name_valid("_x"));
	assert_true(unit_name_valid(n64));
	assert_false(unit_name_valid(n65));
	assert_false(unit_name_valid(""));
	assert_false(unit_name_valid(NULL));
	assert_false(unit_name_valid(".hidden"));
	assert_false(unit_name_valid("."));
	assert_false(unit_name_valid(".."));
	assert_false(unit_name_valid("-x"));
	assert_false(unit_name_valid("a/b"));
	assert_false(unit_name_valid("a b"));
	assert_false(unit_name_valid("caf\xc3\xa9"));
	assert_false(unit_name_valid("a:b"));
}

static void
test_signal(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("TERM"), SIGTERM);
	assert_int_equal(signal_parse("SIGTERM"), SIGTERM);
	assert_int_equal(signal_parse("term"), SIGTERM);
	assert_int_equal(signal_parse("INT"), SIGINT);
	assert_int_equal(signal_parse("QUIT"), SIGQUIT);
	assert_int_equal(signal_parse("HUP"), SIGHUP);
	assert_int_equal(signal_parse("KILL"), SIGKILL);
	assert_int_equal(signal_parse("USR1"), SIGUSR1);
	assert_int_equal(signal_parse("USR2"), SIGUSR2);
	assert_int_equal(signal_parse("SEGV"), -1);
	assert_int_equal(signal_parse("STOP"), -1);
	assert_int_equal(signal_parse("15"), -1);
	assert_int_equal(signal_parse(""), -1);
	assert_int_equal(signal_parse("SIG"), -1);
	assert_int_equal(signal_parse(NULL), -1);
	assert_string_equal(signal_name(SIGKILL), "KILL");
	assert_string_equal(signal_name(SIGSEGV), "SEGV");
	assert_null(signal_name(0));
	assert_null(signal_name(1000));
}

static void
test_duration_fmt(void **state)
{
	char	 b[32];

	(void)state;
	duration_fmt(0, b, sizeof(b));
	assert_string_equal(b, "0s");
	duration_fmt(250, b, sizeof(b));
	assert_string_equal(b, "250ms");
	duration_fmt(5000, b, sizeof(b));
	assert_string_equal(b, "5s");
	duration_fmt(120000, b, sizeof(b));
	assert_string_equal(b, "2m");
	duration_fmt(7200000, b, sizeof(b));
	assert_string_equal(b, "2h");
	duration_fmt(1500, b, sizeof(b));
	assert_string_equal(b, "1500ms");
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(utf8_valid("abc", 3));
	assert_true(utf8_valid("caf\xc3\xa9", 5));
	assert_true(utf8_valid("\xe2\x82\xac", 3));
	assert_true(utf8_valid("\xf0\x9f\x98\x80", 4));
	assert_true(utf8_valid("", 0));
	assert_false(utf8_valid("a\0b", 3));
	assert_false(utf8_valid("\xff", 1));
	assert_false(utf8_valid("\xc3", 1));
	assert_false(utf8_valid("\xc0\xaf", 2));	/* overlong */
	assert_false(utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	assert_false(utf8_valid("\xe2\x82", 2));
	assert_false(utf8_valid("\x80", 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_unit_name),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_duration_fmt),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
