/* A scratch file for a test's output (tmpfile: open_memstream does not
 * exist on Windows), read back whole. Portable C runtime only, so the
 * tests that use it build natively on Linux and with mingw-w64. */
#ifndef MFCS_TESTS_SCRATCH_FILE_H
#define MFCS_TESTS_SCRATCH_FILE_H

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>

#ifdef _WIN32
#include <process.h>
#define scratch_getpid _getpid
#else
#include <unistd.h>
#define scratch_getpid getpid
#endif

/* tmpfile(), or where that is refused (old Windows C runtimes make it in
 * the drive's root) a named one in the temporary folder, removed when
 * closed by close_scratch. */
static char scratch_name[1024];

static FILE *open_scratch(void)
{
    static unsigned serial;
    const char *dir = getenv("TMPDIR");
    FILE *f = tmpfile();
    if (f)
        return f;
    if (!dir)
        dir = getenv("TEMP");
    if (!dir)
        dir = ".";
    snprintf(scratch_name, sizeof scratch_name, "%s/mfcs_test_%d_%u.tmp", dir, (int)scratch_getpid(), serial++);
    f = fopen(scratch_name, "w+b");
    cr_assert_not_null(f, "no scratch file (tmpfile and %s both refused)", scratch_name);
    return f;
}

/* Everything written to f, NUL-terminated (free it); closes f. */
static char *close_scratch_text(FILE *f)
{
    long size;
    char *text;
    cr_assert_eq(fflush(f), 0);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    cr_assert_geq(size, 0);
    rewind(f);
    text = (char *)malloc((size_t)size + 1);
    cr_assert_not_null(text);
    cr_assert_eq(fread(text, 1, (size_t)size, f), (size_t)size);
    text[size] = '\0';
    fclose(f);
    if (scratch_name[0]) {
        remove(scratch_name);
        scratch_name[0] = '\0';
    }
    return text;
}

#endif
