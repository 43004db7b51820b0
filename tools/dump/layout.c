/*
 * layout.c: the layout parser (tools/README.md, "Layouts"). Line by line:
 * a directive, the start of a block, a field, if/else/repeat/end. Names of
 * classes and structs used before they are declared are resolved at the
 * end, so a layout may list its classes in any order.
 */
#include "layout.h"

#include <mfcsock.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 8
#define MAX_DEPTH 32
#define MAX_STRUCT_NEST 64

static const struct { const char *name; ltype t; } simple_types[] = {
    { "u8", T_U8 }, { "i8", T_I8 }, { "u16", T_U16 }, { "i16", T_I16 }, { "u32", T_U32 },
    { "i32", T_I32 }, { "u64", T_U64 }, { "i64", T_I64 }, { "bool", T_BOOL }, { "f32", T_F32 },
    { "f64", T_F64 }, { "count", T_COUNT }, { "string_a", T_STRING_A }, { "string_w", T_STRING_W },
    { "combstr", T_COMBSTR }, { "point", T_POINT }, { "size", T_SIZE }, { "rect", T_RECT },
    { "time", T_TIME }, { "time64", T_TIME64 }, { "timespan", T_TIMESPAN }, { "timespan64", T_TIMESPAN64 },
    { "ole_date", T_OLE_DATE }, { "ole_date_span", T_OLE_DATE_SPAN }, { "currency", T_CURRENCY },
    { "variant", T_VARIANT },
};

const char *layout_type_name(ltype t)
{
    size_t i;
    for (i = 0; i < sizeof simple_types / sizeof simple_types[0]; i++)
        if (simple_types[i].t == t)
            return simple_types[i].name;
    switch (t) {
    case T_BYTES: return "bytes";
    case T_STRUCT: return "struct";
    case T_OBJECT: return "object";
    case T_OBJECTS: return "objects";
    case T_LIST: return "list";
    case T_MAP: return "map";
    default: return "?";
    }
}

typedef struct parser {
    layout *L;
    int line;
    char *err;
    size_t errcap;
    int failed;
    /* the open blocks: where the next node of each goes */
    lnode **tail[MAX_DEPTH];
    lnode *open[MAX_DEPTH];   /* the if or repeat each level belongs to (NULL: a top block) */
    int in_else[MAX_DEPTH];   /* the level is an if's else */
    int depth;
} parser;

static int fail(parser *p, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (p->failed)
        return 0;
    p->failed = 1;
    n = snprintf(p->err, p->errcap, "%s:%d: ", p->L->name ? p->L->name : "layout", p->line);
    if (n < 0 || (size_t)n >= p->errcap)
        return 0;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errcap - (size_t)n, fmt, ap);
    va_end(ap);
    return 0;
}

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = (char *)malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int is_name(const char *s)
{
    if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

static int number(const char *s, uint64_t *v)
{
    char *end;
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (!isdigit((unsigned char)s[hex ? 2 : 0]))
        return 0;
    /* Base 0 would read a leading zero as octal; the README says decimal or 0x. */
    errno = 0;
    *v = strtoull(s, &end, hex ? 16 : 10);
    return *end == '\0' && errno != ERANGE;
}

/* A type word: a simple type, "string", "bytes" (its size follows: *more
 * is set to take it), or a struct's name, resolved later. */
static int type_word(parser *p, const char *w, ltyperef *t)
{
    size_t i;
    memset(t, 0, sizeof *t);
    for (i = 0; i < sizeof simple_types / sizeof simple_types[0]; i++) {
        if (!strcmp(w, simple_types[i].name)) {
            t->t = simple_types[i].t;
            return 1;
        }
    }
    if (!strcmp(w, "string")) {
        t->t = p->L->unicode ? T_STRING_W : T_STRING_A;
        return 1;
    }
    if (!strcmp(w, "bytes")) {
        t->t = T_BYTES;
        return 1;
    }
    if (!strcmp(w, "object") || !strcmp(w, "objects") || !strcmp(w, "list") || !strcmp(w, "map"))
        return fail(p, "%s cannot be an element type here (a list of objects is \"objects\")", w);
    if (!is_name(w))
        return fail(p, "\"%s\" is not a type", w);
    t->t = T_STRUCT;
    t->st_name = dup(w);
    return t->st_name ? 1 : fail(p, "out of memory");
}

/* An element or key type at tok[*i] (bytes takes its size from the next word). */
static int elem_type(parser *p, char **tok, int ntok, int *i, ltyperef *t)
{
    if (*i >= ntok)
        return fail(p, "a type is missing");
    if (!type_word(p, tok[(*i)++], t))
        return 0;
    if (t->t == T_BYTES) {
        uint64_t n;
        if (*i >= ntok || !number(tok[*i], &n) || n == 0 || n > 1u << 20)
            return fail(p, "bytes needs its size (1 to 1048576)");
        t->nbytes = (size_t)n;
        (*i)++;
    }
    return 1;
}

static lnode *new_node(parser *p, nkind kind)
{
    lnode *n = (lnode *)calloc(1, sizeof *n);
    if (!n) {
        fail(p, "out of memory");
        return NULL;
    }
    n->kind = kind;
    n->line = p->line;
    *p->tail[p->depth - 1] = n;
    p->tail[p->depth - 1] = &n->next;
    return n;
}

static int push(parser *p, lnode **where, lnode *owner)
{
    if (p->depth == MAX_DEPTH)
        return fail(p, "blocks nested too deep");
    p->tail[p->depth] = where;
    p->open[p->depth] = owner;
    p->in_else[p->depth] = 0;
    p->depth++;
    return 1;
}

static int op_of(const char *s, int *op)
{
    static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=", "&" };
    int i;
    for (i = 0; i < 7; i++)
        if (!strcmp(s, ops[i])) {
            *op = i;   /* the order of OP_EQ ... OP_AND */
            return 1;
        }
    return 0;
}

static int field(parser *p, char **tok, int ntok)
{
    char word[64], *br;
    lnode *n;
    int i = 2;
    if (ntok < 2)
        return fail(p, "a field needs a type and a name");
    if (strlen(tok[0]) >= sizeof word)
        return fail(p, "\"%s\" is not a type", tok[0]);
    strcpy(word, tok[0]);
    if (!is_name(tok[1]))
        return fail(p, "\"%s\" is not a field name", tok[1]);
    if (!(n = new_node(p, N_FIELD)))
        return 0;
    if (!(n->name = dup(tok[1])))
        return fail(p, "out of memory");
    /* TYPE[N] or TYPE[FIELD] */
    if ((br = strchr(word, '[')) != NULL) {
        char *close = strchr(br, ']');
        if (!close || close[1] != '\0' || close == br + 1)
            return fail(p, "an array is TYPE[N] or TYPE[FIELD]");
        *close = '\0';
        *br++ = '\0';
        if (number(br, &n->array_n)) {
            n->array = 1;
        } else if (is_name(br)) {
            n->array = 2;
            if (!(n->array_field = dup(br)))
                return fail(p, "out of memory");
        } else {
            return fail(p, "\"%s\" is neither a number nor a field", br);
        }
    }
    if (!strcmp(word, "object") || !strcmp(word, "objects")) {
        n->type.t = word[6] ? T_OBJECTS : T_OBJECT;
        if (ntok > 3)
            return fail(p, "%s takes a name and a class", word);
        if (ntok == 3 && strcmp(tok[2], "*") != 0) {
            if (!is_name(tok[2]))
                return fail(p, "\"%s\" is not a class name", tok[2]);
            if (!(n->cls_name = dup(tok[2])))
                return fail(p, "out of memory");
        }
        return n->array ? fail(p, "an array of %s: use objects, or repeat", word) : 1;
    }
    if (!strcmp(word, "list")) {
        n->type.t = T_LIST;
        if (!elem_type(p, tok, ntok, &i, &n->elem))
            return 0;
    } else if (!strcmp(word, "map")) {
        n->type.t = T_MAP;
        if (!elem_type(p, tok, ntok, &i, &n->key) || !elem_type(p, tok, ntok, &i, &n->elem))
            return 0;
    } else {
        if (!type_word(p, word, &n->type))
            return 0;
        if (n->type.t == T_BYTES) {
            uint64_t sz;
            if (ntok >= 3 && is_name(tok[2])) {
                if (!(n->size_field = dup(tok[2])))
                    return fail(p, "out of memory");
            } else if (ntok < 3 || !number(tok[2], &sz) || sz == 0 || sz > 1u << 20) {
                return fail(p, "bytes NAME N (1 to 1048576), or bytes NAME FIELD");
            } else {
                n->type.nbytes = (size_t)sz;
            }
            i = 3;
        }
    }
    if (i != ntok)
        return fail(p, "\"%s\" is not expected here", tok[i]);
    return 1;
}

static int line_in_block(parser *p, char **tok, int ntok)
{
    lnode *n;
    if (!strcmp(tok[0], "end")) {
        if (ntok != 1)
            return fail(p, "end takes nothing");
        p->depth--;
        return 1;
    }
    if (!strcmp(tok[0], "else")) {
        lnode *owner = p->open[p->depth - 1];
        if (ntok != 1 || !owner || owner->kind != N_IF || p->in_else[p->depth - 1])
            return fail(p, "else without its if");
        p->depth--;
        if (!push(p, &owner->orelse, owner))
            return 0;
        p->in_else[p->depth - 1] = 1;
        return 1;
    }
    if (!strcmp(tok[0], "if")) {
        if (ntok != 4)
            return fail(p, "if FIELD OP NUMBER (or if schema OP NUMBER)");
        if (!(n = new_node(p, N_IF)))
            return 0;
        if (!strcmp(tok[1], "schema"))
            n->on_schema = 1;
        else if (!is_name(tok[1]) || !(n->ref = dup(tok[1])))
            return fail(p, "\"%s\" is not a field", tok[1]);
        if (!op_of(tok[2], &n->op))
            return fail(p, "\"%s\" is not one of == != < <= > >= &", tok[2]);
        if (!number(tok[3], &n->value))
            return fail(p, "\"%s\" is not a number", tok[3]);
        return push(p, &n->body, n);
    }
    if (!strcmp(tok[0], "repeat")) {
        if ((ntok != 3 && ntok != 6) || !is_name(tok[1]) || (ntok == 6 && strcmp(tok[2], "until")))
            return fail(p, "repeat NAME N, repeat NAME FIELD, or repeat NAME until FIELD OP NUMBER");
        if (!(n = new_node(p, N_REPEAT)))
            return 0;
        if (!(n->name = dup(tok[1])))
            return fail(p, "out of memory");
        if (ntok == 6) {
            /* read items until the condition holds for the one just read */
            n->until = 1;
            if (!is_name(tok[3]) || !(n->ref = dup(tok[3])))
                return fail(p, "\"%s\" is not a field", tok[3]);
            if (!op_of(tok[4], &n->op))
                return fail(p, "\"%s\" is not one of == != < <= > >= &", tok[4]);
            if (!number(tok[5], &n->value))
                return fail(p, "\"%s\" is not a number", tok[5]);
        } else if (!number(tok[2], &n->value) && (!is_name(tok[2]) || !(n->ref = dup(tok[2])))) {
            return fail(p, "\"%s\" is neither a number nor a field", tok[2]);
        }
        return push(p, &n->body, n);
    }
    return field(p, tok, ntok);
}

static int mfc_version(const char *s, unsigned *v)
{
    unsigned long major, minor = 0;
    char *end;
    if (!isdigit((unsigned char)*s))
        return 0;
    major = strtoul(s, &end, 10);
    if (*end == '.') {
        if (!isdigit((unsigned char)end[1]))
            return 0;
        minor = strtoul(end + 1, &end, 10);
    }
    if (*end || major < 4 || major > 15 || minor > 15)
        return 0;
    *v = major << 8 | minor << 4;
    return 1;
}

static int line_at_top(parser *p, char **tok, int ntok)
{
    layout *L = p->L;
    uint64_t v;
    if (!strcmp(tok[0], "mfc")) {
        if (ntok != 2 || !mfc_version(tok[1], &L->mfc))
            return fail(p, "mfc N: an MFC version from 4 to 15 (7.1 for 7.1)");
        return 1;
    }
    if (!strcmp(tok[0], "strings")) {
        if (ntok != 2 || (strcmp(tok[1], "ansi") && strcmp(tok[1], "unicode")))
            return fail(p, "strings ansi, or strings unicode");
        L->unicode = !strcmp(tok[1], "unicode");
        return 1;
    }
    if (!strcmp(tok[0], "codepage")) {
        if (ntok != 2 || !number(tok[1], &v) || v == 0 || v > 65535)
            return fail(p, "codepage N: a Windows code page number");
        L->codepage = (unsigned)v;
        return 1;
    }
    if (!strcmp(tok[0], "class")) {
        lclass *c;
        if (ntok < 3 || ntok > 4 || !is_name(tok[1]) || !number(tok[2], &v) || v > 0xFFFE ||
            (ntok == 4 && strcmp(tok[3], "versionable")))
            return fail(p, "class NAME SCHEMA [versionable], the schema from 0 to 65534");
        if (layout_class(L, tok[1]))
            return fail(p, "class %s twice", tok[1]);
        if (!(c = (lclass *)calloc(1, sizeof *c)) || !(c->name = dup(tok[1]))) {
            free(c);
            return fail(p, "out of memory");
        }
        c->schema = (unsigned)v;
        c->versionable = ntok == 4;
        c->next = L->classes;
        L->classes = c;
        return push(p, &c->fields, NULL);
    }
    if (!strcmp(tok[0], "struct")) {
        lstruct *s;
        if (ntok != 2 || !is_name(tok[1]))
            return fail(p, "struct NAME");
        for (s = L->structs; s; s = s->next)
            if (!strcmp(s->name, tok[1]))
                return fail(p, "struct %s twice", tok[1]);
        if (!(s = (lstruct *)calloc(1, sizeof *s)) || !(s->name = dup(tok[1]))) {
            free(s);
            return fail(p, "out of memory");
        }
        s->next = L->structs;
        L->structs = s;
        return push(p, &s->fields, NULL);
    }
    {
        static const char *const blocks[] = { "document", "message", "request", "reply" };
        lnode **where[4];
        int *has[4], b;
        where[0] = &L->document; has[0] = &L->has_document;
        where[1] = &L->message; has[1] = &L->has_message;
        where[2] = &L->request; has[2] = &L->has_request;
        where[3] = &L->reply; has[3] = &L->has_reply;
        for (b = 0; b < 4; b++) {
            if (strcmp(tok[0], blocks[b]))
                continue;
            if (ntok != 1)
                return fail(p, "%s takes nothing", tok[0]);
            if (*has[b])
                return fail(p, "%s twice", tok[0]);
            *has[b] = 1;
            return push(p, where[b], NULL);
        }
    }
    return fail(p, "\"%s\" is not a directive or a block (mfc, strings, codepage, class, struct, document, "
                "message, request, reply)", tok[0]);
}

/* ---- resolving names ---- */

static lstruct *find_struct(const layout *L, const char *name)
{
    lstruct *s;
    for (s = L->structs; s; s = s->next)
        if (!strcmp(s->name, name))
            return s;
    return NULL;
}

static int resolve_type(parser *p, ltyperef *t)
{
    if (t->t == T_STRUCT && !t->st && !(t->st = find_struct(p->L, t->st_name)))
        return fail(p, "no struct or type %s", t->st_name);
    return 1;
}

static int resolve(parser *p, lnode *n)
{
    for (; n && !p->failed; n = n->next) {
        p->line = n->line;
        if (n->kind != N_FIELD) {
            resolve(p, n->body);
            resolve(p, n->orelse);
            continue;
        }
        if (n->cls_name && !(n->cls = layout_class(p->L, n->cls_name)))
            return fail(p, "no class %s", n->cls_name);
        if (!resolve_type(p, &n->type) || !resolve_type(p, &n->elem) || !resolve_type(p, &n->key))
            return 0;
    }
    return !p->failed;
}

/* A struct that contains itself, directly or through others, would never
 * end. Each struct is walked once (mark 1 while its fields are walked, 2
 * after), so a layout costs its size, not the number of paths through
 * it. Returns 0, 1 for a cycle (*where: a struct on it), or 2 for structs
 * nested deeper than a reader could follow. */
static int struct_visit(lstruct *st, int depth, const lstruct **where);

static int struct_cycle(const lnode *n, int depth, const lstruct **where)
{
    int r;
    for (; n; n = n->next) {
        if (n->kind != N_FIELD) {
            if ((r = struct_cycle(n->body, depth, where)) || (r = struct_cycle(n->orelse, depth, where)))
                return r;
        } else if (n->type.t == T_STRUCT && (r = struct_visit(n->type.st, depth + 1, where))) {
            return r;
        }
        /* a counted list of structs may hold itself: it ends where its count says */
    }
    return 0;
}

static int struct_visit(lstruct *st, int depth, const lstruct **where)
{
    int r;
    *where = st;
    if (st->mark == 1)
        return 1;
    if (st->mark == 2)
        return 0;
    if (depth > MAX_STRUCT_NEST)
        return 2;
    st->mark = 1;
    if ((r = struct_cycle(st->fields, depth, where)) != 0)
        return r;
    st->mark = 2;
    return 0;
}

/* ---- the file ---- */

layout *layout_parse(const char *text, const char *name, char *err, size_t errcap)
{
    parser p;
    const char *s = text;
    layout *L = (layout *)calloc(1, sizeof *L);
    lclass *c;
    lstruct *st;
    memset(&p, 0, sizeof p);
    p.err = err;
    p.errcap = errcap;
    if (errcap)
        err[0] = '\0';
    if (!L || (name && !(L->name = dup(name)))) {
        if (errcap)
            snprintf(err, errcap, "out of memory");
        free(L);
        return NULL;
    }
    L->mfc = MFCS_MFC_14;
    L->unicode = 1;
    L->codepage = 1252;
    p.L = L;
    while (*s && !p.failed) {
        char buf[512], *tok[MAX_TOKENS], *q, *hash;
        size_t len = strcspn(s, "\n");
        int ntok = 0;
        p.line++;
        if (len >= sizeof buf) {
            fail(&p, "line too long");
            break;
        }
        memcpy(buf, s, len);
        buf[len] = '\0';
        s += len + (s[len] == '\n');
        if ((hash = strchr(buf, '#')) != NULL)
            *hash = '\0';
        for (q = strtok(buf, " \t\r"); q; q = strtok(NULL, " \t\r")) {
            if (ntok == MAX_TOKENS) {
                fail(&p, "too many words");
                break;
            }
            tok[ntok++] = q;
        }
        if (p.failed || ntok == 0)
            continue;
        if (p.depth == 0)
            line_at_top(&p, tok, ntok);
        else
            line_in_block(&p, tok, ntok);
    }
    if (!p.failed && p.depth > 0)
        fail(&p, "a block is not closed (end is missing)");
    if (!p.failed && !L->has_document && !L->has_message && !L->has_request && !L->has_reply)
        fail(&p, "no document and no message");
    for (c = L->classes; c && !p.failed; c = c->next)
        resolve(&p, c->fields);
    for (st = L->structs; st && !p.failed; st = st->next)
        resolve(&p, st->fields);
    if (!p.failed)
        resolve(&p, L->document);
    if (!p.failed)
        resolve(&p, L->message);
    if (!p.failed)
        resolve(&p, L->request);
    if (!p.failed)
        resolve(&p, L->reply);
    for (st = L->structs; st && !p.failed; st = st->next) {
        const lstruct *where = st;
        int r = struct_visit(st, 0, &where);
        p.line = 0;
        if (r == 1)
            fail(&p, "struct %s contains itself", where->name);
        else if (r == 2)
            fail(&p, "struct %s: structs nested more than %d deep", where->name, MAX_STRUCT_NEST);
    }
    if (p.failed) {
        layout_free(L);
        return NULL;
    }
    return L;
}

lclass *layout_class(const layout *L, const char *name)
{
    lclass *c;
    for (c = L->classes; c; c = c->next)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

static void free_type(ltyperef *t)
{
    free(t->st_name);
}

static void free_nodes(lnode *n)
{
    while (n) {
        lnode *next = n->next;
        free(n->name);
        free(n->cls_name);
        free(n->array_field);
        free(n->size_field);
        free(n->ref);
        free_type(&n->type);
        free_type(&n->elem);
        free_type(&n->key);
        free_nodes(n->body);
        free_nodes(n->orelse);
        free(n);
        n = next;
    }
}

void layout_free(layout *L)
{
    if (!L)
        return;
    while (L->classes) {
        lclass *c = L->classes;
        L->classes = c->next;
        free_nodes(c->fields);
        free(c->name);
        free(c);
    }
    while (L->structs) {
        lstruct *s = L->structs;
        L->structs = s->next;
        free_nodes(s->fields);
        free(s->name);
        free(s);
    }
    free_nodes(L->document);
    free_nodes(L->message);
    free_nodes(L->request);
    free_nodes(L->reply);
    free(L->name);
    free(L);
}
