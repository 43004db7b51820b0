/* bench_archive: the archive's per-value and bulk speed against memcpy,
 * measured in the same run. Prints ns per value and ratios.
 *   write_u32 per value   target <= 5 ns
 *   read_u32 per value    target <= 5 ns
 *   bulk write of 64 MiB  target >= 0.5 x memcpy's rate */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winsock2.h>
#include <windows.h>

#include <mfcsock.h>

#include "bench_util.h"



int main(void)
{
    enum { N = 16 * 1024 * 1024, BULK = 64 << 20, ROUNDS = 3 };
    double best_w = 1e9, best_w2 = 1e9, best_r = 1e9, best_bulk = 1e9, best_memcpy = 1e9;
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
    }
    printf("archive on a memory file, best of %d rounds (checksum %u)\n", ROUNDS, (unsigned)sum);
    printf("write_u32: %.2f ns/value into a new memory file (its growth included), "
           "%.2f ns/value into one with room (target <= 5)\n", best_w * 1e9 / N, best_w2 * 1e9 / N);
    printf("read_u32:  %.2f ns/value (target <= 5)\n", best_r * 1e9 / N);
    printf("bulk write 64 MiB: %.0f MB/s, memcpy %.0f MB/s: %.2f x memcpy (target >= 0.5)\n",
           BULK / best_bulk / 1e6, BULK / best_memcpy / 1e6, best_memcpy / best_bulk);
    free(src);
    return 0;
}
