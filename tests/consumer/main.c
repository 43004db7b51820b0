/* Built against an installed mfcsock (CMake package or pkg-config flags):
 * exits 0 only when the DLL loads, starts, and reports the version the
 * package said it was.
 *
 * It is also a legacy Win32 file: <mfcsock.h> comes first, then the full
 * <windows.h> (no WIN32_LEAN_AND_MEAN), and it uses shellapi.h, which a
 * public header that narrowed windows.h would take away (built with
 * -Werror=implicit-function-declaration, /we4013 for MSVC). And it calls
 * Winsock itself, linked only through what find_package or pkg-config
 * give: ws2_32 comes with mfcsock. */
#include <mfcsock.h>
#include <windows.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    mfcs_socket *s = NULL;
    SOCKET h;
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

    /* A SOCKET made with Winsock directly, handed to the library. */
    h = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (h == INVALID_SOCKET) {
        printf("consumer: socket: %s\n", mfcs_strerror(WSAGetLastError()));
        mfcs_term();
        return 1;
    }
    err = mfcs_socket_new(&s, MFCS_ASYNC, NULL, NULL);
    if (err == MFCS_OK)
        err = mfcs_socket_attach(s, h, MFCS_ALL_EVENTS);
    if (err != MFCS_OK) {
        printf("consumer: attach: %s\n", mfcs_strerror(err));
        closesocket(h);
        mfcs_term();
        return 1;
    }
    mfcs_socket_free(s); /* closes h */
    printf("consumer: attached a SOCKET made by socket()\n");
    mfcs_term();
    return 0;
}
