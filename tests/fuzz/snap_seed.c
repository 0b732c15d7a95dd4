/*
 * snap_seed.c — writes the seed corpus of fuzz_snap: small valid
 * snapshots made by the real writer (snap/format.c) into the directory
 * given as its argument:
 *   empty      no section, only END;
 *   sections   a payload of every put helper, an empty section and an
 *              optional-type one, all raw;
 *   zstd       a compressed section beside a raw one.
 * Built by tests/fuzz/run.sh --update-seeds with -Wl,--wrap of the
 * realtime clock, so the files do not change from one run to the next.
 */
#include <stdio.h>

#include "snap/format.h"

uint64_t __wrap_host_time_realtime_ns(void);
uint64_t __wrap_host_time_realtime_ns(void)
{
    return 1700000000000000000u;
}

static int seed(const char *dir, const char *name, int kind)
{
    char path[4096], err[SNAP_ERRLEN];
    struct snap_writer *w;
    struct snap_buf b = { 0 };
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (snap_writer_open(path, &w, err, sizeof err) != 0) {
        fprintf(stderr, "snap_seed: %s\n", err);
        return 1;
    }
    if (kind == 1) {
        snap_put_u8(&b, 3);
        snap_put_u16(&b, 0x1234);
        snap_put_u32(&b, 0x89abcdef);
        snap_put_u64(&b, 0x0123456789abcdefu);
        snap_put_str(&b, "vm-0");
        snap_put_bytes(&b, "\2\5\0\0\0guest", 10);
        snap_write_section(w, 1, b.data, b.len);
        snap_write_section(w, 2, NULL, 0);
        snap_write_section(w, SNAP_TYPE_OPTIONAL | 3, "\4\4\0\0\0", 5);
    } else if (kind == 2) {
        for (int i = 0; i < 512; i++)
            snap_put_u32(&b, (uint32_t)(i % 16) << 24 | 0x0102);
        snap_write_section(w, 4, b.data, b.len);
        snap_write_section(w, 5, "\1\2\0", 3);
    }
    int rc = b.oom ? SNAP_ENOMEM : snap_writer_commit(w);
    if (rc != 0)
        fprintf(stderr, "snap_seed: %s\n", snap_writer_error(w));
    snap_writer_abort(w);
    snap_buf_free(&b);
    return rc != 0;
}

int main(int argc, char **argv)
{
    if (argc != 2 || !snap_compression()) {
        fprintf(stderr, "usage: snap_seed DIR (built with xxhash and zstd)\n");
        return 2;
    }
    return seed(argv[1], "empty", 0) | seed(argv[1], "sections", 1) | seed(argv[1], "zstd", 2);
}
