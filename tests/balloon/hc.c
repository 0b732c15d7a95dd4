/*
 * hc.c — the BALLOON hypercall's rules (docs/hypercalls.md, docs/balloon.md),
 * made with raw ecalls so that each one's result is seen as it comes:
 *   - outside mvm (qemu-riscv64) every call is -ENOSYS;
 *   - the target of a VM nobody asked is 0;
 *   - GIVE wants a page-aligned, non-empty range mapped writable by the
 *     program: an unaligned one, an empty one, the program's code and an
 *     unmapped range are -EINVAL;
 *   - given pages read as zero afterwards, their neighbours keep their
 *     bytes; HELD counts what was given and TAKE takes away (never below
 *     0); SET, and an unknown operation, are -EINVAL for a guest.
 * Prints one line per check, "ok ..." or "BAD ...", then "hc done" (or
 * "hc: no monitor" outside mvm).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define HC_BASE 0x4d564d00L
#define HC_BALLOON 19
#define TARGET 0
#define GIVE 1
#define TAKE 2
#define HELD 3
#define SET 4
#define PAGE 4096

static long hc(long op, long a, long b)
{
    register long a0 __asm__("a0") = op;
    register long a1 __asm__("a1") = a;
    register long a2 __asm__("a2") = b;
    register long a7 __asm__("a7") = HC_BASE + HC_BALLOON;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

static int bad;

static void expect(const char *what, long got, long want)
{
    if (got == want)
        printf("ok %s\n", what);
    else {
        printf("BAD %s: %ld, expected %ld\n", what, got, want);
        bad = 1;
    }
}

int main(void)
{
    if (hc(TARGET, 0, 0) == -38) {
        expect("give outside mvm", hc(GIVE, 0, PAGE), -38);
        printf("hc: no monitor\n");
        return bad;
    }
    expect("target unasked", hc(TARGET, 0, 0), 0);
    expect("held at first", hc(HELD, 0, 0), 0);
    uint8_t *m = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 2;
    memset(m, 0xa5, 16 * PAGE);
    expect("give unaligned address", hc(GIVE, (long)(m + 8), PAGE), -22);
    expect("give unaligned length", hc(GIVE, (long)m, 100), -22);
    expect("give nothing", hc(GIVE, (long)m, 0), -22);
    expect("give code", hc(GIVE, (long)main & ~(long)(PAGE - 1), PAGE), -22);
    uint8_t *gone = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, 2 * PAGE);
    expect("give unmapped", hc(GIVE, (long)gone, 2 * PAGE), -22);
    expect("give past the mapping", hc(GIVE, (long)(m + 12 * PAGE), 8 * PAGE), -22);
    expect("held after refusals", hc(HELD, 0, 0), 0);
    expect("give 8 pages", hc(GIVE, (long)(m + 4 * PAGE), 8 * PAGE), 0);
    expect("held 8 pages", hc(HELD, 0, 0), 8 * PAGE);
    size_t zero = 0, kept = 0;
    for (size_t i = 0; i < 16 * PAGE; i++) {
        if (i >= 4 * PAGE && i < 12 * PAGE)
            zero += m[i] == 0;
        else
            kept += m[i] == 0xa5;
    }
    expect("given pages read as zero", (long)zero, 8 * PAGE);
    expect("neighbours keep their bytes", (long)kept, 8 * PAGE);
    m[5 * PAGE] = 7;    /* a touch after giving: a fresh page, nothing else */
    expect("a given page written again", m[5 * PAGE] + m[5 * PAGE + 1], 7);
    expect("take 3 pages", hc(TAKE, (long)(m + 4 * PAGE), 3 * PAGE), 0);
    expect("held 5 pages", hc(HELD, 0, 0), 5 * PAGE);
    expect("take unaligned", hc(TAKE, (long)(m + 1), PAGE), -22);
    expect("take more than held", hc(TAKE, (long)m, 16 * PAGE), 0);
    expect("held never below 0", hc(HELD, 0, 0), 0);
    expect("set by the guest", hc(SET, PAGE, 0), -22);
    expect("unknown operation", hc(99, 0, 0), -22);
    expect("target still 0", hc(TARGET, 0, 0), 0);
    printf("hc done\n");
    return bad;
}
