/*
 * textconv.h: strings between an archive's bytes and JSON's UTF-8, exactly
 * or not at all: a conversion that would not give the same bytes back
 * returns NULL, and the caller keeps the bytes as hex instead.
 */
#ifndef DUMP_TEXTCONV_H
#define DUMP_TEXTCONV_H

#include <stddef.h>
#include <stdint.h>

/* An ANSI string of code page cp as UTF-8 (malloc'd), or NULL. */
char *cp_to_utf8(unsigned cp, const unsigned char *b, size_t n);
/* UTF-8 as code page cp's bytes (malloc'd, *n set), or NULL. */
unsigned char *utf8_to_cp(unsigned cp, const char *s, size_t *n);
/* UTF-16LE bytes (units of them) as UTF-8 (malloc'd), or NULL for a lone
 * surrogate or a NUL (which would end the text early). */
char *utf16le_to_utf8(const unsigned char *b, size_t units);
/* UTF-8 as UTF-16 units (malloc'd, *units set), or NULL for bytes that are not UTF-8. */
uint16_t *utf8_to_utf16(const char *s, size_t *units);
/* Bytes as lowercase hex (malloc'd), and back (NULL for a bad string). */
char *to_hex(const unsigned char *b, size_t n);
unsigned char *from_hex(const char *s, size_t *n);

#endif
