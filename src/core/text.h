/*
 * text.h: the string conversions archives need: UTF-8 <-> UTF-16 (portable,
 * our own), and the active ANSI code page <-> UTF-16 (the system's, as MFC's
 * CStringA/CStringW conversion uses CP_ACP). Output buffers are malloc'd and
 * NUL-terminated; lengths exclude the NUL.
 */
#ifndef MFCS_TEXT_H
#define MFCS_TEXT_H

#include "internal.h"

/* UTF-8 -> UTF-16. MFCS_E_INVALIDARG for bytes that are not UTF-8. */
mfcs_err mfcs__utf8_to_utf16(const char *s, size_t n, uint16_t **out, size_t *outn);
/* UTF-16 -> UTF-8; an unpaired surrogate becomes U+FFFD. */
mfcs_err mfcs__utf16_to_utf8(const uint16_t *s, size_t n, char **out, size_t *outn);
/* Active code page -> UTF-16 (Windows: CP_ACP; elsewhere Latin-1, for fuzzing). */
mfcs_err mfcs__acp_to_utf16(const char *s, size_t n, uint16_t **out, size_t *outn);
/* UTF-16 -> active code page, unmappable characters as the code page's default. */
mfcs_err mfcs__utf16_to_acp(const uint16_t *s, size_t n, char **out, size_t *outn);

#endif
