/* Every name in def/mfcsock.def resolves in the built DLL at run time, as a
 * program that loads mfcsock.dll dynamically would see it. (check_exports.cmake
 * compares the lists at build time; this checks the loader agrees.) */
#include <criterion/criterion.h>

#include <winsock2.h>
#include <windows.h>

#include <mfcsock.h>

#include "def_names.h"

Test(exports, every_def_name_resolves_with_getprocaddress, .timeout = 30)
{
    size_t i, n = sizeof def_names / sizeof def_names[0];
    HMODULE dll = LoadLibraryA("mfcsock.dll");
    cr_assert_not_null(dll, "LoadLibrary failed: %lu", (unsigned long)GetLastError());
    cr_assert_geq(n, 7, "only %zu names in the .def", n);
    for (i = 0; i < n; i++)
        cr_assert_not_null((void *)GetProcAddress(dll, def_names[i]),
                           "%s is in the .def but not exported", def_names[i]);
    /* Nothing undecorated beyond the list: a made-up name stays unresolved. */
    cr_assert_null((void *)GetProcAddress(dll, "mfcs_not_a_function"));
    FreeLibrary(dll);
}

Test(exports, exported_version_matches_header_call, .timeout = 30)
{
    HMODULE dll = LoadLibraryA("mfcsock.dll");
    const char *(MFCS_CALL *version)(void);
    cr_assert_not_null(dll);
    version = (const char *(MFCS_CALL *)(void))(void (*)(void))GetProcAddress(dll, "mfcs_version");
    cr_assert_not_null((void *)version);
    cr_assert_str_eq(version(), mfcs_version());
    FreeLibrary(dll);
}
