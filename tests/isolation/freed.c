/*
 * freed.c — attack B: a VM that is not unrolled (VM_CREATE with
 * MVM_HC_CREATE_NO_UNROLL) keeps its pages in the memory of its backing
 * VM, at page slots from 2^40 upward. The backing VM owns that range and
 * may munmap it. The child must then lose those pages — its next access
 * faults — and must never reach memory the backing VM reuses afterwards:
 * a cached translation (TLB entry, decoded block) of the child that
 * outlives the slot is a use-after-free that reads and writes whatever
 * the backing VM put there next.
 *
 *   freed self      the child is backed by this guest (backing 0)
 *   freed sibling   VM B is backed by VM A, a sibling; A's own program
 *                   does the munmap
 *
 * In both forms the child runs a four-instruction loop over its data page
 * (load the word at 0x20000 into t0, store a marker at 0x20008) for a
 * short budget, so its translations are cached. Then the backing VM
 * munmaps [2^40, 2^40 + 16 MiB), maps a new region elsewhere and fills it
 * with SECRET, and the child runs again. Required:
 *   - the child's t0 never holds SECRET;
 *   - the new region still holds only SECRET (the marker did not land in
 *     it);
 *   - if the munmap succeeded, the child's second run ends in a fault exit
 *     (reason 3, a fetch/load/store page fault: its pages are gone); if the
 *     monitor refused the munmap, the child's page is intact and the child
 *     still reads its own value.
 * Prints "ok NAME" / "FAIL NAME: why" lines, then "freed: all checks
 * passed" or "freed: FAILED"; exits 1 on a failure.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hc.h"

#define INIT   0x1111222233334444ull
#define MARKER 0x4d41524b4d41524bull   /* "KRAMKRAM" */
#define SECRET 0x5ec7e75ec7e75ec7ull
#define CODE 0x10000
#define DATA 0x20000
#define SLOTS (1ull << 40)
#define SLOTS_LEN (16ull << 20)
#define REGION (1u << 20)
#define T0 5
#define T1 6
#define S0 8
#define S2 18
#define S3 19
#define S4 20
#define S5 21

/* The child: reads and writes its data page (s0) forever. */
extern const char kid_code[], kid_end[];
__asm__(".pushsection .text\n"
        ".globl kid_code, kid_end\n"
        "kid_code:\n"
        "1:  ld   t0, 0(s0)\n"
        "    sd   s2, 8(s0)\n"
        "    addi t1, t1, 1\n"
        "    j    1b\n"
        "kid_end:\n"
        ".popsection\n");

/* The sibling backing VM A: munmap the slot range (result in s3), map
 * REGION bytes (address in s4), fill them with s2, set s5 = 1, spin. */
extern const char a_code[], a_end[];
__asm__(".pushsection .text\n"
        ".globl a_code, a_end\n"
        "a_code:\n"
        "    li   a0, 1\n"
        "    slli a0, a0, 40\n"
        "    li   a1, 1\n"
        "    slli a1, a1, 24\n"
        "    li   a7, 215\n"        /* munmap */
        "    ecall\n"
        "    mv   s3, a0\n"
        "    li   a0, 0\n"
        "    li   a1, 1\n"
        "    slli a1, a1, 20\n"
        "    li   a2, 3\n"          /* PROT_READ | PROT_WRITE */
        "    li   a3, 0x22\n"       /* MAP_PRIVATE | MAP_ANONYMOUS */
        "    li   a4, -1\n"
        "    li   a5, 0\n"
        "    li   a7, 222\n"        /* mmap */
        "    ecall\n"
        "    mv   s4, a0\n"
        "    mv   t0, a0\n"
        "    li   t1, 1\n"
        "    slli t1, t1, 20\n"
        "    add  t1, t0, t1\n"
        "2:  sd   s2, 0(t0)\n"
        "    addi t0, t0, 8\n"
        "    bltu t0, t1, 2b\n"
        "    li   s5, 1\n"
        "3:  j    3b\n"
        "a_end:\n"
        ".popsection\n");

static int failed;

static void check(const char *name, int ok, const char *why, long long v)
{
    if (ok) {
        printf("ok %s\n", name);
    } else {
        printf("FAIL %s: %s (0x%llx)\n", name, why, (unsigned long long)v);
        failed = 1;
    }
}

static long must(const char *what, long r)
{
    if (r < 0) {
        printf("FAIL %s: error %ld\n", what, r);
        puts("freed: FAILED");
        fflush(stdout);
        _exit(1);
    }
    return r;
}

static struct hc_config cfg;   /* defaults */

/* A minimal static RV64 executable: CODE (read+execute) holds code, DATA
 * (read+write) holds the word INIT. Returns its size. */
static size_t make_elf(uint8_t *f, const char *code, size_t len)
{
    memset(f, 0, 4096);
    size_t code_off = 64 + 2 * 56, data_off = (code_off + len + 7) & ~(size_t)7;
    memcpy(f, "\177ELF\2\1\1", 7);
    *(uint16_t *)(f + 16) = 2;          /* ET_EXEC */
    *(uint16_t *)(f + 18) = 243;        /* EM_RISCV */
    *(uint32_t *)(f + 20) = 1;
    *(uint64_t *)(f + 24) = CODE;       /* entry */
    *(uint64_t *)(f + 32) = 64;         /* program headers */
    *(uint32_t *)(f + 48) = 5;          /* RVC, double-float ABI */
    *(uint16_t *)(f + 52) = 64;
    *(uint16_t *)(f + 54) = 56;
    *(uint16_t *)(f + 56) = 2;
    uint8_t *ph = f + 64;
    *(uint32_t *)ph = 1;                /* PT_LOAD */
    *(uint32_t *)(ph + 4) = 5;          /* R|X */
    *(uint64_t *)(ph + 8) = code_off;
    *(uint64_t *)(ph + 16) = CODE;
    *(uint64_t *)(ph + 24) = CODE;
    *(uint64_t *)(ph + 32) = len;
    *(uint64_t *)(ph + 40) = len;
    *(uint64_t *)(ph + 48) = 4096;
    ph += 56;
    *(uint32_t *)ph = 1;
    *(uint32_t *)(ph + 4) = 6;          /* R|W */
    *(uint64_t *)(ph + 8) = data_off;
    *(uint64_t *)(ph + 16) = DATA;
    *(uint64_t *)(ph + 24) = DATA;
    *(uint64_t *)(ph + 32) = 8;
    *(uint64_t *)(ph + 40) = 4096;
    *(uint64_t *)(ph + 48) = 4096;
    memcpy(f + code_off, code, len);
    uint64_t init = INIT;
    memcpy(f + data_off, &init, 8);
    return data_off + 8;
}

/* Loads code as the program of VM h, registers: pc = CODE, s0 = DATA,
 * s2 = s2 (the rest zero). */
static void load(long h, const char *code, size_t len, uint64_t s2)
{
    static uint8_t elf[4096];
    static const uint32_t args[3] = { 1, 0, 0x64696b };   /* argc 1: "kid" */
    size_t size = make_elf(elf, code, len);
    must("load", hc(MVM_HC_VM_LOAD_ELF, h, (long)"kid", (long)elf, (long)size, (long)args, sizeof args));
    static struct hc_regs r;
    memset(&r, 0, sizeof r);
    r.pc = CODE;
    r.x[S0] = DATA;
    r.x[S2] = s2;
    must("set-regs", hc(MVM_HC_VCPU_SET, h, (long)&r, 0, 0, 0, 0));
}

/* A not-unrolled VM backed by `backing` running kid_code over DATA. */
static long make_kid(long backing)
{
    long h = must("create-kid", hc(MVM_HC_VM_CREATE, (long)&cfg, MVM_HC_CREATE_NO_UNROLL, backing, 0, 0, 0));
    load(h, kid_code, (size_t)(kid_end - kid_code), MARKER);
    return h;
}

/* Runs the kid for a short budget; returns its exit and its registers. */
static void run_kid(long h, struct hc_exit *ex, struct hc_regs *r)
{
    must("get-regs", hc(MVM_HC_VCPU_GET, h, (long)r, 0, 0, 0, 0));
    r->x[T0] = 0;
    r->x[T1] = 0;
    must("set-regs", hc(MVM_HC_VCPU_SET, h, (long)r, 0, 0, 0, 0));
    must("set-budget", hc(MVM_HC_VM_SET_BUDGET, h, 1000, 0, 0, 0, 0));
    memset(ex, 0, sizeof *ex);
    must("run-kid", hc(MVM_HC_VM_RUN, h, (long)ex, 0, 0, 0, 0));
    must("get-regs", hc(MVM_HC_VCPU_GET, h, (long)r, 0, 0, 0, 0));
}

/* The first run: the child works and caches its translations. */
static void first_run(long h)
{
    struct hc_exit ex;
    static struct hc_regs r;
    run_kid(h, &ex, &r);
    check("first-run-budget", ex.reason == EXIT_BUDGET, "first run did not end by budget; reason", ex.reason);
    check("first-run-loads", r.x[T0] == INIT, "child did not read its own data", (long long)r.x[T0]);
    check("first-run-loops", r.x[T1] > 10, "child did not loop", (long long)r.x[T1]);
    uint64_t w = 0;
    must("read-marker", hc(MVM_HC_VM_READ, h, DATA + 8, (long)&w, 8, 0, 0));
    check("first-run-stores", w == MARKER, "child's store not seen", (long long)w);
}

/* The second run, after the backing VM unmapped the slots (munmap_r)
 * and filled `region` (in the caller's memory) with SECRET. */
static void second_run(long h, long munmap_r, const uint64_t *region)
{
    struct hc_exit ex;
    static struct hc_regs r;
    run_kid(h, &ex, &r);
    printf("munmap of the slots: %ld; second run: reason %u cause %u addr 0x%llx, t0 0x%llx\n",
           munmap_r, ex.reason, ex.cause, (unsigned long long)ex.addr, (unsigned long long)r.x[T0]);
    check("no-secret-read", r.x[T0] != SECRET, "child read the backing VM's new memory", (long long)r.x[T0]);
    size_t bad = 0;
    for (size_t i = 0; i < REGION / 8; i++)
        bad += region[i] != SECRET;
    check("no-store-into-new-memory", bad == 0, "words of the new region changed", (long long)bad);
    if (munmap_r == 0) {
        check("second-run-faults", ex.reason == EXIT_FAULT, "child's pages are gone but it did not fault; reason",
              ex.reason);
        check("fault-is-page-fault", ex.cause == 12 || ex.cause == 13 || ex.cause == 15,
              "not a fetch/load/store page fault; cause", ex.cause);
    } else {
        /* The monitor kept the slots: the child's page is its own still. */
        check("second-run-intact", ex.reason == EXIT_BUDGET && r.x[T0] == INIT,
              "slots kept but the child did not read its own data; t0", (long long)r.x[T0]);
    }
}

static void self_form(void)
{
    long h = make_kid(0);
    first_run(h);
    long mr = syscall(215 /* munmap */, (long)SLOTS, (long)SLOTS_LEN);
    if (mr < 0)
        mr = -(long)errno;
    uint64_t *region = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED)
        must("mmap", -1);
    for (size_t i = 0; i < REGION / 8; i++)
        region[i] = SECRET;
    second_run(h, mr, region);
}

static void sibling_form(void)
{
    long a = must("create-a", hc(MVM_HC_VM_CREATE, (long)&cfg, 0, 0, 0, 0, 0));
    load(a, a_code, (size_t)(a_end - a_code), SECRET);
    static struct hc_regs ra;

    long b = make_kid(a);
    first_run(b);

    /* A unmaps the slots that hold B's pages and fills new memory. */
    struct hc_exit ex;
    must("set-a-budget", hc(MVM_HC_VM_SET_BUDGET, a, 2000000, 0, 0, 0, 0));
    must("run-a", hc(MVM_HC_VM_RUN, a, (long)&ex, 0, 0, 0, 0));
    must("get-a-regs", hc(MVM_HC_VCPU_GET, a, (long)&ra, 0, 0, 0, 0));
    check("a-ran", ex.reason == EXIT_BUDGET && ra.x[S5] == 1, "A did not finish its fill; reason", ex.reason);
    long mr = (long)ra.x[S3];
    uint64_t at = ra.x[S4];
    check("a-mapped", (long)at > 0, "A's mmap failed", (long long)at);

    static uint64_t region[REGION / 8];
    /* The region must be intact before B runs, else nothing is shown. */
    must("read-a-region", hc(MVM_HC_VM_READ, a, (long)at, (long)region, REGION, 0, 0));
    size_t bad = 0;
    for (size_t i = 0; i < REGION / 8; i++)
        bad += region[i] != SECRET;
    check("a-filled", bad == 0, "A's new region does not hold the secret; words", (long long)bad);
    struct hc_exit bex;
    static struct hc_regs rb;
    run_kid(b, &bex, &rb);
    printf("A's munmap of the slots: %ld; B's second run: reason %u cause %u addr 0x%llx, t0 0x%llx\n",
           mr, bex.reason, bex.cause, (unsigned long long)bex.addr, (unsigned long long)rb.x[T0]);
    check("no-secret-read", rb.x[T0] != SECRET, "B read A's new memory", (long long)rb.x[T0]);
    must("read-a-region", hc(MVM_HC_VM_READ, a, (long)at, (long)region, REGION, 0, 0));
    bad = 0;
    for (size_t i = 0; i < REGION / 8; i++)
        bad += region[i] != SECRET;
    check("no-store-into-a", bad == 0, "words of A's new region changed", (long long)bad);
    if (mr == 0) {
        check("second-run-faults", bex.reason == EXIT_FAULT, "B's pages are gone but it did not fault; reason",
              bex.reason);
        check("fault-is-page-fault", bex.cause == 12 || bex.cause == 13 || bex.cause == 15,
              "not a fetch/load/store page fault; cause", bex.cause);
    } else {
        check("second-run-intact", bex.reason == EXIT_BUDGET && rb.x[T0] == INIT,
              "slots kept but B did not read its own data; t0", (long long)rb.x[T0]);
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "sibling") == 0)
        sibling_form();
    else
        self_form();
    puts(failed ? "freed: FAILED" : "freed: all checks passed");
    return failed;
}
