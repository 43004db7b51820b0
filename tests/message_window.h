/* A message-only window with a test's own window procedure: for counting
 * what a pump or a wait dispatches, or for raw WSAAsyncSelect references.
 * Needs only <windows.h>, so programs without Criterion use it too. */
#ifndef MESSAGE_WINDOW_H
#define MESSAGE_WINDOW_H

#include <string.h>

#include <windows.h>

/* Registers class_name for proc on first use (later registrations fail
 * harmlessly) and makes a window of it; NULL when that fails. */
static inline HWND message_window(const char *class_name, WNDPROC proc)
{
    WNDCLASSA wc;
    memset(&wc, 0, sizeof wc);
    wc.lpfnWndProc = proc;
    wc.hInstance = GetModuleHandleA(NULL);
    wc.lpszClassName = class_name;
    RegisterClassA(&wc);
    return CreateWindowExA(0, class_name, "", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, wc.hInstance, NULL);
}

#endif
