/*
 * region.h — which blocks the compiler takes together with a hot block.
 *
 * A region is a hot block (its head) and the decoded blocks that lie on a
 * loop through it: reachable from the head by direct jumps, branches and
 * fall-throughs, and leading back to it. The compiler (rv/jit.c) lays a
 * region out as one piece of code: guest registers stay in host registers
 * across its blocks, and its edges are direct jumps that charge the budget
 * as the interpreter's block entry does. docs/jit.md has the design.
 */
#ifndef MVM_REGION_H
#define MVM_REGION_H

#include "rv/cache.h"

#define RV_REGION_MAX 16   /* blocks in a region, head included */

/* The constant successors of b's last op (branch targets and fall-through,
 * a jal's target); their number, 0 for an indirect jump or a trap. */
unsigned rv_block_succs(const struct rv_block *b, uint64_t out[2]);

/*
 * Fills out[] with head and the blocks of c on loops through head, head
 * first, then in the order a breadth-first walk from it meets them; at
 * most RV_REGION_MAX. Only blocks that j compiles whole are taken; a head
 * on no loop gives a region of one. Returns the count; 0 (nothing formed)
 * for a head on no loop of direct jumps unless late (its
 * RV_JIT_HEAT_LATE-th entry): such a block is most often code that runs
 * a few times (start-up), and a loop closed by a computed jump needs the
 * jump cache scanned.
 */
unsigned rv_region_form(const struct rv_cache *c, const struct rv_jit *j, struct rv_block *head,
                        struct rv_block *out[RV_REGION_MAX], bool late);

/* The index of the block of rb[0..n) that starts at pc, or -1. */
int rv_region_index(struct rv_block *const *rb, unsigned n, uint64_t pc);

/* The indirect jumps of rb[0..n): a compiled region compares each one's
 * target with every block of the region. */
unsigned rv_region_jalrs(struct rv_block *const *rb, unsigned n);

#endif
