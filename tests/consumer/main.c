/* Built against an installed mfcsock (CMake package or pkg-config flags):
 * exits 0 only when the DLL loads, starts, and reports the version the
 * package said it was.
 *
 * It is also a legacy Win32 file: <mfcsock.h> comes first, then the full
 * <windows.h> (no WIN32_LEAN_AND_MEAN), and it uses shellapi.h, which a
 * public header that narrowed windows.h would take away (built with
 * -Werror=implicit-function-declaration, /we4013 for MSVC). */
#include <mfcsock.h>
#include <windows.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    mfcs_err err;

    /* Never taken: it is here to compile and link. */
    if (argc > 99)
        ShellExecuteA(NULL, "open", argv[1], NULL, NULL, SW_SHOWNORMAL);

    err = mfcs_init();
    if (err != MFCS_OK) {
        printf("consumer: mfcs_init: %s\n", mfcs_strerror(err));
        return 1;
    }
    printf("consumer: linked mfcsock %s\n", mfcs_version());
#ifdef EXPECTED_VERSION
    if (strcmp(mfcs_version(), EXPECTED_VERSION) != 0) {
        printf("consumer: the package said %s\n", EXPECTED_VERSION);
        mfcs_term();
        return 1;
    }
#endif
    mfcs_term();
    return 0;
}
