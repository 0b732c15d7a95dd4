/*
 * hostile.c — a guest that attacks the hypercall interface and checks
 * that every attempt gets the error the interface specifies
 * (docs/hypercalls.md), while a VM of its own keeps working.
 * Prints "ok NAME" / "FAIL NAME: got X" and exits 1 on any failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "hc.h"   /* tests/hc.h: the raw hypercall */

static int failed;

static void expect(const char *name, long got, long want)
{
    if (got == want)
        printf("ok %s\n", name);
    else {
        printf("FAIL %s: got %ld, want %ld\n", name, got, want);
        failed = 1;
    }
}

#define EBADF 9
#define ENOMEM 12
#define EFAULT 14
#define EINVAL 22
#define EMFILE 24
#define ENOENT 2
#define ENAMETOOLONG 36

int main(int argc, char **argv)
{
    const char *self = argc > 0 ? argv[0] : "";
    static uint8_t cfg[MVM_HC_CONFIG_SIZE];   /* zero: defaults */
    uint8_t exit_rec[MVM_HC_EXIT_SIZE];

    expect("probe", hc(MVM_HC_PROBE, 0, 0, 0, 0, 0, 0), MVM_HC_MAGIC);
    expect("unknown-hypercall", hc(MVM_HC_COUNT + 5, 0, 0, 0, 0, 0, 0), -38);

    /* Handles we were never given: none, a made-up one, out of range. */
    expect("run-handle-0", hc(MVM_HC_VM_RUN, 0, (long)exit_rec, 0, 0, 0, 0), -EBADF);
    expect("run-handle-7", hc(MVM_HC_VM_RUN, 7, (long)exit_rec, 0, 0, 0, 0), -EBADF);
    expect("run-handle-huge", hc(MVM_HC_VM_RUN, 1L << 40, (long)exit_rec, 0, 0, 0, 0), -EBADF);
    expect("destroy-negative", hc(MVM_HC_VM_DESTROY, -1, 0, 0, 0, 0, 0), -EBADF);

    /* Pointers outside our own memory. */
    expect("create-bad-config", hc(MVM_HC_VM_CREATE, 0x10, 0, 0, 0, 0, 0), -EFAULT);
    expect("create-kernel-config", hc(MVM_HC_VM_CREATE, -4096, 0, 0, 0, 0, 0), -EFAULT);
    expect("create-bad-flags", hc(MVM_HC_VM_CREATE, (long)cfg, 0x100, 0, 0, 0, 0), -EINVAL);
    static uint8_t trace_cfg[MVM_HC_CONFIG_SIZE] = { [16] = 1 };   /* MVM_TRACE_SYSCALLS */
    expect("create-may-not-trace", hc(MVM_HC_VM_CREATE, (long)trace_cfg, 0, 0, 0, 0, 0), -EINVAL);
    /* A limit below MVM_MEM_MIN (1 MiB) is refused, not taken as "none". */
    static uint8_t tiny_cfg[MVM_HC_CONFIG_SIZE] = { [0] = 1 };   /* mem_limit = 1 byte */
    expect("create-limit-1-byte", hc(MVM_HC_VM_CREATE, (long)tiny_cfg, 0, 0, 0, 0, 0), -EINVAL);
    static uint8_t under_cfg[MVM_HC_CONFIG_SIZE] = { [0] = 0xff, [1] = 0xff, [2] = 0x0f };  /* 1 MiB - 1 */
    expect("create-limit-under-min", hc(MVM_HC_VM_CREATE, (long)under_cfg, 0, 0, 0, 0, 0), -EINVAL);
    /* The charged-to parent must be one of ours. */
    expect("create-foreign-parent", hc(MVM_HC_VM_CREATE, (long)cfg, 0, 0, 9, 0, 0), -EBADF);

    long h = hc(MVM_HC_VM_CREATE, (long)cfg, 0, 0, 0, 0, 0);
    expect("create", h > 0, 1);
    expect("run-unloaded", hc(MVM_HC_VM_RUN, h, (long)exit_rec, 0, 0, 0, 0), -EINVAL);
    expect("read-into-bad-buffer", hc(MVM_HC_VM_MAP, h, 0x100000, 4096, 3, 0, 0), 0);
    expect("read-to-null", hc(MVM_HC_VM_READ, h, 0x100000, 0, 16, 0, 0), -EFAULT);
    expect("write-from-null", hc(MVM_HC_VM_WRITE, h, 0x100000, 0, 16, 0, 0), -EFAULT);
    expect("read-child-unmapped", hc(MVM_HC_VM_READ, h, 0x900000, (long)exit_rec, 16, 0, 0), -EFAULT);
    /* A read-only page of ours cannot receive anything. */
    void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect("read-into-readonly", hc(MVM_HC_VM_READ, h, 0x100000, (long)ro, 16, 0, 0), -EFAULT);
    expect("regs-into-readonly", hc(MVM_HC_VCPU_GET, h, (long)ro, 0, 0, 0, 0), -EFAULT);
    expect("run-exit-readonly", hc(MVM_HC_VM_RUN, h, (long)ro, 0, 0, 0, 0), -EFAULT);
    expect("load-huge", hc(MVM_HC_VM_LOAD_ELF, h, (long)self, 0x1000, 1L << 40, (long)cfg, 8), -EINVAL);
    expect("map-unaligned", hc(MVM_HC_VM_MAP, h, 0x100001, 4096, 3, 0, 0), -EINVAL);
    expect("map-page-zero", hc(MVM_HC_VM_MAP, h, 0, 4096, 3, 0, 0), -EINVAL);

    /* A string that never ends within the limit. */
    static char longpath[8192];
    memset(longpath, 'a', sizeof longpath);
    expect("cwd-unterminated", hc(MVM_HC_VM_SET_CWD, h, (long)longpath, 0, 0, 0, 0), -ENAMETOOLONG);
    /* Directories we cannot see cannot be granted. */
    expect("add-dir-invisible", hc(MVM_HC_VM_ADD_DIR, h, 0, (long)"/etc", (long)"/etc", 0, 0), -ENOENT);
    expect("add-dir-src-self", hc(MVM_HC_VM_ADD_DIR, h, h, (long)"/", (long)"/x", 0, 0), -EBADF);
    expect("redirect-invisible", hc(MVM_HC_VM_REDIRECT, h, 0, 1, (long)"/etc/passwd", 0, 0), -ENOENT);

    /* A board (system mode, docs/board.md) is a VM with no process. Its
     * kernel, a raw image at 0x80000000, powers off through the SiFive
     * test device with code 7 — (7 << 16) | 0x3333, FINISHER_FAIL — after
     * four instructions (encodings from the RISC-V base ISA):
     *   lui t0, 0x100; lui t1, 0x73; addi t1, t1, 0x333; sw t1, 0(t0); j . */
    static const uint32_t kernel[] = { 0x001002b7, 0x00073337, 0x33330313, 0x0062a023, 0x0000006f };
    static uint8_t bcfg[MVM_HC_BOARD_SIZE];   /* zero: 128 MiB, 1 hart */
    bcfg[28] = 0xff, bcfg[29] = 0xff, bcfg[30] = 0xff, bcfg[31] = 0xff;   /* icount -1: the host's clock */
    uint8_t bad_bcfg[MVM_HC_BOARD_SIZE];
    memcpy(bad_bcfg, bcfg, sizeof bad_bcfg);
    bad_bcfg[24] = 9;   /* 9 harts: at most 8 */
    expect("board-create-9-harts", hc(MVM_HC_BOARD_CREATE, (long)bad_bcfg, 0, 0, 0, 0, 0), -EINVAL);
    memcpy(bad_bcfg, bcfg, sizeof bad_bcfg);
    bad_bcfg[32] = 1;   /* flag MVM_TRACE_SYSCALLS: not a board's */
    expect("board-create-bad-flags", hc(MVM_HC_BOARD_CREATE, (long)bad_bcfg, 0, 0, 0, 0, 0), -EINVAL);
    memcpy(bad_bcfg, bcfg, sizeof bad_bcfg);
    bad_bcfg[1] = 0x10;   /* RAM 4 KiB: under 1 MiB */
    expect("board-create-tiny-ram", hc(MVM_HC_BOARD_CREATE, (long)bad_bcfg, 0, 0, 0, 0, 0), -EINVAL);
    expect("board-create-bad-config", hc(MVM_HC_BOARD_CREATE, 0x10, 0, 0, 0, 0, 0), -EFAULT);
    expect("board-create-foreign-parent", hc(MVM_HC_BOARD_CREATE, (long)bcfg, 9, 0, 0, 0, 0), -EBADF);
    long hb = hc(MVM_HC_BOARD_CREATE, (long)bcfg, 0, 0, 0, 0, 0);
    expect("board-create", hb > 0, 1);
    expect("board-run-no-firmware", hc(MVM_HC_VM_RUN, hb, (long)exit_rec, 0, 0, 0, 0), -EINVAL);
    expect("board-load-elf", hc(MVM_HC_VM_LOAD_ELF, hb, (long)self, (long)kernel, sizeof kernel, (long)cfg, 8),
           -EINVAL);
    expect("board-vcpu-get", hc(MVM_HC_VCPU_GET, hb, (long)exit_rec, 0, 0, 0, 0), -EINVAL);
    expect("board-map", hc(MVM_HC_VM_MAP, hb, 0x100000, 4096, 3, 0, 0), -EINVAL);
    expect("board-as-dir-source", hc(MVM_HC_VM_ADD_DIR, h, hb, (long)"/", (long)"/x", 0, 0), -EBADF);
    expect("board-load-on-process", hc(MVM_HC_BOARD_LOAD, h, 0, (long)kernel, sizeof kernel, 0, 0), -EINVAL);
    expect("board-load-what", hc(MVM_HC_BOARD_LOAD, hb, 3, (long)kernel, sizeof kernel, 0, 0), -EINVAL);
    expect("board-load-bad-pointer", hc(MVM_HC_BOARD_LOAD, hb, 0, 0x10, 16, 0, 0), -EFAULT);
    expect("board-load-huge", hc(MVM_HC_BOARD_LOAD, hb, 0, (long)kernel, 1L << 40, 0, 0), -EINVAL);
    expect("board-disk-invisible", hc(MVM_HC_BOARD_DISK, hb, 0, (long)"/etc/passwd", 1, 0, 0), -ENOENT);
    expect("board-disk-bad-flags", hc(MVM_HC_BOARD_DISK, hb, 0, (long)self, 4, 0, 0), -EINVAL);
    expect("board-load", hc(MVM_HC_BOARD_LOAD, hb, 0, (long)kernel, sizeof kernel, 0, 0), 0);
    memset(exit_rec, 0xee, sizeof exit_rec);
    expect("board-run", hc(MVM_HC_VM_RUN, hb, (long)exit_rec, 0, 0, 0, 0), 0);
    uint32_t w[4];
    memcpy(w, exit_rec, sizeof w);   /* reason, status, signal, cause (little-endian host) */
    expect("board-exit-reason", w[0], 1);   /* MVM_EXIT_EXITED */
    expect("board-exit-status", w[1], 7);
    expect("board-exit-cause", w[3], 1);    /* MVM_BOARD_POWEROFF */
    uint64_t pc, mode;
    memcpy(&mode, exit_rec + 16, 8);
    memcpy(&pc, exit_rec + 24, 8);
    expect("board-exit-pc", (long)pc, 0x80000010);   /* past the store, which was done */
    expect("board-exit-mode", (long)mode, 3);        /* M */
    expect("board-run-again", hc(MVM_HC_VM_RUN, hb, (long)exit_rec, 0, 0, 0, 0), -16);   /* EBUSY */
    expect("board-load-after-run", hc(MVM_HC_BOARD_LOAD, hb, 0, (long)kernel, sizeof kernel, 0, 0), -16);
    expect("board-destroy", hc(MVM_HC_VM_DESTROY, hb, 0, 0, 0, 0, 0), 0);

    /* The handle table is bounded. */
    long last = 0, n = 1;
    for (int i = 0; i < MVM_HC_MAX_CHILDREN + 4; i++) {
        long r = hc(MVM_HC_VM_CREATE, (long)cfg, 0, 0, 0, 0, 0);
        if (r < 0) {
            last = r;
            break;
        }
        n++;
    }
    /* At most MVM_HC_MAX_CHILDREN; fewer when trusted execution forwards our
     * requests to a level whose own table holds our VM too. */
    expect("handles-bounded", n > MVM_HC_MAX_CHILDREN - 8 && n <= MVM_HC_MAX_CHILDREN, 1);
    expect("handles-exhausted", last, -EMFILE);
    expect("destroy", hc(MVM_HC_VM_DESTROY, h, 0, 0, 0, 0, 0), 0);
    expect("destroyed-handle", hc(MVM_HC_VM_RUN, h, (long)exit_rec, 0, 0, 0, 0), -EBADF);
    expect("create-after-destroy", hc(MVM_HC_VM_CREATE, (long)cfg, 0, 0, 0, 0, 0), h);

    /* Memory: a child allowed 1 MiB may use no more, and we go on. */
    uint8_t small[MVM_HC_CONFIG_SIZE] = { 0 };
    small[2] = 0x10;   /* mem_limit = 0x100000 */
    long hs = hc(MVM_HC_VM_CREATE, (long)small, 0, 0, 0, 0, 0);
    expect("create-small", hs > 0 || hs == -EMFILE, 1);
    if (hs > 0) {
        long r = hc(MVM_HC_VM_MAP, hs, 0x100000, 8 << 20, 3, 0, 0);
        static uint8_t page[4096];
        long bad = 0;
        for (long off = 0; off < (8 << 20) && r == 0; off += 4096) {
            long w = hc(MVM_HC_VM_WRITE, hs, 0x100000 + off, (long)page, sizeof page, 0, 0);
            if (w != 0) {
                bad = w;
                break;
            }
        }
        expect("child-memory-capped", r == 0 ? bad : -ENOMEM, -ENOMEM);
    }
    puts(failed ? "hostile: FAILED" : "hostile: all attacks refused");
    return failed;
}
