/*
 * jit.c — the block compiler: decoded blocks (rv/decode.h) to host code,
 * with exactly the interpreter's semantics (rv/jit.h has the contract,
 * rv/interp.c is the reference, docs/jit.md the design and measurements).
 *
 * Two backends: this one, x86-64 (System V ABI), and a simpler one for
 * AArch64 (rv/jit_a64.c); every other host gets the stubs at the end (no
 * code buffer: everything is interpreted). A template compiler:
 * each op becomes a fixed x86 sequence, in block order, with
 *   - a register cache: the block's most used guest registers live in host
 *     registers from entry to exit and are written back at every exit;
 *   - loads and stores probing the hart's TLB inline as the interpreter
 *     does (tag == va & (page mask | (size - 1)), so misaligned accesses
 *     miss), misses calling rv_load_slow / rv_store_slow from out-of-line
 *     stubs placed after the block;
 *   - F and D add/sub/mul/div/sqrt inline where rv/fpu.h would take its
 *     host fast path, the other FP ops through helpers (rv/jit_fp.c);
 *   - a block that branches to its own start looping in place, and other
 *     exits jumping straight to the next block's code when it is compiled
 *     (chaining), both charging the budget as the interpreter's block
 *     entry does.
 * Ops it does not compile (ecall, ebreak, fence.i, atomics, the counter
 * CSRs, illegal encodings) end the code with RV_JIT_INTERPRET at that op.
 *
 * Frame and registers of compiled code:
 *     rbx            h + JIT_BIAS (callee-saved: survives helper calls;
 *                    the bias puts x[0..31] within a disp8)
 *     [rsp]          8-byte scratch for rv_load_slow's result
 *     [rsp + 8]      1 if entered by chaining (see emit_exit)
 *     rax rcx rdx rsi  temporaries (rsi holds a load's or store's address)
 *     r9 r10 r11 r8 rdi, rbp r12..r15  the register cache
 */
#include "rv/jit.h"

#include <stddef.h>

#if defined(__x86_64__) && (defined(__linux__) || defined(__unix__))

#include <stdbool.h>
#include <stdlib.h>

#include "rv/cache.h"
#include "rv/fpu.h"
#include "rv/jit_int.h"
#include "rv/jit_x64.h"
#include "rv/region.h"

#define JIT_OP_BYTES 640     /* room reserved per op: hot path and stub, with margin */
#define JIT_BIAS 128
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(offsetof(struct rv_hart, x) == 0, "x[] first: XO() below");
_Static_assert(sizeof(struct rv_tlb_entry) == 16, "TLB index scaled by 16");
_Static_assert(offsetof(struct rv_tlb_entry, addend) == 8, "addend after tag");
_Static_assert(MEM_PAGE_SHIFT == 12 && RV_TLB_MAX_BITS <= 24, "TLB offset is (va >> 8) & tlb_mask16 (32 bits)");

/* Displacements from rbx. */
#define XO(r) ((int32_t)(8 * (int32_t)(r)) - JIT_BIAS)
#define HO(field) ((int32_t)offsetof(struct rv_hart, field) - JIT_BIAS)
#define FO(r) (HO(f) + 8 * (int32_t)(r))

struct rv_jit {
    struct rv_jit_buf code;
    size_t used;         /* code grows up from code.buf */
    size_t sites;        /* site memos (below) grow down from code.buf + code.size */
    size_t last;         /* bytes of the last compilation's code */
    bool popcnt;
};

/*
 * A load's or store's memo of the TLB entry it used last: a hit costs no
 * walk of the TLB table, and above all the address is not held up by the
 * table's index computation and entry load (a chain of 8-10 cycles on a
 * loop-carried pointer or table index). Valid while tag matches and the
 * hart's tlb_epoch is the one recorded (rv/tlb.c bumps it whenever an
 * entry may stop holding). They live at the top of the code buffer,
 * within rip-relative reach, away from the code that runs.
 */
struct site {
    uint64_t tag, addend, epoch;
};

#define SITE_BYTES (sizeof(struct site))

/* Out-of-line code of one op, emitted after the block. */
enum stub_kind { STUB_LOAD, STUB_STORE, STUB_INTERPRET, STUB_FPCALL, STUB_PROBE };

#define STUB_JUMPS 8

struct stub {
    enum stub_kind kind;
    const struct rv_block *b; /* the region's block the op is in */
    unsigned k;               /* op index */
    const struct rv_op *op;
    unsigned n_jumps;
    uint8_t *jumps[STUB_JUMPS];   /* rel32s of the hot path's jumps here */
    uint8_t *back;            /* where the hot path goes on */
    int dst;                  /* STUB_LOAD: the register the value goes to */
    struct site *site;        /* STUB_PROBE: the memo it refills, */
    int32_t tlb_off;          /* the TLB it probes, */
    struct stub *miss;        /* and the slow path of a miss */
};

/* Guest registers cached in host registers for one block: loaded at entry,
 * read and written in the host register only, and written back to h->x[]
 * at every exit (all the cached registers the block writes anywhere: one
 * not yet written holds the value memory has, so storing it is harmless).
 * Around a call, those in caller-saved registers are stored before and
 * reloaded after. */
#define JIT_CACHE_MAX 10

struct jc {
    struct x64 a;
    struct rv_jit *j;
    const struct rv_block *b;          /* the block being emitted */
    struct rv_block *const *rb;        /* the region (rv/region.h): rb[0] is the head */
    unsigned n_rb;
    uint8_t *label[RV_REGION_MAX];     /* where each block's code starts, once emitted */
    struct fixup { uint8_t *rel; unsigned to; } *fix;   /* jumps to blocks not yet emitted */
    unsigned n_fix, max_fix;
    struct stub *stubs;                /* 2 per op at most */
    unsigned n_stubs;
    int8_t host[RV_XSINK + 1];         /* host register of x[i], or -1 */
    unsigned n_cached;
    uint8_t cached[JIT_CACHE_MAX];     /* the guest registers cached */
    bool written[RV_XSINK + 1];        /* cached and written by some op */
    int breg;                          /* host register holding h->budget in code that loops, or -1 */
    uint8_t *loop_top;                 /* after the prologue: a self-loop goes here */
};

static struct stub *add_stub(struct jc *c, enum stub_kind kind, unsigned k, const struct rv_op *op,
                             uint8_t *jump, uint8_t *back)
{
    struct stub *s = &c->stubs[c->n_stubs++];
    *s = (struct stub){ .kind = kind, .b = c->b, .k = k, .op = op, .back = back };
    if (jump)
        s->jumps[s->n_jumps++] = jump;
    return s;
}

/* Another jump of the hot path to stub s. */
static void stub_jump(struct stub *s, uint8_t *jump) { s->jumps[s->n_jumps++] = jump; }

/* ---- small emitters ------------------------------------------------------ */

static bool fits32(uint64_t v) { return (uint64_t)(int64_t)(int32_t)v == v; }

static bool is_callee_saved(int r) { return r == RBX || r == RBP || r >= R12; }

/* r = x[xr] (64 or, with fl 0, 32 bits zero-extended). */
static void ldx_w(struct jc *c, unsigned fl, int r, unsigned xr)
{
    struct x64 *a = &c->a;
    if (xr == 0)
        x_rr(a, 0, 0x33, r, r);
    else if (c->host[xr] >= 0)
        x_rr(a, fl, 0x8b, r, c->host[xr]);
    else
        x_mem(a, fl, 0x8b, r, RBX, -1, XO(xr));
}

static void ldx(struct jc *c, int r, unsigned xr) { ldx_w(c, X_W, r, xr); }

static void stx(struct jc *c, int r, unsigned xr)
{
    struct x64 *a = &c->a;
    if (xr == RV_XSINK)
        return;
    if (c->host[xr] >= 0)
        x_rr(a, X_W, 0x8b, c->host[xr], r);
    else
        x_mem(a, X_W, 0x89, r, RBX, -1, XO(xr));
}

static void ldh(struct x64 *a, int r, int32_t off) { x_mem(a, X_W, 0x8b, r, RBX, -1, off); }
static void sth(struct x64 *a, int r, int32_t off) { x_mem(a, X_W, 0x89, r, RBX, -1, off); }

/* A 64-bit constant into hart memory at off. */
static void sth_imm(struct x64 *a, int32_t off, uint64_t v)
{
    if (fits32(v)) {
        x_mem(a, X_W, 0xc7, 0, RBX, -1, off);
        x_d(a, (uint32_t)v);
    } else {
        x_mov_imm(a, RAX, v);
        sth(a, RAX, off);
    }
}

static void stx_imm(struct jc *c, unsigned xr, uint64_t v)
{
    if (xr == RV_XSINK)
        return;
    if (c->host[xr] >= 0) {
        x_mov_imm(&c->a, c->host[xr], v);
    } else {
        sth_imm(&c->a, XO(xr), v);
    }
}

/* op r, x[xr] with a "r, r/m" opcode (or a group opcode, r the digit). */
static void op_x(struct jc *c, unsigned fl, unsigned opc, int r, unsigned xr)
{
    if (c->host[xr] >= 0)
        x_rr(&c->a, fl, opc, r, c->host[xr]);
    else
        x_mem(&c->a, fl, opc, r, RBX, -1, XO(xr));
}

/* Stores the cached registers the block writes (kind: all, or only those
 * in caller-saved host registers). */
static void write_back(struct jc *c, bool only_volatile)
{
    if (c->breg >= 0 && (!only_volatile || !is_callee_saved(c->breg)))
        x_mem(&c->a, X_W, 0x89, c->breg, RBX, -1, HO(budget));
    for (unsigned i = 0; i < c->n_cached; i++) {
        unsigned xr = c->cached[i];
        if (c->written[xr] && (!only_volatile || !is_callee_saved(c->host[xr])))
            x_mem(&c->a, X_W, 0x89, c->host[xr], RBX, -1, XO(xr));
    }
}

/* Around a call: before, memory gets the values of caller-saved cache
 * registers; after, they are refreshed from it. */
static void save_volatile(struct jc *c) { write_back(c, true); }

static void reload_volatile(struct jc *c)
{
    if (c->breg >= 0 && !is_callee_saved(c->breg))
        x_mem(&c->a, X_W, 0x8b, c->breg, RBX, -1, HO(budget));
    for (unsigned i = 0; i < c->n_cached; i++) {
        int r = c->host[c->cached[i]];
        if (!is_callee_saved(r))
            x_mem(&c->a, X_W, 0x8b, r, RBX, -1, XO(c->cached[i]));
    }
}

static void movsxd(struct x64 *a, int r) { x_rr(a, X_W, 0x63, r, r); }

/* fn: a function's address, as an integer (ISO C converts function
 * pointers to integers, not to object pointers). */
static void call_abs(struct x64 *a, uintptr_t fn)
{
    x_mov_imm(a, RAX, fn);
    x_rr(a, 0, 0xff, 2, RAX);                        /* call rax */
}

/*
 * Entry. Every block's code has the same frame: rbx and all the
 * callee-saved registers pushed, then JIT_FRAME bytes (rsp 16-byte
 * aligned at calls), [rsp] an 8-byte scratch slot, [rsp + FLAG_OFF] 1 if
 * the code was entered by chaining: a chained block's exits cannot be
 * reported as op indices (the interpreter applies those to the block it
 * called), see emit_exit. The interpreter calls the code at its start;
 * chaining reuses the frame it is in, sets the flag and jumps CHAIN_ENTRY
 * bytes in, where the block loads its register cache.
 */
#define JIT_FRAME 24
#define FLAG_OFF 8
#define CHAIN_ENTRY 30

static const int saved_regs[] = { RBP, R12, R13, R14, R15 };

static void emit_prologue(struct jc *c, const uint8_t *entry)
{
    struct x64 *a = &c->a;
    x_push(a, RBX);
    for (unsigned i = 0; i < N_OF(saved_regs); i++)
        x_push(a, saved_regs[i]);
    x_g1_ri(a, X_W, G1_SUB, RSP, JIT_FRAME);        /* entry rsp was 8 mod 16 */
    x_mem(a, X_W, 0xc7, 0, RSP, -1, FLAG_OFF);       /* not chained */
    x_d(a, 0);
    x_mem(a, X_W, 0x8d, RBX, RDI, -1, JIT_BIAS);     /* lea rbx, [rdi + bias] */
    if (a->p - entry != CHAIN_ENTRY)
        a->overflow = true;                          /* cannot happen: fixed encodings */
    for (unsigned i = 0; i < c->n_cached; i++)
        x_mem(a, X_W, 0x8b, c->host[c->cached[i]], RBX, -1, XO(c->cached[i]));
    if (c->breg >= 0) {
        ldh(a, c->breg, HO(budget));
        x_align(a, 16);   /* the top of a loop: where its turns begin */
    }
    c->loop_top = a->p;
}

/* Pops the frame (not the return address). */
static void emit_unwind(struct jc *c)
{
    struct x64 *a = &c->a;
    x_g1_ri(a, X_W, G1_ADD, RSP, JIT_FRAME);
    for (unsigned i = N_OF(saved_regs); i-- > 0;)
        x_pop(a, saved_regs[i]);
    x_pop(a, RBX);
}

/* Returns word to the interpreter; wb: write the cache back first. */
static void emit_ret(struct jc *c, uint64_t word, bool wb)
{
    if (wb)
        write_back(c, false);
    x_mov_imm(&c->a, RAX, word);
    emit_unwind(c);
    x_b(&c->a, 0xc3);
}

static void lea_hart(struct x64 *a, int r) { x_mem(a, X_W, 0x8d, r, RBX, -1, -JIT_BIAS); }

/* Where to compute rd's new value: in its cache register, unless the
 * computation still reads guest register `keep` after its first write
 * to the destination (and keep is rd); otherwise rax, stored by put(). */
static int dst_reg(struct jc *c, unsigned rd, int keep)
{
    if (rd != RV_XSINK && c->host[rd] >= 0 && (int)rd != keep)
        return c->host[rd];
    return RAX;
}

static void put(struct jc *c, int d, unsigned rd)
{
    if (d == RAX)
        stx(c, RAX, rd);
}

/* d = x[xr] (64 or, with fl 0, 32 bits zero-extended); nothing if d
 * already is xr's register (a 32-bit form still zero-extends). */
static void ldx_to(struct jc *c, unsigned fl, int d, unsigned xr)
{
    if (xr != 0 && c->host[xr] == d && fl == X_W)
        return;
    ldx_w(c, fl, d, xr);
}

static uint64_t op_pc(const struct jc *c, const struct rv_op *op) { return c->b->pc + op->pcoff; }

/* In the head, the block the interpreter called? (Only there can the code
 * have been entered other than by chaining.) */
static bool at_head(const struct jc *c) { return c->b == c->rb[0]; }


/* jne32 taken when this code was entered by chaining. */
static uint8_t *jump_if_chained(struct jc *c)
{
    x_mem(&c->a, 0, 0x80, G1_CMP, RSP, -1, FLAG_OFF);   /* cmp byte [rsp + flag], 0 */
    x_b(&c->a, 0);
    return x_jcc32(&c->a, CC_NE);
}

/*
 * Leaves at op k with TRAP, INTERPRET or CODE_WRITTEN. Entered by chaining,
 * the code says instead "the ops before k retired, go on at op k's pc"
 * (after the store, for CODE_WRITTEN), which the interpreter takes as an
 * indirect jump: the un-run instructions are refunded, and the op at k
 * runs again from a block that starts there, entered by the interpreter
 * itself, so it reports its own trap. A code write first brings the block
 * cache in line (rv_sync), as the interpreter does before going on.
 */
static void emit_exit(struct jc *c, unsigned kind, unsigned k)
{
    struct x64 *a = &c->a;
    if (at_head(c)) {   /* any other block of a region is only reached by its edges, chained */
        uint8_t *chained = jump_if_chained(c);
        emit_ret(c, RV_JIT_EXIT(kind, k), true);
        x_patch32(a, chained, a->p);
    }
    const struct rv_op *op = &c->b->ops[k];
    bool written = kind == RV_JIT_CODE_WRITTEN;
    int32_t refund = (int32_t)(c->b->n_insns - k - (written ? 1 : 0));
    if (c->breg >= 0) {
        x_g1_ri(a, X_W, G1_ADD, c->breg, refund);
    } else {
        x_mem(a, X_W, 0x81, G1_ADD, RBX, -1, HO(budget));
        x_d(a, (uint32_t)refund);
    }
    sth_imm(a, HO(pc), op_pc(c, op) + (written ? op->len : 0));
    if (written) {
        write_back(c, false);
        lea_hart(a, RDI);
        call_abs(a, (uintptr_t)rv_sync);
        emit_ret(c, RV_JIT_EXIT(RV_JIT_INDIRECT, k), false);
    } else {
        emit_ret(c, RV_JIT_EXIT(RV_JIT_INDIRECT, k), true);
    }
}

/*
 * Chaining: jumps straight to the compiled code of the block at target if
 * the interpreter's jump cache holds it, doing what the interpreter's
 * block entry would (the budget check and charge); otherwise falls
 * through. The target is the constant `target`, or in rdx (is_const
 * false; then also as the interpreter's indirect path, not while tracing).
 */
static void emit_chain(struct jc *c, bool is_const, uint64_t target)
{
    struct x64 *a = &c->a;
    uint8_t *no[5];
    unsigned n_no = 0;
    ldh(a, RAX, HO(cache));
    x_mem(a, X_W, 0x8b, RAX, RAX, -1, (int32_t)offsetof(struct rv_cache, jc));   /* rax = the jump cache */
    if (is_const) {
        x_mem(a, X_W, 0x8b, RAX, RAX, -1, 8 * (int32_t)RV_JC_INDEX(target));
    } else {
        x_rr(a, 0, 0x8b, RCX, RDX);                  /* ecx = ((pc >> 1) & mask) * 8 */
        x_shift_ri(a, 0, G2_SHL, RCX, 2);
        x_g1_ri(a, 0, G1_AND, RCX, (int32_t)(((1u << RV_JC_BITS) - 1) << 3));
        x_mem(a, X_W, 0x8b, RAX, RAX, RCX, 0);
    }
    x_rr(a, X_W, 0x85, RAX, RAX);
    no[n_no++] = x_jcc32(a, CC_E);
    if (is_const && fits32(target)) {
        x_mem(a, X_W, 0x81, G1_CMP, RAX, -1, (int32_t)offsetof(struct rv_block, pc));
        x_d(a, (uint32_t)target);
    } else {
        if (is_const)
            x_mov_imm(a, RDX, target);
        x_mem(a, X_W, 0x3b, RDX, RAX, -1, (int32_t)offsetof(struct rv_block, pc));
    }
    no[n_no++] = x_jcc32(a, CC_NE);
    x_mem(a, X_W, 0x8b, RCX, RAX, -1, (int32_t)offsetof(struct rv_block, jit));
    x_rr(a, X_W, 0x85, RCX, RCX);
    no[n_no++] = x_jcc32(a, CC_E);
    if (!is_const) {
        x_mem(a, 0, 0x80, G1_CMP, RBX, -1, HO(trace_insns));
        x_b(a, 0);
        no[n_no++] = x_jcc32(a, CC_NE);
    }
    x_mem(a, 0, 0x8b, RDX, RAX, -1, (int32_t)offsetof(struct rv_block, n_insns));
    int breg = c->breg >= 0 ? c->breg : RAX;
    if (c->breg < 0)
        ldh(a, RAX, HO(budget));
    x_rr(a, X_W, 0x3b, breg, RDX);
    no[n_no++] = x_jcc32(a, CC_L);
    x_rr(a, X_W, 0x2b, breg, RDX);
    if (c->breg < 0)
        sth(a, RAX, HO(budget));
    write_back(c, false);   /* (the budget register too) */
    x_mem(a, X_W, 0xc7, 0, RSP, -1, FLAG_OFF);       /* chained */
    x_d(a, 1);
    x_g1_ri(a, X_W, G1_ADD, RCX, CHAIN_ENTRY);
    x_rr(a, 0, 0xff, 4, RCX);                        /* jmp rcx */
    for (unsigned i = 0; i < n_no; i++)
        x_patch32(a, no[i], a->p);
}

/* The interpreter's block entry for n instructions: if the budget has
 * them, takes them from it; otherwise jumps (the rel8 returned). */
static uint8_t *emit_charge(struct jc *c, int32_t n)
{
    struct x64 *a = &c->a;
    int r = c->breg >= 0 ? c->breg : RAX;
    if (c->breg < 0)
        ldh(a, RAX, HO(budget));
    x_g1_ri(a, X_W, G1_CMP, r, n);
    uint8_t *out = x_jcc8(a, CC_L);
    x_g1_ri(a, X_W, G1_SUB, r, n);
    if (c->breg < 0)
        sth(a, RAX, HO(budget));
    return out;
}

/* An edge to the region's block m: charges the budget for it as the
 * interpreter's block entry would and jumps to its code, registers still
 * in place; falls through if the budget is short. The chained flag is
 * left as it is: the other blocks report every exit as a chained block
 * does, and the head's op-indexed exits name the block the interpreter
 * called, however often the code went round the loop. */
static void emit_region_edge(struct jc *c, unsigned m)
{
    struct x64 *a = &c->a;
    uint8_t *out = emit_charge(c, (int32_t)c->rb[m]->n_insns);
    uint8_t *jmp = x_jmp32(a);
    if (c->label[m])
        x_patch32(a, jmp, c->label[m]);
    else if (c->n_fix < c->max_fix)
        c->fix[c->n_fix++] = (struct fixup){ jmp, m };
    else
        a->overflow = true;   /* cannot happen: rv_jit_compile_region counts them */
    x_patch8(a, out, a->p);
}

/* An indirect jump to rdx within a region: to the block of the region
 * that starts there, if any (rv/region.c takes the blocks it may reach);
 * falls through otherwise, or if the budget is short, or while tracing
 * (as the jump cache's path does not go on then). */
static void emit_region_dispatch(struct jc *c)
{
    struct x64 *a = &c->a;
    if (c->n_rb < 2)
        return;
    x_mem(a, 0, 0x80, G1_CMP, RBX, -1, HO(trace_insns));
    x_b(a, 0);
    uint8_t *tracing = x_jcc32(a, CC_NE);
    for (unsigned m = 0; m < c->n_rb; m++) {
        uint64_t pc = c->rb[m]->pc;
        if (fits32(pc)) {
            x_g1_ri(a, X_W, G1_CMP, RDX, (int32_t)pc);
        } else {
            x_mov_imm(a, RCX, pc);
            x_rr(a, X_W, 0x3b, RDX, RCX);
        }
        uint8_t *next = x_jcc32(a, CC_NE);
        emit_region_edge(c, m);   /* falls through if the budget is short: no other block matches */
        x_patch32(a, next, a->p);
    }
    x_patch32(a, tracing, a->p);
}

/* Leaves to the constant target through successor kind (SUCC0/SUCC1):
 * around a one-block loop, to another block of the region or the next
 * block's code, or to the interpreter (as INDIRECT if entered by
 * chaining: the interpreter would follow the successor links of the block
 * it called). */
static void emit_leave(struct jc *c, unsigned k, unsigned kind, uint64_t target)
{
    struct x64 *a = &c->a;
    int m = rv_region_index(c->rb, c->n_rb, target);
    if (m > 0 || (m == 0 && !at_head(c))) {
        emit_region_edge(c, (unsigned)m);
    } else if (m == 0) {
        /* A loop of one block stays here while the budget allows,
         * charging it as the interpreter's block entry does. */
        uint8_t *out = emit_charge(c, (int32_t)c->b->n_insns);
        x_patch32(a, x_jmp32(a), c->loop_top);
        x_patch8(a, out, a->p);
    } else {
        emit_chain(c, true, target);
    }
    sth_imm(a, HO(pc), target);
    if (at_head(c)) {
        uint8_t *chained = jump_if_chained(c);
        emit_ret(c, RV_JIT_EXIT(kind, k), true);
        x_patch32(a, chained, a->p);
    }
    emit_ret(c, RV_JIT_EXIT(RV_JIT_INDIRECT, k), true);
}

/* ---- integer ops ---------------------------------------------------------- */

/* rd = rs1 op rs2 for add/sub/and/or/xor (opc: the r, r/m form); w: ...W. */
static void emit_binop(struct jc *c, const struct rv_op *op, unsigned opc, bool w)
{
    struct x64 *a = &c->a;
    int d = dst_reg(c, op->rd, op->rs1 == op->rs2 ? -1 : (int)op->rs2);
    ldx_to(c, X_W, d, op->rs1);
    op_x(c, w ? 0 : X_W, opc, d, op->rs2);
    if (w)
        movsxd(a, d);
    put(c, d, op->rd);
}

static void emit_binop_imm(struct jc *c, const struct rv_op *op, int ext, bool w)
{
    struct x64 *a = &c->a;
    int d = dst_reg(c, op->rd, -1);
    ldx_to(c, X_W, d, op->rs1);
    if (op->imm != 0 || ext == G1_AND)
        x_g1_ri(a, w ? 0 : X_W, ext, d, op->imm);
    if (w)
        movsxd(a, d);
    put(c, d, op->rd);
}

static void emit_shift_imm(struct jc *c, const struct rv_op *op, int ext, bool w)
{
    struct x64 *a = &c->a;
    int d = dst_reg(c, op->rd, -1);
    ldx_to(c, X_W, d, op->rs1);
    x_shift_ri(a, w ? 0 : X_W, ext, d, (unsigned)op->imm & (w ? 31u : 63u));
    if (w)
        movsxd(a, d);
    put(c, d, op->rd);
}

/* x86 masks the count in cl to 5 or 6 bits, as RISC-V does. The count is
 * copied first, so rd may be rs2. */
static void emit_shift_reg(struct jc *c, const struct rv_op *op, int ext, bool w)
{
    struct x64 *a = &c->a;
    int d = dst_reg(c, op->rd, -1);
    ldx(c, RCX, op->rs2);
    ldx_to(c, X_W, d, op->rs1);
    x_rr(a, w ? 0 : X_W, 0xd3, ext, d);
    if (w)
        movsxd(a, d);
    put(c, d, op->rd);
}

static void setcc_rax(struct x64 *a, int cc)
{
    x_rr(a, 0, 0x0f90 + (unsigned)cc, 0, RAX);       /* setcc al */
    x_rr(a, 0, 0x0fb6, RAX, RAX);                    /* movzx eax, al */
}

static void emit_slt(struct jc *c, const struct rv_op *op, int cc, bool imm)
{
    struct x64 *a = &c->a;
    ldx(c, RAX, op->rs1);
    if (imm)
        x_g1_ri(a, X_W, G1_CMP, RAX, op->imm);
    else
        op_x(c, X_W, 0x3b, RAX, op->rs2);
    setcc_rax(a, cc);
    stx(c, RAX, op->rd);
}

/* DIV/DIVU/REM/REMU and W forms: x86's divide traps on a zero divisor and
 * on INT_MIN / -1, where RISC-V defines results; branch around both. */
static void emit_div(struct jc *c, const struct rv_op *op, bool sign, bool rem, bool w)
{
    struct x64 *a = &c->a;
    unsigned fl = w ? 0 : X_W;
    ldx_w(c, fl, RAX, op->rs1);
    ldx_w(c, fl, RCX, op->rs2);
    x_rr(a, fl, 0x85, RCX, RCX);                     /* test rcx, rcx */
    uint8_t *to_zero = x_jcc8(a, CC_E);
    uint8_t *to_done1 = NULL;
    if (sign) {
        x_g1_ri(a, fl, G1_CMP, RCX, -1);
        uint8_t *to_norm = x_jcc8(a, CC_NE);
        if (rem)
            x_rr(a, 0, 0x33, RAX, RAX);              /* x % -1 == 0 */
        else
            x_rr(a, fl, 0xf7, G3_NEG, RAX);          /* x / -1 == -x, INT_MIN stays */
        to_done1 = x_jmp8(a);
        x_patch8(a, to_norm, a->p);
        if (w) {
            x_b(a, 0x99);                            /* cdq */
        } else {
            x_b(a, 0x48);
            x_b(a, 0x99);                            /* cqo */
        }
        x_rr(a, fl, 0xf7, G3_IDIV, RCX);
    } else {
        x_rr(a, 0, 0x33, RDX, RDX);
        x_rr(a, fl, 0xf7, G3_DIV, RCX);
    }
    if (rem)
        x_rr(a, X_W, 0x8b, RAX, RDX);
    uint8_t *to_done2 = x_jmp8(a);
    x_patch8(a, to_zero, a->p);
    if (!rem)
        x_mov_imm(a, RAX, ~0ull);                    /* x / 0 == all ones; x % 0 == x */
    x_patch8(a, to_done1, a->p);
    x_patch8(a, to_done2, a->p);
    if (w)
        movsxd(a, RAX);
    stx(c, RAX, op->rd);
}

/* Bit-scan count (clz/ctz): result for a zero input is `zero`. */
static void emit_bitscan(struct jc *c, const struct rv_op *op, bool lead, bool w)
{
    struct x64 *a = &c->a;
    unsigned fl = w ? 0 : X_W;
    unsigned bits = w ? 32 : 64;
    op_x(c, fl, lead ? 0x0fbd : 0x0fbc, RAX, op->rs1);   /* bsr/bsf eax|rax, [rs1] */
    uint8_t *nz = x_jcc8(a, CC_NE);
    /* bsr gives the top bit's index i, clz = bits-1-i: -1 here gives bits. */
    x_mov_imm(a, RAX, lead ? ~0ull : bits);
    x_patch8(a, nz, a->p);
    if (lead) {
        x_rr(a, X_W, 0xf7, G3_NEG, RAX);
        x_g1_ri(a, X_W, G1_ADD, RAX, (int32_t)bits - 1);
    }
    stx(c, RAX, op->rd);
}

/* Zbs: bit index from rs2 (reg) or imm; x86 bt* mask it to 6 bits. */
static void emit_bitop(struct jc *c, const struct rv_op *op, int ext, bool imm)
{
    struct x64 *a = &c->a;
    ldx(c, RAX, op->rs1);
    if (imm) {
        x_rr(a, X_W, 0x0fba, ext, RAX);
        x_b(a, (unsigned)op->imm & 63);
    } else {
        static const unsigned reg_form[8] = { [G8_BT] = 0x0fa3, [G8_BTS] = 0x0fab,
                                              [G8_BTR] = 0x0fb3, [G8_BTC] = 0x0fbb };
        ldx(c, RCX, op->rs2);
        x_rr(a, X_W, reg_form[ext], RCX, RAX);
    }
    if (ext == G8_BT)
        setcc_rax(a, CC_B);
    stx(c, RAX, op->rd);
}

static void emit_minmax(struct jc *c, const struct rv_op *op, int cc)
{
    struct x64 *a = &c->a;
    ldx(c, RAX, op->rs1);
    ldx(c, RCX, op->rs2);
    x_rr(a, X_W, 0x3b, RAX, RCX);                    /* cmp rax, rcx */
    x_rr(a, X_W, 0x0f40 + (unsigned)cc, RAX, RCX);   /* cmovcc rax, rcx */
    stx(c, RAX, op->rd);
}

/* rd = (zext32?(rs1) << sh) + rs2 */
static void emit_shadd(struct jc *c, const struct rv_op *op, unsigned sh, bool uw)
{
    struct x64 *a = &c->a;
    int d = dst_reg(c, op->rd, op->rs1 == op->rs2 && !uw && !sh ? -1 : (int)op->rs2);
    ldx_to(c, uw ? 0 : X_W, d, op->rs1);
    if (sh)
        x_shift_ri(a, X_W, G2_SHL, d, sh);
    op_x(c, X_W, 0x03, d, op->rs2);
    put(c, d, op->rd);
}

/* ---- control flow --------------------------------------------------------- */

static void emit_branch(struct jc *c, unsigned k, const struct rv_op *op, int cc)
{
    struct x64 *a = &c->a;
    ldx(c, RAX, op->rs1);
    op_x(c, X_W, 0x3b, RAX, op->rs2);
    uint8_t *taken = x_jcc32(a, cc);
    emit_leave(c, k, RV_JIT_SUCC1, op_pc(c, op) + op->len);
    x_patch32(a, taken, a->p);
    emit_leave(c, k, RV_JIT_SUCC0, op_pc(c, op) + (uint64_t)(int64_t)op->imm);
}

/* ---- memory ---------------------------------------------------------------- */

/* A new memo, invalid, below the others at the top of the buffer (the
 * compiler checked the room first). */
static struct site *new_site(struct jc *c)
{
    struct rv_jit *j = c->j;
    j->sites += SITE_BYTES;
    struct site *s = (struct site *)(j->code.buf + j->code.size - j->sites);
    *s = (struct site){ .tag = RV_TLB_INVALID };
    return s;
}

/* The TLB probe proper: rsi = va, rdx = its tag (va & (page mask |
 * size - 1)); a hit leaves rax = the entry, a miss jumps (rel32 returned). */
static uint8_t *emit_tlb_lookup(struct jc *c, int32_t tlb_off)
{
    struct x64 *a = &c->a;
    x_rr(a, 0, 0x8b, RAX, RSI);                      /* eax = va */
    x_shift_ri(a, 0, G2_SHR, RAX, MEM_PAGE_SHIFT - 4);
    x_mem(a, 0, 0x23, RAX, RBX, -1, HO(tlb_mask16)); /* and eax, mask16 */
    x_mem(a, X_W, 0x03, RAX, RBX, -1, tlb_off);      /* add rax, table */
    x_mem(a, X_W, 0x3b, RDX, RAX, -1, 0);            /* cmp rdx, tag */
    return x_jcc32(a, CC_NE);
}

/* rsi = va = x[rs1] + imm; the access's memo (struct site) first, then
 * (out of line, refilling the memo) the TLB whose pointer is at tlb_off
 * in the hart (its size may change at any miss: rv/tlb.c). A hit leaves
 * rsi = host address; a miss jumps to *miss_stub's code (the caller's
 * slow path, set once it exists) with rsi = va. */
static void emit_tlb_probe(struct jc *c, unsigned k, const struct rv_op *op, unsigned size, int32_t tlb_off,
                           struct stub **probe)
{
    struct x64 *a = &c->a;
    struct site *site = new_site(c);
    ldx(c, RSI, op->rs1);
    if (op->imm)
        x_g1_ri(a, X_W, G1_ADD, RSI, op->imm);
    x_rr(a, X_W, 0x8b, RDX, RSI);
    x_g1_ri(a, X_W, G1_AND, RDX, -(int32_t)MEM_PAGE_SIZE | (int32_t)(size - 1));
    x_rip(a, X_W, 0x3b, RDX, &site->tag);            /* cmp rdx, [memo tag] */
    uint8_t *j1 = x_jcc32(a, CC_NE);
    ldh(a, RAX, HO(tlb_epoch));
    x_rip(a, X_W, 0x3b, RAX, &site->epoch);          /* cmp rax, [memo epoch] */
    uint8_t *j2 = x_jcc32(a, CC_NE);
    x_rip(a, X_W, 0x03, RSI, &site->addend);         /* add rsi, [memo addend] */
    struct stub *s = add_stub(c, STUB_PROBE, k, op, j1, a->p);
    stub_jump(s, j2);
    s->site = site;
    s->tlb_off = tlb_off;
    *probe = s;
}

/* The probe's out-of-line part: the TLB, and the memo refilled on a hit. */
static void emit_probe_stub(struct jc *c, const struct stub *s)
{
    struct x64 *a = &c->a;
    stub_jump(s->miss, emit_tlb_lookup(c, s->tlb_off));
    x_mem(a, X_W, 0x8b, RAX, RAX, -1, 8);            /* rax = addend */
    x_rip(a, X_W, 0x89, RDX, &s->site->tag);
    x_rip(a, X_W, 0x89, RAX, &s->site->addend);
    ldh(a, RDX, HO(tlb_epoch));
    x_rip(a, X_W, 0x89, RDX, &s->site->epoch);
    x_rr(a, X_W, 0x03, RSI, RAX);                    /* add rsi, rax */
    x_patch32(a, x_jmp32(a), s->back);
}

/* d = the loaded value, extended as the op wants, from [base]. */
static void emit_load_insn(struct x64 *a, unsigned opc, int d, int base)
{
    switch (opc) {
    case RV_OP_LB: x_mem(a, X_W, 0x0fbe, d, base, -1, 0); break;
    case RV_OP_LH: x_mem(a, X_W, 0x0fbf, d, base, -1, 0); break;
    case RV_OP_LW: x_mem(a, X_W, 0x63, d, base, -1, 0); break;
    case RV_OP_LBU: x_mem(a, 0, 0x0fb6, d, base, -1, 0); break;
    case RV_OP_LHU: x_mem(a, 0, 0x0fb7, d, base, -1, 0); break;
    case RV_OP_LWU: case RV_OP_FLW: x_mem(a, 0, 0x8b, d, base, -1, 0); break;
    default: x_mem(a, X_W, 0x8b, d, base, -1, 0); break;
    }
}

static void emit_load(struct jc *c, unsigned k, const struct rv_op *op)
{
    struct x64 *a = &c->a;
    bool fp = op->opc == RV_OP_FLW || op->opc == RV_OP_FLD;
    int d = fp ? RAX : dst_reg(c, op->rd, -1);
    struct stub *probe;
    emit_tlb_probe(c, k, op, rv_jit_access_size(op->opc), HO(tlb_r), &probe);
    emit_load_insn(a, op->opc, d, RSI);
    probe->miss = add_stub(c, STUB_LOAD, k, op, NULL, a->p);
    probe->miss->dst = d;
    if (op->opc == RV_OP_FLW) {
        x_mov_imm(a, RCX, 0xffffffff00000000ull);    /* NaN-box */
        x_rr(a, X_W, 0x0b, RAX, RCX);
        sth(a, RAX, FO(op->rd));
    } else if (op->opc == RV_OP_FLD) {
        sth(a, RAX, FO(op->rd));
    } else {
        put(c, d, op->rd);
    }
}

static void ld_store_value(struct jc *c, const struct rv_op *op)
{
    struct x64 *a = &c->a;
    if (op->opc == RV_OP_FSW || op->opc == RV_OP_FSD)
        ldh(a, RCX, FO(op->rs2));
    else
        ldx(c, RCX, op->rs2);
}

static void emit_store(struct jc *c, unsigned k, const struct rv_op *op)
{
    struct x64 *a = &c->a;
    unsigned size = rv_jit_access_size(op->opc);
    struct stub *probe;
    emit_tlb_probe(c, k, op, size, HO(tlb_w), &probe);
    ld_store_value(c, op);
    switch (size) {
    case 1: x_mem(a, 0, 0x88, RCX, RSI, -1, 0); break;
    case 2: x_mem(a, X_66, 0x89, RCX, RSI, -1, 0); break;
    case 4: x_mem(a, 0, 0x89, RCX, RSI, -1, 0); break;
    default: x_mem(a, X_W, 0x89, RCX, RSI, -1, 0); break;
    }
    probe->miss = add_stub(c, STUB_STORE, k, op, NULL, a->p);
}

/* ---- floating point --------------------------------------------------------- */


/* The helper call: rm (resolved; a dynamic frm was checked already),
 * sources, call, result. */
static void emit_fp_call(struct jc *c, const struct rv_op *op, const struct rv_jit_fp_desc *d)
{
    struct x64 *a = &c->a;
    static const int arg[3] = { RSI, RDX, RCX };
    const unsigned regs[3] = { op->rs1, op->rs2, op->rs3 };
    /* Sources first: rdi and r8 may hold cached registers until saved. */
    for (int i = 0; i < 3; i++) {
        if (d->src[i] == JIT_K_X)
            ldx(c, arg[i], regs[i]);
        else if (d->src[i] == JIT_K_F)
            ldh(a, arg[i], FO(regs[i]));
    }
    save_volatile(c);
    if (d->rm && op->rm == 7)
        x_mem(a, 0, 0x8b, R8, RBX, -1, HO(frm));
    else
        x_mov_imm(a, R8, d->rm ? op->rm : 0);
    lea_hart(a, RDI);
    call_abs(a, (uintptr_t)d->fn);
    reload_volatile(c);
    if (d->dst == JIT_K_F)
        sth(a, RAX, FO(op->rd));
    else
        stx(c, RAX, op->rd);
}

/* SSE scalar opcode (0f xx) of an inline op. */
static unsigned sse_opcode(unsigned opc)
{
    switch (opc) {
    case RV_OP_FADD_S: case RV_OP_FADD_D: return 0x0f58;
    case RV_OP_FSUB_S: case RV_OP_FSUB_D: return 0x0f5c;
    case RV_OP_FMUL_S: case RV_OP_FMUL_D: return 0x0f59;
    case RV_OP_FDIV_S: case RV_OP_FDIV_D: return 0x0f5e;
    default: return 0x0f51;   /* sqrt */
    }
}

/*
 * rv/fpu.h's host fast path, inline: in round-to-nearest-even with NX
 * already accrued, non-subnormal operands and a normal result above the
 * smallest normal, the host's IEEE result is the RISC-V result and no flag
 * changes (the proof is in rv/fpu.h). The range tests are the same
 * unsigned comparisons, on values doubled so that the sign bit drops out:
 *     (|a| - 1) >= M      <=>  2a - 2 >= 2M
 *     (|r| - c) <  L      <=>  2r - 2c < 2L
 * Anything else calls the helper from a stub, which decides as before.
 */
static void emit_fp_inline(struct jc *c, unsigned k, const struct rv_op *op)
{
    struct x64 *a = &c->a;
    bool d = op->opc >= RV_OP_FADD_D;
    bool sqrt = op->opc == RV_OP_FSQRT_S || op->opc == RV_OP_FSQRT_D;
    struct stub *s = NULL;
#define TO_SLOW(cc) do { \
        uint8_t *j_ = x_jcc32(a, (cc)); \
        if (s) stub_jump(s, j_); else s = add_stub(c, STUB_FPCALL, k, op, j_, NULL); \
    } while (0)
    if (op->rm == 7) {
        x_mem(a, 0, 0x83, G1_CMP, RBX, -1, HO(frm)); /* frm (checked <= 4) == RNE? */
        x_b(a, 0);
        TO_SLOW(CC_NE);
    }
    x_mem(a, 0, 0xf6, 0, RBX, -1, HO(fflags));       /* test byte fflags, NX */
    x_b(a, RV_FFLAGS_NX);
    TO_SLOW(CC_E);
    ldh(a, RSI, FO(op->rs1));
    if (!sqrt)
        ldh(a, RDX, FO(op->rs2));
    if (d) {
        if (sqrt) {
            x_mov_imm(a, RCX, 0x0010000000000000ull);
            x_rr(a, X_W, 0x8b, RAX, RSI);
            x_rr(a, X_W, 0x2b, RAX, RCX);
            x_mov_imm(a, RCX, 0x7fe0000000000000ull);
            x_rr(a, X_W, 0x3b, RAX, RCX);
            TO_SLOW(CC_AE);
        } else {
            x_mov_imm(a, RCX, 2 * 0x000fffffffffffffull);
            x_mem(a, X_W, 0x8d, RAX, RSI, RSI, -2);
            x_rr(a, X_W, 0x3b, RAX, RCX);
            TO_SLOW(CC_B);
            x_mem(a, X_W, 0x8d, RAX, RDX, RDX, -2);
            x_rr(a, X_W, 0x3b, RAX, RCX);
            TO_SLOW(CC_B);
        }
        x_rr(a, X_66 | X_W, 0x0f6e, 0, RSI);         /* movq xmm0, rsi */
        x_rr(a, X_66 | X_W, 0x0f6e, 1, RDX);         /* movq xmm1, rdx */
        x_rr(a, X_F2, sse_opcode(op->opc), 0, sqrt ? 0 : 1);
        x_rr(a, X_66 | X_W, 0x0f7e, 0, RAX);         /* movq rax, xmm0 */
        if (!sqrt) {
            x_mem(a, X_W, 0x8d, RCX, RAX, RAX, 0);
            x_mov_imm(a, RDX, 2 * 0x0010000000000001ull);
            x_rr(a, X_W, 0x2b, RCX, RDX);
            x_mov_imm(a, RDX, 2 * (0x7fefffffffffffffull - 0x0010000000000001ull + 1));
            x_rr(a, X_W, 0x3b, RCX, RDX);
            TO_SLOW(CC_AE);
        }
    } else {
        /* Operands must be NaN-boxed (else they read as the canonical NaN). */
        static const int src[2] = { RSI, RDX };
        for (int i = 0; i < (sqrt ? 1 : 2); i++) {
            x_rr(a, X_W, 0x8b, RAX, src[i]);
            x_shift_ri(a, X_W, G2_SHR, RAX, 32);
            x_g1_ri(a, 0, G1_CMP, RAX, -1);
            TO_SLOW(CC_NE);
        }
        if (sqrt) {
            x_rr(a, 0, 0x8b, RAX, RSI);
            x_g1_ri(a, 0, G1_SUB, RAX, 0x00800000);
            x_g1_ri(a, 0, G1_CMP, RAX, 0x7f000000);
            TO_SLOW(CC_AE);
        } else {
            for (int i = 0; i < 2; i++) {
                x_mem(a, 0, 0x8d, RAX, src[i], src[i], -2);
                x_g1_ri(a, 0, G1_CMP, RAX, 2 * 0x007fffff);
                TO_SLOW(CC_B);
            }
        }
        x_rr(a, X_66, 0x0f6e, 0, RSI);               /* movd xmm0, esi */
        x_rr(a, X_66, 0x0f6e, 1, RDX);               /* movd xmm1, edx */
        x_rr(a, X_F3, sse_opcode(op->opc), 0, sqrt ? 0 : 1);
        x_rr(a, X_66, 0x0f7e, 0, RAX);               /* movd eax, xmm0 */
        if (!sqrt) {
            x_mem(a, 0, 0x8d, RCX, RAX, RAX, 0);
            x_g1_ri(a, 0, G1_SUB, RCX, 2 * 0x00800001);
            x_g1_ri(a, 0, G1_CMP, RCX, (int32_t)(2u * (0x7f7fffffu - 0x00800001u + 1u)));
            TO_SLOW(CC_AE);
        }
        x_mov_imm(a, RCX, 0xffffffff00000000ull);    /* NaN-box */
        x_rr(a, X_W, 0x0b, RAX, RCX);
    }
#undef TO_SLOW
    sth(a, RAX, FO(op->rd));
    s->back = a->p;
}

/* An FP op through its helper, or inline with the helper as the slow path. */
static void emit_fp(struct jc *c, unsigned k, const struct rv_op *op, const struct rv_jit_fp_desc *d)
{
    struct x64 *a = &c->a;
    if (d->rm && op->rm == 7) {
        /* Dynamic: an frm above 4 makes the op illegal; the interpreter
         * raises that, so leave before the op. */
        x_mem(a, 0, 0x83, G1_CMP, RBX, -1, HO(frm));
        x_b(a, 4);
        add_stub(c, STUB_INTERPRET, k, op, x_jcc32(a, CC_A), NULL);
    }
    if (rv_jit_fp_inline_ok(op))
        emit_fp_inline(c, k, op);
    else
        emit_fp_call(c, op, d);
}

/* fsgnj.d and friends (fmv.d, fneg.d, fabs.d) are bit operations: inline. */
static void emit_fsgnj_d(struct jc *c, const struct rv_op *op)
{
    struct x64 *a = &c->a;
    ldh(a, RAX, FO(op->rs1));
    ldh(a, RCX, FO(op->rs2));
    if (op->opc == RV_OP_FSGNJX_D) {
        x_shift_ri(a, X_W, G2_SHR, RCX, 63);         /* rcx = sign of rs2 only */
        x_shift_ri(a, X_W, G2_SHL, RCX, 63);
        x_rr(a, X_W, 0x33, RAX, RCX);
    } else {
        if (op->opc == RV_OP_FSGNJN_D)
            x_rr(a, X_W, 0xf7, G3_NOT, RCX);
        x_shift_ri(a, X_W, G2_SHR, RCX, 63);
        x_shift_ri(a, X_W, G2_SHL, RCX, 63);
        x_rr(a, X_W, 0x0fba, G8_BTR, RAX);
        x_b(a, 63);
        x_rr(a, X_W, 0x0b, RAX, RCX);
    }
    sth(a, RAX, FO(op->rd));
}

/* ---- out-of-line code ---------------------------------------------------------- */

static void emit_stub(struct jc *c, const struct stub *s)
{
    struct x64 *a = &c->a;
    for (unsigned i = 0; i < s->n_jumps; i++)
        x_patch32(a, s->jumps[i], a->p);
    if (s->kind == STUB_INTERPRET) {
        emit_exit(c, RV_JIT_INTERPRET, s->k);
        return;
    }
    if (s->kind == STUB_FPCALL) {
        emit_fp_call(c, s->op, &rv_jit_fp_ops[s->op->opc]);
        x_patch32(a, x_jmp32(a), s->back);
        return;
    }
    if (s->kind == STUB_PROBE) {
        emit_probe_stub(c, s);
        return;
    }
    unsigned size = rv_jit_access_size(s->op->opc);
    /* rsi = va already. The caller-saved part of the cache is saved before
     * rdi is set (it may be a cache register) and restored right after the
     * call, so the exits below write back the right values. */
    if (s->kind == STUB_LOAD) {
        save_volatile(c);
        lea_hart(a, RDI);
        x_mov_imm(a, RDX, size);
        x_rr(a, X_W, 0x8b, RCX, RSP);                /* rcx = &scratch */
        call_abs(a, (uintptr_t)rv_load_slow);
        reload_volatile(c);
        x_rr(a, 0, 0x85, RAX, RAX);
        uint8_t *ok = x_jcc32(a, CC_E);
        emit_exit(c, RV_JIT_TRAP, s->k);
        x_patch32(a, ok, a->p);
        emit_load_insn(a, s->op->opc, s->dst, RSP);
        x_patch32(a, x_jmp32(a), s->back);
    } else {
        ld_store_value(c, s->op);
        save_volatile(c);
        lea_hart(a, RDI);
        x_mov_imm(a, RDX, size);
        call_abs(a, (uintptr_t)rv_store_slow);
        reload_volatile(c);
        x_rr(a, 0, 0x85, RAX, RAX);
        uint8_t *fail = x_jcc8(a, CC_NE);
        x_patch32(a, x_jmp32(a), s->back);
        x_patch8(a, fail, a->p);
        x_g1_ri(a, 0, G1_CMP, RAX, 1);
        uint8_t *trap = x_jcc32(a, CC_NE);
        emit_exit(c, RV_JIT_CODE_WRITTEN, s->k);
        x_patch32(a, trap, a->p);
        emit_exit(c, RV_JIT_TRAP, s->k);
    }
}

/* ---- CSRs ------------------------------------------------------------------------ */

/* Zicsr on fflags (1), frm (2) and fcsr (3), as the interpreter's csr_op:
 * the old value is read first, the source before rd is written; a write
 * happens for csrrw[i] always, for the set/clear forms only when the
 * rs1 field is not 0. All three are readable and writable, so nothing
 * here is illegal. */
static void emit_csr(struct jc *c, const struct rv_op *op)
{
    struct x64 *a = &c->a;
    unsigned csr = (unsigned)op->imm & 0xfff;
    bool imm = op->opc >= RV_OP_CSRRWI;
    bool rw = op->opc == RV_OP_CSRRW || op->opc == RV_OP_CSRRWI;
    bool set = op->opc == RV_OP_CSRRS || op->opc == RV_OP_CSRRSI;
    if (csr == 1) {
        x_mem(a, 0, 0x8b, RAX, RBX, -1, HO(fflags));
    } else {
        x_mem(a, 0, 0x8b, RAX, RBX, -1, HO(frm));
        if (csr == 3) {
            x_shift_ri(a, 0, G2_SHL, RAX, 5);
            x_mem(a, 0, 0x0b, RAX, RBX, -1, HO(fflags));
        }
    }
    if (rw || op->rs1 != 0) {
        if (imm)
            x_mov_imm(a, RDX, op->rs1);
        else
            ldx(c, RDX, op->rs1);
        if (!rw) {
            if (!set)
                x_rr(a, X_W, 0xf7, G3_NOT, RDX);
            x_rr(a, X_W, set ? 0x0b : 0x23, RDX, RAX);   /* or / and rdx, rax */
        }
        if (csr == 3) {
            x_rr(a, 0, 0x8b, RCX, RDX);
            x_g1_ri(a, 0, G1_AND, RCX, 0x1f);
            x_mem(a, 0, 0x89, RCX, RBX, -1, HO(fflags));
            x_shift_ri(a, X_W, G2_SHR, RDX, 5);
        }
        x_g1_ri(a, 0, G1_AND, RDX, csr == 1 ? 0x1f : 7);
        x_mem(a, 0, 0x89, RDX, RBX, -1, csr == 1 ? HO(fflags) : HO(frm));
    }
    stx(c, RAX, op->rd);
}

/* ---- one op ------------------------------------------------------------------ */

/* Does the backend compile op? (Decided before emitting anything for it.) */
static bool op_supported(const struct rv_jit *j, const struct rv_op *op)
{
    switch (op->opc) {
    case RV_OP_ILLEGAL: case RV_OP_FENCE_I: case RV_OP_ECALL: case RV_OP_EBREAK:
    case RV_OP_LR_W: case RV_OP_LR_D: case RV_OP_SC_W: case RV_OP_SC_D:
    case RV_OP_CSRRW: case RV_OP_CSRRS: case RV_OP_CSRRC:
    case RV_OP_CSRRWI: case RV_OP_CSRRSI: case RV_OP_CSRRCI:
        /* fflags, frm, fcsr; the counters (and any illegal CSR) stay with
         * the interpreter. */
        return ((unsigned)op->imm & 0xfff) >= 1 && ((unsigned)op->imm & 0xfff) <= 3;
    case RV_OP_CPOP: case RV_OP_CPOPW:
        return j->popcnt;
    default:
        break;
    }
    if (op->opc >= RV_OP_AMOSWAP_W && op->opc <= RV_OP_AMOMAXU_D)
        return false;
    if (rv_jit_fp_ops[op->opc].fn)
        return !rv_jit_fp_ops[op->opc].rm || op->rm <= 4 || op->rm == 7;
    return true;
}

static void emit_op(struct jc *c, unsigned k, const struct rv_op *op)
{
    struct x64 *a = &c->a;
    if (op->rd == RV_XSINK && rv_jit_pure_int(op->opc))
        return;   /* writing x0 has no effect */
    switch (op->opc) {
    case RV_OP_FALLTHRU:
        emit_leave(c, k, RV_JIT_SUCC1, op_pc(c, op));
        return;
    case RV_OP_LI: case RV_OP_LUI:
        stx_imm(c, op->rd, (uint64_t)(int64_t)op->imm);
        return;
    case RV_OP_AUIPC:
        stx_imm(c, op->rd, op_pc(c, op) + (uint64_t)(int64_t)op->imm);
        return;
    case RV_OP_MV: {
        int d = dst_reg(c, op->rd, -1);
        ldx_to(c, X_W, d, op->rs1);
        put(c, d, op->rd);
        return;
    }
    case RV_OP_FENCE:
        /* x86-64 keeps every order RVWMO asks for except a store before a
         * later load: a fence ordering W before R needs mfence. */
        if ((op->imm & RV_FENCE_PW) && (op->imm & RV_FENCE_SR)) {
            x_b(a, 0x0f); x_b(a, 0xae); x_b(a, 0xf0);
        }
        return;

    case RV_OP_JAL:
        stx_imm(c, op->rd, op_pc(c, op) + op->len);
        emit_leave(c, k, RV_JIT_SUCC0, op_pc(c, op) + (uint64_t)(int64_t)op->imm);
        return;
    case RV_OP_JALR:
        /* The target first: rd may be rs1. */
        ldx(c, RAX, op->rs1);
        if (op->imm)
            x_g1_ri(a, X_W, G1_ADD, RAX, op->imm);
        x_g1_ri(a, X_W, G1_AND, RAX, -2);
        sth(a, RAX, HO(pc));
        x_rr(a, X_W, 0x8b, RDX, RAX);
        stx_imm(c, op->rd, op_pc(c, op) + op->len);
        emit_region_dispatch(c);
        emit_chain(c, false, 0);
        emit_ret(c, RV_JIT_EXIT(RV_JIT_INDIRECT, k), true);
        return;
    case RV_OP_BEQ: emit_branch(c, k, op, CC_E); return;
    case RV_OP_BNE: emit_branch(c, k, op, CC_NE); return;
    case RV_OP_BLT: emit_branch(c, k, op, CC_L); return;
    case RV_OP_BGE: emit_branch(c, k, op, CC_GE); return;
    case RV_OP_BLTU: emit_branch(c, k, op, CC_B); return;
    case RV_OP_BGEU: emit_branch(c, k, op, CC_AE); return;

    case RV_OP_LB: case RV_OP_LH: case RV_OP_LW: case RV_OP_LD:
    case RV_OP_LBU: case RV_OP_LHU: case RV_OP_LWU: case RV_OP_FLW: case RV_OP_FLD:
        emit_load(c, k, op);
        return;
    case RV_OP_SB: case RV_OP_SH: case RV_OP_SW: case RV_OP_SD: case RV_OP_FSW: case RV_OP_FSD:
        emit_store(c, k, op);
        return;

    case RV_OP_ADDI: emit_binop_imm(c, op, G1_ADD, false); return;
    case RV_OP_XORI: emit_binop_imm(c, op, G1_XOR, false); return;
    case RV_OP_ORI: emit_binop_imm(c, op, G1_OR, false); return;
    case RV_OP_ANDI: emit_binop_imm(c, op, G1_AND, false); return;
    case RV_OP_ADDIW: emit_binop_imm(c, op, G1_ADD, true); return;
    case RV_OP_SLTI: emit_slt(c, op, CC_L, true); return;
    case RV_OP_SLTIU: emit_slt(c, op, CC_B, true); return;
    case RV_OP_SLT: emit_slt(c, op, CC_L, false); return;
    case RV_OP_SLTU: emit_slt(c, op, CC_B, false); return;
    case RV_OP_SLLI: emit_shift_imm(c, op, G2_SHL, false); return;
    case RV_OP_SRLI: emit_shift_imm(c, op, G2_SHR, false); return;
    case RV_OP_SRAI: emit_shift_imm(c, op, G2_SAR, false); return;
    case RV_OP_SLLIW: emit_shift_imm(c, op, G2_SHL, true); return;
    case RV_OP_SRLIW: emit_shift_imm(c, op, G2_SHR, true); return;
    case RV_OP_SRAIW: emit_shift_imm(c, op, G2_SAR, true); return;
    case RV_OP_RORI: emit_shift_imm(c, op, G2_ROR, false); return;
    case RV_OP_RORIW: emit_shift_imm(c, op, G2_ROR, true); return;
    case RV_OP_ADD: emit_binop(c, op, 0x03, false); return;
    case RV_OP_SUB: emit_binop(c, op, 0x2b, false); return;
    case RV_OP_XOR: emit_binop(c, op, 0x33, false); return;
    case RV_OP_OR: emit_binop(c, op, 0x0b, false); return;
    case RV_OP_AND: emit_binop(c, op, 0x23, false); return;
    case RV_OP_ADDW: emit_binop(c, op, 0x03, true); return;
    case RV_OP_SUBW: emit_binop(c, op, 0x2b, true); return;
    case RV_OP_MUL: emit_binop(c, op, 0x0faf, false); return;
    case RV_OP_MULW: emit_binop(c, op, 0x0faf, true); return;
    case RV_OP_SLL: emit_shift_reg(c, op, G2_SHL, false); return;
    case RV_OP_SRL: emit_shift_reg(c, op, G2_SHR, false); return;
    case RV_OP_SRA: emit_shift_reg(c, op, G2_SAR, false); return;
    case RV_OP_SLLW: emit_shift_reg(c, op, G2_SHL, true); return;
    case RV_OP_SRLW: emit_shift_reg(c, op, G2_SHR, true); return;
    case RV_OP_SRAW: emit_shift_reg(c, op, G2_SAR, true); return;
    case RV_OP_ROL: emit_shift_reg(c, op, G2_ROL, false); return;
    case RV_OP_ROR: emit_shift_reg(c, op, G2_ROR, false); return;
    case RV_OP_ROLW: emit_shift_reg(c, op, G2_ROL, true); return;
    case RV_OP_RORW: emit_shift_reg(c, op, G2_ROR, true); return;

    case RV_OP_MULH: case RV_OP_MULHU:
        ldx(c, RAX, op->rs1);
        op_x(c, X_W, 0xf7, op->opc == RV_OP_MULH ? G3_IMUL : G3_MUL, op->rs2);
        stx(c, RDX, op->rd);
        return;
    case RV_OP_MULHSU:
        /* Unsigned high half, minus rs2 when rs1 is negative. */
        ldx(c, RAX, op->rs1);
        x_rr(a, X_W, 0x8b, RCX, RAX);
        op_x(c, X_W, 0xf7, G3_MUL, op->rs2);
        x_shift_ri(a, X_W, G2_SAR, RCX, 63);
        op_x(c, X_W, 0x23, RCX, op->rs2);
        x_rr(a, X_W, 0x2b, RDX, RCX);
        stx(c, RDX, op->rd);
        return;
    case RV_OP_DIV: emit_div(c, op, true, false, false); return;
    case RV_OP_DIVU: emit_div(c, op, false, false, false); return;
    case RV_OP_REM: emit_div(c, op, true, true, false); return;
    case RV_OP_REMU: emit_div(c, op, false, true, false); return;
    case RV_OP_DIVW: emit_div(c, op, true, false, true); return;
    case RV_OP_DIVUW: emit_div(c, op, false, false, true); return;
    case RV_OP_REMW: emit_div(c, op, true, true, true); return;
    case RV_OP_REMUW: emit_div(c, op, false, true, true); return;

    case RV_OP_SH1ADD: emit_shadd(c, op, 1, false); return;
    case RV_OP_SH2ADD: emit_shadd(c, op, 2, false); return;
    case RV_OP_SH3ADD: emit_shadd(c, op, 3, false); return;
    case RV_OP_ADD_UW: emit_shadd(c, op, 0, true); return;
    case RV_OP_SH1ADD_UW: emit_shadd(c, op, 1, true); return;
    case RV_OP_SH2ADD_UW: emit_shadd(c, op, 2, true); return;
    case RV_OP_SH3ADD_UW: emit_shadd(c, op, 3, true); return;
    case RV_OP_SLLI_UW:
        ldx_w(c, 0, RAX, op->rs1);
        x_shift_ri(a, X_W, G2_SHL, RAX, (unsigned)op->imm & 63);
        stx(c, RAX, op->rd);
        return;
    case RV_OP_ANDN: case RV_OP_ORN: case RV_OP_XNOR:
        ldx(c, RAX, op->rs2);
        if (op->opc != RV_OP_XNOR)
            x_rr(a, X_W, 0xf7, G3_NOT, RAX);
        op_x(c, X_W, op->opc == RV_OP_ANDN ? 0x23 : op->opc == RV_OP_ORN ? 0x0b : 0x33, RAX, op->rs1);
        if (op->opc == RV_OP_XNOR)
            x_rr(a, X_W, 0xf7, G3_NOT, RAX);
        stx(c, RAX, op->rd);
        return;
    case RV_OP_CLZ: emit_bitscan(c, op, true, false); return;
    case RV_OP_CLZW: emit_bitscan(c, op, true, true); return;
    case RV_OP_CTZ: emit_bitscan(c, op, false, false); return;
    case RV_OP_CTZW: emit_bitscan(c, op, false, true); return;
    case RV_OP_CPOP: case RV_OP_CPOPW:
        op_x(c, X_F3 | (op->opc == RV_OP_CPOP ? X_W : 0), 0x0fb8, RAX, op->rs1);
        stx(c, RAX, op->rd);
        return;
    case RV_OP_MAX: emit_minmax(c, op, CC_L); return;
    case RV_OP_MIN: emit_minmax(c, op, CC_G); return;
    case RV_OP_MAXU: emit_minmax(c, op, CC_B); return;
    case RV_OP_MINU: emit_minmax(c, op, CC_A); return;
    case RV_OP_SEXT_B: op_x(c, X_W, 0x0fbe, RAX, op->rs1); stx(c, RAX, op->rd); return;
    case RV_OP_SEXT_H: op_x(c, X_W, 0x0fbf, RAX, op->rs1); stx(c, RAX, op->rd); return;
    case RV_OP_ZEXT_H: op_x(c, 0, 0x0fb7, RAX, op->rs1); stx(c, RAX, op->rd); return;
    case RV_OP_REV8:
        ldx(c, RAX, op->rs1);
        x_b(a, 0x48);
        x_b(a, 0x0f);
        x_b(a, 0xc8);                                /* bswap rax */
        stx(c, RAX, op->rd);
        return;
    case RV_OP_ORC_B:
        /* pcmpeqb against zero marks the zero bytes; invert. */
        ldx(c, RAX, op->rs1);
        x_rr(a, X_66 | X_W, 0x0f6e, 0, RAX);         /* movq xmm0, rax */
        x_rr(a, X_66, 0x0fef, 1, 1);                 /* pxor xmm1, xmm1 */
        x_rr(a, X_66, 0x0f74, 0, 1);                 /* pcmpeqb xmm0, xmm1 */
        x_rr(a, X_66 | X_W, 0x0f7e, 0, RAX);         /* movq rax, xmm0 */
        x_rr(a, X_W, 0xf7, G3_NOT, RAX);
        stx(c, RAX, op->rd);
        return;
    case RV_OP_BCLR: emit_bitop(c, op, G8_BTR, false); return;
    case RV_OP_BCLRI: emit_bitop(c, op, G8_BTR, true); return;
    case RV_OP_BEXT: emit_bitop(c, op, G8_BT, false); return;
    case RV_OP_BEXTI: emit_bitop(c, op, G8_BT, true); return;
    case RV_OP_BINV: emit_bitop(c, op, G8_BTC, false); return;
    case RV_OP_BINVI: emit_bitop(c, op, G8_BTC, true); return;
    case RV_OP_BSET: emit_bitop(c, op, G8_BTS, false); return;
    case RV_OP_BSETI: emit_bitop(c, op, G8_BTS, true); return;

    case RV_OP_FSGNJ_D: case RV_OP_FSGNJN_D: case RV_OP_FSGNJX_D:
        emit_fsgnj_d(c, op);
        return;
    case RV_OP_FMV_X_D:
        ldh(a, RAX, FO(op->rs1));
        stx(c, RAX, op->rd);
        return;
    case RV_OP_CSRRW: case RV_OP_CSRRS: case RV_OP_CSRRC:
    case RV_OP_CSRRWI: case RV_OP_CSRRSI: case RV_OP_CSRRCI:
        emit_csr(c, op);
        return;
    case RV_OP_FMV_D_X:
        ldx(c, RAX, op->rs1);
        sth(a, RAX, FO(op->rd));
        return;
    default:
        if (rv_jit_fp_ops[op->opc].fn) {
            emit_fp(c, k, op, &rv_jit_fp_ops[op->opc]);
            return;
        }
        /* Not reached: op_supported() said yes to an op without a template. */
        emit_exit(c, RV_JIT_INTERPRET, k);
        return;
    }
}

/* ---- register cache ------------------------------------------------------------ */

/* Picks the guest registers worth a host register: used at least twice
 * in the compiled part of the region (once is enough in a loop, which
 * reuses them every iteration), most used first. The choice holds for
 * every block of the region. */
static void choose_cache(struct jc *c, const struct rv_jit *j)
{
    uint8_t regs[JIT_CACHE_MAX];
    uint64_t writes;
    bool loops;
    unsigned n = rv_jit_rank_regs(c->rb, c->n_rb, op_supported, j, JIT_CACHE_MAX, regs, &writes, &loops);
    for (unsigned i = 0; i <= RV_XSINK; i++) {
        c->host[i] = -1;
        c->written[i] = false;
    }
    /* Callee-saved first: they are saved anyway and survive calls. Code
     * that loops keeps the budget in the last one, which every turn
     * charges: in memory, each turn would wait for the last one's store. */
    static const int cache_regs[JIT_CACHE_MAX] = { RBP, R12, R13, R14, R15, R9, R10, R11, R8, RDI };
    c->breg = loops ? cache_regs[JIT_CACHE_MAX - 1] : -1;
    c->n_cached = loops && n == JIT_CACHE_MAX ? n - 1 : n;
    for (unsigned i = 0; i < c->n_cached; i++) {
        c->host[regs[i]] = (int8_t)cache_regs[i];
        c->cached[i] = regs[i];
        c->written[regs[i]] = writes >> regs[i] & 1;
    }
}

/* ---- the interface ----------------------------------------------------------- */

struct rv_jit *rv_jit_new(void)
{
    struct rv_jit *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->code.size = RV_JIT_BUF_SIZE;
    __builtin_cpu_init();
    j->popcnt = __builtin_cpu_supports("popcnt");
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
        j->used = j->sites = 0;
}

bool rv_jit_regions(void) { return true; }

size_t rv_jit_used(const struct rv_jit *j) { return j ? j->used + j->sites : 0; }
size_t rv_jit_last_size(const struct rv_jit *j) { return j ? j->last : 0; }


/* Bytes of code for the region (its sites apart). */
static size_t code_need(struct rv_block *const *rb, unsigned n)
{
    size_t need = 128 + 48 * (size_t)n * rv_region_jalrs(rb, n);   /* the dispatches */
    for (unsigned i = 0; i < n; i++)
        need += 128 + (size_t)rb[i]->n_ops * JIT_OP_BYTES;   /* edges into it, its ops */
    return need;
}

size_t rv_jit_need_region(struct rv_block *const *rb, unsigned n)
{
    size_t need = code_need(rb, n);
    for (unsigned i = 0; i < n; i++)
        need += (size_t)rb[i]->n_ops * SITE_BYTES;
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
        if (!op_supported(j, &b->ops[k]))
            return false;
    return true;
}

/* The ops of c->b up to its end or the first op not compiled. */
static void emit_block(struct jc *c, const struct rv_jit *j)
{
    const struct rv_block *b = c->b;
    for (unsigned k = 0; k < b->n_ops; k++) {
        const struct rv_op *op = &b->ops[k];
        if (!op_supported(j, op)) {
            emit_exit(c, RV_JIT_INTERPRET, k);
            break;
        }
        emit_op(c, k, op);
        if (rv_op_is_terminator(op->opc))
            break;
    }
}

void *rv_jit_compile_region(struct rv_jit *j, struct rv_block *const *rb, unsigned n)
{
    const struct rv_block *head = rb[0];
    if (!j || n == 0 || n > RV_REGION_MAX || head->n_ops == 0 || !op_supported(j, &head->ops[0]) ||
        !rv_jit_buf_map(&j->code))
        return NULL;
    /* A page between the code and the memos, which are written as the
     * code runs: writes next to running code cost the host dearly. */
    if (j->code.size - j->used - j->sites < rv_jit_need_region(rb, n) + 4096)
        return NULL;
    size_t need = code_need(rb, n), sites = j->sites;
    /* Edges within the region: two a block, and one to each block from
     * every indirect jump (emit_region_dispatch). */
    unsigned n_ops = 0, max_fix = 2 * n + n * rv_region_jalrs(rb, n);
    for (unsigned i = 0; i < n; i++)
        n_ops += rb[i]->n_ops;
    struct jc *c = malloc(sizeof *c);
    struct stub *stubs = malloc(2 * (n_ops + 1) * sizeof *stubs);
    struct fixup *fix = malloc(max_fix * sizeof *fix);
    if (!c || !stubs || !fix) {
        free(c);
        free(stubs);
        free(fix);
        return NULL;
    }
    *c = (struct jc){ .j = j, .rb = rb, .n_rb = n, .b = head, .stubs = stubs, .fix = fix, .max_fix = max_fix };
    c->a.p = j->code.buf + j->used;
    c->a.end = c->a.p + need;
    c->a.overflow = false;
    uint8_t *entry = c->a.p;

    choose_cache(c, j);
    emit_prologue(c, entry);
    c->label[0] = c->loop_top;
    emit_block(c, j);
    for (unsigned m = 1; m < n; m++) {
        c->b = rb[m];
        x_align(&c->a, 16);
        c->label[m] = c->a.p;
        emit_block(c, j);
    }
    for (unsigned i = 0; i < c->n_fix; i++)
        x_patch32(&c->a, c->fix[i].rel, c->label[c->fix[i].to]);
    for (unsigned i = 0; i < c->n_stubs; i++) {
        c->b = c->stubs[i].b;
        emit_stub(c, &c->stubs[i]);
    }

    bool ok = !c->a.overflow;
    size_t end = (size_t)(c->a.p - j->code.buf);
    free(stubs);
    free(fix);
    free(c);
    if (!ok) {
        j->sites = sites;
        return NULL;
    }
    j->last = end - (size_t)(entry - j->code.buf);
    j->used = (end + 15) & ~(size_t)15;
    return entry;
}

void *rv_jit_compile(struct rv_jit *j, const struct rv_block *b)
{
    struct rv_block *const rb[1] = { (struct rv_block *)b };
    return rv_jit_compile_region(j, rb, 1);
}

#elif !(defined(__aarch64__) && defined(__linux__)) /* no backend for this host (AArch64: rv/jit_a64.c) */

struct rv_jit *rv_jit_new(void) { return NULL; }
void rv_jit_free(struct rv_jit *j) { (void)j; }
void rv_jit_reset(struct rv_jit *j) { (void)j; }
bool rv_jit_regions(void) { return false; }
void *rv_jit_compile(struct rv_jit *j, const struct rv_block *b) { (void)j; (void)b; return NULL; }
void *rv_jit_compile_region(struct rv_jit *j, struct rv_block *const *rb, unsigned n)
{
    (void)j; (void)rb; (void)n;
    return NULL;
}
size_t rv_jit_used(const struct rv_jit *j) { (void)j; return 0; }
size_t rv_jit_last_size(const struct rv_jit *j) { (void)j; return 0; }
size_t rv_jit_need(const struct rv_block *b) { (void)b; return 0; }
size_t rv_jit_need_region(struct rv_block *const *rb, unsigned n) { (void)rb; (void)n; return 0; }
bool rv_jit_block_ok(const struct rv_jit *j, const struct rv_block *b) { (void)j; (void)b; return false; }

#endif
