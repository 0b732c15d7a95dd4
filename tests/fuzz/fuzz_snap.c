/*
 * fuzz_snap.c — libFuzzer target for the snapshot reader (snap/format.c).
 *
 * The input is a snapshot file. It is read twice with snap_reader_open_mem,
 * every section to the end and every payload through the cursor functions
 * (driven by the payload's own bytes): once as it is, and once with every
 * checksum made right (recomputed here from docs/snapshot-format.md), so
 * that mutations get past the checksums into the lengths, methods,
 * decompression and END. The reader's promises (format.h), checked here:
 *   - any input ends in 0 (a valid END) or a SNAP_E* error whose message
 *     is one non-empty line naming the input, and the outcome sticks;
 *   - a section handed out is never of type 0 and never longer than
 *     SNAP_SECTION_MAX; its cursor never reads past its end;
 *   - with the checksums made right, no error is a checksum mismatch
 *     (the reader checks exactly the bytes the format says).
 * Any violation aborts, which libFuzzer reports with the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "snap/format.h"

#if MVM_HAVE_XXHASH
#define XXH_INLINE_ALL
#include <xxhash.h>
#endif

static void violated(const char *what, const char *msg)
{
    fprintf(stderr, "fuzz_snap: %s (reader said: %s)\n", what, msg);
    abort();
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    return (h ^ v) * 0x100000001b3u;
}

/* Reads a payload through every cursor function, as its bytes direct. */
static uint64_t consume(struct snap_cur *c, uint64_t h)
{
    char s[32];
    while (!c->bad && c->off < c->len) {
        size_t before = c->off;
        switch (snap_get_u8(c) % 6) {
        case 0: h = mix(h, snap_get_u16(c)); break;
        case 1: h = mix(h, snap_get_u32(c)); break;
        case 2: h = mix(h, snap_get_u64(c)); break;
        case 3: {
            int n = snap_get_str(c, s, sizeof s);
            if (n >= 0 ? strlen(s) != (size_t)n || c->bad : !c->bad || s[0])
                violated("snap_get_str broke its promise", "");
            h = mix(h, (uint64_t)n);
            break;
        }
        case 4: {
            size_t n = snap_get_u8(c);
            const uint8_t *p = snap_get_bytes(c, n);
            if ((p == NULL) != c->bad)
                violated("snap_get_bytes: NULL and bad disagree", "");
            for (size_t i = 0; p && i < n; i++)
                h = mix(h, p[i]);
            break;
        }
        default: h = mix(h, snap_get_u8(c)); break;
        }
        if (c->off > c->len || (c->off <= before && !c->bad))
            violated("a cursor went past its end or stood still", "");
    }
    if (c->bad && (snap_get_u64(c) != 0 || snap_cur_end(c)))
        violated("a bad cursor still reads", "");
    return h;
}

static void check_message(int rc, const char *msg)
{
    if (rc < SNAP_EINVAL || rc > SNAP_EIO)
        violated("an error outside SNAP_E*", msg);
    if (strncmp(msg, "snapshot: ", 10) != 0 || !msg[10] || strchr(msg, '\n'))
        violated("message not one line naming the input", msg);
}

/* Walks the whole input: its outcome (0 or an error), *msg the message. */
static int walk(const uint8_t *data, size_t size, char *msg, size_t msglen)
{
    struct snap_reader *r;
    int rc = snap_reader_open_mem(data, size, &r, msg, msglen);
    if (rc != 0) {
        check_message(rc, msg);
        return rc;
    }
    uint32_t type;
    struct snap_cur c;
    uint64_t h = 0xcbf29ce484222325u;
    while ((rc = snap_reader_next(r, &type, &c)) == 1) {
        if (type == SNAP_TYPE_END || c.len > SNAP_SECTION_MAX || (c.len && !c.p) || c.off || c.bad)
            violated("a section handed out as it may not be", "");
        h = consume(&c, mix(h, type));
    }
    snprintf(msg, msglen, "%s", snap_reader_error(r));
    if (rc != 0)
        check_message(rc, msg);
    else if (msg[0])
        violated("a message after a valid end", msg);
    if (snap_reader_next(r, &type, &c) != rc)
        violated("the outcome does not stick", msg);
    snap_reader_close(r);
    return rc;
}

#if MVM_HAVE_XXHASH
static uint64_t section_check(uint64_t seed, const uint8_t *h, size_t stored)
{
    XXH3_state_t st;
    memset(&st, 0, sizeof st);
    XXH3_64bits_reset_withSeed(&st, seed);
    XXH3_64bits_update(&st, h, 24);
    XXH3_64bits_update(&st, h + 32, stored);
    return XXH3_64bits_digest(&st);
}

/* Rewrites every checksum that the input has room for, as a writer would. */
static void fix_checks(uint8_t *d, size_t size)
{
    if (size < 32)
        return;
    uint64_t chain = XXH3_64bits(d, 24);
    st64(d + 24, chain);
    for (size_t at = 32; size - at >= 32;) {
        uint64_t stored = ld64(d + at + 16);
        if (stored > size - at - 32)
            return;
        chain = section_check(chain, d + at, (size_t)stored);
        st64(d + at + 24, chain);
        at += 32 + (size_t)stored;
    }
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char msg[SNAP_ERRLEN];
    walk(data, size, msg, sizeof msg);
#if MVM_HAVE_XXHASH
    uint8_t *fixed = malloc(size ? size : 1);
    if (!fixed)
        return 0;
    if (size)
        memcpy(fixed, data, size);
    fix_checks(fixed, size);
    if (walk(fixed, size, msg, sizeof msg) < 0 && strstr(msg, "checksum mismatch"))
        violated("checksums made right, yet a mismatch", msg);
    free(fixed);
#endif
    return 0;
}
