/* demo: walks the library's start-up, error texts and message pump, and
 * prints what it did. Run by the README's first command. */
#include <stdio.h>

#include <winsock2.h>
#include <windows.h>

#include <mfcsock.h>

int main(void)
{
    mfcs_err err;
    unsigned n = 0;

    printf("mfcsock %s\n", mfcs_version());
    err = mfcs_init();
    printf("mfcs_init: %s\n", mfcs_strerror(err));
    if (err != MFCS_OK)
        return 1;

    printf("what a few codes mean:\n");
    printf("  MFCS_E_BADHANDLE   0x%08X  %s\n", MFCS_E_BADHANDLE, mfcs_strerror(MFCS_E_BADHANDLE));
    printf("  MFCS_E_NOTSTREAM   0x%08X  %s\n", MFCS_E_NOTSTREAM, mfcs_strerror(MFCS_E_NOTSTREAM));
    printf("  WSAECONNREFUSED    %10d  %s\n", WSAECONNREFUSED, mfcs_strerror(WSAECONNREFUSED));

    PostThreadMessageA(GetCurrentThreadId(), WM_USER, 0, 0);
    err = mfcs_pump(100, &n);
    printf("mfcs_pump: %s, %u message(s) dispatched\n", mfcs_strerror(err), n);

    mfcs_term();
    printf("mfcs_term: done\n");
    return err == MFCS_OK && n == 1 ? 0 : 1;
}
