/*
 * format.c — the snapshot container: payload buffers and cursors, the
 * writer (temporary file, sections, atomic commit) and the reader (file or
 * memory, every length bounded before use). Layout and invariants are in
 * snap/format.h; docs/snapshot-format.md is the reference.
 *
 * The code builds without xxhash and zstd too: then snap_available() is
 * false and the open functions refuse before anything else runs, or
 * sections are stored raw and compressed ones refused.
 */
#include "snap/format.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/file.h"
#include "host/host.h"

#ifndef MVM_HAVE_XXHASH
#define MVM_HAVE_XXHASH 0
#endif
#if MVM_HAVE_XXHASH
#define XXH_INLINE_ALL
#include <xxhash.h>
#endif
#if MVM_HAVE_XXHASH && MVM_HAVE_ZSTD
#define SNAP_ZSTD 1
#include <zstd.h>
#else
#define SNAP_ZSTD 0
#endif

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

#define HDR_LEN      32         /* file header and section header alike */
#define CHECKED_LEN  24         /* header bytes a check covers */
#define METHOD_RAW   0
#define METHOD_ZSTD  1
#define ZSTD_LEVEL   3
#define ZSTD_MIN     256        /* smaller payloads are always stored raw */
#define OUT_CAP      (64u << 10)
#define R_SHORT      1          /* r_read: the input ended first */

static const char magic[8] = "MVMSNAP";     /* with its NUL: 8 bytes */
static const uint8_t empty[1];              /* what a cursor over nothing points at */

/* The largest stored_len of a section of raw bytes: zstd's compress bound
 * (ZSTD_COMPRESSBOUND's formula, spelled out so it holds without zstd). */
static uint64_t stored_max(uint64_t raw)
{
    uint64_t small = 128u << 10;
    return raw + (raw >> 8) + (raw < small ? (small - raw) >> 11 : 0);
}

/* The check of a header's first 24 bytes then n stored bytes, chained on seed. */
static uint64_t check(uint64_t seed, const uint8_t *hdr, const void *p, size_t n)
{
#if MVM_HAVE_XXHASH
    XXH3_state_t st;
    memset(&st, 0, sizeof st);  /* xxhash 0.8.1's reset reads fields before it sets them */
    XXH3_64bits_reset_withSeed(&st, seed);
    XXH3_64bits_update(&st, hdr, CHECKED_LEN);
    if (n)
        XXH3_64bits_update(&st, p, n);
    return XXH3_64bits_digest(&st);
#else
    return 0;
#endif
}

static void vmsg(char *dst, size_t len, const char *name, const char *fmt, va_list ap)
{
    if (!dst || !len)
        return;
    int n = snprintf(dst, len, "%s: ", name);
    if (n >= 0 && (size_t)n < len)
        vsnprintf(dst + n, len - (size_t)n, fmt, ap);
}

/* A message "name: ..." into dst (len bytes, may be 0); returns code. */
static PRINTF_LIKE(5, 6) int msg(char *dst, size_t len, int code, const char *name,
                                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(dst, len, name, fmt, ap);
    va_end(ap);
    return code;
}

static int unavailable(const char *name, char *err, size_t errlen)
{
    return msg(err, errlen, SNAP_EUNSUPPORTED, name, "snapshots are unavailable: this monitor "
               "was built without xxhash (install libxxhash-dev and rebuild)");
}

static bool reserve(uint8_t **buf, size_t *cap, size_t n)
{
    if (n <= *cap)
        return true;
    uint8_t *p = realloc(*buf, n);
    if (!p)
        return false;
    *buf = p;
    *cap = n;
    return true;
}

/* ---- payload buffers ---- */

void snap_put_bytes(struct snap_buf *b, const void *p, size_t n)
{
    if (b->oom || n == 0)
        return;
    if (n > b->cap - b->len) {
        if (n > SIZE_MAX / 4 || b->len > SIZE_MAX / 4 - n) {
            b->oom = true;
            return;
        }
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < n)
            cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
            b->oom = true;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void snap_put_u8(struct snap_buf *b, uint8_t v) { snap_put_bytes(b, &v, 1); }
void snap_put_u16(struct snap_buf *b, uint16_t v) { uint8_t t[2]; st16(t, v); snap_put_bytes(b, t, 2); }
void snap_put_u32(struct snap_buf *b, uint32_t v) { uint8_t t[4]; st32(t, v); snap_put_bytes(b, t, 4); }
void snap_put_u64(struct snap_buf *b, uint64_t v) { uint8_t t[8]; st64(t, v); snap_put_bytes(b, t, 8); }

void snap_put_str(struct snap_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (n > UINT32_MAX) {
        b->oom = true;
        return;
    }
    snap_put_u32(b, (uint32_t)n);
    snap_put_bytes(b, s, n);
}

void snap_buf_reset(struct snap_buf *b)
{
    b->len = 0;
    b->oom = false;
}

void snap_buf_free(struct snap_buf *b)
{
    free(b->data);
    *b = (struct snap_buf){ 0 };
}

/* ---- payload cursors ---- */

static const uint8_t *take(struct snap_cur *c, size_t n)
{
    if (c->bad || c->off > c->len || n > c->len - c->off || (!c->p && n)) {
        c->bad = true;
        return NULL;
    }
    const uint8_t *p = c->p ? c->p + c->off : empty;
    c->off += n;
    return p;
}

uint8_t snap_get_u8(struct snap_cur *c) { const uint8_t *p = take(c, 1); return p ? ld8(p) : 0; }
uint16_t snap_get_u16(struct snap_cur *c) { const uint8_t *p = take(c, 2); return p ? ld16(p) : 0; }
uint32_t snap_get_u32(struct snap_cur *c) { const uint8_t *p = take(c, 4); return p ? ld32(p) : 0; }
uint64_t snap_get_u64(struct snap_cur *c) { const uint8_t *p = take(c, 8); return p ? ld64(p) : 0; }
const uint8_t *snap_get_bytes(struct snap_cur *c, size_t n) { return take(c, n); }

int snap_get_str(struct snap_cur *c, char *dst, size_t size)
{
    uint32_t n = snap_get_u32(c);
    const uint8_t *p = take(c, n);
    if (size)
        dst[0] = 0;
    if (!p || n >= size || n > INT32_MAX || memchr(p, 0, n)) {
        c->bad = true;
        return -1;
    }
    memcpy(dst, p, n);
    dst[n] = 0;
    return (int)n;
}

bool snap_cur_end(const struct snap_cur *c)
{
    return !c->bad && c->off == c->len;
}

/* ---- writer ---- */

struct snap_writer {
    int fd;                 /* the temporary file, -1 once closed */
    int err;                /* the first error, which sticks */
    bool temp;              /* the temporary file exists (not renamed or removed) */
    bool committed;
    bool raw;               /* compression off (snap_writer_raw) */
    bool stream;            /* to a connection of the caller's: no file, no rename */
    uint64_t count;         /* sections written */
    uint64_t chain;         /* the last check written */
    char *path, *tmp;
    uint8_t *zbuf;          /* compressed payload */
    size_t zcap, out_len;
#if SNAP_ZSTD
    ZSTD_CCtx *cctx;
#endif
    char msg[SNAP_ERRLEN];
    uint8_t out[OUT_CAP];   /* small writes gather here */
};

static PRINTF_LIKE(3, 4) int wfail(struct snap_writer *w, int code, const char *fmt, ...)
{
    if (w->err)
        return w->err;
    va_list ap;
    va_start(ap, fmt);
    vmsg(w->msg, sizeof w->msg, w->path, fmt, ap);
    va_end(ap);
    return w->err = code;
}

static int w_io(struct snap_writer *w, int r, const char *what)
{
    const char *where = w->stream ? "to the connection" : w->tmp;
    return r < 0 ? wfail(w, SNAP_EIO, "cannot %s %s: %s", what, where, host_file_strerror(r)) : 0;
}

static int w_flush(struct snap_writer *w)
{
    int r = host_file_write_all(w->fd, w->out, w->out_len);
    w->out_len = 0;
    return w_io(w, r, "write");
}

static int w_emit(struct snap_writer *w, const void *p, size_t n)
{
    if (n > OUT_CAP - w->out_len) {
        int r = w_flush(w);
        if (r < 0)
            return r;
        if (n >= OUT_CAP)
            return w_io(w, host_file_write_all(w->fd, p, n), "write");
    }
    memcpy(w->out + w->out_len, p, n);
    w->out_len += n;
    return 0;
}

/* Compresses p into w->zbuf if that makes it smaller: its length, else 0. */
static size_t w_compress(struct snap_writer *w, const void *p, size_t n)
{
#if SNAP_ZSTD
    if (w->raw || n < ZSTD_MIN || !reserve(&w->zbuf, &w->zcap, n))
        return 0;
    if (!w->cctx && !(w->cctx = ZSTD_createCCtx()))
        return 0;
    size_t z = ZSTD_compressCCtx(w->cctx, w->zbuf, n, p, n, ZSTD_LEVEL);
    return !ZSTD_isError(z) && z < n ? z : 0;
#else
    return 0;
#endif
}

static int w_section(struct snap_writer *w, uint32_t type, const void *p, size_t n)
{
    size_t z = w_compress(w, p, n);
    const void *stored = z ? w->zbuf : p;
    size_t len = z ? z : n;
    uint8_t h[HDR_LEN];
    st32(h, type);
    st32(h + 4, z ? METHOD_ZSTD : METHOD_RAW);
    st64(h + 8, n);
    st64(h + 16, len);
    w->chain = check(w->chain, h, stored, len);
    st64(h + 24, w->chain);
    int r = w_emit(w, h, HDR_LEN);
    if (r == 0 && len)
        r = w_emit(w, stored, len);
    if (r == 0)
        w->count++;
    return r;
}

static int w_header(struct snap_writer *w)
{
    uint8_t h[HDR_LEN];
    memcpy(h, magic, 8);
    st32(h + 8, SNAP_VERSION);
    st32(h + 12, 0);
    st64(h + 16, host_time_realtime_ns());
    w->chain = check(0, h, NULL, 0);
    st64(h + 24, w->chain);
    return w_emit(w, h, HDR_LEN);
}

int snap_writer_open(const char *path, struct snap_writer **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!snap_available())
        return unavailable(path, err, errlen);
    struct snap_writer *w = calloc(1, sizeof *w);
    size_t tmplen = strlen(path) + 16;
    if (w) {
        w->fd = -1;
        w->path = strdup(path);
        w->tmp = malloc(tmplen);
    }
    if (!w || !w->path || !w->tmp) {
        snap_writer_abort(w);
        return msg(err, errlen, SNAP_ENOMEM, path, "out of memory");
    }
    w->fd = host_file_create_temp(path, w->tmp, tmplen);
    w->temp = w->fd >= 0;
    int r = w->fd < 0 ? wfail(w, SNAP_EIO, "cannot create a temporary file beside it: %s",
                              host_file_strerror(w->fd))
                      : w_header(w);
    if (r < 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s", w->msg);
        snap_writer_abort(w);
        return r;
    }
    *out = w;
    return SNAP_OK;
}

int snap_writer_open_stream(int fd, const char *name, struct snap_writer **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!snap_available())
        return unavailable(name, err, errlen);
    struct snap_writer *w = calloc(1, sizeof *w);
    if (w && !(w->path = strdup(name))) {
        free(w);
        w = NULL;
    }
    if (!w)
        return msg(err, errlen, SNAP_ENOMEM, name, "out of memory");
    w->fd = fd;
    w->stream = true;
    int r = w_header(w);
    if (r < 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s", w->msg);
        snap_writer_abort(w);
        return r;
    }
    *out = w;
    return SNAP_OK;
}

int snap_write_section(struct snap_writer *w, uint32_t type, const void *payload, size_t len)
{
    if (w->err)
        return w->err;
    if (w->committed)
        return wfail(w, SNAP_EINVAL, "section written after commit");
    if (type == SNAP_TYPE_END)
        return wfail(w, SNAP_EINVAL, "section type 0 is reserved for the end section");
    if (len > SNAP_SECTION_MAX)
        return wfail(w, SNAP_EINVAL, "a section of %zu bytes is over the limit of %u",
                     len, SNAP_SECTION_MAX);
    if (!payload && len)
        return wfail(w, SNAP_EINVAL, "a section of %zu bytes has no data", len);
    return w_section(w, type, payload, len);
}

/* After END: flush, sync, close, rename over path, sync the directory. */
static int w_finish(struct snap_writer *w)
{
    int r = w_flush(w);
    if (r == 0)
        r = w_io(w, host_file_sync(w->fd), "sync");
    int c = host_file_close(w->fd);
    w->fd = -1;
    if (r == 0)
        r = w_io(w, c, "close");
    if (r == 0) {
        c = host_file_rename(w->tmp, w->path);
        if (c < 0)
            return wfail(w, SNAP_EIO, "cannot rename %s over it: %s", w->tmp, host_file_strerror(c));
        w->temp = false;
        w->committed = true;
        c = host_dir_sync(w->path);
        if (c < 0)
            r = wfail(w, SNAP_EIO, "written, but its directory cannot be synced: %s",
                      host_file_strerror(c));
    }
    return r;
}

int snap_write_buf(struct snap_writer *w, uint32_t type, const struct snap_buf *b)
{
    return b->oom ? SNAP_ENOMEM : snap_write_section(w, type, b->data, b->len);
}

int snap_writer_commit(struct snap_writer *w)
{
    if (w->err)
        return w->err;
    if (w->committed)
        return wfail(w, SNAP_EINVAL, "committed twice");
    uint8_t count[8];
    st64(count, w->count);
    int r = w_section(w, SNAP_TYPE_END, count, sizeof count);
    if (r == 0 && w->stream) {
        r = w_flush(w);
        w->committed = r == 0;
    } else if (r == 0) {
        r = w_finish(w);
    }
    if (r < 0 && w->temp) {
        host_file_close(w->fd);
        w->fd = -1;
        host_file_unlink(w->tmp);
        w->temp = false;
    }
    return r;
}

void snap_writer_abort(struct snap_writer *w)
{
    if (!w)
        return;
    if (!w->stream)
        host_file_close(w->fd);
    if (w->temp)
        host_file_unlink(w->tmp);
#if SNAP_ZSTD
    ZSTD_freeCCtx(w->cctx);
#endif
    free(w->zbuf);
    free(w->tmp);
    free(w->path);
    free(w);
}

const char *snap_writer_error(const struct snap_writer *w) { return w->msg; }

/* ---- reader ---- */

struct snap_reader {
    const uint8_t *mem;     /* the input in memory, or NULL when fd is */
    int fd;                 /* the input file, or -1 */
    uint64_t pos;           /* input bytes consumed */
    uint64_t size;          /* input length, UINT64_MAX while unknown (a pipe) */
    uint64_t index;         /* sections read, END excluded */
    uint64_t chain;         /* the last check verified */
    int state;              /* 0 reading, 1 at END, < 0 the error, which sticks */
    bool stream;            /* a connection of the caller's: END ends it, fd stays open */
    uint32_t defer;         /* sections of this type are not read (snap_reader_defer) */
    _Atomic int holders;    /* snap_reader_hold: the last close frees */
    struct snap_ref last;   /* where the last deferred section is */
    uint8_t *in, *out;      /* file input, decompressed payload */
    size_t in_cap, out_cap;
    uint8_t *lin, *lout;    /* the same for snap_reader_load: a section loaded
                               never moves one snap_reader_next returned */
    size_t lin_cap, lout_cap;
#if SNAP_ZSTD
    ZSTD_DCtx *dctx;
#endif
    char *name;
    char msg[SNAP_ERRLEN];
};

static PRINTF_LIKE(3, 4) int rfail(struct snap_reader *r, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(r->msg, sizeof r->msg, r->name, fmt, ap);
    va_end(ap);
    return r->state = code;
}

/*
 * The next n bytes of input at *p, *got of them there: 0 when all n were,
 * R_SHORT when the input ended first, or an error. From a file they are in
 * r->in, valid until the next read; from memory they point into it.
 */
static int r_read(struct snap_reader *r, uint64_t n, const uint8_t **p, size_t *got)
{
    uint64_t left = r->size - r->pos;
    *got = (size_t)(n < left ? n : left);
    if (r->mem) {
        *p = r->mem + r->pos;
    } else {
        if (!reserve(&r->in, &r->in_cap, *got ? *got : 1))
            return rfail(r, SNAP_ENOMEM, "out of memory");
        /* A file of known size is read at offsets: deferred sections are skipped. */
        int64_t k = r->size != UINT64_MAX ? host_file_pread_full(r->fd, r->in, *got, r->pos)
                                          : host_file_read_full(r->fd, r->in, *got);
        if (k < 0)
            return rfail(r, SNAP_EIO, "cannot read: %s", host_file_strerror((int)k));
        *got = (size_t)k;
        *p = r->in;
    }
    r->pos += *got;
    return *got < n ? R_SHORT : 0;
}

static int r_header(struct snap_reader *r)
{
    const uint8_t *h;
    size_t got;
    int s = r_read(r, HDR_LEN, &h, &got);
    if (s < 0)
        return s;
    if (got == 0 || memcmp(h, magic, got < 8 ? got : 8) != 0)
        return rfail(r, SNAP_EFORMAT, "not a Matryoshka snapshot");
    if (s == R_SHORT)
        return rfail(r, SNAP_ECORRUPT, "truncated (in the file header)");
    uint32_t version = ld32(h + 8), flags = ld32(h + 12);
    if (version > SNAP_VERSION)
        return rfail(r, SNAP_EVERSION, "format version %u is newer than this monitor's (%u)",
                     (unsigned)version, SNAP_VERSION);
    if (check(0, h, NULL, 0) != ld64(h + 24))
        return rfail(r, SNAP_ECORRUPT, "file header is corrupt (checksum mismatch)");
    if (version == 0)
        return rfail(r, SNAP_EFORMAT, "format version 0 does not exist");
    if (flags != 0)
        return rfail(r, SNAP_EFORMAT, "unknown flags 0x%x in the file header", (unsigned)flags);
    r->chain = ld64(h + 24);
    return 0;
}

static int r_open(struct snap_reader *r, struct snap_reader **out, char *err, size_t errlen)
{
    int e = r->state;
    if (e == 0)
        e = r_header(r);
    if (e == 0) {
        *out = r;
        return SNAP_OK;
    }
    if (err && errlen)
        snprintf(err, errlen, "%s", r->msg);
    snap_reader_close(r);
    return e;
}

static struct snap_reader *r_new(const char *name)
{
    struct snap_reader *r = calloc(1, sizeof *r);
    if (r && !(r->name = strdup(name))) {
        free(r);
        return NULL;
    }
    if (r) {
        r->fd = -1;
        r->holders = 1;
    }
    return r;
}

int snap_reader_open(const char *path, struct snap_reader **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!snap_available())
        return unavailable(path, err, errlen);
    struct snap_reader *r = r_new(path);
    if (!r)
        return msg(err, errlen, SNAP_ENOMEM, path, "out of memory");
    r->fd = host_file_open_read(path);
    if (r->fd < 0)
        rfail(r, SNAP_EIO, "cannot open: %s", host_file_strerror(r->fd));
    else if (host_file_size(r->fd, &r->size) < 0)
        r->size = UINT64_MAX;           /* a pipe: read until it ends */
    return r_open(r, out, err, errlen);
}

int snap_reader_open_stream(int fd, const char *name, struct snap_reader **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!snap_available())
        return unavailable(name, err, errlen);
    struct snap_reader *r = r_new(name);
    if (!r)
        return msg(err, errlen, SNAP_ENOMEM, name, "out of memory");
    r->fd = fd;
    r->stream = true;
    r->size = UINT64_MAX;
    return r_open(r, out, err, errlen);
}

int snap_reader_open_mem(const void *data, size_t len, struct snap_reader **out,
                         char *err, size_t errlen)
{
    *out = NULL;
    if (!snap_available())
        return unavailable("snapshot", err, errlen);
    struct snap_reader *r = r_new("snapshot");
    if (!r)
        return msg(err, errlen, SNAP_ENOMEM, "snapshot", "out of memory");
    r->mem = data ? data : empty;
    r->size = data ? len : 0;
    return r_open(r, out, err, errlen);
}

/* END: well formed, counting the sections before it, the last thing in the input. */
static int r_end(struct snap_reader *r, uint32_t method, uint64_t raw, const uint8_t *p,
                 unsigned long long n, unsigned long long at)
{
    if (method != METHOD_RAW || raw != 8)
        return rfail(r, SNAP_EFORMAT, "end section %llu at offset %llu is malformed", n, at);
    if (ld64(p) != r->index)
        return rfail(r, SNAP_ECORRUPT, "end section counts %llu sections, but %llu came before it",
                     (unsigned long long)ld64(p), (unsigned long long)r->index);
    const uint8_t *q;
    size_t got = 0;
    int s = r->stream ? 0 : r_read(r, 1, &q, &got);   /* a connection goes on */
    if (s < 0)
        return s;
    if (got)
        return rfail(r, SNAP_ECORRUPT, "data after the end section (offset %llu)",
                     (unsigned long long)(r->pos - 1));
    r->state = 1;
    return 0;
}

/* The payload of a verified section as a cursor, decompressed if need be. */
static int r_decode(struct snap_reader *r, uint8_t **out, size_t *out_cap, uint32_t method, uint64_t raw,
                    const uint8_t *p, uint64_t stored, struct snap_cur *c, unsigned long long n,
                    unsigned long long at)
{
    if (method == METHOD_RAW) {
        *c = (struct snap_cur){ .p = p, .len = (size_t)raw };
        return 1;
    }
#if SNAP_ZSTD
    if (!reserve(out, out_cap, raw ? (size_t)raw : 1))
        return rfail(r, SNAP_ENOMEM, "out of memory");
    if (!r->dctx && !(r->dctx = ZSTD_createDCtx()))
        return rfail(r, SNAP_ENOMEM, "out of memory");
    size_t d = ZSTD_decompressDCtx(r->dctx, *out, (size_t)raw, p, (size_t)stored);
    if (ZSTD_isError(d) || d != raw)
        return rfail(r, SNAP_ECORRUPT, "section %llu at offset %llu is corrupt (bad compressed data)",
                     n, at);
    *c = (struct snap_cur){ .p = *out, .len = (size_t)raw };
    return 1;
#else
    return rfail(r, SNAP_EUNSUPPORTED, "section %llu at offset %llu is compressed, and this monitor "
                 "was built without zstd (install libzstd-dev and rebuild)", n, at);
#endif
}

int snap_reader_next(struct snap_reader *r, uint32_t *type, struct snap_cur *payload)
{
    if (r->state)
        return r->state < 0 ? r->state : 0;
    unsigned long long n = r->index + 1, at = r->pos;
    const uint8_t *p;
    size_t got;
    uint8_t h[HDR_LEN];
    int s = r_read(r, HDR_LEN, &p, &got);
    if (s == R_SHORT)
        return got ? rfail(r, SNAP_ECORRUPT, "truncated (in section %llu at offset %llu)", n, at)
                   : rfail(r, SNAP_ECORRUPT, "truncated (no end section)");
    if (s < 0)
        return s;
    memcpy(h, p, HDR_LEN);
    uint32_t t = ld32(h), method = ld32(h + 4);
    uint64_t raw = ld64(h + 8), stored = ld64(h + 16);
    if (raw > SNAP_SECTION_MAX || stored > stored_max(raw))
        return rfail(r, SNAP_ECORRUPT, "section %llu at offset %llu is corrupt (length out of bounds)",
                     n, at);
    if (t == r->defer && t != SNAP_TYPE_END) {
        /* Not read now: its check is verified when snap_reader_load reads it. */
        if (stored > r->size - r->pos)
            return rfail(r, SNAP_ECORRUPT, "truncated (in section %llu at offset %llu)", n, at);
        if (method > METHOD_ZSTD || (method == METHOD_RAW && stored != raw))
            return rfail(r, SNAP_EFORMAT, "section %llu at offset %llu is malformed (method %u)",
                         n, at, (unsigned)method);
        r->last = (struct snap_ref){ .at = at, .n = n, .seed = r->chain };
        memcpy(r->last.hdr, h, HDR_LEN);
        r->pos += stored;
        r->chain = ld64(h + 24);
        r->index++;
        *type = t;
        *payload = (struct snap_cur){ .p = empty };
        return 1;
    }
    s = r_read(r, stored, &p, &got);
    if (s == R_SHORT)
        return rfail(r, SNAP_ECORRUPT, "truncated (in section %llu at offset %llu)", n, at);
    if (s < 0)
        return s;
    if (check(r->chain, h, p, (size_t)stored) != ld64(h + 24))
        return rfail(r, SNAP_ECORRUPT, "section %llu at offset %llu is corrupt (checksum mismatch)",
                     n, at);
    r->chain = ld64(h + 24);
    if (method > METHOD_ZSTD || (method == METHOD_RAW && stored != raw))
        return rfail(r, SNAP_EFORMAT, "section %llu at offset %llu is malformed (method %u)",
                     n, at, (unsigned)method);
    if (t == SNAP_TYPE_END)
        return r_end(r, method, raw, p, n, at);
    r->index++;
    *type = t;
    return r_decode(r, &r->out, &r->out_cap, method, raw, p, stored, payload, n, at);
}

const char *snap_reader_error(const struct snap_reader *r) { return r->msg; }

int snap_reader_defer(struct snap_reader *r, uint32_t type)
{
    if (r->mem || r->stream || r->size == UINT64_MAX || type == SNAP_TYPE_END)
        return SNAP_EINVAL;     /* only a file can be read again later */
    r->defer = type;
    return SNAP_OK;
}

void snap_reader_ref(const struct snap_reader *r, struct snap_ref *out) { *out = r->last; }

int snap_reader_load(struct snap_reader *r, const struct snap_ref *ref, struct snap_cur *payload)
{
    if (r->state < 0)
        return r->state;
    const uint8_t *h = ref->hdr;
    uint32_t method = ld32(h + 4);
    uint64_t raw = ld64(h + 8), stored = ld64(h + 16);
    unsigned long long n = ref->n, at = ref->at;
    if (!reserve(&r->lin, &r->lin_cap, stored ? (size_t)stored : 1))
        return rfail(r, SNAP_ENOMEM, "out of memory");
    int64_t k = host_file_pread_full(r->fd, r->lin, (size_t)stored, ref->at + HDR_LEN);
    if (k < 0)
        return rfail(r, SNAP_EIO, "cannot read: %s", host_file_strerror((int)k));
    if ((uint64_t)k < stored)
        return rfail(r, SNAP_ECORRUPT, "truncated (in section %llu at offset %llu)", n, at);
    if (check(ref->seed, h, r->lin, (size_t)stored) != ld64(h + 24))
        return rfail(r, SNAP_ECORRUPT, "section %llu at offset %llu is corrupt (checksum mismatch)",
                     n, at);
    return r_decode(r, &r->lout, &r->lout_cap, method, raw, r->lin, stored, payload, n, at);
}

void snap_reader_hold(struct snap_reader *r) { atomic_fetch_add(&r->holders, 1); }

void snap_reader_close(struct snap_reader *r)
{
    if (!r || atomic_fetch_sub(&r->holders, 1) > 1)
        return;
    if (!r->stream)
        host_file_close(r->fd);
#if SNAP_ZSTD
    ZSTD_freeDCtx(r->dctx);
#endif
    free(r->in);
    free(r->out);
    free(r->lin);
    free(r->lout);
    free(r->name);
    free(r);
}

bool snap_available(void) { return MVM_HAVE_XXHASH; }
bool snap_compression(void) { return SNAP_ZSTD; }

void snap_writer_raw(struct snap_writer *w) { w->raw = true; }

int snap_writer_flush(struct snap_writer *w)
{
    return w->err ? w->err : w_flush(w);
}
