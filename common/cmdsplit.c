/*
 * Shell-like word splitting for commands that need no shell.
 *
 * Recognised: blanks between words, '...' (literal), "..." without $ or
 * backquote (backslash escapes $ ` " \ and newline), and backslash
 * escapes outside quotes.  Anything else the shell would interpret
 * (expansions, operators, redirections, globs, comments, assignments,
 * reserved words, builtins) makes cmd_split return NULL.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cmdsplit.h"
#include "log.h"

struct words {
	char	**v;
	size_t	  n;
	size_t	  cap;
	char	 *cur;			/* word being built */
	size_t	  len;
	int	  inword;
};

/* First words that only the shell understands. */
static const char *const shell_words[] = {
	"!", "{", "}", "[[", "]]", "case", "do", "done", "elif", "else",
	"esac", "fi", "for", "function", "if", "in", "select", "then",
	"time", "until", "while", ".", ":", "alias", "bg", "break", "cd",
	"command", "continue", "declare", "eval", "exec", "exit", "export",
	"fg", "getopts", "hash", "jobs", "let", "local", "read", "readonly",
	"return", "set", "shift", "source", "trap", "type", "typeset",
	"ulimit", "umask", "unalias", "unset", "wait", NULL
};

static int
is_special(int c)
{
	return c != '\0' && strchr("$|;&<>`*?[()~#\n", c) != NULL;
}

static void
words_putc(struct words *w, char c)
{
	/* The word can never be longer than the command itself. */
	w->cur[w->len++] = c;
	w->inword = 1;
}

static void
words_end(struct words *w)
{
	char	**nv;

	if (!w->inword)
		return;
	if (w->n + 2 > w->cap) {
		w->cap = w->cap ? w->cap * 2 : 8;
		if ((nv = reallocarray(w->v, w->cap, sizeof(*nv))) == NULL)
			fatal("cmd_split");
		w->v = nv;
	}
	if ((w->v[w->n] = strndup(w->cur, w->len)) == NULL)
		fatal("cmd_split");
	w->v[++w->n] = NULL;
	w->len = 0;
	w->inword = 0;
}

/* Double-quoted text starting after the quote; returns index after it. */
static int
dquote(struct words *w, const char *s, size_t *ip)
{
	size_t	 i = *ip;

	for (;; i++) {
		switch (s[i]) {
		case '\0':
		case '$':
		case '`':
			return -1;
		case '"':
			*ip = i + 1;
			w->inword = 1;
			return 0;
		case '\\':
			if (s[i + 1] == '\n') {
				i++;
				continue;
			}
			if (s[i + 1] != '\0' && strchr("$`\"\\", s[i + 1]))
				i++;
			words_putc(w, s[i]);
			break;
		default:
			words_putc(w, s[i]);
			break;
		}
	}
}

static int
squote(struct words *w, const char *s, size_t *ip)
{
	size_t	 i;

	for (i = *ip; s[i] != '\'' ; i++) {
		if (s[i] == '\0')
			return -1;
		words_putc(w, s[i]);
	}
	*ip = i + 1;
	w->inword = 1;
	return 0;
}

/* An unquoted NAME= at the start of the first word: an assignment. */
static int
is_assignment(const char *s)
{
	size_t	 i;

	if (!isalpha((unsigned char)s[0]) && s[0] != '_')
		return 0;
	for (i = 1; isalnum((unsigned char)s[i]) || s[i] == '_'; i++)
		;
	return s[i] == '=';
}

static int
split(struct words *w, const char *s)
{
	size_t	 i = 0;

	while (s[i] != '\0') {
		if (s[i] == ' ' || s[i] == '\t') {
			words_end(w);
			i++;
		} else if (is_special((unsigned char)s[i])) {
			return -1;
		} else if (s[i] == '\'') {
			i++;
			if (squote(w, s, &i) == -1)
				return -1;
		} else if (s[i] == '"') {
			i++;
			if (dquote(w, s, &i) == -1)
				return -1;
		} else if (s[i] == '\\') {
			if (s[i + 1] == '\0')
				return -1;
			if (s[i + 1] != '\n')
				words_putc(w, s[i + 1]);
			i += 2;
		} else {
			if (!w->inword && w->n == 0 && is_assignment(s + i))
				return -1;
			words_putc(w, s[i]);
			i++;
		}
	}
	words_end(w);
	return 0;
}

static int
shell_word(const char *first)
{
	size_t	 i;

	for (i = 0; shell_words[i] != NULL; i++)
		if (strcmp(first, shell_words[i]) == 0)
			return 1;
	return 0;
}

char **
cmd_split(const char *command)
{
	struct words	 w;
	int		 rc;

	if (command == NULL)
		return NULL;
	memset(&w, 0, sizeof(w));
	if ((w.cur = malloc(strlen(command) + 1)) == NULL)
		fatal("cmd_split");
	rc = split(&w, command);
	free(w.cur);
	if (rc == -1 || w.n == 0 || w.v[0][0] == '\0' ||
	    shell_word(w.v[0])) {
		cmd_free(w.v);
		return NULL;
	}
	return w.v;
}

void
cmd_free(char **v)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}
