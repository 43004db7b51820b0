/*
 * walk.h: mfcsock-dump's walk without a layout (tools/README.md, "Walking
 * without a layout"). It reads any bytes as an MFC archive (CArchive) might
 * hold them and says what the bytes alone tell: the new-class records (a
 * certain shape), class references to classes recorded before, strings that
 * look like CStrings (ANSI or UTF-16), and the bytes it cannot explain, as
 * hex. Everything but a new-class record is a guess, and the output says so
 * with '?'.
 *
 * Portable C99 with no Windows header: the same file builds for the tool on
 * Windows and natively on Linux (tests, fuzzing).
 */
#ifndef MFCS_DUMP_WALK_H
#define MFCS_DUMP_WALK_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Writes what the bytes alone say to out, one line per finding, each
 * starting with the finding's offset (8 hex digits or more):
 *
 *   00000000  class CStroke, schema 2, new (map index 1); object #2 of it follows
 *   0000004b  class reference 0x8001: CStroke; object #3 follows?
 *   0000002a  string? CStringA, 10 bytes (prefix 0A): "Some Title"
 *   0000004b  string? CStringW, 5 units (prefix FF FE FF 05): "Arial"
 *   00000060  00 00 01 00 ff ff 20 00 (at most 16 unexplained bytes a line)
 *
 * then one summary line ("summary: ..."): the total, the classes recorded
 * (name and schema), and how many bytes were explained (certain, guessed)
 * and not. Lines end with '\n'.
 *
 * Any input is fine (data may be NULL when len is 0): the walk takes time
 * linear in len, never reads outside data, and always finishes. Memory it
 * cannot get only makes it recognize fewer class references (the summary
 * says so). Returns 0.
 */
int dump_walk(const unsigned char *data, size_t len, FILE *out);

#ifdef __cplusplus
}
#endif

#endif
