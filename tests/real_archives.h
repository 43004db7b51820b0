/* Documents written by real MFC programs (shared/mfc-real-archives, beside
 * the repository, not committed: tests/CMakeLists.txt passes its folder as
 * MFCS_REAL_ARCHIVES_DIR). A test whose document is not there is skipped,
 * saying where it looked. Needs archive_util.h's OK(). */
#ifndef REAL_ARCHIVES_H
#define REAL_ARCHIVES_H

#include <stdio.h>

#include <windows.h>

#ifndef MFCS_REAL_ARCHIVES_DIR
#define MFCS_REAL_ARCHIVES_DIR ""
#endif

/* Opens the document for reading; 0 when it is not there. */
static int open_real(const char *name, mfcs_file **f)
{
    char path[1024];
    mfcs_err err;
    snprintf(path, sizeof path, "%s/%s", MFCS_REAL_ARCHIVES_DIR, name);
    err = mfcs_file_open_path(f, path, MFCS_FILE_READ);
    if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND)
        return 0;
    OK(err);
    return 1;
}

#define REAL_OR_SKIP(name, f) do { if (!open_real(name, f)) \
    cr_skip_test("%s/%s is not there (shared/ beside the repository)", MFCS_REAL_ARCHIVES_DIR, name); } while (0)

#endif
