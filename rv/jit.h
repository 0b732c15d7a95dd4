/*
 * jit.h — the optional block compiler: turns a decoded block into host
 * machine code with exactly the interpreter's semantics. The interpreter
 * stays the portable reference; on hosts without a backend, or with
 * --no-jit, every block is interpreted.
 *
 * Contract of compiled code (called as rv_jit_fn with the hart):
 *   - it runs ops[0..k) of its block in order, as the interpreter would,
 *     with the block's instructions already charged to the budget;
 *   - it returns an exit word: kind in bits 0..7, op index in bits 16..31:
 *       RV_JIT_SUCC0/SUCC1  left through a direct jump or branch to
 *                           successor 0 (taken/jump) or 1 (fall-through);
 *                           the next pc is in h->pc
 *       RV_JIT_INDIRECT     go on at h->pc: left through JALR, or after
 *                           chaining (below)
 *       RV_JIT_TRAP         the op at index faulted and did not retire;
 *                           h->cause and h->tval are set
 *       RV_JIT_CODE_WRITTEN the store at index retired and wrote a page
 *                           that code was decoded from
 *       RV_JIT_INTERPRET    ops before index ran; the interpreter goes on
 *                           with the op at index (ops the backend does not
 *                           compile)
 *   - compiled code may go on into another compiled block found in the
 *     jump cache (chaining), doing at that block's entry exactly what the
 *     interpreter does at `enter:` (budget check and charge); an exit from
 *     such a chained block is then reported as RV_JIT_INDIRECT with the
 *     unexecuted instructions already refunded and h->pc set, since op
 *     indexes would name the wrong block. Any new per-block check in the
 *     interpreter must be mirrored in the chaining code (rv/jit.c).
 */
#ifndef MVM_JIT_H
#define MVM_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rv/decode.h"
#include "rv/rv.h"

#define RV_JIT_HEAT 8
#define RV_JIT_HEAT_LATE (RV_JIT_HEAT + 64)

enum rv_jit_exit {
    RV_JIT_SUCC0 = 1,
    RV_JIT_SUCC1,
    RV_JIT_INDIRECT,
    RV_JIT_TRAP,
    RV_JIT_CODE_WRITTEN,
    RV_JIT_INTERPRET,
};

#define RV_JIT_EXIT(kind, index) ((uint64_t)(kind) | (uint64_t)(index) << 16)
#define RV_JIT_KIND(word) ((unsigned)((word) & 0xff))
#define RV_JIT_INDEX(word) ((unsigned)(((word) >> 16) & 0xffff))

typedef uint64_t (*rv_jit_fn)(struct rv_hart *h);

struct rv_jit;

/* A code buffer for one block cache; NULL if this host has no backend. */
struct rv_jit *rv_jit_new(void);
void rv_jit_free(struct rv_jit *j);
/* Drops all compiled code (the block cache was flushed). */
void rv_jit_reset(struct rv_jit *j);
/* Compiles b; NULL if the buffer is full or nothing of b compiles. */
void *rv_jit_compile(struct rv_jit *j, const struct rv_block *b);
/* Compiles the region rb[0..n) (rv/region.h) as one piece of code entered
 * at rb[0], whose contract it keeps; the other blocks are reached only by
 * the region's own edges, and their exits are reported as a chained
 * block's. NULL as for rv_jit_compile. */
void *rv_jit_compile_region(struct rv_jit *j, struct rv_block *const *rb, unsigned n);
/* Does this host's backend compile regions whole (else rv_jit_compile_region
 * compiles the head alone, and the interpreter forms none)? */
bool rv_jit_regions(void);
/* Does j compile every op of b? */
bool rv_jit_block_ok(const struct rv_jit *j, const struct rv_block *b);
/* Bytes of code buffer in use, and at most what compiling b (or a
 * region) adds. */
size_t rv_jit_used(const struct rv_jit *j);
size_t rv_jit_need(const struct rv_block *b);
size_t rv_jit_need_region(struct rv_block *const *rb, unsigned n);
/* Bytes of host code of j's last compilation (its access memos apart). */
size_t rv_jit_last_size(const struct rv_jit *j);

/*
 * Profilers: from rv_jit_set_perf_map(f) on, every compilation appends a
 * line "START SIZE rv64:PC" (hex; "rv64:PC+N" for a region of N more
 * blocks) to f, the map file perf reads for code it cannot otherwise
 * name (/tmp/perf-PID.map, mvm_perf_map_open). Lines are whole under
 * concurrent compilations (one stdio call each). NULL: none.
 */
void rv_jit_set_perf_map(FILE *f);
void rv_jit_announce(const void *code, size_t size, uint64_t pc, unsigned n);

/* Slow paths the compiled code calls (rv/interp.c): 0, a cause (also
 * stored in h->cause, with h->tval), or for stores 1 = code written. */
uint32_t rv_load_slow(struct rv_hart *h, uint64_t va, unsigned size, uint64_t *out);
uint32_t rv_store_slow(struct rv_hart *h, uint64_t va, unsigned size, uint64_t val);

#endif
