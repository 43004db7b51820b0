/* chat_client: one member of chat_server's room, on an async socket with
 * callbacks and mfcs_pump (a program without a message loop of its own).
 *
 *   chat_client <port> <name> <wait_users> <expect_lines> [message ...]
 *
 * It connects to 127.0.0.1:<port>, waits until the room has <wait_users>
 * people (0: no wait), sends "<name>: <message>" for each message (a
 * message starting with '/' goes as it is: "/quit" stops the server), prints
 * what others say, and exits 0 once it has read <expect_lines> lines from
 * them (1 if the server went away first, or after 20 s). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mfcsock.h>

static const char *name;
static int wait_users, expect, got, sent, done, connected, gone;
static char **messages;
static int nmessages;
static char line[512];
static size_t len;

static void send_messages(mfcs_socket *s)
{
    int i;
    char out[600];
    for (i = 0; i < nmessages; i++) {
        if (messages[i][0] == '/')      /* a command for the server, such as /quit */
            snprintf(out, sizeof out, "%s\n", messages[i]);
        else
            snprintf(out, sizeof out, "%s: %s\n", name, messages[i]);
        mfcs_socket_send(s, out, (int)strlen(out), 0, NULL);
    }
    sent = 1;
    if (expect == 0)
        done = 1;
}

static void MFCS_CALL on_connect(mfcs_socket *s, int err, void *user)
{
    (void)user;
    if (err) {
        printf("%s: connect failed: %s\n", name, mfcs_strerror(err));
        gone = 1;
        return;
    }
    connected = 1;
    if (wait_users == 0)
        send_messages(s);
}

static void MFCS_CALL on_receive(mfcs_socket *s, int err, void *user)
{
    char buf[256];
    int n = 0, i;
    (void)user;
    if (err || mfcs_socket_receive(s, buf, sizeof buf, 0, &n) != MFCS_OK || n == 0)
        return;
    for (i = 0; i < n; i++) {
        if (len < sizeof line - 1)
            line[len++] = buf[i];
        if (buf[i] != '\n')
            continue;
        line[len] = '\0';
        len = 0;
        if (line[0] == '*') {
            if (!sent && atoi(line + 2) >= wait_users)
                send_messages(s);
            continue;
        }
        printf("%s heard %s", name, line);
        if (++got >= expect && sent)
            done = 1;
    }
}

static void MFCS_CALL on_close(mfcs_socket *s, int err, void *user)
{
    (void)s; (void)err; (void)user;
    gone = 1;
}

int main(int argc, char **argv)
{
    static const mfcs_socket_callbacks cb = { on_receive, NULL, NULL, NULL, on_connect, on_close, NULL };
    mfcs_socket *s;
    mfcs_err err;
    ULONGLONG end;
    if (argc < 5) {
        printf("usage: chat_client <port> <name> <wait_users> <expect_lines> [message ...]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    name = argv[2];
    wait_users = atoi(argv[3]);
    expect = atoi(argv[4]);
    messages = argv + 5;
    nmessages = argc - 5;
    if ((err = mfcs_init()) != MFCS_OK ||
        (err = mfcs_socket_new(&s, MFCS_ASYNC, &cb, NULL)) != MFCS_OK ||
        (err = mfcs_socket_create(s, 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL)) != MFCS_OK) {
        printf("%s: %s\n", name, mfcs_strerror(err));
        return 1;
    }
    err = mfcs_socket_connect(s, "127.0.0.1", (unsigned)atoi(argv[1]));
    if (err != WSAEWOULDBLOCK && err != MFCS_OK) {
        printf("%s: connect: %s\n", name, mfcs_strerror(err));
        return 1;
    }
    end = GetTickCount64() + 20000;
    while (!done && !gone && GetTickCount64() < end)
        mfcs_pump(100, NULL);
    mfcs_pump(50, NULL);        /* let the last sends go out */
    mfcs_socket_free(s);
    mfcs_term();
    printf("%s: %s\n", name, done ? "done" : gone ? "the server went away" : "timed out");
    return done ? 0 : 1;
}
