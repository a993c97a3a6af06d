// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: config_syntax.c - say what is wrong when libconfig refuses a file
 *
 * libconfig reports every grammar mistake as "syntax error" plus the line where
 * its parser stopped (often the line after the mistake). This module reads the
 * same text again with libconfig's own token rules (scanner.l: longest match,
 * the same rule order) and grammar (grammar.y: name = value, [ ], ( ), { }),
 * stops at the same token, and says what is there, what was expected and what
 * to do: "unexpected ',' before ')'; remove the trailing comma". It is only
 * asked after libconfig failed, and the config fuzzer checks that both agree on
 * whether a text parses.
 *
 * Pure: a string in, a line and a message out. Called by config.c.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tok_type {
	T_EOF,
	T_NAME,
	T_EQ,		/* '=' or ':' */
	T_COMMA,
	T_SEMI,
	T_GROUP_START,
	T_GROUP_END,
	T_ARRAY_START,
	T_ARRAY_END,
	T_LIST_START,
	T_LIST_END,
	T_BOOL,
	T_NUMBER,	/* integer, integer64, hex, hex64, float */
	T_STRING,
	T_GARBAGE,	/* any other character */
};

struct tok {
	enum tok_type type;
	const char *s;
	size_t len;
	int line;	/* where it starts */
	int end_line;	/* where it ends (libconfig reports this one) */
};

struct lex {
	const char *text, *cur;
	const char *last_nl;	/* the text's last line break (NULL: none) */
	int line;
	int open_string;	/* line of a string the end of the text cut off, else 0 */
	int open_comment;	/* same for a comment */
};

/* ---- tokens, as libconfig's scanner.l cuts them ---- */

static bool name_start(int c)
{
	return isalpha(c) || c == '*';
}

static bool name_char(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '*';
}

static size_t digits(const char *p)
{
	size_t n = 0;

	while (isdigit((unsigned char)p[n]))
		n++;
	return n;
}

/* [eE][-+]?[0-9]+ at p: its length, or 0 */
static size_t exponent(const char *p)
{
	size_t n = 1, d;

	if (*p != 'e' && *p != 'E')
		return 0;
	if (p[n] == '-' || p[n] == '+')
		n++;
	d = digits(p + n);
	return d ? n + d : 0;
}

/* The longest number at p (float, integer[L[L]], 0x hex[L[L]]): its length, or 0. */
static size_t number_len(const char *p)
{
	size_t sign = (*p == '-' || *p == '+'), d = digits(p + sign), best = 0, n;

	/* float: [-+]?[0-9]*\.[0-9]*(exp)?  |  [-+]?[0-9]+(\.[0-9]*)?exp */
	if (p[sign + d] == '.') {
		n = sign + d + 1;
		n += digits(p + n);
		n += exponent(p + n);
		best = n;
	}
	if (d) {
		n = sign + d;
		if (p[n] == '.')
			n += 1 + digits(p + n + 1);
		if (exponent(p + n) && n + exponent(p + n) > best)
			best = n + exponent(p + n);
		/* integer, integer64 */
		n = sign + d;
		if (p[n] == 'L')
			n += p[n + 1] == 'L' ? 2 : 1;
		if (n > best)
			best = n;
	}
	/* hex, hex64: no sign */
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
		n = 2;
		while (isxdigit((unsigned char)p[n]))
			n++;
		if (p[n] == 'L')
			n += p[n + 1] == 'L' ? 2 : 1;
		if (n > best)
			best = n;
	}
	return best;
}

static int count_newlines(const char *s, size_t len)
{
	int n = 0;

	while (len--)
		n += *s++ == '\n';
	return n;
}

/* ^[ \t]*@include[ \t]+" at the start of a line: its length, or 0 */
static size_t include_open(const struct lex *lx)
{
	const char *p = lx->cur;
	size_t n;

	if (p != lx->text && p[-1] != '\n')
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "@include", 8))
		return 0;
	p += 8;
	for (n = 0; p[n] == ' ' || p[n] == '\t'; n++)
		;
	if (!n || p[n] != '"')
		return 0;
	return (size_t)(p + n + 1 - lx->cur);
}

/* A quoted string or include path from after its opening quote: the length up to and
 * including the closing quote, or 0 if the text ends first. */
static size_t quoted_len(const char *p)
{
	size_t n = 0;

	for (;;) {
		if (!p[n])
			return 0;
		if (p[n] == '"')
			return n + 1;
		if (p[n] == '\\' && p[n + 1] && strchr("nrtf\\\"", p[n + 1]))
			n += 2;
		else
			n++;
	}
}

static void lex_next(struct lex *lx, struct tok *t)
{
	static const char punct[] = "=:,;{}[]()";
	static const enum tok_type ptype[] = {
		T_EQ, T_EQ, T_COMMA, T_SEMI, T_GROUP_START, T_GROUP_END, T_ARRAY_START,
		T_ARRAY_END, T_LIST_START, T_LIST_END,
	};

	for (;;) {
		const char *p = lx->cur, *q;
		size_t n, m;

		memset(t, 0, sizeof(*t));
		t->s = p;
		t->line = t->end_line = lx->line;
		if (!*p) {
			t->type = T_EOF;
			return;
		}
		if ((n = include_open(lx))) {
			/* what the included file holds is not ours to check */
			m = quoted_len(p + n);
			lx->line += count_newlines(p, n + m);
			lx->cur = m ? p + n + m : p + strlen(p);
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			q = strstr(p + 2, "*/");
			if (!q) {
				lx->open_comment = lx->line;
				q = p + strlen(p);
			} else {
				q += 2;
			}
			lx->line += count_newlines(p, (size_t)(q - p));
			lx->cur = q;
			continue;
		}
		if (*p == '"') {
			m = quoted_len(p + 1);
			if (!m) {
				lx->open_string = lx->line;
				lx->line += count_newlines(p, strlen(p));
				lx->cur = p + strlen(p);
				continue;
			}
			lx->line += count_newlines(p, m + 1);
			lx->cur = p + 1 + m;
			t->type = T_STRING;
			t->len = m + 1;
			t->end_line = lx->line;
			return;
		}
		if (*p == '\n') {
			lx->line++;
			lx->cur++;
			continue;
		}
		if (*p == '\r' || *p == '\f' || *p == ' ' || *p == '\t') {
			lx->cur++;
			continue;
		}
		/* a comment runs to a line break; without one (the end of the text) the rule
		 * does not match and '#' or '/' is a stray character */
		if ((*p == '#' || (p[0] == '/' && p[1] == '/')) && lx->last_nl && p < lx->last_nl) {
			lx->cur = strchr(p, '\n');
			continue;
		}
		if ((q = strchr(punct, *p))) {
			t->type = ptype[q - punct];
			t->len = 1;
			lx->cur++;
			return;
		}
		/* the longest of true, false, name, number; true/false win a tie with a name */
		n = 0;
		if (name_start((unsigned char)*p))
			for (n = 1; name_char((unsigned char)p[n]); n++)
				;
		m = number_len(p);
		if (m > n) {
			t->type = T_NUMBER;
			t->len = m;
		} else if (n) {
			t->type = (n == 4 && !strncasecmp(p, "true", 4)) ||
					  (n == 5 && !strncasecmp(p, "false", 5)) ? T_BOOL : T_NAME;
			t->len = n;
		} else {
			t->type = T_GARBAGE;
			t->len = 1;
		}
		lx->cur += t->len;
		return;
	}
}

/* ---- grammar, as libconfig's grammar.y ---- */

enum frame_kind {
	F_TOP,
	F_GROUP,
	F_LIST,
	F_ARRAY,
};

enum frame_state {
	S_NAME,		/* top/group: a setting's name, or the end */
	S_EQ,		/* after the name */
	S_VALUE,	/* after '=' (top/group); first element (list/array) */
	S_TERM,		/* top/group: after a value, an optional ';' or ',' */
	S_AFTER,	/* list/array: after an element */
	S_NEXT,		/* list/array: after ',' */
};

struct frame {
	enum frame_kind kind;
	enum frame_state state;
	struct tok open;	/* the bracket that opened it */
	struct tok name;	/* top/group: the setting being read */
	struct tok *names;	/* top/group: names set so far */
	size_t nnames;
};

struct parser {
	struct lex lx;
	struct tok t, prev, value;	/* lookahead, last consumed, last scalar value */
	struct tok long_string;		/* the last string that ran over a line break */
	struct frame *f;
	size_t depth, cap;
	bool trailing_comma_ok;
	bool huge_int_ok;	/* 1.5 takes 99999999999999999999; 1.7 calls it a syntax error */
	int line, at_line;
	char *msg;
	size_t len;
	bool failed;
};

static void fail(struct parser *ps, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct parser *ps, int line, const char *fmt, ...)
{
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = true;
	ps->line = line;
	va_start(ap, fmt);
	vsnprintf(ps->msg, ps->len, fmt, ap);
	va_end(ap);
}

static const char *closer_of(enum frame_kind k)
{
	return k == F_GROUP ? "}" : k == F_LIST ? ")" : k == F_ARRAY ? "]" : "";
}

/* A token as the operator would name it. */
static const char *tok_text(const struct tok *t, char *buf, size_t len)
{
	switch (t->type) {
	case T_EOF:
		return "the end of the file";
	case T_STRING:
		snprintf(buf, len, "the string %.*s%s", t->len > 24 ? 23 : (int)t->len, t->s,
			 t->len > 24 ? "...\"" : "");
		return buf;
	case T_NAME:
	case T_BOOL:
	case T_NUMBER:
		snprintf(buf, len, "%.*s", t->len > 40 ? 40 : (int)t->len, t->s);
		return buf;
	default:
		if (isprint((unsigned char)*t->s))
			snprintf(buf, len, "'%c'", *t->s);
		else
			snprintf(buf, len, "the byte 0x%02x", (unsigned char)*t->s);
		return buf;
	}
}

/* Characters an unquoted value can run over (an address, 10ms, wan1.100). */
static size_t word_len(const char *p)
{
	size_t n = 0;

	while (p[n] && !isspace((unsigned char)p[n]) && !strchr(";,(){}[]\"=#", p[n]))
		n++;
	return n;
}

static bool adjacent(const struct tok *a, const struct tok *b)
{
	return a->s && b->s && a->len && a->s + a->len == b->s;
}

static bool wordlike(const struct tok *t)
{
	return t->type == T_NAME || t->type == T_NUMBER || t->type == T_BOOL ||
	       t->type == T_GARBAGE || (t->type == T_EQ && *t->s == ':');
}

/* The lookahead continues the plain value just read, without a space: 192.0.2.1 */
static bool glued_to_value(const struct parser *ps)
{
	return ps->value.s && ps->value.type != T_STRING && ps->prev.s == ps->value.s &&
	       adjacent(&ps->prev, &ps->t) && wordlike(&ps->t);
}

static void fail_word(struct parser *ps, const struct tok *start)
{
	size_t n = word_len(start->s);
	int w = n > 60 ? 60 : (int)n;
	const char *hint = "";

	if (!n)
		n = 1;
	if ((n == 3 && !strncasecmp(start->s, "yes", 3)) || (n == 2 && !strncasecmp(start->s, "no", 2)) ||
	    (n == 2 && !strncasecmp(start->s, "on", 2)) || (n == 3 && !strncasecmp(start->s, "off", 3)))
		hint = " (a switch is true or false)";
	fail(ps, start->line, "%.*s is neither a number nor quoted text%s; write numbers plain (500) and put text and addresses in double quotes: \"%.*s\"",
	     w, start->s, hint, w, start->s);
}

static struct frame *top(struct parser *ps)
{
	return &ps->f[ps->depth - 1];
}

/* libconfig's parser gives up ("memory exhausted") below 5000 levels; stop there too */
#define MAX_DEPTH 10000

static int push(struct parser *ps, enum frame_kind kind)
{
	struct frame *f;

	if (ps->depth >= MAX_DEPTH)
		return -1;
	if (ps->depth == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 16;

		f = realloc(ps->f, cap * sizeof(*f));
		if (!f)
			return -1;
		ps->f = f;
		ps->cap = cap;
	}
	f = &ps->f[ps->depth++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->state = kind == F_TOP || kind == F_GROUP ? S_NAME : S_VALUE;
	f->open = ps->t;
	return 0;
}

static void pop(struct parser *ps)
{
	free(top(ps)->names);
	ps->depth--;
}

/* A value (or element) is complete: the frame moves on. */
static void value_done(struct frame *f)
{
	f->state = f->kind == F_LIST || f->kind == F_ARRAY ? S_AFTER : S_TERM;
}

/* The text ended inside an open bracket, string or comment. */
static void fail_eof(struct parser *ps)
{
	struct frame *f = top(ps);
	char b[64];

	if (ps->lx.open_string)
		fail(ps, ps->lx.open_string, "the string that starts on this line is never closed; add the closing \"");
	else if (ps->lx.open_comment)
		fail(ps, ps->lx.open_comment, "the comment /* that starts on this line is never closed; add */");
	else if (f->kind == F_TOP)
		fail(ps, ps->t.line, "%s has no value; write %s = value;",
		     tok_text(&f->name, b, sizeof(b)), tok_text(&f->name, b, sizeof(b)));
	else
		fail(ps, f->open.line, "the '%c' on this line is never closed; add its '%s'",
		     *f->open.s, closer_of(f->kind));
}

/* A closing bracket that does not close the innermost open one. */
static void fail_closer(struct parser *ps)
{
	struct frame *f = top(ps);

	if (f->kind == F_TOP)
		fail(ps, ps->t.line, "'%c' closes nothing (no bracket is open here); remove it, or add the opening one it belongs to",
		     *ps->t.s);
	else
		fail(ps, ps->t.line, "'%c' here, but the '%c' opened at line %d is still open; close it with '%s' first",
		     *ps->t.s, *f->open.s, f->open.line, closer_of(f->kind));
}

static bool is_closer(enum tok_type t)
{
	return t == T_GROUP_END || t == T_LIST_END || t == T_ARRAY_END;
}

static void check_name(struct parser *ps, struct frame *f)
{
	size_t i;
	struct tok *v;

	for (i = 0; i < f->nnames; i++) {
		if (f->names[i].len == ps->t.len && !memcmp(f->names[i].s, ps->t.s, ps->t.len)) {
			fail(ps, ps->t.line, "%.*s is set twice in the same group (first at line %d); keep one",
			     (int)ps->t.len, ps->t.s, f->names[i].line);
			ps->at_line = ps->t.end_line;
			return;
		}
	}
	v = realloc(f->names, (f->nnames + 1) * sizeof(*v));
	if (!v) {
		fail(ps, ps->t.line, "out of memory");
		return;
	}
	f->names = v;
	f->names[f->nnames++] = ps->t;
}

/* Top or group, expecting a name or the end. */
static void in_settings(struct parser *ps, struct frame *f)
{
	const struct tok *t = &ps->t;
	char b[64];

	if (t->type == T_NAME) {
		check_name(ps, f);
		f->name = *t;
		f->state = S_EQ;
		return;
	}
	if ((f->kind == F_TOP && t->type == T_EOF) ||
	    (f->kind == F_GROUP && t->type == T_GROUP_END)) {
		pop(ps);
		if (ps->depth)
			value_done(top(ps));
		return;
	}
	if (t->type == T_EOF)
		return fail_eof(ps);
	if (is_closer(t->type))
		return fail_closer(ps);
	/* after a value: something glued to it (an unquoted address) or a second value */
	if (glued_to_value(ps))
		return fail_word(ps, &ps->value);
	switch (t->type) {
	case T_STRING:
		fail(ps, t->line, "a setting name is not quoted: write name = value, not \"name\" = value");
		return;
	case T_SEMI:
	case T_COMMA:
		if (f->kind == F_GROUP && ps->prev.type == T_SEMI)
			fail(ps, t->line, "unexpected '%c' after ';' inside the '{' opened at line %d; remove it, or close that group with '}' first",
			     *t->s, f->open.line);
		else
			fail(ps, t->line, "unexpected '%c' where a setting (name = value) should start; remove it",
			     *t->s);
		return;
	case T_GROUP_START:
	case T_LIST_START:
	case T_ARRAY_START:
		if (f->kind == F_GROUP)
			fail(ps, t->line, "'%c' without a name inside the '{' opened at line %d; close that group with '}' first, or write name = %c ... %s",
			     *t->s, f->open.line, *t->s, *t->s == '{' ? "}" : *t->s == '(' ? ")" : "]");
		else
			fail(ps, t->line, "'%c' without a name; write name = %c ... %s", *t->s, *t->s,
			     *t->s == '{' ? "}" : *t->s == '(' ? ")" : "]");
		return;
	case T_NUMBER:
	case T_BOOL:
		if (ps->prev.s && ps->prev.s == ps->value.s)
			fail(ps, t->line, "a second value %s after %.*s = %.*s; give one value per setting, or a list: ( a, b )",
			     tok_text(t, b, sizeof(b)), (int)f->name.len, f->name.s,
			     (int)ps->value.len, ps->value.s);
		else
			fail(ps, t->line, "%s is not a setting name; names start with a letter: name = value",
			     tok_text(t, b, sizeof(b)));
		return;
	case T_EQ:
		fail(ps, t->line, "'%c' without a name before it; write name = value", *t->s);
		return;
	default:
		if (word_len(t->s) > 1)
			return fail_word(ps, t);
		fail(ps, t->line, "unexpected %s; remove it", tok_text(t, b, sizeof(b)));
		return;
	}
}

/* After a setting's name. */
static void in_eq(struct parser *ps, struct frame *f)
{
	const struct tok *t = &ps->t;
	int w = (int)(f->name.len > 40 ? 40 : f->name.len);

	if (t->type == T_EQ) {
		f->state = S_VALUE;
		return;
	}
	/* "10ms": the name glued to the value before it */
	if (ps->value.s && ps->value.type == T_NUMBER && f->name.s == ps->prev.s && adjacent(&ps->value, &f->name))
		return fail_word(ps, &ps->value);
	if (adjacent(&f->name, t) && wordlike(t)) {
		size_t n = word_len(f->name.s);

		fail(ps, f->name.line, "%.*s is not a valid name: names use letters, digits, '-', '_' and '*' (a dotted path is written as nested groups: a = { b = ...; })",
		     (int)(n > 60 ? 60 : n), f->name.s);
		return;
	}
	if (t->type == T_EOF || t->type == T_SEMI || t->type == T_COMMA || is_closer(t->type))
		fail(ps, f->name.line, "%.*s has no value; write %.*s = value;", w, f->name.s, w,
		     f->name.s);
	else
		fail(ps, t->line, "'=' missing between %.*s and its value; write %.*s = value", w,
		     f->name.s, w, f->name.s);
}

/* Expecting a value: after '=', or an element of a list or array. */
static void in_value(struct parser *ps, struct frame *f)
{
	const struct tok *t = &ps->t;
	bool array = f->kind == F_ARRAY, first = f->state == S_VALUE;
	char b[64];

	switch (t->type) {
	case T_NUMBER:
	case T_BOOL:
	case T_STRING:
		ps->value = *t;
		value_done(f);
		return;
	case T_ARRAY_START:
	case T_LIST_START:
	case T_GROUP_START:
		if (array) {
			fail(ps, t->line, "'%c' inside an array [ ... ], which holds plain values only (numbers, strings, true/false); use a list ( ... ) for groups and lists",
			     *t->s);
			return;
		}
		if (push(ps, t->type == T_GROUP_START ? F_GROUP :
			     t->type == T_LIST_START ? F_LIST : F_ARRAY) < 0)
			fail(ps, t->line, "brackets nested deeper than %d levels; flatten the file",
			     MAX_DEPTH);
		return;
	case T_NAME:
		return fail_word(ps, t);
	case T_EOF:
		return fail_eof(ps);
	default:
		break;
	}
	if (f->kind == F_TOP || f->kind == F_GROUP) {
		int w = (int)(f->name.len > 40 ? 40 : f->name.len);

		if (t->type == T_EQ)
			fail(ps, t->line, "a second '%c' after %.*s; write %.*s = value", *t->s, w,
			     f->name.s, w, f->name.s);
		else if (t->type == T_GARBAGE && word_len(t->s) > 1)
			fail_word(ps, t);
		else
			fail(ps, t->line, "%.*s = has no value before %s; write %.*s = value;", w,
			     f->name.s, tok_text(t, b, sizeof(b)), w, f->name.s);
		return;
	}
	/* a list or an array */
	if (t->type == T_LIST_END && f->kind == F_LIST && !first) {
		fail(ps, ps->prev.line, "unexpected ',' before ')'; remove the trailing comma");
		return;
	}
	if (t->type == T_ARRAY_END && f->kind == F_ARRAY && !first) {
		fail(ps, ps->prev.line, "unexpected ',' before ']'; remove the trailing comma");
		return;
	}
	if (is_closer(t->type))
		return fail_closer(ps);
	if (t->type == T_COMMA)
		fail(ps, t->line, first ? "',' before the first element; remove it" :
					  "two commas in a row; remove one");
	else if (t->type == T_GARBAGE && word_len(t->s) > 1)
		fail_word(ps, t);
	else
		fail(ps, t->line, "unexpected %s where an element of the '%c' opened at line %d should be",
		     tok_text(t, b, sizeof(b)), *f->open.s, f->open.line);
}

/* A list or array after an element: ',' or its end. */
static void in_after(struct parser *ps, struct frame *f)
{
	const struct tok *t = &ps->t;
	char b[64];

	if (t->type == T_COMMA) {
		f->state = S_NEXT;
		return;
	}
	if ((f->kind == F_LIST && t->type == T_LIST_END) ||
	    (f->kind == F_ARRAY && t->type == T_ARRAY_END)) {
		pop(ps);
		value_done(top(ps));
		return;
	}
	if (t->type == T_EOF)
		return fail_eof(ps);
	if (glued_to_value(ps))
		return fail_word(ps, &ps->value);
	if (is_closer(t->type))
		return fail_closer(ps);
	if (t->type == T_SEMI)
		fail(ps, t->line, "';' inside the '%c' opened at line %d; separate its elements with ',' and close it with '%s'",
		     *f->open.s, f->open.line, closer_of(f->kind));
	else
		fail(ps, t->line, "',' missing before %s; separate the elements of a list or array with commas",
		     tok_text(t, b, sizeof(b)));
}

/* Where libconfig versions differ, ask the one linked. */
static bool libconfig_takes(const char *text)
{
	config_t lc;
	bool ok;

	config_init(&lc);
	ok = config_read_string(&lc, text) == CONFIG_TRUE;
	config_destroy(&lc);
	return ok;
}

/* A plain integer (no L suffix) that does not fit in 64 bits */
static bool int_overflows(const struct tok *t)
{
	size_t sign = *t->s == '-' || *t->s == '+';
	char buf[32];

	if (t->type != T_NUMBER || t->len == sign ||
	    strspn(t->s + sign, "0123456789") != t->len - sign)
		return false;
	if (t->len >= sizeof(buf))
		return true;
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	errno = 0;
	(void)strtoll(buf, NULL, 10);
	return errno == ERANGE;
}

int config_syntax_explain(const char *text, int *line, int *at_line, char *msg, size_t len)
{
	struct parser ps = { .msg = msg, .len = len };

	ps.lx.text = ps.lx.cur = text;
	ps.lx.last_nl = strrchr(text, '\n');
	ps.lx.line = 1;
	/* 1.7 takes ( 1, 2, ) and [ 1, 2, ]; 1.5 (Debian 12) does not */
	ps.trailing_comma_ok = libconfig_takes("a = ( 1, ); b = [ 1, ];");
	ps.huge_int_ok = libconfig_takes("a = 99999999999999999999;");
	msg[0] = '\0';
	if (push(&ps, F_TOP) < 0)
		return -1;
	while (ps.depth && !ps.failed) {
		struct frame *f = top(&ps);

		lex_next(&ps.lx, &ps.t);
		ps.at_line = ps.t.type == T_EOF ? ps.lx.line : ps.t.end_line;
		if (!ps.huge_int_ok && int_overflows(&ps.t)) {
			fail(&ps, ps.t.line, "%.*s is too big for an integer (at most 9223372036854775807)",
			     ps.t.len > 40 ? 40 : (int)ps.t.len, ps.t.s);
			break;
		}
		if (ps.t.type == T_STRING && ps.t.end_line > ps.t.line)
			ps.long_string = ps.t;
		/* "a" "b" is one string, as in C */
		if (ps.t.type == T_STRING && ps.prev.type == T_STRING && ps.prev.s == ps.value.s &&
		    (f->state == S_TERM || f->state == S_AFTER)) {
			ps.value = ps.t;
			ps.prev = ps.t;
			continue;
		}
		for (;;) {
			bool list = f->kind == F_LIST || f->kind == F_ARRAY;
			bool closes = (f->kind == F_LIST && ps.t.type == T_LIST_END) ||
				      (f->kind == F_ARRAY && ps.t.type == T_ARRAY_END);

			switch (f->state) {
			case S_NAME:
				in_settings(&ps, f);
				break;
			case S_EQ:
				in_eq(&ps, f);
				break;
			case S_TERM:
				f->state = S_NAME;
				if (ps.t.type == T_SEMI || ps.t.type == T_COMMA)
					break;
				continue;	/* the terminator is optional: same token, next state */
			case S_VALUE:
			case S_NEXT:
				/* ( ) and [ ] are empty; ( 1, ) only where libconfig takes it */
				if (list && closes && (f->state == S_VALUE || ps.trailing_comma_ok)) {
					f->state = S_AFTER;
					continue;
				}
				in_value(&ps, f);
				break;
			case S_AFTER:
				in_after(&ps, f);
				break;
			}
			break;
		}
		/* a string that ran over lines and then trouble: its closing quote is missing */
		if (ps.failed && ps.long_string.s && ps.t.line <= ps.long_string.end_line + 2) {
			ps.line = ps.long_string.line;
			snprintf(msg, len, "the string that starts on this line runs to line %d; is its closing \" missing?",
				 ps.long_string.end_line);
		} else if (ps.failed && ps.t.type == T_GARBAGE &&
			   (*ps.t.s == '#' || *ps.t.s == '/') && !strchr(ps.t.s, '\n') &&
			   (*ps.t.s == '#' || ps.t.s[1] == '/')) {
			ps.line = ps.t.line;
			snprintf(msg, len, "libconfig needs a line break after a comment on the last line; end the file with a newline");
		}
		ps.prev = ps.t;
	}
	while (ps.depth)
		pop(&ps);
	free(ps.f);
	if (!ps.failed)
		return 0;
	*line = ps.line;
	if (at_line)
		*at_line = ps.at_line;
	return 1;
}
