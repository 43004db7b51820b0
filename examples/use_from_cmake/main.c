/* The smallest program on an installed mfcsock, built by the
 * CMakeLists.txt beside it (see the README, "Use it from your own
 * project"). Copy both to start a project of your own. */
#include <mfcsock.h>

#include <stdio.h>

int main(void)
{
    mfcs_err err = mfcs_init();
    if (err != MFCS_OK) {
        fprintf(stderr, "app: mfcs_init: %s\n", mfcs_strerror(err));
        return 1;
    }
    printf("app: mfcsock %s is running\n", mfcs_version());
    printf("app: an async call that would block returns %d, \"%s\"\n", WSAEWOULDBLOCK,
           mfcs_strerror(WSAEWOULDBLOCK));
    mfcs_term();
    return 0;
}
