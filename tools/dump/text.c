/*
 * text.c: decoded JSON as an indented text tree (--text), for reading by
 * eye: one line per value, objects as "Class #id", references as "-> #id".
 */
#include "codec.h"

#include <stdio.h>
#include <string.h>

static void indent(FILE *out, int depth)
{
    int i;
    for (i = 0; i < depth; i++)
        fputs("  ", out);
}

/* A decoded string in quotes. It comes from the input, so nothing in it may
 * pass for the tree's own lines or reach the terminal as a control: quotes,
 * backslashes and C0/C1 controls are escaped; other UTF-8 goes through. */
static void quoted(const char *s, FILE *out)
{
    const unsigned char *p = (const unsigned char *)s;
    putc('"', out);
    for (; *p; p++) {
        if (*p == '"' || *p == '\\') {
            putc('\\', out);
            putc(*p, out);
        } else if (*p == '\n') {
            fputs("\\n", out);
        } else if (*p == '\r') {
            fputs("\\r", out);
        } else if (*p == '\t') {
            fputs("\\t", out);
        } else if (*p < 0x20 || *p == 0x7F) {
            fprintf(out, "\\x%02x", *p);
        } else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
            fprintf(out, "\\u%04x", p[1]);   /* U+0080-U+009F: C1 controls */
            p++;
        } else {
            putc(*p, out);
        }
    }
    putc('"', out);
}

static void scalar(const cJSON *v, FILE *out)
{
    if (cJSON_IsString(v))
        quoted(v->valuestring, out);
    else if (cJSON_IsRaw(v))
        fputs(v->valuestring, out);
    else if (cJSON_IsNumber(v))
        fprintf(out, "%.17g", v->valuedouble);
    else if (cJSON_IsBool(v))
        fputs(cJSON_IsTrue(v) ? "true" : "false", out);
    else
        fputs("null", out);
}

static void node(const char *name, const cJSON *v, FILE *out, int depth)
{
    const cJSON *c;
    indent(out, depth);
    if (name)
        fprintf(out, "%s:", name);
    if (cJSON_IsObject(v) || cJSON_IsArray(v) || !name)
        ;
    else
        fputc(' ', out);
    if (cJSON_IsObject(v)) {
        const cJSON *cls = cJSON_GetObjectItemCaseSensitive(v, "$class");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(v, "$id");
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(v, "$ref");
        if (ref) {
            fputs("-> #", out);
            scalar(ref, out);
            fputc('\n', out);
            return;
        }
        if (cJSON_IsString(cls)) {
            fprintf(out, "%s%s", name ? " " : "", cls->valuestring);
            if (id) {
                fputs(" #", out);
                scalar(id, out);
            }
        }
        fputc('\n', out);
        cJSON_ArrayForEach(c, v)
            if (c->string[0] != '$')
                node(c->string, c, out, depth + 1);
    } else if (cJSON_IsArray(v)) {
        int i = 0;
        fprintf(out, "%s[%d]\n", name ? " " : "", cJSON_GetArraySize(v));
        cJSON_ArrayForEach(c, v) {
            char label[24];
            snprintf(label, sizeof label, "[%d]", i++);
            node(label, c, out, depth + 1);
        }
    } else {
        scalar(v, out);
        fputc('\n', out);
    }
}

void dump_text(const cJSON *root, FILE *out)
{
    const cJSON *doc = cJSON_GetObjectItemCaseSensitive(root, "document");
    node("document", doc ? doc : root, out, 0);
}
