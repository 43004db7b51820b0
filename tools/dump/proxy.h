/*
 * proxy.h: --proxy: sits between an MFC client and its server, forwards
 * every byte unchanged both ways, and prints each message it decodes with
 * its direction and time (tools/README.md). Windows only: each direction
 * is read by an archive on a socket file, as an MFC peer reads it.
 */
#ifndef DUMP_PROXY_H
#define DUMP_PROXY_H

#include <stdio.h>

#include "layout.h"

/* The command line's: listens on port, forwards each connection to
 * host:port ("HOST:PORT"); runs until the process ends. Returns the exit
 * status (2: it could not start). */
int dump_proxy(layout *L, const char *port, const char *to, FILE *out);

/* The same for tests: serves `connections` connections one after the
 * other on an already listening SOCKET (as an uintptr_t, no Winsock
 * header here), then returns 0 (or 2 when something could not start). */
int dump_proxy_serve(layout *L, uintptr_t listener, const char *host, unsigned short port, FILE *out,
                     int connections);

#endif
