/*
 * walk.c: mfcsock-dump's walk without a layout (walk.h, tools/README.md).
 *
 * One pass from the first byte to the last. At each offset the walk tries
 * these shapes, the strongest evidence first (MFC-REFERENCE 1.3 and 1.5):
 *
 *   1. a new-class record: FF FF, a schema WORD (not FFFF, which MFC refuses
 *      to write), a name length WORD of 1..64, then that many bytes forming
 *      a C identifier. Data rarely has this shape, so it is taken as certain;
 *   2. a CStringW: the marker FF FE FF, a length prefix, printable UTF-16LE;
 *   3. a class reference: WORD 0x8000|i, or 7FFF then DWORD 0x80000000|i,
 *      where i is the map index of a class recorded before (any data WORD
 *      of 0x8001... could look the same, hence the '?');
 *   4. a CStringA: a length prefix of at least MIN_CHARS_A, then printable
 *      bytes.
 *
 * A shape that matches is printed and stepped over; a byte nothing matches
 * joins the current run of unexplained bytes, printed as hex. A guess (2 to
 * 4) is refused when a class record starts inside it, so a plausible string
 * can never hide the one certain finding.
 *
 * Map indices follow MFC's WriteObject/ReadObject: one counter for classes
 * and objects, from 1. A new-class record takes an index for the class and
 * then one for the object that follows it; a class reference takes one for
 * its object. (A class written with WriteClass alone, without an object,
 * would shift the later numbers by one: the bytes cannot tell.)
 *
 * Cost: linear in the input, with a small constant. Scanning each string
 * candidate's characters afresh would cost up to a few hundred bytes per
 * offset inside a long run of text (every byte there is a length that
 * could start a string), so where the current run of text ends is
 * remembered between candidates (text_run): each byte is scanned about
 * once. The same goes for the next class record, which every guess asks
 * about (next_record).
 */
#include "walk.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A longer name is not a class record. MFC's reader refuses 64 already
 * (names up to 63), but its writer does not check, so 64 is kept. */
#define MAX_CLASS_NAME 64

/* Fewer characters than this are not worth a guess: one or no byte after a
 * small byte value is everywhere in binary data. */
#define MIN_CHARS_A 2

#define HEX_PER_LINE 16

/* The summary names at most this many classes, so that hostile input with
 * thousands of class records still gets a readable last line. */
#define SUMMARY_CLASSES 32

/* How far back a text query may reach behind the remembered run and still
 * use it: a candidate asks at most 18 bytes after its own offset, and
 * offsets only grow, so a query is never more than 18 bytes behind. */
#define RUN_STEP_BACK 32

/* ---- reading little-endian values (callers check the bounds) ---- */

static unsigned rd16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* ---- the walk's state ---- */

typedef struct class_rec {
    size_t name_at;         /* offset of the name's first byte */
    unsigned name_len;
    unsigned schema;
} class_rec;

/* A run of text [from, stop): stop is the first position, reached from
 * `from` in whole characters, where no text character starts. */
typedef struct text_run {
    int valid;
    size_t from, stop;
} text_run;

typedef struct walker {
    const unsigned char *d;
    size_t n;
    FILE *out;

    uint64_t map_count;         /* the last map index given out */
    class_rec *classes;         /* the class records, in stream order */
    size_t nclasses, cap_classes;
    uint32_t *class_of_index;   /* map index -> class slot + 1 (0: no class) */
    size_t cap_index;
    int lost_classes;           /* memory ran out: later classes unknown */

    size_t hex_at, hex_len;     /* the pending run of unexplained bytes */
    uint64_t certain, guessed, unexplained;

    text_run run_a;             /* ANSI text */
    text_run run_w[2];          /* UTF-16 text, one per byte parity */
    int rec_valid;              /* rec_next is the first class record at */
    size_t rec_from, rec_next;  /* or after rec_from (n: none) */
} walker;

typedef enum find_kind {
    FIND_CLASS_NEW, FIND_CLASS_REF, FIND_STRING_A, FIND_STRING_W
} find_kind;

/* One shape found at `at`, covering `size` bytes. */
typedef struct finding {
    find_kind kind;
    size_t at, size;
    /* FIND_CLASS_NEW */
    unsigned schema, name_len;
    size_t name_at;
    /* FIND_CLASS_REF */
    uint32_t tag;               /* the WORD, or the DWORD after 7FFF */
    int big;
    size_t slot;                /* into classes */
    /* FIND_STRING_A, FIND_STRING_W */
    size_t prefix_len;          /* bytes before the characters, marker included */
    uint64_t chars;             /* bytes (A) or UTF-16 units (W) */
} finding;

/* ---- what counts as text ---- */

/* A byte an ANSI CString plausibly holds: ASCII printables, tab, CR, LF,
 * and the Latin-1/cp1252 letters and signs from A0 up (which also covers
 * most bytes of DBCS text). C0 controls, 7F and 80-9F are not text, nor
 * is FF: rare in text (cp1252's y-diaeresis; no byte of GBK, Shift-JIS or
 * Big5), everywhere in binary data (-1, small negative numbers), and the
 * first byte of every new-class tag and wide-string marker. */
static int text_byte(unsigned char c)
{
    return (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\r' || c == '\n' || (c >= 0xA0 && c != 0xFF);
}

static int high_surrogate(unsigned u) { return u >= 0xD800 && u < 0xDC00; }
static int low_surrogate(unsigned u) { return u >= 0xDC00 && u < 0xE000; }

/* A UTF-16 unit that is text on its own: no C0 or C1 control but tab, CR,
 * LF, and not the noncharacters FFFE and FFFF. Surrogates are not text on
 * their own; wide_char_at takes them in pairs. */
static int text_unit(unsigned u)
{
    if (u < 0x20)
        return u == '\t' || u == '\r' || u == '\n';
    if (u >= 0x7F && u < 0xA0)
        return 0;
    return !high_surrogate(u) && !low_surrogate(u) && u < 0xFFFE;
}

/* The size of the text character starting at i (2, or 4 for a surrogate
 * pair), or 0 when none starts there or the input ends inside it. */
static size_t wide_char_at(const walker *w, size_t i)
{
    unsigned u;
    if (i > w->n || w->n - i < 2)
        return 0;
    u = rd16(w->d + i);
    if (high_surrogate(u))
        return w->n - i >= 4 && low_surrogate(rd16(w->d + i + 2)) ? 4 : 0;
    return text_unit(u) ? 2 : 0;
}

/* The end of the ANSI text starting at q: the first position >= q that is
 * not a text byte, or n. Amortized O(1) for the walk's queries: a query
 * inside the remembered run is answered at once, one a little behind it
 * checks only the gap, and a fresh scan starts past the old run's end, so
 * each byte is scanned about once. */
static size_t text_end_a(walker *w, size_t q)
{
    text_run *r = &w->run_a;
    size_t i = q;
    if (r->valid && q >= r->from && q <= r->stop)
        return r->stop;
    if (r->valid && q < r->from && r->from - q <= RUN_STEP_BACK) {
        while (i < r->from && text_byte(w->d[i]))
            i++;
        return i < r->from ? i : r->stop;
    }
    while (i < w->n && text_byte(w->d[i]))
        i++;
    r->valid = 1;
    r->from = q;
    r->stop = i;
    return i;
}

/* The same for UTF-16 text starting at q, in whole characters. The run
 * remembered is that of q's byte parity: a position of the other parity
 * cuts every unit in two. */
static size_t text_end_w(walker *w, size_t q)
{
    text_run *r = &w->run_w[q & 1];
    size_t i = q, s;
    if (r->valid && q >= r->from && q <= r->stop) {
        /* Inside a run every unit boundary starts a character, except the
         * low half of a pair, which cannot start a string. */
        if (q < r->stop && low_surrogate(rd16(w->d + q)))
            return q;
        return r->stop;
    }
    if (r->valid && q < r->from && r->from - q <= RUN_STEP_BACK) {
        while (i < r->from && (s = wide_char_at(w, i)) != 0)
            i += s;
        if (i == r->from)
            return r->stop;
        if (i < r->from)
            return i;
        /* A pair straddles r->from (the unit there is a lone low half, so
         * the run there was empty): scan afresh from q. */
        i = q;
    }
    while ((s = wide_char_at(w, i)) != 0)
        i += s;
    r->valid = 1;
    r->from = q;
    r->stop = i;
    return i;
}

/* ---- the shapes ---- */

static int ident_start(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int ident_char(unsigned char c)
{
    return ident_start(c) || (c >= '0' && c <= '9');
}

/* Whether a new-class record starts at p (FF FF, schema, length, name). */
static int record_at(const walker *w, size_t p, unsigned *schema, unsigned *name_len)
{
    const unsigned char *d = w->d;
    unsigned s, len, i;
    if (p > w->n || w->n - p < 7 || d[p] != 0xFF || d[p + 1] != 0xFF)
        return 0;
    s = rd16(d + p + 2);
    len = rd16(d + p + 4);
    if (s == 0xFFFF || len < 1 || len > MAX_CLASS_NAME || w->n - p - 6 < len)
        return 0;
    if (!ident_start(d[p + 6]))
        return 0;
    for (i = 1; i < len; i++)
        if (!ident_char(d[p + 6 + i]))
            return 0;
    *schema = s;
    *name_len = len;
    return 1;
}

/* The first offset >= from where a class record starts, or n. The walk
 * asks with growing `from`, so the answer is remembered until passed. */
static size_t next_record(walker *w, size_t from)
{
    unsigned s, len;
    size_t p = from;
    if (w->rec_valid && from >= w->rec_from && from <= w->rec_next)
        return w->rec_next;
    while (p < w->n && !record_at(w, p, &s, &len))
        p++;
    w->rec_valid = 1;
    w->rec_from = from;
    w->rec_next = p;
    return w->rec_next;
}

/* Whether a guess over [p, end) leaves every class record whole. */
static int clear_of_records(walker *w, size_t p, size_t end)
{
    return next_record(w, p + 1) >= end;
}

/* A CString length prefix at q (what MFC's AfxReadStringLength reads after
 * any wide marker), in the form AfxWriteStringLength gives that length:
 * BYTE 0..FE; FF + WORD FF..FFFD; FF FFFF + DWORD FFFE..FFFFFFFE;
 * FF FFFF FFFFFFFF + QWORD from FFFFFFFF. Returns its size (1, 3, 7 or 15)
 * and the length, or 0. Other forms are refused: MFC never writes them,
 * and each refusal is one false string less. */
static size_t length_prefix(const walker *w, size_t q, uint64_t *len)
{
    const unsigned char *d = w->d;
    size_t left = q < w->n ? w->n - q : 0;
    uint64_t v;
    if (left < 1)
        return 0;
    if (d[q] != 0xFF) {
        *len = d[q];
        return 1;
    }
    if (left < 3)
        return 0;
    v = rd16(d + q + 1);
    if (v != 0xFFFF) {
        if (v < 0xFF || v == 0xFFFE)        /* FFFE is the wide marker */
            return 0;
        *len = v;
        return 3;
    }
    if (left < 7)
        return 0;
    v = rd32(d + q + 3);
    if (v != 0xFFFFFFFFu) {
        if (v < 0xFFFE)
            return 0;
        *len = v;
        return 7;
    }
    if (left < 15)
        return 0;
    v = rd64(d + q + 7);
    if (v < 0xFFFFFFFFu)
        return 0;
    *len = v;
    return 15;
}

static int find_class_record(walker *w, size_t p, finding *f)
{
    unsigned schema, name_len;
    if (!record_at(w, p, &schema, &name_len))
        return 0;
    f->kind = FIND_CLASS_NEW;
    f->at = p;
    f->size = 6 + (size_t)name_len;
    f->schema = schema;
    f->name_at = p + 6;
    f->name_len = name_len;
    return 1;
}

static int find_string_w(walker *w, size_t p, finding *f)
{
    const unsigned char *d = w->d;
    uint64_t units;
    size_t pl, q, end;
    if (w->n - p < 4 || d[p] != 0xFF || d[p + 1] != 0xFE || d[p + 2] != 0xFF)
        return 0;
    if ((pl = length_prefix(w, p + 3, &units)) == 0)
        return 0;
    q = p + 3 + pl;
    /* Any length, even 0: the 3-byte marker is evidence enough (Jw_cad
     * writes hundreds of empty CStringWs). */
    if (units > (w->n - q) / 2)
        return 0;
    end = q + (size_t)units * 2;
    /* All text, and the last unit is not a pair's first half cut off. */
    if (units > 0 && (text_end_w(w, q) < end || high_surrogate(rd16(d + end - 2))))
        return 0;
    if (!clear_of_records(w, p, end))
        return 0;
    f->kind = FIND_STRING_W;
    f->at = p;
    f->size = end - p;
    f->prefix_len = 3 + pl;
    f->chars = units;
    return 1;
}

static int find_class_ref(walker *w, size_t p, finding *f)
{
    const unsigned char *d = w->d;
    unsigned word;
    uint32_t tag;
    uint64_t index;
    size_t size;
    int big = 0;
    if (w->nclasses == 0 || w->n - p < 2)
        return 0;
    word = rd16(d + p);
    if (word == 0x7FFF) {
        /* MFC uses the big form only for an index a WORD cannot hold. */
        if (w->n - p < 6)
            return 0;
        tag = rd32(d + p + 2);
        if (!(tag & 0x80000000u) || (tag & 0x7FFFFFFFu) < 0x7FFF)
            return 0;
        index = tag & 0x7FFFFFFFu;
        size = 6;
        big = 1;
    } else if ((word & 0x8000) && word != 0xFFFF) {
        tag = word;
        index = word & 0x7FFF;
        size = 2;
    } else {
        return 0;
    }
    /* Index 0 never names a class, so 0x8000 (invalid in MFC) fails here. */
    if (index >= w->cap_index || w->class_of_index[index] == 0)
        return 0;
    if (!clear_of_records(w, p, p + size))
        return 0;
    f->kind = FIND_CLASS_REF;
    f->at = p;
    f->size = size;
    f->tag = tag;
    f->big = big;
    f->slot = w->class_of_index[index] - 1;
    return 1;
}

static int find_string_a(walker *w, size_t p, finding *f)
{
    uint64_t len;
    size_t pl, q, end;
    if ((pl = length_prefix(w, p, &len)) == 0)
        return 0;
    q = p + pl;
    if (len < MIN_CHARS_A || len > w->n - q)
        return 0;
    end = q + (size_t)len;
    if (text_end_a(w, q) < end || !clear_of_records(w, p, end))
        return 0;
    f->kind = FIND_STRING_A;
    f->at = p;
    f->size = end - p;
    f->prefix_len = pl;
    f->chars = len;
    return 1;
}

/* ---- the class table ---- */

/* Remembers a class record at map index `index`, so that references to it
 * are recognized. Out of memory, the walk goes on without it. */
static void record_class(walker *w, const finding *f, uint64_t index)
{
    if (w->lost_classes)
        return;
    if (w->nclasses == w->cap_classes) {
        size_t cap = w->cap_classes ? w->cap_classes * 2 : 16;
        class_rec *c = NULL;
        if (cap <= SIZE_MAX / sizeof *c && cap < UINT32_MAX)
            c = (class_rec *)realloc(w->classes, cap * sizeof *c);
        if (!c) {
            w->lost_classes = 1;
            return;
        }
        w->classes = c;
        w->cap_classes = cap;
    }
    if (index >= w->cap_index) {
        /* Indices grow by at most one per two input bytes: bounded by n. */
        size_t cap = w->cap_index ? w->cap_index : 64;
        uint32_t *m = NULL;
        while (cap <= index && cap <= SIZE_MAX / 2)
            cap *= 2;
        if (cap > index && cap <= SIZE_MAX / sizeof *m)
            m = (uint32_t *)realloc(w->class_of_index, cap * sizeof *m);
        if (!m) {
            w->lost_classes = 1;
            return;
        }
        memset(m + w->cap_index, 0, (cap - w->cap_index) * sizeof *m);
        w->class_of_index = m;
        w->cap_index = cap;
    }
    w->classes[w->nclasses].name_at = f->name_at;
    w->classes[w->nclasses].name_len = f->name_len;
    w->classes[w->nclasses].schema = f->schema;
    w->nclasses++;
    w->class_of_index[(size_t)index] = (uint32_t)w->nclasses;
}

/* ---- output ---- */

static void put_hex(FILE *out, uint64_t v, int min_digits, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[17];
    int i = 16;
    buf[16] = '\0';
    do {
        buf[--i] = digits[v & 15];
        v >>= 4;
    } while (v != 0 || 16 - i < min_digits);
    fputs(buf + i, out);
}

static void put_dec(FILE *out, uint64_t v)
{
    char buf[21];
    int i = 20;
    buf[20] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    fputs(buf + i, out);
}

static void put_offset(FILE *out, size_t at)
{
    put_hex(out, at, 8, 0);
    fputs("  ", out);
}

/* An ASCII character inside quotes, escaped as JSON would (plus \xNN for
 * the controls JSON writes as \u00NN: shorter, and these are bytes). */
static void put_ascii(FILE *out, unsigned c)
{
    switch (c) {
    case '"':  fputs("\\\"", out); return;
    case '\\': fputs("\\\\", out); return;
    case '\t': fputs("\\t", out); return;
    case '\n': fputs("\\n", out); return;
    case '\r': fputs("\\r", out); return;
    default:
        if (c >= 0x20 && c < 0x7F) {
            putc((int)c, out);
        } else {
            fputs("\\x", out);
            put_hex(out, c, 2, 0);
        }
    }
}

/* A code point as UTF-8 (ASCII escaped). */
static void put_code_point(FILE *out, uint32_t cp)
{
    if (cp < 0x80) {
        put_ascii(out, cp);
    } else if (cp < 0x800) {
        putc((int)(0xC0 | cp >> 6), out);
        putc((int)(0x80 | (cp & 0x3F)), out);
    } else if (cp < 0x10000) {
        putc((int)(0xE0 | cp >> 12), out);
        putc((int)(0x80 | (cp >> 6 & 0x3F)), out);
        putc((int)(0x80 | (cp & 0x3F)), out);
    } else {
        putc((int)(0xF0 | cp >> 18), out);
        putc((int)(0x80 | (cp >> 12 & 0x3F)), out);
        putc((int)(0x80 | (cp >> 6 & 0x3F)), out);
        putc((int)(0x80 | (cp & 0x3F)), out);
    }
}

static void put_prefix(FILE *out, const unsigned char *p, size_t len)
{
    size_t i;
    fputs(" (prefix", out);
    for (i = 0; i < len; i++) {
        putc(' ', out);
        put_hex(out, p[i], 2, 1);
    }
    fputs("): \"", out);
}

/* Prints the pending unexplained bytes, if any. */
static void flush_hex(walker *w)
{
    size_t i;
    if (w->hex_len == 0)
        return;
    put_offset(w->out, w->hex_at);
    for (i = 0; i < w->hex_len; i++) {
        if (i)
            putc(' ', w->out);
        put_hex(w->out, w->d[w->hex_at + i], 2, 0);
    }
    putc('\n', w->out);
    w->hex_len = 0;
}

static void unexplained(walker *w, size_t p)
{
    if (w->hex_len == 0)
        w->hex_at = p;
    w->hex_len++;
    w->unexplained++;
    if (w->hex_len == HEX_PER_LINE)
        flush_hex(w);
}

static void put_name(FILE *out, const unsigned char *name, size_t len)
{
    fwrite(name, 1, len, out);   /* a C identifier: nothing to escape */
}

/* Prints a finding and takes its map indices. */
static void report(walker *w, const finding *f)
{
    FILE *out = w->out;
    const unsigned char *d = w->d;
    size_t i;

    flush_hex(w);
    put_offset(out, f->at);
    switch (f->kind) {
    case FIND_CLASS_NEW: {
        uint64_t cls = ++w->map_count, obj = ++w->map_count;
        record_class(w, f, cls);
        w->certain += f->size;
        fputs("class ", out);
        put_name(out, d + f->name_at, f->name_len);
        fputs(", schema ", out);
        put_dec(out, f->schema);
        fputs(", new (map index ", out);
        put_dec(out, cls);
        fputs("); object #", out);
        put_dec(out, obj);
        fputs(" of it follows\n", out);
        break;
    }
    case FIND_CLASS_REF: {
        const class_rec *c = &w->classes[f->slot];
        w->guessed += f->size;
        fputs("class reference 0x", out);
        put_hex(out, f->tag, f->big ? 8 : 4, 0);
        if (f->big)
            fputs(" (after 7FFF)", out);
        fputs(": ", out);
        put_name(out, d + c->name_at, c->name_len);
        fputs("; object #", out);
        put_dec(out, ++w->map_count);
        fputs(" follows?\n", out);
        break;
    }
    case FIND_STRING_A: {
        const unsigned char *s = d + f->at + f->prefix_len;
        w->guessed += f->size;
        fputs("string? CStringA, ", out);
        put_dec(out, f->chars);
        fputs(" bytes", out);
        put_prefix(out, d + f->at, f->prefix_len);
        for (i = 0; i < (size_t)f->chars; i++) {
            if (s[i] < 0x80)
                put_ascii(out, s[i]);
            else {   /* the code page is unknown: the byte as it is */
                fputs("\\x", out);
                put_hex(out, s[i], 2, 0);
            }
        }
        fputs("\"\n", out);
        break;
    }
    case FIND_STRING_W: {
        const unsigned char *s = d + f->at + f->prefix_len;
        size_t bytes = (size_t)f->chars * 2;
        w->guessed += f->size;
        fputs("string? CStringW, ", out);
        put_dec(out, f->chars);
        fputs(f->chars == 1 ? " unit" : " units", out);
        put_prefix(out, d + f->at, f->prefix_len);
        for (i = 0; i < bytes; i += 2) {
            uint32_t u = rd16(s + i);
            if (high_surrogate(u)) {   /* checked: a low half follows */
                u = 0x10000 + ((u - 0xD800) << 10) + (rd16(s + i + 2) - 0xDC00);
                i += 2;
            }
            put_code_point(out, u);
        }
        fputs("\"\n", out);
        break;
    }
    }
}

static void summary(walker *w)
{
    FILE *out = w->out;
    size_t i;
    fputs("summary: ", out);
    put_dec(out, w->n);
    fputs(" bytes; classes: ", out);
    if (w->nclasses == 0)
        fputs("none", out);
    for (i = 0; i < w->nclasses && i < SUMMARY_CLASSES; i++) {
        if (i)
            fputs(", ", out);
        put_name(out, w->d + w->classes[i].name_at, w->classes[i].name_len);
        fputs(" (schema ", out);
        put_dec(out, w->classes[i].schema);
        putc(')', out);
    }
    if (w->nclasses > SUMMARY_CLASSES) {
        fputs(", ... (", out);
        put_dec(out, w->nclasses - SUMMARY_CLASSES);
        fputs(" more)", out);
    }
    if (w->lost_classes)
        fputs(" (out of memory: later classes not followed)", out);
    fputs("; explained ", out);
    put_dec(out, w->certain + w->guessed);
    fputs(" bytes (", out);
    put_dec(out, w->certain);
    fputs(" certain, ", out);
    put_dec(out, w->guessed);
    fputs(" guessed), unexplained ", out);
    put_dec(out, w->unexplained);
    fputs(" bytes\n", out);
}

/* ---- the walk ---- */

int dump_walk(const unsigned char *data, size_t len, FILE *out)
{
    walker w;
    size_t p = 0;

    if (!out)
        return 0;
    memset(&w, 0, sizeof w);
    w.d = data;
    w.n = data ? len : 0;
    w.out = out;

    while (p < w.n) {
        finding f;
        memset(&f, 0, sizeof f);   /* each finder fills what its kind uses */
        if (find_class_record(&w, p, &f) || find_string_w(&w, p, &f) ||
            find_class_ref(&w, p, &f) || find_string_a(&w, p, &f)) {
            report(&w, &f);
            p += f.size;
        } else {
            unexplained(&w, p);
            p++;
        }
    }
    flush_hex(&w);
    summary(&w);

    free(w.classes);
    free(w.class_of_index);
    return 0;
}
