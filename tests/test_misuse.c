/* The misuse table: every exported function (the list comes from
 * def/mfcsock.def) called with a NULL handle, a stale (freed) handle, a live
 * handle of the wrong kind and a forged pointer, and, for socket objects,
 * from a foreign thread: each returns its documented error, none crashes. */
#include "socket_util.h"

#include "def_names.h"

enum kind { NONE, SOCK, FILE_, ARCH, CLASS_ };

/* Live objects of every kind for the wrong-kind case and the foreign thread. */
static mfcs_socket *live_sock;
static mfcs_file *live_file;
static mfcs_archive *live_arch;
static mfcs_class *live_class;

typedef mfcs_err (*thunk)(void *h);

#define T(fn, call) static mfcs_err t_##fn(void *h) { return call; }
static char buf[64];
static size_t sz;
static int iv;
static unsigned uv;
static uint64_t u64v;
static SOCKET sockv;
static void *pv;
static const mfcs_class *cv;
static mfcs_file *fv;
static mfcs_archive *av;
static mfcs_err ev;

T(socket_mode, mfcs_socket_mode(h, &iv))
T(socket_create, mfcs_socket_create(h, 0, MFCS_STREAM, 0, NULL))
T(socket_create_ex, mfcs_socket_create_ex(h, 0, MFCS_STREAM, 0, NULL, AF_INET))
T(socket_attach, mfcs_socket_attach(h, INVALID_SOCKET, 0))
T(socket_detach, mfcs_socket_detach(h, &sockv))
T(socket_handle, mfcs_socket_handle(h, &sockv))
T(socket_type, mfcs_socket_type(h, &iv))
T(socket_listen, mfcs_socket_listen(h, 5))
T(socket_connect, mfcs_socket_connect(h, "127.0.0.1", 9))
T(socket_accept, mfcs_socket_accept(h, live_sock, NULL, 0, NULL))
T(socket_send, mfcs_socket_send(h, "x", 1, 0, &iv))
T(socket_receive, mfcs_socket_receive(h, buf, 1, 0, &iv))
T(socket_send_to, mfcs_socket_send_to(h, "x", 1, "127.0.0.1", 9, 0, &iv))
T(socket_receive_from, mfcs_socket_receive_from(h, buf, 1, NULL, 0, NULL, 0, &iv))
T(socket_shutdown, mfcs_socket_shutdown(h, SD_BOTH))
T(socket_close, mfcs_socket_close(h))
T(socket_free, mfcs_socket_free(h))
T(socket_sock_name, mfcs_socket_sock_name(h, NULL, 0, &uv))
T(socket_peer_name, mfcs_socket_peer_name(h, NULL, 0, &uv))
T(socket_set_option, mfcs_socket_set_option(h, SOL_SOCKET, SO_KEEPALIVE, &iv, sizeof iv))
T(socket_get_option, (iv = sizeof iv, mfcs_socket_get_option(h, SOL_SOCKET, SO_TYPE, buf, &iv)))
static unsigned long ulv;
T(socket_ioctl, mfcs_socket_ioctl(h, FIONREAD, &ulv))
T(socket_async_select, mfcs_socket_async_select(h, 0))
T(socket_set_timeout, mfcs_socket_set_timeout(h, 1))
T(socket_cancel_blocking_call, mfcs_socket_cancel_blocking_call(h))
T(socket_is_blocking, mfcs_socket_is_blocking(h, &iv))
T(file_open_socket, mfcs_file_open_socket(&fv, h, 1))
T(file_read, mfcs_file_read(h, buf, 1, &sz))
T(file_write, mfcs_file_write(h, "x", 1))
T(file_flush, mfcs_file_flush(h))
T(file_seek, mfcs_file_seek(h, 0, MFCS_SEEK_SET, &u64v))
T(file_length, mfcs_file_length(h, &u64v))
T(file_memory_data, mfcs_file_memory_data(h, NULL, NULL))
T(file_close, mfcs_file_close(h))
T(archive_open, mfcs_archive_open(&av, h, MFCS_LOAD, 0))
T(archive_flush, mfcs_archive_flush(h))
T(archive_close, mfcs_archive_close(h))
T(archive_abort, mfcs_archive_abort(h))
T(archive_error, mfcs_archive_error(h, &ev))
T(archive_is_loading, mfcs_archive_is_loading(h, &iv))
T(archive_is_buffer_empty, mfcs_archive_is_buffer_empty(h, &iv))
T(archive_set_limits, mfcs_archive_set_limits(h, 1, 1))
T(archive_set_limit, mfcs_archive_set_limit(h, MFCS_LIMIT_DEPTH, 10, &u64v))
static const char *namev;
T(archive_error_detail, mfcs_archive_error_detail(h, &ev, &namev, &u64v))
static mfcs_window winv;
T(archive_window_open, mfcs_archive_window_open(h, 4, &winv))
static uint32_t u32s[4];
T(archive_write_u32_array, mfcs_archive_write_u32_array(h, u32s, 4))
T(archive_read_u32_array, mfcs_archive_read_u32_array(h, u32s, 4))
T(archive_write_u8, mfcs_archive_write_u8(h, 1))
T(archive_write_i8, mfcs_archive_write_i8(h, 1))
T(archive_write_u16, mfcs_archive_write_u16(h, 1))
T(archive_write_i16, mfcs_archive_write_i16(h, 1))
T(archive_write_u32, mfcs_archive_write_u32(h, 1))
T(archive_write_i32, mfcs_archive_write_i32(h, 1))
T(archive_write_u64, mfcs_archive_write_u64(h, 1))
T(archive_write_i64, mfcs_archive_write_i64(h, 1))
T(archive_write_f32, mfcs_archive_write_f32(h, 1))
T(archive_write_f64, mfcs_archive_write_f64(h, 1))
T(archive_write_bool, mfcs_archive_write_bool(h, 1))
T(archive_read_u8, mfcs_archive_read_u8(h, NULL))
T(archive_read_i8, mfcs_archive_read_i8(h, NULL))
T(archive_read_u16, mfcs_archive_read_u16(h, NULL))
T(archive_read_i16, mfcs_archive_read_i16(h, NULL))
T(archive_read_u32, mfcs_archive_read_u32(h, NULL))
T(archive_read_i32, mfcs_archive_read_i32(h, NULL))
T(archive_read_u64, mfcs_archive_read_u64(h, NULL))
T(archive_read_i64, mfcs_archive_read_i64(h, NULL))
T(archive_read_f32, mfcs_archive_read_f32(h, NULL))
T(archive_read_f64, mfcs_archive_read_f64(h, NULL))
T(archive_read_bool, mfcs_archive_read_bool(h, NULL))
T(archive_write, mfcs_archive_write(h, "x", 1))
T(archive_read, mfcs_archive_read(h, buf, 1, &sz))
T(archive_write_string_a, mfcs_archive_write_string_a(h, "x", 1))
T(archive_write_string_w, mfcs_archive_write_string_w(h, L"x", 1))
T(archive_write_string, mfcs_archive_write_string(h, "x"))
T(archive_read_string_a, mfcs_archive_read_string_a(h, NULL, NULL))
T(archive_read_string_w, mfcs_archive_read_string_w(h, NULL, NULL))
T(archive_read_string, mfcs_archive_read_string(h, NULL, NULL))
T(archive_read_string_raw, mfcs_archive_read_string_raw(h, &iv, &pv, &sz))
T(archive_write_line, mfcs_archive_write_line(h, "x"))
T(archive_read_line, mfcs_archive_read_line(h, buf, sizeof buf, &sz))
T(archive_write_count, mfcs_archive_write_count(h, 1))
T(archive_read_count, mfcs_archive_read_count(h, &u64v))
T(archive_write_object, mfcs_archive_write_object(h, live_class, NULL))
T(archive_read_object, mfcs_archive_read_object(h, NULL, &pv, &cv))
T(archive_map_object, mfcs_archive_map_object(h, buf))
T(archive_object_schema, mfcs_archive_object_schema(h, &uv))
T(archive_write_line_a, mfcs_archive_write_line_a(h, "x"))
T(archive_write_line_w, mfcs_archive_write_line_w(h, L"x"))
T(archive_read_line_a, mfcs_archive_read_line_a(h, buf, sizeof buf, &sz))
T(archive_read_line_w, mfcs_archive_read_line_w(h, (wchar_t *)buf, 8, &sz))
/* vocabulary.h */
static void **pvv;
static char **svv, **svv2;
static wchar_t **wvv;
static size_t *szp;
static uint8_t *u8p;
static uint16_t *u16p;
static uint32_t *u32p;
static int64_t i64v;
static double dv;
static int32_t i32v;
static const mfcs_class **cvv;
static const char *one_str[1] = { "k" };
static void *one_obj[1] = { NULL };
static const uint16_t one_word[1] = { 1 };
static mfcs_variant varv;
static mfcs_point ptv;
static mfcs_size szv;
static mfcs_rect rcv;
static mfcs_err MFCS_CALL no_element(mfcs_archive *ar, size_t i, void *ctx) { (void)ar; (void)i; (void)ctx; return MFCS_OK; }
T(archive_set_mfc_version, mfcs_archive_set_mfc_version(h, MFCS_MFC_8))
T(archive_mfc_version, mfcs_archive_mfc_version(h, &uv))
T(archive_write_object_list, mfcs_archive_write_object_list(h, one_obj, 1, live_class, NULL))
T(archive_read_object_list, mfcs_archive_read_object_list(h, NULL, &pvv, &cvv, &sz))
T(archive_write_string_list, mfcs_archive_write_string_list(h, one_str, 1))
T(archive_write_string_list_a, mfcs_archive_write_string_list_a(h, one_str, NULL, 1))
T(archive_read_string_list, mfcs_archive_read_string_list(h, &svv, &sz))
T(archive_read_string_list_a, mfcs_archive_read_string_list_a(h, &svv, &szp, &sz))
T(archive_write_string_list_w, mfcs_archive_write_string_list_w(h, (const wchar_t *const *)one_str, NULL, 0))
T(archive_read_string_list_w, mfcs_archive_read_string_list_w(h, &wvv, &szp, &sz))
T(archive_write_byte_array, mfcs_archive_write_byte_array(h, (const uint8_t *)"x", 1))
T(archive_write_word_array, mfcs_archive_write_word_array(h, one_word, 1))
T(archive_write_dword_array, mfcs_archive_write_dword_array(h, NULL, 0))
T(archive_read_byte_array, mfcs_archive_read_byte_array(h, &u8p, &sz))
T(archive_read_word_array, mfcs_archive_read_word_array(h, &u16p, &sz))
T(archive_read_dword_array, mfcs_archive_read_dword_array(h, &u32p, &sz))
T(archive_write_raw_list, mfcs_archive_write_raw_list(h, "12345678", 8, 1))
T(archive_read_raw_list, mfcs_archive_read_raw_list(h, 8, &pv, &sz))
T(archive_write_elements, mfcs_archive_write_elements(h, 1, no_element, NULL))
T(archive_read_elements, mfcs_archive_read_elements(h, no_element, NULL, &sz))
T(archive_write_map_string_to_string, mfcs_archive_write_map_string_to_string(h, one_str, one_str, 1, 0))
T(archive_write_map_string_to_string_a, mfcs_archive_write_map_string_to_string_a(h, one_str, one_str, 1, 0))
T(archive_read_map_string_to_string, mfcs_archive_read_map_string_to_string(h, &svv, &svv2, &sz))
T(archive_read_map_string_to_string_a, mfcs_archive_read_map_string_to_string_a(h, &svv, &svv2, &sz))
T(archive_write_map_string_to_object, mfcs_archive_write_map_string_to_object(h, one_str, one_obj, 1, live_class, NULL, 0))
T(archive_write_map_string_to_object_a, mfcs_archive_write_map_string_to_object_a(h, one_str, one_obj, 1, live_class, NULL, 0))
T(archive_read_map_string_to_object, mfcs_archive_read_map_string_to_object(h, NULL, &svv, &pvv, &sz))
T(archive_write_map_word_to_object, mfcs_archive_write_map_word_to_object(h, one_word, one_obj, 1, live_class, NULL, 0))
T(archive_read_map_word_to_object, mfcs_archive_read_map_word_to_object(h, NULL, &u16p, &pvv, &sz))
T(archive_write_raw_map, mfcs_archive_write_raw_map(h, one_word, 2, 0, one_word, 2, 1, 0))
T(archive_read_raw_map, mfcs_archive_read_raw_map(h, 2, &pv, 2, &pv, &sz))
T(archive_write_point, mfcs_archive_write_point(h, ptv))
T(archive_read_point, mfcs_archive_read_point(h, &ptv))
T(archive_write_size, mfcs_archive_write_size(h, szv))
T(archive_read_size, mfcs_archive_read_size(h, &szv))
T(archive_write_rect, mfcs_archive_write_rect(h, rcv))
T(archive_read_rect, mfcs_archive_read_rect(h, &rcv))
T(archive_write_time, mfcs_archive_write_time(h, 0))
T(archive_read_time, mfcs_archive_read_time(h, &i64v))
T(archive_write_time64, mfcs_archive_write_time64(h, 0))
T(archive_read_time64, mfcs_archive_read_time64(h, &i64v))
T(archive_write_timespan, mfcs_archive_write_timespan(h, 0))
T(archive_read_timespan, mfcs_archive_read_timespan(h, &i64v))
T(archive_write_timespan64, mfcs_archive_write_timespan64(h, 0))
T(archive_read_timespan64, mfcs_archive_read_timespan64(h, &i64v))
T(archive_write_ole_date, mfcs_archive_write_ole_date(h, 0.0, MFCS_OLE_VALID))
T(archive_read_ole_date, mfcs_archive_read_ole_date(h, &dv, &i32v))
T(archive_write_ole_date_span, mfcs_archive_write_ole_date_span(h, 0.0, MFCS_OLE_VALID))
T(archive_read_ole_date_span, mfcs_archive_read_ole_date_span(h, &dv, &i32v))
T(archive_write_currency, mfcs_archive_write_currency(h, 0, MFCS_OLE_VALID))
T(archive_read_currency, mfcs_archive_read_currency(h, &i64v, &i32v))
T(archive_write_variant, mfcs_archive_write_variant(h, &varv))
T(archive_read_variant, mfcs_archive_read_variant(h, &varv))
T(archive_write_combstr, mfcs_archive_write_combstr(h, L"x", 1))
T(archive_read_combstr, mfcs_archive_read_combstr(h, (wchar_t **)&pv, &sz))
T(class_unregister, mfcs_class_unregister(h))

typedef struct entry {
    const char *name;
    enum kind kind;      /* the kind of handle its first argument takes */
    thunk fn;
    mfcs_err foreign;    /* from a foreign thread on a live created socket; 0: not checked */
} entry;

#define S(fn) { "mfcs_" #fn, SOCK, t_##fn, MFCS_E_WRONGTHREAD }
#define F(fn) { "mfcs_" #fn, FILE_, t_##fn, 0 }
#define A(fn) { "mfcs_" #fn, ARCH, t_##fn, 0 }
#define N(fn) { "mfcs_" #fn, NONE, NULL, 0 }

static const entry table[] = {
    /* no handle argument: covered by their own tests */
    N(init), N(term), N(version), N(strerror), N(free), N(pump), N(thread_term),
    N(socket_new), N(file_open_memory), N(file_open_path), N(class_register), N(class_find),
    S(socket_mode), S(socket_create), S(socket_create_ex), S(socket_attach), S(socket_detach),
    S(socket_handle), S(socket_type), S(socket_listen), S(socket_connect), S(socket_accept),
    S(socket_send), S(socket_receive), S(socket_send_to), S(socket_receive_from), S(socket_shutdown),
    S(socket_close), S(socket_free), S(socket_sock_name), S(socket_peer_name), S(socket_set_option),
    S(socket_get_option), S(socket_ioctl), S(socket_async_select),
    { "mfcs_socket_set_timeout", SOCK, t_socket_set_timeout, MFCS_E_WRONGTHREAD },
    { "mfcs_socket_cancel_blocking_call", SOCK, t_socket_cancel_blocking_call, MFCS_OK },
    { "mfcs_socket_is_blocking", SOCK, t_socket_is_blocking, MFCS_E_WRONGTHREAD },
    S(file_open_socket),
    F(file_read), F(file_write), F(file_flush), F(file_seek), F(file_length), F(file_memory_data),
    F(file_close), F(archive_open),
    A(archive_flush), A(archive_close), A(archive_abort), A(archive_error), A(archive_is_loading),
    A(archive_is_buffer_empty), A(archive_set_limits), A(archive_set_limit), A(archive_error_detail),
    A(archive_window_open), A(archive_write_u32_array), A(archive_read_u32_array),
    /* take a window, not a handle: test_archive_window.c covers them */
    N(archive_window_more), N(archive_window_close),
    /* one shape for every type: the u32 rows stand for them, and
     * test_archive_window.c calls each with a bad handle */
    N(archive_write_u8_array), N(archive_write_i8_array), N(archive_write_u16_array),
    N(archive_write_i16_array), N(archive_write_i32_array), N(archive_write_u64_array),
    N(archive_write_i64_array), N(archive_write_f32_array), N(archive_write_f64_array),
    N(archive_read_u8_array), N(archive_read_i8_array), N(archive_read_u16_array),
    N(archive_read_i16_array), N(archive_read_i32_array), N(archive_read_u64_array),
    N(archive_read_i64_array), N(archive_read_f32_array), N(archive_read_f64_array),
    A(archive_write_u8), A(archive_write_i8), A(archive_write_u16), A(archive_write_i16),
    A(archive_write_u32), A(archive_write_i32), A(archive_write_u64), A(archive_write_i64),
    A(archive_write_f32), A(archive_write_f64), A(archive_write_bool),
    A(archive_read_u8), A(archive_read_i8), A(archive_read_u16), A(archive_read_i16),
    A(archive_read_u32), A(archive_read_i32), A(archive_read_u64), A(archive_read_i64),
    A(archive_read_f32), A(archive_read_f64), A(archive_read_bool),
    A(archive_write), A(archive_read), A(archive_write_string_a), A(archive_write_string_w),
    A(archive_write_string), A(archive_read_string_a), A(archive_read_string_w), A(archive_read_string),
    A(archive_read_string_raw),
    A(archive_write_line), A(archive_read_line), A(archive_write_count), A(archive_read_count),
    A(archive_write_object), A(archive_read_object), A(archive_map_object), A(archive_object_schema),
    A(archive_write_line_a), A(archive_write_line_w), A(archive_read_line_a), A(archive_read_line_w),
    /* vocabulary.h: no handle, covered by test_vocabulary.c */
    N(map_order_strings), N(map_order_ints),
    A(archive_set_mfc_version), A(archive_mfc_version), A(archive_write_object_list),
    A(archive_read_object_list), A(archive_write_string_list), A(archive_write_string_list_a),
    A(archive_read_string_list), A(archive_read_string_list_a), A(archive_write_string_list_w),
    A(archive_read_string_list_w), A(archive_write_byte_array), A(archive_write_word_array),
    A(archive_write_dword_array), A(archive_read_byte_array), A(archive_read_word_array),
    A(archive_read_dword_array), A(archive_write_raw_list), A(archive_read_raw_list),
    A(archive_write_elements), A(archive_read_elements), A(archive_write_map_string_to_string),
    A(archive_write_map_string_to_string_a), A(archive_read_map_string_to_string),
    A(archive_read_map_string_to_string_a), A(archive_write_map_string_to_object),
    A(archive_write_map_string_to_object_a), A(archive_read_map_string_to_object),
    A(archive_write_map_word_to_object), A(archive_read_map_word_to_object), A(archive_write_raw_map),
    A(archive_read_raw_map), A(archive_write_point), A(archive_read_point), A(archive_write_size),
    A(archive_read_size), A(archive_write_rect), A(archive_read_rect), A(archive_write_time),
    A(archive_read_time), A(archive_write_time64), A(archive_read_time64), A(archive_write_timespan),
    A(archive_read_timespan), A(archive_write_timespan64), A(archive_read_timespan64),
    A(archive_write_ole_date), A(archive_read_ole_date), A(archive_write_ole_date_span),
    A(archive_read_ole_date_span), A(archive_write_currency), A(archive_read_currency),
    A(archive_write_variant), A(archive_read_variant), A(archive_write_combstr), A(archive_read_combstr),
    { "mfcs_class_unregister", CLASS_, t_class_unregister, 0 },
};
#define NTABLE (sizeof table / sizeof table[0])

TestSuite(misuse, .init = init_lib, .fini = term_lib, .timeout = 60);

Test(misuse, the_table_covers_every_export)
{
    size_t i, j, n = sizeof def_names / sizeof def_names[0];
    for (i = 0; i < n; i++) {
        for (j = 0; j < NTABLE && strcmp(table[j].name, def_names[i]) != 0; j++)
            ;
        cr_assert_lt(j, NTABLE, "%s is exported but has no row in the misuse table", def_names[i]);
    }
}

static void *MFCS_CALL m_create(void *ctx) { (void)ctx; return malloc(1); }
static mfcs_err MFCS_CALL m_ser(mfcs_archive *ar, void *o, void *ctx) { (void)ar; (void)o; (void)ctx; return MFCS_OK; }
static void MFCS_CALL m_destroy(void *o, void *ctx) { (void)ctx; free(o); }
static const mfcs_class_ops misuse_ops = { m_create, m_ser, m_destroy };

/* A dead handle of each kind. */
static void *stale(enum kind k)
{
    mfcs_socket *s;
    mfcs_file *f;
    mfcs_archive *a;
    mfcs_class *c;
    switch (k) {
    case SOCK: OK(mfcs_socket_new(&s, MFCS_ASYNC, NULL, NULL)); OK(mfcs_socket_free(s)); return s;
    case FILE_: OK(mfcs_file_open_memory(&f, NULL, 0)); OK(mfcs_file_close(f)); return f;
    case ARCH:
        OK(mfcs_file_open_memory(&f, NULL, 0));
        OK(mfcs_archive_open(&a, f, MFCS_STORE, 0));
        OK(mfcs_archive_abort(a));
        OK(mfcs_file_close(f));
        return a;
    case CLASS_:
        OK(mfcs_class_register(&c, "CStale", 1, &misuse_ops, NULL));
        OK(mfcs_class_unregister(c));
        return c;
    default: return NULL;
    }
}


static void *live_of(enum kind k)
{
    switch (k) {
    case SOCK: return live_sock;
    case FILE_: return live_file;
    case ARCH: return live_arch;
    case CLASS_: return live_class;
    default: return NULL;
    }
}

static void make_live(void)
{
    OK(mfcs_socket_new(&live_sock, MFCS_ASYNC, NULL, NULL));
    OK(mfcs_file_open_memory(&live_file, NULL, 0));
    OK(mfcs_archive_open(&live_arch, live_file, MFCS_STORE, 0));
    OK(mfcs_class_register(&live_class, "CLive", 1, &misuse_ops, NULL));
}

Test(misuse, null_stale_wrong_kind_and_forged_handles_get_badhandle)
{
    size_t i;
    int local;
    make_live();
    for (i = 0; i < NTABLE; i++) {
        const entry *e = &table[i];
        enum kind other;
        if (e->kind == NONE)
            continue;
        other = e->kind == SOCK ? FILE_ : SOCK;
        cr_assert_eq(e->fn(NULL), MFCS_E_BADHANDLE, "%s(NULL)", e->name);
        cr_assert_eq(e->fn(stale(e->kind)), MFCS_E_BADHANDLE, "%s(stale)", e->name);
        cr_assert_eq(e->fn(live_of(other)), MFCS_E_BADHANDLE, "%s(a handle of another kind)", e->name);
        cr_assert_eq(e->fn(&local), MFCS_E_BADHANDLE, "%s(&local)", e->name);
        cr_assert_eq(e->fn((void *)(uintptr_t)0x12345679u), MFCS_E_BADHANDLE, "%s(forged odd value)", e->name);
    }
}

typedef struct foreign { const entry *e; void *h; mfcs_err got; } foreign;
static DWORD WINAPI call_foreign(void *p)
{
    foreign *f = p;
    f->got = f->e->fn(f->h);
    return 0;
}

/* Runs e with handle h on a new thread; returns what it said. */
static mfcs_err from_another_thread(const entry *e, void *h)
{
    foreign f = { e, h, -1 };
    HANDLE t = CreateThread(NULL, 0, call_foreign, &f, 0, NULL);
    cr_assert_eq(WaitForSingleObject(t, 30000), WAIT_OBJECT_0, "%s hung on another thread", e->name);
    CloseHandle(t);
    return f.got;
}

Test(misuse, socket_calls_from_a_foreign_thread)
{
    size_t i;
    make_live();
    OK(mfcs_socket_create(live_sock, 0, MFCS_STREAM, MFCS_ALL_EVENTS, "127.0.0.1"));
    for (i = 0; i < NTABLE; i++) {
        mfcs_err got;
        if (table[i].kind != SOCK)
            continue;
        got = from_another_thread(&table[i], live_sock);
        if (table[i].fn == t_socket_cancel_blocking_call)
            cr_assert_eq(got, MFCS_E_NOTBLOCKING, "%s from another thread: %d", table[i].name, got);
        else
            cr_assert_eq(got, table[i].foreign, "%s from another thread: %d (%s)", table[i].name,
                         got, mfcs_strerror(got));
    }
    /* and the socket is unharmed */
    OK(mfcs_socket_listen(live_sock, 5));
}

/* A socket's files and their archives belong to the socket's thread too:
 * every file and archive call from another one is refused, and leaves
 * them working. */
Test(misuse, socket_file_and_archive_calls_from_a_foreign_thread)
{
    mfcs_socket *s;
    mfcs_file *f;
    mfcs_archive *store, *load;
    mfcs_err sticky = -1;
    size_t i;
    OK(mfcs_socket_new(&s, MFCS_BLOCKING, NULL, NULL));
    OK(mfcs_socket_create(s, 0, MFCS_STREAM, 0, "127.0.0.1"));
    OK(mfcs_file_open_socket(&f, s, 1));
    OK(mfcs_archive_open(&store, f, MFCS_STORE, 0));
    OK(mfcs_archive_open(&load, f, MFCS_LOAD, 0));
    for (i = 0; i < NTABLE; i++) {
        const entry *e = &table[i];
        if (e->kind != FILE_ && e->kind != ARCH)
            continue;
        /* each archive call on both directions: a refusal must come before
         * the direction check and before any byte is touched */
        if (e->kind == FILE_) {
            mfcs_err got = from_another_thread(e, f);
            cr_assert_eq(got, MFCS_E_WRONGTHREAD, "%s(socket file) from another thread: %d (%s)",
                         e->name, got, mfcs_strerror(got));
        } else {
            mfcs_err got = from_another_thread(e, store);
            cr_assert_eq(got, MFCS_E_WRONGTHREAD, "%s(storing socket archive) from another thread: "
                         "%d (%s)", e->name, got, mfcs_strerror(got));
            got = from_another_thread(e, load);
            cr_assert_eq(got, MFCS_E_WRONGTHREAD, "%s(loading socket archive) from another thread: "
                         "%d (%s)", e->name, got, mfcs_strerror(got));
        }
    }
    /* unharmed: no sticky error, still open, still closable */
    OK(mfcs_archive_write_u32(store, 7));
    OK(mfcs_archive_error(store, &sticky));
    cr_assert_eq(sticky, MFCS_OK, "the storing archive kept error %d", sticky);
    OK(mfcs_archive_error(load, &sticky));
    cr_assert_eq(sticky, MFCS_OK, "the loading archive kept error %d", sticky);
    OK(mfcs_archive_abort(store));
    OK(mfcs_archive_close(load));
    OK(mfcs_file_close(f));
    OK(mfcs_socket_free(s));
}
