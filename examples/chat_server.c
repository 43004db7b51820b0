/* chat_server: a line-based chat room on async sockets (CAsyncSocket):
 * callbacks, several clients, one ordinary message loop.
 *
 *   chat_server [port]     (0 or nothing: any free port; it prints the port)
 *
 * Each line a client sends goes to every other client. When someone joins,
 * everyone gets "* N users here". A client sending "/quit" stops the server,
 * and so does Ctrl+C; either way it closes every connection and exits 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mfcsock.h>

#define MAX_CLIENTS 64

typedef struct client {
    mfcs_socket *s;
    char line[512];
    size_t len;
} client;

static client clients[MAX_CLIENTS];
static mfcs_socket *listener;
static DWORD main_thread;

static int count_clients(void)
{
    int i, n = 0;
    for (i = 0; i < MAX_CLIENTS; i++)
        n += clients[i].s != NULL;
    return n;
}

static void send_all(const char *text, const client *except)
{
    int i;
    for (i = 0; i < MAX_CLIENTS; i++)
        if (clients[i].s && &clients[i] != except)
            mfcs_socket_send(clients[i].s, text, (int)strlen(text), 0, NULL);
}

static void drop(client *c)
{
    mfcs_socket_free(c->s);   /* safe inside its own callback */
    c->s = NULL;
    c->len = 0;
    printf("server: a client left, %d here\n", count_clients());
}

static void MFCS_CALL on_receive(mfcs_socket *s, int err, void *user)
{
    client *c = (client *)user;
    char buf[256];
    int n = 0, i;
    (void)s;
    if (err || mfcs_socket_receive(c->s, buf, sizeof buf, 0, &n) != MFCS_OK)
        return;
    if (n == 0) {
        drop(c);
        return;
    }
    for (i = 0; i < n; i++) {
        if (c->len < sizeof c->line - 2)
            c->line[c->len++] = buf[i];
        if (buf[i] != '\n')
            continue;
        c->line[c->len] = '\0';
        if (strncmp(c->line, "/quit", 5) == 0) {
            printf("server: /quit received\n");
            PostQuitMessage(0);
        } else {
            printf("server: relaying %s", c->line);
            send_all(c->line, c);
        }
        c->len = 0;
    }
}

static void MFCS_CALL on_close(mfcs_socket *s, int err, void *user)
{
    (void)s; (void)err;
    drop((client *)user);
}

static void MFCS_CALL on_accept(mfcs_socket *l, int err, void *user)
{
    static const mfcs_socket_callbacks cb = { on_receive, NULL, NULL, NULL, NULL, on_close, NULL };
    char host[64], hello[64];
    int i;
    (void)err; (void)user;
    for (i = 0; i < MAX_CLIENTS && clients[i].s; i++)
        ;
    if (i == MAX_CLIENTS)
        return;
    if (mfcs_socket_new(&clients[i].s, MFCS_ASYNC, &cb, &clients[i]) != MFCS_OK)
        return;
    if (mfcs_socket_accept(l, clients[i].s, host, sizeof host, NULL) != MFCS_OK) {
        mfcs_socket_free(clients[i].s);
        clients[i].s = NULL;
        return;
    }
    printf("server: %s joined, %d here\n", host, count_clients());
    snprintf(hello, sizeof hello, "* %d users here\n", count_clients());
    send_all(hello, NULL);
}

/* Ctrl+C arrives on another thread: ask the main loop to end. */
static BOOL WINAPI on_ctrl(DWORD type)
{
    (void)type;
    PostThreadMessageA(main_thread, WM_QUIT, 0, 0);
    return TRUE;
}

int main(int argc, char **argv)
{
    static const mfcs_socket_callbacks lcb = { NULL, NULL, NULL, on_accept, NULL, NULL, NULL };
    unsigned port = argc > 1 ? (unsigned)atoi(argv[1]) : 0;
    mfcs_err err;
    MSG m;
    int i;

    setvbuf(stdout, NULL, _IONBF, 0);
    main_thread = GetCurrentThreadId();
    /* All events: accepted sockets inherit the listener's, as in Winsock. */
    if ((err = mfcs_init()) != MFCS_OK ||
        (err = mfcs_socket_new(&listener, MFCS_ASYNC, &lcb, NULL)) != MFCS_OK ||
        (err = mfcs_socket_create(listener, port, MFCS_STREAM, MFCS_ALL_EVENTS, "127.0.0.1")) != MFCS_OK ||
        (err = mfcs_socket_listen(listener, 5)) != MFCS_OK ||
        (err = mfcs_socket_sock_name(listener, NULL, 0, &port)) != MFCS_OK) {
        printf("server: %s\n", mfcs_strerror(err));
        return 1;
    }
    SetConsoleCtrlHandler(on_ctrl, TRUE);
    printf("server: listening on port %u\n", port);
    while (GetMessageA(&m, NULL, 0, 0) > 0) {   /* the program's own message loop */
        TranslateMessage(&m);
        DispatchMessageA(&m);
    }
    for (i = 0; i < MAX_CLIENTS; i++)
        if (clients[i].s)
            mfcs_socket_free(clients[i].s);
    mfcs_socket_free(listener);
    mfcs_term();
    printf("server: stopped\n");
    return 0;
}
