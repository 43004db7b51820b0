/* The narrowest races, forced: a test build of the library (MFCS_TEST_HOOKS)
 * calls back at the instruction where another thread's free or reuse of a
 * slot would hurt a lookup, and the test does exactly that there. Before,
 * each of these read a freed or reused slot's object. */
#include <criterion/criterion.h>

#include "win.h"

#include <mfcsock.h>

#define OK(call) do { mfcs_err e_ = (call); \
    cr_assert_eq(e_, MFCS_OK, "%s -> 0x%08X %s", #call, (unsigned)e_, mfcs_strerror(e_)); } while (0)
#define ERR(call, want) do { mfcs_err e_ = (call); \
    cr_assert_eq(e_, (want), "%s -> 0x%08X (%s), want 0x%08X", #call, (unsigned)e_, \
                 mfcs_strerror(e_), (unsigned)(want)); } while (0)

static int hook_point;
static const void *hook_handle;
static void (*hook_action)(void);

static void hook(int point, const void *h)
{
    if (point == hook_point && h == hook_handle && hook_action) {
        void (*act)(void) = hook_action;
        hook_action = NULL;   /* once: what it does makes lookups of its own */
        act();
    }
}

static void arm(int point, const void *h, void (*action)(void))
{
    hook_point = point;
    hook_handle = h;
    hook_action = action;
    mfcs__test_hook = hook;
}

static void disarm(void)
{
    mfcs__test_hook = NULL;
    hook_action = NULL;
}

/* Frees one object and makes enough others that its slot is taken again
 * (freed slots wait behind a chunk's worth of others). */
static mfcs_socket *victim_socket;
static mfcs_archive *victim_archive;
static mfcs_file *victim_file, *reused_file;
static mfcs_archive *reused_archive;

static unsigned slot_index(const void *h)
{
    return (unsigned)(((uintptr_t)h >> 1) & (MFCS__HANDLE_MAX - 1));
}

static void reuse_slot_with_an_archive(void)
{
    int i;
    OK(mfcs_archive_close(victim_archive));
    for (i = 0; i < 4 * (int)MFCS__CHUNK_SLOTS; i++) {
        OK(mfcs_archive_open(&reused_archive, reused_file, MFCS_STORE, 0));
        if (slot_index(reused_archive) == slot_index(victim_archive))
            return;
        OK(mfcs_archive_close(reused_archive));
    }
    cr_assert_fail("the slot did not come back");
}

/* The fast path read the tag; the archive goes and another takes its slot
 * before the object is read: the second look at the tag must send the
 * value to the slow path (MFCS_E_BADHANDLE), not into the new archive. */
Test(hooked, the_fast_path_never_uses_an_object_that_replaced_its_own, .timeout = 60)
{
    size_t len;
    OK(mfcs_file_open_memory(&victim_file, NULL, 0));
    OK(mfcs_file_open_memory(&reused_file, NULL, 0));
    OK(mfcs_archive_open(&victim_archive, victim_file, MFCS_STORE, 0));
    arm(MFCS__HOOK_FAST_TAG, victim_archive, reuse_slot_with_an_archive);
    ERR(mfcs_archive_write_u32(victim_archive, 0xDEADBEEF), MFCS_E_BADHANDLE);
    disarm();
    OK(mfcs_archive_close(reused_archive));
    OK(mfcs_file_memory_data(reused_file, NULL, &len));
    cr_assert_eq(len, 0, "the value went into the archive that took the slot (%zu bytes)", len);
    OK(mfcs_file_close(reused_file));
    OK(mfcs_file_close(victim_file));
}

static void free_victim_socket(void)
{
    OK(mfcs_socket_free(victim_socket));
}

/* A call has checked the handle; the owner frees the socket now: the call
 * finishes with the socket it found, whose memory waits for it. */
Test(hooked, a_socket_freed_after_a_call_found_it_lives_until_the_call_returns, .timeout = 60)
{
    int mode = -1;
    OK(mfcs_init());
    OK(mfcs_socket_new(&victim_socket, MFCS_BLOCKING, NULL, NULL));
    arm(MFCS__HOOK_PIN_VALID, victim_socket, free_victim_socket);
    OK(mfcs_socket_mode(victim_socket, &mode));
    disarm();
    cr_assert_eq(mode, MFCS_BLOCKING);
    ERR(mfcs_socket_mode(victim_socket, &mode), MFCS_E_BADHANDLE);
    cr_assert_eq(mfcs__handle_held(), 0, "the socket was never freed");
    mfcs_term();
}

/* The free comes between the call's count and its check: the check fails. */
Test(hooked, a_socket_freed_before_a_call_checked_it_is_a_bad_handle, .timeout = 60)
{
    int mode = -1;
    OK(mfcs_init());
    OK(mfcs_socket_new(&victim_socket, MFCS_BLOCKING, NULL, NULL));
    arm(MFCS__HOOK_PIN_COUNTED, victim_socket, free_victim_socket);
    ERR(mfcs_socket_mode(victim_socket, &mode), MFCS_E_BADHANDLE);
    disarm();
    cr_assert_eq(mode, -1);
    cr_assert_eq(mfcs__handle_held(), 0);
    mfcs_term();
}

/* A cancel from any thread, and the socket freed and its slot wanted by a
 * memory file and an archive at that moment: the cancel touches neither
 * (it wrote 4 bytes into the next heap block and signalled a garbage
 * handle), and a blocking call on another socket goes on. */
static void free_and_refill(void)
{
    int i;
    OK(mfcs_socket_free(victim_socket));
    OK(mfcs_file_open_memory(&reused_file, NULL, 0));
    /* The cancel's count holds the slot: it cannot come back. Archives
     * take the slots it could have come back in, for the check below. */
    for (i = 0; i < 4 * (int)MFCS__CHUNK_SLOTS; i++) {
        OK(mfcs_archive_open(&reused_archive, reused_file, MFCS_STORE, 0));
        cr_assert_neq(slot_index(reused_archive), slot_index(victim_socket),
                      "a pinned slot was handed out again");
        OK(mfcs_archive_close(reused_archive));
    }
    OK(mfcs_archive_open(&reused_archive, reused_file, MFCS_STORE, 0));
}

Test(hooked, a_cancel_never_reaches_what_takes_the_slot, .timeout = 60)
{
    size_t len;
    OK(mfcs_init());
    OK(mfcs_socket_new(&victim_socket, MFCS_BLOCKING, NULL, NULL));
    arm(MFCS__HOOK_PIN_COUNTED, victim_socket, free_and_refill);
    ERR(mfcs_socket_cancel_blocking_call(victim_socket), MFCS_E_BADHANDLE);
    disarm();
    OK(mfcs_archive_write_u32(reused_archive, 7));
    OK(mfcs_archive_close(reused_archive));
    OK(mfcs_file_memory_data(reused_file, NULL, &len));
    cr_assert_eq(len, 4);
    OK(mfcs_file_close(reused_file));
    mfcs_term();
}
