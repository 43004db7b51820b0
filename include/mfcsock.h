/*
 * mfcsock.h: MFC's sockets (CAsyncSocket, CSocket), socket files
 * (CSocketFile) and archives (CArchive) for plain Win32 C programs.
 *
 * The one header to include. Link mfcsock.dll through libmfcsock.dll.a
 * (MinGW) or mfcsock.lib (MSVC). Every call returns mfcs_err; see
 * mfcsock/base.h for the conventions shared by all parts.
 */
#ifndef MFCSOCK_H
#define MFCSOCK_H

#include "mfcsock/base.h"
#include "mfcsock/file.h"
#include "mfcsock/archive.h"
#include "mfcsock/vocabulary.h"
#ifdef _WIN32
#include "mfcsock/socket.h"   /* sockets are Windows': elsewhere the codec alone builds */
#endif

#endif /* MFCSOCK_H */
