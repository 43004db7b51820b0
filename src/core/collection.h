/*
 * collection.h: what archive_collection.c and archive_map.c share: vectors
 * that grow as elements arrive, strings gathered into one block, objects
 * read by a collection (destroyed again if it fails).
 */
#ifndef MFCS_COLLECTION_H
#define MFCS_COLLECTION_H

#include "archive.h"

/* For macro arguments that are parameter lists. */
#define MFCS__COMMA ,

/* A vector of elem-byte elements; zeroed plus elem set is empty. */
typedef struct mfcs__vec {
    void *p;
    size_t n, cap, elem;
} mfcs__vec;
/* Appends a copy of *elem; 0 when out of memory. */
int mfcs__vec_push(mfcs__vec *v, const void *elem);
/* Appends count elements; 0 when out of memory. */
int mfcs__vec_append(mfcs__vec *v, const void *elems, size_t count);
void mfcs__vec_free(mfcs__vec *v);

/* Strings read one by one, gathered into one pool (no block per string:
 * a hostile list of empty strings costs the pool's byte and an offset
 * each), to be handed out as one block. */
typedef struct mfcs__strs {
    mfcs__vec pool;          /* the strings with their NULs, elem 1 */
    mfcs__vec at;            /* size_t: where each begins in the pool */
    size_t unit;             /* 1 or sizeof(wchar_t) */
} mfcs__strs;
void mfcs__strs_init(mfcs__strs *s, size_t unit);
/* Appends len units and a NUL; 0 when out of memory. */
int mfcs__strs_add(mfcs__strs *s, const void *str, size_t len);
void mfcs__strs_free(mfcs__strs *s);
/* One malloc'd block: head bytes for the caller's arrays, then the pool;
 * string i's address goes to the pointer array at ptr_at, its length to
 * the size_t array at lens_at (0: none). NULL when out of memory. */
void *mfcs__strs_block(mfcs__strs *s, size_t head, size_t ptr_at, size_t lens_at);

/* A string list's strings in the program: UTF-8, ANSI bytes, or wchar_t. */
enum { MFCS__STR_UTF8, MFCS__STR_ANSI, MFCS__STR_WIDE };
/* Reads one CString of either width into s, as width says. */
mfcs_err mfcs__ar_get_string_as(mfcs__archive *a, int width, mfcs__strs *s);

/* Objects read by one collection call. */
typedef struct mfcs__objs {
    mfcs__vec objs;          /* void *, in stored order */
    mfcs__vec classes;       /* const mfcs_class *, beside them */
    mfcs__vec made;          /* mfcs__made: the ones this call made */
} mfcs__objs;
void mfcs__objs_init(mfcs__objs *o);
/* Reads one object reference into o. */
mfcs_err mfcs__objs_read(mfcs__archive *a, mfcs__objs *o, mfcs__class *want);
/* Frees o's vectors; failed: destroys the objects the call made first. */
void mfcs__objs_done(mfcs__archive *a, mfcs__objs *o, int failed);

/* Writes the count and the objects, each with cls or classes[i]. */
mfcs_err mfcs__ar_put_objects(mfcs__archive *a, void *const *objs, size_t n, const mfcs_class *cls,
                              const mfcs_class *const *classes);

#endif
