/*
 * rv_enc.h — RISC-V base instruction formats (R, I, S, B, J) for the unit
 * tests that write guest code by hand: base is the opcode with its funct
 * fields (Unprivileged ISA, chapter 24 opcode map).
 */
#ifndef MVM_TEST_RV_ENC_H
#define MVM_TEST_RV_ENC_H

#include <stdint.h>

static inline uint32_t enc_r(uint32_t base, unsigned rd, unsigned rs1, unsigned rs2)
{
    return base | rd << 7 | rs1 << 15 | rs2 << 20;
}

static inline uint32_t enc_i(uint32_t base, unsigned rd, unsigned rs1, int32_t imm)
{
    return base | rd << 7 | rs1 << 15 | ((uint32_t)imm & 0xfff) << 20;
}

static inline uint32_t enc_s(uint32_t base, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return base | (u & 0x1f) << 7 | rs1 << 15 | rs2 << 20 | ((u >> 5) & 0x7f) << 25;
}

static inline uint32_t enc_b(uint32_t base, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return base | ((u >> 11) & 1) << 7 | ((u >> 1) & 0xf) << 8 | rs1 << 15 | rs2 << 20 |
           ((u >> 5) & 0x3f) << 25 | ((u >> 12) & 1) << 31;
}

static inline uint32_t enc_j(uint32_t base, unsigned rd, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return base | rd << 7 | ((u >> 12) & 0xff) << 12 | ((u >> 11) & 1) << 20 |
           ((u >> 1) & 0x3ff) << 21 | ((u >> 20) & 1) << 31;
}

#endif
