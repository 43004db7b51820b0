/*
 * codec.h: a layout applied to an archive, both ways: decoding reads the
 * archive with mfcsock's calls into JSON (cJSON), encoding writes JSON
 * back with the same calls, so the same JSON gives the same bytes. One
 * interpreter does both, as one MFC Serialize does (xfer in codec.c).
 */
#ifndef DUMP_CODEC_H
#define DUMP_CODEC_H

#include <mfcsock.h>

#include "cJSON.h"
#include "layout.h"

/* The layout's classes, registered with mfcsock while codecs run (class
 * names are one namespace per process). 0 with a message on error. */
int dump_register(layout *L, char *err, size_t errcap);
void dump_unregister(layout *L);

/* A codec on one open archive (loading or storing), for a document or a
 * run of messages: objects and classes stay numbered across its calls. */
typedef struct dump_session dump_session;
dump_session *dump_session_new(layout *L, mfcs_archive *ar);
void dump_session_free(dump_session *s);
/* Loading: reads one document (or message) into a new JSON object. NULL on
 * error: *err says which (MFCS_E_END: the stream ended between messages),
 * msg where (offset, class, field). */
cJSON *dump_session_read(dump_session *s, const lnode *fields, mfcs_err *err, char *msg, size_t cap);
/* Storing: writes one document (or message) from a JSON object. */
int dump_session_write(dump_session *s, const lnode *fields, const cJSON *doc, mfcs_err *err, char *msg,
                       size_t cap);

/* A whole file: decodes data into {"format", "layout", "document"}; NULL
 * with a message on error (including bytes left over after the document). */
cJSON *dump_decode(layout *L, const unsigned char *data, size_t len, char *msg, size_t cap);
/* Encodes such a JSON back into an archive's bytes (malloc'd). */
int dump_encode(layout *L, const cJSON *root, unsigned char **out, size_t *len, char *msg, size_t cap);

/* JSON as an indented text tree (--text). */
void dump_text(const cJSON *root, FILE *out);

#endif
