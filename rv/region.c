/*
 * region.c — finding the loop a hot block is in (rv/region.h).
 *
 * Only blocks already decoded are taken: a block is decoded when it first
 * runs, so by the time a loop's first block is hot, the paths the loop
 * took are in the cache and the paths it never took are not. The walk
 * forward meets at most CAND_MAX blocks; of those, the ones from which
 * the head can be reached again are the region.
 */
#include "rv/region.h"

#include <stdbool.h>

#define CAND_MAX 48

unsigned rv_block_succs(const struct rv_block *b, uint64_t out[2])
{
    const struct rv_op *t = &b->ops[b->n_ops - 1];
    uint64_t pc = b->pc + t->pcoff;
    switch (t->opc) {
    case RV_OP_BEQ: case RV_OP_BNE: case RV_OP_BLT: case RV_OP_BGE: case RV_OP_BLTU: case RV_OP_BGEU:
        out[0] = pc + (uint64_t)(int64_t)t->imm;
        out[1] = pc + t->len;
        return 2;
    case RV_OP_JAL:
        out[0] = pc + (uint64_t)(int64_t)t->imm;
        return 1;
    case RV_OP_FALLTHRU:
        out[0] = pc;   /* a fall-through op sits at the pc it goes on at */
        return 1;
    default:
        return 0;
    }
}

static int find(struct rv_block *const *v, unsigned n, uint64_t pc)
{
    for (unsigned i = 0; i < n; i++)
        if (v[i]->pc == pc)
            return (int)i;
    return -1;
}

unsigned rv_region_form(const struct rv_cache *c, const struct rv_jit *j, struct rv_block *head,
                        struct rv_block *out[RV_REGION_MAX])
{
    struct rv_block *cand[CAND_MAX];
    int succ[CAND_MAX][2];
    unsigned n_succ[CAND_MAX];
    unsigned n = 1;
    out[0] = head;
    if (!rv_jit_block_ok(j, head))
        return 1;   /* its end is not compiled: nothing follows it */
    cand[0] = head;
    for (unsigned i = 0; i < n; i++) {
        uint64_t pcs[2];
        n_succ[i] = rv_block_succs(cand[i], pcs);
        for (unsigned s = 0; s < n_succ[i]; s++) {
            int at = find(cand, n, pcs[s]);
            if (at < 0 && n < CAND_MAX) {
                struct rv_block *b = rv_cache_find(c, pcs[s]);
                if (b && rv_jit_block_ok(j, b)) {
                    at = (int)n;
                    cand[n++] = b;
                }
            }
            succ[i][s] = at;
        }
    }
    /* On a loop through the head: an edge to the head or to a block that
     * is (a fixed point over at most CAND_MAX blocks). */
    bool on_loop[CAND_MAX] = { false };
    for (bool changed = true; changed;) {
        changed = false;
        for (unsigned i = 0; i < n; i++) {
            if (on_loop[i])
                continue;
            for (unsigned s = 0; s < n_succ[i]; s++)
                if (succ[i][s] == 0 || (succ[i][s] > 0 && on_loop[succ[i][s]])) {
                    on_loop[i] = changed = true;
                    break;
                }
        }
    }
    if (!on_loop[0])
        return 1;
    unsigned m = 1;
    for (unsigned i = 1; i < n && m < RV_REGION_MAX; i++)
        if (on_loop[i])
            out[m++] = cand[i];
    return m;
}
