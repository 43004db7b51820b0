/* scribble: MFC's Scribble tutorial document (step 5) in C. CScribbleDoc
 * serializes its size and a CTypedPtrList of CStroke; each CStroke its
 * bounds, pen width and a CArray<CPoint>. Here each Serialize is one C
 * function for both directions, one call per field, as in MFC.
 *
 *   scribble                 makes a two-stroke drawing, saves it to
 *                            scribble-demo.scb, loads it back and prints it
 *   scribble FILE.SCB [OUT]  loads a document Scribble saved, prints it,
 *                            and saves it again (to OUT, or to memory),
 *                            saying whether the bytes are the same
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mfcsock.h>

#define CHECK(call) do { mfcs_err e_ = (call); if (e_ != MFCS_OK) { \
    printf("%s failed: %s\n", #call, mfcs_strerror(e_)); exit(1); } } while (0)

/* ---- the document ---- */

typedef struct stroke {             /* class CStroke : public CObject */
    mfcs_rect bounds;               /*   CRect m_rectBounding; */
    uint16_t pen_width;             /*   UINT m_nPenWidth (stored as a WORD) */
    mfcs_point *points;             /*   CArray<CPoint, CPoint> m_pointArray; */
    size_t npoints;
} stroke;

typedef struct drawing {            /* class CScribbleDoc : public CDocument */
    mfcs_size size;                 /*   CSize m_sizeDoc; */
    void **strokes;                 /*   CTypedPtrList<CObList, CStroke*> m_strokeList; */
    size_t nstrokes;
} drawing;

static void *MFCS_CALL stroke_create(void *ctx) { (void)ctx; return calloc(1, sizeof(stroke)); }

static void MFCS_CALL stroke_destroy(void *o, void *ctx)
{
    stroke *s = (stroke *)o;
    (void)ctx;
    if (s)
        mfcs_free(s->points);
    free(s);
}

static int is_loading(mfcs_archive *ar)
{
    int yes = 0;
    mfcs_archive_is_loading(ar, &yes);
    return yes;
}

/* void CStroke::Serialize(CArchive& ar) */
static mfcs_err MFCS_CALL stroke_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    stroke *s = (stroke *)o;
    (void)ctx;
    if (is_loading(ar)) {
        void *points = NULL;
        mfcs_err err;
        mfcs_archive_read_rect(ar, &s->bounds);                /* ar >> m_rectBounding; */
        mfcs_archive_read_u16(ar, &s->pen_width);              /* ar >> w; m_nPenWidth = w; */
        err = mfcs_archive_read_raw_list(ar, sizeof(mfcs_point), &points, &s->npoints);
        s->points = (mfcs_point *)points;                      /* m_pointArray.Serialize(ar); */
        return err;
    }
    mfcs_archive_write_rect(ar, s->bounds);                    /* ar << m_rectBounding; */
    mfcs_archive_write_u16(ar, s->pen_width);                  /* ar << (WORD)m_nPenWidth; */
    return mfcs_archive_write_raw_list(ar, s->points, sizeof(mfcs_point), s->npoints);
}

/* void CScribbleDoc::Serialize(CArchive& ar) */
static mfcs_err drawing_serialize(mfcs_archive *ar, drawing *d, const mfcs_class *cstroke)
{
    if (is_loading(ar)) {
        mfcs_archive_read_size(ar, &d->size);                  /* ar >> m_sizeDoc; */
        return mfcs_archive_read_object_list(ar, cstroke, &d->strokes, NULL, &d->nstrokes);
    }
    mfcs_archive_write_size(ar, d->size);                      /* ar << m_sizeDoc; */
    return mfcs_archive_write_object_list(ar, d->strokes, d->nstrokes, cstroke, NULL);
}                                                              /* m_strokeList.Serialize(ar); */

static void drawing_free(drawing *d)
{
    size_t i;
    for (i = 0; i < d->nstrokes; i++)
        stroke_destroy(d->strokes[i], NULL);
    mfcs_free(d->strokes);
    memset(d, 0, sizeof *d);
}

static void print(const drawing *d)
{
    size_t i;
    printf("document %ld x %ld, %u strokes\n", (long)d->size.cx, (long)d->size.cy, (unsigned)d->nstrokes);
    for (i = 0; i < d->nstrokes; i++) {
        const stroke *s = (const stroke *)d->strokes[i];
        printf("  stroke %u: pen %u, %u points, from (%ld, %ld), bounds (%ld, %ld)-(%ld, %ld)\n", (unsigned)i,
               s->pen_width, (unsigned)s->npoints, s->npoints ? (long)s->points[0].x : 0L,
               s->npoints ? (long)s->points[0].y : 0L, (long)s->bounds.left, (long)s->bounds.top,
               (long)s->bounds.right, (long)s->bounds.bottom);
    }
}

/* ---- OnOpenDocument / OnSaveDocument: the archive is the whole file ---- */

static void load(const char *path, drawing *d, const mfcs_class *cstroke)
{
    mfcs_file *f;
    mfcs_archive *ar;
    CHECK(mfcs_file_open_path(&f, path, MFCS_FILE_READ));
    CHECK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    CHECK(drawing_serialize(ar, d, cstroke));
    CHECK(mfcs_archive_close(ar));
    CHECK(mfcs_file_close(f));
}

static void save(mfcs_file *f, drawing *d, const mfcs_class *cstroke)
{
    mfcs_archive *ar;
    CHECK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    CHECK(drawing_serialize(ar, d, cstroke));
    CHECK(mfcs_archive_close(ar));
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *b;
    long n;
    if (!fp || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0 ||
        !(b = (unsigned char *)malloc((size_t)n + 1)) || fread(b, 1, (size_t)n, fp) != (size_t)n) {
        printf("cannot read %s\n", path);
        exit(1);
    }
    fclose(fp);
    *len = (size_t)n;
    return b;
}

int main(int argc, char **argv)
{
    static const mfcs_class_ops ops = { stroke_create, stroke_serialize, stroke_destroy };
    mfcs_class *cstroke;
    drawing d;
    mfcs_file *f;

    memset(&d, 0, sizeof d);
    CHECK(mfcs_init());
    CHECK(mfcs_class_register(&cstroke, "CStroke", 2, &ops, NULL));   /* IMPLEMENT_SERIAL(CStroke, CObject, 2) */
    if (argc > 1) {
        const void *bytes;
        unsigned char *orig;
        size_t len, olen;
        load(argv[1], &d, cstroke);
        print(&d);
        if (argc > 2) {
            CHECK(mfcs_file_open_path(&f, argv[2], MFCS_FILE_WRITE | MFCS_FILE_CREATE));
            save(f, &d, cstroke);
            CHECK(mfcs_file_close(f));
            printf("saved %s\n", argv[2]);
        } else {
            CHECK(mfcs_file_open_memory(&f, NULL, 0));
            save(f, &d, cstroke);
            CHECK(mfcs_file_memory_data(f, &bytes, &len));
            orig = read_all(argv[1], &olen);
            printf("saved again: %u bytes, %s\n", (unsigned)len,
                   len == olen && !memcmp(bytes, orig, len) ? "the same as the file" : "DIFFERENT from the file");
            if (len != olen || memcmp(bytes, orig, len) != 0)
                return 1;
            free(orig);
            CHECK(mfcs_file_close(f));
        }
    } else {
        static mfcs_point line[] = { { 10, -10 }, { 20, -15 }, { 30, -30 } }, dot[] = { { 50, -50 } };
        stroke a = { { 8, -8, 32, -32 }, 2, line, 3 }, b = { { 48, -48, 52, -52 }, 2, dot, 1 };
        void *strokes[2];
        drawing made;
        strokes[0] = &a;
        strokes[1] = &b;
        made.size.cx = 800;
        made.size.cy = 900;
        made.strokes = strokes;
        made.nstrokes = 2;
        CHECK(mfcs_file_open_path(&f, "scribble-demo.scb", MFCS_FILE_WRITE | MFCS_FILE_CREATE));
        save(f, &made, cstroke);
        CHECK(mfcs_file_close(f));
        load("scribble-demo.scb", &d, cstroke);
        print(&d);
        if (d.nstrokes != 2 || ((stroke *)d.strokes[0])->npoints != 3 || ((stroke *)d.strokes[1])->points[0].y != -50) {
            printf("MISMATCH: the drawing read back is not the one saved\n");
            return 1;
        }
        remove("scribble-demo.scb");
    }
    drawing_free(&d);
    CHECK(mfcs_class_unregister(cstroke));
    mfcs_term();
    return 0;
}
