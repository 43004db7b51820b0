/* Documents saved by real MFC programs (shared/mfc-real-archives; its
 * README says which program wrote each), loaded and stored back byte for
 * byte through the vocabulary calls. Each test is its program's Serialize
 * in C, one call per field the program serializes, written once for both
 * directions as MFC's Serialize is: what stores the document is the very
 * code that loaded it, so the stored bytes prove the reading right too. */
#include "archive_util.h"
#include "real_archives.h"

#include <stddef.h>
#include <windows.h>

static void init_lib(void) { cr_assert_eq(mfcs_init(), MFCS_OK); }
static void term_lib(void) { mfcs_term(); }
TestSuite(real_documents, .init = init_lib, .fini = term_lib, .timeout = 60);

static int objects_live;   /* every create counts up, every destroy down */

/* ---- both directions, as MFC's ar << x and ar >> x ---- */

static int loading(mfcs_archive *ar)
{
    int yes = 0;
    mfcs_archive_is_loading(ar, &yes);
    return yes;
}

/* Errors are sticky: a Serialize returns its last call's result, which
 * carries the first failure of any call before it. */
#define XFER(load, ar, type, p) \
    ((load) ? mfcs_archive_read_##type((ar), (p)) : mfcs_archive_write_##type((ar), *(p)))
#define IO(ar, type, p) XFER(loading(ar), ar, type, p)

/* A CString of an ANSI build: its bytes as they are, whatever the code page. */
static mfcs_err io_string_a(mfcs_archive *ar, char **s, size_t *len)
{
    if (loading(ar))
        return mfcs_archive_read_string_a(ar, s, len);
    return mfcs_archive_write_string_a(ar, *s, *len);
}

/* A CArray<T> or CList<T> of plain elements. */
static mfcs_err io_raw_list(mfcs_archive *ar, size_t elem_size, void **elems, size_t *n)
{
    if (loading(ar))
        return mfcs_archive_read_raw_list(ar, elem_size, elems, n);
    return mfcs_archive_write_raw_list(ar, *elems, elem_size, *n);
}

/* A CObList or CObArray (or a CTypedPtrList/Array over one): each element
 * is stored back with the class it was read with. */
typedef struct objlist {
    void **objs;
    const mfcs_class **classes;
    size_t n;
} objlist;

static mfcs_err io_list(mfcs_archive *ar, const mfcs_class *expected, objlist *l)
{
    if (loading(ar))
        return mfcs_archive_read_object_list(ar, expected, &l->objs, &l->classes, &l->n);
    return mfcs_archive_write_object_list(ar, l->objs, l->n, NULL, l->classes);
}

static void list_free(objlist *l, void (MFCS_CALL *destroy)(void *, void *))
{
    size_t i;
    for (i = 0; i < l->n; i++)
        destroy(l->objs[i], NULL);
    mfcs_free(l->objs);   /* the classes share its block */
    memset(l, 0, sizeof *l);
}

/* ---- the documents ---- */


typedef struct real_doc {
    mfcs_file *f;
    unsigned char *bytes;   /* the whole file, for the comparison */
    size_t len;
} real_doc;

/* A loading archive on the document's own disk file, for a program of
 * that MFC version. */
static mfcs_archive *load_real(const char *name, real_doc *d, unsigned mfc_version)
{
    mfcs_archive *ar = NULL;
    uint64_t len = 0;
    size_t got = 0;
    REAL_OR_SKIP(name, &d->f);
    OK(mfcs_file_length(d->f, &len));
    d->len = (size_t)len;
    d->bytes = malloc(d->len + 1);
    cr_assert_not_null(d->bytes);
    OK(mfcs_file_read(d->f, d->bytes, d->len, &got));
    cr_assert_eq(got, d->len);
    OK(mfcs_file_seek(d->f, 0, MFCS_SEEK_SET, NULL));
    OK(mfcs_archive_open(&ar, d->f, MFCS_LOAD, 0));
    OK(mfcs_archive_set_mfc_version(ar, mfc_version));
    return ar;
}

/* The document was all of the file: the next read finds its end. */
static void loaded_whole(mfcs_archive *ar, real_doc *d)
{
    ERR(mfcs_archive_read_u8(ar, NULL), MFCS_E_END);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(d->f));
}

static mfcs_archive *store_new(mfcs_file **f, unsigned mfc_version)
{
    mfcs_archive *ar = new_store(f);
    OK(mfcs_archive_set_mfc_version(ar, mfc_version));
    return ar;
}

/* Closes the storing archive: it must hold exactly the document's bytes. */
static void stored_same(mfcs_archive *ar, mfcs_file *f, real_doc *d)
{
    const void *data = NULL;
    const unsigned char *b;
    size_t len = 0, i;
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    b = data;
    for (i = 0; i < len && i < d->len && b[i] == d->bytes[i]; i++)
        ;
    cr_assert(i == len && len == d->len,
              "stored %zu bytes, the document has %zu; first difference at byte %zu (%02X, want %02X)",
              len, d->len, i, i < len ? b[i] : 0u, i < d->len ? d->bytes[i] : 0u);
    OK(mfcs_file_close(f));
    free(d->bytes);
}

/* ---- Scribble, step 5 ----
 * MFC's Scribble tutorial (ShulinLiu/DissectingMFC_SourceCode,
 * Src#2-mfc/source_code/SCRIBBLE/STEP5/SCRIBDOC.CPP): CScribbleDoc writes
 * ar << m_sizeDoc, then m_strokeList.Serialize(ar), a
 * CTypedPtrList<CObList, CStroke*>. CStroke (schema 2) writes
 * ar << m_rectBounding, ar << (WORD)m_nPenWidth and
 * m_pointArray.Serialize(ar), a CArray<CPoint, CPoint>. */

typedef struct stroke {
    mfcs_rect bounds;
    uint16_t pen_width;
    mfcs_point *points;
    size_t npoints;
} stroke;

static void *MFCS_CALL stroke_create(void *ctx) { (void)ctx; objects_live++; return calloc(1, sizeof(stroke)); }

static void MFCS_CALL stroke_destroy(void *o, void *ctx)
{
    stroke *s = o;
    (void)ctx;
    if (!s)
        return;
    mfcs_free(s->points);
    free(s);
    objects_live--;
}

static mfcs_err MFCS_CALL stroke_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    stroke *s = o;
    void *points = s->points;
    mfcs_err err;
    (void)ctx;
    IO(ar, rect, &s->bounds);
    IO(ar, u16, &s->pen_width);
    err = io_raw_list(ar, sizeof *s->points, &points, &s->npoints);
    s->points = points;
    return err;
}

typedef struct scribble_doc { mfcs_size size; objlist strokes; } scribble_doc;

static mfcs_err scribble_serialize(mfcs_archive *ar, scribble_doc *doc, const mfcs_class *cstroke)
{
    IO(ar, size, &doc->size);
    return io_list(ar, cstroke, &doc->strokes);
}

Test(real_documents, scribble_step5_strokes)
{
    static const mfcs_class_ops ops = { stroke_create, stroke_serialize, stroke_destroy };
    mfcs_class *cstroke;
    scribble_doc doc;
    real_doc d;
    mfcs_file *out;
    mfcs_archive *ar;
    const stroke *s;
    size_t i, points = 0;
    memset(&doc, 0, sizeof doc);
    OK(mfcs_class_register(&cstroke, "CStroke", 2, &ops, NULL));
    ar = load_real("scribble-step5-Scribb1.SCB", &d, MFCS_MFC_14);
    OK(scribble_serialize(ar, &doc, cstroke));
    loaded_whole(ar, &d);

    cr_assert(doc.size.cx == 800 && doc.size.cy == 900);   /* InitDocument's CSize(800, 900) */
    cr_assert_eq(doc.strokes.n, 4);
    for (i = 0; i < doc.strokes.n; i++) {
        s = doc.strokes.objs[i];
        cr_assert_eq(s->pen_width, 2, "stroke %zu: pen %u", i, s->pen_width);   /* the thin pen */
        points += s->npoints;
    }
    cr_assert_eq(points, 84);
    s = doc.strokes.objs[0];
    /* FinishStroke's bounds: y grows upward, and the pen width is added */
    cr_assert(s->bounds.left == 207 && s->bounds.top == -165 && s->bounds.right == 212 && s->bounds.bottom == -169,
              "(%d, %d, %d, %d)", s->bounds.left, s->bounds.top, s->bounds.right, s->bounds.bottom);
    cr_assert(s->npoints == 4 && s->points[0].x == 210 && s->points[0].y == -167);

    ar = store_new(&out, MFCS_MFC_14);
    OK(scribble_serialize(ar, &doc, cstroke));
    stored_same(ar, out, &d);
    list_free(&doc.strokes, stroke_destroy);
    cr_assert_eq(objects_live, 0);
}

/* ---- HIERSVR ----
 * Microsoft's OLE server sample (microsoft/VCSamples,
 * VC2010Samples/MFC/ole/hiersvr/svrdoc.cpp and svritem.cpp). CServerDoc
 * writes SerializeFontInfo: ar.Write of the LOGFONT up to its face name,
 * the face name as a CString, ar << m_crText; then m_pRoot->Serialize(ar),
 * called directly, so the root has no object tag. CServerNode (schema 0)
 * writes (WORD)m_shape, the link key and the description (CStrings of the
 * ANSI build that saved mfcclass.hie), (WORD)m_bHideChildren and
 * m_listChild.Serialize(ar), a CObList of its child nodes. */

typedef struct node {
    uint16_t shape, hide_children;
    char *link_key, *description;
    size_t key_len, desc_len;
    objlist children;
} node;

static mfcs_class *cnode;

static void *MFCS_CALL node_create(void *ctx) { (void)ctx; objects_live++; return calloc(1, sizeof(node)); }

static void MFCS_CALL node_destroy(void *o, void *ctx)
{
    node *n = o;
    (void)ctx;
    if (!n)
        return;
    list_free(&n->children, node_destroy);
    mfcs_free(n->link_key);
    mfcs_free(n->description);
    free(n);
    objects_live--;
}

static mfcs_err MFCS_CALL node_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    node *n = o;
    (void)ctx;
    IO(ar, u16, &n->shape);
    io_string_a(ar, &n->link_key, &n->key_len);
    io_string_a(ar, &n->description, &n->desc_len);
    IO(ar, u16, &n->hide_children);
    return io_list(ar, cnode, &n->children);
}

typedef struct hier_doc {
    LOGFONTA font;
    char *face;
    size_t face_len;
    uint32_t text_color;
    node *root;
} hier_doc;

static mfcs_err hier_serialize(mfcs_archive *ar, hier_doc *doc)
{
    size_t size = offsetof(LOGFONTA, lfFaceName), got = size;
    if (loading(ar))
        mfcs_archive_read(ar, &doc->font, size, &got);
    else
        mfcs_archive_write(ar, &doc->font, size);
    io_string_a(ar, &doc->face, &doc->face_len);
    IO(ar, u32, &doc->text_color);
    if (got != size)
        return MFCS_E_EOF;
    return node_serialize(ar, doc->root, NULL);
}

static size_t tree_size(const node *n, int depth, int *deepest)
{
    size_t count = 1, i;
    if (depth > *deepest)
        *deepest = depth;
    for (i = 0; i < n->children.n; i++)
        count += tree_size(n->children.objs[i], depth + 1, deepest);
    return count;
}

Test(real_documents, hiersvr_node_tree)
{
    static const mfcs_class_ops ops = { node_create, node_serialize, node_destroy };
    hier_doc doc;
    real_doc d;
    mfcs_file *out;
    mfcs_archive *ar;
    const node *first;
    int deepest = 0;
    memset(&doc, 0, sizeof doc);
    OK(mfcs_class_register(&cnode, "CServerNode", 0, &ops, NULL));
    ar = load_real("hiersvr-mfcclass.hie", &d, MFCS_MFC_14);
    doc.root = node_create(NULL);
    OK(hier_serialize(ar, &doc));
    loaded_whole(ar, &d);

    cr_assert_eq(doc.font.lfHeight, -10);
    cr_assert_str_eq(doc.face, "Arial");
    cr_assert_str_eq(doc.root->description, "MFC Class Hierarchy");
    cr_assert_str_eq(doc.root->link_key, "%ROOT%");
    cr_assert_eq(doc.root->children.n, 26);   /* mfcclass.txt's top-level classes */
    first = doc.root->children.objs[0];
    cr_assert_str_eq(first->description, "CArchive");
    cr_assert_eq(first->key_len, 0);   /* an empty key: the description names the item */
    cr_assert_eq(tree_size(doc.root, 0, &deepest), 137);
    cr_assert_eq(deepest, 7);

    ar = store_new(&out, MFCS_MFC_14);
    OK(hier_serialize(ar, &doc));
    stored_same(ar, out, &d);
    mfcs_free(doc.face);
    node_destroy(doc.root, NULL);
    cr_assert_eq(objects_live, 0);
}

/* ---- Power Tab Editor's tuning dictionary ----
 * Power Tab Editor 1.x's MFC source is not public; its author's port,
 * powertab/ptparser, keeps the layout: powertabtuningdocument.cpp
 * serializes m_tuningArray, an array written as CObArray writes it, and
 * tuning.cpp's Tuning::DoSerialize (class CTuning, schema 1) writes the
 * name (an ANSI CString, cp1252), m_data (a BYTE: the sharps flag and the
 * music notation offset), the string count as a BYTE and a BYTE (a MIDI
 * note) per string. */

typedef struct tuning {
    char *name;
    size_t name_len;
    uint8_t data, nstrings, notes[255];
} tuning;

static void *MFCS_CALL tuning_create(void *ctx) { (void)ctx; objects_live++; return calloc(1, sizeof(tuning)); }

static void MFCS_CALL tuning_destroy(void *o, void *ctx)
{
    tuning *t = o;
    (void)ctx;
    if (!t)
        return;
    mfcs_free(t->name);
    free(t);
    objects_live--;
}

static mfcs_err MFCS_CALL tuning_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    tuning *t = o;
    (void)ctx;
    io_string_a(ar, &t->name, &t->name_len);
    IO(ar, u8, &t->data);
    IO(ar, u8, &t->nstrings);
    /* the program's own BYTE count, not MFC's WriteCount: no collection call fits */
    if (loading(ar))
        return mfcs_archive_read_u8_array(ar, t->notes, t->nstrings);
    return mfcs_archive_write_u8_array(ar, t->notes, t->nstrings);
}

Test(real_documents, power_tab_tunings)
{
    static const mfcs_class_ops ops = { tuning_create, tuning_serialize, tuning_destroy };
    static const uint8_t dulcimer[] = { 62, 57, 50 }, standard[] = { 64, 59, 55, 50, 45, 40, 33 };
    mfcs_class *ctuning;
    objlist tunings;
    real_doc d;
    mfcs_file *out;
    mfcs_archive *ar;
    const tuning *t;
    memset(&tunings, 0, sizeof tunings);
    OK(mfcs_class_register(&ctuning, "CTuning", 1, &ops, NULL));
    ar = load_real("tunings.dat", &d, MFCS_MFC_14);
    OK(io_list(ar, ctuning, &tunings));
    loaded_whole(ar, &d);

    cr_assert_eq(tunings.n, 85);
    t = tunings.objs[0];
    cr_assert_str_eq(t->name, "Mountain Dulcimer");
    cr_assert(t->nstrings == 3 && memcmp(t->notes, dulcimer, 3) == 0);
    t = tunings.objs[6];
    cr_assert_str_eq(t->name, "Bass-Down \xBD Step");   /* cp1252's one-half, kept as its byte */
    t = tunings.objs[84];
    cr_assert_str_eq(t->name, "Standard");
    cr_assert(t->nstrings == 7 && memcmp(t->notes, standard, 7) == 0);   /* the 7-string guitar */

    ar = store_new(&out, MFCS_MFC_14);
    OK(io_list(ar, ctuning, &tunings));
    stored_same(ar, out, &d);
    list_free(&tunings, tuning_destroy);
    cr_assert_eq(objects_live, 0);
}

/* ---- Jw_cad ----
 * Jw_cad for Windows 7.x/8.x drawings, file version 700. Jw_cad's source is
 * not public: its author publishes the layout (jwwf.txt), which the open
 * readers follow: monozukuri-ai/ezjww (crates/ezjww-core/src/parser.rs,
 * header.rs) and JinkiKeikaku/JwwExchange (JwwHelper/CJwwHeader.cpp,
 * CData*.cpp, CJwwReader.cpp, CJwwReaderBase.cpp, an MFC reader and
 * writer). The document: ar.Write of "JwwData.", the header (the version,
 * then fixed loops of DWORD, double and CString fields), then
 * m_DataList.Serialize(ar) (a CTypedPtrList<CObList, CData*> of entities of
 * mixed classes), m_DataListList.Serialize(ar) (the block definitions,
 * CDataList objects with nested entity lists, numbered by the one archive
 * with everything else) and from 7.00 the count of embedded images, a
 * DWORD. Every class is IMPLEMENT_SERIAL with schema 700; every CString is a
 * Unicode build's. Only the layout of version 700 and of the classes these
 * drawings use is written here.
 *
 * A block definition's CTime is the 4-byte time_t of MFC before 8.0, where
 * MFC 8.0 and later write a marker and 8 bytes (ezjww skips 4 bytes there;
 * smxmasami/miniArchive, jwwiom/JwwDocument.cpp, writes
 * (UINT32)m_time.GetTime() on purpose to match Jw_cad). So both archives
 * are told the program is MFC 7, the last whose CTime is 4 bytes: the read
 * takes the 4 bytes as the time without looking for a marker, and the
 * write gives 4 bytes back. */

/* The header alone is some 3,200 fields and the entity classes share their
 * shapes, so each is kept as a tape: its values in stored order, appended
 * as they are read and replayed when stored, by the same function. */
enum { CELL_U8, CELL_U16, CELL_U32, CELL_F64, CELL_STR, CELL_TIME };

typedef struct cell {
    int type;
    union { uint8_t u8; uint16_t u16; uint32_t u32; double f64; char *str; int64_t time; } v;
} cell;

typedef struct tape {
    mfcs_archive *ar;
    int loading, bad;
    cell *cells;
    size_t n, cap, pos;
} tape;

static void tape_begin(tape *t, mfcs_archive *ar)
{
    t->ar = ar;
    t->loading = loading(ar);
    t->pos = 0;
}

/* No assert here: this runs inside serialize callbacks, in the DLL's frames. */
static cell *tape_next(tape *t, int type)
{
    static cell scratch;
    cell *c;
    if (t->loading && t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 32;
        c = realloc(t->cells, cap * sizeof *c);
        if (c) {
            t->cells = c;
            t->cap = cap;
        }
    }
    if (t->loading && t->n < t->cap) {
        c = &t->cells[t->n++];
        memset(c, 0, sizeof *c);
        c->type = type;
        return c;
    }
    if (!t->loading && t->pos < t->n && t->cells[t->pos].type == type)
        return &t->cells[t->pos++];
    t->bad = 1;   /* out of memory, or stored in another shape than it was read */
    memset(&scratch, 0, sizeof scratch);
    scratch.v.str = "";
    return &scratch;
}

static void tape_u8(tape *t)
{
    cell *c = tape_next(t, CELL_U8);
    XFER(t->loading, t->ar, u8, &c->v.u8);
}

static void tape_u16(tape *t)
{
    cell *c = tape_next(t, CELL_U16);
    XFER(t->loading, t->ar, u16, &c->v.u16);
}

static void tape_u32(tape *t)
{
    cell *c = tape_next(t, CELL_U32);
    XFER(t->loading, t->ar, u32, &c->v.u32);
}

static void tape_f64(tape *t)
{
    cell *c = tape_next(t, CELL_F64);
    XFER(t->loading, t->ar, f64, &c->v.f64);
}

static void tape_time(tape *t)
{
    cell *c = tape_next(t, CELL_TIME);
    XFER(t->loading, t->ar, time, &c->v.time);
}

static void tape_str(tape *t)
{
    cell *c = tape_next(t, CELL_STR);
    if (t->loading)
        mfcs_archive_read_string(t->ar, &c->v.str, NULL);
    else
        mfcs_archive_write_string(t->ar, c->v.str);
}

static void tape_u32s(tape *t, int n) { while (n-- > 0) tape_u32(t); }
static void tape_f64s(tape *t, int n) { while (n-- > 0) tape_f64(t); }
static void tape_strs(tape *t, int n) { while (n-- > 0) tape_str(t); }

static mfcs_err tape_end(const tape *t)
{
    mfcs_err err = MFCS_OK;
    mfcs_archive_error(t->ar, &err);
    if (err == MFCS_OK && t->bad)
        err = MFCS_E_FORMAT;
    return err;
}

static void tape_free(tape *t)
{
    size_t i;
    for (i = 0; i < t->n; i++)
        if (t->cells[i].type == CELL_STR)
            mfcs_free(t->cells[i].v.str);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

/* jwwf.txt's header for version 700 (every "Ver.x.xx or later" group is there). */
static void jw_header(tape *t)
{
    int i;
    tape_u32(t);                    /* the version */
    tape_str(t);                    /* the file memo */
    tape_u32s(t, 2);                /* paper size, layer group written to */
    for (i = 0; i < 16; i++) {      /* layer groups: state, layer written to, scale, protection */
        tape_u32s(t, 2);
        tape_f64(t);
        tape_u32(t);
        tape_u32s(t, 16 * 2);       /* its layers: state, protection */
    }
    tape_u32s(t, 14 + 5 + 2);       /* dummies, dimension settings, a dummy, the widest line */
    tape_f64s(t, 3);                /* printer origin and scale */
    tape_u32s(t, 2);                /* printer setting, grid mode */
    tape_f64s(t, 5);                /* grid: smallest shown, spacing, origin */
    tape_strs(t, 16 * 16 + 16);     /* layer names, layer group names */
    tape_f64s(t, 2);                /* shadow settings */
    tape_u32(t);
    tape_f64s(t, 1 + 2);            /* wall shadow; sky chart */
    tape_u32(t);                    /* 2.5D unit */
    tape_f64s(t, 6);                /* zoom and origin when saved, stored range */
    for (i = 0; i < 8; i++) {       /* mark jumps: zoom, origin, layer group */
        tape_f64s(t, 3);
        tape_u32(t);
    }
    tape_f64s(t, 3);                /* dummies, text background margin and mode */
    tape_u32(t);
    tape_f64s(t, 3);
    tape_u32(t);
    tape_f64s(t, 11);               /* parallel line spacings */
    for (i = 0; i < 10; i++)        /* pens on screen: colour, width */
        tape_u32s(t, 2);
    for (i = 0; i < 10; i++) {      /* pens on the printer: colour, width, dot radius */
        tape_u32s(t, 2);
        tape_f64(t);
    }
    tape_u32s(t, 8 * 4 + 5 * 5 + 4 * 4);   /* line types, random and double-length ones */
    tape_u32s(t, 11);               /* drawing and printing switches */
    tape_u32s(t, 5);                /* drawing time, 2.5D eye settings */
    tape_f64s(t, 5 + 4);            /* 2.5D eyes; last line, box and circle sizes */
    tape_u32s(t, 2);                /* solid colour switch and colour */
    for (i = 0; i < 257; i++)       /* SXF pens on screen */
        tape_u32s(t, 2);
    for (i = 0; i < 257; i++) {     /* SXF pens: name, printer colour, width, dot radius */
        tape_str(t);
        tape_u32s(t, 2);
        tape_f64(t);
    }
    tape_u32s(t, 33 * 4);           /* SXF line types */
    for (i = 0; i < 33; i++) {      /* SXF line type: name, segments, pitches */
        tape_str(t);
        tape_u32(t);
        tape_f64s(t, 10);
    }
    for (i = 0; i < 10; i++) {      /* text styles: width, height, spacing, colour */
        tape_f64s(t, 3);
        tape_u32(t);
    }
    tape_f64s(t, 3);                /* the current text style, its colour and number */
    tape_u32s(t, 2);
    tape_f64s(t, 2);                /* text arrangement */
    tape_u32(t);
    tape_f64s(t, 6);                /* text base point offsets */
}

typedef struct jw_obj {
    const struct jw_kind *kind;
    tape t;
    objlist entities;   /* a CDataList's */
} jw_obj;

typedef struct jw_kind {
    const char *name;
    void (*body)(jw_obj *o);
    mfcs_class *cls;
} jw_kind;

/* CData::Serialize, first in every entity: curve attribute, pen style,
 * colour and width (3.51+), layer, layer group, flags. */
enum { JW_BASE_CELLS = 7 };
static void jw_base(tape *t)
{
    tape_u32(t);
    tape_u8(t);
    tape_u16(t);
    tape_u16(t);
    tape_u16(t);
    tape_u16(t);
    tape_u16(t);
}

/* CDataSen: a line's ends. */
static void jw_sen(jw_obj *o)
{
    jw_base(&o->t);
    tape_f64s(&o->t, 4);
}

/* CDataEnko: centre, radius, start and arc angles, tilt, flatness; whole circle. */
static void jw_enko(jw_obj *o)
{
    jw_base(&o->t);
    tape_f64s(&o->t, 7);
    tape_u32(&o->t);
}

/* CDataMoji: start, end, kind; width, height, spacing, angle; font, text. */
enum { JW_MOJI_FONT = JW_BASE_CELLS + 9, JW_MOJI_TEXT };
static void jw_moji(jw_obj *o)
{
    jw_base(&o->t);
    tape_f64s(&o->t, 4);
    tape_u32(&o->t);
    tape_f64s(&o->t, 4);
    tape_str(&o->t);
    tape_str(&o->t);
}

/* CDataBlock: a block's insertion: base point, scales, rotation; which definition. */
enum { JW_BLOCK_NUMBER = JW_BASE_CELLS + 5 };
static void jw_block(jw_obj *o)
{
    jw_base(&o->t);
    tape_f64s(&o->t, 5);
    tape_u32(&o->t);
}

/* CDataList: a block definition: number, referenced, made when, name, entities. */
enum { JW_LIST_NUMBER = JW_BASE_CELLS, JW_LIST_REFERENCED, JW_LIST_TIME, JW_LIST_NAME };
static void jw_list(jw_obj *o)
{
    jw_base(&o->t);
    tape_u32(&o->t);
    tape_u32(&o->t);
    tape_time(&o->t);
    tape_str(&o->t);
    io_list(o->t.ar, NULL, &o->entities);
}

enum { JW_SEN, JW_ENKO, JW_MOJI, JW_BLOCK, JW_LIST, JW_KINDS };
static jw_kind jw_kinds[JW_KINDS] = {
    { "CDataSen", jw_sen, NULL },
    { "CDataEnko", jw_enko, NULL },
    { "CDataMoji", jw_moji, NULL },
    { "CDataBlock", jw_block, NULL },
    { "CDataList", jw_list, NULL },
};

static void *MFCS_CALL jw_create(void *ctx)
{
    jw_obj *o = calloc(1, sizeof *o);
    if (o) {
        o->kind = ctx;
        objects_live++;
    }
    return o;
}

static mfcs_err MFCS_CALL jw_serialize(mfcs_archive *ar, void *p, void *ctx)
{
    jw_obj *o = p;
    (void)ctx;
    tape_begin(&o->t, ar);
    o->kind->body(o);
    return tape_end(&o->t);
}

static void MFCS_CALL jw_destroy(void *p, void *ctx)
{
    jw_obj *o = p;
    (void)ctx;
    if (!o)
        return;
    list_free(&o->entities, jw_destroy);
    tape_free(&o->t);
    free(o);
    objects_live--;
}

static void jw_register(void)
{
    static const mfcs_class_ops ops = { jw_create, jw_serialize, jw_destroy };
    size_t i;
    for (i = 0; i < JW_KINDS; i++)
        OK(mfcs_class_register(&jw_kinds[i].cls, jw_kinds[i].name, 700, &ops, &jw_kinds[i]));
}

typedef struct jw_doc {
    tape header;
    objlist entities, blocks;
    uint32_t images;
} jw_doc;

static mfcs_err jw_document(mfcs_archive *ar, jw_doc *doc)
{
    char signature[8] = { 0 };
    size_t got = sizeof signature;
    tape_begin(&doc->header, ar);
    if (doc->header.loading)
        mfcs_archive_read(ar, signature, sizeof signature, &got);
    else
        mfcs_archive_write(ar, "JwwData.", 8);
    if (got != sizeof signature || (doc->header.loading && memcmp(signature, "JwwData.", 8) != 0))
        return MFCS_E_FORMAT;
    jw_header(&doc->header);
    io_list(ar, NULL, &doc->entities);
    io_list(ar, jw_kinds[JW_LIST].cls, &doc->blocks);
    IO(ar, u32, &doc->images);
    return tape_end(&doc->header);
}

static const cell *jw_cell(const void *obj, size_t i)
{
    const jw_obj *o = obj;
    cr_assert_lt(i, o->t.n);
    return &o->t.cells[i];
}

static void jw_load(const char *name, real_doc *d, jw_doc *doc)
{
    mfcs_archive *ar;
    memset(doc, 0, sizeof *doc);
    jw_register();
    ar = load_real(name, d, MFCS_MFC_7);
    OK(jw_document(ar, doc));
    loaded_whole(ar, d);
    cr_assert_eq(doc->header.cells[0].v.u32, 700, "version %u", (unsigned)doc->header.cells[0].v.u32);
    cr_assert_eq(doc->header.cells[2].v.u32, 3);        /* paper size A3 */
    cr_assert_eq(doc->header.cells[6].v.f64, 50.0);     /* layer group 0 at 1:50 */
    cr_assert_eq(doc->images, 0);
}

static void jw_store_back(real_doc *d, jw_doc *doc)
{
    mfcs_file *out;
    mfcs_archive *ar = store_new(&out, MFCS_MFC_7);
    OK(jw_document(ar, doc));
    stored_same(ar, out, d);
    list_free(&doc->entities, jw_destroy);
    list_free(&doc->blocks, jw_destroy);
    tape_free(&doc->header);
    cr_assert_eq(objects_live, 0);
}

static void jw_expect_classes(const objlist *l, const int *kinds, size_t n)
{
    size_t i;
    cr_assert_eq(l->n, n);
    for (i = 0; i < n; i++)
        cr_assert_eq(l->classes[i], jw_kinds[kinds[i]].cls, "entity %zu", i);
}

Test(real_documents, jw_cad_two_blocks)
{
    static const int top[] = { JW_BLOCK, JW_BLOCK, JW_MOJI, JW_MOJI, JW_MOJI, JW_MOJI, JW_MOJI, JW_MOJI };
    static const int lines[] = { JW_SEN, JW_SEN }, circles[] = { JW_ENKO, JW_ENKO };
    real_doc d;
    jw_doc doc;
    const jw_obj *def;
    jw_load("2blocks.jww", &d, &doc);

    jw_expect_classes(&doc.entities, top, 8);
    cr_assert_eq(jw_cell(doc.entities.objs[0], JW_BLOCK_NUMBER)->v.u32, 0);
    cr_assert_eq(jw_cell(doc.entities.objs[1], JW_BLOCK_NUMBER)->v.u32, 1);
    /* Jw_cad keeps its printer and view settings as text far off the drawing */
    cr_assert_str_eq(jw_cell(doc.entities.objs[2], JW_MOJI_TEXT)->v.str, "Printer_Orientation = 0");
    cr_assert_str_eq(jw_cell(doc.entities.objs[2], JW_MOJI_FONT)->v.str,
                     "\xEF\xBC\xAD\xEF\xBC\xB3 \xE3\x82\xB4\xE3\x82\xB7\xE3\x83\x83\xE3\x82\xAF");   /* MS Gothic */

    cr_assert_eq(doc.blocks.n, 2);
    def = doc.blocks.objs[0];
    cr_assert_eq(jw_cell(def, JW_LIST_NUMBER)->v.u32, 0);
    cr_assert_eq(jw_cell(def, JW_LIST_REFERENCED)->v.u32, 1);
    cr_assert_eq(jw_cell(def, JW_LIST_TIME)->v.time, 1787105042);   /* 2026-08-19 02:04:02 UTC */
    cr_assert_str_eq(jw_cell(def, JW_LIST_NAME)->v.str, "2lines@@SfigorgFlag@@4");
    jw_expect_classes(&def->entities, lines, 2);   /* CDataSen first met inside a block */
    def = doc.blocks.objs[1];
    cr_assert_eq(jw_cell(def, JW_LIST_TIME)->v.time, 1787105056);
    cr_assert_str_eq(jw_cell(def, JW_LIST_NAME)->v.str, "2circles@@SfigorgFlag@@4");
    jw_expect_classes(&def->entities, circles, 2);

    jw_store_back(&d, &doc);
}

Test(real_documents, jw_cad_no_block)
{
    static const int top[] = { JW_SEN, JW_SEN, JW_SEN, JW_SEN, JW_ENKO, JW_ENKO,
                               JW_MOJI, JW_MOJI, JW_MOJI, JW_MOJI, JW_MOJI, JW_MOJI };
    real_doc d;
    jw_doc doc;
    jw_load("non_block.jww", &d, &doc);
    jw_expect_classes(&doc.entities, top, 12);
    cr_assert_str_eq(jw_cell(doc.entities.objs[11], JW_MOJI_TEXT)->v.str, "Draw_BmpTOUKA = 1");
    cr_assert_eq(doc.blocks.n, 0);
    jw_store_back(&d, &doc);
}

/* ---- a textbook's letters ----
 * Example 9-6 of a Chinese MFC textbook (ShulinLiu/DissectingMFC_SourceCode,
 * .../09章例题代码/MFCexp9_6: MFCexp9_6Doc.cpp, Letter.cpp): the document
 * writes m_LetterList.Serialize(ar), a CObList of CLetter (schema 1), each
 * ar << m_sLetter << m_X << m_Y: a char and two ints. */

typedef struct letter { int8_t ch; int32_t x, y; } letter;

static void *MFCS_CALL letter_create(void *ctx) { (void)ctx; objects_live++; return calloc(1, sizeof(letter)); }

static void MFCS_CALL letter_destroy(void *o, void *ctx)
{
    (void)ctx;
    if (o)
        objects_live--;
    free(o);
}

static mfcs_err MFCS_CALL letter_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    letter *l = o;
    (void)ctx;
    IO(ar, i8, &l->ch);
    IO(ar, i32, &l->x);
    return IO(ar, i32, &l->y);
}

Test(real_documents, textbook_letters)
{
    static const mfcs_class_ops ops = { letter_create, letter_serialize, letter_destroy };
    mfcs_class *cletter;
    objlist letters;
    real_doc d;
    mfcs_file *out;
    mfcs_archive *ar;
    const letter *l;
    size_t i;
    memset(&letters, 0, sizeof letters);
    OK(mfcs_class_register(&cletter, "CLetter", 1, &ops, NULL));
    ar = load_real("letter-MFCexp1.bin", &d, MFCS_MFC_14);
    OK(io_list(ar, cletter, &letters));
    loaded_whole(ar, &d);

    cr_assert_eq(letters.n, 22);
    for (i = 0; i < letters.n; i++)
        cr_assert_eq(((const letter *)letters.objs[i])->ch, 'm', "letter %zu", i);   /* NewLetter's 'm' */
    l = letters.objs[0];
    cr_assert(l->x == 273 && l->y == 145);
    l = letters.objs[21];
    cr_assert(l->x == 355 && l->y == 133);

    ar = store_new(&out, MFCS_MFC_14);
    OK(io_list(ar, cletter, &letters));
    stored_same(ar, out, &d);
    list_free(&letters, letter_destroy);
    cr_assert_eq(objects_live, 0);
}
