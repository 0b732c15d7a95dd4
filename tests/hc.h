/*
 * hc.h — what the test guests that speak the hypercall interface share:
 * the raw hypercall (an `ecall` with a7 = MVM_HC_BASE + n,
 * docs/hypercalls.md) and the wire layouts of include/mvm_hypercall.h as
 * C structures (RV64 is little-endian, so the fixed offsets of the
 * interface are the structures' own). Built with -Itests -Iinclude.
 */
#ifndef TESTS_HC_H
#define TESTS_HC_H

#include <stdint.h>

#include "mvm_hypercall.h"

static inline long hc(unsigned n, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r3 __asm__("a3") = a3;
    register long r4 __asm__("a4") = a4;
    register long r5 __asm__("a5") = a5;
    register long r7 __asm__("a7") = (long)(MVM_HC_BASE + n);
    __asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r7) : "memory");
    return r0;
}

struct hc_config {            /* 24 bytes */
    uint64_t mem_limit;
    int64_t budget;
    uint32_t flags, zero;
};

struct hc_exit {              /* 40 bytes */
    uint32_t reason;          /* 1 exited, 2 signaled, 3 fault, 4 budget, 5 nomem */
    int32_t status;
    int32_t signal;
    uint32_t cause;           /* RISC-V cause: 12 fetch, 13 load, 15 store page fault */
    uint64_t addr, pc;
    uint64_t instructions;    /* what the run cost (not used by these tests) */
};

struct hc_regs {              /* 528 bytes */
    uint64_t pc;
    uint64_t x[32];
    uint64_t f[32];
    uint32_t fcsr, zero;
};

_Static_assert(sizeof(struct hc_config) == MVM_HC_CONFIG_SIZE, "config layout");
_Static_assert(sizeof(struct hc_exit) == MVM_HC_EXIT_SIZE, "exit layout");
_Static_assert(sizeof(struct hc_regs) == MVM_HC_REGS_SIZE, "regs layout");

#define EXIT_EXITED 1
#define EXIT_FAULT 3
#define EXIT_BUDGET 4

#endif
