/* Hostile peers and callbacks (issue 17), through the DLL: objects nested
 * deeper than a stack holds, a map grown two bytes of input at a time, a
 * peer that pauses inside a value or sends one byte at a time, callbacks
 * that try to free the archive under the call running them, and a read
 * refused from inside a wait. What each may cost is in the README. */
#include "socket_util.h"

#include "alloc_spy.h"
#include "node_class.h"

/* ---- nesting (node_class.h) ---- */

/* The stream of a chain of depth nodes: the class record once, then a
 * class reference (01 80) and "has a child" (01) per level: 3 bytes. */
static unsigned char *chain(unsigned depth, size_t *len)
{
    static const unsigned char head[] = { 0xFF, 0xFF, 0x00, 0x00, 0x05, 0x00, 'C', 'N', 'o', 'd', 'e' };
    unsigned char *p = malloc(sizeof head + 3 * (size_t)depth + 1), *q;
    unsigned i;
    cr_assert_not_null(p);
    memcpy(p, head, sizeof head);
    q = p + sizeof head;
    for (i = 0; i < depth; i++) {
        if (i) {
            *q++ = 0x01;
            *q++ = 0x80;
        }
        *q++ = i + 1 < depth;
    }
    *len = (size_t)(q - p);
    return p;
}

static mfcs_err load_chain(unsigned depth, unsigned limit)
{
    size_t len;
    unsigned char *bytes = chain(depth, &len);
    mfcs_file *f;
    mfcs_archive *ar;
    void *root = NULL;
    mfcs_err err;
    if (mfcs_file_open_memory(&f, bytes, len) != MFCS_OK || mfcs_archive_open(&ar, f, MFCS_LOAD, 0) != MFCS_OK)
        return -1;
    if (limit)
        mfcs_archive_set_limit(ar, MFCS_LIMIT_DEPTH, limit, NULL);
    err = mfcs_archive_read_object(ar, node_class, &root, NULL);
    if (root)
        node_destroy(root, NULL);
    mfcs_archive_abort(ar);
    mfcs_file_close(f);
    free(bytes);
    return err;
}

typedef struct chain_job {
    unsigned depth, limit;
    mfcs_err err;
} chain_job;

static DWORD WINAPI load_chain_thread(void *arg)
{
    chain_job *j = arg;
    j->err = load_chain(j->depth, j->limit);
    return 0;
}

/* On a thread with the smallest stack Windows gives (64 KiB reserved). */
static mfcs_err load_chain_on_small_stack(unsigned depth, unsigned limit)
{
    chain_job j = { depth, limit, -1 };
    HANDLE t = CreateThread(NULL, 64 * 1024, load_chain_thread, &j, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
    DWORD code = 0;
    cr_assert_not_null(t);
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    CloseHandle(t);
    cr_assert_eq(code, 0, "the loading thread died (0x%08lX): its stack overflowed", (unsigned long)code);
    return j.err;
}

static void register_node(void)
{
    cr_assert_eq(mfcs_class_register(&node_class, "CNode", 0, &node_ops, NULL), MFCS_OK);
}

/* ~10,000 levels (30 KB) killed the process; the default limit is met with
 * a plain error, on any thread, and a tree as deep as real documents get
 * (a few levels) loads with a wide margin. */
Test(nesting, a_hostile_chain_meets_the_depth_limit_not_the_stack, .timeout = 60)
{
    register_node();
    ERR(load_chain(10000, 0), MFCS_E_LIMIT);
    ERR(load_chain(100000, 0), MFCS_E_LIMIT);
    ERR(load_chain_on_small_stack(10000, 0), MFCS_E_LIMIT);
    cr_assert_eq(nodes_live, 0, "%d nodes leaked", nodes_live);
}

Test(nesting, a_tree_up_to_the_default_depth_loads_even_on_a_small_stack, .timeout = 60)
{
    register_node();
    OK(load_chain(64, 0));
    ERR(load_chain(65, 0), MFCS_E_LIMIT);
    OK(load_chain_on_small_stack(64, 0));
    /* A program that knows its trees are deeper says so. */
    OK(load_chain(2000, 4000));
    cr_assert_eq(nodes_live, 0);
}

Test(nesting, writing_is_bounded_the_same_way, .timeout = 60)
{
    node *root = NULL, **at = &root;
    mfcs_file *f;
    mfcs_archive *ar;
    int i;
    register_node();
    for (i = 0; i < 100; i++) {
        *at = calloc(1, sizeof **at);
        at = &(*at)->child;
    }
    OK(mfcs_file_open_memory(&f, NULL, 0));
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    ERR(mfcs_archive_write_object(ar, node_class, root), MFCS_E_LIMIT);
    mfcs_archive_abort(ar);
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    OK(mfcs_archive_set_limit(ar, MFCS_LIMIT_DEPTH, 100, NULL));
    OK(mfcs_archive_write_object(ar, node_class, root));
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
    nodes_live = 100;
    node_destroy(root, NULL);
}

/* ---- the object map ---- */

static int one_object;
static void *MFCS_CALL shared_create(void *ctx) { (void)ctx; return &one_object; }
static void MFCS_CALL shared_destroy(void *o, void *ctx) { (void)o; (void)ctx; }
static mfcs_err MFCS_CALL empty_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    (void)ar; (void)o; (void)ctx;
    return MFCS_OK;
}

/* One class record, then n class references: each makes an object (here
 * always the same one, so only the map costs memory). */
static unsigned char *many_objects(size_t n, size_t *len)
{
    static const unsigned char head[] = { 0xFF, 0xFF, 0x00, 0x00, 0x06, 0x00, 'C', 'E', 'm', 'p', 't', 'y' };
    unsigned char *p = malloc(sizeof head + 2 * n), *q;
    size_t i;
    cr_assert_not_null(p);
    memcpy(p, head, sizeof head);
    for (q = p + sizeof head, i = 1; i < n; i++) {
        *q++ = 0x01;
        *q++ = 0x80;
    }
    *len = (size_t)(q - p);
    return p;
}

/* Reads objects until the stream or the map ends; returns the first error. */
static mfcs_err read_all(mfcs_archive *ar, size_t *count)
{
    void *o;
    mfcs_err err;
    *count = 0;
    while ((err = mfcs_archive_read_object(ar, NULL, &o, NULL)) == MFCS_OK)
        (*count)++;
    return err;
}

Test(map, entries_are_limited_and_cost_a_few_bytes_each, .timeout = 120)
{
    static const mfcs_class_ops ops = { shared_create, empty_serialize, shared_destroy };
    mfcs_class *cls;
    mfcs_file *f;
    mfcs_archive *ar;
    size_t len, n;
    long long before, peak;
    unsigned char *bytes;
    cr_assert_eq(mfcs_class_register(&cls, "CEmpty", 0, &ops, NULL), MFCS_OK);

    /* Past the limit: a plain error, the objects read until then kept. */
    bytes = many_objects(300000, &len);
    OK(mfcs_file_open_memory(&f, bytes, len));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_set_limit(ar, MFCS_LIMIT_OBJECTS, 100000, NULL));
    ERR(read_all(ar, &n), MFCS_E_LIMIT);
    cr_assert_eq(n, 100000 - 2, "read %zu objects before the limit", n);   /* index 0 and the class */
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
    free(bytes);

    /* 3 million objects from 6 MB: the map grows with them, and its peak
     * stays near its size (it grows in blocks, no copy of the whole). */
    bytes = many_objects(3000000, &len);
    OK(mfcs_file_open_memory(&f, bytes, len));
    free(bytes);
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    cr_assert_gt(spy_watch(1), 0);
    before = spy_reset();
    ERR(read_all(ar, &n), MFCS_E_END);
    cr_assert_eq(n, 3000000);
    peak = spy_peak;
    spy_watch(0);
    /* the map's entries are there: a spy that saw nothing would pass anything */
    cr_assert_gt(peak - before, 3000000LL * 12, "3M objects: the DLL held only %lld bytes", peak - before);
    cr_assert_lt(peak - before, (long long)(3000000 * 16 * 1.25 + (4 << 20)),
                 "3M objects: %lld bytes at peak (%lld per object)", peak - before, (peak - before) / 3000000);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));

    /* The default stops a hostile stream long before memory does. */
    bytes = many_objects(5000000, &len);
    OK(mfcs_file_open_memory(&f, bytes, len));
    free(bytes);
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    ERR(read_all(ar, &n), MFCS_E_LIMIT);
    cr_assert_eq(n, ((size_t)1 << 22) - 2);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* ---- callbacks that try to free the archive under the call ---- */

/* ---- collections ---- */

/* The most an input byte can cost in a collection: an empty string is one
 * byte on the wire, and a pointer and a NUL in what the read hands out,
 * plus its offset while the list is read. 4M of them, the peak measured
 * through the DLL's allocations (the README quotes these bounds). */
static long long list_of_empty_strings(int with_lens, size_t n)
{
    unsigned char *bytes = calloc(1, 6 + n);
    mfcs_file *f;
    mfcs_archive *ar;
    char **strings = NULL;
    size_t *lens = NULL, got = 0;
    long long start, peak;
    cr_assert_not_null(bytes);
    memcpy(bytes, "\xFF\xFF", 2);
    bytes[2] = (unsigned char)n;
    bytes[3] = (unsigned char)(n >> 8);
    bytes[4] = (unsigned char)(n >> 16);
    bytes[5] = (unsigned char)(n >> 24);
    OK(mfcs_file_open_memory(&f, bytes, 6 + n));
    free(bytes);
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    cr_assert_gt(spy_watch(1), 0);
    start = spy_reset();
    if (with_lens)
        OK(mfcs_archive_read_string_list_a(ar, &strings, &lens, &got));
    else
        OK(mfcs_archive_read_string_list(ar, &strings, &got));
    peak = spy_peak - start;
    spy_watch(0);
    cr_assert_eq(got, n);
    cr_assert_str_eq(strings[n - 1], "");
    mfcs_free(strings);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
    return peak;
}

Test(collections, a_list_of_empty_strings_costs_a_bounded_amount_per_byte, .init = init_lib, .fini = term_lib,
     .timeout = 120)
{
    size_t n = 4u << 20;
    long long plain = list_of_empty_strings(0, n), with_lens = list_of_empty_strings(1, n);
    long long bound = sizeof(void *) == 8 ? 26 : 14;
    cr_log_info("4M empty strings: %lld bytes per input byte at the peak, %lld with lengths",
                plain / (long long)n, with_lens / (long long)n);
    cr_assert_gt(plain, (long long)n * (long long)sizeof(void *), "the spies saw %lld bytes", plain);
    cr_assert_leq(plain, (long long)n * bound, "%lld bytes per input byte", plain / (long long)n);
    cr_assert_leq(with_lens, (long long)n * (bound + (long long)sizeof(size_t)), "%lld bytes per input byte",
                  with_lens / (long long)n);
}

/* A tree as lists of lists: each element is a count and its own elements.
 * A hostile stream nests it two bytes a level; the depth limit stops it
 * as it stops nested objects, before the stack does. */
static mfcs_err MFCS_CALL nested_list(mfcs_archive *ar, size_t i, void *ctx)
{
    (void)i;
    return mfcs_archive_read_elements(ar, nested_list, ctx, NULL);
}

Test(collections, elements_nested_meet_the_depth_limit, .init = init_lib, .fini = term_lib, .timeout = 60)
{
    size_t levels = 200000, i;
    unsigned char *bytes = malloc(2 * levels);
    mfcs_file *f;
    mfcs_archive *ar;
    cr_assert_not_null(bytes);
    for (i = 0; i < levels; i++) {   /* a count of 1, then the next level */
        bytes[2 * i] = 1;
        bytes[2 * i + 1] = 0;
    }
    OK(mfcs_file_open_memory(&f, bytes, 2 * levels));
    free(bytes);
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    ERR(mfcs_archive_read_elements(ar, nested_list, NULL, NULL), MFCS_E_LIMIT);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* Flushing a loading archive hands its read-ahead back to the file: from
 * inside a value being read (an element callback, a serialize) that would
 * take away bytes the value may have to give back. Refused, and the read
 * goes on. */
static mfcs_err MFCS_CALL flush_then_read(mfcs_archive *ar, size_t i, void *ctx)
{
    uint32_t *v = ctx;
    (void)i;
    ERR(mfcs_archive_flush(ar), MFCS_E_STATE);
    return mfcs_archive_read_u32(ar, v);
}

Test(callbacks, a_flush_inside_a_read_is_refused, .init = init_lib, .fini = term_lib, .timeout = 30)
{
    static const unsigned char in[] = { 0x11, 0x22, 0x01, 0x00, 0xAA, 0xBB, 0xCC, 0xDD, 0x7E };
    mfcs_file *f;
    mfcs_archive *ar;
    uint16_t w = 0;
    uint32_t v = 0;
    uint8_t tail = 0;
    size_t n = 0;
    OK(mfcs_file_open_memory(&f, in, sizeof in));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_u16(ar, &w));
    OK(mfcs_archive_read_elements(ar, flush_then_read, &v, &n));
    cr_assert_eq(n, 1);
    cr_assert_eq(v, 0xDDCCBBAAu);
    OK(mfcs_archive_read_u8(ar, &tail));
    cr_assert_eq(tail, 0x7E);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
}

static mfcs_archive *current;
static mfcs_err abort_from_create = -1, abort_from_destroy = -1, close_from_destroy = -1;

static void *MFCS_CALL aborting_create(void *ctx)
{
    (void)ctx;
    abort_from_create = mfcs_archive_abort(current);
    return malloc(4);
}
static void MFCS_CALL aborting_destroy(void *o, void *ctx)
{
    (void)ctx;
    abort_from_destroy = mfcs_archive_abort(current);
    close_from_destroy = mfcs_archive_close(current);
    free(o);
}
static mfcs_err MFCS_CALL failing_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    (void)ar; (void)o; (void)ctx;
    return MFCS_E_FORMAT;
}

/* A destroy that aborted its own archive after a failed serialize freed
 * it under read_object, which then wrote into freed memory; from create,
 * a page fault. Closing is refused from every callback of the archive's
 * own objects, as from serialize. */
Test(callbacks, create_and_destroy_cannot_free_the_archive_under_the_call, .timeout = 30)
{
    static const mfcs_class_ops ops = { aborting_create, failing_serialize, aborting_destroy };
    static const unsigned char doc[] = { 0xFF, 0xFF, 0x00, 0x00, 0x06, 0x00, 'C', 'A', 'b', 'o', 'r', 't' };
    mfcs_class *cls;
    mfcs_file *f;
    void *o = (void *)1;
    mfcs_err first;
    OK(mfcs_class_register(&cls, "CAbort", 0, &ops, NULL));
    OK(mfcs_file_open_memory(&f, doc, sizeof doc));
    OK(mfcs_archive_open(&current, f, MFCS_LOAD, 0));
    ERR(mfcs_archive_read_object(current, NULL, &o, NULL), MFCS_E_FORMAT);
    cr_assert_null(o);
    cr_assert_eq(abort_from_create, MFCS_E_STATE, "abort from create: 0x%08X", (unsigned)abort_from_create);
    cr_assert_eq(abort_from_destroy, MFCS_E_STATE, "abort from destroy: 0x%08X", (unsigned)abort_from_destroy);
    cr_assert_eq(close_from_destroy, MFCS_E_STATE);
    /* The archive is whole, its error where serialize put it. */
    OK(mfcs_archive_error(current, &first));
    cr_assert_eq(first, MFCS_E_FORMAT);
    ERR(mfcs_archive_close(current), MFCS_E_FORMAT);
    OK(mfcs_file_close(f));
}

/* ---- a peer that pauses, or sends one byte at a time ---- */

typedef struct dribbler {
    SOCKET l;
    unsigned port;
    const unsigned char *bytes;
    int len;
    int first;          /* bytes sent at once before the pauses */
    DWORD pause_ms;     /* before each later piece */
    int piece;          /* bytes per later piece */
    HANDLE t;
} dribbler;

static DWORD WINAPI dribble(void *arg)
{
    dribbler *d = arg;
    SOCKET s = accept(d->l, NULL, NULL);
    int at;
    char sink[64];
    send(s, (const char *)d->bytes, d->first, 0);
    for (at = d->first; at < d->len; at += d->piece) {
        Sleep(d->pause_ms);
        send(s, (const char *)d->bytes + at, d->len - at < d->piece ? d->len - at : d->piece, 0);
    }
    while (recv(s, sink, sizeof sink, 0) > 0)
        ;
    closesocket(s);
    return 0;
}

static mfcs_socket *dribbled(dribbler *d)
{
    mfcs_socket *s;
    d->l = raw_bound(SOCK_STREAM, &d->port);
    listen(d->l, 1);
    d->t = CreateThread(NULL, 0, dribble, d, 0, NULL);
    OK(mfcs_socket_new(&s, MFCS_BLOCKING, NULL, NULL));
    OK(mfcs_socket_create(s, 0, MFCS_STREAM, 0, NULL));
    OK(mfcs_socket_connect(s, "127.0.0.1", d->port));
    return s;
}

static void dribbled_done(dribbler *d, mfcs_socket *s)
{
    OK(mfcs_socket_free(s));
    WaitForSingleObject(d->t, INFINITE);
    CloseHandle(d->t);
    closesocket(d->l);
}

static mfcs_archive *reader(mfcs_socket *s, mfcs_file **f)
{
    mfcs_archive *ar;
    OK(mfcs_file_open_socket(f, s, 1));
    OK(mfcs_archive_open(&ar, *f, MFCS_LOAD, 0));
    return ar;
}

/* The peer sends 01, pauses past the timeout, then 02..08: the read times
 * out, and the byte it had taken is not lost (it was: the next receive
 * began at 02). Abort and a new archive read the value whole. */
Test(slow_peers, a_read_that_times_out_gives_back_what_it_took, .init = init_lib, .fini = term_lib, .timeout = 30)
{
    static const unsigned char u64[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    dribbler d = { 0 };
    mfcs_socket *s;
    mfcs_file *f;
    mfcs_archive *ar;
    uint64_t v = 0;
    d.bytes = u64;
    d.len = 8;
    d.first = 1;
    d.pause_ms = 1500;
    d.piece = 7;
    s = dribbled(&d);
    OK(mfcs_socket_set_timeout(s, 1000));
    ar = reader(s, &f);
    ERR(mfcs_archive_read_u64(ar, &v), MFCS_E_TIMEOUT);
    OK(mfcs_archive_abort(ar));
    OK(mfcs_socket_set_timeout(s, 5000));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_u64(ar, &v));
    cr_assert_eq(v, 0x0807060504030201ull, "read %016llX", (unsigned long long)v);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
    dribbled_done(&d, s);
}

/* The same for a string cut after its length and two characters. */
Test(slow_peers, a_string_that_times_out_is_read_whole_after_abort, .init = init_lib, .fini = term_lib, .timeout = 30)
{
    static const unsigned char str[] = { 5, 'a', 'b', 'c', 'd', 'e' };
    dribbler d = { 0 };
    mfcs_socket *s;
    mfcs_file *f;
    mfcs_archive *ar;
    char *got = NULL;
    d.bytes = str;
    d.len = 6;
    d.first = 3;
    d.pause_ms = 1500;
    d.piece = 3;
    s = dribbled(&d);
    OK(mfcs_socket_set_timeout(s, 1000));
    ar = reader(s, &f);
    ERR(mfcs_archive_read_string_a(ar, &got, NULL), MFCS_E_TIMEOUT);
    cr_assert_null(got);
    OK(mfcs_archive_abort(ar));
    OK(mfcs_socket_set_timeout(s, 5000));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_string_a(ar, &got, NULL));
    cr_assert_str_eq(got, "abcde");
    mfcs_free(got);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
    dribbled_done(&d, s);
}

/* And for a cancel from another thread. */
typedef struct cancel_job {
    mfcs_socket *s;
    DWORD ms;
} cancel_job;

static DWORD WINAPI cancel_later(void *arg)
{
    cancel_job *c = arg;
    Sleep(c->ms);
    mfcs_socket_cancel_blocking_call(c->s);
    return 0;
}

Test(slow_peers, a_cancelled_read_gives_back_what_it_took, .init = init_lib, .fini = term_lib, .timeout = 30)
{
    static const unsigned char u32[] = { 0x11, 0x22, 0x33, 0x44 };
    dribbler d = { 0 };
    cancel_job c;
    mfcs_socket *s;
    mfcs_file *f;
    mfcs_archive *ar;
    uint32_t v = 0;
    HANDLE t;
    d.bytes = u32;
    d.len = 4;
    d.first = 2;
    d.pause_ms = 1200;
    d.piece = 2;
    s = dribbled(&d);
    ar = reader(s, &f);
    c.s = s;
    c.ms = 300;
    t = CreateThread(NULL, 0, cancel_later, &c, 0, NULL);
    ERR(mfcs_archive_read_u32(ar, &v), MFCS_E_CANCELLED);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    OK(mfcs_archive_abort(ar));
    OK(mfcs_socket_set_timeout(s, 5000));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_u32(ar, &v));
    cr_assert_eq(v, 0x44332211u);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
    dribbled_done(&d, s);
}

/* A slowloris peer sends a byte just inside the timeout, again and again:
 * the deadline covers the whole value (it restarted at every byte: a u64
 * at one byte per 900 ms "succeeded" after 6.3 s). */
Test(slow_peers, the_deadline_covers_a_whole_value, .init = init_lib, .fini = term_lib, .timeout = 60)
{
    static const unsigned char u64[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    static const unsigned char str[] = { 12, 'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!' };
    dribbler d = { 0 };
    mfcs_socket *s;
    mfcs_file *f;
    mfcs_archive *ar;
    ULONGLONG t0, took;
    d.bytes = u64;
    d.len = 8;
    d.first = 1;
    d.pause_ms = 300;
    d.piece = 1;
    s = dribbled(&d);
    OK(mfcs_socket_set_timeout(s, 1000));
    ar = reader(s, &f);
    t0 = GetTickCount64();
    ERR(mfcs_archive_read_u64(ar, NULL), MFCS_E_TIMEOUT);
    took = GetTickCount64() - t0;
    cr_assert(took >= 900 && took < 1800, "the u64 took %llu ms", (unsigned long long)took);
    mfcs_archive_abort(ar);
    mfcs_file_close(f);
    dribbled_done(&d, s);

    memset(&d, 0, sizeof d);
    d.bytes = str;
    d.len = sizeof str;
    d.first = 1;
    d.pause_ms = 250;
    d.piece = 1;
    s = dribbled(&d);
    OK(mfcs_socket_set_timeout(s, 1000));
    ar = reader(s, &f);
    t0 = GetTickCount64();
    ERR(mfcs_archive_read_string_a(ar, NULL, NULL), MFCS_E_TIMEOUT);
    took = GetTickCount64() - t0;
    cr_assert(took >= 900 && took < 1800, "the string took %llu ms", (unsigned long long)took);
    mfcs_archive_abort(ar);
    mfcs_file_close(f);
    dribbled_done(&d, s);
}

/* ---- a read refused from inside a wait ---- */

typedef struct nested_read {
    mfcs_archive *ar;
    mfcs_err got;
    int tried;
} nested_read;

static int MFCS_CALL read_from_inside(mfcs_socket *s, const MSG *m, void *user)
{
    nested_read *n = user;
    (void)s;
    if (m->message != WM_USER + 21 || n->tried)
        return 0;
    n->tried = 1;
    n->got = mfcs_archive_read_u8(n->ar, NULL);
    return 1;
}

typedef struct two_bytes_later {
    SOCKET s;
} two_bytes_later;

static DWORD WINAPI send_two_later(void *arg)
{
    two_bytes_later *t = arg;
    Sleep(300);
    send(t->s, "A", 1, 0);
    Sleep(300);
    send(t->s, "B", 1, 0);
    return 0;
}

/* The refusal took nothing, and was sticky all the same: the archive
 * refused everything after (its storing twin did not). */
Test(callbacks, a_read_refused_inside_a_wait_leaves_the_archive_whole, .init = init_lib, .fini = term_lib, .timeout = 30)
{
    nested_read n = { 0 };
    mfcs_socket_callbacks cb = { 0 };
    two_bytes_later tb;
    mfcs_socket *s;
    mfcs_file *f;
    HANDLE t;
    char buf[4];
    int got = 0;
    uint8_t v = 0;
    cb.on_message_pending = read_from_inside;
    s = blocking_pair(&cb, &n, &tb.s);
    OK(mfcs_file_open_socket(&f, s, 1));
    OK(mfcs_archive_open(&n.ar, f, MFCS_LOAD, 0));
    OK(mfcs_socket_set_timeout(s, 5000));
    PostThreadMessageA(GetCurrentThreadId(), WM_USER + 21, 0, 0);
    t = CreateThread(NULL, 0, send_two_later, &tb, 0, NULL);
    OK(mfcs_socket_receive(s, buf, 1, 0, &got));
    cr_assert_eq(got, 1);
    cr_assert_eq(buf[0], 'A');
    cr_assert(n.tried, "on_message_pending never ran");
    cr_assert_eq(n.got, MFCS_E_INPROGRESS, "the read inside the wait: 0x%08X", (unsigned)n.got);
    OK(mfcs_archive_read_u8(n.ar, &v));
    cr_assert_eq(v, 'B');
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    closesocket(tb.s);
    OK(mfcs_archive_close(n.ar));
    OK(mfcs_file_close(f));
    OK(mfcs_socket_free(s));
}
