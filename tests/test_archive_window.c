/* Windows (the archive's buffer, written and read through inline
 * functions) and array calls: the same bytes as the per-value calls at
 * every buffer boundary, across a socket that makes them wait, with sticky
 * errors, and against misuse. */
#include "socket_util.h"

/* The bytes a memory file holds. */
static size_t file_bytes(mfcs_file *f, const unsigned char **data)
{
    const void *d;
    size_t len;
    OK(mfcs_file_memory_data(f, &d, &len));
    *data = (const unsigned char *)d;
    return len;
}

/* One value of every primitive, as the per-value calls write it and as a
 * window does, into archives of the same buffer size. */
static void put_all_calls(mfcs_archive *ar, int i)
{
    OK(mfcs_archive_write_u8(ar, (uint8_t)(0xA0 + i)));
    OK(mfcs_archive_write_i8(ar, (int8_t)-i));
    OK(mfcs_archive_write_u16(ar, (uint16_t)(0xBEEF + i)));
    OK(mfcs_archive_write_i16(ar, (int16_t)(-300 - i)));
    OK(mfcs_archive_write_u32(ar, 0xDEADBEEFu + (uint32_t)i));
    OK(mfcs_archive_write_i32(ar, -70000 - i));
    OK(mfcs_archive_write_u64(ar, 0x0102030405060708ull + (uint64_t)i));
    OK(mfcs_archive_write_i64(ar, -5000000000ll - i));
    OK(mfcs_archive_write_f32(ar, 1.5f + (float)i));
    OK(mfcs_archive_write_f64(ar, -2.25 - i));
    OK(mfcs_archive_write_bool(ar, i & 1));
}

static void put_all_window(mfcs_window *w, int i)
{
    mfcs_window_put_u8(w, (uint8_t)(0xA0 + i));
    mfcs_window_put_i8(w, (int8_t)-i);
    mfcs_window_put_u16(w, (uint16_t)(0xBEEF + i));
    mfcs_window_put_i16(w, (int16_t)(-300 - i));
    mfcs_window_put_u32(w, 0xDEADBEEFu + (uint32_t)i);
    mfcs_window_put_i32(w, -70000 - i);
    mfcs_window_put_u64(w, 0x0102030405060708ull + (uint64_t)i);
    mfcs_window_put_i64(w, -5000000000ll - i);
    mfcs_window_put_f32(w, 1.5f + (float)i);
    mfcs_window_put_f64(w, -2.25 - i);
    mfcs_window_put_bool(w, i & 1);
}

#define ONE_OF_EACH 43   /* 1+1+2+2+4+4+8+8+4+8+1 */

/* Stores rounds of one value of each primitive both ways, after lead
 * bytes that put each value against the buffer's end, and compares. */
static void same_bytes_as_calls(size_t buf, size_t lead, int rounds)
{
    mfcs_file *fa, *fb;
    mfcs_archive *a, *b;
    mfcs_window w;
    const unsigned char *da, *db;
    size_t na, nb, i;
    int r;
    OK(mfcs_file_open_memory(&fa, NULL, 0));
    OK(mfcs_file_open_memory(&fb, NULL, 0));
    OK(mfcs_archive_open(&a, fa, MFCS_STORE, buf));
    OK(mfcs_archive_open(&b, fb, MFCS_STORE, buf));
    for (i = 0; i < lead; i++) {
        OK(mfcs_archive_write_u8(a, (uint8_t)i));
        OK(mfcs_archive_write_u8(b, (uint8_t)i));
    }
    OK(mfcs_archive_window_open(b, 0, &w));
    for (r = 0; r < rounds; r++) {
        put_all_calls(a, r);
        put_all_window(&w, r);
    }
    OK(mfcs_archive_window_close(&w));
    OK(mfcs_archive_close(a));
    OK(mfcs_archive_close(b));
    na = file_bytes(fa, &da);
    nb = file_bytes(fb, &db);
    cr_assert_eq(na, nb, "buffer %zu, lead %zu: %zu bytes by calls, %zu by the window", buf, lead, na, nb);
    cr_assert_eq(memcmp(da, db, na), 0, "buffer %zu, lead %zu: the bytes differ", buf, lead);
    cr_assert_eq(na, lead + (size_t)rounds * ONE_OF_EACH);
    OK(mfcs_file_close(fa));
    OK(mfcs_file_close(fb));
}

Test(window, stores_what_the_calls_store_at_every_boundary, .timeout = 60)
{
    size_t lead;
    /* 128 bytes hold 2 rounds and 40 bytes: leads from 0 to 127 put every
     * value at every distance from the end (exactly full, one short, ...). */
    for (lead = 0; lead < 128; lead++)
        same_bytes_as_calls(128, lead, 7);
    same_bytes_as_calls(0, 3, 1000);      /* MFC's default 4096 */
}

/* Reads back what the calls wrote, both ways, at every boundary. */
static void same_values_as_calls(size_t buf, size_t lead)
{
    mfcs_file *f;
    mfcs_archive *ar, *a, *b;
    mfcs_window w;
    const unsigned char *data;
    size_t len, i;
    int r;
    OK(mfcs_file_open_memory(&f, NULL, 0));
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    for (i = 0; i < lead; i++)
        OK(mfcs_archive_write_u8(ar, 0x5A));
    for (r = 0; r < 7; r++)
        put_all_calls(ar, r);
    OK(mfcs_archive_close(ar));
    len = file_bytes(f, &data);
    {
        mfcs_file *g, *h;
        OK(mfcs_file_open_memory(&g, data, len));
        OK(mfcs_file_open_memory(&h, data, len));
        OK(mfcs_archive_open(&a, g, MFCS_LOAD, buf));
        OK(mfcs_archive_open(&b, h, MFCS_LOAD, buf));
        for (i = 0; i < lead; i++) {
            OK(mfcs_archive_read_u8(a, NULL));
            OK(mfcs_archive_read_u8(b, NULL));
        }
        OK(mfcs_archive_window_open(b, 0, &w));
        for (r = 0; r < 7; r++) {
            uint8_t u8; int8_t i8; uint16_t u16; int16_t i16; uint32_t u32; int32_t i32;
            uint64_t u64; int64_t i64; float f32; double f64; int bo;
            OK(mfcs_archive_read_u8(a, &u8)); cr_assert_eq(mfcs_window_get_u8(&w), u8);
            OK(mfcs_archive_read_i8(a, &i8)); cr_assert_eq(mfcs_window_get_i8(&w), i8);
            OK(mfcs_archive_read_u16(a, &u16)); cr_assert_eq(mfcs_window_get_u16(&w), u16);
            OK(mfcs_archive_read_i16(a, &i16)); cr_assert_eq(mfcs_window_get_i16(&w), i16);
            OK(mfcs_archive_read_u32(a, &u32)); cr_assert_eq(mfcs_window_get_u32(&w), u32);
            OK(mfcs_archive_read_i32(a, &i32)); cr_assert_eq(mfcs_window_get_i32(&w), i32);
            OK(mfcs_archive_read_u64(a, &u64)); cr_assert_eq(mfcs_window_get_u64(&w), u64);
            OK(mfcs_archive_read_i64(a, &i64)); cr_assert_eq(mfcs_window_get_i64(&w), i64);
            OK(mfcs_archive_read_f32(a, &f32)); cr_assert_eq(mfcs_window_get_f32(&w), f32);
            OK(mfcs_archive_read_f64(a, &f64)); cr_assert_eq(mfcs_window_get_f64(&w), f64);
            OK(mfcs_archive_read_bool(a, &bo)); cr_assert_eq(mfcs_window_get_bool(&w), bo);
        }
        cr_assert_eq(w.err, MFCS_OK);
        /* The stream is done: one more value is the end, between values. */
        cr_assert_eq(mfcs_window_get_u32(&w), 0);
        cr_assert_eq(w.err, MFCS_E_END, "0x%08X", (unsigned)w.err);
        ERR(mfcs_archive_window_close(&w), MFCS_E_END);
        mfcs_archive_abort(a);
        mfcs_archive_abort(b);
        OK(mfcs_file_close(g));
        OK(mfcs_file_close(h));
    }
    OK(mfcs_file_close(f));
}

Test(window, loads_what_the_calls_load_at_every_boundary, .timeout = 60)
{
    size_t lead;
    for (lead = 0; lead < 128; lead += 3)
        same_values_as_calls(128, lead);
    same_values_as_calls(0, 5);
}

/* A window asked for more than the buffer holds: the buffer grows. */
Test(window, asking_for_more_than_the_buffer_grows_it, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar;
    mfcs_window w;
    const unsigned char *data;
    unsigned char big[1000];
    size_t i;
    for (i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)(i * 7);
    OK(mfcs_file_open_memory(&f, NULL, 0));
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 128));
    OK(mfcs_archive_write_u8(ar, 0xEE));
    OK(mfcs_archive_window_open(ar, sizeof big, &w));
    cr_assert_geq((size_t)(w.end - w.cur), sizeof big);
    memcpy(w.cur, big, sizeof big);
    w.cur += sizeof big;
    OK(mfcs_archive_window_close(&w));
    OK(mfcs_archive_close(ar));
    cr_assert_eq(file_bytes(f, &data), 1 + sizeof big);
    cr_assert_eq(data[0], 0xEE);
    cr_assert_eq(memcmp(data + 1, big, sizeof big), 0);
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 128));
    OK(mfcs_file_seek(f, 0, MFCS_SEEK_SET, NULL));
    mfcs_archive_abort(ar);
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 128));
    OK(mfcs_archive_read_u8(ar, NULL));
    OK(mfcs_archive_window_open(ar, sizeof big, &w));
    cr_assert_geq((size_t)(w.end - w.cur), sizeof big);
    cr_assert_eq(memcmp(w.cur, big, sizeof big), 0);
    w.cur += sizeof big;
    OK(mfcs_archive_window_close(&w));
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
}

/* ---- across a socket ---- */

typedef struct slow_sender {
    SOCKET s;
    unsigned char bytes[4000];
} slow_sender;

static DWORD WINAPI send_in_pieces(void *arg)
{
    slow_sender *ss = arg;
    int at;
    for (at = 0; at < (int)sizeof ss->bytes; at += 1000) {
        Sleep(50);
        send(ss->s, (const char *)ss->bytes + at, 1000, 0);
    }
    return 0;
}

/* The window waits for bytes the way a read does (on_message_pending
 * keeps running, the deadline holds), and across the refills the values
 * come out in order. */
Test(window, reads_across_a_socket_that_makes_it_wait, .init = init_lib, .fini = term_lib, .timeout = 60)
{
    slow_sender ss;
    mfcs_socket *s = blocking_pair(NULL, NULL, &ss.s);
    mfcs_file *f;
    mfcs_archive *ar;
    mfcs_window w;
    HANDLE t;
    uint32_t i;
    for (i = 0; i < 1000; i++) {
        ss.bytes[4 * i] = (unsigned char)i;
        ss.bytes[4 * i + 1] = (unsigned char)(i >> 8);
        ss.bytes[4 * i + 2] = 0x5A;
        ss.bytes[4 * i + 3] = 0xA5;
    }
    OK(mfcs_socket_set_timeout(s, 5000));
    OK(mfcs_file_open_socket(&f, s, 1));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 128));
    t = CreateThread(NULL, 0, send_in_pieces, &ss, 0, NULL);
    OK(mfcs_archive_window_open(ar, 4, &w));
    for (i = 0; i < 1000; i++) {
        uint32_t v = mfcs_window_get_u32(&w);
        cr_assert_eq(v, 0xA55A0000u | i, "value %u is %08X (window error 0x%08X)", i, v, (unsigned)w.err);
    }
    OK(mfcs_archive_window_close(&w));
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
    closesocket(ss.s);
    OK(mfcs_socket_free(s));
}

/* A peer that resets (or, under Wine, closes) while values are written
 * through the window: the flush's error is the window's and the archive's,
 * sticky, and nothing more is written. */
Test(window, errors_are_sticky_through_the_window, .init = init_lib, .fini = term_lib, .timeout = 60)
{
    mfcs_file *f;
    mfcs_archive *ar;
    mfcs_window w;
    mfcs_err first;
    int i;
    /* A memory archive: a window on a loading one that runs out. */
    OK(mfcs_file_open_memory(&f, "\x01\x02\x03", 3));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_window_open(ar, 0, &w));
    cr_assert_eq(mfcs_window_get_u16(&w), 0x0201);
    cr_assert_eq(mfcs_window_get_u16(&w), 0, "a value past the end");
    cr_assert_eq(w.err, MFCS_E_EOF);
    cr_assert(w.cur >= w.spare && w.cur <= w.spare + sizeof w.spare, "a failed window points at its spare bytes");
    for (i = 0; i < 3; i++)
        cr_assert_eq(mfcs_window_get_u8(&w), 0, "nothing after the error");
    ERR(mfcs_archive_window_more(&w, 1), MFCS_E_EOF);
    ERR(mfcs_archive_window_close(&w), MFCS_E_EOF);
    OK(mfcs_archive_error(ar, &first));
    cr_assert_eq(first, MFCS_E_EOF);
    ERR(mfcs_archive_read_u8(ar, NULL), MFCS_E_EOF);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
    /* And an archive whose error came before the window. */
    OK(mfcs_file_open_memory(&f, NULL, 0));
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    ERR(mfcs_archive_write_string(ar, "\xC3("), MFCS_E_INVALIDARG);
    ERR(mfcs_archive_window_open(ar, 4, &w), MFCS_E_INVALIDARG);
    cr_assert_eq(w.err, MFCS_E_INVALIDARG);
    mfcs_window_put_u32(&w, 1);   /* does nothing: no room, and more says the error */
    ERR(mfcs_archive_window_close(&w), MFCS_E_STATE);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* ---- misuse ---- */

Test(window, other_calls_wait_for_the_window_and_a_closed_window_writes_nothing, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar;
    mfcs_window w, copy;
    const unsigned char *data;
    int yes;
    OK(mfcs_file_open_memory(&f, NULL, 0));
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    OK(mfcs_archive_window_open(ar, 4, &w));
    ERR(mfcs_archive_window_open(ar, 4, &copy), MFCS_E_STATE);
    ERR(mfcs_archive_write_u32(ar, 1), MFCS_E_STATE);       /* the fast path too */
    ERR(mfcs_archive_write_string_a(ar, "x", 1), MFCS_E_STATE);
    ERR(mfcs_archive_flush(ar), MFCS_E_STATE);
    OK(mfcs_archive_is_loading(ar, &yes));                 /* queries answer */
    mfcs_window_put_u32(&w, 0x11223344);
    copy = w;
    OK(mfcs_archive_window_close(&w));
    cr_assert(w.cur == w.spare && w.end == w.spare, "a closed window points at its spare bytes");
    mfcs_window_put_u32(&w, 0x55667788);                     /* after close: refused, nothing written */
    cr_assert_eq(w.err, MFCS_E_STATE);
    ERR(mfcs_archive_window_close(&copy), MFCS_E_STATE);     /* closed already */
    ERR(mfcs_archive_window_more(&copy, 4), MFCS_E_STATE);
    OK(mfcs_archive_write_u8(ar, 0x99));                     /* the archive goes on */
    OK(mfcs_archive_close(ar));
    cr_assert_eq(file_bytes(f, &data), 5);
    cr_assert_eq(data[0], 0x44);
    cr_assert_eq(data[4], 0x99);
    OK(mfcs_file_close(f));
    ERR(mfcs_archive_window_open(NULL, 4, &w), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_window_open(ar, 4, &w), MFCS_E_BADHANDLE);  /* stale */
    ERR(mfcs_archive_window_open(ar, 4, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_archive_window_more(NULL, 4), MFCS_E_INVALIDARG);
    ERR(mfcs_archive_window_close(NULL), MFCS_E_INVALIDARG);
}

/* Closing the archive (or mfcs_term) with a window open ends the archive:
 * the window's memory stays until the window closes, writes into it harm
 * nothing, and they reach no file. */
Test(window, an_archive_closed_under_its_window_keeps_the_memory_until_the_window_goes, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar;
    mfcs_window w;
    size_t len;
    int i;
    OK(mfcs_file_open_memory(&f, NULL, 0));
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 1 << 20));
    OK(mfcs_archive_write_u32(ar, 7));
    OK(mfcs_archive_window_open(ar, 16, &w));
    mfcs_window_put_u32(&w, 8);
    OK(mfcs_archive_close(ar));                 /* writes the 4 bytes before the window */
    for (i = 0; i < 1000; i++)                  /* into memory the window still owns */
        mfcs_window_put_u32(&w, (uint32_t)i);
    ERR(mfcs_archive_window_more(&w, 1 << 21), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_window_close(&w), MFCS_E_BADHANDLE);   /* and the buffer goes now */
    ERR(mfcs_archive_window_close(&w), MFCS_E_STATE);
    OK(mfcs_file_memory_data(f, NULL, &len));
    cr_assert_eq(len, 4);
    OK(mfcs_file_close(f));

    OK(mfcs_init());
    OK(mfcs_file_open_memory(&f, NULL, 0));
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 1 << 20));
    OK(mfcs_archive_window_open(ar, 16, &w));
    mfcs_term();                                /* frees everything it can */
    for (i = 0; i < 1000; i++)
        mfcs_window_put_u32(&w, (uint32_t)i);
    ERR(mfcs_archive_window_close(&w), MFCS_E_BADHANDLE);   /* and now the archive's memory goes */
}

/* ---- arrays ---- */

Test(arrays, write_what_the_calls_write, .timeout = 30)
{
    static const uint16_t u16[] = { 1, 0xBEEF, 0xFFFF };
    static const int32_t i32[] = { -1, 2, -70000 };
    static const uint64_t u64[] = { 0x0102030405060708ull, 0 };
    static const double f64[] = { 1.0, -2.5 };
    static const float f32[] = { 0.5f };
    static const uint8_t u8[] = { 9, 8, 7 };
    mfcs_file *fa, *fb;
    mfcs_archive *a, *b;
    const unsigned char *da, *db;
    size_t na, nb, i;
    OK(mfcs_file_open_memory(&fa, NULL, 0));
    OK(mfcs_file_open_memory(&fb, NULL, 0));
    OK(mfcs_archive_open(&a, fa, MFCS_STORE, 128));
    OK(mfcs_archive_open(&b, fb, MFCS_STORE, 128));
    for (i = 0; i < 3; i++) OK(mfcs_archive_write_u16(a, u16[i]));
    for (i = 0; i < 3; i++) OK(mfcs_archive_write_i32(a, i32[i]));
    for (i = 0; i < 2; i++) OK(mfcs_archive_write_u64(a, u64[i]));
    for (i = 0; i < 2; i++) OK(mfcs_archive_write_f64(a, f64[i]));
    OK(mfcs_archive_write_f32(a, f32[0]));
    for (i = 0; i < 3; i++) OK(mfcs_archive_write_u8(a, u8[i]));
    OK(mfcs_archive_write_u16_array(b, u16, 3));
    OK(mfcs_archive_write_i32_array(b, i32, 3));
    OK(mfcs_archive_write_u64_array(b, u64, 2));
    OK(mfcs_archive_write_f64_array(b, f64, 2));
    OK(mfcs_archive_write_f32_array(b, f32, 1));
    OK(mfcs_archive_write_u8_array(b, u8, 3));
    OK(mfcs_archive_write_i8_array(b, NULL, 0));
    OK(mfcs_archive_close(b));
    OK(mfcs_archive_close(a));
    na = file_bytes(fa, &da);
    nb = file_bytes(fb, &db);
    cr_assert_eq(na, nb);
    cr_assert_eq(memcmp(da, db, na), 0);
    OK(mfcs_archive_open(&b, fb, MFCS_STORE, 0));
    ERR(mfcs_archive_write_i16_array(b, NULL, 1), MFCS_E_INVALIDARG);
    ERR(mfcs_archive_close(b), MFCS_E_INVALIDARG);
    OK(mfcs_file_close(fa));
    OK(mfcs_file_close(fb));
}

Test(arrays, a_large_array_round_trips_and_a_short_one_is_one_value, .timeout = 60)
{
    enum { N = 300000 };
    uint32_t *v = malloc(N * sizeof *v), *back = malloc(N * sizeof *back);
    int64_t tail[2];
    mfcs_file *f;
    mfcs_archive *ar;
    size_t i, len;
    for (i = 0; i < N; i++)
        v[i] = (uint32_t)(i * 2654435761u);
    OK(mfcs_file_open_memory(&f, NULL, 0));
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    OK(mfcs_archive_write_u8(ar, 1));
    OK(mfcs_archive_write_u32_array(ar, v, N));
    OK(mfcs_archive_write_i64(ar, -3));
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, NULL, &len));
    cr_assert_eq(len, 1 + 4 * (size_t)N + 8);
    OK(mfcs_file_seek(f, 0, MFCS_SEEK_SET, NULL));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_u8(ar, NULL));
    OK(mfcs_archive_read_u32_array(ar, back, N));
    cr_assert_eq(memcmp(v, back, N * sizeof *v), 0);
    /* One i64 is there, two are asked for: the end inside the array. */
    ERR(mfcs_archive_read_i64_array(ar, tail, 2), MFCS_E_EOF);
    mfcs_archive_abort(ar);
    /* ... and nothing of it was consumed: the file is back before it. */
    {
        uint64_t pos;
        OK(mfcs_file_seek(f, 0, MFCS_SEEK_CUR, &pos));
        cr_assert_eq(pos, 1 + 4 * (uint64_t)N);
    }
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_i64_array(ar, tail, 1));
    cr_assert_eq(tail[0], -3);
    ERR(mfcs_archive_read_u16_array(ar, (uint16_t *)tail, 1), MFCS_E_END);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
    free(v);
    free(back);
}

/* Every array call with a handle that is no archive (the misuse table
 * has one row for all of them). */
Test(arrays, every_array_call_checks_its_handle, .timeout = 30)
{
    unsigned char b[8] = { 0 };
    mfcs_archive *bad = (mfcs_archive *)(uintptr_t)0x12345;
    ERR(mfcs_archive_write_u8_array(bad, b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_write_i8_array(bad, (int8_t *)b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_write_u16_array(bad, (uint16_t *)b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_write_i16_array(bad, (int16_t *)b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_write_i32_array(bad, (int32_t *)b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_write_u64_array(bad, (uint64_t *)b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_write_i64_array(bad, (int64_t *)b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_write_f32_array(bad, (float *)b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_write_f64_array(bad, (double *)b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_read_u8_array(bad, b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_read_i8_array(bad, (int8_t *)b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_read_u16_array(bad, (uint16_t *)b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_read_i16_array(bad, (int16_t *)b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_read_i32_array(bad, (int32_t *)b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_read_u64_array(bad, (uint64_t *)b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_read_i64_array(bad, (int64_t *)b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_read_f32_array(bad, (float *)b, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_read_f64_array(bad, (double *)b, 1), MFCS_E_BADHANDLE);
}
