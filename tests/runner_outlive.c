/* A program for tests/run_wine_runner.py: what cmake/wine-run.sh must
 * survive. "outlive" starts a copy of itself ("child") that inherits this
 * program's standard handles and outlives it, as Wine's desktop process
 * does when a program that needs a window starts it; "crash" dies of an
 * access violation without a word, as a test that crashed in its runner
 * would; "spawn N" starts N processes and counts those that did not run.
 * Plain Win32: no mfcsock, so nothing here depends on the library. */
#include <windows.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "child")) {
        Sleep((DWORD)atoi(argv[2]) * 1000u);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "outlive")) {
        char self[MAX_PATH], cmd[MAX_PATH + 64];
        STARTUPINFOA si;
        PROCESS_INFORMATION pi;
        memset(&si, 0, sizeof si);
        si.cb = sizeof si;
        si.dwFlags = STARTF_USESTDHANDLES;
        si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
        si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
        si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
        GetModuleFileNameA(NULL, self, sizeof self);
        snprintf(cmd, sizeof cmd, "\"%s\" child %s", self, argv[2]);
        if (!CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
            fprintf(stderr, "CreateProcess: %lu\n", GetLastError());
            return 2;
        }
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
        printf("parent out\n");
        fprintf(stderr, "parent err\n");
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "spawn")) {
        /* Starts N copies one after another, as a Criterion runner starts
         * a process per test, and counts those that did not run to their
         * end: Wine without its preloader sometimes finds the fixed
         * address of the shared user data taken in a new process. */
        char self[MAX_PATH], cmd[MAX_PATH + 64];
        int n = atoi(argv[2]), i, failed = 0;
        GetModuleFileNameA(NULL, self, sizeof self);
        snprintf(cmd, sizeof cmd, "\"%s\" child 0", self);
        for (i = 0; i < n; i++) {
            STARTUPINFOA si;
            PROCESS_INFORMATION pi;
            DWORD code = 1;
            memset(&si, 0, sizeof si);
            si.cb = sizeof si;
            if (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
                failed++;
                continue;
            }
            WaitForSingleObject(pi.hProcess, INFINITE);
            GetExitCodeProcess(pi.hProcess, &code);
            failed += code != 0;
            CloseHandle(pi.hThread);
            CloseHandle(pi.hProcess);
        }
        printf("%d of %d processes did not run\n", failed, n);
        return failed != 0;
    }
    if (argc == 2 && !strcmp(argv[1], "crash")) {
        static volatile uintptr_t nowhere = 8;   /* volatile: the compiler cannot see the fault coming */
        SetErrorMode(SEM_NOGPFAULTERRORBOX);
        *(volatile int *)nowhere = 1;
        return 0;
    }
    fprintf(stderr, "usage: runner_outlive outlive SECONDS | crash | spawn N\n");
    return 2;
}
