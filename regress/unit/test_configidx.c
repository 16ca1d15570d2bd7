#include "unit.h"

/*
 * Unit tests for the loader's lookups: the string map of
 * parent/config_hash.c and the "did you mean" suggestions of
 * parent/config_walk.c, checked against a plain edit distance.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

static void
test_strmap(void **state)
{
	struct strmap	 m;
	char		 keys[3000][16];
	size_t		 i;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_null(strmap_get(&m, "x"));
	for (i = 0; i < 3000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
		assert_null(strmap_add(&m, keys[i], keys[i]));
	}
	assert_int_equal(m.n, 3000);
	for (i = 0; i < 3000; i++)
		assert_ptr_equal(strmap_get(&m, keys[i]), keys[i]);
	/* The first value stays. */
	assert_ptr_equal(strmap_add(&m, "k7", keys[8]), keys[7]);
	assert_ptr_equal(strmap_get(&m, "k7"), keys[7]);
	assert_null(strmap_get(&m, "k3000"));
	assert_null(strmap_get(&m, ""));
	strmap_free(&m);
	assert_int_equal(m.n, 0);
	assert_null(strmap_get(&m, "k1"));
}

/* The unbounded distance the suggestions are defined by. */
static size_t
ref_distance(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b), i, j, prev, tmp, cost;
	size_t	 row[65];

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			cost = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			row[j] = prev + cost;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

static const char *
ref_suggest(const char *word, const char *const *cands, size_t n)
{
	size_t		 i, d, best = SIZE_MAX, limit;
	const char	*pick = NULL;

	limit = strlen(word) <= 4 ? 1 : 2;
	if (strlen(word) >= 8)
		limit = 3;
	for (i = 0; i < n; i++) {
		d = ref_distance(word, cands[i]);
		if (d < best) {
			best = d;
			pick = cands[i];
		}
	}
	return best <= limit ? pick : NULL;
}

static void
random_word(char *w, size_t max)
{
	static const char	 abc[] = "abcdeABCDE_-0";
	size_t			 n, i;

	n = (size_t)rand() % max;
	for (i = 0; i < n; i++)
		w[i] = abc[(size_t)rand() % (sizeof(abc) - 1)];
	w[n] = '\0';
}

static void
test_suggest(void **state)
{
	static char	 words[200][80];
	const char	*cands[200];
	char		 w[80];
	size_t		 i, n, nc;

	(void)state;
	srand(1);
	for (n = 0; n < 5000; n++) {
		nc = (size_t)rand() % 200;
		for (i = 0; i < nc; i++) {
			random_word(words[i], i % 50 == 0 ? 72 : 9);
			cands[i] = words[i];
		}
		random_word(w, n % 100 == 0 ? 72 : 9);
		assert_ptr_equal(suggest(w, cands, nc),
		    ref_suggest(w, cands, nc));
	}
	cands[0] = "command";
	cands[1] = "commands";
	assert_string_equal(suggest("comand", cands, 2), "command");
	assert_string_equal(suggest("COMMANDS", cands, 2), "commands");
	assert_null(suggest("xyz", cands, 2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strmap),
		cmocka_unit_test(test_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
