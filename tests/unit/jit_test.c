/*
 * jit_test.c — the block compiler against the interpreter, differentially.
 *
 * Two worlds (pool, address space, hart) start from the same registers and
 * memory and run the same random block of raw RISC-V encodings: one with
 * the interpreter only (no_jit), one where the block is compiled on its
 * first entry. Everything observable must agree: exit, pc, cause, tval,
 * instret, x and f registers, fflags, frm, and every data byte. The blocks
 * mix edge values (0, -1, INT64_MIN, shift counts >= 32/64, division by
 * zero and INT_MIN / -1), loads and stores that hit and miss the TLB, are
 * misaligned, cross pages, fault (read-only and unmapped pages) or write
 * code, FP ops in every rounding mode, CSR ops (compiled or left to the
 * interpreter in the middle of a block) and compressed forms. Budgets
 * sometimes let a block loop on itself and run out part-way; programs of
 * several compiled blocks exercise chaining from one block's code to the
 * next.
 *
 * A few directed cases check results worked by hand from the spec, so the
 * test also fails if both engines were wrong the same way there.
 *
 * JIT_TEST_SEED=n picks another random sequence, JIT_TEST_SCALE=n runs n
 * times as many random cases.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rv_enc.h"
#include "mem/mem.h"
#include "rv/cache.h"
#include "rv/decode.h"
#include "rv/jit.h"
#include "rv/rv.h"

/* Guest layout. */
#define CODE 0x100000ull        /* CODE_PAGES pages, one block per page, in turn */
#define CODE_PAGES 64
#define DATA 0x20000ull         /* two read-write pages */
#define RO   0x22000ull         /* one read-only page; 0x23000 is unmapped */
#define DATA_BYTES 0x3000u
#define CODE_WORDS 256          /* the code image of one case */

/* Pointer registers: loads and stores use them as bases, ALU ops rarely
 * overwrite them. x8 points into the block's own page (jalr, code writes). */
#define P_DATA 5
#define P_CROSS 6
#define P_EDGE 7
#define P_CODE 8

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }

/* Compressed (RVC, chapter 16) forms: the decoder expands them to base ops
 * of length 2, which changes links, fall-through pcs and the pc after a
 * store. Two of them fill one 32-bit word of the test's code images. */
static uint16_t c_ci(unsigned f3, unsigned quad, unsigned rd, int32_t imm6)
{
    return (uint16_t)(f3 << 13 | (((unsigned)imm6 >> 5) & 1) << 12 | rd << 7 | ((unsigned)imm6 & 0x1f) << 2 | quad);
}

static uint16_t c_cr(unsigned f4, unsigned rd, unsigned rs2)
{
    return (uint16_t)(f4 << 12 | rd << 7 | rs2 << 2 | 2);
}

/* c.sub/xor/or/and (w = 0) and c.subw/addw (w = 1) on x8 + rdp, x8 + rs2p */
static uint16_t c_ca(unsigned w, unsigned f2, unsigned rdp, unsigned rs2p)
{
    return (uint16_t)(4u << 13 | w << 12 | 3u << 10 | rdp << 7 | f2 << 5 | rs2p << 2 | 1);
}

/* c.lw/ld/sw/sd (f3 2, 3, 6, 7) at 8 * u(x8 + rs1p), data register x8 + rp */
static uint16_t c_ls(unsigned f3, unsigned rs1p, unsigned rp, unsigned u)
{
    return (uint16_t)(f3 << 13 | (u & 7) << 10 | rs1p << 7 | rp << 2);
}

static uint16_t c_j(int32_t off)
{
    uint32_t o = (uint32_t)off;
    return (uint16_t)(5u << 13 | ((o >> 11) & 1) << 12 | ((o >> 4) & 1) << 11 | ((o >> 8) & 3) << 9 |
                      ((o >> 10) & 1) << 8 | ((o >> 6) & 1) << 7 | ((o >> 7) & 1) << 6 |
                      ((o >> 1) & 7) << 3 | ((o >> 5) & 1) << 2 | 1);
}

/* c.beqz (f3 6) / c.bnez (f3 7) on x8 + rs1p */
static uint16_t c_b(unsigned f3, unsigned rs1p, int32_t off)
{
    uint32_t o = (uint32_t)off;
    return (uint16_t)(f3 << 13 | ((o >> 8) & 1) << 12 | ((o >> 3) & 3) << 10 | rs1p << 7 |
                      ((o >> 6) & 3) << 5 | ((o >> 1) & 3) << 3 | ((o >> 5) & 1) << 2 | 1);
}

/* Instructions in a word of a code image: one, or a pair of compressed. */
static unsigned word_insns(uint32_t w) { return (w & 3) == 3 ? 1 : 2; }

enum kind {
    K_R,      /* rd, rs1, rs2 */
    K_I,      /* rd, rs1, imm12 */
    K_SH6,    /* rd, rs1, shamt 0..63 */
    K_SH5,    /* rd, rs1, shamt 0..31 */
    K_UN,     /* rd, rs1 (the rest fixed) */
    K_U,      /* rd, imm20 */
    K_LOAD,   /* rd, imm(rs1) */
    K_STORE,  /* rs2, imm(rs1) */
    K_FRM,    /* rd, rs1, rs2, rm */
    K_FR4,    /* rd, rs1, rs2, rs3, rm */
    K_CSR,    /* rd, csr, rs1/uimm (fixed csr and funct3) */
};

struct tmpl {
    const char *name;
    enum kind kind;
    uint32_t base;
    unsigned char xrd;   /* rd is an x register */
    unsigned char form;  /* K_FRM: which fields vary (see fp_ops) */
};

static const struct tmpl int_ops[] = {
    { "add", K_R, 0x00000033, 1, 0 }, { "sub", K_R, 0x40000033, 1, 0 },
    { "sll", K_R, 0x00001033, 1, 0 }, { "slt", K_R, 0x00002033, 1, 0 },
    { "sltu", K_R, 0x00003033, 1, 0 }, { "xor", K_R, 0x00004033, 1, 0 },
    { "srl", K_R, 0x00005033, 1, 0 }, { "sra", K_R, 0x40005033, 1, 0 },
    { "or", K_R, 0x00006033, 1, 0 }, { "and", K_R, 0x00007033, 1, 0 },
    { "mul", K_R, 0x02000033, 1, 0 }, { "mulh", K_R, 0x02001033, 1, 0 },
    { "mulhsu", K_R, 0x02002033, 1, 0 }, { "mulhu", K_R, 0x02003033, 1, 0 },
    { "div", K_R, 0x02004033, 1, 0 }, { "divu", K_R, 0x02005033, 1, 0 },
    { "rem", K_R, 0x02006033, 1, 0 }, { "remu", K_R, 0x02007033, 1, 0 },
    { "addw", K_R, 0x0000003b, 1, 0 }, { "subw", K_R, 0x4000003b, 1, 0 },
    { "sllw", K_R, 0x0000103b, 1, 0 }, { "srlw", K_R, 0x0000503b, 1, 0 },
    { "sraw", K_R, 0x4000503b, 1, 0 }, { "mulw", K_R, 0x0200003b, 1, 0 },
    { "divw", K_R, 0x0200403b, 1, 0 }, { "divuw", K_R, 0x0200503b, 1, 0 },
    { "remw", K_R, 0x0200603b, 1, 0 }, { "remuw", K_R, 0x0200703b, 1, 0 },
    { "sh1add", K_R, 0x20002033, 1, 0 }, { "sh2add", K_R, 0x20004033, 1, 0 },
    { "sh3add", K_R, 0x20006033, 1, 0 }, { "add.uw", K_R, 0x0800003b, 1, 0 },
    { "sh1add.uw", K_R, 0x2000203b, 1, 0 }, { "sh2add.uw", K_R, 0x2000403b, 1, 0 },
    { "sh3add.uw", K_R, 0x2000603b, 1, 0 },
    { "andn", K_R, 0x40007033, 1, 0 }, { "orn", K_R, 0x40006033, 1, 0 },
    { "xnor", K_R, 0x40004033, 1, 0 }, { "max", K_R, 0x0a006033, 1, 0 },
    { "maxu", K_R, 0x0a007033, 1, 0 }, { "min", K_R, 0x0a004033, 1, 0 },
    { "minu", K_R, 0x0a005033, 1, 0 }, { "rol", K_R, 0x60001033, 1, 0 },
    { "ror", K_R, 0x60005033, 1, 0 }, { "rolw", K_R, 0x6000103b, 1, 0 },
    { "rorw", K_R, 0x6000503b, 1, 0 }, { "bclr", K_R, 0x48001033, 1, 0 },
    { "bext", K_R, 0x48005033, 1, 0 }, { "binv", K_R, 0x68001033, 1, 0 },
    { "bset", K_R, 0x28001033, 1, 0 },
    { "addi", K_I, 0x00000013, 1, 0 }, { "slti", K_I, 0x00002013, 1, 0 },
    { "sltiu", K_I, 0x00003013, 1, 0 }, { "xori", K_I, 0x00004013, 1, 0 },
    { "ori", K_I, 0x00006013, 1, 0 }, { "andi", K_I, 0x00007013, 1, 0 },
    { "addiw", K_I, 0x0000001b, 1, 0 },
    { "slli", K_SH6, 0x00001013, 1, 0 }, { "srli", K_SH6, 0x00005013, 1, 0 },
    { "srai", K_SH6, 0x40005013, 1, 0 }, { "rori", K_SH6, 0x60005013, 1, 0 },
    { "bclri", K_SH6, 0x48001013, 1, 0 }, { "bexti", K_SH6, 0x48005013, 1, 0 },
    { "binvi", K_SH6, 0x68001013, 1, 0 }, { "bseti", K_SH6, 0x28001013, 1, 0 },
    { "slli.uw", K_SH6, 0x0800101b, 1, 0 },
    { "slliw", K_SH5, 0x0000101b, 1, 0 }, { "srliw", K_SH5, 0x0000501b, 1, 0 },
    { "sraiw", K_SH5, 0x4000501b, 1, 0 }, { "roriw", K_SH5, 0x6000501b, 1, 0 },
    { "clz", K_UN, 0x60001013, 1, 0 }, { "ctz", K_UN, 0x60101013, 1, 0 },
    { "cpop", K_UN, 0x60201013, 1, 0 }, { "sext.b", K_UN, 0x60401013, 1, 0 },
    { "sext.h", K_UN, 0x60501013, 1, 0 }, { "clzw", K_UN, 0x6000101b, 1, 0 },
    { "ctzw", K_UN, 0x6010101b, 1, 0 }, { "cpopw", K_UN, 0x6020101b, 1, 0 },
    { "orc.b", K_UN, 0x28705013, 1, 0 }, { "rev8", K_UN, 0x6b805013, 1, 0 },
    { "zext.h", K_UN, 0x0800403b, 1, 0 },
    { "lui", K_U, 0x00000037, 1, 0 }, { "auipc", K_U, 0x00000017, 1, 0 },
};

static const struct tmpl mem_ops[] = {
    { "lb", K_LOAD, 0x00000003, 1, 0 }, { "lh", K_LOAD, 0x00001003, 1, 0 },
    { "lw", K_LOAD, 0x00002003, 1, 0 }, { "ld", K_LOAD, 0x00003003, 1, 0 },
    { "lbu", K_LOAD, 0x00004003, 1, 0 }, { "lhu", K_LOAD, 0x00005003, 1, 0 },
    { "lwu", K_LOAD, 0x00006003, 1, 0 },
    { "sb", K_STORE, 0x00000023, 0, 0 }, { "sh", K_STORE, 0x00001023, 0, 0 },
    { "sw", K_STORE, 0x00002023, 0, 0 }, { "sd", K_STORE, 0x00003023, 0, 0 },
    { "flw", K_LOAD, 0x00002007, 0, 1 }, { "fld", K_LOAD, 0x00003007, 0, 1 },
    { "fsw", K_STORE, 0x00002027, 0, 1 }, { "fsd", K_STORE, 0x00003027, 0, 1 },
};

/* The last field says which fields K_FRM fills in besides rd and rs1:
 * 1 rs2 and rm, 2 rs2 (funct3 fixed), 3 rm (rs2 fixed), 4 neither. */
static const struct tmpl fp_ops[] = {
    { "fadd.s", K_FRM, 0x00000053, 0, 1 }, { "fsub.s", K_FRM, 0x08000053, 0, 1 },
    { "fmul.s", K_FRM, 0x10000053, 0, 1 }, { "fdiv.s", K_FRM, 0x18000053, 0, 1 },
    { "fsqrt.s", K_FRM, 0x58000053, 0, 1 },
    { "fadd.d", K_FRM, 0x02000053, 0, 1 }, { "fsub.d", K_FRM, 0x0a000053, 0, 1 },
    { "fmul.d", K_FRM, 0x12000053, 0, 1 }, { "fdiv.d", K_FRM, 0x1a000053, 0, 1 },
    { "fsqrt.d", K_FRM, 0x5a000053, 0, 1 },
    { "fsgnj.s", K_FRM, 0x20000053, 0, 2 }, { "fsgnjn.s", K_FRM, 0x20001053, 0, 2 },
    { "fsgnjx.s", K_FRM, 0x20002053, 0, 2 }, { "fmin.s", K_FRM, 0x28000053, 0, 2 },
    { "fmax.s", K_FRM, 0x28001053, 0, 2 },
    { "fsgnj.d", K_FRM, 0x22000053, 0, 2 }, { "fsgnjn.d", K_FRM, 0x22001053, 0, 2 },
    { "fsgnjx.d", K_FRM, 0x22002053, 0, 2 }, { "fmin.d", K_FRM, 0x2a000053, 0, 2 },
    { "fmax.d", K_FRM, 0x2a001053, 0, 2 },
    { "feq.s", K_FRM, 0xa0002053, 1, 2 }, { "flt.s", K_FRM, 0xa0001053, 1, 2 },
    { "fle.s", K_FRM, 0xa0000053, 1, 2 }, { "feq.d", K_FRM, 0xa2002053, 1, 2 },
    { "flt.d", K_FRM, 0xa2001053, 1, 2 }, { "fle.d", K_FRM, 0xa2000053, 1, 2 },
    { "fcvt.w.s", K_FRM, 0xc0000053, 1, 3 }, { "fcvt.wu.s", K_FRM, 0xc0100053, 1, 3 },
    { "fcvt.l.s", K_FRM, 0xc0200053, 1, 3 }, { "fcvt.lu.s", K_FRM, 0xc0300053, 1, 3 },
    { "fcvt.w.d", K_FRM, 0xc2000053, 1, 3 }, { "fcvt.wu.d", K_FRM, 0xc2100053, 1, 3 },
    { "fcvt.l.d", K_FRM, 0xc2200053, 1, 3 }, { "fcvt.lu.d", K_FRM, 0xc2300053, 1, 3 },
    { "fcvt.s.w", K_FRM, 0xd0000053, 0, 3 }, { "fcvt.s.wu", K_FRM, 0xd0100053, 0, 3 },
    { "fcvt.s.l", K_FRM, 0xd0200053, 0, 3 }, { "fcvt.s.lu", K_FRM, 0xd0300053, 0, 3 },
    { "fcvt.d.w", K_FRM, 0xd2000053, 0, 3 }, { "fcvt.d.wu", K_FRM, 0xd2100053, 0, 3 },
    { "fcvt.d.l", K_FRM, 0xd2200053, 0, 3 }, { "fcvt.d.lu", K_FRM, 0xd2300053, 0, 3 },
    { "fcvt.s.d", K_FRM, 0x40100053, 0, 3 }, { "fcvt.d.s", K_FRM, 0x42000053, 0, 3 },
    { "fmv.x.w", K_FRM, 0xe0000053, 1, 4 }, { "fclass.s", K_FRM, 0xe0001053, 1, 4 },
    { "fmv.w.x", K_FRM, 0xf0000053, 0, 4 }, { "fmv.x.d", K_FRM, 0xe2000053, 1, 4 },
    { "fclass.d", K_FRM, 0xe2001053, 1, 4 }, { "fmv.d.x", K_FRM, 0xf2000053, 0, 4 },
    { "fmadd.s", K_FR4, 0x00000043, 0, 1 }, { "fmsub.s", K_FR4, 0x00000047, 0, 1 },
    { "fnmsub.s", K_FR4, 0x0000004b, 0, 1 }, { "fnmadd.s", K_FR4, 0x0000004f, 0, 1 },
    { "fmadd.d", K_FR4, 0x02000043, 0, 1 }, { "fmsub.d", K_FR4, 0x02000047, 0, 1 },
    { "fnmsub.d", K_FR4, 0x0200004b, 0, 1 }, { "fnmadd.d", K_FR4, 0x0200004f, 0, 1 },
};

/* Zicsr: every form on fflags, frm and fcsr (compiled), on the cycle and
 * instret counters (left to the interpreter mid-block; writing them is
 * illegal) and on a CSR that does not exist (illegal). Not time: it is
 * the host clock, so two runs would differ. */
static const struct tmpl csr_ops[] = {
    { "csr", K_CSR, 0x00000073, 1, 0 },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Register choices: rd avoids the pointer registers most of the time. */
static unsigned pick_rd(void)
{
    if (rn(40) == 0)
        return rn(32);
    unsigned r;
    do
        r = rn(32);
    while (r >= P_DATA && r <= P_CODE);
    return r;
}

static unsigned pick_rs(void) { return rn(32); }

static unsigned pick_rd_nz(void)
{
    unsigned r;
    do
        r = pick_rd();
    while (r == 0);
    return r;
}

static int32_t pick_imm12(void)
{
    static const int32_t edge[] = { 0, 1, -1, 2047, -2048, 31, 32, 63, 64, 0x7ff, -0x800 };
    return rn(3) ? edge[rn(N_OF(edge))] : (int32_t)rn(4096) - 2048;
}

/* Set by the FP fast-path test: round to nearest, NX accrued, operands
 * whose results land near the ends of the normal range. */
static bool bias_fast;

static unsigned pick_rm(void)
{
    static const unsigned rms[] = { 0, 1, 2, 3, 4, 7, 7, 7, 7, 5 };
    if (bias_fast && rn(8))
        return rn(2) ? 0 : 7;
    return rms[rn(N_OF(rms))];
}

static uint32_t gen_from(const struct tmpl *t)
{
    switch (t->kind) {
    case K_R: return enc_r(t->base, pick_rd(), pick_rs(), pick_rs());
    case K_I: return enc_i(t->base, pick_rd(), pick_rs(), pick_imm12());
    case K_SH6: return enc_i(t->base, pick_rd(), pick_rs(), (int32_t)rn(64));
    case K_SH5: return enc_i(t->base, pick_rd(), pick_rs(), (int32_t)rn(32));
    case K_UN: return t->base | pick_rd() << 7 | pick_rs() << 15;
    case K_U: {
        static const uint32_t hi[] = { 0, 0x80000000u, 0x7ffff000u, 0xfffff000u, 0x12345000u };
        uint32_t imm = rn(2) ? hi[rn(N_OF(hi))] : (uint32_t)rnd() & 0xfffff000u;
        return t->base | pick_rd() << 7 | imm;
    }
    case K_LOAD: case K_STORE: {
        /* Base: inside the data pages, across their boundary, or at the
         * edge of the read-only and unmapped pages. */
        static const unsigned bases[] = { P_DATA, P_DATA, P_DATA, P_DATA, P_DATA, P_CROSS, P_CROSS, P_EDGE };
        unsigned base = bases[rn(N_OF(bases))];
        int32_t imm = rn(4) ? (int32_t)(rn(16) * 8) - 64 : (int32_t)rn(128) - 64;
        unsigned rd = t->xrd ? pick_rd() : rn(32);
        if (t->kind == K_LOAD)
            return enc_i(t->base, rd, base, imm);
        if (rn(60) == 0)   /* into the block's own page: code written */
            return enc_s(t->base, P_CODE, rn(32), (int32_t)(rn(4) * 4) + 64);
        return enc_s(t->base, base, rn(32), imm);
    }
    case K_FRM: {
        unsigned rd = t->xrd ? pick_rd() : rn(32);
        unsigned rs1 = rn(32), rs2 = rn(32);
        uint32_t insn = t->base | rd << 7 | rs1 << 15;
        if (t->form == 1)   /* rs2 is an operand (fsqrt has it fixed at 0) */
            insn |= (insn & 0xf8000000u) == 0x58000000u ? 0 : rs2 << 20;
        if (t->form == 2)
            insn |= rs2 << 20;
        if (t->form == 1 || t->form == 3)
            insn |= pick_rm() << 12;
        return insn;
    }
    case K_FR4:
        return t->base | rn(32) << 7 | pick_rm() << 12 | rn(32) << 15 | rn(32) << 20 | rn(32) << 27;
    case K_CSR: {
        static const unsigned csrs[] = { 1, 1, 2, 2, 3, 3, 0xc00, 0xc02, 0x7c0 };
        static const unsigned f3s[] = { 1, 2, 3, 5, 6, 7 };
        unsigned src = rn(3) ? rn(32) : 0;   /* a register, or an immediate for the *i forms */
        return t->base | pick_rd() << 7 | f3s[rn(N_OF(f3s))] << 12 | src << 15 |
               csrs[rn(N_OF(csrs))] << 20;
    }
    }
    return 0x13;
}

/* ---- worlds ----------------------------------------------------------------- */

struct world {
    struct mem_pool *pool;
    struct mem_space *as;
    struct rv_hart *h;
};

static int world_new(struct world *w, bool jit)
{
    w->pool = mem_pool_new(0);
    w->as = w->pool ? mem_space_new(w->pool) : NULL;
    if (!w->as)
        return -1;
    if (mem_map(w->as, CODE, CODE_PAGES * MEM_PAGE_SIZE, MEM_R | MEM_W | MEM_X) ||
        mem_map(w->as, DATA, 0x2000, MEM_R | MEM_W) || mem_map(w->as, RO, 0x1000, MEM_R))
        return -1;
    w->h = rv_hart_new(w->as);
    if (!w->h)
        return -1;
    w->h->no_jit = !jit;
    /* The interpreter's handler table is set by its first run; blocks this
     * test decodes itself (rv_cache_lookup) need it. pc 0 is unmapped:
     * this run only faults. */
    w->h->pc = 0;
    rv_run(w->h);
    return 0;
}

static void world_free(struct world *w)
{
    rv_hart_free(w->h);
    mem_space_free(w->as);
    mem_pool_free(w->pool);
}

/* The state a case starts from. */
struct init {
    uint64_t x[32], f[32], pc;
    uint32_t fflags, frm;
    uint8_t data[DATA_BYTES];
    uint32_t code[CODE_WORDS];
    unsigned n_code;
};

static uint64_t edge_value(void)
{
    static const uint64_t edge[] = {
        0, 1, 2, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull, 0x80000000ull,
        0x7fffffffull, 0xffffffffull, 0xffffffff80000000ull, 31, 32, 33, 63, 64, 65,
        0x100000000ull, 0xffffffff7fffffffull, 0x8000ull, 0x80ull, 0xffffull,
    };
    switch (rn(4)) {
    case 0: return rnd();
    case 1: return (uint64_t)(int64_t)(int32_t)rnd();
    default: return edge[rn(N_OF(edge))];
    }
}


static uint64_t fp_value(void)
{
    static const uint64_t d[] = {
        0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
        0x7ff8000000000000ull, 0x7ff0000000000001ull, 0x7ff0000000000000ull,
        0xfff0000000000000ull, 0x0000000000000001ull, 0x000fffffffffffffull,
        0x0010000000000000ull, 0x7fefffffffffffffull, 0x41dfffffffc00000ull,
        0xc3e0000000000000ull, 0x43f0000000000000ull, 0x3fe0000000000000ull,
    };
    static const uint32_t s[] = {
        0, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x7fc00000u, 0x7f800001u, 0x7f800000u,
        0xff800000u, 0x00000001u, 0x007fffffu, 0x00800000u, 0x7f7fffffu, 0x4f000000u,
        0xcf000000u, 0x3f000000u, 0x5f800000u,
    };
    switch (bias_fast && rn(4) ? 6 + rn(4) : rn(8)) {
    case 8: return d[rn(N_OF(d))];
    case 9: return 0xffffffff00000000ull | s[rn(N_OF(s))];
    case 6: {   /* tiny, near one or huge normal doubles: results near and past the ends */
        static const uint64_t lo[] = { 1, 990, 1990 };
        uint64_t e = lo[rn(3)] + rn(57);
        return (uint64_t)rn(2) << 63 | e << 52 | (rnd() & 0xfffffffffffffull);
    }
    case 7: {   /* the same for singles */
        static const uint32_t lo[] = { 1, 110, 230 };
        uint32_t e = lo[rn(3)] + rn(25);
        return 0xffffffff00000000ull | (uint64_t)rn(2) << 31 | e << 23 | ((uint32_t)rnd() & 0x7fffffu);
    }
    case 0: return rnd();
    case 1: return d[rn(N_OF(d))];
    case 2: return 0xffffffff00000000ull | s[rn(N_OF(s))];
    case 3: return 0xffffffff00000000ull | (uint32_t)rnd();
    case 4: {   /* a plain double in a moderate range: the host fast path */
        uint64_t e = 1000 + rn(46);
        return (uint64_t)rn(2) << 63 | e << 52 | (rnd() & 0xfffffffffffffull);
    }
    default: {
        uint32_t e = 100 + rn(50);
        return 0xffffffff00000000ull | (uint64_t)rn(2) << 31 | e << 23 | ((uint32_t)rnd() & 0x7fffffu);
    }
    }
}

static void init_random(struct init *in, unsigned page)
{
    in->pc = CODE + (uint64_t)page * MEM_PAGE_SIZE;
    for (unsigned i = 0; i < 32; i++) {
        in->x[i] = edge_value();
        in->f[i] = fp_value();
    }
    in->x[0] = 0;
    in->x[P_DATA] = DATA + 0x400 + (rn(4) ? rn(0x100) * 8 : rn(0x800));
    in->x[P_CROSS] = DATA + 0x1000 - 8 + rn(16);
    in->x[P_EDGE] = rn(2) ? RO - 0x8 + rn(16) : RO + 0x1000 - 8 + rn(16);
    in->x[P_CODE] = in->pc + rn(16) * 4;
    in->fflags = rn(4) ? rn(32) : 0;
    in->frm = rn(5) ? rn(5) : rn(8);
    if (bias_fast && rn(8)) {
        in->fflags |= RV_FFLAGS_NX;
        in->frm = 0;
    }
    for (unsigned i = 0; i < DATA_BYTES; i += 8) {
        uint64_t v = rn(3) ? edge_value() : fp_value();
        memcpy(&in->data[i], &v, 8);
    }
}

/* poke_code false: keep the code page as it is (rewriting it, even with
 * the same bytes, drops the decoded and compiled blocks). */
static void world_load(struct world *w, const struct init *in, bool poke_code)
{
    struct rv_hart *h = w->h;
    if (poke_code)
        mem_poke(w->as, in->pc, in->code, in->n_code * 4);
    mem_poke(w->as, DATA, in->data, DATA_BYTES);
    memcpy(h->x, in->x, sizeof in->x);
    memcpy(h->f, in->f, sizeof in->f);
    h->fflags = in->fflags;
    h->frm = in->frm;
    h->pc = in->pc;
    h->cause = 0;
    h->tval = 0;
    h->resv_valid = false;
}

struct result {
    int exit;
    uint64_t x[32], f[32], pc, instret, tval;
    uint32_t fflags, frm, cause;
    uint8_t data[DATA_BYTES];
    uint32_t code[CODE_WORDS];
};

/* instret counts from 0 at each run's start (world_run). */
static void world_result(struct world *w, int exit, const struct init *in, struct result *r)
{
    struct rv_hart *h = w->h;
    memset(r, 0, sizeof *r);
    r->exit = exit;
    memcpy(r->x, h->x, sizeof r->x);
    memcpy(r->f, h->f, sizeof r->f);
    r->pc = h->pc;
    r->instret = rv_instret(h);
    r->fflags = h->fflags;
    r->frm = h->frm;
    if (exit == RV_EXIT_TRAP) {
        r->cause = h->cause;
        r->tval = h->tval;
    }
    mem_read(w->as, DATA, r->data, DATA_BYTES);
    mem_read(w->as, in->pc, r->code, sizeof r->code);
}

/* Runs the case's block (and whatever follows) for budget instructions.
 * jit: compile it on entry (its heat is raised to the threshold);
 * *compiled: it was. */
static int world_run(struct world *w, const struct init *in, unsigned budget, bool jit, bool *compiled)
{
    struct rv_hart *h = w->h;
    rv_sync(h);
    if (jit) {
        struct rv_block *b = rv_cache_lookup(h, in->pc);
        if (b && !b->jit)
            b->heat = RV_JIT_HEAT_LATE - 1;
    }
    uint64_t before = h->stat_jit_blocks;
    /* Count instret from 0 in both worlds: rdinstret reads it. */
    h->instret_base = 0;
    h->budget_start = h->budget;
    rv_set_budget(h, budget);
    int exit = rv_run(h);
    if (compiled)
        *compiled = h->stat_jit_blocks > before;
    return exit;
}

static int n_diff_reports;

static bool same_result(const char *what, const struct init *in, const struct result *a, const struct result *b)
{
    char why[160] = "";
    if (a->exit != b->exit)
        snprintf(why, sizeof why, "exit %d vs %d", a->exit, b->exit);
    else if (a->pc != b->pc)
        snprintf(why, sizeof why, "pc %llx vs %llx", (unsigned long long)a->pc, (unsigned long long)b->pc);
    else if (a->instret != b->instret)
        snprintf(why, sizeof why, "instret %llu vs %llu", (unsigned long long)a->instret, (unsigned long long)b->instret);
    else if (a->cause != b->cause || a->tval != b->tval)
        snprintf(why, sizeof why, "cause/tval %u/%llx vs %u/%llx", a->cause, (unsigned long long)a->tval,
                 b->cause, (unsigned long long)b->tval);
    else if (a->fflags != b->fflags || a->frm != b->frm)
        snprintf(why, sizeof why, "fflags/frm %x/%u vs %x/%u", a->fflags, a->frm, b->fflags, b->frm);
    else if (memcmp(a->data, b->data, DATA_BYTES) != 0)
        snprintf(why, sizeof why, "data memory differs");
    else if (memcmp(a->code, b->code, sizeof a->code) != 0)
        snprintf(why, sizeof why, "code page differs");
    for (unsigned i = 1; i < 32 && !why[0]; i++)
        if (a->x[i] != b->x[i])
            snprintf(why, sizeof why, "x%u %016llx vs %016llx", i, (unsigned long long)a->x[i],
                     (unsigned long long)b->x[i]);
    for (unsigned i = 0; i < 32 && !why[0]; i++)
        if (a->f[i] != b->f[i])
            snprintf(why, sizeof why, "f%u %016llx vs %016llx", i, (unsigned long long)a->f[i],
                     (unsigned long long)b->f[i]);
    if (!why[0])
        return true;
    if (n_diff_reports++ < 3) {
        printf("# %s: interpreter vs jit: %s; block:", what, why);
        for (unsigned i = 0; i < in->n_code; i++)
            printf(" %08x", in->code[i]);
        printf("\n");
    }
    return false;
}

/* ---- the differential driver ------------------------------------------------ */

struct mix {
    unsigned int_w, mem_w, fp_w, csr_w;   /* weights of the op families */
    unsigned max_ops;
    unsigned arith_w;                     /* weight of FP add/sub/mul/div/sqrt */
};

static const struct tmpl fp_arith_ops[] = {
    { "fadd.s", K_FRM, 0x00000053, 0, 1 }, { "fsub.s", K_FRM, 0x08000053, 0, 1 },
    { "fmul.s", K_FRM, 0x10000053, 0, 1 }, { "fdiv.s", K_FRM, 0x18000053, 0, 1 },
    { "fsqrt.s", K_FRM, 0x58000053, 0, 1 },
    { "fadd.d", K_FRM, 0x02000053, 0, 1 }, { "fsub.d", K_FRM, 0x0a000053, 0, 1 },
    { "fmul.d", K_FRM, 0x12000053, 0, 1 }, { "fdiv.d", K_FRM, 0x1a000053, 0, 1 },
    { "fsqrt.d", K_FRM, 0x5a000053, 0, 1 },
};

static unsigned pick_rd_nz(void);

/* One compressed op that is not a terminator. */
static uint16_t gen_c_op(void)
{
    unsigned rd = pick_rd_nz(), rs2 = 1 + rn(31);
    unsigned rdp = 1 + rn(7);   /* x9..x15: x8 stays the code pointer */
    switch (rn(9)) {
    case 0: return c_ci(0, 1, rd, (int32_t)rn(64) - 32);          /* c.addi */
    case 1: return c_ci(1, 1, rd, (int32_t)rn(64) - 32);          /* c.addiw */
    case 2: return c_ci(2, 1, rd, (int32_t)rn(64) - 32);          /* c.li */
    case 3: return c_ci(0, 2, rd, 1 + (int32_t)rn(63));           /* c.slli */
    case 4: return c_cr(8, rd, rs2);                                /* c.mv */
    case 5: return c_cr(9, rd, rs2);                                /* c.add */
    case 6: return c_ca(rn(2), rn(2) ? rn(4) : rn(2), rdp, rn(8));   /* c.sub ... c.addw */
    case 7: return c_ls(2 + rn(2), 0, rdp, rn(8));                 /* c.lw/c.ld from the code page */
    default: return c_ls(6 + rn(2), 0, rn(8), 8 + rn(8));          /* c.sw/c.sd: code written */
    }
}

static uint32_t gen_op(const struct mix *m)
{
    if (m->int_w && rn(10) == 0)
        return (uint32_t)gen_c_op() | (uint32_t)gen_c_op() << 16;
    unsigned t = rn(m->int_w + m->mem_w + m->fp_w + m->csr_w + m->arith_w);
    if (t < m->arith_w)
        return gen_from(&fp_arith_ops[rn(N_OF(fp_arith_ops))]);
    t -= m->arith_w;
    if (t < m->int_w)
        return gen_from(&int_ops[rn(N_OF(int_ops))]);
    t -= m->int_w;
    if (t < m->mem_w)
        return gen_from(&mem_ops[rn(N_OF(mem_ops))]);
    t -= m->mem_w;
    if (t < m->fp_w)
        return gen_from(&fp_ops[rn(N_OF(fp_ops))]);
    return gen_from(&csr_ops[rn(N_OF(csr_ops))]);
}

/* A terminator at index n (pc offset 4n) of a block at the page start. */
static uint32_t gen_terminator(unsigned n)
{
    int32_t back = -(int32_t)(4 * n);                 /* to the page start */
    int32_t fwd = (int32_t)(rn(64) * 4) + 1024 - (int32_t)(4 * n);
    int32_t off = rn(2) ? back : fwd;
    if (rn(6) == 0) {
        /* A compressed op, then a compressed terminator at 4n + 2. */
        uint32_t lo = gen_c_op(), hi;
        int32_t cb = back - 2, cf = off - 2;
        switch (rn(4)) {
        case 0: hi = c_j(cf); break;
        case 1: hi = c_b(6 + rn(2), rn(8), cb); break;                  /* c.beqz/c.bnez */
        case 2: hi = c_cr(8, P_CODE, 0); break;                         /* c.jr x8 */
        default: hi = c_cr(9, P_CODE, 0); break;                        /* c.jalr x8 */
        }
        return lo | hi << 16;
    }
    switch (rn(12)) {
    case 0: return enc_b(0x00000063, pick_rs(), pick_rs(), off);   /* beq */
    case 1: return enc_b(0x00001063, pick_rs(), pick_rs(), off);   /* bne */
    case 2: return enc_b(0x00004063, pick_rs(), pick_rs(), off);   /* blt */
    case 3: return enc_b(0x00005063, pick_rs(), pick_rs(), off);   /* bge */
    case 4: return enc_b(0x00006063, pick_rs(), pick_rs(), off);   /* bltu */
    case 5: return enc_b(0x00007063, pick_rs(), pick_rs(), off);   /* bgeu */
    case 6: return enc_j(0x0000006f, pick_rd(), off);              /* jal */
    case 7: return enc_i(0x00000067, rn(2) ? P_CODE : pick_rd(), P_CODE, (int32_t)rn(64) - 32); /* jalr */
    case 8: return enc_i(0x00000067, rn(32), pick_rs(), pick_imm12());  /* jalr anywhere */
    case 9: return 0x00000073;                                      /* ecall */
    case 10: return 0x00100073;                                     /* ebreak */
    default: return enc_b(0x00000063, 0, 0, off);                   /* beqz x0: always */
    }
}

/* Runs `cases` random blocks; returns the number of mismatches. */
static unsigned run_random(struct world *wi, struct world *wj, const struct mix *m, unsigned cases,
                           const char *what, unsigned *n_compiled)
{
    static struct init in;
    static struct result ri, rj;
    unsigned bad = 0;
    for (unsigned c = 0; c < cases; c++) {
        init_random(&in, c % CODE_PAGES);
        unsigned n = 1 + rn(m->max_ops);
        bool fallthru = rn(16) == 0;
        if (fallthru)
            n = RV_BLOCK_MAX_INSNS;   /* ends at the length limit with FALLTHRU */
        for (unsigned i = 0; i < n; i++)
            in.code[i] = gen_op(m);
        in.n_code = n;
        if (!fallthru)
            in.code[in.n_code++] = gen_terminator(n);
        in.code[in.n_code] = 0;   /* what a fall-through reaches: an illegal encoding */
        unsigned n_insns = 0;
        for (unsigned i = 0; i < in.n_code; i++)
            n_insns += word_insns(in.code[i]);
        /* Mostly exactly the block; sometimes enough for a block that
         * branches to its own start to loop, running out part-way. */
        unsigned budget = rn(3) ? n_insns : n_insns * (2 + rn(6)) + rn(n_insns);

        world_load(wi, &in, true);
        int ei = world_run(wi, &in, budget, false, NULL);
        world_result(wi, ei, &in, &ri);

        /* First run: compiled on entry, TLB warm or cold. */
        world_load(wj, &in, true);
        if (rn(2))
            rv_flush_tlb(wj->h);
        bool compiled = false;
        int ej = world_run(wj, &in, budget, true, &compiled);
        world_result(wj, ej, &in, &rj);
        *n_compiled += compiled;
        if (!same_result(what, &in, &ri, &rj)) {
            bad++;
            continue;
        }
        /* Second run of the now compiled block from the same state (if
         * nothing invalidated it), with the TLB warm from the first. */
        if (compiled && ri.exit != RV_EXIT_TRAP && memcmp(ri.code, in.code, in.n_code * 4) == 0) {
            world_load(wj, &in, false);
            rv_sync(wj->h);
            struct rv_block *b = rv_cache_lookup(wj->h, in.pc);
            if (!b || !b->jit)
                continue;   /* a store into its page dropped it: nothing to rerun */
            ej = world_run(wj, &in, budget, false, NULL);
            world_result(wj, ej, &in, &rj);
            if (!same_result(what, &in, &ri, &rj))
                bad++;
        }
    }
    return bad;
}

/*
 * Programs of several blocks that jump among each other (block i at
 * offset CHAIN_STRIDE * i), every block compiled on its first entry, with
 * budgets for many transitions: compiled code goes straight on to the
 * next block's code, and the exits of a block entered that way (traps,
 * code writes, ops left to the interpreter, the budget running out in
 * between) must still come out as block-by-block interpretation has them.
 */
#define CHAIN_STRIDE 0x80u

static uint32_t gen_chain_end(struct init *in, unsigned at, unsigned n_blocks, uint64_t *heat_pcs,
                              unsigned *n_heat)
{
    unsigned to = rn(n_blocks);
    int32_t off = (int32_t)(CHAIN_STRIDE * to) - (int32_t)(4 * at);
    static const uint32_t br[] = { 0x63, 0x1063, 0x4063, 0x5063, 0x6063, 0x7063 };
    switch (rn(8)) {
    case 0: case 1: case 2: {
        /* A branch; its fall-through is a jal to another block (a block
         * of its own). */
        in->code[at + 1] = enc_j(0x6f, 0, (int32_t)(CHAIN_STRIDE * rn(n_blocks)) - (int32_t)(4 * (at + 1)));
        heat_pcs[(*n_heat)++] = in->pc + 4 * (at + 1);
        return enc_b(br[rn(N_OF(br))], pick_rs(), pick_rs(), off);
    }
    case 3: case 4:
        return enc_j(0x6f, rn(2) ? 1 : pick_rd(), off);
    case 5: case 6:   /* x8 holds the page start */
        return enc_i(0x67, rn(2) ? 0 : pick_rd(), P_CODE, (int32_t)(CHAIN_STRIDE * to));
    default:
        return rn(4) ? enc_j(0x6f, 0, off) : 0x00000073;   /* ecall ends the run */
    }
}

static unsigned run_chained(struct world *wi, struct world *wj, const struct mix *m, unsigned cases,
                            unsigned *n_compiled, unsigned *n_regions)
{
    static struct init in;
    static struct result ri, rj;
    unsigned bad = 0;
    for (unsigned c = 0; c < cases; c++) {
        init_random(&in, c % CODE_PAGES);
        in.x[P_CODE] = in.pc;
        unsigned n_blocks = 2 + rn(5);
        uint64_t heat_pcs[16];
        unsigned n_heat = 0;
        memset(in.code, 0, sizeof in.code);
        for (unsigned bl = 0; bl < n_blocks; bl++) {
            unsigned at = bl * CHAIN_STRIDE / 4, n = 1 + rn(m->max_ops);
            for (unsigned i = 0; i < n; i++)
                in.code[at + i] = gen_op(m);
            in.code[at + n] = gen_chain_end(&in, at + n, n_blocks, heat_pcs, &n_heat);
            heat_pcs[n_heat++] = in.pc + CHAIN_STRIDE * bl;
        }
        in.n_code = n_blocks * CHAIN_STRIDE / 4;
        unsigned budget = 50 + rn(3000);

        world_load(wi, &in, true);
        int ei = world_run(wi, &in, budget, false, NULL);
        world_result(wi, ei, &in, &ri);

        world_load(wj, &in, true);
        if (rn(2))
            rv_flush_tlb(wj->h);
        rv_sync(wj->h);
        for (unsigned i = 0; i < n_heat; i++) {
            struct rv_block *b = rv_cache_lookup(wj->h, heat_pcs[i]);
            if (b && !b->jit)
                b->heat = RV_JIT_HEAT_LATE - 1;
        }
        bool compiled = false;
        /* Half the cases compile each block alone, so that blocks go on
         * into each other through the jump cache; the others take the
         * loops among them as regions, whose edges are direct. */
        wj->h->no_regions = c & 1;
        uint64_t regions = wj->h->stat_jit_regions;
        int ej = world_run(wj, &in, budget, false, &compiled);
        world_result(wj, ej, &in, &rj);
        *n_compiled += compiled;
        *n_regions += wj->h->stat_jit_regions > regions;
        if (!same_result("chained", &in, &ri, &rj))
            bad++;
    }
    return bad;
}

static unsigned long cases_scale = 1;

static void jit_chained_blocks(void)
{
    static const struct mix m = { 6, 4, 2, 1, 12, 1 };
    struct world wi, wj;
    if (world_new(&wi, false) || world_new(&wj, true)) {
        CHECK(!"world setup");
        return;
    }
    unsigned compiled = 0, regions = 0, cases = 2000 * (unsigned)cases_scale;
    unsigned bad = run_chained(&wi, &wj, &m, cases, &compiled, &regions);
    CHECK(bad == 0);
    CHECK(compiled > cases / 2);
    printf("  %u of %u cases compiled, %u of them with a region\n", compiled, cases, regions);
    CHECK(rv_jit_regions() ? regions > cases / 10 : regions == 0);
    world_free(&wi);
    world_free(&wj);
}

static void differential(const struct mix *m, unsigned cases, const char *what)
{
    struct world wi, wj;
    if (world_new(&wi, false) || world_new(&wj, true)) {
        CHECK(!"world setup");
        return;
    }
    unsigned compiled = 0;
    unsigned bad = run_random(&wi, &wj, m, cases * (unsigned)cases_scale, what, &compiled);
    CHECK(bad == 0);
    /* Not vacuous: most blocks really ran as compiled code. */
    CHECK(compiled > cases * cases_scale / 2);
    world_free(&wi);
    world_free(&wj);
}

static void jit_integer_ops(void)
{
    static const struct mix m = { 1, 0, 0, 0, 24, 0 };
    differential(&m, 4000, "integer");
}

static void jit_loads_stores(void)
{
    static const struct mix m = { 2, 3, 0, 0, 16, 0 };
    differential(&m, 4000, "memory");
}

static void jit_fp_ops(void)
{
    static const struct mix m = { 1, 1, 4, 0, 16, 0 };
    differential(&m, 4000, "fp");
}

/* The inline host fast path of FP arithmetic and the edges of its
 * conditions: rounding mode, NX accrued or not, subnormal operands,
 * results just inside and outside the normal range. */
static void jit_fp_fast_path(void)
{
    static const struct mix m = { 0, 1, 1, 0, 12, 12 };
    bias_fast = true;
    differential(&m, 3000, "fp fast path");
    bias_fast = false;
}

/*
 * The one place where a normal result of normal operands is not the host
 * fast path's to give: a product just below the smallest normal that
 * rounds up to it on the format's grid, but stays below it when rounded
 * to the full precision with the exponent unbounded. RISC-V detects
 * tininess after rounding in the latter sense, so it raises UF (with NX)
 * although the result is the smallest normal: the fast path must leave it
 * to the helper (its result range starts just above the smallest normal).
 * The random operands of jit_fp_fast_path do not land there. By hand,
 * with n = 1500 (S) and 40000000 (D):
 *   (1 - 2n 2^-24) 2^-63 * (1 + n 2^-23) 2^-63 = (1 - 2n^2 2^-47) 2^-126
 * and 2^-25 < 2n^2 2^-47 < 2^-24, likewise with 2^-53, 2^-52, 2^-1022.
 * Each product is run as fmul with a static and a dynamic RNE, NX already
 * accrued; each must give the smallest normal and fflags NX | UF.
 */
static void jit_fp_tiny_boundary(void)
{
    struct world w;
    if (world_new(&w, true)) {
        CHECK(!"world setup");
        return;
    }
    float as = ldexpf(1.0f - 3000.0f * 0x1p-24f, -63), bs = ldexpf(1.0f + 1500.0f * 0x1p-23f, -63);
    double ad = ldexp(1.0 - 80000000.0 * 0x1p-53, -511), bd = ldexp(1.0 + 40000000.0 * 0x1p-52, -511);
    uint32_t as_bits, bs_bits;
    uint64_t ad_bits, bd_bits;
    memcpy(&as_bits, &as, 4);
    memcpy(&bs_bits, &bs, 4);
    memcpy(&ad_bits, &ad, 8);
    memcpy(&bd_bits, &bd, 8);
    static struct init in;
    for (int dbl = 0; dbl < 2; dbl++) {
        for (unsigned rm = 0; rm <= 7; rm += 7) {
            memset(&in, 0, sizeof in);
            in.pc = CODE;
            in.code[0] = (dbl ? 0x12000053u : 0x10000053u) | rm << 12 | 3u << 7 | 1u << 15 | 2u << 20;   /* fmul f3, f1, f2 */
            in.code[1] = 0x00000073;   /* ecall */
            in.n_code = 2;
            in.f[1] = dbl ? ad_bits : 0xffffffff00000000ull | as_bits;
            in.f[2] = dbl ? bd_bits : 0xffffffff00000000ull | bs_bits;
            in.fflags = RV_FFLAGS_NX;
            world_load(&w, &in, true);
            bool compiled = false;
            int e = world_run(&w, &in, 2, true, &compiled);
            CHECK(e == RV_EXIT_ECALL && compiled);
            CHECK(w.h->f[3] == (dbl ? 0x0010000000000000ull : 0xffffffff00800000ull));
            CHECK(w.h->fflags == (RV_FFLAGS_NX | RV_FFLAGS_UF));
        }
    }
    world_free(&w);
}

static void jit_interpreted_ops_mid_block(void)
{
    static const struct mix m = { 4, 2, 2, 1, 20, 0 };
    differential(&m, 2000, "csr");
}

/* ---- directed cases: results worked by hand from the spec ------------------ */

/* Runs code (at CODE) compiled, from x[] = regs; returns the exit. */
static int run_compiled(struct world *w, const uint32_t *code, unsigned n, const uint64_t *regs,
                        bool *compiled)
{
    static struct init in;
    memset(&in, 0, sizeof in);
    in.pc = CODE;
    memcpy(in.code, code, n * 4);
    in.n_code = n;
    memcpy(in.x, regs, sizeof in.x);
    world_load(w, &in, true);
    return world_run(w, &in, n, true, compiled);
}

static void jit_division_edges(void)
{
    struct world w;
    if (world_new(&w, true)) {
        CHECK(!"world setup");
        return;
    }
    const uint64_t MIN = 0x8000000000000000ull;
    uint64_t regs[32] = { 0 };
    regs[1] = MIN;
    regs[2] = ~0ull;           /* -1 */
    regs[3] = 0;
    regs[4] = 7;
    regs[5] = 0xffffffff80000000ull;   /* INT32_MIN, sign-extended */
    const uint32_t code[] = {
        enc_r(0x02004033, 10, 1, 2),   /* div   a0 = MIN / -1 */
        enc_r(0x02006033, 11, 1, 2),   /* rem   a1 = MIN % -1 */
        enc_r(0x02004033, 12, 4, 3),   /* div   a2 = 7 / 0 */
        enc_r(0x02006033, 13, 4, 3),   /* rem   a3 = 7 % 0 */
        enc_r(0x02005033, 14, 4, 3),   /* divu  a4 = 7 / 0 */
        enc_r(0x02007033, 15, 4, 3),   /* remu  a5 = 7 % 0 */
        enc_r(0x0200403b, 16, 5, 2),   /* divw  a6 = INT32_MIN / -1 */
        enc_r(0x0200603b, 17, 5, 2),   /* remw  a7 = INT32_MIN % -1 */
        enc_r(0x0200503b, 18, 4, 3),   /* divuw s2 = 7 / 0 */
        enc_r(0x0200703b, 19, 5, 3),   /* remuw s3 = INT32_MIN % 0 */
        enc_r(0x02004033, 20, 2, 4),   /* div   s4 = -1 / 7 = 0 */
        enc_r(0x02006033, 21, 2, 4),   /* rem   s5 = -1 % 7 = -1 */
        0x00000073,                    /* ecall */
    };
    bool compiled = false;
    int exit = run_compiled(&w, code, N_OF(code), regs, &compiled);
    CHECK(compiled);
    CHECK(exit == RV_EXIT_ECALL);
    uint64_t *x = w.h->x;
    /* Unprivileged ISA 20191213, table 7.1: division by zero and overflow. */
    CHECK(x[10] == MIN);
    CHECK(x[11] == 0);
    CHECK(x[12] == ~0ull);
    CHECK(x[13] == 7);
    CHECK(x[14] == ~0ull);
    CHECK(x[15] == 7);
    CHECK(x[16] == 0xffffffff80000000ull);
    CHECK(x[17] == 0);
    CHECK(x[18] == ~0ull);
    CHECK(x[19] == 0xffffffff80000000ull);
    CHECK(x[20] == 0);
    CHECK(x[21] == ~0ull);
    CHECK(w.h->pc == CODE + 4 * (N_OF(code) - 1));
    world_free(&w);
}

static void jit_shifts_and_words(void)
{
    struct world w;
    if (world_new(&w, true)) {
        CHECK(!"world setup");
        return;
    }
    uint64_t regs[32] = { 0 };
    regs[1] = 0x8000000000000001ull;
    regs[2] = 65;                      /* a shift by 65 is a shift by 1 (64-bit), 1 (32-bit) */
    regs[3] = 0x00000000ffffffffull;
    const uint32_t code[] = {
        enc_r(0x00001033, 10, 1, 2),   /* sll  a0 = 0x...01 << 1 = 2 */
        enc_r(0x40005033, 11, 1, 2),   /* sra  a1 = 0xc000000000000000 */
        enc_r(0x00005033, 12, 1, 2),   /* srl  a2 = 0x4000000000000000 */
        enc_r(0x0000103b, 13, 3, 2),   /* sllw a3 = sext32(0xfffffffe) */
        enc_r(0x0000503b, 14, 3, 2),   /* srlw a4 = 0x7fffffff */
        enc_i(0x0000001b, 15, 3, 1),   /* addiw a5 = sext32(0x100000000) = 0 */
        enc_r(0x00002033, 16, 1, 2),   /* slt  a6 = (MIN+1 < 65) = 1 */
        enc_r(0x00003033, 17, 1, 2),   /* sltu a7 = 0 */
        enc_i(0x00003013, 18, 0, -1),  /* sltiu s2 = (0 < 2^64-1) = 1 */
        enc_r(0x60001033, 19, 1, 2),   /* rol  s3 = 0x0000000000000003 */
        enc_i(0x60001013, 20, 3, 0),   /* clz  s4 = 32 */
        0x00000073,                    /* ecall */
    };
    bool compiled = false;
    int exit = run_compiled(&w, code, N_OF(code), regs, &compiled);
    CHECK(compiled);
    CHECK(exit == RV_EXIT_ECALL);
    uint64_t *x = w.h->x;
    CHECK(x[10] == 2);
    CHECK(x[11] == 0xc000000000000000ull);
    CHECK(x[12] == 0x4000000000000000ull);
    CHECK(x[13] == 0xfffffffffffffffeull);
    CHECK(x[14] == 0x7fffffffull);
    CHECK(x[15] == 0);
    CHECK(x[16] == 1);
    CHECK(x[17] == 0);
    CHECK(x[18] == 1);
    CHECK(x[19] == 3);
    CHECK(x[20] == 32);
    world_free(&w);
}

/* A one-block loop runs inside compiled code and stops exactly when the
 * budget says so, as block-by-block interpretation would. */
static void jit_loop_budget(void)
{
    struct world w;
    if (world_new(&w, true)) {
        CHECK(!"world setup");
        return;
    }
    uint64_t regs[32] = { 0 };
    regs[10] = 1000;
    const uint32_t code[] = {
        enc_i(0x00000013, 10, 10, -1),    /* loop: addi a0, a0, -1 */
        enc_i(0x00000013, 11, 11, 3),     /*       addi a1, a1, 3 */
        enc_b(0x00001063, 10, 0, -8),     /*       bnez a0, loop */
        0x00000073,                       /*       ecall */
    };
    /* 1000 iterations of 3 instructions, then the ecall (not retired). */
    bool compiled = false;
    int exit = run_compiled(&w, code, N_OF(code), regs, &compiled);
    CHECK(compiled);
    CHECK(exit == RV_EXIT_BUDGET);   /* run_compiled's budget is 4 */
    rv_set_budget(w.h, 100000);
    exit = rv_run(w.h);
    CHECK(exit == RV_EXIT_ECALL);
    CHECK(w.h->x[10] == 0);
    CHECK(w.h->x[11] == 3000);
    CHECK(w.h->pc == CODE + 12);

    /* Budget 3 * 400 + 2: 400 whole iterations, then the interpreter runs
     * the two instructions left: a0 = 1000 - 401, a1 = 3 * 401. */
    w.h->x[10] = 1000;
    w.h->x[11] = 0;
    w.h->pc = CODE;
    rv_set_budget(w.h, 3 * 400 + 2);
    uint64_t instret0 = rv_instret(w.h);
    exit = rv_run(w.h);
    CHECK(exit == RV_EXIT_BUDGET);
    CHECK(w.h->x[10] == 599);
    CHECK(w.h->x[11] == 1203);
    CHECK(w.h->pc == CODE + 8);
    CHECK(rv_instret(w.h) - instret0 == 3 * 400 + 2);
    world_free(&w);
}

/*
 * Runs in's program with every budget from 1 to max, interpreted and with
 * the blocks at starts[] decoded first (the last one, the head, compiled
 * on entry; with chain, every one of them, each alone: no regions);
 * returns how many runs differ, counts in *regions the runs that
 * compiled a region, and leaves the last compiled run's result in *last.
 */
static unsigned sweep(const struct init *in, unsigned max, const uint64_t *starts, unsigned n_starts, bool chain,
                      unsigned *regions, struct result *last)
{
    struct world wi, wj;
    if (world_new(&wi, false) || world_new(&wj, true)) {
        CHECK(!"world setup");
        return 1;
    }
    static struct result ri;
    unsigned bad = 0;
    *regions = 0;
    for (unsigned budget = 1; budget <= max; budget++) {
        world_load(&wi, in, true);
        int ei = world_run(&wi, in, budget, false, NULL);
        world_result(&wi, ei, in, &ri);

        world_load(&wj, in, true);
        rv_sync(wj.h);
        wj.h->no_regions = chain;
        struct rv_block *b = NULL;
        for (unsigned i = 0; i < n_starts; i++)
            if ((b = rv_cache_lookup(wj.h, starts[i])) && chain)
                b->heat = RV_JIT_HEAT_LATE - 1;
        if (b)
            b->heat = RV_JIT_HEAT_LATE - 1;
        uint64_t before = wj.h->stat_jit_regions;
        int ej = world_run(&wj, in, budget, false, NULL);
        world_result(&wj, ej, in, last);
        *regions += wj.h->stat_jit_regions > before;
        if (!same_result("region", in, &ri, last))
            bad++;
    }
    world_free(&wi);
    world_free(&wj);
    return bad;
}

/*
 * Two blocks that go to each other, each compiled alone on its first
 * entry, so that each goes straight on to the other's code (chaining),
 * stopped by every budget from 1 to 200: each must be charged as the
 * interpreter's block entry charges it, and every run stop where
 * interpretation stops (B's load misses the TLB the first time). By
 * hand: a0 counts 25 down, each pass adds 7 (the word at s1) to a3: 175;
 * 3 + 3 instructions a pass and the ecall: 151.
 *   A (CODE):        addi a0, a0, -1 ; addi a1, a1, 1 ; j B
 *   B (CODE + 0x80): ld a2, 0(s1) ; add a3, a3, a2 ; bnez a0, A ; ecall
 */
static void jit_chain_budget(void)
{
    static struct init in;
    static struct result rj;
    memset(&in, 0, sizeof in);
    in.pc = CODE;
    in.code[0] = enc_i(0x00000013, 10, 10, -1);          /* addi a0, a0, -1 */
    in.code[1] = enc_i(0x00000013, 11, 11, 1);           /* addi a1, a1, 1 */
    in.code[2] = enc_j(0x6f, 0, 0x80 - 8);               /* j B */
    in.code[32] = enc_i(0x00003003, 12, 9, 0);           /* ld a2, 0(s1) */
    in.code[33] = enc_r(0x00000033, 13, 13, 12);         /* add a3, a3, a2 */
    in.code[34] = enc_b(0x00001063, 10, 0, -(int32_t)(0x80 + 8));   /* bnez a0, A */
    in.code[35] = 0x00000073;                            /* ecall */
    in.n_code = 36;
    in.x[10] = 25;
    in.x[9] = DATA + 64;
    in.data[64] = 7;
    static const uint64_t starts[] = { CODE + 0x80, CODE };
    unsigned regions;
    CHECK(sweep(&in, 200, starts, N_OF(starts), true, &regions, &rj) == 0);
    CHECK(rj.exit == RV_EXIT_ECALL);
    CHECK(rj.instret == 151);
    CHECK(rj.x[13] == 175 && rj.x[11] == 25 && rj.x[10] == 0);
    CHECK(regions == 0);
}

/*
 * A loop of three blocks, compiled as one region, stopped by every budget
 * from 1 to 130: it must stop where block-by-block interpretation stops,
 * with the same registers and instret, and end with the values worked out
 * by hand. a0 counts 20 down to 1; on the j-th pass (j from 0) a2 is 3j,
 * added to a1 when a0 is odd, i.e. j odd: a1 = 3 * (1 + 3 + ... + 19) =
 * 300, a2 = 60. Each pass is 2 + 3 instructions, 2 + 4 for odd a0: 110,
 * and the ecall that ends the run is charged as the run leaves on it: 111.
 *   L: andi t0, a0, 1 ; beqz t0, E
 *      add a1, a1, a2            (falls into E: the block O is add + E)
 *   E: addi a2, a2, 3 ; addi a0, a0, -1 ; bnez a0, L
 *      ecall
 */
static void jit_region_loop(void)
{
    static struct init in;
    static struct result rj;
    memset(&in, 0, sizeof in);
    in.pc = CODE;
    in.code[0] = enc_i(0x00007013, 5, 10, 1);            /* andi t0, a0, 1 */
    in.code[1] = enc_b(0x00000063, 5, 0, 8);             /* beqz t0, E */
    in.code[2] = enc_r(0x00000033, 11, 11, 12);          /* add a1, a1, a2 */
    in.code[3] = enc_i(0x00000013, 12, 12, 3);           /* E: addi a2, a2, 3 */
    in.code[4] = enc_i(0x00000013, 10, 10, -1);          /* addi a0, a0, -1 */
    in.code[5] = enc_b(0x00001063, 10, 0, -20);          /* bnez a0, L */
    in.code[6] = 0x00000073;                             /* ecall */
    in.n_code = 7;
    in.x[10] = 20;
    static const uint64_t starts[] = { CODE + 8, CODE + 12, CODE };   /* the head last: decoded first */
    unsigned regions;
    CHECK(sweep(&in, 130, starts, N_OF(starts), false, &regions, &rj) == 0);
    CHECK(rj.exit == RV_EXIT_ECALL);
    CHECK(rj.instret == 111);
    CHECK(rj.x[11] == 300 && rj.x[12] == 60 && rj.x[10] == 0);
    CHECK(rj.pc == CODE + 24);
    /* budget 1 cannot enter the head's 2 instructions whole */
    CHECK(regions == (rv_jit_regions() ? 129u : 0u));
}

/*
 * A region left from a block other than its head, after the interpreter
 * has linked the head's fall-through: the exit must say "go on at C"
 * (INDIRECT), not "the head's fall-through" -- an op-indexed exit is
 * applied by the interpreter to the head, whose fall-through link goes to
 * B, which would run once more. The head is compiled when it gets hot, as
 * in a run, after eight passes through the interpreter. By hand: 30
 * passes of 3 instructions, then addi and the ecall: 92; a0 = 30, a2 = 7.
 *   A: addi a0, a0, 1 ; beq a0, a3, out      (a3 = -1: never taken)
 *   B: blt a0, a1, A
 *   C: addi a2, a2, 7 ; ecall
 */
static void jit_region_exit(void)
{
    static struct init in;
    static struct result rj;
    memset(&in, 0, sizeof in);
    in.pc = CODE;
    in.code[0] = enc_i(0x00000013, 10, 10, 1);           /* A: addi a0, a0, 1 */
    in.code[1] = enc_b(0x00000063, 10, 13, 12);          /* beq a0, a3, +12 (the ecall) */
    in.code[2] = enc_b(0x00004063, 10, 11, -8);          /* B: blt a0, a1, A */
    in.code[3] = enc_i(0x00000013, 12, 12, 7);           /* C: addi a2, a2, 7 */
    in.code[4] = 0x00000073;                             /* ecall */
    in.n_code = 5;
    in.x[11] = 30;
    in.x[13] = ~0ull;
    unsigned regions;
    CHECK(sweep(&in, 100, NULL, 0, false, &regions, &rj) == 0);
    CHECK(rj.exit == RV_EXIT_ECALL);
    CHECK(rj.instret == 92);
    CHECK(rj.x[10] == 30 && rj.x[12] == 7);
    CHECK(rj.pc == CODE + 16);
    CHECK(rv_jit_regions() ? regions > 0 : regions == 0);
}

/*
 * A loop closed by an indirect jump, as a switch's dispatch: D jumps to
 * H0 or H1 by the low bit of a0, and each jumps back to D. The region
 * (D, H0, H1) is formed from the jump cache, and D's jalr goes straight
 * to the handler's code. Every budget from 1 to 150 must stop it where
 * interpretation does; by hand, 10 passes each add 3 to a1 and 5 to a2,
 * each pass 4 + 3 instructions, and the ecall: 141.
 *   D (CODE):        andi t1, a0, 1 ; slli t1, t1, 4 ; add t1, t1, s0 ; jr t1
 *   H0 (CODE + 0x40): addi a1, a1, 3 ; addi a0, a0, -1 ; bnez a0, D ; ecall
 *   H1 (CODE + 0x50): addi a2, a2, 5 ; addi a0, a0, -1 ; bnez a0, D ; ecall
 * (s0 = CODE + 0x40)
 */
static void dispatch_loop(struct init *in, uint64_t passes)
{
    memset(in, 0, sizeof *in);
    in->pc = CODE;
    in->code[0] = enc_i(0x00007013, 6, 10, 1);            /* andi t1, a0, 1 */
    in->code[1] = enc_i(0x00001013, 6, 6, 4);             /* slli t1, t1, 4 */
    in->code[2] = enc_r(0x00000033, 6, 6, 8);             /* add t1, t1, s0 */
    in->code[3] = enc_i(0x00000067, 0, 6, 0);             /* jr t1 (t0 would be a return) */
    for (unsigned h = 0; h < 2; h++) {
        unsigned at = 16 + 4 * h;
        in->code[at] = enc_i(0x00000013, 11 + h, 11 + h, h ? 5 : 3);   /* addi a1/a2 */
        in->code[at + 1] = enc_i(0x00000013, 10, 10, -1);              /* addi a0, a0, -1 */
        in->code[at + 2] = enc_b(0x00001063, 10, 0, -(int32_t)(4 * (at + 2)));   /* bnez a0, D */
        in->code[at + 3] = 0x00000073;                                 /* ecall */
    }
    in->n_code = 24;
    in->x[8] = CODE + 0x40;
    in->x[10] = passes;
}

static void jit_region_indirect(void)
{
    static struct init in;
    static struct result rj;
    dispatch_loop(&in, 20);
    static const uint64_t starts[] = { CODE + 0x40, CODE + 0x50, CODE };   /* the head last */
    unsigned regions;
    CHECK(sweep(&in, 150, starts, N_OF(starts), false, &regions, &rj) == 0);
    CHECK(rj.exit == RV_EXIT_ECALL);
    CHECK(rj.instret == 141);
    CHECK(rj.x[11] == 30 && rj.x[12] == 50 && rj.x[10] == 0);
    CHECK(regions == (rv_jit_regions() ? 147u : 0u));   /* budgets under 4 cannot enter D whole */
}

/*
 * A head on no loop of direct jumps waits: not compiled at RV_JIT_HEAT
 * (most such blocks run a few times only, as start-up code does, and a
 * loop closed by a computed jump is found by scanning the whole jump
 * cache), but at RV_JIT_HEAT_LATE. Two programs, each head's heat one
 * short of RV_JIT_HEAT, run for 20 and for 100 passes: after 20 the head
 * is still interpreted; after 100 it was compiled at its 65th entry.
 *   jit_region_indirect's loop, head D: compiled as a region. H0 runs
 *   for even a0, H1 for odd, a0 from N down to 1: a1 = 3 N/2, a2 = 5 N/2.
 *   A function F called from a loop, compiled alone:
 *     L (CODE):        jal ra, F
 *     C (CODE + 4):    addi a0, a0, -1 ; bnez a0, L ; ecall
 *     F (CODE + 0x40): addi a1, a1, 7 ; ret
 *   a1 = 7 N.
 */
static void call_loop(struct init *in, uint64_t passes)
{
    memset(in, 0, sizeof *in);
    in->pc = CODE;
    in->code[0] = 0x040000ef;                               /* jal ra, +0x40 */
    in->code[1] = enc_i(0x00000013, 10, 10, -1);            /* addi a0, a0, -1 */
    in->code[2] = enc_b(0x00001063, 10, 0, -8);             /* bnez a0, L */
    in->code[3] = 0x00000073;                               /* ecall */
    in->code[16] = enc_i(0x00000013, 11, 11, 7);            /* addi a1, a1, 7 */
    in->code[17] = 0x00008067;                              /* ret */
    in->n_code = 18;
    in->x[10] = passes;
}

static void jit_region_deferred(void)
{
    static struct init in;
    static const uint64_t passes[] = { 20, 100 };
    for (unsigned prog = 0; prog < 2; prog++) {
        uint64_t head = prog == 0 ? CODE : CODE + 0x40;
        for (unsigned i = 0; i < N_OF(passes); i++) {
            struct world w;
            if (world_new(&w, true)) {
                CHECK(!"world setup");
                return;
            }
            if (prog == 0)
                dispatch_loop(&in, passes[i]);
            else
                call_loop(&in, passes[i]);
            world_load(&w, &in, true);
            rv_sync(w.h);
            if (prog == 0) {
                rv_cache_lookup(w.h, CODE + 0x40);
                rv_cache_lookup(w.h, CODE + 0x50);
            }
            struct rv_block *d = rv_cache_lookup(w.h, head);
            CHECK(d != NULL);
            if (d)
                d->heat = RV_JIT_HEAT - 1;
            int e = world_run(&w, &in, 100000, false, NULL);
            CHECK(e == RV_EXIT_ECALL);
            if (prog == 0)
                CHECK(w.h->x[11] == 3 * passes[i] / 2 && w.h->x[12] == 5 * passes[i] / 2 && w.h->x[10] == 0);
            else
                CHECK(w.h->x[11] == 7 * passes[i] && w.h->x[10] == 0);
            d = rv_cache_find(w.h->cache, head);
            CHECK(d != NULL);
            if (!rv_jit_regions())   /* no regions to wait for: compiled alone at RV_JIT_HEAT */
                CHECK(d && d->jit && w.h->stat_jit_regions == 0);
            else if (i == 0)
                CHECK(d && !d->jit && w.h->stat_jit_regions == 0);
            else
                CHECK(d && d->jit && w.h->stat_jit_regions == (prog == 0 ? 1u : 0u));
            world_free(&w);
        }
    }
}

/*
 * Each compiled load and store keeps a memo of the TLB entry it used last;
 * it must die when the page it names changes. A's load reads a fresh page
 * (the shared zero page) three times: the first fills the TLB, the second
 * the memo, the third uses it. B's store gives the page a page of its own,
 * and A's load, run again by the same code, must see the write.
 *   A: ld a1, 0(a0) ; addi a4, a4, -1 ; bnez a4, A
 *   B: sd a2, 0(a0) ; addi a5, a5, -1 ; li a4, 1 ; bnez a5, A
 *      ecall
 */
static void jit_site_memo(void)
{
    struct world w;
    if (world_new(&w, true)) {
        CHECK(!"world setup");
        return;
    }
    const uint64_t fresh = 0x30000;
    CHECK(mem_map(w.as, fresh, MEM_PAGE_SIZE, MEM_R | MEM_W) == 0);
    static struct init in;
    memset(&in, 0, sizeof in);
    in.pc = CODE;
    in.code[0] = enc_i(0x00003003, 11, 10, 0);           /* ld a1, 0(a0) */
    in.code[1] = enc_i(0x00000013, 14, 14, -1);          /* addi a4, a4, -1 */
    in.code[2] = enc_b(0x00001063, 14, 0, -8);           /* bnez a4, A */
    in.code[3] = enc_s(0x00003023, 10, 12, 0);           /* sd a2, 0(a0) */
    in.code[4] = enc_i(0x00000013, 15, 15, -1);          /* addi a5, a5, -1 */
    in.code[5] = enc_i(0x00000013, 14, 0, 1);            /* li a4, 1 */
    in.code[6] = enc_b(0x00001063, 15, 0, -24);          /* bnez a5, A */
    in.code[7] = 0x00000073;                             /* ecall */
    in.n_code = 8;
    in.x[10] = fresh;
    in.x[12] = 0x5a5a5a5a12345678ull;
    in.x[14] = 3;
    in.x[15] = 2;
    world_load(&w, &in, true);
    bool compiled = false;
    int exit = world_run(&w, &in, 100, true, &compiled);
    CHECK(compiled);
    CHECK(exit == RV_EXIT_ECALL);
    CHECK(w.h->x[11] == 0x5a5a5a5a12345678ull);
    CHECK(w.h->x[14] == 1 && w.h->x[15] == 0);
    world_free(&w);
}

/* A load from an unmapped page traps at that load: earlier ops retired,
 * later ones did not, pc and instret point at it. */
static void jit_fault_mid_block(void)
{
    struct world w;
    if (world_new(&w, true)) {
        CHECK(!"world setup");
        return;
    }
    uint64_t regs[32] = { 0 };
    regs[1] = RO + 0x1000 + 0x10;      /* unmapped */
    regs[2] = DATA;
    const uint32_t code[] = {
        enc_i(0x00000013, 10, 0, 5),   /* li a0, 5 */
        enc_s(0x00003023, 2, 10, 8),   /* sd a0, 8(x2) */
        enc_i(0x00003003, 11, 1, 0),   /* ld a1, 0(x1): faults */
        enc_i(0x00000013, 12, 0, 9),   /* li a2, 9: not reached */
        0x00000073,
    };
    rv_set_budget(w.h, 1000);
    uint64_t instret0 = rv_instret(w.h);
    bool compiled = false;
    int exit = run_compiled(&w, code, N_OF(code), regs, &compiled);
    CHECK(compiled);
    CHECK(exit == RV_EXIT_TRAP);
    CHECK(w.h->cause == RV_CAUSE_LOAD_PAGE);
    CHECK(w.h->tval == RO + 0x1010);
    CHECK(w.h->pc == CODE + 8);
    CHECK(rv_instret(w.h) - instret0 == 2);
    CHECK(w.h->x[10] == 5);
    CHECK(w.h->x[12] == 0);
    uint64_t v = 0;
    CHECK(mem_read(w.as, DATA + 8, &v, 8) == 0 && v == 5);
    world_free(&w);
}

/* A store into the block's own code: it retires, the block is left, and
 * the rewritten instruction is the one that runs (interpreter semantics). */
static void jit_self_modifying_store(void)
{
    struct world w;
    if (world_new(&w, true)) {
        CHECK(!"world setup");
        return;
    }
    uint64_t regs[32] = { 0 };
    regs[8] = CODE;
    regs[9] = enc_i(0x00000013, 12, 0, 77);   /* li a2, 77 */
    const uint32_t code[] = {
        enc_s(0x00002023, 8, 9, 8),    /* sw s1, 8(s0): overwrite the insn at +8 */
        enc_i(0x00000013, 11, 0, 1),   /* li a1, 1 */
        enc_i(0x00000013, 12, 0, 2),   /* li a2, 2: replaced by li a2, 77 */
        0x00000073,
    };
    bool compiled = false;
    int exit = run_compiled(&w, code, N_OF(code), regs, &compiled);
    CHECK(compiled);
    CHECK(exit == RV_EXIT_ECALL);
    CHECK(w.h->x[11] == 1);
    CHECK(w.h->x[12] == 77);
    CHECK(w.h->pc == CODE + 12);
    world_free(&w);
}

/* A block entered from another block's compiled code writes code: the
 * store retires, the rest of that block does not, and execution goes on
 * right after the store as the interpreter would.
 *   A (CODE):        add s1, s1, s2 ; j B
 *   B (CODE + 0x80): sw a2, 0(s1) ; addi a3, a3, 1 ; j A
 * s1 + s2 is DATA on the first pass and CODE + 0x200 on the second, when
 * A and B are compiled and A goes straight on to B's code: through the
 * jump cache, or (region) as one region of the loop A B. compressed: B
 * is c.sw a2, 0(s1) ; c.addi a3, 1 ; j A (the store is 2 bytes long). */
static void chained_code_write(bool compressed, bool region)
{
    struct world w;
    if (world_new(&w, true)) {
        CHECK(!"world setup");
        return;
    }
    w.h->no_regions = !region;
    static struct init in;
    memset(&in, 0, sizeof in);
    in.pc = CODE;
    in.code[0] = enc_r(0x00000033, 9, 9, 18);                  /* add s1, s1, s2 */
    in.code[1] = enc_j(0x6f, 0, 0x80 - 4);                       /* j B */
    if (compressed) {
        in.code[32] = c_ls(6, 1, 4, 0) | (uint32_t)c_ci(0, 1, 13, 1) << 16;
        in.code[33] = enc_j(0x6f, 0, -(int32_t)(0x80 + 4));
        in.n_code = 34;
    } else {
        in.code[32] = enc_s(0x00002023, 9, 12, 0);               /* sw a2, 0(s1) */
        in.code[33] = enc_i(0x00000013, 13, 13, 1);              /* addi a3, a3, 1 */
        in.code[34] = enc_j(0x6f, 0, -(int32_t)(0x80 + 8));      /* j A */
        in.n_code = 35;
    }
    uint64_t step = CODE + 0x200 - DATA;
    in.x[9] = DATA - step;
    in.x[18] = step;
    in.x[12] = 0x12345678;
    world_load(&w, &in, true);
    rv_sync(w.h);
    struct rv_block *a = rv_cache_lookup(w.h, CODE), *b = rv_cache_lookup(w.h, CODE + 0x80);
    CHECK(a && b);
    if (a && b) {
        a->heat = b->heat = RV_JIT_HEAT_LATE - 1;
        /* A B A B(store only) = 2 + 3 + 2 + 1 instructions, then the
         * interpreter runs B's last two: 10 in all, ending at A. */
        int exit = world_run(&w, &in, 10, false, NULL);
        CHECK(exit == RV_EXIT_BUDGET);
        CHECK(w.h->pc == CODE);
        CHECK(rv_instret(w.h) == 10);
        CHECK(w.h->x[13] == 2);
        CHECK(w.h->x[9] == CODE + 0x200);
        uint32_t v = 0, d = 0;
        CHECK(mem_read(w.as, CODE + 0x200, &v, 4) == 0 && v == 0x12345678);
        CHECK(mem_read(w.as, DATA, &d, 4) == 0 && d == 0x12345678);
        if (region && rv_jit_regions())
            CHECK(w.h->stat_jit_regions == 1);
        else
            CHECK(w.h->stat_jit_blocks >= 2);
    }
    world_free(&w);
}

/* The same, where the store rewrites the very next instruction and a
 * block starting there was looked up before (so the jump cache holds it,
 * decoded from the old code): the new instruction must run.
 *   C (CODE + 0x100): j B + 4                     (runs first)
 *   A (CODE):         add s1, s1, s2 ; j A + 0x80
 *   B (CODE + 0x80):  sw a2, 0(s1) ; addi a3, a3, 1 ; j A
 * The second pass of B (chained) stores "addi a3, a3, 100" over B + 4.
 * C, B+4 (2), A (2), B (3), A (2), B's store, then the new B + 4 (2):
 * 13 instructions, a3 = 1 + 1 + 100. */
static void chained_code_write_stale(void)
{
    struct world w;
    if (world_new(&w, true)) {
        CHECK(!"world setup");
        return;
    }
    static struct init in;
    memset(&in, 0, sizeof in);
    in.pc = CODE;
    in.code[0] = enc_r(0x00000033, 9, 9, 18);
    in.code[1] = enc_j(0x6f, 0, 0x80 - 4);
    in.code[32] = enc_s(0x00002023, 9, 12, 0);
    in.code[33] = enc_i(0x00000013, 13, 13, 1);
    in.code[34] = enc_j(0x6f, 0, -(int32_t)(0x80 + 8));
    in.code[64] = enc_j(0x6f, 0, -(int32_t)(0x100 - 0x84));
    in.n_code = 65;
    uint64_t step = CODE + 0x84 - DATA;
    in.x[9] = DATA - step;
    in.x[18] = step;
    in.x[12] = enc_i(0x00000013, 13, 13, 100);
    world_load(&w, &in, true);
    w.h->pc = CODE + 0x100;
    rv_sync(w.h);
    static const uint64_t starts[] = { CODE, CODE + 0x80, CODE + 0x84, CODE + 0x100 };
    for (unsigned i = 0; i < N_OF(starts); i++) {
        struct rv_block *b = rv_cache_lookup(w.h, starts[i]);
        CHECK(b != NULL);
        if (b)
            b->heat = RV_JIT_HEAT_LATE - 1;
    }
    int exit = world_run(&w, &in, 13, false, NULL);
    CHECK(exit == RV_EXIT_BUDGET);
    CHECK(w.h->pc == CODE);
    CHECK(rv_instret(w.h) == 13);
    CHECK(w.h->x[13] == 102);
    world_free(&w);
}

static void jit_chained_code_write(void)
{
    chained_code_write(false, false);
    chained_code_write(true, false);
    chained_code_write(false, true);
    chained_code_write(true, true);
    chained_code_write_stale();
}

/* The buffer fills up: compile then returns NULL; a reset makes room. */
static void jit_buffer_full(void)
{
    struct world w;
    if (world_new(&w, true)) {
        CHECK(!"world setup");
        return;
    }
    uint32_t code[RV_BLOCK_MAX_INSNS];
    for (unsigned i = 0; i < RV_BLOCK_MAX_INSNS; i++)
        code[i] = enc_i(0x00003003, 10, 5, 0);   /* ld a0, 0(t0) */
    mem_poke(w.as, CODE, code, sizeof code);
    rv_sync(w.h);
    struct rv_block *b = rv_cache_lookup(w.h, CODE);
    struct rv_jit *j = w.h->cache->jit;
    CHECK(b && j);
    if (b && j) {
        unsigned n = 0;
        void *last = NULL;
        while (n < 1000000 && (last = rv_jit_compile(j, b)) != NULL)
            n++;
        CHECK(last == NULL);
        CHECK(n > 100);
        rv_jit_reset(j);
        CHECK(rv_jit_compile(j, b) != NULL);
        rv_jit_reset(j);
    }
    world_free(&w);
}

/* A block whose first op the backend leaves to the interpreter is not
 * compiled at all. */
static void jit_first_op_unsupported(void)
{
    struct world w;
    if (world_new(&w, true)) {
        CHECK(!"world setup");
        return;
    }
    const uint32_t code[] = { 0x00000073 };
    mem_poke(w.as, CODE, code, sizeof code);
    rv_sync(w.h);
    struct rv_block *b = rv_cache_lookup(w.h, CODE);
    CHECK(b != NULL);
    if (b)
        CHECK(rv_jit_compile(w.h->cache->jit, b) == NULL);
    world_free(&w);
}

int main(void)
{
    const char *seed = getenv("JIT_TEST_SEED");
    if (seed && *seed)
        rng_state = strtoull(seed, NULL, 0) | 1;
    const char *scale = getenv("JIT_TEST_SCALE");
    if (scale && *scale)
        cases_scale = strtoul(scale, NULL, 0) ? strtoul(scale, NULL, 0) : 1;

    struct rv_jit *probe = rv_jit_new();
    if (!probe) {
        printf("SKIP unit/jit: this host has no block compiler backend\n");
        return 0;
    }
    rv_jit_free(probe);

    RUN(jit_division_edges);
    RUN(jit_shifts_and_words);
    RUN(jit_fault_mid_block);
    RUN(jit_loop_budget);
    RUN(jit_self_modifying_store);
    RUN(jit_first_op_unsupported);
    RUN(jit_buffer_full);
    RUN(jit_integer_ops);
    RUN(jit_loads_stores);
    RUN(jit_fp_ops);
    RUN(jit_fp_fast_path);
    RUN(jit_fp_tiny_boundary);
    RUN(jit_interpreted_ops_mid_block);
    RUN(jit_chained_blocks);
    RUN(jit_region_loop);
    RUN(jit_region_exit);
    RUN(jit_chain_budget);
    RUN(jit_region_indirect);
    RUN(jit_region_deferred);
    RUN(jit_site_memo);
    RUN(jit_chained_code_write);
    return check_total_failed;
}
