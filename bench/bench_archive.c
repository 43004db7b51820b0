/* bench_archive: the archive's per-value and bulk speed against memcpy
 * and against what MFC's inline operators do, measured in the same run.
 * Prints ns per value and ratios.
 *   write_u32 per value                 target <= 5 ns
 *   read_u32 per value                  target <= 5 ns
 *   bulk write of 64 MiB                target >= 0.5 x memcpy's rate
 *   u32 through a window, written/read  target <= 1.1 x the MFC loop's time
 *   u32 arrays of 64 MiB, written/read  target >= 0.9 x memcpy's rate
 * "The MFC loop" is this program's own copy of what afx.inl's inline
 * operator<< and operator>> do for a DWORD: compare the cursor with the
 * buffer's end, call a flush or fill function when it is reached, store or
 * load, advance; over a 4096-byte buffer (MFC's default) and a memory
 * block with room, as the archive's rows have. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winsock2.h>
#include <windows.h>

#include <mfcsock.h>

#include "bench_util.h"



/* ---- the MFC loop ---- */

typedef struct mfc_archive {
    unsigned char *cur, *max, *buf;
    unsigned char *file, *file_pos;   /* a memory file with room, as CMemFile */
} mfc_archive;

static __attribute__((noinline)) void mfc_flush(mfc_archive *ar)
{
    size_t n = (size_t)(ar->cur - ar->buf);
    memcpy(ar->file_pos, ar->buf, n);
    ar->file_pos += n;
    ar->cur = ar->buf;
}

static __attribute__((noinline)) void mfc_fill(mfc_archive *ar)
{
    memcpy(ar->buf, ar->file_pos, 4096);
    ar->file_pos += 4096;
    ar->cur = ar->buf;
    ar->max = ar->buf + 4096;
}

/* afx.inl: if (m_lpBufCur + sizeof(DWORD) > m_lpBufMax) Flush(); ... */
static inline void mfc_store(mfc_archive *ar, uint32_t v)
{
    if (ar->cur + sizeof v > ar->max)
        mfc_flush(ar);
    memcpy(ar->cur, &v, sizeof v);
    ar->cur += sizeof v;
}

static inline uint32_t mfc_load(mfc_archive *ar)
{
    uint32_t v;
    if (ar->cur + sizeof v > ar->max)
        mfc_fill(ar);
    memcpy(&v, ar->cur, sizeof v);
    ar->cur += sizeof v;
    return v;
}

int main(void)
{
    enum { N = 16 * 1024 * 1024, BULK = 64 << 20, ROUNDS = 3 };
    double best_w = 1e9, best_w2 = 1e9, best_r = 1e9, best_bulk = 1e9, best_memcpy = 1e9;
    double best_mfc_w = 1e9, best_mfc_r = 1e9, best_win_w = 1e9, best_win_r = 1e9;
    double best_arr_w = 1e9, best_arr_r = 1e9, best_copy = 1e9;
    static unsigned char mfc_buf[4096];
    unsigned char *block = malloc(BULK + 4096);
    unsigned char *src = malloc(BULK);
    uint32_t sum = 0;
    int round;

    for (size_t i = 0; i < BULK; i++)
        src[i] = (unsigned char)i;
    for (round = 0; round < ROUNDS; round++) {
        mfcs_file *f;
        mfcs_archive *ar;
        const void *data;
        size_t len;
        double t;
        uint32_t v;
        unsigned char *dst;

        /* per-value writes into a memory archive */
        CHECK(mfcs_file_open_memory(&f, NULL, 0));
        CHECK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
        t = now_s();
        for (uint32_t i = 0; i < N; i++)
            mfcs_archive_write_u32(ar, i);
        CHECK(mfcs_archive_close(ar));
        t = now_s() - t;
        if (t < best_w) best_w = t;

        /* the same again into the file, which now has room: the archive's own cost */
        CHECK(mfcs_file_seek(f, 0, MFCS_SEEK_SET, NULL));
        CHECK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
        t = now_s();
        for (uint32_t i = 0; i < N; i++)
            mfcs_archive_write_u32(ar, i);
        CHECK(mfcs_archive_close(ar));
        t = now_s() - t;
        if (t < best_w2) best_w2 = t;

        /* per-value reads back */
        CHECK(mfcs_file_memory_data(f, &data, &len));
        CHECK(mfcs_file_seek(f, 0, MFCS_SEEK_SET, NULL));
        CHECK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
        t = now_s();
        for (uint32_t i = 0; i < N; i++) {
            mfcs_archive_read_u32(ar, &v);
            sum += v;
        }
        t = now_s() - t;
        CHECK(mfcs_archive_close(ar));
        CHECK(mfcs_file_close(f));
        if (t < best_r) best_r = t;

        /* bulk: one 64 MiB write into a new memory file, against memcpy into
         * a new buffer (both pay for fresh memory) */
        CHECK(mfcs_file_open_memory(&f, NULL, 0));
        CHECK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
        t = now_s();
        CHECK(mfcs_archive_write(ar, src, BULK));
        CHECK(mfcs_archive_close(ar));
        t = now_s() - t;
        CHECK(mfcs_file_close(f));
        if (t < best_bulk) best_bulk = t;

        t = now_s();
        dst = malloc(BULK);
        memcpy(dst, src, BULK);
        t = now_s() - t;
        sum += dst[BULK - 1];
        free(dst);
        if (t < best_memcpy) best_memcpy = t;

        /* The MFC loop, writing and reading 16M DWORDs through 4096 bytes. */
        {
            mfc_archive m = { mfc_buf, mfc_buf + sizeof mfc_buf, mfc_buf, block, block };
            t = now_s();
            for (uint32_t i = 0; i < N; i++)
                mfc_store(&m, i);
            mfc_flush(&m);
            t = now_s() - t;
            if (t < best_mfc_w) best_mfc_w = t;
            m.file_pos = block;
            m.cur = m.max = mfc_buf;
            t = now_s();
            for (uint32_t i = 0; i < N; i++)
                sum += mfc_load(&m);
            t = now_s() - t;
            if (t < best_mfc_r) best_mfc_r = t;
        }

        /* The same through a window, into and out of a memory file with room. */
        {
            mfcs_window w;
            CHECK(mfcs_file_open_memory(&f, block, BULK));
            CHECK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
            t = now_s();
            CHECK(mfcs_archive_window_open(ar, 4, &w));
            for (uint32_t i = 0; i < N; i++)
                mfcs_window_put_u32(&w, i);
            CHECK(mfcs_archive_window_close(&w));
            CHECK(mfcs_archive_flush(ar));
            t = now_s() - t;
            CHECK(mfcs_archive_close(ar));
            if (t < best_win_w) best_win_w = t;
            CHECK(mfcs_file_seek(f, 0, MFCS_SEEK_SET, NULL));
            CHECK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
            t = now_s();
            CHECK(mfcs_archive_window_open(ar, 4, &w));
            for (uint32_t i = 0; i < N; i++)
                sum += mfcs_window_get_u32(&w);
            CHECK(mfcs_archive_window_close(&w));
            t = now_s() - t;
            CHECK(mfcs_archive_close(ar));
            if (t < best_win_r) best_win_r = t;

            /* 64 MiB as one u32 array each way, against memcpy of the same
             * into and out of memory that is already there. */
            CHECK(mfcs_file_seek(f, 0, MFCS_SEEK_SET, NULL));
            CHECK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
            t = now_s();
            CHECK(mfcs_archive_write_u32_array(ar, (const uint32_t *)src, BULK / 4));
            CHECK(mfcs_archive_flush(ar));
            t = now_s() - t;
            CHECK(mfcs_archive_close(ar));
            if (t < best_arr_w) best_arr_w = t;
            CHECK(mfcs_file_seek(f, 0, MFCS_SEEK_SET, NULL));
            CHECK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
            t = now_s();
            CHECK(mfcs_archive_read_u32_array(ar, (uint32_t *)block, BULK / 4));
            t = now_s() - t;
            CHECK(mfcs_archive_close(ar));
            if (t < best_arr_r) best_arr_r = t;
            sum += block[BULK - 1];
            CHECK(mfcs_file_close(f));
            t = now_s();
            memcpy(block, src, BULK);
            t = now_s() - t;
            if (t < best_copy) best_copy = t;
        }
    }
    printf("archive on a memory file, best of %d rounds (checksum %u)\n", ROUNDS, (unsigned)sum);
    printf("write_u32: %.2f ns/value into a new memory file (its growth included), "
           "%.2f ns/value into one with room (target <= 5)\n", best_w * 1e9 / N, best_w2 * 1e9 / N);
    printf("read_u32:  %.2f ns/value (target <= 5)\n", best_r * 1e9 / N);
    printf("bulk write 64 MiB: %.0f MB/s, memcpy %.0f MB/s: %.2f x memcpy (target >= 0.5)\n",
           BULK / best_bulk / 1e6, BULK / best_memcpy / 1e6, best_memcpy / best_bulk);
    printf("MFC's inline operators (this program's loop, 4096-byte buffer): write %.2f ns/value, read %.2f ns/value\n",
           best_mfc_w * 1e9 / N, best_mfc_r * 1e9 / N);
    printf("window: write %.2f ns/value, %.2f x the MFC loop; read %.2f ns/value, %.2f x (target <= 1.1)\n",
           best_win_w * 1e9 / N, best_win_w / best_mfc_w, best_win_r * 1e9 / N, best_win_r / best_mfc_r);
    printf("u32 arrays of 64 MiB: write %.0f MB/s, read %.0f MB/s, memcpy %.0f MB/s: %.2f x and %.2f x memcpy "
           "(target >= 0.9)\n", BULK / best_arr_w / 1e6, BULK / best_arr_r / 1e6, BULK / best_copy / 1e6,
           best_copy / best_arr_w, best_copy / best_arr_r);
    free(block);
    free(src);
    return 0;
}
