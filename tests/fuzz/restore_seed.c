/*
 * restore_seed.c — writes the seed corpus of fuzz_restore into the
 * directory given as its argument: the sections of small process-mode
 * VMs that restore (with the one grant fuzz_restore gives, a directory
 * at "/d"), built by hand with snap/format.h's put helpers after
 * docs/snapshot-format.md, "Sections of a process-mode VM", as records
 * (u32 type, u32 len, len bytes; the VM section left out):
 *   minimal   one mapped run with one page, no fds, one thread;
 *   files     the /d grant saved, cwd /d, the standard streams, "/" and
 *             "/d" open (dup'ed, close-on-exec), network grants none;
 *   pipes     a pipe with bytes queued (both ends), a signalfd, a Unix
 *             socket pair with bytes queued, an eventfd, a timerfd, a
 *             connected TCP socket (restored reset);
 *   threads   three threads (main exited), pending signals, a handler,
 *             armed timers, several runs (one shared), two PAGES sections;
 *   precopy   a live migration's: PRECOPY sections first (a page with
 *             bytes, sent twice, a zero page, a page no run maps), then
 *             no PAGES section;
 *   nested    files' VM, then TREE and the VMs its guest made: one with
 *             /d of the top at /in, its own sections as minimal's, and
 *             one of its own whose program has ended (CHILD alone).
 * Each is under fuzz_restore's max_len (16 KiB): at most three pages.
 * Built by tests/fuzz/run.sh --update-seeds; fuzz_restore with
 * FUZZ_RESTORE_VERBOSE set says whether each one restores.
 */
#include <stdio.h>
#include <string.h>

#include "mem/mem.h"
#include "snap/format.h"
#include "user/lx.h"
#include "user/save.h"

#define PID 1000
#define MONO 5000000000ull      /* the guest's clocks when "saved" */
#define CPU 200000000ull
#define TEXT 0x10000ull
#define STACK 0x3fff000000ull

enum { MINIMAL, FILES, PIPES, THREADS, PRECOPY, NESTED, CHILD_VM };

/* Appends section payload s as a record to out, and empties s. */
static void record(struct snap_buf *out, uint32_t type, struct snap_buf *s)
{
    snap_put_u32(out, type);
    snap_put_u32(out, (uint32_t)s->len);
    snap_put_bytes(out, s->data, s->len);
    if (s->oom)
        out->oom = true;
    snap_buf_reset(s);
}

static void put_info(struct snap_buf *b, uint32_t signo, uint8_t kind, uint64_t value)
{
    snap_put_u32(b, signo);
    snap_put_u32(b, kind == 1 ? (uint32_t)-2 : 0);   /* SI_TIMER, SI_USER */
    snap_put_u32(b, 0);
    snap_put_u8(b, kind);
    snap_put_u32(b, kind == 0 ? PID : 0);
    snap_put_u32(b, kind == 0 ? 1000 : 0);
    snap_put_u64(b, value);
    snap_put_u64(b, 0);
}

static void proc_section(struct snap_buf *b, int kind)
{
    snap_put_u32(b, PID);
    snap_put_u32(b, PID);
    snap_put_u32(b, PID);
    snap_put_u32(b, kind == THREADS ? PID + 5 : PID + 1);
    snap_put_u32(b, kind == THREADS ? 1 : 0);       /* the main thread exited */
    snap_put_u64(b, MONO);
    snap_put_u64(b, CPU);
    snap_put_u64(b, kind == THREADS ? 12345 : 0);
    snap_put_u64(b, 17);
    const uint64_t v[] = { TEXT + 0x2000, TEXT + 0x2100, TEXT + 0x3000, 0x3f00000000ull, TEXT,
                           TEXT + 0x40, 56, 2, 0 };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        snap_put_u64(b, v[i]);
    snap_put_u32(b, 2);
    snap_put_u64(b, TEXT);
    snap_put_u64(b, TEXT + 0x3000);
    snap_put_u64(b, STACK);
    snap_put_u64(b, STACK + 0x4000);
}

static void fs_section(struct snap_buf *b, int kind)
{
    snap_put_u32(b, 022);
    snap_put_u64(b, 1024);
    snap_put_u64(b, 4096);
    snap_put_str(b, kind == FILES ? "/d" : "/");
    if (kind == FILES) {
        snap_put_u32(b, 1);
        snap_put_str(b, "/d");
        snap_put_str(b, "/home/someone/work");
        snap_put_u8(b, 0);
    } else if (kind == CHILD_VM) {     /* the top's /d, as the top sees it */
        snap_put_u32(b, 1);
        snap_put_str(b, "/in");
        snap_put_str(b, "/d");
        snap_put_u8(b, 1);
    } else {
        snap_put_u32(b, 0);
    }
    snap_put_u32(b, 0);     /* network grants */
}

static void fd(struct snap_buf *b, uint32_t n, uint8_t cloexec, uint32_t file)
{
    snap_put_u32(b, n);
    snap_put_u8(b, cloexec);
    snap_put_u32(b, file);
}

static void files_section(struct snap_buf *b, int kind)
{
    if (kind == FILES) {
        snap_put_u32(b, 5);
        for (uint32_t i = 0; i < 3; i++) {
            snap_put_u8(b, 1);      /* stream */
            snap_put_u32(b, i);
        }
        snap_put_u8(b, 2);          /* path: the virtual root */
        snap_put_u32(b, LX_O_RDONLY | LX_O_DIRECTORY | LX_O_LARGEFILE);
        snap_put_u32(b, LX_S_IFDIR);
        snap_put_str(b, "/");
        snap_put_u64(b, 1);
        snap_put_u8(b, 2);          /* path: the grant */
        snap_put_u32(b, LX_O_RDONLY | LX_O_DIRECTORY | LX_O_CLOEXEC | LX_O_LARGEFILE);
        snap_put_u32(b, LX_S_IFDIR);
        snap_put_str(b, "/d");
        snap_put_u64(b, 0);
        snap_put_u32(b, 6);
        fd(b, 0, 0, 0);
        fd(b, 1, 0, 1);
        fd(b, 2, 0, 2);
        fd(b, 3, 0, 3);
        fd(b, 4, 1, 4);
        fd(b, 10, 1, 4);            /* a dup of 4 */
    } else if (kind == PIPES) {
        snap_put_u32(b, 9);
        snap_put_u8(b, 1);          /* stream 2 */
        snap_put_u32(b, 2);
        snap_put_u8(b, 3);          /* pipe 0, read end, 6 bytes queued */
        snap_put_u32(b, LX_O_RDONLY);
        snap_put_u32(b, 0);
        snap_put_u8(b, 1);
        snap_put_u32(b, 6);
        snap_put_bytes(b, "queued", 6);
        snap_put_u8(b, 3);          /* pipe 0, write end */
        snap_put_u32(b, LX_O_WRONLY | LX_O_NONBLOCK);
        snap_put_u32(b, 0);
        snap_put_u8(b, 0);
        snap_put_u32(b, 0);
        snap_put_u8(b, 4);          /* signalfd on SIGUSR1 and SIGCHLD */
        snap_put_u32(b, LX_O_NONBLOCK);
        snap_put_u64(b, 1u << 9 | 1u << 16);
        for (uint8_t end = 0; end < 2; end++) {
            snap_put_u8(b, 5);      /* a Unix stream pair: end 0 has 3 bytes to read */
            snap_put_u32(b, LX_O_RDWR);
            snap_put_u8(b, 1);
            snap_put_u32(b, 1);
            snap_put_u32(b, 1);
            snap_put_u32(b, 0);
            snap_put_u8(b, 3);      /* connected */
            snap_put_u32(b, 1);     /* pair 1 */
            snap_put_u8(b, end);
            snap_put_u32(b, end ? 0 : 3);
            snap_put_bytes(b, "abc", end ? 0 : 3);
        }
        snap_put_u8(b, 5);          /* an eventfd holding 7 */
        snap_put_u32(b, LX_O_RDWR);
        snap_put_u8(b, 3);
        snap_put_u32(b, 0);
        snap_put_u64(b, 7);
        snap_put_u8(b, 5);          /* a timerfd due in a second */
        snap_put_u32(b, LX_O_RDWR | LX_O_NONBLOCK);
        snap_put_u8(b, 4);
        snap_put_u32(b, 1);
        snap_put_u64(b, 0);
        snap_put_u64(b, 1000000000);
        snap_put_u8(b, 0);
        snap_put_u8(b, 5);          /* a connected TCP socket: back reset */
        snap_put_u32(b, LX_O_RDWR);
        snap_put_u8(b, 1);
        snap_put_u32(b, 2);
        snap_put_u32(b, 1);
        snap_put_u32(b, 6);
        snap_put_u8(b, 3);
        snap_put_u32(b, 9);
        fd(b, 2, 0, 0);
        fd(b, 3, 1, 1);
        fd(b, 4, 1, 2);
        fd(b, 5, 0, 3);
        for (uint32_t i = 4; i < 9; i++)
            fd(b, 2 + i, 0, i);
    } else {
        snap_put_u32(b, 0);
        snap_put_u32(b, 0);
    }
}

static void map_section(struct snap_buf *b, int kind)
{
    snap_put_u32(b, kind == THREADS ? 4 : 2);
    snap_put_u64(b, TEXT);                  /* text */
    snap_put_u64(b, 2);
    snap_put_u8(b, MEM_R | MEM_X);
    snap_put_u8(b, 0);
    snap_put_u64(b, TEXT + 0x2000);         /* heap */
    snap_put_u64(b, 1);
    snap_put_u8(b, MEM_R | MEM_W);
    snap_put_u8(b, 0);
    if (kind == THREADS) {
        snap_put_u64(b, 0x3ff0000000ull);   /* shared memory */
        snap_put_u64(b, 1);
        snap_put_u8(b, MEM_R | MEM_W);
        snap_put_u8(b, 1);
        snap_put_u64(b, STACK);             /* stack */
        snap_put_u64(b, 4);
        snap_put_u8(b, MEM_R | MEM_W);
        snap_put_u8(b, 0);
    }
}

static void page(struct snap_buf *b, uint64_t va, uint8_t fill)
{
    uint8_t d[MEM_PAGE_SIZE];
    memset(d, 0, sizeof d);
    /* li a0, 0; li a7, 93; ecall — and a byte of fill further on */
    static const uint8_t code[] = { 0x13, 0x05, 0x00, 0x00, 0x93, 0x08, 0xd0, 0x05, 0x73, 0x00, 0x00, 0x00 };
    memcpy(d, code, sizeof code);
    d[100] = fill;
    snap_put_u64(b, va);
    snap_put_bytes(b, d, sizeof d);
}

static void signals_section(struct snap_buf *b, int kind)
{
    for (int i = 0; i < 65; i++)
        for (int j = 0; j < 4; j++)
            snap_put_u64(b, kind == THREADS && i == 10 && j == 0 ? TEXT + 8 : 0);
    if (kind == THREADS) {
        snap_put_u64(b, 1u << 9);   /* SIGUSR1 pending for the process */
        put_info(b, 10, 0, 0);
        snap_put_u32(b, 2);
        snap_put_u32(b, 0);         /* ITIMER_REAL, armed, every 10 ms */
        snap_put_u8(b, 3);
        snap_put_u32(b, 1);
        snap_put_u64(b, MONO + 10000000);
        snap_put_u64(b, 10000000);
        snap_put_u32(b, 14);
        snap_put_u32(b, 0);
        snap_put_u32(b, 0);
        snap_put_u64(b, 0);
        snap_put_u32(b, 0);
        snap_put_u32(b, 3);         /* POSIX timer 0 on the CPU clock, to thread 1002 */
        snap_put_u8(b, 7);
        snap_put_u32(b, 2);
        snap_put_u64(b, CPU + 1000000);
        snap_put_u64(b, 0);
        snap_put_u32(b, 34);
        snap_put_u32(b, 4);
        snap_put_u32(b, PID + 2);
        snap_put_u64(b, 99);
        snap_put_u32(b, 0);
    } else {
        snap_put_u64(b, 0);
        snap_put_u32(b, 0);
    }
}

static void thread_section(struct snap_buf *b, uint32_t tid, uint64_t pc, uint64_t sp, bool pending)
{
    snap_put_u32(b, tid);
    snap_put_u64(b, pc);
    for (int i = 1; i < 32; i++)
        snap_put_u64(b, i == 2 ? sp : i == 10 ? tid : 0);
    for (int i = 0; i < 32; i++)
        snap_put_u64(b, i == 1 ? 0xffffffff3f800000ull : 0);   /* f1 = 1.0f, NaN-boxed */
    snap_put_u32(b, 1u << 5 | 1);   /* frm RTZ, NX */
    snap_put_u64(b, 1000 + tid);
    snap_put_u64(b, MONO / 2);
    snap_put_u64(b, 0);
    snap_put_u64(b, 0);
    snap_put_u64(b, 0);
    snap_put_u64(b, pending ? 1u << 1 : 0);   /* sigmask: SIGINT */
    if (pending) {
        snap_put_u64(b, 1ull << 11 | 1ull << 33);  /* SIGUSR2 and signal 34 */
        put_info(b, 12, 0, 0);
        put_info(b, 34, 1, 99);
    } else {
        snap_put_u64(b, 0);
    }
    snap_put_u64(b, 0);
    snap_put_u8(b, 0);
    snap_put_u64(b, 0);
    snap_put_u64(b, 0);
    snap_put_u32(b, 2);     /* SS_DISABLE */
}

/* A VM's own sections (a VM a guest made: kind CHILD_VM, else as MINIMAL). */
static void vm_records(struct snap_buf *out, struct snap_buf *s, int kind);

/* TREE, then a VM the top's guest made (slot 2) and one of that VM's
 * (slot 0) whose program has ended. */
static void tree_records(struct snap_buf *out, struct snap_buf *s)
{
    snap_put_u64(s, 777);
    record(out, SAVE_TREE, s);
    for (uint32_t i = 0; i < 2; i++) {
        snap_put_u32(s, i);                 /* creator */
        snap_put_u32(s, i == 0 ? 2 : 0);    /* slot */
        snap_put_u32(s, i);                 /* charged to */
        snap_put_u32(s, i == 0 ? 0 : 3);    /* lowered; trusted */
        snap_put_u8(s, i == 0 ? 0 : 1);     /* ended */
        snap_put_u64(s, i == 0 ? 8u << 20 : 0);
        snap_put_u32(s, 0);
        snap_put_u64(s, i == 0 ? 1000000 : 0);
        snap_put_u64(s, i == 0 ? 55 : 0);
        if (i == 1) {
            const uint32_t end[3] = { 7, 0, 0 };    /* exit 7 */
            for (int k = 0; k < 3; k++)
                snap_put_u32(s, end[k]);
            const uint64_t at[5] = { 0, 0, 0, TEXT + 0x20, 55 };
            for (int k = 0; k < 5; k++)
                snap_put_u64(s, at[k]);
        }
        record(out, SAVE_CHILD, s);
        if (i == 0)
            vm_records(out, s, CHILD_VM);
    }
}

static int seed(const char *dir, const char *name, int kind)
{
    struct snap_buf out = { 0 }, s = { 0 };
    vm_records(&out, &s, kind == NESTED ? FILES : kind);
    if (kind == NESTED)
        tree_records(&out, &s);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = out.oom ? NULL : fopen(path, "wb");
    int bad = !f || fwrite(out.data, 1, out.len, f) != out.len;
    if (f && fclose(f) != 0)
        bad = 1;
    if (bad)
        fprintf(stderr, "restore_seed: cannot write %s\n", path);
    snap_buf_free(&out);
    snap_buf_free(&s);
    return bad;
}

static void vm_records(struct snap_buf *out, struct snap_buf *s, int kind)
{
    if (kind == PRECOPY) {
        snap_put_u32(s, 3);
        page(s, TEXT, 0);
        snap_put_u64(s, TEXT + 0x2000 + 1);   /* bit 0: reads as zero */
        page(s, 0x7000000ull, 4);
        record(out, SAVE_PRECOPY, s);
        snap_put_u32(s, 1);
        page(s, TEXT, 5);                     /* the same page again, changed */
        record(out, SAVE_PRECOPY, s);
    }
    proc_section(s, kind);
    record(out, SAVE_PROC, s);
    fs_section(s, kind);
    record(out, SAVE_FS, s);
    files_section(s, kind);
    record(out, SAVE_FILES, s);
    map_section(s, kind);
    record(out, SAVE_MAP, s);
    if (kind != PRECOPY) {
        snap_put_u32(s, 1);
        page(s, TEXT, 1);
        record(out, SAVE_PAGES, s);
    }
    if (kind == THREADS) {
        snap_put_u32(s, 1);
        page(s, 0x3ff0000000ull, 2);
        record(out, SAVE_PAGES, s);
    }
    signals_section(s, kind);
    record(out, SAVE_SIGNALS, s);
    thread_section(s, PID, TEXT, STACK + 0x4000, false);
    record(out, SAVE_THREAD, s);
    if (kind == THREADS) {
        thread_section(s, PID + 2, TEXT + 4, STACK + 0x3000, true);
        record(out, SAVE_THREAD, s);
        thread_section(s, PID + 4, TEXT + 8, STACK + 0x2000, false);
        record(out, SAVE_THREAD, s);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: restore_seed DIR\n");
        return 2;
    }
    return seed(argv[1], "minimal", MINIMAL) | seed(argv[1], "files", FILES) | seed(argv[1], "pipes", PIPES) |
           seed(argv[1], "threads", THREADS) | seed(argv[1], "precopy", PRECOPY) | seed(argv[1], "nested", NESTED);
}
