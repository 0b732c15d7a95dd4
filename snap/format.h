/*
 * format.h — the snapshot container: a portable, versioned file made of
 * checksummed, optionally zstd-compressed sections. It knows nothing of
 * what the sections hold (snap/snap.c decides that); it only gets bytes to
 * disk and back intact, or says precisely why not. docs/snapshot-format.md
 * is the reference for the format.
 *
 * On disk (every integer little-endian, whatever the host):
 *
 *   +-------------------------------+  file header, 32 bytes
 *   | 0  magic    "MVMSNAP\0"    8  |
 *   | 8  version  u32 (1)           |
 *   | 12 flags    u32 (0)           |
 *   | 16 created  u64 realtime ns   |  informational
 *   | 24 check    u64 XXH3_64(0..23)|
 *   +-------------------------------+  section 1
 *   | 0  type       u32             |  caller's; 0 = END; bit 31 = optional
 *   | 4  method     u32             |  0 raw, 1 zstd
 *   | 8  raw_len    u64             |  <= SNAP_SECTION_MAX
 *   | 16 stored_len u64             |  raw: == raw_len; zstd: <= bound(raw_len)
 *   | 24 check      u64             |  XXH3_64, seeded with the previous
 *   |                               |  check, of bytes 0..23 + stored bytes
 *   | 32 stored bytes (stored_len)  |
 *   +-------------------------------+  section 2 ... section N
 *   | ...                           |
 *   +-------------------------------+  END: type 0, method 0, lengths 8
 *   | 32-byte header, u64 count = N |
 *   +-------------------------------+  end of file: nothing may follow
 *
 * Invariants:
 *   - the checks chain (a section's seed is the check before it, the file
 *     header's for section 1), so a section that was dropped, repeated,
 *     reordered or spliced in from another file fails its checksum;
 *   - a reader checks a section's lengths against the limits before it
 *     reads or allocates anything, and its checksum before it decompresses
 *     or returns a byte: a reader never allocates more than
 *     SNAP_SECTION_MAX plus its compression bound per section, never reads
 *     outside its input, and ends on every input;
 *   - a writer replaces its file atomically: until commit succeeds, the
 *     named file is untouched (the previous one, if any, stays whole).
 *
 * Without xxhash at build time (MVM_HAVE_XXHASH unset) snapshots are
 * unavailable: every open fails with SNAP_EUNSUPPORTED. Without zstd
 * (MVM_HAVE_ZSTD unset) sections are written raw and a compressed section
 * is SNAP_EUNSUPPORTED when read.
 */
#ifndef MVM_SNAP_FORMAT_H
#define MVM_SNAP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Errors: negative, each its own meaning; the CLI maps them to statuses. */
enum {
    SNAP_OK = 0,
    SNAP_EIO = -1,          /* cannot read, write or create the file (host errno in message) */
    SNAP_EFORMAT = -2,      /* not a snapshot (bad magic) or a foreign or malformed layout */
    SNAP_EVERSION = -3,     /* a newer format version than this monitor knows */
    SNAP_ECORRUPT = -4,     /* checksum mismatch, truncated, length out of bounds, bad compressed data */
    SNAP_EUNSUPPORTED = -5, /* compressed section but no zstd here; or no snapshots (no xxhash) */
    SNAP_ENOMEM = -6,
    SNAP_EINVAL = -7,       /* the caller's mistake: section type 0, payload over SNAP_SECTION_MAX */
};

#define SNAP_VERSION 1
#define SNAP_SECTION_MAX (64u << 20)    /* largest raw payload of one section; split bigger data */
#define SNAP_TYPE_END 0u                /* reserved for the END section */
#define SNAP_TYPE_OPTIONAL 0x80000000u  /* a type bit: a reader that does not know it may skip it */
#define SNAP_ERRLEN 512                 /* enough for any message here */

/*
 * A growable byte buffer for building a section payload, with
 * little-endian put helpers. Start from {0}. A failed allocation sticks in
 * oom (later puts do nothing); check it before writing the payload.
 */
struct snap_buf {
    uint8_t *data;
    size_t len, cap;
    bool oom;
};

void snap_put_u8(struct snap_buf *b, uint8_t v);
void snap_put_u16(struct snap_buf *b, uint16_t v);
void snap_put_u32(struct snap_buf *b, uint32_t v);
void snap_put_u64(struct snap_buf *b, uint64_t v);
void snap_put_bytes(struct snap_buf *b, const void *p, size_t n);
/* A string: u32 length, then its bytes without the NUL. */
void snap_put_str(struct snap_buf *b, const char *s);
/* Empties the buffer, keeping its memory; clears oom. */
void snap_buf_reset(struct snap_buf *b);
/* Frees the memory; the buffer is {0} again. */
void snap_buf_free(struct snap_buf *b);

/*
 * A bounded cursor over a payload. Reads never go past len: a short read
 * sets bad, which sticks, and every later read returns 0 (or NULL).
 */
struct snap_cur {
    const uint8_t *p;
    size_t len, off;
    bool bad;
};

uint8_t snap_get_u8(struct snap_cur *c);
uint16_t snap_get_u16(struct snap_cur *c);
uint32_t snap_get_u32(struct snap_cur *c);
uint64_t snap_get_u64(struct snap_cur *c);
/* n bytes: a pointer into the payload, or NULL (and bad) if fewer remain. */
const uint8_t *snap_get_bytes(struct snap_cur *c, size_t n);
/*
 * A string written by snap_put_str into dst (size bytes), NUL-terminated:
 * its length, or -1 with bad set (and dst "") when it does not fit in
 * size - 1 bytes, contains a NUL or is cut short.
 */
int snap_get_str(struct snap_cur *c, char *dst, size_t size);
/* True when every byte was consumed and no read went bad. */
bool snap_cur_end(const struct snap_cur *c);

struct snap_writer;

/*
 * Starts a snapshot to be named path: creates "<path>.tmp.XXXXXX" beside
 * it (owner read/write only) and writes the file header. On error returns
 * a negative SNAP_E* and a one-line message in err (errlen bytes, may be
 * 0); *out is NULL then.
 */
int snap_writer_open(const char *path, struct snap_writer **out, char *err, size_t errlen);

/*
 * Appends a section of the caller's type (not 0) holding len bytes (at
 * most SNAP_SECTION_MAX). It is compressed with zstd (level 3) when built
 * with it, len >= 256 and that makes it smaller; otherwise stored raw. An
 * error sticks: every later call returns it, and commit fails.
 */
int snap_write_section(struct snap_writer *w, uint32_t type, const void *payload, size_t len);
/* A section whose payload was built in b: SNAP_ENOMEM if building it ran
 * out of memory (b->oom), else as snap_write_section. */
int snap_write_buf(struct snap_writer *w, uint32_t type, const struct snap_buf *b);
/* The same over a connection the caller owns (migration): no temporary
 * file; commit writes END and flushes; the fd is never closed here. */
int snap_writer_open_stream(int fd, const char *name, struct snap_writer **out, char *err, size_t errlen);
/* Writes out what is buffered (a stream whose reader answers). */
int snap_writer_flush(struct snap_writer *w);
/* Stores every later section raw: for a reader built without zstd. */
void snap_writer_raw(struct snap_writer *w);

/*
 * Finishes the file: writes END (the count of sections before it),
 * flushes, syncs the file, renames it over path and syncs the directory.
 * On an error before the rename the temporary file is removed and path is
 * untouched. A failed directory sync is reported although the new file
 * is in place (it may not survive a host crash).
 */
int snap_writer_commit(struct snap_writer *w);

/* Removes the temporary file unless committed, and frees w (NULL is ok). */
void snap_writer_abort(struct snap_writer *w);

/* The one-line message of the writer's error, "" when there is none. */
const char *snap_writer_error(const struct snap_writer *w);

struct snap_reader;

/*
 * Opens path and checks its file header: the magic (else SNAP_EFORMAT),
 * the version (a newer one is SNAP_EVERSION, the message naming both),
 * the checksum (SNAP_ECORRUPT) and the flags (unknown bits: SNAP_EFORMAT).
 * Errors as for snap_writer_open.
 */
int snap_reader_open(const char *path, struct snap_reader **out, char *err, size_t errlen);

/*
 * The same over len bytes in memory (a fuzzer's input, a migration
 * stream), which must outlive the reader. Messages name it "snapshot".
 */
int snap_reader_open_mem(const void *data, size_t len, struct snap_reader **out,
                         char *err, size_t errlen);

/*
 * The next section: 1 with *type and *payload, a cursor over its decoded
 * bytes valid until the next call or close; 0 at a valid END (its count
 * matches, nothing follows it; again 0 on later calls); or a negative
 * SNAP_E* (again on later calls), message from snap_reader_error. A file
 * that ends without END is SNAP_ECORRUPT ("truncated"). Types the caller
 * does not know are its to judge: one with SNAP_TYPE_OPTIONAL set may be
 * skipped, any other is an error.
 */
int snap_reader_next(struct snap_reader *r, uint32_t *type, struct snap_cur *payload);

/* The one-line message of the reader's error, "" when there is none. */
const char *snap_reader_error(const struct snap_reader *r);

/* Closes the file and frees r (NULL is ok); with holders, the last does. */
void snap_reader_close(struct snap_reader *r);
/* One more holder of r (a lazy restore's pager): each closes it once. */
void snap_reader_hold(struct snap_reader *r);

/*
 * Deferred sections (a lazy restore): from now on snap_reader_next does
 * not read a section of this type from a file; it checks its header and
 * lengths, returns it with an empty payload and goes on past it (the
 * checks chain on its stored check). snap_reader_ref then says where it
 * is; snap_reader_load reads it when wanted, checks it (as
 * snap_reader_next would have) and decodes it: 1 with *payload (valid
 * until the next call), or SNAP_E* (which sticks). A file that changed
 * in between fails its check. SNAP_EINVAL for a reader of memory or a
 * stream. One caller at a time.
 */
struct snap_ref {
    uint64_t at, n;         /* offset and ordinal of the section */
    uint64_t seed;          /* the check before it */
    uint8_t hdr[32];        /* its header */
};
int snap_reader_defer(struct snap_reader *r, uint32_t type);
void snap_reader_ref(const struct snap_reader *r, struct snap_ref *out);
int snap_reader_load(struct snap_reader *r, const struct snap_ref *ref, struct snap_cur *payload);
/* A reader of a connection the caller owns: reads as a pipe, but END ends
 * the snapshot (the connection goes on: an answer may follow), and the fd
 * is never closed here. */
int snap_reader_open_stream(int fd, const char *name, struct snap_reader **out, char *err, size_t errlen);

/* Snapshots work in this build (it has xxhash); if not, opens say why. */
bool snap_available(void);
/* Sections are compressed, and compressed ones can be read (zstd). */
bool snap_compression(void);

#endif
