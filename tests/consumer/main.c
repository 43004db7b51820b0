/* Built against an installed mfcsock (CMake package or pkg-config flags):
 * exits 0 only when the DLL loads, starts, and reports the version the
 * package said it was. */
#include <stdio.h>
#include <string.h>

#include <mfcsock.h>

int main(void)
{
    mfcs_err err = mfcs_init();
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
