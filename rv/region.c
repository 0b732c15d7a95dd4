/*
 * region.c — finding the loop a hot block is in (rv/region.h).
 *
 * Only blocks already decoded are taken: a block is decoded when it first
 * runs, so by the time a loop's first block is hot, the paths the loop
 * took are in the cache and the paths it never took are not. The walk
 * forward meets at most CAND_MAX blocks; of those, the ones from which
 * the head can be reached again are the region.
 *
 * A computed jump (a switch's jump through its table) has no constant
 * successor. Where one is met and no loop of direct jumps goes through
 * the head, the blocks in the jump cache (the blocks run last, at most
 * one per slot) with a constant edge into the blocks met so far are taken
 * too -- a switch's cases jumping back to its dispatch -- and the jump is
 * taken to reach any of them: the compiled jalr tries the region's blocks
 * before the jump cache (rv/jit.c).
 */
#include "rv/region.h"

#include <stdbool.h>
#include <string.h>

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

/* Does b end in a computed jump: a jalr that neither links (rd x0, which
 * the decoder makes RV_XSINK) nor returns (rs1 ra or t0)? A switch's jump
 * through its table is one. Returns are left out, else every function
 * called in a loop would look for its callers. */
static bool ends_indirect(const struct rv_block *b)
{
    const struct rv_op *t = &b->ops[b->n_ops - 1];
    return t->opc == RV_OP_JALR && t->rd == RV_XSINK && t->rs1 != 1 && t->rs1 != 5;
}

struct walk {
    const struct rv_cache *c;
    const struct rv_jit *j;
    struct rv_block *cand[CAND_MAX];
    int succ[CAND_MAX][2];        /* index in cand of each constant successor, or -1 */
    unsigned n_succ[CAND_MAX];
    unsigned n, walked;           /* blocks met, and of those walked from */
    bool indirect;                /* a computed jump was met */
    bool on_loop[CAND_MAX];
    /* A Bloom filter of the pcs met (one hash, 1024 bits): the jump
     * cache's scan asks about each of its blocks' successors, thousands
     * of times, and nearly every answer is no. */
    uint64_t met[16];
};

static unsigned met_bit(uint64_t pc)
{
    return (unsigned)(((pc >> 1) * 0x9e3779b97f4a7c15ull) >> 54);
}

static void add(struct walk *w, struct rv_block *b)
{
    unsigned k = met_bit(b->pc);
    w->met[k >> 6] |= 1ull << (k & 63);
    w->cand[w->n++] = b;
}

/* The index of the block at pc among the first n met, or -1. */
static int find(const struct walk *w, unsigned n, uint64_t pc)
{
    unsigned k = met_bit(pc);
    if (!(w->met[k >> 6] >> (k & 63) & 1))
        return -1;
    for (unsigned i = 0; i < n; i++)
        if (w->cand[i]->pc == pc)
            return (int)i;
    return -1;
}

/* Walks on from the blocks met but not walked from yet. */
static void walk_on(struct walk *w)
{
    for (; w->walked < w->n; w->walked++) {
        unsigned i = w->walked;
        uint64_t pcs[2];
        w->indirect |= ends_indirect(w->cand[i]);
        w->n_succ[i] = rv_block_succs(w->cand[i], pcs);
        for (unsigned s = 0; s < w->n_succ[i]; s++) {
            int at = find(w, w->n, pcs[s]);
            if (at < 0 && w->n < CAND_MAX) {
                struct rv_block *b = rv_cache_find(w->c, pcs[s]);
                if (b && rv_jit_block_ok(w->j, b)) {
                    at = (int)w->n;
                    add(w, b);
                }
            }
            w->succ[i][s] = at;
        }
    }
}

/* The jump cache's blocks with a constant edge into the blocks met: what
 * a computed jump among them may reach. Whether any was added. */
static bool add_jump_cache_preds(struct walk *w)
{
    unsigned before = w->n;
    for (unsigned k = 0; k < (1u << RV_JC_BITS) && w->n < CAND_MAX; k++) {
        struct rv_block *b = w->c->jc[k];
        uint64_t pcs[2];
        if (!b)
            continue;
        unsigned ns = rv_block_succs(b, pcs);
        for (unsigned s = 0; s < ns; s++)
            if (find(w, before, pcs[s]) >= 0) {
                if (find(w, w->n, b->pc) < 0 && rv_jit_block_ok(w->j, b))
                    add(w, b);
                break;
            }
    }
    return w->n > before;
}

/* On a loop through the head: an edge to the head or to a block that is
 * (a fixed point over at most CAND_MAX blocks); with indirect, a
 * computed jump is taken to reach any block met, the head too. */
static void mark_loops(struct walk *w, bool indirect)
{
    memset(w->on_loop, 0, sizeof w->on_loop);
    for (bool changed = true; changed;) {
        changed = false;
        for (unsigned i = 0; i < w->n; i++) {
            if (w->on_loop[i])
                continue;
            bool reaches = indirect && ends_indirect(w->cand[i]);
            for (unsigned s = 0; s < w->n_succ[i]; s++)
                reaches |= w->succ[i][s] == 0 || (w->succ[i][s] > 0 && w->on_loop[w->succ[i][s]]);
            if (reaches)
                w->on_loop[i] = changed = true;
        }
    }
}

/* Is block i on a loop of direct jumps among the blocks met? */
static bool on_direct_loop(const struct walk *w, unsigned i)
{
    bool seen[CAND_MAX] = { false };
    unsigned stack[CAND_MAX], top = 0;
    stack[top++] = i;
    while (top) {
        unsigned b = stack[--top];
        for (unsigned s = 0; s < w->n_succ[b]; s++) {
            int t = w->succ[b][s];
            if (t == (int)i)
                return true;
            if (t >= 0 && !seen[t]) {
                seen[t] = true;
                stack[top++] = (unsigned)t;
            }
        }
    }
    return false;
}

unsigned rv_region_form(const struct rv_cache *c, const struct rv_jit *j, struct rv_block *head,
                        struct rv_block *out[RV_REGION_MAX], bool late)
{
    out[0] = head;
    if (!rv_jit_block_ok(j, head))
        return late;   /* its end is not compiled: nothing follows it, it is on no loop */
    struct walk walk = { .c = c, .j = j }, *w = &walk;   /* about 1 KiB */
    add(w, head);
    walk_on(w);
    mark_loops(w, false);
    /* A loop of direct jumps is the region. Only where there is none may
     * a computed jump close one; and the inner loops of direct jumps it
     * meets stay out (each is the region of its own head: taken in, they
     * would share their registers with every block around them). */
    if (!w->on_loop[0] && !late)
        return 0;
    if (!w->on_loop[0] && w->indirect) {
        for (unsigned round = 0; round < 4 && w->n < CAND_MAX && add_jump_cache_preds(w); round++)
            walk_on(w);
        mark_loops(w, true);
        for (unsigned i = 1; i < w->n; i++)
            if (w->on_loop[i] && on_direct_loop(w, i))
                w->on_loop[i] = false;
    }
    unsigned m = 1;
    if (w->on_loop[0])
        for (unsigned i = 1; i < w->n && m < RV_REGION_MAX; i++)
            if (w->on_loop[i])
                out[m++] = w->cand[i];
    return m;
}

int rv_region_index(struct rv_block *const *rb, unsigned n, uint64_t pc)
{
    for (unsigned i = 0; i < n; i++)
        if (rb[i]->pc == pc)
            return (int)i;
    return -1;
}

unsigned rv_region_jalrs(struct rv_block *const *rb, unsigned n)
{
    unsigned count = 0;
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = 0; k < rb[i]->n_ops; k++)
            count += rb[i]->ops[k].opc == RV_OP_JALR;
    return count;
}
