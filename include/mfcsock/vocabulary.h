/*
 * mfcsock/vocabulary.h: what MFC programs actually serialize, one call per
 * field: collections (CObList, CStringArray, CDWordArray, CArray, CMap ...),
 * value types (CPoint, CRect, CTime, COleDateTime, COleVariant ...) and the
 * MFC version whose bytes they follow.
 *
 * Every call here writes exactly the bytes MFC's Serialize or operator<<
 * writes for the same data, and reads what it reads; the rules per MFC
 * version are in shared/MFC-VOCABULARY.md. Each collection is MFC's
 * ReadCount/WriteCount count and its elements, with no header of its own
 * (coll.Serialize(ar) writes none; ar << &coll, a collection written as an
 * object, is the object's business: register the collection's class and
 * call these from its serialize).
 *
 * Reading: a count never sizes an allocation before its elements arrive:
 * memory grows as they do (a list that announces 2^31 elements and sends 10
 * bytes costs those 10 bytes), and the archive's count limit
 * (MFCS_LIMIT_COUNT) applies. Each read is one value: read whole or not at
 * all (mfcsock/archive.h), and what a failed read had made (objects,
 * memory) is freed. Memory handed out is one block per call, freed with
 * one mfcs_free. Objects read belong to the caller, as with
 * mfcs_archive_read_object.
 *
 * Strings: calls without a suffix take and give UTF-8 and put CStringW on
 * the wire (a Unicode MFC build's CString), as mfcs_archive_write_string
 * does; _a calls take and give the bytes of a CStringA (an ANSI build's
 * CString, in the active code page). Reading takes either width.
 *
 * Included by <mfcsock.h>. Needs no Windows header. The rules shared by
 * every archive call (sticky errors, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD,
 * MFCS_E_MODE, the read errors) are mfcsock/archive.h's.
 */
#ifndef MFCSOCK_VOCABULARY_H
#define MFCSOCK_VOCABULARY_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- which MFC ---- */

/* MFC versions whose bytes differ: pass one to mfcs_archive_set_mfc_version. */
#define MFCS_MFC_4   0x0400u  /* MFC 4.0 - 6.0 (VC++ 4 to 6): CTime in 4 bytes, the old map hashes */
#define MFCS_MFC_7   0x0700u  /* 7.0, 7.1: CTime still 4 bytes */
#define MFCS_MFC_8   0x0800u  /* 8.0: CTime with its 8-byte form */
#define MFCS_MFC_9   0x0900u  /* 9.0: COleVariant gains I1, UI2, UI4, I8, UI8 */
#define MFCS_MFC_10  0x0A00u  /* 10.0 - 14.x: the new map hashes */
#define MFCS_MFC_14  0x0E00u  /* the default: current MFC */

/*
 * mfcs_archive_set_mfc_version: the MFC version of the program on the
 * other side of this archive, for the bytes that depend on it: CTime's
 * form (8.0 added a marker and 8 bytes), a map's order (10.0 changed the
 * hashes), COleVariant's types (9.0 added five), CTimeSpan's range check
 * (9.0). Everything else is the same in every version. Default
 * MFCS_MFC_14. Any version number is taken (0x0710 for 7.1); only where it
 * falls against the ones above matters.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (below MFCS_MFC_4), MFCS_E_BADHANDLE,
 * MFCS_E_WRONGTHREAD.
 */
mfcs_err MFCS_CALL mfcs_archive_set_mfc_version(mfcs_archive *ar, unsigned version);

/*
 * mfcs_archive_mfc_version: the version set (or the default).
 * version (OUT). Returns MFCS_OK, MFCS_E_INVALIDARG (NULL), MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD.
 */
mfcs_err MFCS_CALL mfcs_archive_mfc_version(mfcs_archive *ar, unsigned *version);

/* ---- object collections: CObArray, CObList, CTypedPtrArray/List of them ---- */

/*
 * mfcs_archive_write_object_list: a CObArray or CObList, and the
 * CTypedPtrArray<CObArray, T*> and CTypedPtrList<CObList, T*> over them
 * (list.Serialize(ar)): the count, then each element as
 * mfcs_archive_write_object writes it (NULL elements as null references,
 * repeated ones as back references).
 * objs: n elements. cls: the class of every element, or NULL when classes
 * gives each its own (mixed classes); classes[i] is then used for objs[i].
 * Returns MFCS_OK, MFCS_E_INVALIDARG (objs NULL with n > 0, or no class
 * given), or what mfcs_archive_write_object returns.
 */
mfcs_err MFCS_CALL mfcs_archive_write_object_list(mfcs_archive *ar, void *const *objs, size_t n,
                                                  const mfcs_class *cls, const mfcs_class *const *classes);

/*
 * mfcs_archive_read_object_list: a CObArray, CObList or typed wrapper of
 * one (list.Serialize(ar)), elements in stored order (head to tail).
 * expected: NULL accepts any class per element; otherwise each element
 *   must be of it (MFCS_E_CLASS), as mfcs_archive_read_object.
 * objs (OUT): the n elements (mfcs_free the array; the objects are yours,
 *   a repeated one appears again as the same pointer, a null one as NULL).
 * classes (OUT, may be NULL): each element's class (NULL for a null one),
 *   in the same block as objs: not freed on its own.
 * n (OUT).
 * On error every object this call made is destroyed and nothing is handed out.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (objs or n NULL), MFCS_E_NOMEM, or
 * what mfcs_archive_read_object and mfcs_archive_read_count return.
 */
mfcs_err MFCS_CALL mfcs_archive_read_object_list(mfcs_archive *ar, const mfcs_class *expected, void ***objs,
                                                 const mfcs_class ***classes, size_t *n);

/* ---- string collections: CStringArray, CStringList ---- */

/*
 * mfcs_archive_write_string_list: a CStringArray or CStringList of a
 * Unicode build: the count, then each string as a CStringW.
 * strings: n NUL-terminated UTF-8 strings.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (strings or one of them NULL, not
 * UTF-8), MFCS_E_NOMEM, or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_string_list(mfcs_archive *ar, const char *const *strings, size_t n);

/*
 * mfcs_archive_write_string_list_a: the same in an ANSI build: each string
 * a CStringA of its bytes. lens: each string's length in bytes, or NULL
 * when every string is NUL-terminated.
 * Returns MFCS_OK, MFCS_E_INVALIDARG, or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_string_list_a(mfcs_archive *ar, const char *const *strings,
                                                    const size_t *lens, size_t n);

/*
 * mfcs_archive_read_string_list: a CStringArray or CStringList, strings of
 * either width, as UTF-8 (an ANSI one converted from the active code page).
 * strings (OUT): n NUL-terminated strings, in one block (mfcs_free it).
 * n (OUT).
 * Returns MFCS_OK, MFCS_E_INVALIDARG (NULL out), MFCS_E_NOMEM, or the common read errors.
 */
mfcs_err MFCS_CALL mfcs_archive_read_string_list(mfcs_archive *ar, char ***strings, size_t *n);

/*
 * mfcs_archive_read_string_list_a: the same, as ANSI (a wide one converted
 * to the active code page, as CStringA would).
 * strings (OUT): n NUL-terminated strings; lens (OUT, may be NULL): their
 * lengths in bytes (a CStringA may hold a NUL); one block (mfcs_free
 * strings). n (OUT).
 * Returns as mfcs_archive_read_string_list.
 */
mfcs_err MFCS_CALL mfcs_archive_read_string_list_a(mfcs_archive *ar, char ***strings, size_t **lens, size_t *n);

/*
 * mfcs_archive_write_string_list_w: a CStringArray or CStringList of a
 * Unicode build from UTF-16: each string a CStringW. lens: each string's
 * length in UTF-16 units, or NULL when every string is NUL-terminated.
 * Returns MFCS_OK, MFCS_E_INVALIDARG, or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_string_list_w(mfcs_archive *ar, const wchar_t *const *strings,
                                                    const size_t *lens, size_t n);

/*
 * mfcs_archive_read_string_list_w: a CStringArray or CStringList, strings of
 * either width, as UTF-16 (an ANSI one converted from the active code page).
 * strings (OUT): n NUL-terminated strings; lens (OUT, may be NULL): their
 * lengths in units; one block (mfcs_free strings). n (OUT).
 * Returns as mfcs_archive_read_string_list.
 */
mfcs_err MFCS_CALL mfcs_archive_read_string_list_w(mfcs_archive *ar, wchar_t ***strings, size_t **lens,
                                                   size_t *n);

/* ---- arrays of plain values: CByteArray, CWordArray, CDWordArray, CArray<T>, CList<T> ---- */

/*
 * mfcs_archive_write_byte_array: a CByteArray (arr.Serialize(ar)): the
 * count, then the bytes.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (v NULL with n > 0), or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_byte_array(mfcs_archive *ar, const uint8_t *v, size_t n);
/* A CWordArray: the count, then n WORDs. Returns as mfcs_archive_write_byte_array. */
mfcs_err MFCS_CALL mfcs_archive_write_word_array(mfcs_archive *ar, const uint16_t *v, size_t n);
/* A CDWordArray: the count, then n DWORDs. Returns as mfcs_archive_write_byte_array.
 * (A CUIntArray serializes nothing in MFC: there is no call for it.) */
mfcs_err MFCS_CALL mfcs_archive_write_dword_array(mfcs_archive *ar, const uint32_t *v, size_t n);

/*
 * mfcs_archive_read_byte_array: a CByteArray.
 * out (OUT): n bytes (mfcs_free it; not NULL, even for n 0). n (OUT).
 * Returns MFCS_OK, MFCS_E_INVALIDARG (NULL out), MFCS_E_NOMEM, or the common read errors.
 */
mfcs_err MFCS_CALL mfcs_archive_read_byte_array(mfcs_archive *ar, uint8_t **out, size_t *n);
/* A CWordArray. out (OUT, mfcs_free), n (OUT). Returns as mfcs_archive_read_byte_array. */
mfcs_err MFCS_CALL mfcs_archive_read_word_array(mfcs_archive *ar, uint16_t **out, size_t *n);
/* A CDWordArray. out (OUT, mfcs_free), n (OUT). Returns as mfcs_archive_read_byte_array. */
mfcs_err MFCS_CALL mfcs_archive_read_dword_array(mfcs_archive *ar, uint32_t **out, size_t *n);

/*
 * mfcs_archive_write_raw_list: a CArray<T> or CList<T> of plain elements
 * (MFC's default SerializeElements copies each element's memory): the
 * count, then n images of elem_size bytes, as they are in memory.
 * CArray<CPoint, CPoint> is elem_size 8. Padding inside T is copied too,
 * as MFC does; pointers, size_t and time_t make such files differ between
 * 32- and 64-bit programs (MFC-VOCABULARY.md V2.9).
 * Returns MFCS_OK, MFCS_E_INVALIDARG (elems NULL with n > 0, elem_size 0),
 * or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_raw_list(mfcs_archive *ar, const void *elems, size_t elem_size, size_t n);

/*
 * mfcs_archive_read_raw_list: a CArray<T> or CList<T> of plain elements.
 * out (OUT): n * elem_size bytes (mfcs_free it). n (OUT).
 * Returns MFCS_OK, MFCS_E_INVALIDARG (NULL out, elem_size 0), MFCS_E_NOMEM,
 * MFCS_E_LIMIT, or the common read errors.
 */
mfcs_err MFCS_CALL mfcs_archive_read_raw_list(mfcs_archive *ar, size_t elem_size, void **out, size_t *n);

/* Serializes element i of a collection (write or read, as the archive is):
 * for CArray<T> or CList<T> whose elements are not plain (a
 * SerializeElements of their own: CString, a struct with strings). */
typedef mfcs_err (MFCS_CALL *mfcs_element_fn)(mfcs_archive *ar, size_t i, void *ctx);

/*
 * mfcs_archive_write_elements: a CArray, CList or CMap whose elements MFC
 * serializes one by one (list.Serialize(ar) with a SerializeElements of
 * their own): the count n, then fn(ar, i, ctx) for each
 * i in order, which writes element i. Stops at fn's first error.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (fn NULL), fn's error, or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_elements(mfcs_archive *ar, size_t n, mfcs_element_fn fn, void *ctx);

/*
 * mfcs_archive_read_elements: a CArray, CList or CMap whose elements are
 * not plain: a count, then fn(ar, i, ctx) for each i in order, which reads
 * element i, or a map's pair i (key, then value), and keeps it where it
 * likes. The count sizes nothing: fn is called as the elements come.
 * Elements calls nested in fn count against MFCS_LIMIT_DEPTH, as nested
 * objects do; an error of fn's, or of a call it made, is sticky.
 * n (OUT, may be NULL): the elements read, also when fn fails.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (fn NULL), fn's error, or the common read errors.
 */
mfcs_err MFCS_CALL mfcs_archive_read_elements(mfcs_archive *ar, mfcs_element_fn fn, void *ctx, size_t *n);

/* ---- maps: CMapStringToString, CMapStringToOb, CMapWordToOb, CMap<K, V> ----
 *
 * MFC writes a map in its hash table's order: bucket 0 to the last, each
 * bucket's chain from its head (the key inserted last first); the hash
 * changed in MFC 10.0 (the archive's MFC version says which), and the
 * table has 17 buckets unless the program called InitHashTable. Writing
 * takes the pairs in the order the program inserted them (SetAt) and that
 * table size, and writes them where MFC would. A key given twice keeps its
 * first place and takes its last value, as SetAt does. Keys in one bucket
 * come out latest first, and MFC loading them inserts each at its chain's
 * head, so MFC itself reverses them on every save and load: only a table
 * without collisions saves back unchanged in MFC.
 * table_size MFCS_MAP_AS_GIVEN writes the pairs in the order given: pairs
 * read from a document (which come in stored order) written back this way
 * give the document's bytes whatever hash wrote them. */
#define MFCS_MAP_DEFAULT_SIZE 0u          /* 17 buckets, MFC's default */
#define MFCS_MAP_AS_GIVEN     0xFFFFFFFFu /* no hashing: the order given */

/*
 * mfcs_map_order_strings: the order in which MFC writes a map with string
 * keys (CMapStringToString, CMapStringToOb, CMap<CString, LPCTSTR, ...>)
 * whose keys the program inserted in the order given: what the map calls
 * below use, for a program that writes the pairs itself
 * (mfcs_archive_write_elements).
 * mfc_version: MFCS_MFC_4 ... MFCS_MFC_14 (the hash changed in 10.0).
 * ansi: 0, the keys are UTF-8 and hashed as the UTF-16 a Unicode build
 *   holds; 1, they are an ANSI build's bytes, hashed as its signed chars.
 * table_size: MFCS_MAP_DEFAULT_SIZE, the program's InitHashTable size, or
 *   MFCS_MAP_AS_GIVEN (the order given, duplicates kept).
 * order (OUT): room for n indices; gets, for each key in MFC's order, the
 *   index of its last pair (the value SetAt kept). count (OUT): how many
 *   keys that is (n less the repeated ones).
 * Returns MFCS_OK, MFCS_E_INVALIDARG (NULL arrays or keys, not UTF-8),
 * MFCS_E_NOMEM. Thread-safe; no archive involved.
 */
mfcs_err MFCS_CALL mfcs_map_order_strings(unsigned mfc_version, const char *const *keys, size_t n, int ansi,
                                          unsigned table_size, size_t *order, size_t *count);

/*
 * mfcs_map_order_ints: the same for integer keys of key_size bytes (1, 2,
 * 4 or 8) in memory (CMapWordToOb, CMap<int, int, ...>, CMap<DWORD ...>),
 * hashed as HashKey<K> does; key_signed: K is a signed type (its value
 * converts with its sign; an 8-byte signed key is __int64, whose MFC 10+
 * hash mixes both halves, where an unsigned 8-byte one hashes its low 32
 * bits). MFC before 10.0 hashes (the key as 32 bits) >> 4, as a 32-bit
 * program does.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (NULL arrays, another key size),
 * MFCS_E_NOMEM. Thread-safe.
 */
mfcs_err MFCS_CALL mfcs_map_order_ints(unsigned mfc_version, const void *keys, size_t key_size, int key_signed,
                                       size_t n, unsigned table_size, size_t *order, size_t *count);

/*
 * mfcs_archive_write_map_string_to_string: a CMapStringToString of a
 * Unicode build (each key, then its value, as CStringW).
 * keys, values: n NUL-terminated UTF-8 strings each.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (NULL arrays or strings, not UTF-8),
 * MFCS_E_NOMEM, or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_map_string_to_string(mfcs_archive *ar, const char *const *keys,
                                                           const char *const *values, size_t n,
                                                           unsigned table_size);
/* The same of an ANSI build: keys and values are NUL-terminated bytes,
 * written as CStringA, hashed as MFC hashes an ANSI build's chars. */
mfcs_err MFCS_CALL mfcs_archive_write_map_string_to_string_a(mfcs_archive *ar, const char *const *keys,
                                                             const char *const *values, size_t n,
                                                             unsigned table_size);

/*
 * mfcs_archive_read_map_string_to_string: a CMapStringToString, pairs in
 * stored order, as UTF-8 (either width on the wire).
 * keys, values (OUT): n strings each, all in one block that keys points to
 * (mfcs_free keys only). n (OUT).
 * Returns MFCS_OK, MFCS_E_INVALIDARG (NULL out), MFCS_E_NOMEM, or the common read errors.
 */
mfcs_err MFCS_CALL mfcs_archive_read_map_string_to_string(mfcs_archive *ar, char ***keys, char ***values,
                                                          size_t *n);
/* The same, as ANSI. keys, values (OUT, one block: mfcs_free keys), n (OUT). */
mfcs_err MFCS_CALL mfcs_archive_read_map_string_to_string_a(mfcs_archive *ar, char ***keys, char ***values,
                                                            size_t *n);

/*
 * mfcs_archive_write_map_string_to_object: a CMapStringToOb of a Unicode
 * build (a CTypedPtrMap<CMapStringToOb, ...> too): each key as a CStringW,
 * then its object as mfcs_archive_write_object writes it. The order also
 * decides where each class record and back reference falls.
 * keys: n UTF-8 strings; objs: n objects; cls or classes as in
 * mfcs_archive_write_object_list.
 * Returns MFCS_OK, MFCS_E_INVALIDARG, MFCS_E_NOMEM, or what
 * mfcs_archive_write_object returns.
 */
mfcs_err MFCS_CALL mfcs_archive_write_map_string_to_object(mfcs_archive *ar, const char *const *keys,
                                                           void *const *objs, size_t n, const mfcs_class *cls,
                                                           const mfcs_class *const *classes,
                                                           unsigned table_size);
/* The same of an ANSI build: keys as CStringA of their bytes. */
mfcs_err MFCS_CALL mfcs_archive_write_map_string_to_object_a(mfcs_archive *ar, const char *const *keys,
                                                             void *const *objs, size_t n, const mfcs_class *cls,
                                                             const mfcs_class *const *classes,
                                                             unsigned table_size);

/*
 * mfcs_archive_read_map_string_to_object: a CMapStringToOb, pairs in
 * stored order, keys as UTF-8.
 * expected: as in mfcs_archive_read_object_list.
 * keys (OUT): n strings, in one block with objs (mfcs_free keys only);
 * objs (OUT): n objects (yours). n (OUT).
 * Returns as mfcs_archive_read_object_list.
 */
mfcs_err MFCS_CALL mfcs_archive_read_map_string_to_object(mfcs_archive *ar, const mfcs_class *expected,
                                                          char ***keys, void ***objs, size_t *n);

/*
 * mfcs_archive_write_map_word_to_object: a CMapWordToOb: each WORD key,
 * then its object.
 * Returns as mfcs_archive_write_map_string_to_object.
 */
mfcs_err MFCS_CALL mfcs_archive_write_map_word_to_object(mfcs_archive *ar, const uint16_t *keys,
                                                         void *const *objs, size_t n, const mfcs_class *cls,
                                                         const mfcs_class *const *classes, unsigned table_size);

/*
 * mfcs_archive_read_map_word_to_object: a CMapWordToOb, pairs in stored order.
 * keys (OUT): n WORDs, in one block with objs (mfcs_free keys only);
 * objs (OUT): n objects. n (OUT).
 * Returns as mfcs_archive_read_object_list.
 */
mfcs_err MFCS_CALL mfcs_archive_read_map_word_to_object(mfcs_archive *ar, const mfcs_class *expected,
                                                        uint16_t **keys, void ***objs, size_t *n);

/*
 * mfcs_archive_write_raw_map: a CMap<K, V> of plain keys and values (the
 * default SerializeElements): the count, then each key's image and its
 * value's. For the order, a key is an integer of key_size bytes (1, 2, 4
 * or 8: WORD, DWORD, int, UINT_PTR, __int64 ...), hashed as MFC's
 * HashKey<K> does; other keys only with MFCS_MAP_AS_GIVEN. key_signed: the
 * key type is signed (int, LONG), which MFC 10+'s hash converts as such.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (NULL arrays with n > 0, a zero size,
 * a key size that cannot be hashed), MFCS_E_NOMEM, or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_raw_map(mfcs_archive *ar, const void *keys, size_t key_size, int key_signed,
                                              const void *values, size_t value_size, size_t n,
                                              unsigned table_size);

/*
 * mfcs_archive_read_raw_map: a CMap<K, V> of plain keys and values, in
 * stored order.
 * keys (OUT): n * key_size bytes, in one block with values (mfcs_free keys
 * only); values (OUT): n * value_size bytes. n (OUT).
 * Returns MFCS_OK, MFCS_E_INVALIDARG, MFCS_E_NOMEM, MFCS_E_LIMIT, or the common read errors.
 */
mfcs_err MFCS_CALL mfcs_archive_read_raw_map(mfcs_archive *ar, size_t key_size, void **keys, size_t value_size,
                                             void **values, size_t *n);

/* ---- value types ---- */

typedef struct mfcs_point { int32_t x, y; } mfcs_point;                       /* POINT, CPoint */
typedef struct mfcs_size { int32_t cx, cy; } mfcs_size;                       /* SIZE, CSize */
typedef struct mfcs_rect { int32_t left, top, right, bottom; } mfcs_rect;     /* RECT, CRect */

/* ar << pt (a CPoint: two LONGs, 8 bytes). Returns MFCS_OK or the common errors. */
mfcs_err MFCS_CALL mfcs_archive_write_point(mfcs_archive *ar, mfcs_point p);
/* ar >> pt. p (OUT, may be NULL). Returns MFCS_OK or the common read errors. */
mfcs_err MFCS_CALL mfcs_archive_read_point(mfcs_archive *ar, mfcs_point *p);
/* ar << size (a CSize: cx, cy). Returns MFCS_OK or the common errors. */
mfcs_err MFCS_CALL mfcs_archive_write_size(mfcs_archive *ar, mfcs_size s);
/* ar >> size. s (OUT, may be NULL). Returns MFCS_OK or the common read errors. */
mfcs_err MFCS_CALL mfcs_archive_read_size(mfcs_archive *ar, mfcs_size *s);
/* ar << rect (a CRect: left, top, right, bottom, 16 bytes). Returns MFCS_OK or the common errors. */
mfcs_err MFCS_CALL mfcs_archive_write_rect(mfcs_archive *ar, mfcs_rect r);
/* ar >> rect. r (OUT, may be NULL). Returns MFCS_OK or the common read errors. */
mfcs_err MFCS_CALL mfcs_archive_read_rect(mfcs_archive *ar, mfcs_rect *r);

/*
 * mfcs_archive_write_time: ar << CTime, t seconds since 1970 UTC (a
 * __time64_t). MFC 8.0 and later: the marker 0x8000000A, then 8 bytes;
 * before 8.0 (the archive's MFC version): 4 bytes, the 32-bit time_t.
 * Returns MFCS_OK, MFCS_E_LIMIT (before 8.0, a time outside the 32-bit
 * time_t's range, which MFC 7 would have cut and older MFC cannot hold),
 * or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_time(mfcs_archive *ar, int64_t t);

/*
 * mfcs_archive_read_time: ar >> CTime, of any MFC: the marker and 8 bytes,
 * or a legacy 32-bit time (sign-extended, as MFC 8+ reads one; before 8.0
 * the archive's version reads 4 bytes and no marker).
 * t (OUT, may be NULL). Returns MFCS_OK or the common read errors.
 */
mfcs_err MFCS_CALL mfcs_archive_read_time(mfcs_archive *ar, int64_t *t);

/* CTime::Serialize64 (7.0+): the 8-byte __time64_t, no marker. Returns MFCS_OK or the common errors. */
mfcs_err MFCS_CALL mfcs_archive_write_time64(mfcs_archive *ar, int64_t t);
/* CTime::Serialize64 loading. t (OUT, may be NULL). Returns MFCS_OK or the common read errors. */
mfcs_err MFCS_CALL mfcs_archive_read_time64(mfcs_archive *ar, int64_t *t);

/*
 * mfcs_archive_write_timespan: ar << CTimeSpan, seconds: 4 bytes, the low
 * 32 bits, in every version.
 * Returns MFCS_OK, MFCS_E_LIMIT (a span MFC cannot write, whatever the
 * archive's MFC version: above UINT_MAX, which 9.0+ refuses and older
 * versions cut, or below INT_MIN, which reads back as another span), or
 * the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_timespan(mfcs_archive *ar, int64_t seconds);
/* ar >> CTimeSpan: 4 bytes, sign-extended (spans of 2^31 s or more read
 * back negative, as in MFC). seconds (OUT, may be NULL). */
mfcs_err MFCS_CALL mfcs_archive_read_timespan(mfcs_archive *ar, int64_t *seconds);
/* CTimeSpan::Serialize64: 8 bytes. Returns MFCS_OK or the common errors. */
mfcs_err MFCS_CALL mfcs_archive_write_timespan64(mfcs_archive *ar, int64_t seconds);
/* CTimeSpan::Serialize64 loading. seconds (OUT, may be NULL). */
mfcs_err MFCS_CALL mfcs_archive_read_timespan64(mfcs_archive *ar, int64_t *seconds);

/* COleDateTime's, COleDateTimeSpan's and COleCurrency's status. */
#define MFCS_OLE_VALID   0
#define MFCS_OLE_INVALID 1
#define MFCS_OLE_NULL    2

/*
 * mfcs_archive_write_ole_date: ar << COleDateTime: the LONG status, then
 * the DATE (a double: days since 1899-12-30), written whatever the status.
 * Returns MFCS_OK or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_ole_date(mfcs_archive *ar, double date, int32_t status);
/* ar >> COleDateTime, both fields as stored (MFC checks neither).
 * date (OUT, may be NULL), status (OUT, may be NULL). */
mfcs_err MFCS_CALL mfcs_archive_read_ole_date(mfcs_archive *ar, double *date, int32_t *status);
/* ar << COleDateTimeSpan: the LONG status, then the span in days (double). */
mfcs_err MFCS_CALL mfcs_archive_write_ole_date_span(mfcs_archive *ar, double days, int32_t status);
/* ar >> COleDateTimeSpan. days (OUT, may be NULL), status (OUT, may be NULL). */
mfcs_err MFCS_CALL mfcs_archive_read_ole_date_span(mfcs_archive *ar, double *days, int32_t *status);

/*
 * mfcs_archive_write_currency: ar << COleCurrency: the LONG status, then
 * the high LONG, then the low DWORD of the 64-bit value (currency units of
 * 1/10,000: COleCurrency(12, 3456) is 123456). Not a VT_CY's order.
 * Returns MFCS_OK or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_currency(mfcs_archive *ar, int64_t value, int32_t status);
/* ar >> COleCurrency. value (OUT, may be NULL), status (OUT, may be NULL). */
mfcs_err MFCS_CALL mfcs_archive_read_currency(mfcs_archive *ar, int64_t *value, int32_t *status);

/* VARIANT types (oleauto.h's VARENUM values), for mfcs_variant.vt. */
#define MFCS_VT_EMPTY    0x0000
#define MFCS_VT_NULL     0x0001
#define MFCS_VT_I2       0x0002
#define MFCS_VT_I4       0x0003
#define MFCS_VT_R4       0x0004
#define MFCS_VT_R8       0x0005
#define MFCS_VT_CY       0x0006
#define MFCS_VT_DATE     0x0007
#define MFCS_VT_BSTR     0x0008
#define MFCS_VT_DISPATCH 0x0009
#define MFCS_VT_ERROR    0x000A
#define MFCS_VT_BOOL     0x000B
#define MFCS_VT_UNKNOWN  0x000D
#define MFCS_VT_I1       0x0010
#define MFCS_VT_UI1      0x0011
#define MFCS_VT_UI2      0x0012
#define MFCS_VT_UI4      0x0013
#define MFCS_VT_I8       0x0014
#define MFCS_VT_UI8      0x0015
#define MFCS_VT_ARRAY    0x2000
#define MFCS_VT_BYREF    0x4000

/* A COleVariant's value: vt says which member holds it. */
typedef struct mfcs_variant {
    uint16_t vt;
    int payload_lost;     /* read: MFC wrote this type's vt and no value (see below) */
    union {
        int16_t i2;       /* VT_I2 */
        int32_t i4;       /* VT_I4 */
        float r4;         /* VT_R4 */
        double r8;        /* VT_R8 */
        int64_t cy;       /* VT_CY: the currency's 64-bit value */
        double date;      /* VT_DATE */
        int32_t scode;    /* VT_ERROR */
        int16_t boolean;  /* VT_BOOL: VARIANT_TRUE is -1 */
        uint8_t ui1;      /* VT_UI1 */
        int8_t i1;        /* VT_I1 */
        uint16_t ui2;     /* VT_UI2 */
        uint32_t ui4;     /* VT_UI4 */
        int64_t i8;       /* VT_I8 */
        uint64_t ui8;     /* VT_UI8 */
    } v;
    void *bstr;           /* VT_BSTR: its bytes (UTF-16 from COleVariant(LPCTSTR); read: mfcs_free
                             them; an empty one reads as NULL, as MFC loads a NULL BSTR) */
    uint32_t bstr_bytes;  /* VT_BSTR: their count (a byte count, odd ones kept) */
} mfcs_variant;

/*
 * mfcs_archive_write_variant: ar << COleVariant: the WORD vt, then its
 * value: VT_EMPTY, VT_NULL (none), VT_I2, VT_I4, VT_R4, VT_R8, VT_CY (low
 * DWORD first), VT_DATE, VT_BSTR (a DWORD byte count, then the bytes),
 * VT_ERROR, VT_BOOL, VT_UI1, and from MFC 9.0 VT_I1, VT_UI2, VT_UI4, VT_I8,
 * VT_UI8. For any other type MFC writes the vt alone and the value is
 * lost; this call refuses them instead, and the five 9.0 types for an
 * archive set to an older MFC.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (v NULL, a VT_BSTR without bytes),
 * MFCS_E_UNSUPPORTED (a type MFC would write without its value:
 * VT_DISPATCH, VT_UNKNOWN, VT_BYREF or VT_ARRAY ones, others), or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_variant(mfcs_archive *ar, const mfcs_variant *v);

/*
 * mfcs_archive_read_variant: ar >> COleVariant. A type MFC writes with its
 * value comes back with it; a type it writes alone (VT_BYREF, VT_ARRAY,
 * VT_DECIMAL, and the five 9.0 types from an older MFC) comes back with
 * payload_lost 1 and no value, as MFC's stream holds none: nothing of it
 * is guessed. VT_DISPATCH and VT_UNKNOWN are followed by an object's own
 * stream of unknown length, which cannot be read without the object:
 * MFCS_E_UNSUPPORTED, sticky like every error, with nothing consumed (on
 * a socket file, mfcs_archive_abort hands its bytes back to the socket
 * for a program that can read them raw).
 * v (OUT): the value; a VT_BSTR's bytes are yours (mfcs_free v->bstr).
 * Returns MFCS_OK, MFCS_E_INVALIDARG (v NULL), MFCS_E_UNSUPPORTED,
 * MFCS_E_NOMEM, or the common read errors.
 */
mfcs_err MFCS_CALL mfcs_archive_read_variant(mfcs_archive *ar, mfcs_variant *v);

/*
 * mfcs_archive_write_combstr: ar << CComBSTR: a DWORD count of UTF-16
 * units (not bytes, not CString's prefix), then the units.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (s NULL with len > 0), MFCS_E_LIMIT
 * (len above what a DWORD counts), or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_combstr(mfcs_archive *ar, const wchar_t *s, size_t len);
/* ar >> CComBSTR. s (OUT, may be NULL: skipped; NUL-terminated, mfcs_free
 * it; an empty one is "", not NULL), len (OUT, may be NULL: units).
 * Returns MFCS_OK, MFCS_E_NOMEM, MFCS_E_LIMIT (more bytes than
 * MFCS_LIMIT_STRING), or the common read errors. */
mfcs_err MFCS_CALL mfcs_archive_read_combstr(mfcs_archive *ar, wchar_t **s, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* MFCSOCK_VOCABULARY_H */
