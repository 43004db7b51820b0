/*
 * socket_addr.c: addresses as text: names and literals resolved for
 * connect and send_to, and numeric host text for the names reported.
 */
#include "socket.h"

#include <stdio.h>
#include <string.h>

mfcs_err mfcs__resolve_host(const char *host, unsigned port, int family, int socktype,
                            struct sockaddr_storage *out, int *len)
{
    struct addrinfo hints, *res = NULL;
    char service[8];
    int rc;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    snprintf(service, sizeof service, "%u", port);
    rc = getaddrinfo(host, service, &hints, &res);
    /* The resolver's own error (WSAHOST_NOT_FOUND, ...): Windows' EAI_*
     * codes are Winsock codes. Wine 8 lets a host resolver's negative
     * code through (-9, an address of another family): no Winsock code
     * says what that is better than "no such host" for that family. */
    if (rc < 0)
        return WSAHOST_NOT_FOUND;
    if (rc != 0)
        return rc;
    memcpy(out, res->ai_addr, res->ai_addrlen);
    *len = (int)res->ai_addrlen;
    freeaddrinfo(res);
    return MFCS_OK;
}

mfcs_err mfcs__address_text(const struct sockaddr *sa, int len, char *host, size_t cap, unsigned *port)
{
    if (host) {
        if (cap < MFCS__HOST_CAP_MIN)
            return MFCS_E_INVALIDARG;
        if (getnameinfo(sa, len, host, (DWORD)cap, NULL, 0, NI_NUMERICHOST) != 0)
            return WSAGetLastError();
    }
    if (port)
        *port = sa->sa_family == AF_INET6 ? ntohs(((const struct sockaddr_in6 *)sa)->sin6_port)
                                          : ntohs(((const struct sockaddr_in *)sa)->sin_port);
    return MFCS_OK;
}
