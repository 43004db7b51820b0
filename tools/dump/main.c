/*
 * mfcsock-dump: see inside an MFC archive, turn it into JSON and back,
 * watch a live protocol (tools/README.md). This file is the command line;
 * the work is in walk.c, layout.c, codec.c and proxy.c.
 */
#include "codec.h"
#include "proxy.h"
#include "walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#  include <fcntl.h>
#  include <io.h>
#endif

static const char usage[] =
    "usage: mfcsock-dump FILE|-                                  walk the bytes, no layout\n"
    "       mfcsock-dump --layout L FILE|-                       decode to JSON\n"
    "       mfcsock-dump --layout L --text FILE|-                decode to an indented text tree\n"
    "       mfcsock-dump --layout L --encode FILE.json [-o OUT]  encode JSON into an archive\n"
    "       mfcsock-dump --layout L --proxy PORT HOST:PORT       watch a protocol (Windows)\n"
    "       mfcsock-dump --version\n";

/* The whole of a file ("-": stdin), NUL-terminated; NULL with a message. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    unsigned char *b = NULL;
    size_t cap = 0, n = 0;
    if (!f) {
        fprintf(stderr, "mfcsock-dump: cannot open %s\n", path);
        return NULL;
    }
    for (;;) {
        size_t got;
        if (cap - n < 65536) {
            unsigned char *nb = (unsigned char *)realloc(b, cap ? cap * 2 : 65536 * 2);
            if (!nb) {
                fprintf(stderr, "mfcsock-dump: out of memory reading %s\n", path);
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap = cap ? cap * 2 : 65536 * 2;
        }
        got = fread(b + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                fprintf(stderr, "mfcsock-dump: cannot read %s\n", path);
                free(b);
                b = NULL;
            }
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    if (b) {
        b[n] = '\0';
        *len = n;
    }
    return b;
}

static layout *load_layout(const char *path)
{
    size_t len;
    char err[512];
    unsigned char *text = slurp(path, &len);
    const char *base = strrchr(path, '/');
    layout *L;
    if (!text)
        return NULL;
#ifdef _WIN32
    if (strrchr(path, '\\') > base)
        base = strrchr(path, '\\');
#endif
    L = layout_parse((const char *)text, base ? base + 1 : path, err, sizeof err);
    free(text);
    if (!L)
        fprintf(stderr, "mfcsock-dump: %s\n", err);
    return L;
}

int main(int argc, char **argv)
{
    const char *layout_path = NULL, *out_path = NULL, *input = NULL, *proxy_port = NULL, *proxy_to = NULL;
    int text = 0, encode = 0, i, status = 2;
    layout *L = NULL;
    unsigned char *data = NULL;
    size_t len = 0;
    char msg[1024];

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--layout") && i + 1 < argc) {
            layout_path = argv[++i];
        } else if (!strcmp(argv[i], "--text")) {
            text = 1;
        } else if (!strcmp(argv[i], "--encode")) {
            encode = 1;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out_path = argv[++i];
        } else if (!strcmp(argv[i], "--proxy") && i + 2 < argc) {
            proxy_port = argv[++i];
            proxy_to = argv[++i];
        } else if (!strcmp(argv[i], "--version")) {
            printf("mfcsock-dump %s\n", mfcs_version());
            return 0;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "mfcsock-dump: unknown option %s\n%s", argv[i], usage);
            return 2;
        } else if (!input) {
            input = argv[i];
        } else {
            fprintf(stderr, "mfcsock-dump: one input at a time\n%s", usage);
            return 2;
        }
    }
    if ((!input && !proxy_port) || ((text || encode || proxy_port) && !layout_path) || (text && encode) ||
        (proxy_port && (input || text || encode)) || (out_path && !encode)) {
        fputs(usage, stderr);
        return 2;
    }
#ifdef _WIN32
    _setmode(_fileno(stdin), _O_BINARY);
    if (encode && !out_path)
        _setmode(_fileno(stdout), _O_BINARY);
#endif
    if (mfcs_init() != MFCS_OK) {
        fprintf(stderr, "mfcsock-dump: mfcs_init failed\n");
        return 2;
    }
    if (layout_path && !(L = load_layout(layout_path)))
        goto out;

    if (proxy_port) {
        status = dump_proxy(L, proxy_port, proxy_to, stdout);
        goto out;
    }
    if (!(data = slurp(input, &len)))
        goto out;
    if (!L) {
        status = dump_walk(data, len, stdout) ? 1 : 0;
    } else if (encode) {
        cJSON *root = cJSON_Parse((const char *)data);
        unsigned char *bytes = NULL;
        size_t n = 0;
        if (!root) {
            fprintf(stderr, "mfcsock-dump: %s is not JSON (near \"%.20s\")\n", input,
                    cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "");
            goto out;
        }
        if (!dump_encode(L, root, &bytes, &n, msg, sizeof msg)) {
            fprintf(stderr, "mfcsock-dump: %s\n", msg);
            status = 1;
        } else {
            FILE *f = out_path ? fopen(out_path, "wb") : stdout;
            int written = f && fwrite(bytes, 1, n, f) == n;
            if (f && f != stdout && fclose(f) != 0)
                written = 0;
            if (!written) {
                fprintf(stderr, "mfcsock-dump: cannot write %s\n", out_path ? out_path : "stdout");
                /* A half-written archive must not look like a result. */
                if (f && out_path)
                    remove(out_path);
            } else {
                status = 0;
            }
        }
        free(bytes);
        cJSON_Delete(root);
    } else {
        cJSON *root = dump_decode(L, data, len, msg, sizeof msg);
        if (!root) {
            fprintf(stderr, "mfcsock-dump: %s\n", msg);
            status = 1;
        } else {
            const cJSON *warning = cJSON_GetObjectItemCaseSensitive(root, "warning");
            if (cJSON_IsString(warning))
                fprintf(stderr, "mfcsock-dump: warning: %s\n", warning->valuestring);
            status = 0;
            if (text) {
                dump_text(root, stdout);
            } else {
                char *json = cJSON_Print(root);
                if (json) {
                    printf("%s\n", json);
                } else {
                    fprintf(stderr, "mfcsock-dump: out of memory printing JSON\n");
                    status = 2;
                }
                free(json);
            }
            cJSON_Delete(root);
        }
    }
out:
    /* Exit 0 promises the output is whole: a full disk or a closed pipe
       must not pass for success. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "mfcsock-dump: cannot write stdout\n");
        status = 2;
    }
    free(data);
    layout_free(L);
    mfcs_term();
    return status;
}
