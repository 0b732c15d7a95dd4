/*
 * rv.h — the synthetic CPU: one RV64GC hart running in user mode.
 *
 * The hart's layout is public because the hot path (interp.c) and the
 * runtimes that serve its exits (user/, vm/) read registers directly.
 * Invariants:
 *   - x[0] reads as zero; the decoder sends writes to x0 to x[RV_XSINK];
 *   - f[] holds 64-bit patterns; single-precision values are NaN-boxed
 *     (upper 32 bits all ones), per the F extension;
 *   - tlb_* entries are valid only while tlb_gen == mem_space_gen(as);
 *   - the hart runs on one host thread at a time; other threads reach it
 *     only through its address space (mem_view: a change that takes memory
 *     away waits until the hart has synchronised, at a block boundary or
 *     by leaving rv_run).
 * Spec: RISC-V Unprivileged ISA 20191213 (RV64GC, Zicsr, Zifencei, Zba/Zbb/Zbs).
 */
#ifndef MVM_RV_H
#define MVM_RV_H

#include <stdbool.h>
#include <stdint.h>

#include "mem/mem.h"

#define RV_XSINK 32

/* Exit reasons of rv_run. */
enum rv_exit {
    RV_EXIT_ECALL = 1,   /* ecall executed; pc points at it */
    RV_EXIT_BUDGET,      /* the instruction budget ran out */
    RV_EXIT_TRAP,        /* exception: cause/tval set, pc points at the instruction */
    RV_EXIT_NOMEM,       /* the host page pool is exhausted */
};

/* Exception causes (mcause values of the privileged spec). */
enum rv_cause {
    RV_CAUSE_FETCH_MISALIGNED = 0,
    RV_CAUSE_FETCH_ACCESS = 1,
    RV_CAUSE_ILLEGAL = 2,
    RV_CAUSE_BREAKPOINT = 3,
    RV_CAUSE_LOAD_MISALIGNED = 4,
    RV_CAUSE_LOAD_ACCESS = 5,
    RV_CAUSE_STORE_MISALIGNED = 6,
    RV_CAUSE_STORE_ACCESS = 7,
    RV_CAUSE_ECALL_U = 8,
    RV_CAUSE_FETCH_PAGE = 12,
    RV_CAUSE_LOAD_PAGE = 13,
    RV_CAUSE_STORE_PAGE = 15,
};

/* fcsr fields. */
#define RV_FFLAGS_NX 0x01
#define RV_FFLAGS_UF 0x02
#define RV_FFLAGS_OF 0x04
#define RV_FFLAGS_DZ 0x08
#define RV_FFLAGS_NV 0x10

/* The fetch TLB has RV_TLB_SIZE entries; the data TLBs (loads, stores)
 * grow with the working set, from that up to 1 << RV_TLB_MAX_BITS, as
 * QEMU's dynamic TLB does: a hart whose data accesses miss often gets a
 * bigger one, and one that no longer does gets a smaller one back when
 * its TLB is flushed (rv_flush_tlb). */
#define RV_TLB_BITS 8
#define RV_TLB_SIZE (1u << RV_TLB_BITS)
#define RV_TLB_MAX_BITS 16
#define RV_TLB_INVALID UINT64_MAX

struct rv_tlb_entry {
    uint64_t tag;          /* guest page address, or RV_TLB_INVALID */
    uintptr_t addend;      /* host address = guest address + addend */
};

struct rv_cache;

struct rv_hart {
    uint64_t x[33];
    uint64_t f[32];
    uint64_t pc;
    uint32_t fflags;       /* accrued exceptions, RV_FFLAGS_* */
    uint32_t frm;          /* dynamic rounding mode, 0..4 valid */

    int64_t budget;        /* instructions left before RV_EXIT_BUDGET */
    int64_t budget_start;  /* budget when last set: retired = start - budget */
    uint64_t instret_base; /* instructions retired before the budget was set */
    uint64_t time_base_ns; /* host monotonic time at hart creation (rdtime) */

    uint64_t resv_addr;    /* LR/SC reservation: address and value read */
    uint64_t resv_value;
    bool resv_valid;

    uint32_t cause;        /* valid after RV_EXIT_TRAP */
    uint64_t tval;

    struct mem_space *as;
    struct mem_view view;  /* how the space's shootdowns reach this hart */
    uint64_t tlb_gen;
    /* Data TLBs: tlb_mask + 1 entries each (a power of two); the compiled
     * code indexes them with tlb_mask16 = tlb_mask << 4 (a byte offset). */
    struct rv_tlb_entry *tlb_r, *tlb_w;
    uint64_t tlb_mask;
    uint32_t tlb_mask16;
    uint64_t tlb_misses;       /* data misses since the last resize check */
    uint64_t tlb_instret;      /* instructions retired at that check */
    uint64_t tlb_flush_misses; /* data misses since the last flush */
    /* Bumped whenever a data TLB entry may stop holding: compiled code
     * keeps a copy of the entry each load or store used last (rv/jit.c),
     * good only while this is unchanged. */
    uint64_t tlb_epoch;
    struct rv_tlb_entry tlb_x[RV_TLB_SIZE];

    struct rv_cache *cache;

    /* Statistics. */
    uint64_t stat_blocks_translated;
    uint64_t stat_cache_flushes;
    uint64_t stat_tlb_misses;
    bool trace_insns;      /* print each instruction to stderr */
    bool no_jit;           /* interpret every block */
    bool no_regions;       /* compile each block alone, not the loop it is in (tests) */
    uint8_t deny;          /* RV_DENY_* (rv/decode.h): a system board's */
    uint64_t stat_jit_blocks;
    uint64_t stat_jit_regions;   /* of those, compiled with the loop they are in */
    uint64_t stat_jit_bytes;     /* code (and access memos) they took, over all flushes */
    uint64_t stat_jit_ns;        /* host time spent forming regions and compiling */
};

/* Creates a hart on address space as; all registers zero. NULL on ENOMEM. */
struct rv_hart *rv_hart_new(struct mem_space *as);
void rv_hart_free(struct rv_hart *h);

/* Instructions retired so far (exact at every exit). */
static inline uint64_t rv_instret(const struct rv_hart *h)
{
    return h->instret_base + (uint64_t)(h->budget_start - h->budget);
}

/* Sets how many instructions may run before RV_EXIT_BUDGET. */
void rv_set_budget(struct rv_hart *h, int64_t n);

/* Runs until an exit; returns the enum rv_exit. (rv_run(NULL) only sets
 * up the interpreter's handler table and returns 0.) */
int rv_run(struct rv_hart *h);

/* Moves the hart to address space as with block cache cache (a system
 * board's translation contexts: each space keeps its own decoded blocks,
 * which rv_sync checks against the space's code generation). The TLB
 * starts empty. Returns the cache the hart had. */
struct rv_cache *rv_hart_switch(struct rv_hart *h, struct mem_space *as, struct rv_cache *cache);

/* Drops every decoded block (fence.i, or code pages changed). */
void rv_flush_code(struct rv_hart *h);
void rv_flush_tlb(struct rv_hart *h);
/* Before an entry for page, translated by mem_translate_fill with
 * generations g, goes in: keeps the TLB valid at g->valid. */
void rv_tlb_filled(struct rv_hart *h, uint64_t page, const struct mem_fill_gen *g);

/* The data TLBs (rv/tlb.c): made at the hart's first data miss, freed
 * with it; a data miss is counted (and may resize them) before its entry
 * is filled, which waits for rv_tlb_ready (false: no memory for them
 * yet; the access goes on without an entry). */
bool rv_tlb_init(struct rv_hart *h);
bool rv_tlb_ready(const struct rv_hart *h);
void rv_tlb_free(struct rv_hart *h);
void rv_tlb_miss(struct rv_hart *h);
/* The data TLB entry for va. */
#define RV_TLB_DATA(h, t, va) (&(h)->t[((va) >> MEM_PAGE_SHIFT) & (h)->tlb_mask])

/* Name of an exception cause, for messages. */
const char *rv_cause_name(uint32_t cause);

#endif
