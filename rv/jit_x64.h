/*
 * jit_x64.h — a minimal x86-64 instruction encoder for the block compiler
 * (rv/jit.c): just the forms the templates use.
 *
 * Every instruction is one of two shapes, after optional mandatory
 * prefixes (66, F3, F2) and a REX byte:
 *     opcode  ModRM(reg, [base + index + disp])   memory operand
 *     opcode  ModRM(reg, rm)                      register operand
 * Opcodes are passed as one integer and emitted most significant byte
 * first (0x0faf is "0f af"). Writing past the end of the buffer sets
 * `overflow` instead (the caller reserves room up front; this is the
 * backstop). Intel SDM vol. 2, chapter 2 (instruction format).
 */
#ifndef MVM_JIT_X64_H
#define MVM_JIT_X64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum x_reg { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

/* Condition codes (the low nibble of jcc/setcc/cmovcc). */
enum x_cc {
    CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
    CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G,
};

/* Instruction flags. */
#define X_W  1u   /* REX.W: 64-bit operand */
#define X_66 2u   /* operand-size prefix (16-bit, or SSE) */
#define X_F3 4u   /* mandatory F3 prefix (popcnt, scalar single SSE) */
#define X_F2 8u   /* mandatory F2 prefix (scalar double SSE) */

/* Group opcodes: the /digit of ModRM.reg. */
enum { G1_ADD = 0, G1_OR = 1, G1_AND = 4, G1_SUB = 5, G1_XOR = 6, G1_CMP = 7 };
enum { G2_ROL = 0, G2_ROR = 1, G2_SHL = 4, G2_SHR = 5, G2_SAR = 7 };
enum { G3_NOT = 2, G3_NEG = 3, G3_MUL = 4, G3_IMUL = 5, G3_DIV = 6, G3_IDIV = 7 };
enum { G8_BT = 4, G8_BTS = 5, G8_BTR = 6, G8_BTC = 7 };

struct x64 {
    uint8_t *p, *end;
    bool overflow;
};

static inline void x_b(struct x64 *a, unsigned v)
{
    if (a->p < a->end)
        *a->p++ = (uint8_t)v;
    else
        a->overflow = true;
}

static inline void x_d(struct x64 *a, uint32_t v)
{
    for (int i = 0; i < 32; i += 8)
        x_b(a, (v >> i) & 0xff);
}

static inline void x_q(struct x64 *a, uint64_t v)
{
    x_d(a, (uint32_t)v);
    x_d(a, (uint32_t)(v >> 32));
}

static inline void x_prefix(struct x64 *a, unsigned fl, int reg, int index, int base)
{
    if (fl & X_66)
        x_b(a, 0x66);
    if (fl & X_F3)
        x_b(a, 0xf3);
    if (fl & X_F2)
        x_b(a, 0xf2);
    unsigned rex = (fl & X_W ? 8u : 0u) | (reg & 8 ? 4u : 0u) |
                   (index >= 0 && (index & 8) ? 2u : 0u) | (base & 8 ? 1u : 0u);
    if (rex)
        x_b(a, 0x40 | rex);
}

static inline void x_opc(struct x64 *a, unsigned opc)
{
    if (opc > 0xffff)
        x_b(a, opc >> 16);
    if (opc > 0xff)
        x_b(a, (opc >> 8) & 0xff);
    x_b(a, opc & 0xff);
}

/* opc reg, [base + index + disp]; index < 0: none (index must not be RSP). */
static inline void x_mem(struct x64 *a, unsigned fl, unsigned opc, int reg, int base, int index,
                         int32_t disp)
{
    x_prefix(a, fl, reg, index, base);
    x_opc(a, opc);
    /* mod 00 with base rbp/r13 means rip-relative or disp32: use disp8 0. */
    unsigned mod = disp == 0 && (base & 7) != RBP ? 0u : disp >= -128 && disp <= 127 ? 1u : 2u;
    if (index < 0 && (base & 7) != RSP) {
        x_b(a, mod << 6 | (unsigned)(reg & 7) << 3 | (unsigned)(base & 7));
    } else {
        x_b(a, mod << 6 | (unsigned)(reg & 7) << 3 | 4u);
        x_b(a, (unsigned)((index < 0 ? RSP : index) & 7) << 3 | (unsigned)(base & 7));
    }
    if (mod == 1)
        x_b(a, (uint8_t)disp);
    else if (mod == 2)
        x_d(a, (uint32_t)disp);
}

/* No-ops up to the next multiple of n bytes (a power of two), as few
 * instructions as it takes (the 5-byte nop, then single bytes). */
static inline void x_align(struct x64 *a, unsigned n)
{
    while (((uintptr_t)a->p & (n - 1)) >= 1 && ((uintptr_t)a->p & (n - 1)) <= n - 5 && !a->overflow) {
        static const uint8_t nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };   /* nopl 0(rax, rax) */
        for (unsigned i = 0; i < 5; i++)
            x_b(a, nop5[i]);
    }
    while (((uintptr_t)a->p & (n - 1)) != 0 && !a->overflow)
        x_b(a, 0x90);
}

/* opc reg, [target] (rip-relative: target within 2 GiB of the code). */
static inline void x_rip(struct x64 *a, unsigned fl, unsigned opc, int reg, const void *target)
{
    x_prefix(a, fl, reg, -1, 0);
    x_opc(a, opc);
    x_b(a, (unsigned)(reg & 7) << 3 | 5u);
    x_d(a, (uint32_t)(int32_t)((const uint8_t *)target - (a->p + 4)));
}

/* opc reg, rm (both registers). */
static inline void x_rr(struct x64 *a, unsigned fl, unsigned opc, int reg, int rm)
{
    x_prefix(a, fl, reg, -1, rm);
    x_opc(a, opc);
    x_b(a, 0xc0 | (unsigned)(reg & 7) << 3 | (unsigned)(rm & 7));
}

/* mov r64, imm: the shortest form that gives the 64-bit value. */
static inline void x_mov_imm(struct x64 *a, int r, uint64_t v)
{
    if (v == 0) {
        x_rr(a, 0, 0x33, r, r);                        /* xor r32, r32 */
    } else if (v <= 0xffffffffu) {
        x_prefix(a, 0, 0, -1, r);                      /* mov r32, imm32 (zero-extends) */
        x_b(a, 0xb8 + (r & 7));
        x_d(a, (uint32_t)v);
    } else if ((uint64_t)(int64_t)(int32_t)v == v) {
        x_rr(a, X_W, 0xc7, 0, r);                      /* mov r64, simm32 */
        x_d(a, (uint32_t)v);
    } else {
        x_prefix(a, X_W, 0, -1, r);                    /* movabs r64, imm64 */
        x_b(a, 0xb8 + (r & 7));
        x_q(a, v);
    }
}

/* Group 1 (add/or/and/sub/xor/cmp) with an immediate on a register. */
static inline void x_g1_ri(struct x64 *a, unsigned fl, int ext, int r, int32_t imm)
{
    if (imm >= -128 && imm <= 127) {
        x_rr(a, fl, 0x83, ext, r);
        x_b(a, (uint8_t)imm);
    } else {
        x_rr(a, fl, 0x81, ext, r);
        x_d(a, (uint32_t)imm);
    }
}

/* Group 2 shift/rotate of a register by an immediate count. */
static inline void x_shift_ri(struct x64 *a, unsigned fl, int ext, int r, unsigned count)
{
    x_rr(a, fl, 0xc1, ext, r);
    x_b(a, count);
}

static inline void x_push(struct x64 *a, int r)
{
    if (r & 8)
        x_b(a, 0x41);
    x_b(a, 0x50 + (r & 7));
}

static inline void x_pop(struct x64 *a, int r)
{
    if (r & 8)
        x_b(a, 0x41);
    x_b(a, 0x58 + (r & 7));
}

/* Forward jumps: emit with a zero offset, remember where, patch later. */
static inline uint8_t *x_jcc32(struct x64 *a, int cc)
{
    x_b(a, 0x0f);
    x_b(a, 0x80 + cc);
    uint8_t *at = a->p;
    x_d(a, 0);
    return at;
}

static inline uint8_t *x_jmp32(struct x64 *a)
{
    x_b(a, 0xe9);
    uint8_t *at = a->p;
    x_d(a, 0);
    return at;
}

static inline uint8_t *x_jcc8(struct x64 *a, int cc)
{
    x_b(a, 0x70 + cc);
    uint8_t *at = a->p;
    x_b(a, 0);
    return at;
}

static inline uint8_t *x_jmp8(struct x64 *a)
{
    x_b(a, 0xeb);
    uint8_t *at = a->p;
    x_b(a, 0);
    return at;
}

/* Points the rel32 at `at` to target. */
static inline void x_patch32(struct x64 *a, uint8_t *at, const uint8_t *target)
{
    if (a->overflow || !at)
        return;
    int32_t rel = (int32_t)(target - (at + 4));
    for (int i = 0; i < 4; i++)
        at[i] = (uint8_t)((uint32_t)rel >> (8 * i));
}

/* Points the rel8 at `at` to target; a distance out of range fails the
 * whole compilation (as an overflow) rather than jump astray. */
static inline void x_patch8(struct x64 *a, uint8_t *at, const uint8_t *target)
{
    if (a->overflow || !at)
        return;
    ptrdiff_t d = target - (at + 1);
    if (d < -128 || d > 127) {
        a->overflow = true;
        return;
    }
    *at = (uint8_t)(int8_t)d;
}

#endif
