/*
 * YAML text to a small tree of mappings, sequences and scalars with
 * their positions, built from libyaml events (no recursion, so deep
 * nesting cannot overflow the stack).  Anchors, aliases and tags are
 * refused: a config has no need for them and aliases are how small
 * files expand into huge ones.
 */

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "config_int.h"
#include "log.h"

/*
 * Nodes, their strings and their lists of children live in an arena
 * freed at once: a tree has tens of thousands of small objects.
 */
#define ARENA_MIN	(16 * 1024)
#define ARENA_MAX	(1024 * 1024)
#define ARENA_ALIGN	_Alignof(max_align_t)

struct yarena {
	struct yarena	*next;
	size_t		 used;
	size_t		 cap;
	max_align_t	 data[];
};

/* Children of an open mapping or sequence, copied at its end. */
struct kidvec {
	struct ynode	**v;
	size_t		  cap;
};

struct ybuild {
	const char	 *file;
	const char	 *buf;
	size_t		  len;
	struct errlist	 *errs;
	struct ynode	 *root;
	struct ynode	 *stack[CONF_MAX_DEPTH + 1];
	struct kidvec	  open[CONF_MAX_DEPTH + 1];
	struct yarena	 *arena;
	size_t		  blocksz;
	int		  depth;
	int		  failed;
	int		  ndocs;
};

static struct yarena *
arena_block(size_t cap)
{
	struct yarena	*a;

	if ((a = malloc(sizeof(*a) + cap)) == NULL)
		fatal("yaml_tree");
	a->used = 0;
	a->cap = cap;
	return a;
}

/* n bytes, aligned; a large object gets a block of its own. */
static void *
arena_alloc(struct ybuild *b, size_t n)
{
	struct yarena	*a = b->arena;
	void		*p;

	n = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (n > ARENA_MIN / 4) {
		a = arena_block(n);
		a->next = b->arena ? b->arena->next : NULL;
		if (b->arena != NULL)
			b->arena->next = a;
		else
			b->arena = a;
	} else if (a == NULL || a->cap - a->used < n) {
		b->blocksz = b->blocksz ? b->blocksz * 2 : ARENA_MIN;
		if (b->blocksz > ARENA_MAX)
			b->blocksz = ARENA_MAX;
		a = arena_block(b->blocksz);
		a->next = b->arena;
		b->arena = a;
	}
	p = (char *)a->data + a->used;
	a->used += n;
	return p;
}

static void
arena_free(struct yarena *a)
{
	struct yarena	*next;

	for (; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
}

static void
path_of(struct ybuild *b, char *out, size_t outlen)
{
	struct ynode	*p, *k;
	char		 seg[96];
	size_t		 idx;
	int		 i;

	out[0] = '\0';
	for (i = 0; i < b->depth; i++) {
		if (strlen(out) > 80) {
			strlcat(out, "...", outlen);
			break;
		}
		p = b->stack[i];
		if (p->nkids == 0)
			break;
		idx = p->nkids - 1;
		if (p->type == Y_SEQ)
			snprintf(seg, sizeof(seg), "[%zu]", idx);
		else {
			if (idx % 2 == 0)
				break;		/* at a key */
			k = p->kids[idx - 1];
			snprintf(seg, sizeof(seg), "%s%.64s",
			    out[0] != '\0' ? "." : "",
			    k->type == Y_SCALAR ? k->str : "?");
		}
		strlcat(out, seg, outlen);
	}
	if (out[0] == '\0')
		strlcpy(out, "(top)", outlen);
}

static void
yerr(struct ybuild *b, int line, int col, const char *msg)
{
	char	 path[512];

	path_of(b, path, sizeof(path));
	errlist_add(b->errs, "%s:%d:%d: %s: %s", b->file, line, col, path,
	    msg);
}

static struct ynode *
ynode_new(struct ybuild *b, enum ynode_type t, const yaml_mark_t *m)
{
	struct ynode	*n, *p, **nk;
	struct kidvec	*kv;

	n = arena_alloc(b, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->type = t;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	if (b->depth == 0) {
		b->root = n;
		return n;
	}
	p = b->stack[b->depth - 1];
	kv = &b->open[b->depth - 1];
	if (p->nkids == kv->cap) {
		kv->cap = kv->cap ? kv->cap * 2 : 16;
		if ((nk = reallocarray(kv->v, kv->cap, sizeof(*nk))) == NULL)
			fatal("yaml_tree");
		kv->v = nk;
	}
	kv->v[p->nkids++] = n;
	p->kids = kv->v;
	return n;
}

/* The innermost open node is complete: give it its own list. */
static void
ynode_close(struct ybuild *b)
{
	struct ynode	*p = b->stack[--b->depth];

	if (p->nkids == 0) {
		p->kids = NULL;
		return;
	}
	p->kids = arena_alloc(b, p->nkids * sizeof(*p->kids));
	memcpy(p->kids, b->open[b->depth].v, p->nkids * sizeof(*p->kids));
}

static int
tab_at(struct ybuild *b, const yaml_mark_t *m)
{
	return m->index < b->len && b->buf[m->index] == '\t';
}

/* Reader errors carry a byte offset, not a mark. */
static void
reader_error(struct ybuild *b, yaml_parser_t *p)
{
	size_t	 i, off = p->problem_offset;
	int	 line = 1, col = 1;

	for (i = 0; i < off && i < b->len; i++) {
		if (b->buf[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)b->buf[i] & 0xc0) != 0x80)
			col++;
	}
	errlist_add(b->errs, "%s:%d:%d: yaml: %s (the file must be UTF-8 "
	    "text)", b->file, line, col, p->problem ? p->problem :
	    "invalid text");
}

static void
syntax_error(struct ybuild *b, yaml_parser_t *p)
{
	const char	*problem = p->problem ? p->problem : "parse error";
	yaml_mark_t	*m = &p->problem_mark;

	if (p->error == YAML_READER_ERROR) {
		reader_error(b, p);
		return;
	}
	if (tab_at(b, m) || (p->context != NULL &&
	    tab_at(b, &p->context_mark))) {
		if (!tab_at(b, m))
			m = &p->context_mark;
		errlist_add(b->errs, "%s:%d:%d: yaml: tab character where "
		    "indentation is expected (YAML allows only spaces)",
		    b->file, (int)m->line + 1, (int)m->column + 1);
		return;
	}
	if (p->context != NULL)
		errlist_add(b->errs, "%s:%d:%d: yaml: %s %s (line %d column "
		    "%d)", b->file, (int)m->line + 1, (int)m->column + 1,
		    problem, p->context, (int)p->context_mark.line + 1,
		    (int)p->context_mark.column + 1);
	else
		errlist_add(b->errs, "%s:%d:%d: yaml: %s", b->file,
		    (int)m->line + 1, (int)m->column + 1, problem);
}

/* Anchors and tags on a node: report, return -1. */
static int
check_props(struct ybuild *b, const yaml_mark_t *m, const yaml_char_t *anchor,
    const yaml_char_t *tag)
{
	char	 msg[160];
	int	 rc = 0;

	if (anchor != NULL) {
		snprintf(msg, sizeof(msg), "anchors and aliases are not "
		    "supported (&%.64s)", (const char *)anchor);
		yerr(b, (int)m->line + 1, (int)m->column + 1, msg);
		rc = -1;
	}
	if (tag != NULL) {
		snprintf(msg, sizeof(msg), "YAML tags are not supported "
		    "(%.64s)", (const char *)tag);
		yerr(b, (int)m->line + 1, (int)m->column + 1, msg);
		rc = -1;
	}
	return rc;
}

static void
on_scalar(struct ybuild *b, yaml_event_t *ev)
{
	struct ynode	*n;
	size_t		 len = ev->data.scalar.length;
	const yaml_char_t *tag = ev->data.scalar.tag;

	n = ynode_new(b, Y_SCALAR, &ev->start_mark);
	/* A plain scalar carries no tag unless one was written. */
	if (tag != NULL && (ev->data.scalar.plain_implicit ||
	    ev->data.scalar.quoted_implicit))
		tag = NULL;
	if (check_props(b, &ev->start_mark, ev->data.scalar.anchor, tag) ==
	    -1) {
		n->type = Y_BAD;
		return;
	}
	n->str = arena_alloc(b, len + 1);
	memcpy(n->str, ev->data.scalar.value, len);
	n->str[len] = '\0';
	n->len = len;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (memchr(n->str, '\0', len) != NULL) {
		yerr(b, n->line, n->col, "a NUL character is not allowed");
		n->type = Y_BAD;
	}
}

static void
on_start(struct ybuild *b, yaml_event_t *ev, enum ynode_type t)
{
	struct ynode	*n;
	const yaml_char_t *anchor, *tag;
	int		 impl;

	if (t == Y_MAP) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		impl = ev->data.mapping_start.implicit;
	} else {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		impl = ev->data.sequence_start.implicit;
	}
	n = ynode_new(b, t, &ev->start_mark);
	if (b->depth == CONF_MAX_DEPTH) {
		yerr(b, n->line, n->col, "nesting is too deep (more than 64 "
		    "levels)");
		b->failed = 1;
		return;
	}
	b->stack[b->depth++] = n;
	if (check_props(b, &ev->start_mark, anchor, impl ? NULL : tag) == -1)
		n->type = Y_BAD;
}

static void
on_alias(struct ybuild *b, yaml_event_t *ev)
{
	struct ynode	*n;
	char		 msg[160];

	n = ynode_new(b, Y_BAD, &ev->start_mark);
	snprintf(msg, sizeof(msg), "anchors and aliases are not supported "
	    "(*%.64s)", (const char *)ev->data.alias.anchor);
	yerr(b, n->line, n->col, msg);
}

/* One event; returns 1 at the end of the stream. */
static int
on_event(struct ybuild *b, yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_DOCUMENT_START_EVENT:
		if (++b->ndocs > 1) {
			errlist_add(b->errs, "%s:%d:%d: yaml: more than one "
			    "document in the file", b->file,
			    (int)ev->start_mark.line + 1,
			    (int)ev->start_mark.column + 1);
			b->failed = 1;
		}
		break;
	case YAML_SCALAR_EVENT:
		on_scalar(b, ev);
		break;
	case YAML_ALIAS_EVENT:
		on_alias(b, ev);
		break;
	case YAML_MAPPING_START_EVENT:
		on_start(b, ev, Y_MAP);
		break;
	case YAML_SEQUENCE_START_EVENT:
		on_start(b, ev, Y_SEQ);
		break;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		if (b->depth > 0)
			ynode_close(b);
		break;
	default:
		break;
	}
	return 0;
}

struct ynode *
yaml_tree(const char *file, const char *buf, size_t len,
    struct errlist *errs, int *empty)
{
	struct ybuild	 b;
	yaml_parser_t	 p;
	yaml_event_t	 ev;
	size_t		 i;
	int		 done = 0;

	*empty = 0;
	memset(&b, 0, sizeof(b));
	b.file = file;
	b.buf = buf;
	b.len = len;
	b.errs = errs;
	if (!yaml_parser_initialize(&p))
		fatalx("yaml_parser_initialize");
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!done && !b.failed) {
		if (!yaml_parser_parse(&p, &ev)) {
			syntax_error(&b, &p);
			b.failed = 1;
			break;
		}
		done = on_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	for (i = 0; i <= CONF_MAX_DEPTH; i++)
		free(b.open[i].v);
	if (b.root != NULL)
		b.root->arena = b.arena;
	else
		arena_free(b.arena);
	if (b.failed) {
		yaml_tree_free(b.root);
		return NULL;
	}
	if (b.root == NULL || ynode_is_null(b.root)) {
		yaml_tree_free(b.root);
		*empty = 1;
		return NULL;
	}
	return b.root;
}

void
yaml_tree_free(struct ynode *root)
{
	if (root != NULL)
		arena_free(root->arena);
}

int
ynode_is_null(const struct ynode *n)
{
	if (n == NULL)
		return 1;
	if (n->type != Y_SCALAR || !n->plain)
		return 0;
	if (n->len == 0)
		return 1;
	if (n->len == 1)
		return n->str[0] == '~';
	return n->len == 4 && (strcmp(n->str, "null") == 0 ||
	    strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0);
}
