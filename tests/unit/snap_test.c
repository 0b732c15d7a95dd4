/*
 * snap_test.c — unit tests of the snapshot container (snap/format.c):
 * round trips through a file and through memory, atomic replacement,
 * files built by hand from docs/snapshot-format.md, and a reader that
 * fails cleanly on every damaged, cut-short or overlong input.
 * Works in a temporary directory. A build without xxhash has no
 * snapshots: then only the buffer, cursor and refusal tests run, and one
 * SKIP line says so.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/host.h"
#include "mem/mem.h"
#include "snap/format.h"
#include "snap/snap_int.h"
#include "tests/unit/check.h"

#if MVM_HAVE_XXHASH
#define XXH_INLINE_ALL
#include <xxhash.h>
#endif
#if MVM_HAVE_XXHASH && MVM_HAVE_ZSTD
#include <zstd.h>
#endif

static char tmp[512];

static const char *tp(const char *rel)
{
    static char b[4][1024];
    static int i;
    i = (i + 1) % 4;
    snprintf(b[i], sizeof b[i], "%s/%s", tmp, rel);
    return b[i];
}

/* Entries of the temporary directory whose name contains ".tmp.". */
static int temp_files(void)
{
    DIR *d = opendir(tmp);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strstr(e->d_name, ".tmp.") != NULL;
    if (d)
        closedir(d);
    return n;
}

static void snap_cursor(void)
{
    struct snap_buf b = { 0 };
    snap_put_u8(&b, 0xab);
    snap_put_u16(&b, 0xbeef);
    snap_put_u32(&b, 0xdeadbeef);
    snap_put_u64(&b, 0x0123456789abcdefu);
    snap_put_str(&b, "hello");
    snap_put_bytes(&b, "xyz", 3);
    CHECK(!b.oom && b.len == 1 + 2 + 4 + 8 + 4 + 5 + 3);
    CHECK(b.data[1] == 0xef && b.data[2] == 0xbe);      /* little-endian on every host */
    CHECK(b.data[15] == 5 && b.data[16] == 0);

    struct snap_cur c = { .p = b.data, .len = b.len };
    char s[8];
    CHECK(snap_get_u8(&c) == 0xab);
    CHECK(snap_get_u16(&c) == 0xbeef);
    CHECK(snap_get_u32(&c) == 0xdeadbeef);
    CHECK(snap_get_u64(&c) == 0x0123456789abcdefu);
    CHECK(snap_get_str(&c, s, sizeof s) == 5 && strcmp(s, "hello") == 0);
    CHECK(!snap_cur_end(&c));
    const uint8_t *p = snap_get_bytes(&c, 3);
    CHECK(p && memcmp(p, "xyz", 3) == 0);
    CHECK(snap_cur_end(&c));
    CHECK(snap_get_u8(&c) == 0 && c.bad && !snap_cur_end(&c));

    /* A short read sets bad for good, even where bytes remain. */
    c = (struct snap_cur){ .p = b.data, .len = 3 };
    CHECK(snap_get_u32(&c) == 0 && c.bad);
    CHECK(snap_get_u8(&c) == 0 && snap_get_bytes(&c, 0) == NULL);

    /* Strings: too long for dst, holding a NUL, longer than the payload. */
    c = (struct snap_cur){ .p = b.data + 15, .len = 9 };
    CHECK(snap_get_str(&c, s, 5) == -1 && c.bad && s[0] == 0);
    snap_buf_reset(&b);
    CHECK(b.len == 0 && b.cap > 0);
    snap_put_u32(&b, 3);
    snap_put_bytes(&b, "a\0b", 3);
    c = (struct snap_cur){ .p = b.data, .len = b.len };
    CHECK(snap_get_str(&c, s, sizeof s) == -1 && c.bad);
    snap_buf_reset(&b);
    snap_put_u32(&b, 0xffffffffu);
    c = (struct snap_cur){ .p = b.data, .len = b.len };
    CHECK(snap_get_str(&c, s, sizeof s) == -1 && c.bad);

    /* An empty payload. */
    c = (struct snap_cur){ 0 };
    CHECK(snap_get_bytes(&c, 0) != NULL && snap_cur_end(&c));
    CHECK(snap_get_u8(&c) == 0 && c.bad);
    snap_buf_free(&b);
    CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
}

static void snap_refused(void)
{
    char err[SNAP_ERRLEN];
    struct snap_writer *w = (struct snap_writer *)&w;
    struct snap_reader *r = (struct snap_reader *)&r;
    if (snap_available()) {
        CHECK(snap_writer_open(tp("none/x.mvm"), &w, err, sizeof err) == SNAP_EIO && !w);
        CHECK(strstr(err, "none/x.mvm: cannot create") == err + strlen(tmp) + 1);
        CHECK(strchr(err, '\n') == NULL);
        CHECK(snap_reader_open(tp("none.mvm"), &r, err, sizeof err) == SNAP_EIO && !r);
        CHECK(strstr(err, "none.mvm: cannot open: ") != NULL);
        return;
    }
    CHECK(snap_writer_open(tp("x.mvm"), &w, err, sizeof err) == SNAP_EUNSUPPORTED && !w);
    CHECK(strstr(err, "libxxhash-dev") != NULL);
    CHECK(snap_reader_open_mem("", 0, &r, err, sizeof err) == SNAP_EUNSUPPORTED && !r);
    CHECK(!snap_compression() && temp_files() == 0);
}

#if MVM_HAVE_XXHASH

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *d = NULL;
    *n = 0;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long len = ftell(f);
        d = malloc(len > 0 ? (size_t)len : 1);
        rewind(f);
        if (d && len >= 0 && fread(d, 1, (size_t)len, f) == (size_t)len)
            *n = (size_t)len;
    }
    fclose(f);
    return d;
}

static void spit(const char *path, const void *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        if (n)
            fwrite(d, 1, n, f);
        fclose(f);
    }
}

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint8_t rnd8(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint8_t)(rng >> 24);
}

static volatile uint8_t sink;

/* A writer on path; without one nothing else can be tested. */
static struct snap_writer *wopen(const char *path)
{
    struct snap_writer *w;
    char err[SNAP_ERRLEN];
    if (snap_writer_open(path, &w, err, sizeof err) != 0) {
        printf("FAIL unit/%s: %s\n", check_name, err);
        exit(1);
    }
    return w;
}

/* Reads every section to its end, touching every byte: 0 at END, or the error. */
static int walk_reader(struct snap_reader *r, int *sections)
{
    uint32_t type;
    struct snap_cur c;
    int rc;
    while ((rc = snap_reader_next(r, &type, &c)) == 1) {
        const uint8_t *p = snap_get_bytes(&c, c.len);
        for (size_t i = 0; p && i < c.len; i++)
            sink ^= p[i];
        if (sections)
            ++*sections;
    }
    CHECK(rc <= 0 && snap_reader_next(r, &type, &c) == rc);   /* the outcome sticks */
    CHECK((rc == 0) == (snap_reader_error(r)[0] == 0));
    return rc;
}

/* Opens n bytes in memory and walks them; every message is one line. */
static int walk_mem(const void *d, size_t n, char *err)
{
    struct snap_reader *r;
    int rc = snap_reader_open_mem(d, n, &r, err, SNAP_ERRLEN);
    if (rc == 0) {
        rc = walk_reader(r, NULL);
        snprintf(err, SNAP_ERRLEN, "%s", snap_reader_error(r));
        snap_reader_close(r);
    }
    CHECK(rc <= 0);
    CHECK(rc == 0 || (strncmp(err, "snapshot: ", 10) == 0 && !strchr(err, '\n')));
    return rc;
}

static int walk_file(const char *path, char *err)
{
    struct snap_reader *r;
    int rc = snap_reader_open(path, &r, err, SNAP_ERRLEN);
    if (rc == 0) {
        rc = walk_reader(r, NULL);
        snprintf(err, SNAP_ERRLEN, "%s", snap_reader_error(r));
        snap_reader_close(r);
    }
    CHECK(rc == 0 || (strncmp(err, path, strlen(path)) == 0 && !strchr(err, '\n')));
    return rc;
}

#define BIG_LEN (5u << 20)
#define RANDOM_LEN (1u << 20)

static void fill_big(uint8_t *d)
{
    for (size_t i = 0; i < BIG_LEN; i++)
        d[i] = (uint8_t)("guest page "[i % 11] + (i >> 16) % 7);
}

static void put_tiny(struct snap_buf *b)
{
    snap_put_u8(b, 0xab);
    snap_put_u16(b, 0xbeef);
    snap_put_u32(b, 0xdeadbeef);
    snap_put_u64(b, 0xfedcba9876543210u);
    snap_put_str(b, "vm-1");
    snap_put_str(b, "");
    snap_put_bytes(b, "\0\1\2", 3);
}

static void check_tiny(struct snap_cur *c)
{
    char s[16];
    CHECK(snap_get_u8(c) == 0xab);
    CHECK(snap_get_u16(c) == 0xbeef);
    CHECK(snap_get_u32(c) == 0xdeadbeef);
    CHECK(snap_get_u64(c) == 0xfedcba9876543210u);
    CHECK(snap_get_str(c, s, sizeof s) == 4 && strcmp(s, "vm-1") == 0);
    CHECK(snap_get_str(c, s, sizeof s) == 0 && s[0] == 0);
    const uint8_t *p = snap_get_bytes(c, 3);
    CHECK(p && memcmp(p, "\0\1\2", 3) == 0);
    CHECK(snap_cur_end(c));
}

/* The next section is of type t (and len bytes); else a failed check. */
static bool next_is(struct snap_reader *r, uint32_t t, size_t len, struct snap_cur *c)
{
    uint32_t type = 0;
    bool ok = snap_reader_next(r, &type, c) == 1 && type == t && c->len == len;
    CHECK(ok);
    return ok;
}

/* tiny, empty, 5 MiB compressible, 1 MiB random, and an optional type */
static void check_round_trip(struct snap_reader *r, const uint8_t *big, const uint8_t *noise)
{
    uint32_t type;
    struct snap_cur c;
    if (!next_is(r, 1, 30, &c))
        return;
    check_tiny(&c);
    if (!next_is(r, 2, 0, &c) || !next_is(r, 3, BIG_LEN, &c))
        return;
    CHECK(memcmp(snap_get_bytes(&c, BIG_LEN), big, BIG_LEN) == 0 && snap_cur_end(&c));
    if (!next_is(r, 4, RANDOM_LEN, &c))
        return;
    CHECK(memcmp(snap_get_bytes(&c, RANDOM_LEN), noise, RANDOM_LEN) == 0);
    if (!next_is(r, SNAP_TYPE_OPTIONAL | 5, 4, &c))
        return;
    CHECK(snap_get_u32(&c) == 77 && snap_cur_end(&c));
    CHECK(snap_reader_next(r, &type, &c) == 0);
    CHECK(snap_reader_next(r, &type, &c) == 0);
    CHECK(snap_reader_error(r)[0] == 0);
}

static void snap_round_trip(void)
{
    uint8_t *big = malloc(BIG_LEN), *noise = malloc(RANDOM_LEN);
    struct snap_buf b = { 0 };
    struct snap_writer *w;
    char err[SNAP_ERRLEN];
    fill_big(big);
    for (size_t i = 0; i < RANDOM_LEN; i++)
        noise[i] = rnd8();
    put_tiny(&b);
    w = wopen(tp("rt.mvm"));
    CHECK(snap_write_section(w, 1, b.data, b.len) == 0);
    CHECK(snap_write_section(w, 2, NULL, 0) == 0);
    CHECK(snap_write_section(w, 3, big, BIG_LEN) == 0);
    CHECK(snap_write_section(w, 4, noise, RANDOM_LEN) == 0);
    snap_buf_reset(&b);
    snap_put_u32(&b, 77);
    CHECK(snap_write_section(w, SNAP_TYPE_OPTIONAL | 5, b.data, b.len) == 0);
    CHECK(temp_files() == 1 && access(tp("rt.mvm"), F_OK) != 0);
    CHECK(snap_writer_commit(w) == 0 && snap_writer_error(w)[0] == 0);
    snap_writer_abort(w);
    CHECK(temp_files() == 0);

    struct snap_reader *r;
    CHECK(snap_reader_open(tp("rt.mvm"), &r, err, sizeof err) == 0);
    if (r)
        check_round_trip(r, big, noise);
    snap_reader_close(r);

    size_t n;
    uint8_t *file = slurp(tp("rt.mvm"), &n);
    if (snap_compression())     /* 5 MiB of text shrinks; random bytes stay raw */
        CHECK(n > RANDOM_LEN && n < RANDOM_LEN + BIG_LEN / 8);
    else
        CHECK(n == 32 + 6 * 32 + 30 + BIG_LEN + RANDOM_LEN + 4 + 8);
    CHECK(snap_reader_open_mem(file, n, &r, err, sizeof err) == 0);
    if (r)
        check_round_trip(r, big, noise);
    snap_reader_close(r);
    free(file);
    free(big);
    free(noise);
    snap_buf_free(&b);
}

/* A small snapshot with every kind of section, written to path. */
static void write_small(const char *path, uint32_t salt)
{
    struct snap_buf b = { 0 };
    uint8_t text[600];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (uint8_t)("abcabd"[i % 6] + salt);
    put_tiny(&b);
    struct snap_writer *w = wopen(path);
    CHECK(snap_write_section(w, 1 + salt, b.data, b.len) == 0);
    CHECK(snap_write_section(w, 2, NULL, 0) == 0);
    CHECK(snap_write_section(w, 3, text, sizeof text) == 0);
    CHECK(snap_write_section(w, SNAP_TYPE_OPTIONAL | 9, "opt", 3) == 0);
    CHECK(snap_writer_commit(w) == 0);
    snap_writer_abort(w);
    snap_buf_free(&b);
}

static uint32_t first_type(const char *path)
{
    struct snap_reader *r;
    char err[SNAP_ERRLEN];
    uint32_t type = 0;
    struct snap_cur c;
    if (snap_reader_open(path, &r, err, sizeof err) == 0) {
        if (snap_reader_next(r, &type, &c) != 1)
            type = 0;
        snap_reader_close(r);
    }
    return type;
}

static void snap_replace(void)
{
    char err[SNAP_ERRLEN];
    write_small(tp("rep.mvm"), 0);
    CHECK(first_type(tp("rep.mvm")) == 1);
    write_small(tp("rep.mvm"), 1);          /* commit over an existing file */
    CHECK(first_type(tp("rep.mvm")) == 2);
    size_t n0, n1;
    uint8_t *before = slurp(tp("rep.mvm"), &n0);

    struct snap_writer *w;                  /* abort: the old file stays */
    w = wopen(tp("rep.mvm"));
    CHECK(snap_write_section(w, 7, "new", 3) == 0);
    CHECK(temp_files() == 1);
    snap_writer_abort(w);
    uint8_t *after = slurp(tp("rep.mvm"), &n1);
    CHECK(before && after && n0 == n1 && memcmp(before, after, n0) == 0);
    CHECK(temp_files() == 0);

    /* A caller's mistake sticks, and commit then leaves nothing behind. */
    w = wopen(tp("rep.mvm"));
    CHECK(snap_write_section(w, SNAP_TYPE_END, "x", 1) == SNAP_EINVAL);
    CHECK(strstr(snap_writer_error(w), "rep.mvm: section type 0 is reserved") != NULL);
    CHECK(snap_write_section(w, 7, "x", 1) == SNAP_EINVAL);
    CHECK(snap_writer_commit(w) == SNAP_EINVAL);
    snap_writer_abort(w);
    w = wopen(tp("rep.mvm"));
    CHECK(snap_write_section(w, 7, before, (size_t)SNAP_SECTION_MAX + 1) == SNAP_EINVAL);
    snap_writer_abort(w);
    free(after);
    after = slurp(tp("rep.mvm"), &n1);
    CHECK(after && n0 == n1 && memcmp(before, after, n0) == 0 && temp_files() == 0);
    free(before);
    free(after);

    /* A directory the writer cannot create in. */
    CHECK(snap_writer_open(tp("missing/dir/x.mvm"), &w, err, sizeof err) == SNAP_EIO);
    if (geteuid() != 0) {
        mkdir(tp("ro"), 0500);
        CHECK(snap_writer_open(tp("ro/x.mvm"), &w, err, sizeof err) == SNAP_EIO);
        CHECK(strstr(err, "Permission denied") != NULL);
    }
}

/* Every byte of a small snapshot flipped three ways: an error, of the right kind. */
static void snap_bit_flips(void)
{
    char err[SNAP_ERRLEN];
    size_t n;
    write_small(tp("flip.mvm"), 0);
    uint8_t *d = slurp(tp("flip.mvm"), &n);
    CHECK(d && walk_mem(d, n, err) == 0);
    static const uint8_t masks[] = { 0x01, 0x80, 0xff };
    int bad = 0, reported = 0;
    for (size_t i = 0; d && i < n; i++) {
        for (size_t m = 0; m < sizeof masks; m++) {
            d[i] ^= masks[m];
            int rc = walk_mem(d, n, err);
            uint32_t version = ld32(d + 8);
            d[i] ^= masks[m];
            if (i < 8)
                bad += rc != SNAP_EFORMAT;
            else if (i < 12 && version > SNAP_VERSION)
                bad += rc != SNAP_EVERSION || !strstr(err, "is newer than this monitor's (1)");
            else
                bad += rc != SNAP_ECORRUPT && rc != SNAP_EFORMAT;
            if (bad == 1 && !reported++)
                printf("  flip at %zu by %#x: %d (%s)\n", i, masks[m], rc, err);
        }
    }
    CHECK(bad == 0);
    free(d);
}

/* Every prefix of a small snapshot, in memory and as a file: an error. */
static void snap_truncations(void)
{
    char err[SNAP_ERRLEN];
    size_t n;
    write_small(tp("cut.mvm"), 0);
    uint8_t *d = slurp(tp("cut.mvm"), &n);
    int bad = 0;
    for (size_t len = 0; d && len < n; len++) {
        int rc = walk_mem(d, len, err);
        bad += rc != SNAP_ECORRUPT && rc != SNAP_EFORMAT;
        spit(tp("cut-n.mvm"), d, len);
        rc = walk_file(tp("cut-n.mvm"), err);
        bad += rc != SNAP_ECORRUPT && rc != SNAP_EFORMAT;
    }
    CHECK(bad == 0);
    CHECK(walk_mem(d, n - 32 - 8, err) == SNAP_ECORRUPT && strstr(err, "truncated (no end section)"));
    /* Garbage after END, in memory and in a file. */
    uint8_t *more = malloc(n + 40);
    memcpy(more, d, n);
    memset(more + n, 0, 40);
    CHECK(walk_mem(more, n + 1, err) == SNAP_ECORRUPT && strstr(err, "data after the end section"));
    spit(tp("more.mvm"), more, n + 40);
    CHECK(walk_file(tp("more.mvm"), err) == SNAP_ECORRUPT);
    free(more);
    free(d);
}

/* Files built by hand from the documented layout, independently of the writer. */
struct craft {
    uint8_t d[4096];
    size_t n;
    uint64_t chain;
};

static void craft_header(struct craft *f, uint32_t version, uint32_t flags)
{
    memcpy(f->d, "MVMSNAP", 8);
    st32(f->d + 8, version);
    st32(f->d + 12, flags);
    st64(f->d + 16, 1700000000000000000u);
    f->chain = XXH3_64bits(f->d, 24);
    st64(f->d + 24, f->chain);
    f->n = 32;
}

static void craft_section(struct craft *f, uint32_t type, uint32_t method, uint64_t raw,
                          const void *stored, size_t len)
{
    uint8_t *h = f->d + f->n;
    st32(h, type);
    st32(h + 4, method);
    st64(h + 8, raw);
    st64(h + 16, len);
    memcpy(h + 32, stored, len);
    XXH3_state_t st;
    memset(&st, 0, sizeof st);
    XXH3_64bits_reset_withSeed(&st, f->chain);
    XXH3_64bits_update(&st, h, 24);
    XXH3_64bits_update(&st, h + 32, len);
    f->chain = XXH3_64bits_digest(&st);
    st64(h + 24, f->chain);
    f->n += 32 + len;
}

static void craft_end(struct craft *f, uint64_t count)
{
    uint8_t c[8];
    st64(c, count);
    craft_section(f, SNAP_TYPE_END, 0, 8, c, 8);
}

static int crafted(struct craft *f, char *err)
{
    return walk_mem(f->d, f->n, err);
}

/* The file snap_spec builds first, as bytes: the same on every host. */
static const uint8_t golden[139] = {
    0x4d, 0x56, 0x4d, 0x53, 0x4e, 0x41, 0x50, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x36, 0xfe, 0x9c, 0x97, 0x17,
    0xfe, 0x03, 0xe6, 0xa9, 0xb5, 0x3d, 0x5f, 0x8e, 0x05, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xbb, 0xc7, 0x1b, 0x19,
    0x04, 0xdd, 0x52, 0xd8, 0x61, 0x62, 0x63, 0x09, 0x00, 0x00, 0x80, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x52, 0x45, 0xb2, 0x7f, 0x86,
    0xb3, 0x2c, 0x4b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x13, 0x5a, 0x29, 0xcb, 0x2d, 0xcb, 0x29, 0xff, 0x02,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
};

static void snap_spec(void)
{
    static struct craft f, g;
    char err[SNAP_ERRLEN];
    struct snap_reader *r;
    struct snap_cur c;
    uint32_t type;
    craft_header(&f, 1, 0);
    craft_section(&f, 5, 0, 3, "abc", 3);
    craft_section(&f, SNAP_TYPE_OPTIONAL | 9, 0, 0, "", 0);
    craft_end(&f, 2);
    CHECK(f.n == sizeof golden && memcmp(f.d, golden, f.n) == 0);
    CHECK(snap_reader_open_mem(golden, sizeof golden, &r, err, sizeof err) == 0);
    if (r && next_is(r, 5, 3, &c) && !memcmp(c.p, "abc", 3) &&
        next_is(r, SNAP_TYPE_OPTIONAL | 9, 0, &c))
        CHECK(snap_reader_next(r, &type, &c) == 0);
    snap_reader_close(r);

    craft_header(&f, 7, 0);
    CHECK(crafted(&f, err) == SNAP_EVERSION);
    CHECK(strcmp(err, "snapshot: format version 7 is newer than this monitor's (1)") == 0);
    craft_header(&f, 0, 0);
    CHECK(crafted(&f, err) == SNAP_EFORMAT);
    craft_header(&f, 1, 4);
    CHECK(crafted(&f, err) == SNAP_EFORMAT && strstr(err, "flags"));
    memcpy(f.d, "MVMSNAQ", 8);
    CHECK(crafted(&f, err) == SNAP_EFORMAT);
    CHECK(strcmp(err, "snapshot: not a Matryoshka snapshot") == 0);

    craft_header(&f, 1, 0);                 /* unknown method, valid checksum */
    craft_section(&f, 5, 2, 3, "abc", 3);
    CHECK(crafted(&f, err) == SNAP_EFORMAT);
    craft_header(&f, 1, 0);                 /* raw, stored_len != raw_len */
    craft_section(&f, 5, 0, 4, "abc", 3);
    CHECK(crafted(&f, err) == SNAP_EFORMAT);
    craft_header(&f, 1, 0);                 /* END counting wrong */
    craft_section(&f, 5, 0, 3, "abc", 3);
    craft_end(&f, 2);
    CHECK(crafted(&f, err) == SNAP_ECORRUPT && strstr(err, "counts 2 sections, but 1"));
    craft_header(&f, 1, 0);                 /* END of the wrong shape */
    craft_section(&f, SNAP_TYPE_END, 0, 4, "abcd", 4);
    CHECK(crafted(&f, err) == SNAP_EFORMAT);
    craft_header(&f, 1, 0);                 /* compressed garbage */
    craft_section(&f, 5, 1, 100, "garbage", 7);
    craft_end(&f, 1);
    CHECK(crafted(&f, err) == (snap_compression() ? SNAP_ECORRUPT : SNAP_EUNSUPPORTED));

    /* Sections swapped, or taken from another file: the chain breaks. */
    craft_header(&f, 1, 0);
    craft_section(&f, 5, 0, 3, "abc", 3);
    craft_section(&f, 6, 0, 3, "def", 3);
    craft_end(&f, 2);
    CHECK(crafted(&f, err) == 0);
    memcpy(g.d, f.d, f.n);
    memcpy(g.d + 32, f.d + 67, 35);
    memcpy(g.d + 67, f.d + 32, 35);
    g.n = f.n;
    CHECK(crafted(&g, err) == SNAP_ECORRUPT && strstr(err, "section 1 at offset 32 is corrupt"));
    memcpy(&g, &f, sizeof f);
    st64(g.d + 16, 1);                      /* another file's header */
    st64(g.d + 24, XXH3_64bits(g.d, 24));
    CHECK(crafted(&g, err) == SNAP_ECORRUPT && strstr(err, "(checksum mismatch)"));
}

/* Lengths over the limits are refused before anything is read or allocated. */
static void snap_oversized(void)
{
    static struct craft f;
    char err[SNAP_ERRLEN];
    craft_header(&f, 1, 0);
    uint8_t *h = f.d + 32;
    memset(h, 0, 64);
    st32(h, 5);
    st64(h + 8, (uint64_t)SNAP_SECTION_MAX + 1);
    st64(h + 16, 16);
    f.n = 32 + 32 + 16;
    CHECK(crafted(&f, err) == SNAP_ECORRUPT && strstr(err, "out of bounds"));
    st64(h + 8, UINT64_MAX);
    st64(h + 16, UINT64_MAX);
    CHECK(crafted(&f, err) == SNAP_ECORRUPT && strstr(err, "out of bounds"));
    st64(h + 8, 100);                       /* stored over zstd's bound of raw */
    st64(h + 16, 200);
    CHECK(crafted(&f, err) == SNAP_ECORRUPT && strstr(err, "out of bounds"));
    /* The largest section claimed by a 80-byte file: truncated, nothing allocated. */
    st64(h + 8, SNAP_SECTION_MAX);
    st64(h + 16, SNAP_SECTION_MAX);
    spit(tp("huge.mvm"), f.d, f.n);
    CHECK(walk_file(tp("huge.mvm"), err) == SNAP_ECORRUPT && strstr(err, "truncated"));
}

#if MVM_HAVE_ZSTD
/* A valid zstd frame whose size is not the section's raw_len. */
static void snap_zstd_sizes(void)
{
    static struct craft f;
    static uint8_t raw[400], z[1024];
    char err[SNAP_ERRLEN];
    memset(raw, 'a', sizeof raw);
    size_t zn = ZSTD_compress(z, sizeof z, raw, sizeof raw, 3);
    CHECK(!ZSTD_isError(zn));
    for (uint64_t claim = sizeof raw - 1; claim <= sizeof raw + 1; claim++) {
        craft_header(&f, 1, 0);
        craft_section(&f, 5, 1, claim, z, zn);
        craft_end(&f, 1);
        CHECK(crafted(&f, err) == (claim == sizeof raw ? 0 : SNAP_ECORRUPT));
    }
}
#endif

#endif /* MVM_HAVE_XXHASH */

/*
 * Lazy restore's pager (snap/lazy.c) over a real file: PAGES-like
 * sections (u32 count, then u64 va + 4096 bytes each) deferred by the
 * reader, an index read by hand, and a space whose touched pages must
 * come back as written. Malformed indexes are refused before anything
 * is attached; a section whose contents lie, or that changed on disk, is
 * caught when loaded.
 */
#define LZ_PAGES 5
static void lazy_page(uint64_t va, uint8_t *d)
{
    for (unsigned i = 0; i < 4096; i++)
        d[i] = (uint8_t)(va >> 12) * 7 + (uint8_t)i;
}

/* Three sections: pages 0x10000..+5, 0x20000..+5 (the third's count
 * says 6: it lies), 0x30000..+5. */
static void lazy_file(const char *path)
{
    struct snap_writer *w = wopen(path);
    struct snap_buf b = { 0 };
    uint8_t d[4096];
    for (unsigned k = 0; k < 3; k++) {
        snap_buf_reset(&b);
        snap_put_u32(&b, k == 1 ? LZ_PAGES + 1 : LZ_PAGES);
        for (unsigned i = 0; i < LZ_PAGES; i++) {
            uint64_t va = 0x10000ull * (k + 1) + 4096ull * i;
            lazy_page(va, d);
            snap_put_u64(&b, va);
            snap_put_bytes(&b, d, sizeof d);
        }
        CHECK(snap_write_section(w, 5, b.data, b.len) == 0);
    }
    CHECK(snap_write_section(w, 9, "x", 1) == 0);
    CHECK(snap_writer_commit(w) == 0);
    snap_writer_abort(w);
    snap_buf_free(&b);
}

/* The index: sections, then per section runs (va, pages). */
static void put_index(struct snap_buf *x, uint32_t nsec, const uint64_t (*runs)[2], const uint32_t *per)
{
    snap_put_u32(x, nsec);
    for (uint32_t k = 0, j = 0; k < nsec; k++) {
        snap_put_u32(x, per[k]);
        for (uint32_t i = 0; i < per[k]; i++, j++) {
            snap_put_u64(x, runs[j][0]);
            snap_put_u32(x, (uint32_t)runs[j][1]);
        }
    }
}

/* A reader past the three deferred sections, and a lazy pager of them. */
static struct snap_lazy *lazy_open(const char *path, struct snap_reader **rd)
{
    char err[SNAP_ERRLEN];
    uint32_t type;
    struct snap_cur c;
    CHECK(snap_reader_open(path, rd, err, sizeof err) == 0);
    CHECK(snap_reader_defer(*rd, 5) == 0);
    struct snap_lazy *l = snap_lazy_new(*rd);
    for (int k = 0; k < 3; k++) {
        CHECK(snap_reader_next(*rd, &type, &c) == 1 && type == 5 && c.len == 0);
        CHECK(snap_lazy_add(l) == 0);
    }
    CHECK(snap_reader_next(*rd, &type, &c) == 1 && type == 9 && c.len == 1);
    CHECK(snap_reader_next(*rd, &type, &c) == 0);   /* END: the chain held past them */
    return l;
}

static int lazy_index(struct snap_lazy *l, struct snap_buf *x, uint64_t max)
{
    struct snap_cur c = { .p = x->data, .len = x->len };
    return snap_lazy_index(l, &c, max);
}

static void snap_lazy(void)
{
    const char *path = tp("lazy.snap");
    lazy_file(path);
    struct snap_reader *rd;
    struct snap_buf x = { 0 };
    static const uint64_t good[][2] = { { 0x10000, 5 }, { 0x20000, 2 }, { 0x22000, 3 }, { 0x30000, 5 } };
    static const uint32_t per[] = { 1, 2, 1 };

    /* Malformed indexes: refused, nothing attached. */
    static const struct { uint64_t va, n; uint32_t nsec; uint64_t max; } bad[] = {
        { 0x10000, 5, 2, 100 },         /* fewer sections than deferred */
        { 0x10000, 5, 4, 100 },         /* more */
        { 0x10001, 5, 3, 100 },         /* not page-aligned */
        { 0x10000, 0, 3, 100 },         /* an empty run */
        { 1ull << 48, 1, 3, 100 },      /* beyond the address space */
        { (1ull << 48) - 4096, 2, 3, 100 },   /* runs past its end */
        { 0x10000, 5, 3, 14 },          /* more pages than the VM may hold */
    };
    for (size_t t = 0; t < sizeof bad / sizeof bad[0]; t++) {
        struct snap_lazy *l = lazy_open(path, &rd);
        uint64_t runs[4][2];
        memcpy(runs, good, sizeof runs);
        runs[0][0] = bad[t].va;
        runs[0][1] = bad[t].n;
        snap_buf_reset(&x);
        put_index(&x, bad[t].nsec > 3 ? 3 : bad[t].nsec, (const uint64_t (*)[2])runs, per);
        if (bad[t].nsec > 3)
            st32(x.data, bad[t].nsec);
        CHECK(lazy_index(l, &x, bad[t].max) == -1);
        snap_lazy_free(l);
        snap_reader_close(rd);
    }
    struct snap_lazy *l = lazy_open(path, &rd);     /* trailing bytes */
    snap_buf_reset(&x);
    put_index(&x, 3, good, per);
    snap_put_u8(&x, 0);
    CHECK(lazy_index(l, &x, 100) == -1);
    snap_lazy_free(l);
    snap_reader_close(rd);

    /* A good index: pages come back on touch, a section at a time. */
    struct mem_pool *pool = mem_pool_new(0);
    struct mem_space *as = mem_space_new(pool);
    CHECK(mem_map(as, 0x10000, 0x30000, MEM_R | MEM_W) == 0);
    l = lazy_open(path, &rd);
    snap_buf_reset(&x);
    put_index(&x, 3, good, per);
    CHECK(lazy_index(l, &x, 100) == 0);
    CHECK(snap_lazy_attach(l, as) == 0);    /* the space owns it, and holds rd too */
    snap_reader_close(rd);
    CHECK(mem_space_lazy(as) == 15 && mem_space_resident(as) == 0);
    uint8_t got[4096], want[4096];
    CHECK(mem_read(as, 0x33000, got, sizeof got) == 0);
    lazy_page(0x33000, want);
    CHECK(memcmp(got, want, sizeof got) == 0);
    CHECK(mem_space_lazy(as) == 10 && mem_space_resident(as) == 5);
    CHECK(mem_read(as, 0x10000, got, sizeof got) == 0);
    lazy_page(0x10000, want);
    CHECK(memcmp(got, want, sizeof got) == 0 && mem_space_lost(as) == NULL);
    /* The middle section's count lies: its memory is lost, with why. */
    CHECK(mem_read(as, 0x21000, got, 8) == MEM_EIO);
    CHECK(mem_space_lost(as) && strstr(mem_space_lost(as), "malformed"));
    mem_space_free(as);

    /* The file changed on disk after the restore began: caught on load. */
    as = mem_space_new(pool);
    CHECK(mem_map(as, 0x10000, 0x30000, MEM_R | MEM_W) == 0);
    l = lazy_open(path, &rd);
    CHECK(lazy_index(l, &x, 100) == 0 && snap_lazy_attach(l, as) == 0);
    snap_reader_close(rd);
    size_t n;
    uint8_t *f = slurp(path, &n);
    size_t at = 32;     /* the file header; then each section's header and stored bytes */
    for (int k = 0; k < 2; k++)
        at += 32 + (size_t)ld64(f + at + 16);
    f[at + 32 + (size_t)ld64(f + at + 16) / 2] ^= 1;    /* inside the third's stored bytes */
    FILE *fp = fopen(path, "r+b");
    CHECK(fp && fwrite(f, 1, n, fp) == n);
    if (fp)
        fclose(fp);
    free(f);
    CHECK(mem_read(as, 0x10000, got, 8) == 0);      /* first section: intact */
    CHECK(mem_read(as, 0x34000, got, 8) == MEM_EIO);
    CHECK(mem_space_lost(as) && strstr(mem_space_lost(as), "checksum mismatch"));
    mem_space_free(as);
    mem_pool_free(pool);
    snap_buf_free(&x);

    /* Only a file can defer. */
    static const uint8_t none[1];
    char err[SNAP_ERRLEN];
    CHECK(snap_reader_open_mem(none, 0, &rd, err, sizeof err) != 0 || snap_reader_defer(rd, 5) == SNAP_EINVAL);
    snap_reader_close(rd);
}

static void teardown(void)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "snap_test: could not remove %s\n", tmp);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/mvm-snap-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    atexit(teardown);
    RUN(snap_cursor);
    RUN(snap_refused);
#if MVM_HAVE_XXHASH
    RUN(snap_round_trip);
    RUN(snap_replace);
    RUN(snap_bit_flips);
    RUN(snap_truncations);
    RUN(snap_spec);
    RUN(snap_oversized);
    RUN(snap_lazy);
#if MVM_HAVE_ZSTD
    RUN(snap_zstd_sizes);
#else
    printf("SKIP unit/snap_zstd: built without zstd (install libzstd-dev and rebuild)\n");
#endif
#else
    printf("SKIP unit/snap: built without xxhash, so without snapshots "
           "(install libxxhash-dev and rebuild)\n");
#endif
    return check_total_failed;
}
