/*
 * hcfuzz.h — what the hypercall-sequence fuzzer (hcfuzz.c) and the child
 * program it runs in its VMs (child.c) share: the raw hypercall, the
 * child's deterministic work, and the child address window the fuzzer
 * keeps a shadow of.
 */
#ifndef HCFUZZ_H
#define HCFUZZ_H

#include <stdint.h>

#include "hc.h"   /* tests/hc.h: the raw hypercall */

/* The window of child memory the fuzzer maps, writes and reads: far from
 * where a static program, its heap, its mmaps and its stack go. */
#define HCF_WIN 0x20000000ul
#define HCF_NPG 16
#define HCF_PAGE 4096ul

/* The child's work: the fuzzer computes the same value to know the
 * child's output and exit status. */
static inline uint64_t hcf_work(uint64_t seed, unsigned long iters)
{
    uint64_t s = seed ^ 0x9e3779b97f4a7c15ull;
    for (unsigned long i = 0; i < iters; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        s ^= s >> 29;
    }
    return s;
}

/* Exit reasons (enum mvm_exit_reason in mvm.h). */
#define MVM_EXIT_EXITED 1
#define MVM_EXIT_SIGNALED 2
#define MVM_EXIT_FAULT 3
#define MVM_EXIT_BUDGET 4
#define MVM_EXIT_NOMEM 5

/* Exit statuses of the child program. */
#define HCF_CHILD_BREACH 101   /* a sandbox or hypercall check failed */
#define HCF_CHILD_USAGE 100

/* Exit statuses of a fuzzer running as a child (a sub-fuzzer). */
#define HCF_SUB_FAIL 1      /* an invariant was violated */
#define HCF_SUB_SETUP 2     /* could not set itself up (memory) */
#define HCF_SUB_NOHC 3      /* no hypercalls here (its owner answers ENOSYS) */

#endif
