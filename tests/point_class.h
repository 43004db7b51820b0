/* The serializable class the tests share: MFC's CPoint shape (two LONGs),
 * counting live objects so a test can see leaks and double frees. */
#ifndef POINT_CLASS_H
#define POINT_CLASS_H

#include <stdlib.h>

#include <mfcsock.h>

typedef struct point { int32_t x, y; } point;
static int points_live;

static void *MFCS_CALL point_create(void *ctx) { (void)ctx; points_live++; return calloc(1, sizeof(point)); }
static void MFCS_CALL point_destroy(void *o, void *ctx) { (void)ctx; if (o) points_live--; free(o); }
static mfcs_err MFCS_CALL point_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    point *p = (point *)o;
    int loading = 0;
    (void)ctx;
    mfcs_archive_is_loading(ar, &loading);
    if (loading) {
        mfcs_archive_read_i32(ar, &p->x);
        return mfcs_archive_read_i32(ar, &p->y);
    }
    mfcs_archive_write_i32(ar, p->x);
    return mfcs_archive_write_i32(ar, p->y);
}
static const mfcs_class_ops point_ops = { point_create, point_serialize, point_destroy };

#endif
