/*
 * jit_a64.c — the block compiler's AArch64 backend (AAPCS64, Linux): the
 * same contract as the x86-64 one (rv/jit.h), a simpler compiler.
 *
 * Each op becomes a fixed AArch64 sequence, in block order, with no
 * regions (a region is compiled as its head block alone). What it has:
 *   - a register cache: the guest x registers the block uses most (twice,
 *     or once in a block that loops on itself) live in x20..x28 from block
 *     entry to exit, loaded after the prologue and written back at every
 *     exit (those some op writes); they are callee-saved, so they survive
 *     the helper calls. The other x registers and all f registers are read
 *     from and written to the hart at each op;
 *   - a block that branches or jumps to its own start loops in place,
 *     and one that goes to another compiled block goes straight on to its
 *     code through the jump cache (chaining), both charging the budget as
 *     the interpreter's block entry does;
 *   - every integer op of RV64IM, Zba and most of Zbb (not cpop, orc.b),
 *     with RISC-V's division-by-zero and overflow results;
 *   - loads and stores probing the hart's TLB inline as the interpreter
 *     does (tag == va & (page mask | (size - 1)), so a misaligned access
 *     misses), misses calling rv_load_slow / rv_store_slow in line;
 *   - F and D ops through the portable helpers of rv/jit_fp.c (and the
 *     sign-injection and move ops of D inline);
 *   - FENCE as a full barrier (dmb ish): AArch64 orders less than x86-64.
 * Anything else (ecall, ebreak, fence.i, atomics, CSRs, illegal encodings,
 * cpop, orc.b) ends the code with RV_JIT_INTERPRET at that op.
 *
 * Frame (FRAME bytes, sp 16-byte aligned): x29, x30 at [sp], x19 at
 * [sp + 16], [sp + 24] the slot rv_load_slow writes, [sp + 32] the chained
 * flag, x20..x28 from [sp + 48]. x19 = h (callee-saved: survives helper
 * calls). x0..x7 and x16 are temporaries.
 */
#include "rv/jit.h"

#if defined(__aarch64__) && defined(__linux__)

#include <stdlib.h>
#include <string.h>

#include "rv/cache.h"
#include "rv/fpu.h"
#include "rv/jit_int.h"
#include "rv/region.h"

#define JIT_OP_BYTES 512     /* room reserved per op, with margin */
#define JIT_BLOCK_BYTES 256  /* prologue and final exit */

#define HOFF(field) offsetof(struct rv_hart, field)
_Static_assert(offsetof(struct rv_hart, x) == 0, "x[] first");
_Static_assert(HOFF(pc) % 8 == 0 && HOFF(budget) % 8 == 0 && HOFF(tval) % 8 == 0 && HOFF(tlb_r) % 8 == 0 && HOFF(tlb_w) % 8 == 0,
               "64-bit fields loaded with scaled offsets");
_Static_assert(HOFF(tlb_mask16) % 4 == 0 && HOFF(frm) % 4 == 0 && HOFF(fflags) % 4 == 0 && HOFF(fflags) < 4 * 4096,
               "32-bit fields loaded with scaled offsets");
_Static_assert(HOFF(tlb_w) < 8 * 4096 && HOFF(f) + 8 * 32 < 8 * 4096, "within a scaled 12-bit offset");
_Static_assert(sizeof(struct rv_tlb_entry) == 16 && offsetof(struct rv_tlb_entry, addend) == 8,
               "TLB entries of 16 bytes, addend after tag");
_Static_assert(MEM_PAGE_SHIFT == 12, "TLB offset is (va >> 8) & tlb_mask16");
_Static_assert(RV_JC_BITS <= 12 && offsetof(struct rv_cache, jc) % 8 == 0 && HOFF(cache) % 8 == 0 &&
               offsetof(struct rv_block, jit) % 8 == 0 && offsetof(struct rv_block, n_insns) % 4 == 0,
               "chaining's loads take scaled 12-bit offsets");

struct rv_jit {
    struct rv_jit_buf code;
    size_t used;
    size_t last;   /* bytes of the last compilation's code */
};

/* ---- the assembler ----------------------------------------------------------- */

struct a64 {
    uint32_t *p, *end;
    bool overflow;
    const int8_t *cache;   /* the host register of each guest x register, or -1 (the register cache) */
};

enum { X0, X1, X2, X3, X4, X5, X6, X7, X16 = 16, X19 = 19, X20, X28 = 28, X29, X30, XZR = 31, SP = 31 };
enum { EQ, NE, HS, LO, MI, PL, VS, VC, HI, LS, GE, LT, GT, LE };

static void emit(struct a64 *a, uint32_t w)
{
    if (a->p < a->end)
        *a->p++ = w;
    else
        a->overflow = true;
}

/* Three-register data processing: base | m << 16 | n << 5 | d. */
static void rrr(struct a64 *a, uint32_t base, int d, int n, int m)
{
    emit(a, base | (uint32_t)m << 16 | (uint32_t)n << 5 | (uint32_t)d);
}

#define ADD_X  0x8b000000u
#define ADD_W  0x0b000000u
#define SUB_X  0xcb000000u
#define SUB_W  0x4b000000u
#define AND_X  0x8a000000u
#define ORR_X  0xaa000000u
#define EOR_X  0xca000000u
#define BIC_X  0x8a200000u
#define ORN_X  0xaa200000u
#define EON_X  0xca200000u
#define LSLV_X 0x9ac02000u
#define LSRV_X 0x9ac02400u
#define ASRV_X 0x9ac02800u
#define RORV_X 0x9ac02c00u
#define LSLV_W 0x1ac02000u
#define LSRV_W 0x1ac02400u
#define ASRV_W 0x1ac02800u
#define RORV_W 0x1ac02c00u
#define MUL_X  0x9b007c00u
#define MUL_W  0x1b007c00u
#define SMULH  0x9b407c00u
#define UMULH  0x9bc07c00u
#define SDIV_X 0x9ac00c00u
#define UDIV_X 0x9ac00800u
#define SDIV_W 0x1ac00c00u
#define UDIV_W 0x1ac00800u

static void mov_rr(struct a64 *a, int d, int n) { rrr(a, ORR_X, d, XZR, n); }
static void sxtw(struct a64 *a, int d, int n) { emit(a, 0x93407c00u | (uint32_t)n << 5 | (uint32_t)d); }
static void uxtw(struct a64 *a, int d, int n) { rrr(a, 0x2a000000u, d, XZR, n); }   /* mov wd, wn */
static void cmp_x(struct a64 *a, int n, int m) { rrr(a, 0xeb00001fu, 0, n, m); }
static void cmp_w(struct a64 *a, int n, int m) { rrr(a, 0x6b00001fu, 0, n, m); }
/* d = c ? n : m */
static void csel(struct a64 *a, int d, int n, int m, int c)
{
    emit(a, 0x9a800000u | (uint32_t)m << 16 | (uint32_t)c << 12 | (uint32_t)n << 5 | (uint32_t)d);
}
/* d = c ? 1 : 0 (csinc d, xzr, xzr, !c) */
static void cset(struct a64 *a, int d, int c) { emit(a, 0x9a9f07e0u | (uint32_t)(c ^ 1) << 12 | (uint32_t)d); }
/* d = c ? n : ~0 (csinv d, n, xzr, c); w: 32 bits */
static void csinv_m1(struct a64 *a, bool w, int d, int n, int c)
{
    emit(a, (w ? 0x5a800000u : 0xda800000u) | (uint32_t)XZR << 16 | (uint32_t)c << 12 | (uint32_t)n << 5 |
                (uint32_t)d);
}
/* d = ra - n * m */
static void msub(struct a64 *a, bool w, int d, int n, int m, int ra)
{
    emit(a, (w ? 0x1b008000u : 0x9b008000u) | (uint32_t)m << 16 | (uint32_t)ra << 10 | (uint32_t)n << 5 |
                (uint32_t)d);
}

static void mov_imm(struct a64 *a, int r, uint64_t v)
{
    unsigned zeros = 0, ones = 0;
    for (unsigned i = 0; i < 4; i++) {
        unsigned h = (unsigned)(v >> (16 * i)) & 0xffff;
        zeros += h == 0;
        ones += h == 0xffff;
    }
    bool neg = ones > zeros, first = true;
    for (unsigned i = 0; i < 4; i++) {
        uint32_t h = (uint32_t)(v >> (16 * i)) & 0xffff;
        if (h == (neg ? 0xffffu : 0))
            continue;
        if (first)   /* movn (of ~h) or movz */
            emit(a, (neg ? 0x92800000u : 0xd2800000u) | i << 21 | (neg ? ~h & 0xffff : h) << 5 | (uint32_t)r);
        else         /* movk */
            emit(a, 0xf2800000u | i << 21 | h << 5 | (uint32_t)r);
        first = false;
    }
    if (first)
        emit(a, (neg ? 0x92800000u : 0xd2800000u) | (uint32_t)r);
}

/* Loads and stores at [n + off] (off scaled by the size, unsigned 12 bits). */
static void ldr64(struct a64 *a, int t, int n, size_t off) { emit(a, 0xf9400000u | (uint32_t)(off / 8) << 10 | (uint32_t)n << 5 | (uint32_t)t); }
static void str64(struct a64 *a, int t, int n, size_t off) { emit(a, 0xf9000000u | (uint32_t)(off / 8) << 10 | (uint32_t)n << 5 | (uint32_t)t); }
static void ldr32(struct a64 *a, int t, int n, size_t off) { emit(a, 0xb9400000u | (uint32_t)(off / 4) << 10 | (uint32_t)n << 5 | (uint32_t)t); }

/* Branches, patched once the target is known. */
static uint32_t *b_cond(struct a64 *a, int c) { uint32_t *at = a->p; emit(a, 0x54000000u | (uint32_t)c); return at; }
static uint32_t *b_fwd(struct a64 *a) { uint32_t *at = a->p; emit(a, 0x14000000u); return at; }
static uint32_t *cbz_w(struct a64 *a, int t) { uint32_t *at = a->p; emit(a, 0x34000000u | (uint32_t)t); return at; }

static void patch(struct a64 *a, uint32_t *at, const uint32_t *to)
{
    if (a->overflow || !at || at >= a->end)
        return;
    int64_t d = to - at;
    if ((*at & 0xfc000000u) == 0x14000000u)
        *at |= (uint32_t)d & 0x03ffffffu;
    else
        *at |= ((uint32_t)d & 0x7ffffu) << 5;
}

static void call(struct a64 *a, uintptr_t fn)
{
    mov_imm(a, X16, fn);
    emit(a, 0xd63f0000u | (uint32_t)X16 << 5);   /* blr x16 */
}

/* ---- guest state --------------------------------------------------------------- */

static void ldx(struct a64 *a, int r, unsigned xr)
{
    if (xr == 0)
        mov_rr(a, r, XZR);
    else if (a->cache[xr] >= 0)
        mov_rr(a, r, a->cache[xr]);
    else
        ldr64(a, r, X19, 8 * (size_t)xr);
}

static void stx(struct a64 *a, int r, unsigned xr)
{
    if (a->cache[xr] >= 0)
        mov_rr(a, a->cache[xr], r);
    else
        str64(a, r, X19, 8 * (size_t)xr);
}
/* The register to read x[xr] from: its cache register, XZR for x0, or
 * tmp loaded from the hart. (XZR is the stack pointer to the immediate
 * and extended-register forms of add: add_imm takes care of it.) */
static int src(struct a64 *a, int tmp, unsigned xr)
{
    if (xr == 0)
        return XZR;
    if (a->cache[xr] >= 0)
        return a->cache[xr];
    ldr64(a, tmp, X19, 8 * (size_t)xr);
    return tmp;
}

/* Where to compute x[rd]'s new value: its cache register, or tmp, which
 * put() then stores. */
static int dst(struct a64 *a, int tmp, unsigned rd) { return a->cache[rd] >= 0 ? a->cache[rd] : tmp; }

static void put(struct a64 *a, int d, unsigned rd)
{
    if (a->cache[rd] < 0)
        str64(a, d, X19, 8 * (size_t)rd);
}

static void ldf(struct a64 *a, int r, unsigned fr) { ldr64(a, r, X19, HOFF(f) + 8 * (size_t)fr); }
static void stf(struct a64 *a, int r, unsigned fr) { str64(a, r, X19, HOFF(f) + 8 * (size_t)fr); }

#define CACHE_MAX 9         /* x20..x28 */

struct jc {
    struct a64 a;
    const struct rv_block *b;            /* the block being emitted */
    struct rv_block *const *rb;          /* the region (rv/region.h): rb[0] is the head */
    unsigned n_rb;
    uint32_t *label[RV_REGION_MAX];      /* where each block's code starts, once emitted */
    struct fixup { uint32_t *at; unsigned to; } *fix;   /* branches to blocks not yet emitted */
    unsigned n_fix, max_fix;
    int8_t cache[RV_XSINK + 1];
    uint64_t written;       /* cached registers some op writes: written back at exits */
};

/* In the head, the block the interpreter called? (Only there can the code
 * have been entered other than by chaining.) */
static bool at_head(const struct jc *c) { return c->b == c->rb[0]; }


/* Stores the cached registers the block writes, before it leaves. */
static void write_back(struct jc *c)
{
    for (unsigned xr = 1; xr < RV_XSINK; xr++)
        if (c->written >> xr & 1)
            str64(&c->a, c->cache[xr], X19, 8 * (size_t)xr);
}

static uint64_t op_pc(const struct jc *c, const struct rv_op *op) { return c->b->pc + op->pcoff; }

/*
 * Every block's code has the same frame: x29, x30 at [sp], x19 at
 * [sp + 16], the load slot at [sp + 24] and at [sp + FLAG_OFF] 1 if the
 * code was entered by chaining (emit_chain): then its exits cannot be
 * reported as op indices, which the interpreter would apply to the block
 * it called (emit_exit). Chaining reuses the frame it is in, sets the
 * flag and jumps CHAIN_ENTRY bytes in, past the prologue.
 */
#define FRAME 128
#define FLAG_OFF 32
#define CACHE_OFF 48
#define CHAIN_ENTRY 36

/* stp / ldp of x(r), x(r + 1) at [sp + off]. */
static void pair_sp(struct a64 *a, bool load, int r, unsigned off)
{
    emit(a, (load ? 0xa9400000u : 0xa9000000u) | (off / 8) << 15 | (uint32_t)(r + 1) << 10 | (uint32_t)SP << 5 |
                (uint32_t)r);
}

/* Returns word to the interpreter. */
static void emit_ret(struct a64 *a, uint64_t word)
{
    mov_imm(a, X0, word);
    for (int r = X20; r < X28; r += 2)
        pair_sp(a, true, r, CACHE_OFF + 8 * (unsigned)(r - X20));
    ldr64(a, X28, SP, CACHE_OFF + 8 * (X28 - X20));
    ldr64(a, X19, SP, 16);
    emit(a, 0xa8c87bfdu);   /* ldp x29, x30, [sp], #FRAME */
    emit(a, 0xd65f03c0u);   /* ret */
}

_Static_assert(FRAME == 128 && CACHE_OFF + 8 * (X28 - X20 + 1) <= FRAME, "the frame's encodings");

/* The frame, then (at CHAIN_ENTRY, where chaining comes in) the cache. */
static void emit_prologue(struct jc *c)
{
    struct a64 *a = &c->a;
    emit(a, 0xa9b87bfdu);   /* stp x29, x30, [sp, #-FRAME]! */
    str64(a, X19, SP, 16);
    for (int r = X20; r < X28; r += 2)
        pair_sp(a, false, r, CACHE_OFF + 8 * (unsigned)(r - X20));
    str64(a, X28, SP, CACHE_OFF + 8 * (X28 - X20));
    mov_rr(a, X19, X0);
    str64(a, XZR, SP, FLAG_OFF);   /* not chained */
}

static void load_cache(struct jc *c)
{
    for (unsigned xr = 1; xr < RV_XSINK; xr++)
        if (c->cache[xr] >= 0)
            ldr64(&c->a, c->cache[xr], X19, 8 * (size_t)xr);
}

/* cbnz taken when this code was entered by chaining. */
static uint32_t *if_chained(struct a64 *a)
{
    ldr64(a, X16, SP, FLAG_OFF);
    uint32_t *at = a->p;
    emit(a, 0xb5000000u | (uint32_t)X16);   /* cbnz x16 */
    return at;
}

/*
 * Leaves at op k with TRAP, INTERPRET or CODE_WRITTEN. Entered by
 * chaining, the code says instead "the ops before k retired, go on at op
 * k's pc" (after the store, for CODE_WRITTEN), which the interpreter
 * takes as an indirect jump: the instructions not run are refunded, and
 * op k runs again from a block that starts there, entered by the
 * interpreter itself, so it reports its own trap. A code write first
 * brings the block cache in line (rv_sync), as the interpreter does.
 */
static void emit_exit(struct jc *c, unsigned kind, unsigned k)
{
    struct a64 *a = &c->a;
    write_back(c);
    if (at_head(c)) {   /* any other block of a region is only reached by its edges, chained */
        uint32_t *chained = if_chained(a);
        emit_ret(a, RV_JIT_EXIT(kind, k));
        patch(a, chained, a->p);
    }
    const struct rv_op *op = &c->b->ops[k];
    bool written = kind == RV_JIT_CODE_WRITTEN;
    ldr64(a, X1, X19, HOFF(budget));
    mov_imm(a, X2, c->b->n_insns - k - (written ? 1 : 0));
    rrr(a, ADD_X, X1, X1, X2);
    str64(a, X1, X19, HOFF(budget));
    mov_imm(a, X1, op_pc(c, op) + (written ? op->len : 0));
    str64(a, X1, X19, HOFF(pc));
    if (written) {
        mov_rr(a, X0, X19);
        call(a, (uintptr_t)rv_sync);
    }
    emit_ret(a, RV_JIT_EXIT(RV_JIT_INDIRECT, k));
}

/*
 * Chaining: goes straight on to the compiled code of the block at target
 * if the interpreter's jump cache holds it, doing what the interpreter's
 * block entry would (the budget check and charge); otherwise falls
 * through, to return.
 */
static void emit_chain(struct jc *c, uint64_t target)
{
    struct a64 *a = &c->a;
    uint32_t *no[4];
    ldr64(a, X0, X19, HOFF(cache));
    ldr64(a, X0, X0, offsetof(struct rv_cache, jc));
    ldr64(a, X0, X0, 8 * (size_t)RV_JC_INDEX(target));
    no[0] = a->p;
    emit(a, 0xb4000000u | (uint32_t)X0);                 /* cbz x0 */
    ldr64(a, X1, X0, offsetof(struct rv_block, pc));
    mov_imm(a, X2, target);
    cmp_x(a, X1, X2);
    no[1] = b_cond(a, NE);
    ldr64(a, X3, X0, offsetof(struct rv_block, jit));
    no[2] = a->p;
    emit(a, 0xb4000000u | (uint32_t)X3);                 /* cbz x3 */
    ldr32(a, X4, X0, offsetof(struct rv_block, n_insns));
    ldr64(a, X5, X19, HOFF(budget));
    cmp_x(a, X5, X4);
    no[3] = b_cond(a, LT);
    rrr(a, SUB_X, X5, X5, X4);
    str64(a, X5, X19, HOFF(budget));
    mov_imm(a, X1, 1);
    str64(a, X1, SP, FLAG_OFF);
    write_back(c);
    emit(a, 0x91000000u | CHAIN_ENTRY << 10 | (uint32_t)X3 << 5 | (uint32_t)X3);   /* add x3, x3, #entry */
    emit(a, 0xd61f0000u | (uint32_t)X3 << 5);            /* br x3 */
    for (unsigned i = 0; i < 4; i++)
        patch(a, no[i], a->p);
}

/*
 * An edge to the region's block m: charges the budget for it as the
 * interpreter's block entry would (budget >= its instructions) and
 * branches to its code, registers still cached; falls through if the
 * budget is short. An edge to the head is a turn of the loop (a block
 * alone that goes to its own start is a region of one). The chained flag
 * is left as it is: the other blocks report every exit as a chained block
 * does, and the head's op-indexed exits name the block the interpreter
 * called, however often the code went round.
 */
static void emit_region_edge(struct jc *c, unsigned m)
{
    struct a64 *a = &c->a;
    ldr64(a, X1, X19, HOFF(budget));
    mov_imm(a, X2, c->rb[m]->n_insns);
    cmp_x(a, X1, X2);
    uint32_t *out = b_cond(a, LT);
    rrr(a, SUB_X, X1, X1, X2);
    str64(a, X1, X19, HOFF(budget));
    uint32_t *jump = b_fwd(a);
    if (c->label[m])
        patch(a, jump, c->label[m]);
    else if (c->n_fix < c->max_fix)
        c->fix[c->n_fix++] = (struct fixup){ jump, m };
    else
        a->overflow = true;   /* cannot happen: rv_jit_compile_region counts them */
    patch(a, out, a->p);
}

/* h->pc = target, then kind at op k (INDIRECT if entered by chaining, or
 * in a block of the region other than its head). To a block of the
 * region, the code goes on there while the budget allows; elsewhere it
 * chains if it can. */
static void emit_leave(struct jc *c, unsigned k, unsigned kind, uint64_t target)
{
    struct a64 *a = &c->a;
    int m = rv_region_index(c->rb, c->n_rb, target);
    if (m >= 0)
        emit_region_edge(c, (unsigned)m);
    else
        emit_chain(c, target);
    mov_imm(a, X1, target);
    str64(a, X1, X19, HOFF(pc));
    write_back(c);
    if (at_head(c)) {
        uint32_t *chained = if_chained(a);
        emit_ret(a, RV_JIT_EXIT(kind, k));
        patch(a, chained, a->p);
    }
    emit_ret(a, RV_JIT_EXIT(RV_JIT_INDIRECT, k));
}

/* An indirect jump to x0 within a region: to the block of the region
 * that starts there, if any (rv/region.c takes the blocks it may reach);
 * falls through otherwise, if the budget is short, or while tracing (as
 * the interpreter's indirect path does not go on then either). */
static void emit_region_dispatch(struct jc *c)
{
    struct a64 *a = &c->a;
    if (c->n_rb < 2)
        return;
    mov_imm(a, X1, HOFF(trace_insns));
    rrr(a, ADD_X, X1, X19, X1);
    emit(a, 0x39400000u | (uint32_t)X1 << 5 | (uint32_t)X1);   /* ldrb w1, [x1] */
    uint32_t *tracing = a->p;
    emit(a, 0x35000000u | (uint32_t)X1);   /* cbnz w1 */
    for (unsigned m = 0; m < c->n_rb; m++) {
        mov_imm(a, X1, c->rb[m]->pc);
        cmp_x(a, X0, X1);
        uint32_t *next = b_cond(a, NE);
        emit_region_edge(c, m);   /* falls through if the budget is short: no other block matches */
        patch(a, next, a->p);
    }
    patch(a, tracing, a->p);
}

/* ---- integer ops ---------------------------------------------------------------- */

/* The registers holding x[rs1] and x[rs2] (or the immediate, in x1). */
static void sources(struct a64 *a, const struct rv_op *op, bool imm, int *n, int *m)
{
    *n = src(a, X0, op->rs1);
    if (imm) {
        mov_imm(a, X1, (uint64_t)(int64_t)op->imm);
        *m = X1;
    } else {
        *m = src(a, X1, op->rs2);
    }
}

/* x0 = x[rs1], x1 = x[rs2] (or the immediate): for the templates that
 * work in the temporaries. */
static void load_sources(struct a64 *a, const struct rv_op *op, bool imm)
{
    ldx(a, X0, op->rs1);
    if (imm)
        mov_imm(a, X1, (uint64_t)(int64_t)op->imm);
    else
        ldx(a, X1, op->rs2);
}

/* d = n + imm (w: 32 bits, not yet extended), in one instruction where
 * the immediate fits 12 bits. */
static void add_imm(struct a64 *a, bool w, int d, int n, int64_t imm)
{
    if (n == XZR) {
        mov_imm(a, d, w ? (uint64_t)(uint32_t)imm : (uint64_t)imm);
    } else if (imm > -4096 && imm < 4096) {
        uint32_t base = imm < 0 ? 0xd1000000u : 0x91000000u;   /* sub / add (immediate), 64-bit */
        emit(a, (w ? base & 0x7fffffffu : base) | (uint32_t)(imm < 0 ? -imm : imm) << 10 | (uint32_t)n << 5 |
                    (uint32_t)d);
    } else {   /* not for RISC-V's 12-bit immediates */
        mov_imm(a, X16, (uint64_t)imm);
        rrr(a, w ? ADD_W : ADD_X, d, n, X16);
    }
}

/* rd = rs1 op rs2 (or the immediate) with the instruction base (a 64-bit
 * form); w: 32 bits, then sign-extended. */
static void binop(struct a64 *a, const struct rv_op *op, uint32_t base, bool imm, bool w)
{
    int d = dst(a, X0, op->rd), n, m;
    if (imm && (base == ADD_X || base == ADD_W)) {
        add_imm(a, w, d, src(a, X0, op->rs1), op->imm);
    } else {
        sources(a, op, imm, &n, &m);
        rrr(a, base, d, n, m);
    }
    if (w)
        sxtw(a, d, d);
    put(a, d, op->rd);
}

/* Shifts and rotates by an immediate (UBFM, SBFM, EXTR), amount masked to
 * the width as RISC-V does; w: 32 bits, then sign-extended. */
enum { SH_LL, SH_RL, SH_RA, SH_ROR };

static void shift_imm(struct a64 *a, const struct rv_op *op, int kind, bool w)
{
    unsigned bits = w ? 32 : 64, sh = (unsigned)op->imm & (bits - 1), top = bits - 1;
    int n = src(a, X0, op->rs1), d = dst(a, X0, op->rd);
    uint32_t sf = w ? 0 : 0x80400000u;   /* 64-bit: sf and N */
    uint32_t insn;
    switch (kind) {
    case SH_LL: insn = 0x53000000u | sf | ((bits - sh) & top) << 16 | (top - sh) << 10; break;   /* ubfm */
    case SH_RL: insn = 0x53000000u | sf | sh << 16 | top << 10; break;                          /* ubfm */
    case SH_RA: insn = 0x13000000u | sf | sh << 16 | top << 10; break;                          /* sbfm */
    default: insn = (w ? 0x13800000u : 0x93c00000u) | (uint32_t)n << 16 | sh << 10; break;      /* extr */
    }
    emit(a, insn | (uint32_t)n << 5 | (uint32_t)d);
    if (w)
        sxtw(a, d, d);
    put(a, d, op->rd);
}

static void slt(struct a64 *a, const struct rv_op *op, int cc, bool imm)
{
    int n, m, d = dst(a, X0, op->rd);
    sources(a, op, imm, &n, &m);
    cmp_x(a, n, m);
    cset(a, d, cc);
    put(a, d, op->rd);
}

static void minmax(struct a64 *a, const struct rv_op *op, int cc)
{
    int n, m, d = dst(a, X0, op->rd);
    sources(a, op, false, &n, &m);
    cmp_x(a, n, m);
    csel(a, d, n, m, cc);
    put(a, d, op->rd);
}

/* DIV[U][W], REM[U][W] with RISC-V's results: x / 0 = all ones, x % 0 = x
 * (AArch64 gives 0 for both: the quotient is fixed, the remainder a - 0 *
 * b is right already); the signed overflow gives the dividend and 0, as
 * AArch64 does. */
static void divrem(struct a64 *a, const struct rv_op *op, bool sign, bool rem, bool w)
{
    load_sources(a, op, false);
    rrr(a, w ? (sign ? SDIV_W : UDIV_W) : (sign ? SDIV_X : UDIV_X), X2, X0, X1);
    if (rem) {
        msub(a, w, X0, X2, X1, X0);
    } else {
        if (w)
            cmp_w(a, X1, XZR);
        else
            cmp_x(a, X1, XZR);
        csinv_m1(a, w, X0, X2, NE);
    }
    if (w)
        sxtw(a, X0, X0);
    stx(a, X0, op->rd);
}

/* rd = x[rs1] << sh + x[rs2], x[rs1] zero-extended first for _UW. */
static void shadd(struct a64 *a, const struct rv_op *op, unsigned sh, bool uw)
{
    load_sources(a, op, false);
    if (uw)   /* add x0, x1, w0, uxtw #sh */
        emit(a, 0x8b204000u | (uint32_t)X0 << 16 | sh << 10 | (uint32_t)X1 << 5 | (uint32_t)X0);
    else      /* add x0, x1, x0, lsl #sh */
        emit(a, ADD_X | (uint32_t)X0 << 16 | sh << 10 | (uint32_t)X1 << 5 | (uint32_t)X0);
    stx(a, X0, op->rd);
}

/* The single-bit ops: x1 = 1 << (x[rs2] or imm), then base (x0, x1). */
static void bitop(struct a64 *a, const struct rv_op *op, uint32_t base, bool imm)
{
    load_sources(a, op, imm);
    mov_imm(a, X2, 1);
    rrr(a, LSLV_X, X1, X2, X1);
    rrr(a, base, X0, X0, X1);
    stx(a, X0, op->rd);
}

static void one_reg(struct a64 *a, const struct rv_op *op, uint32_t insn, uint32_t then)
{
    int n = src(a, X0, op->rs1), d = dst(a, X0, op->rd);
    emit(a, insn | (uint32_t)n << 5 | (uint32_t)d);
    if (then)
        emit(a, then | (uint32_t)d << 5 | (uint32_t)d);
    put(a, d, op->rd);
}

/* ---- memory ------------------------------------------------------------------------ */

/* x1 = va = x[rs1] + imm; a hit leaves x1 = the host address and falls
 * through; a miss branches to the returned b.ne (x1 = va still). */
static uint32_t *tlb_probe(struct a64 *a, const struct rv_op *op, unsigned size, size_t tlb_off)
{
    int n = src(a, X1, op->rs1);
    if (op->imm)
        add_imm(a, false, X1, n, op->imm);
    else if (n != X1)
        mov_rr(a, X1, n);
    mov_imm(a, X2, ~(uint64_t)(MEM_PAGE_SIZE - 1) | (size - 1));
    rrr(a, AND_X, X2, X1, X2);                          /* x2 = tag */
    ldr64(a, X3, X19, tlb_off);
    ldr32(a, X4, X19, HOFF(tlb_mask16));
    emit(a, 0xd340fc00u | 8u << 16 | (uint32_t)X1 << 5 | (uint32_t)X5);   /* lsr x5, x1, #8 */
    rrr(a, AND_X, X5, X5, X4);
    rrr(a, ADD_X, X3, X3, X5);
    ldr64(a, X6, X3, 0);
    cmp_x(a, X6, X2);
    uint32_t *miss = b_cond(a, NE);
    ldr64(a, X6, X3, 8);
    rrr(a, ADD_X, X1, X1, X6);
    return miss;
}

/* t = the value at [x1], extended as the op wants. */
static void load_insn(struct a64 *a, unsigned opc, int t)
{
    static const uint32_t insn[] = {
        [RV_OP_LB] = 0x39800000u, [RV_OP_LH] = 0x79800000u, [RV_OP_LW] = 0xb9800000u, [RV_OP_LD] = 0xf9400000u,
        [RV_OP_LBU] = 0x39400000u, [RV_OP_LHU] = 0x79400000u, [RV_OP_LWU] = 0xb9400000u,
        [RV_OP_FLW] = 0xb9400000u, [RV_OP_FLD] = 0xf9400000u,
    };
    emit(a, insn[opc] | (uint32_t)X1 << 5 | (uint32_t)t);
}

static void emit_load(struct jc *c, unsigned k, const struct rv_op *op)
{
    struct a64 *a = &c->a;
    unsigned size = rv_jit_access_size(op->opc);
    bool fp = op->opc == RV_OP_FLW || op->opc == RV_OP_FLD;
    int d = fp ? X0 : dst(a, X0, op->rd);
    uint32_t *miss = tlb_probe(a, op, size, HOFF(tlb_r));
    load_insn(a, op->opc, d);
    uint32_t *done = b_fwd(a);
    patch(a, miss, a->p);
    mov_rr(a, X0, X19);                                 /* x1 = va */
    mov_imm(a, X2, size);
    emit(a, 0x910063e3u);                               /* add x3, sp, #24 */
    call(a, (uintptr_t)rv_load_slow);
    uint32_t *ok = cbz_w(a, X0);
    emit_exit(c, RV_JIT_TRAP, k);
    patch(a, ok, a->p);
    emit(a, 0x910063e1u);                               /* add x1, sp, #24 */
    load_insn(a, op->opc, d);
    patch(a, done, a->p);
    if (op->opc == RV_OP_FLW) {
        mov_imm(a, X1, 0xffffffff00000000ull);          /* NaN-box */
        rrr(a, ORR_X, X0, X0, X1);
        stf(a, X0, op->rd);
    } else if (op->opc == RV_OP_FLD) {
        stf(a, X0, op->rd);
    } else {
        put(a, d, op->rd);
    }
}

static void emit_store(struct jc *c, unsigned k, const struct rv_op *op)
{
    struct a64 *a = &c->a;
    unsigned size = rv_jit_access_size(op->opc);
    uint32_t *miss = tlb_probe(a, op, size, HOFF(tlb_w));
    int v = X7;
    if (op->opc == RV_OP_FSW || op->opc == RV_OP_FSD)
        ldf(a, X7, op->rs2);
    else
        v = src(a, X7, op->rs2);
    static const uint32_t insn[] = { [1] = 0x39000000u, [2] = 0x79000000u, [4] = 0xb9000000u, [8] = 0xf9000000u };
    emit(a, insn[size] | (uint32_t)X1 << 5 | (uint32_t)v);
    uint32_t *done = b_fwd(a);
    patch(a, miss, a->p);
    mov_rr(a, X0, X19);                                 /* x1 = va */
    mov_imm(a, X2, size);
    if (op->opc == RV_OP_FSW || op->opc == RV_OP_FSD)
        ldf(a, X3, op->rs2);
    else
        ldx(a, X3, op->rs2);
    call(a, (uintptr_t)rv_store_slow);
    uint32_t *ok = cbz_w(a, X0);
    mov_imm(a, X1, 1);
    cmp_w(a, X0, X1);
    uint32_t *trap = b_cond(a, NE);
    emit_exit(c, RV_JIT_CODE_WRITTEN, k);
    patch(a, trap, a->p);
    emit_exit(c, RV_JIT_TRAP, k);
    patch(a, ok, a->p);
    patch(a, done, a->p);
}

/* ---- floating point ------------------------------------------------------------------ */

/* Through the helper: sources to x1..x3, the rounding mode to w4 (a
 * dynamic frm above 4 leaves the op to the interpreter, which raises the
 * illegal instruction), the result to rd. */
static void emit_fp_call(struct jc *c, unsigned k, const struct rv_op *op, const struct rv_jit_fp_desc *d)
{
    struct a64 *a = &c->a;
    const unsigned rs[3] = { op->rs1, op->rs2, op->rs3 };
    for (unsigned i = 0; i < 3; i++) {
        if (d->src[i] == JIT_K_X)
            ldx(a, X1 + (int)i, rs[i]);
        else if (d->src[i] == JIT_K_F)
            ldf(a, X1 + (int)i, rs[i]);
    }
    if (d->rm && op->rm == 7) {
        ldr32(a, X4, X19, HOFF(frm));
        emit(a, 0x7100109fu);                           /* cmp w4, #4 */
        uint32_t *ok = b_cond(a, LS);
        emit_exit(c, RV_JIT_INTERPRET, k);
        patch(a, ok, a->p);
    } else {
        mov_imm(a, X4, d->rm ? op->rm : 0);
    }
    mov_rr(a, X0, X19);
    call(a, (uintptr_t)d->fn);
    if (d->dst == JIT_K_X)
        stx(a, X0, op->rd);
    else
        stf(a, X0, op->rd);
}

/*
 * rv/fpu.h's host fast path, inline, as on x86-64 (rv/jit.c has the
 * reasoning): in round-to-nearest-even with NX already accrued, operands
 * that are not subnormal and a normal result above the smallest normal,
 * the host's IEEE result (FPCR as Linux leaves it: round to nearest, no
 * flush to zero, no default NaN) is the RISC-V result and no flag
 * changes. The range tests compare doubled values, so that the sign bit
 * drops out. Anything else goes on to the helper call (emit_fp_call).
 */
static void emit_fp_inline(struct jc *c, unsigned k, const struct rv_op *op, const struct rv_jit_fp_desc *d)
{
    struct a64 *a = &c->a;
    bool dbl = op->opc >= RV_OP_FADD_D, sqrt = op->opc == RV_OP_FSQRT_S || op->opc == RV_OP_FSQRT_D;
    uint32_t *slow[8];
    unsigned n = 0;
    if (op->rm == 7) {   /* dynamic: frm must be RNE (0) */
        ldr32(a, X4, X19, HOFF(frm));
        slow[n++] = a->p;
        emit(a, 0x35000000u | (uint32_t)X4);                    /* cbnz w4 */
    }
    ldr32(a, X5, X19, HOFF(fflags));
    mov_imm(a, X6, RV_FFLAGS_NX);
    rrr(a, 0x6a000000u, XZR, X5, X6);                           /* tst w5, w6 */
    slow[n++] = b_cond(a, EQ);
    ldf(a, X1, op->rs1);
    if (!sqrt)
        ldf(a, X2, op->rs2);
    static const uint32_t arith[] = { [RV_OP_FADD_S] = 0x1e202800u, [RV_OP_FSUB_S] = 0x1e203800u,
                                      [RV_OP_FMUL_S] = 0x1e200800u, [RV_OP_FDIV_S] = 0x1e201800u,
                                      [RV_OP_FSQRT_S] = 0x1e21c000u, [RV_OP_FADD_D] = 0x1e602800u,
                                      [RV_OP_FSUB_D] = 0x1e603800u, [RV_OP_FMUL_D] = 0x1e600800u,
                                      [RV_OP_FDIV_D] = 0x1e601800u, [RV_OP_FSQRT_D] = 0x1e61c000u };
    /* The format's constants (rv/fpu.h's fpu_h_in_*, fpu_h_res_* and
     * sqrt tests) and its width: single-precision work is 32-bit. */
    static const struct fp_fmt {
        uint64_t in_min2;             /* 2M: an operand passes if 2x - 2 >= 2M */
        uint64_t sqrt_lo, sqrt_span;  /* a root's operand: x - lo < span */
        uint64_t res_lo2, res_span2;  /* a result: 2r - 2c < 2L */
        uint32_t to_fp, from_fp;      /* fmov between the x and fp registers */
    } fmts[2] = {
        { 2 * 0x007fffffu, 0x00800000u, 0x7f000000u, 2 * 0x00800001u, 2 * (0x7f7fffffu - 0x00800001u + 1),
          0x1e270000u, 0x1e260000u },
        { 2 * 0x000fffffffffffffull, 0x0010000000000000ull, 0x7fe0000000000000ull, 2 * 0x0010000000000001ull,
          2 * (0x7fefffffffffffffull - 0x0010000000000001ull + 1), 0x9e670000u, 0x9e660000u },
    };
    const struct fp_fmt *fm = &fmts[dbl];
    uint32_t add = dbl ? ADD_X : ADD_W, sub = dbl ? SUB_X : SUB_W;
    void (*cmp)(struct a64 *, int, int) = dbl ? cmp_x : cmp_w;
    int last = sqrt ? X1 : X2;
    if (!dbl) {   /* NaN-boxed, or they read as the canonical NaN */
        mov_imm(a, X4, 0xffffffffu);
        for (int s = X1; s <= last; s++) {
            emit(a, 0xd340fc00u | 32u << 16 | (uint32_t)s << 5 | (uint32_t)X3);   /* lsr x3, xs, #32 */
            cmp_x(a, X3, X4);
            slow[n++] = b_cond(a, NE);
        }
    }
    if (sqrt) {   /* a positive normal: its root is one too */
        mov_imm(a, X4, fm->sqrt_lo);
        rrr(a, sub, X3, X1, X4);
        mov_imm(a, X4, fm->sqrt_span);
        cmp(a, X3, X4);
        slow[n++] = b_cond(a, HS);
    } else {      /* (|x| - 1) >= M  <=>  2x - 2 >= 2M */
        mov_imm(a, X4, fm->in_min2);
        for (int s = X1; s <= X2; s++) {
            rrr(a, add, X3, s, s);
            add_imm(a, !dbl, X3, X3, -2);
            cmp(a, X3, X4);
            slow[n++] = b_cond(a, LO);
        }
    }
    emit(a, fm->to_fp | (uint32_t)X1 << 5 | 0u);                /* fmov d0|s0, x1|w1 */
    emit(a, fm->to_fp | (uint32_t)X2 << 5 | 1u);                /* fmov d1|s1, x2|w2 */
    emit(a, arith[op->opc] | (sqrt ? 0u : 1u << 16));           /* op 0, 0(, 1) */
    emit(a, fm->from_fp | 0u << 5 | (uint32_t)X0);              /* fmov x0|w0, d0|s0 */
    if (!sqrt) {  /* (|r| - c) < L  <=>  2r - 2c < 2L */
        rrr(a, add, X3, X0, X0);
        mov_imm(a, X4, fm->res_lo2);
        rrr(a, sub, X3, X3, X4);
        mov_imm(a, X4, fm->res_span2);
        cmp(a, X3, X4);
        slow[n++] = b_cond(a, HS);
    }
    if (!dbl) {
        mov_imm(a, X4, 0xffffffff00000000ull);                  /* NaN-box */
        rrr(a, ORR_X, X0, X0, X4);
    }
    stf(a, X0, op->rd);
    uint32_t *done = b_fwd(a);
    for (unsigned i = 0; i < n; i++)
        patch(a, slow[i], a->p);
    emit_fp_call(c, k, op, d);
    patch(a, done, a->p);
}

/* FSGNJ[N|X].D and the moves between x and f registers of D. */
static void emit_fp_bits(struct a64 *a, const struct rv_op *op)
{
    switch (op->opc) {
    case RV_OP_FMV_X_D:
        ldf(a, X0, op->rs1);
        stx(a, X0, op->rd);
        return;
    case RV_OP_FMV_D_X:
        ldx(a, X0, op->rs1);
        stf(a, X0, op->rd);
        return;
    default:
        break;
    }
    ldf(a, X0, op->rs1);
    ldf(a, X1, op->rs2);
    mov_imm(a, X3, 1ull << 63);
    if (op->opc == RV_OP_FSGNJX_D) {
        rrr(a, AND_X, X1, X1, X3);
        rrr(a, EOR_X, X0, X0, X1);
    } else {
        rrr(a, BIC_X, X0, X0, X3);
        if (op->opc == RV_OP_FSGNJ_D)
            rrr(a, AND_X, X1, X1, X3);
        else
            rrr(a, BIC_X, X1, X3, X1);
        rrr(a, ORR_X, X0, X0, X1);
    }
    stf(a, X0, op->rd);
}

/* ---- ops ------------------------------------------------------------------------------- */

static bool op_supported(const struct rv_jit *j, const struct rv_op *op)
{
    (void)j;   /* every AArch64 host has what it needs */
    switch (op->opc) {
    case RV_OP_ILLEGAL: case RV_OP_FENCE_I: case RV_OP_ECALL: case RV_OP_EBREAK:
    case RV_OP_LR_W: case RV_OP_LR_D: case RV_OP_SC_W: case RV_OP_SC_D:
    case RV_OP_CSRRW: case RV_OP_CSRRS: case RV_OP_CSRRC:
    case RV_OP_CSRRWI: case RV_OP_CSRRSI: case RV_OP_CSRRCI:
    case RV_OP_CPOP: case RV_OP_CPOPW: case RV_OP_ORC_B:
        return false;
    case RV_OP_FSGNJ_D: case RV_OP_FSGNJN_D: case RV_OP_FSGNJX_D: case RV_OP_FMV_X_D: case RV_OP_FMV_D_X:
    case RV_OP_FLW: case RV_OP_FSW: case RV_OP_FLD: case RV_OP_FSD:
        return true;
    default:
        break;
    }
    if (op->opc >= RV_OP_AMOSWAP_W && op->opc <= RV_OP_AMOMAXU_D)
        return false;
    if (op->opc >= RV_OP_FADD_S && op->opc <= RV_OP_FNMADD_D)
        return rv_jit_fp_ops[op->opc].fn && (!rv_jit_fp_ops[op->opc].rm || op->rm <= 4 || op->rm == 7);
    return true;
}

static void emit_branch(struct jc *c, unsigned k, const struct rv_op *op, int cc)
{
    struct a64 *a = &c->a;
    cmp_x(a, src(a, X0, op->rs1), src(a, X1, op->rs2));
    uint32_t *taken = b_cond(a, cc);
    emit_leave(c, k, RV_JIT_SUCC1, op_pc(c, op) + op->len);
    patch(a, taken, a->p);
    emit_leave(c, k, RV_JIT_SUCC0, op_pc(c, op) + (uint64_t)(int64_t)op->imm);
}

static void emit_op(struct jc *c, unsigned k, const struct rv_op *op)
{
    struct a64 *a = &c->a;
    if (op->rd == RV_XSINK && rv_jit_pure_int(op->opc))
        return;   /* writing x0 has no effect */
    switch (op->opc) {
    case RV_OP_FALLTHRU:
        emit_leave(c, k, RV_JIT_SUCC1, op_pc(c, op));
        return;
    case RV_OP_LI: case RV_OP_LUI: {
        int d = dst(a, X0, op->rd);
        mov_imm(a, d, (uint64_t)(int64_t)op->imm);
        put(a, d, op->rd);
        return;
    }
    case RV_OP_AUIPC:
        mov_imm(a, X0, op_pc(c, op) + (uint64_t)(int64_t)op->imm);
        stx(a, X0, op->rd);
        return;
    case RV_OP_MV: {
        int d = dst(a, X0, op->rd);
        ldx(a, d, op->rs1);
        put(a, d, op->rd);
        return;
    }
    case RV_OP_FENCE:
        emit(a, 0xd5033bbfu);   /* dmb ish */
        return;
    case RV_OP_JAL:
        mov_imm(a, X0, op_pc(c, op) + op->len);
        stx(a, X0, op->rd);
        emit_leave(c, k, RV_JIT_SUCC0, op_pc(c, op) + (uint64_t)(int64_t)op->imm);
        return;
    case RV_OP_JALR:
        /* The target first: rd may be rs1. */
        ldx(a, X0, op->rs1);
        mov_imm(a, X1, (uint64_t)(int64_t)op->imm);
        rrr(a, ADD_X, X0, X0, X1);
        mov_imm(a, X1, ~(uint64_t)1);
        rrr(a, AND_X, X0, X0, X1);
        str64(a, X0, X19, HOFF(pc));
        mov_imm(a, X1, op_pc(c, op) + op->len);
        stx(a, X1, op->rd);
        emit_region_dispatch(c);
        write_back(c);
        emit_ret(a, RV_JIT_EXIT(RV_JIT_INDIRECT, k));
        return;
    case RV_OP_BEQ: emit_branch(c, k, op, EQ); return;
    case RV_OP_BNE: emit_branch(c, k, op, NE); return;
    case RV_OP_BLT: emit_branch(c, k, op, LT); return;
    case RV_OP_BGE: emit_branch(c, k, op, GE); return;
    case RV_OP_BLTU: emit_branch(c, k, op, LO); return;
    case RV_OP_BGEU: emit_branch(c, k, op, HS); return;

    case RV_OP_LB: case RV_OP_LH: case RV_OP_LW: case RV_OP_LD:
    case RV_OP_LBU: case RV_OP_LHU: case RV_OP_LWU: case RV_OP_FLW: case RV_OP_FLD:
        emit_load(c, k, op);
        return;
    case RV_OP_SB: case RV_OP_SH: case RV_OP_SW: case RV_OP_SD: case RV_OP_FSW: case RV_OP_FSD:
        emit_store(c, k, op);
        return;

    case RV_OP_ADDI: binop(a, op, ADD_X, true, false); return;
    case RV_OP_XORI: binop(a, op, EOR_X, true, false); return;
    case RV_OP_ORI: binop(a, op, ORR_X, true, false); return;
    case RV_OP_ANDI: binop(a, op, AND_X, true, false); return;
    case RV_OP_ADDIW: binop(a, op, ADD_W, true, true); return;
    case RV_OP_SLTI: slt(a, op, LT, true); return;
    case RV_OP_SLTIU: slt(a, op, LO, true); return;
    case RV_OP_SLT: slt(a, op, LT, false); return;
    case RV_OP_SLTU: slt(a, op, LO, false); return;
    /* Shifts: AArch64 takes the amount modulo the width, as RISC-V does. */
    case RV_OP_SLLI: shift_imm(a, op, SH_LL, false); return;
    case RV_OP_SRLI: shift_imm(a, op, SH_RL, false); return;
    case RV_OP_SRAI: shift_imm(a, op, SH_RA, false); return;
    case RV_OP_RORI: shift_imm(a, op, SH_ROR, false); return;
    case RV_OP_SLLIW: shift_imm(a, op, SH_LL, true); return;
    case RV_OP_SRLIW: shift_imm(a, op, SH_RL, true); return;
    case RV_OP_SRAIW: shift_imm(a, op, SH_RA, true); return;
    case RV_OP_RORIW: shift_imm(a, op, SH_ROR, true); return;
    case RV_OP_ADD: binop(a, op, ADD_X, false, false); return;
    case RV_OP_SUB: binop(a, op, SUB_X, false, false); return;
    case RV_OP_XOR: binop(a, op, EOR_X, false, false); return;
    case RV_OP_OR: binop(a, op, ORR_X, false, false); return;
    case RV_OP_AND: binop(a, op, AND_X, false, false); return;
    case RV_OP_ADDW: binop(a, op, ADD_W, false, true); return;
    case RV_OP_SUBW: binop(a, op, SUB_W, false, true); return;
    case RV_OP_MUL: binop(a, op, MUL_X, false, false); return;
    case RV_OP_MULW: binop(a, op, MUL_W, false, true); return;
    case RV_OP_MULH: binop(a, op, SMULH, false, false); return;
    case RV_OP_MULHU: binop(a, op, UMULH, false, false); return;
    case RV_OP_MULHSU:
        /* The unsigned high half, less rs2 if rs1 is negative. */
        load_sources(a, op, false);
        rrr(a, UMULH, X2, X0, X1);
        emit(a, 0x9340fc00u | 63u << 16 | (uint32_t)X0 << 5 | (uint32_t)X3);   /* asr x3, x0, #63 */
        rrr(a, AND_X, X3, X3, X1);
        rrr(a, SUB_X, X0, X2, X3);
        stx(a, X0, op->rd);
        return;
    case RV_OP_SLL: binop(a, op, LSLV_X, false, false); return;
    case RV_OP_SRL: binop(a, op, LSRV_X, false, false); return;
    case RV_OP_SRA: binop(a, op, ASRV_X, false, false); return;
    case RV_OP_ROR: binop(a, op, RORV_X, false, false); return;
    case RV_OP_SLLW: binop(a, op, LSLV_W, false, true); return;
    case RV_OP_SRLW: binop(a, op, LSRV_W, false, true); return;
    case RV_OP_SRAW: binop(a, op, ASRV_W, false, true); return;
    case RV_OP_RORW: binop(a, op, RORV_W, false, true); return;
    case RV_OP_ROL: case RV_OP_ROLW:
        /* A right rotation by the negated amount. */
        load_sources(a, op, false);
        rrr(a, SUB_X, X1, XZR, X1);
        rrr(a, op->opc == RV_OP_ROL ? RORV_X : RORV_W, X0, X0, X1);
        if (op->opc == RV_OP_ROLW)
            sxtw(a, X0, X0);
        stx(a, X0, op->rd);
        return;
    case RV_OP_DIV: divrem(a, op, true, false, false); return;
    case RV_OP_DIVU: divrem(a, op, false, false, false); return;
    case RV_OP_REM: divrem(a, op, true, true, false); return;
    case RV_OP_REMU: divrem(a, op, false, true, false); return;
    case RV_OP_DIVW: divrem(a, op, true, false, true); return;
    case RV_OP_DIVUW: divrem(a, op, false, false, true); return;
    case RV_OP_REMW: divrem(a, op, true, true, true); return;
    case RV_OP_REMUW: divrem(a, op, false, true, true); return;

    case RV_OP_SH1ADD: shadd(a, op, 1, false); return;
    case RV_OP_SH2ADD: shadd(a, op, 2, false); return;
    case RV_OP_SH3ADD: shadd(a, op, 3, false); return;
    case RV_OP_ADD_UW: shadd(a, op, 0, true); return;
    case RV_OP_SH1ADD_UW: shadd(a, op, 1, true); return;
    case RV_OP_SH2ADD_UW: shadd(a, op, 2, true); return;
    case RV_OP_SH3ADD_UW: shadd(a, op, 3, true); return;
    case RV_OP_SLLI_UW:
        load_sources(a, op, true);
        uxtw(a, X0, X0);
        rrr(a, LSLV_X, X0, X0, X1);
        stx(a, X0, op->rd);
        return;
    case RV_OP_ANDN: binop(a, op, BIC_X, false, false); return;
    case RV_OP_ORN: binop(a, op, ORN_X, false, false); return;
    case RV_OP_XNOR: binop(a, op, EON_X, false, false); return;
    case RV_OP_CLZ: one_reg(a, op, 0xdac01000u, 0); return;
    case RV_OP_CLZW: one_reg(a, op, 0x5ac01000u, 0); return;
    case RV_OP_CTZ: one_reg(a, op, 0xdac00000u, 0xdac01000u); return;    /* rbit, clz */
    case RV_OP_CTZW: one_reg(a, op, 0x5ac00000u, 0x5ac01000u); return;
    case RV_OP_MAX: minmax(a, op, GT); return;
    case RV_OP_MAXU: minmax(a, op, HI); return;
    case RV_OP_MIN: minmax(a, op, LT); return;
    case RV_OP_MINU: minmax(a, op, LO); return;
    case RV_OP_SEXT_B: one_reg(a, op, 0x93401c00u, 0); return;   /* sxtb */
    case RV_OP_SEXT_H: one_reg(a, op, 0x93403c00u, 0); return;   /* sxth */
    case RV_OP_ZEXT_H: one_reg(a, op, 0xd3403c00u, 0); return;   /* uxth */
    case RV_OP_REV8: one_reg(a, op, 0xdac00c00u, 0); return;     /* rev */
    case RV_OP_BCLR: bitop(a, op, BIC_X, false); return;
    case RV_OP_BCLRI: bitop(a, op, BIC_X, true); return;
    case RV_OP_BSET: bitop(a, op, ORR_X, false); return;
    case RV_OP_BSETI: bitop(a, op, ORR_X, true); return;
    case RV_OP_BINV: bitop(a, op, EOR_X, false); return;
    case RV_OP_BINVI: bitop(a, op, EOR_X, true); return;
    case RV_OP_BEXT: case RV_OP_BEXTI:
        load_sources(a, op, op->opc == RV_OP_BEXTI);
        rrr(a, LSRV_X, X0, X0, X1);
        emit(a, 0x92400000u | (uint32_t)X0 << 5 | (uint32_t)X0);   /* and x0, x0, #1 */
        stx(a, X0, op->rd);
        return;

    case RV_OP_FSGNJ_D: case RV_OP_FSGNJN_D: case RV_OP_FSGNJX_D: case RV_OP_FMV_X_D: case RV_OP_FMV_D_X:
        emit_fp_bits(a, op);
        return;
    default:
        if (rv_jit_fp_inline_ok(op))
            emit_fp_inline(c, k, op, &rv_jit_fp_ops[op->opc]);
        else
            emit_fp_call(c, k, op, &rv_jit_fp_ops[op->opc]);
        return;
    }
}

/* ---- the register cache ------------------------------------------------------------------ */

/* The guest registers the region's compiled ops use at least twice (once
 * if it loops), most used first, up to CACHE_MAX: one assignment for all
 * its blocks. */
static void choose_cache(struct jc *c)
{
    uint8_t regs[CACHE_MAX];
    uint64_t writes;
    bool loops;
    unsigned n = rv_jit_rank_regs(c->rb, c->n_rb, op_supported, NULL, CACHE_MAX, regs, &writes, &loops);
    for (unsigned i = 0; i <= RV_XSINK; i++)
        c->cache[i] = -1;
    c->written = 0;
    for (unsigned i = 0; i < n; i++) {
        c->cache[regs[i]] = (int8_t)(X20 + (int)i);
        c->written |= writes & 1ull << regs[i];
    }
}

/* ---- the interface ----------------------------------------------------------------------- */

struct rv_jit *rv_jit_new(void)
{
    struct rv_jit *j = calloc(1, sizeof *j);
    if (j)
        j->code.size = RV_JIT_BUF_SIZE;
    return j;
}

void rv_jit_free(struct rv_jit *j)
{
    if (!j)
        return;
    rv_jit_buf_unmap(&j->code);
    free(j);
}

void rv_jit_reset(struct rv_jit *j)
{
    if (j)
        j->used = 0;
}

size_t rv_jit_used(const struct rv_jit *j) { return j ? j->used : 0; }
size_t rv_jit_last_size(const struct rv_jit *j) { return j ? j->last : 0; }

bool rv_jit_regions(void) { return true; }


size_t rv_jit_need_region(struct rv_block *const *rb, unsigned n)
{
    size_t need = JIT_BLOCK_BYTES + 96 * (size_t)n * rv_region_jalrs(rb, n);   /* the dispatches */
    for (unsigned i = 0; i < n; i++)
        need += JIT_BLOCK_BYTES + (size_t)rb[i]->n_ops * JIT_OP_BYTES;
    return need;
}

size_t rv_jit_need(const struct rv_block *b)
{
    struct rv_block *const rb[1] = { (struct rv_block *)b };
    return rv_jit_need_region(rb, 1);
}

bool rv_jit_block_ok(const struct rv_jit *j, const struct rv_block *b)
{
    if (!j || b->n_ops == 0)
        return false;
    for (unsigned k = 0; k < b->n_ops; k++)
        if (!op_supported(NULL, &b->ops[k]))
            return false;
    return true;
}

/* The ops of c->b up to its end or the first op not compiled. */
static void emit_block(struct jc *c)
{
    const struct rv_block *b = c->b;
    for (unsigned k = 0; k < b->n_ops; k++) {
        const struct rv_op *op = &b->ops[k];
        if (!op_supported(NULL, op)) {
            emit_exit(c, RV_JIT_INTERPRET, k);
            break;
        }
        emit_op(c, k, op);
        if (rv_op_is_terminator(op->opc))
            break;
    }
}

/*
 * The region laid out as one piece of code: the prologue, the head's
 * code (label[0], where the head's own turns of the loop come back to),
 * then each other block's, 16-byte aligned; branches to blocks not yet
 * emitted are patched at the end.
 */
void *rv_jit_compile_region(struct rv_jit *j, struct rv_block *const *rb, unsigned n)
{
    const struct rv_block *head = n ? rb[0] : NULL;
    if (!j || n == 0 || n > RV_REGION_MAX || head->n_ops == 0 || !op_supported(NULL, &head->ops[0]) ||
        !rv_jit_buf_map(&j->code))
        return NULL;
    size_t need = rv_jit_need_region(rb, n);
    if (j->code.size - j->used < need)
        return NULL;
    unsigned max_fix = 2 * n + n * rv_region_jalrs(rb, n);
    struct jc *c = calloc(1, sizeof *c);
    struct fixup *fix = malloc(max_fix * sizeof *fix);
    if (!c || !fix) {
        free(c);
        free(fix);
        return NULL;
    }
    uint32_t *entry = (uint32_t *)(void *)(j->code.buf + j->used);
    c->b = head;
    c->rb = rb;
    c->n_rb = n;
    c->fix = fix;
    c->max_fix = max_fix;
    c->a = (struct a64){ .p = entry, .end = entry + need / 4, .cache = c->cache };
    choose_cache(c);
    emit_prologue(c);
    bool ok = (uint8_t *)c->a.p - (uint8_t *)entry == CHAIN_ENTRY;   /* fixed encodings */
    load_cache(c);
    c->label[0] = c->a.p;
    emit_block(c);
    for (unsigned m = 1; m < n; m++) {
        c->b = rb[m];
        while (((uintptr_t)c->a.p & 15) && !c->a.overflow)
            emit(&c->a, 0xd503201fu);   /* nop */
        c->label[m] = c->a.p;
        emit_block(c);
    }
    for (unsigned i = 0; i < c->n_fix; i++)
        patch(&c->a, c->fix[i].at, c->label[c->fix[i].to]);
    ok = ok && !c->a.overflow;
    uint32_t *end = c->a.p;
    free(fix);
    free(c);
    if (!ok)
        return NULL;
    __builtin___clear_cache((char *)entry, (char *)end);
    j->last = (size_t)((uint8_t *)end - (uint8_t *)entry);
    j->used = (size_t)((uint8_t *)end - j->code.buf + 15) & ~(size_t)15;
    return entry;
}

void *rv_jit_compile(struct rv_jit *j, const struct rv_block *b)
{
    struct rv_block *const rb[1] = { (struct rv_block *)b };
    return rv_jit_compile_region(j, rb, 1);
}

#endif
