#include "unit.h"

/*
 * Unit tests for common/cmdsplit.c: which commands are split into an
 * argv and exec'd directly, and which need /bin/sh -c.
 */

#include <stdlib.h>
#include <string.h>

#include "cmdsplit.h"

/* Expect cmd to split into the NULL-terminated list of words. */
static void
split_ok(const char *cmd, ...)
{
	va_list		 ap;
	char		**v;
	const char	*w;
	size_t		 i = 0;

	v = cmd_split(cmd);
	assert_non_null(v);
	va_start(ap, cmd);
	while ((w = va_arg(ap, const char *)) != NULL) {
		assert_non_null(v[i]);
		assert_string_equal(v[i], w);
		i++;
	}
	va_end(ap);
	assert_null(v[i]);
	cmd_free(v);
}

static void
shell(const char *cmd)
{
	char	**v;

	v = cmd_split(cmd);
	if (v != NULL) {
		cmd_free(v);
		fail_msg("\"%s\" should need a shell", cmd);
	}
}

static void
test_words(void **state)
{
	(void)state;
	split_ok("nginx", "nginx", NULL);
	split_ok("  /usr/bin/python3   -m http.server 8000  ",
	    "/usr/bin/python3", "-m", "http.server", "8000", NULL);
	split_ok("a\tb", "a", "b", NULL);
	split_ok("env FOO=bar prog", "env", "FOO=bar", "prog", NULL);
	split_ok("prog --opt=x", "prog", "--opt=x", NULL);
	split_ok("prog a=b", "prog", "a=b", NULL);
	split_ok("sleep 1", "sleep", "1", NULL);
	split_ok("true", "true", NULL);
	split_ok("prog 100% done!", "prog", "100%", "done!", NULL);
	split_ok("prog {a,b}", "prog", "{a,b}", NULL);
	split_ok("prog a}", "prog", "a}", NULL);
}

static void
test_quotes(void **state)
{
	(void)state;
	split_ok("nginx -g 'daemon off;'", "nginx", "-g", "daemon off;",
	    NULL);
	split_ok("echo \"hello world\"", "echo", "hello world", NULL);
	split_ok("echo 'a \"b\" c'", "echo", "a \"b\" c", NULL);
	split_ok("echo \"it's\"", "echo", "it's", NULL);
	split_ok("echo ''", "echo", "", NULL);
	split_ok("echo \"\"", "echo", "", NULL);
	split_ok("echo a'b c'd", "echo", "ab cd", NULL);
	split_ok("echo 'a|b;c&d>e<f*g?h[i](j)~k#l$m`n'", "echo",
	    "a|b;c&d>e<f*g?h[i](j)~k#l$m`n", NULL);
	split_ok("echo \"a|b;c&*?#~\"", "echo", "a|b;c&*?#~", NULL);
	split_ok("echo \"a\\\"b\"", "echo", "a\"b", NULL);
	split_ok("echo \"a\\\\b\"", "echo", "a\\b", NULL);
	split_ok("echo \"a\\$b\"", "echo", "a$b", NULL);
	split_ok("echo \"a\\nb\"", "echo", "a\\nb", NULL);
	split_ok("echo 'a\\nb'", "echo", "a\\nb", NULL);
	split_ok("echo 'multi\nline'", "echo", "multi\nline", NULL);
	split_ok("'FOO=x' prog", "FOO=x", "prog", NULL);
	shell("FOO='x' prog");
}

static void
test_backslash(void **state)
{
	(void)state;
	split_ok("echo a\\ b", "echo", "a b", NULL);
	split_ok("echo \\$HOME", "echo", "$HOME", NULL);
	split_ok("echo \\;", "echo", ";", NULL);
	split_ok("echo \\'", "echo", "'", NULL);
	split_ok("echo a\\\nb", "echo", "ab", NULL);
	shell("echo a\\");
}

static void
test_shell(void **state)
{
	(void)state;
	shell("echo $HOME");
	shell("echo ${HOME}");
	shell("a | b");
	shell("a; b");
	shell("a && b");
	shell("a & b");
	shell("a > f");
	shell("a < f");
	shell("echo `date`");
	shell("ls *.c");
	shell("ls ?.c");
	shell("ls [ab].c");
	shell("(a)");
	shell("echo $(date)");
	shell("cd ~");
	shell("a # comment");
	shell("a\nb");
	shell("echo \"$HOME\"");
	shell("echo \"`date`\"");
	shell("echo 'unterminated");
	shell("echo \"unterminated");
	shell("FOO=bar prog");
	shell("_X=1 prog");
	shell("exec nginx");
	shell("cd /tmp");
	shell("export A=1");
	shell("if true");
	shell("! false");
	shell("{ a; }");
	shell(". ./env.sh");
	shell("source x");
	shell("ulimit -n 10");
	shell("");
	shell("   ");
	shell("''");
	assert_null(cmd_split(NULL));
	cmd_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_backslash),
		cmocka_unit_test(test_shell),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
