/*
 * decode.c — RV64GC + Zba/Zbb/Zbs encodings to rv_op.
 *
 * Base formats (Unprivileged ISA, ch. 2 and 24):
 *   31      25 24  20 19  15 14  12 11   7 6      0
 *  | funct7   | rs2  | rs1  |funct3|  rd  | opcode |  R
 *  | imm[11:0]       | rs1  |funct3|  rd  | opcode |  I
 *  | imm[11:5]| rs2  | rs1  |funct3|imm4:0| opcode |  S
 *  | rs3 |fmt | rs2  | rs1  |  rm  |  rd  | opcode |  R4
 * Compressed forms (ch. 16) expand to the base op they stand for; reserved
 * and illegal encodings become RV_OP_ILLEGAL (raised when executed).
 */
#include "rv/decode.h"

#include <string.h>

static const uint8_t op_term[RV_OP_COUNT] = {
#define RV_OP_TERM(name, term) [RV_OP_##name] = term,
    RV_OPS(RV_OP_TERM)
#undef RV_OP_TERM
};

static const char *const op_names[RV_OP_COUNT] = {
#define RV_OP_NAME(name, term) [RV_OP_##name] = #name,
    RV_OPS(RV_OP_NAME)
#undef RV_OP_NAME
};

int rv_op_is_terminator(unsigned opc) { return opc < RV_OP_COUNT && op_term[opc]; }
const char *rv_op_name(unsigned opc) { return opc < RV_OP_COUNT ? op_names[opc] : "?"; }

static int64_t sext(uint64_t v, int bits)
{
    return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

static uint32_t bits(uint32_t v, int hi, int lo)
{
    return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

bool rv_denied(unsigned deny, uint16_t p0, uint16_t p1)
{
    if ((p0 & 3) != 3) {
        /* c.fld, c.fsd, c.fldsp, c.fsdsp (RV64C has no single-precision forms). */
        unsigned q = p0 & 3, f3 = p0 >> 13;
        return (deny & RV_DENY_FP) && (q == 0 || q == 2) && (f3 == 1 || f3 == 5);
    }
    uint32_t insn = (uint32_t)p0 | (uint32_t)p1 << 16;
    unsigned opcode = insn & 0x7f, f3 = (insn >> 12) & 7, csr = insn >> 20;
    if (deny & RV_DENY_FP) {
        if (opcode == 0x07 || opcode == 0x27 || opcode == 0x43 || opcode == 0x47 || opcode == 0x4b ||
            opcode == 0x4f || opcode == 0x53)
            return (opcode != 0x07 && opcode != 0x27) || f3 == 2 || f3 == 3;   /* (vector loads are not FP) */
        if (opcode == 0x73 && (f3 & 3) && csr >= 0x001 && csr <= 0x003)
            return true;
    }
    if (opcode == 0x73 && (f3 & 3) && csr >= 0xc00 && csr <= 0xc02)
        return (deny & (RV_DENY_CYCLE << (csr - 0xc00))) != 0;
    return false;
}

static int illegal(struct rv_op *op)
{
    op->opc = RV_OP_ILLEGAL;
    return 0;
}

static void set(struct rv_op *op, unsigned opc, unsigned rd, unsigned rs1, unsigned rs2, int64_t imm)
{
    op->opc = (uint16_t)opc;
    op->rd = (uint8_t)rd;
    op->rs1 = (uint8_t)rs1;
    op->rs2 = (uint8_t)rs2;
    op->imm = (int32_t)imm;
}

/* Does the op write an F register (then rd 0 is f0, not the x0 sink)? */
static int rd_is_fp(unsigned opc)
{
    switch (opc) {
    case RV_OP_FLW: case RV_OP_FLD:
    case RV_OP_FADD_S: case RV_OP_FSUB_S: case RV_OP_FMUL_S: case RV_OP_FDIV_S: case RV_OP_FSQRT_S:
    case RV_OP_FSGNJ_S: case RV_OP_FSGNJN_S: case RV_OP_FSGNJX_S: case RV_OP_FMIN_S: case RV_OP_FMAX_S:
    case RV_OP_FCVT_S_W: case RV_OP_FCVT_S_WU: case RV_OP_FCVT_S_L: case RV_OP_FCVT_S_LU: case RV_OP_FMV_W_X:
    case RV_OP_FMADD_S: case RV_OP_FMSUB_S: case RV_OP_FNMSUB_S: case RV_OP_FNMADD_S:
    case RV_OP_FADD_D: case RV_OP_FSUB_D: case RV_OP_FMUL_D: case RV_OP_FDIV_D: case RV_OP_FSQRT_D:
    case RV_OP_FSGNJ_D: case RV_OP_FSGNJN_D: case RV_OP_FSGNJX_D: case RV_OP_FMIN_D: case RV_OP_FMAX_D:
    case RV_OP_FCVT_S_D: case RV_OP_FCVT_D_S:
    case RV_OP_FCVT_D_W: case RV_OP_FCVT_D_WU: case RV_OP_FCVT_D_L: case RV_OP_FCVT_D_LU: case RV_OP_FMV_D_X:
    case RV_OP_FMADD_D: case RV_OP_FMSUB_D: case RV_OP_FNMSUB_D: case RV_OP_FNMADD_D:
        return 1;
    default:
        return 0;
    }
}

static int valid_rm(unsigned rm) { return rm <= 4 || rm == 7; }

static int decode_op_imm(uint32_t insn, struct rv_op *op, unsigned rd, unsigned rs1, unsigned f3)
{
    int64_t imm = sext(insn >> 20, 12);
    unsigned f6 = insn >> 26, shamt = bits(insn, 25, 20), f12 = insn >> 20;
    switch (f3) {
    case 0:
        if (rs1 == 0) set(op, RV_OP_LI, rd, 0, 0, imm);
        else if (imm == 0) set(op, RV_OP_MV, rd, rs1, 0, 0);
        else set(op, RV_OP_ADDI, rd, rs1, 0, imm);
        return 0;
    case 2: set(op, RV_OP_SLTI, rd, rs1, 0, imm); return 0;
    case 3: set(op, RV_OP_SLTIU, rd, rs1, 0, imm); return 0;
    case 4: set(op, RV_OP_XORI, rd, rs1, 0, imm); return 0;
    case 6: set(op, RV_OP_ORI, rd, rs1, 0, imm); return 0;
    case 7: set(op, RV_OP_ANDI, rd, rs1, 0, imm); return 0;
    case 1:
        if (f6 == 0x00) { set(op, RV_OP_SLLI, rd, rs1, 0, shamt); return 0; }
        if (f6 == 0x12) { set(op, RV_OP_BCLRI, rd, rs1, 0, shamt); return 0; }
        if (f6 == 0x1a) { set(op, RV_OP_BINVI, rd, rs1, 0, shamt); return 0; }
        if (f6 == 0x0a) { set(op, RV_OP_BSETI, rd, rs1, 0, shamt); return 0; }
        switch (f12) {
        case 0x600: set(op, RV_OP_CLZ, rd, rs1, 0, 0); return 0;
        case 0x601: set(op, RV_OP_CTZ, rd, rs1, 0, 0); return 0;
        case 0x602: set(op, RV_OP_CPOP, rd, rs1, 0, 0); return 0;
        case 0x604: set(op, RV_OP_SEXT_B, rd, rs1, 0, 0); return 0;
        case 0x605: set(op, RV_OP_SEXT_H, rd, rs1, 0, 0); return 0;
        }
        return illegal(op);
    default: /* 5 */
        if (f6 == 0x00) { set(op, RV_OP_SRLI, rd, rs1, 0, shamt); return 0; }
        if (f6 == 0x10) { set(op, RV_OP_SRAI, rd, rs1, 0, shamt); return 0; }
        if (f6 == 0x18) { set(op, RV_OP_RORI, rd, rs1, 0, shamt); return 0; }
        if (f6 == 0x12) { set(op, RV_OP_BEXTI, rd, rs1, 0, shamt); return 0; }
        if (f12 == 0x287) { set(op, RV_OP_ORC_B, rd, rs1, 0, 0); return 0; }
        if (f12 == 0x6b8) { set(op, RV_OP_REV8, rd, rs1, 0, 0); return 0; }
        return illegal(op);
    }
}

static int decode_op_imm32(uint32_t insn, struct rv_op *op, unsigned rd, unsigned rs1, unsigned f3)
{
    unsigned f7 = insn >> 25, shamt = bits(insn, 24, 20), f12 = insn >> 20;
    switch (f3) {
    case 0: set(op, RV_OP_ADDIW, rd, rs1, 0, sext(insn >> 20, 12)); return 0;
    case 1:
        if (f7 == 0) { set(op, RV_OP_SLLIW, rd, rs1, 0, shamt); return 0; }
        if ((insn >> 26) == 0x02) { set(op, RV_OP_SLLI_UW, rd, rs1, 0, bits(insn, 25, 20)); return 0; }
        if (f12 == 0x600) { set(op, RV_OP_CLZW, rd, rs1, 0, 0); return 0; }
        if (f12 == 0x601) { set(op, RV_OP_CTZW, rd, rs1, 0, 0); return 0; }
        if (f12 == 0x602) { set(op, RV_OP_CPOPW, rd, rs1, 0, 0); return 0; }
        return illegal(op);
    case 5:
        if (f7 == 0x00) { set(op, RV_OP_SRLIW, rd, rs1, 0, shamt); return 0; }
        if (f7 == 0x20) { set(op, RV_OP_SRAIW, rd, rs1, 0, shamt); return 0; }
        if (f7 == 0x30) { set(op, RV_OP_RORIW, rd, rs1, 0, shamt); return 0; }
        return illegal(op);
    }
    return illegal(op);
}

static int decode_op(uint32_t insn, struct rv_op *op, unsigned rd, unsigned rs1, unsigned rs2, unsigned f3)
{
    static const uint16_t base[8] = { RV_OP_ADD, RV_OP_SLL, RV_OP_SLT, RV_OP_SLTU,
                                      RV_OP_XOR, RV_OP_SRL, RV_OP_OR, RV_OP_AND };
    static const uint16_t mext[8] = { RV_OP_MUL, RV_OP_MULH, RV_OP_MULHSU, RV_OP_MULHU,
                                      RV_OP_DIV, RV_OP_DIVU, RV_OP_REM, RV_OP_REMU };
    unsigned f7 = insn >> 25, opc = RV_OP_ILLEGAL;
    switch (f7) {
    case 0x00: opc = base[f3]; break;
    case 0x01: opc = mext[f3]; break;
    case 0x20:
        opc = f3 == 0 ? RV_OP_SUB : f3 == 5 ? RV_OP_SRA : f3 == 7 ? RV_OP_ANDN :
              f3 == 6 ? RV_OP_ORN : f3 == 4 ? RV_OP_XNOR : RV_OP_ILLEGAL;
        break;
    case 0x10:
        opc = f3 == 2 ? RV_OP_SH1ADD : f3 == 4 ? RV_OP_SH2ADD : f3 == 6 ? RV_OP_SH3ADD : RV_OP_ILLEGAL;
        break;
    case 0x05:
        opc = f3 == 4 ? RV_OP_MIN : f3 == 5 ? RV_OP_MINU : f3 == 6 ? RV_OP_MAX :
              f3 == 7 ? RV_OP_MAXU : RV_OP_ILLEGAL;
        break;
    case 0x30: opc = f3 == 1 ? RV_OP_ROL : f3 == 5 ? RV_OP_ROR : RV_OP_ILLEGAL; break;
    case 0x24: opc = f3 == 1 ? RV_OP_BCLR : f3 == 5 ? RV_OP_BEXT : RV_OP_ILLEGAL; break;
    case 0x34: opc = f3 == 1 ? RV_OP_BINV : RV_OP_ILLEGAL; break;
    case 0x14: opc = f3 == 1 ? RV_OP_BSET : RV_OP_ILLEGAL; break;
    }
    if (opc == RV_OP_ILLEGAL)
        return illegal(op);
    set(op, opc, rd, rs1, rs2, 0);
    return 0;
}

static int decode_op32(uint32_t insn, struct rv_op *op, unsigned rd, unsigned rs1, unsigned rs2, unsigned f3)
{
    unsigned f7 = insn >> 25, opc = RV_OP_ILLEGAL;
    switch (f7) {
    case 0x00: opc = f3 == 0 ? RV_OP_ADDW : f3 == 1 ? RV_OP_SLLW : f3 == 5 ? RV_OP_SRLW : RV_OP_ILLEGAL; break;
    case 0x20: opc = f3 == 0 ? RV_OP_SUBW : f3 == 5 ? RV_OP_SRAW : RV_OP_ILLEGAL; break;
    case 0x01:
        opc = f3 == 0 ? RV_OP_MULW : f3 == 4 ? RV_OP_DIVW : f3 == 5 ? RV_OP_DIVUW :
              f3 == 6 ? RV_OP_REMW : f3 == 7 ? RV_OP_REMUW : RV_OP_ILLEGAL;
        break;
    case 0x04:
        opc = f3 == 0 ? RV_OP_ADD_UW : (f3 == 4 && rs2 == 0) ? RV_OP_ZEXT_H : RV_OP_ILLEGAL;
        break;
    case 0x10:
        opc = f3 == 2 ? RV_OP_SH1ADD_UW : f3 == 4 ? RV_OP_SH2ADD_UW : f3 == 6 ? RV_OP_SH3ADD_UW : RV_OP_ILLEGAL;
        break;
    case 0x30: opc = f3 == 1 ? RV_OP_ROLW : f3 == 5 ? RV_OP_RORW : RV_OP_ILLEGAL; break;
    }
    if (opc == RV_OP_ILLEGAL)
        return illegal(op);
    set(op, opc, rd, rs1, rs2, 0);
    return 0;
}

static int decode_amo(uint32_t insn, struct rv_op *op, unsigned rd, unsigned rs1, unsigned rs2, unsigned f3)
{
    static const struct { uint8_t f5; uint16_t w, d; } amo[] = {
        { 0x02, RV_OP_LR_W, RV_OP_LR_D }, { 0x03, RV_OP_SC_W, RV_OP_SC_D },
        { 0x01, RV_OP_AMOSWAP_W, RV_OP_AMOSWAP_D }, { 0x00, RV_OP_AMOADD_W, RV_OP_AMOADD_D },
        { 0x04, RV_OP_AMOXOR_W, RV_OP_AMOXOR_D }, { 0x0c, RV_OP_AMOAND_W, RV_OP_AMOAND_D },
        { 0x08, RV_OP_AMOOR_W, RV_OP_AMOOR_D }, { 0x10, RV_OP_AMOMIN_W, RV_OP_AMOMIN_D },
        { 0x14, RV_OP_AMOMAX_W, RV_OP_AMOMAX_D }, { 0x18, RV_OP_AMOMINU_W, RV_OP_AMOMINU_D },
        { 0x1c, RV_OP_AMOMAXU_W, RV_OP_AMOMAXU_D },
    };
    unsigned f5 = insn >> 27;
    if (f3 != 2 && f3 != 3)
        return illegal(op);
    if (f5 == 0x02 && rs2 != 0)
        return illegal(op);
    for (unsigned i = 0; i < sizeof amo / sizeof amo[0]; i++)
        if (amo[i].f5 == f5) {
            set(op, f3 == 2 ? amo[i].w : amo[i].d, rd, rs1, rs2, 0);
            op->rm = (uint8_t)bits(insn, 26, 25);
            return 0;
        }
    return illegal(op);
}

static int decode_fp(uint32_t insn, struct rv_op *op, unsigned rd, unsigned rs1, unsigned rs2, unsigned rm)
{
    unsigned f7 = insn >> 25, opc = RV_OP_ILLEGAL;
    int d = f7 & 1;
    int uses_rm = 1;
    switch (f7 >> 2) {
    case 0x00: opc = d ? RV_OP_FADD_D : RV_OP_FADD_S; break;
    case 0x01: opc = d ? RV_OP_FSUB_D : RV_OP_FSUB_S; break;
    case 0x02: opc = d ? RV_OP_FMUL_D : RV_OP_FMUL_S; break;
    case 0x03: opc = d ? RV_OP_FDIV_D : RV_OP_FDIV_S; break;
    case 0x0b: if (rs2 == 0) opc = d ? RV_OP_FSQRT_D : RV_OP_FSQRT_S; break;
    case 0x04:
        uses_rm = 0;
        if (rm == 0) opc = d ? RV_OP_FSGNJ_D : RV_OP_FSGNJ_S;
        else if (rm == 1) opc = d ? RV_OP_FSGNJN_D : RV_OP_FSGNJN_S;
        else if (rm == 2) opc = d ? RV_OP_FSGNJX_D : RV_OP_FSGNJX_S;
        break;
    case 0x05:
        uses_rm = 0;
        if (rm == 0) opc = d ? RV_OP_FMIN_D : RV_OP_FMIN_S;
        else if (rm == 1) opc = d ? RV_OP_FMAX_D : RV_OP_FMAX_S;
        break;
    case 0x08:
        if (!d && rs2 == 1) opc = RV_OP_FCVT_S_D;
        else if (d && rs2 == 0) opc = RV_OP_FCVT_D_S;
        break;
    case 0x18: {
        static const uint16_t s[4] = { RV_OP_FCVT_W_S, RV_OP_FCVT_WU_S, RV_OP_FCVT_L_S, RV_OP_FCVT_LU_S };
        static const uint16_t dd[4] = { RV_OP_FCVT_W_D, RV_OP_FCVT_WU_D, RV_OP_FCVT_L_D, RV_OP_FCVT_LU_D };
        if (rs2 < 4) opc = d ? dd[rs2] : s[rs2];
        break;
    }
    case 0x1a: {
        static const uint16_t s[4] = { RV_OP_FCVT_S_W, RV_OP_FCVT_S_WU, RV_OP_FCVT_S_L, RV_OP_FCVT_S_LU };
        static const uint16_t dd[4] = { RV_OP_FCVT_D_W, RV_OP_FCVT_D_WU, RV_OP_FCVT_D_L, RV_OP_FCVT_D_LU };
        if (rs2 < 4) opc = d ? dd[rs2] : s[rs2];
        break;
    }
    case 0x1c:
        uses_rm = 0;
        if (rs2 == 0 && rm == 0) opc = d ? RV_OP_FMV_X_D : RV_OP_FMV_X_W;
        else if (rs2 == 0 && rm == 1) opc = d ? RV_OP_FCLASS_D : RV_OP_FCLASS_S;
        break;
    case 0x14:
        uses_rm = 0;
        if (rm == 2) opc = d ? RV_OP_FEQ_D : RV_OP_FEQ_S;
        else if (rm == 1) opc = d ? RV_OP_FLT_D : RV_OP_FLT_S;
        else if (rm == 0) opc = d ? RV_OP_FLE_D : RV_OP_FLE_S;
        break;
    case 0x1e:
        uses_rm = 0;
        if (rs2 == 0 && rm == 0) opc = d ? RV_OP_FMV_D_X : RV_OP_FMV_W_X;
        break;
    }
    if ((f7 & 2) || opc == RV_OP_ILLEGAL || (uses_rm && !valid_rm(rm)))
        return illegal(op);
    /* FCVT.D.S and the int-to-double conversions are exact, but rm is still
     * an encoded field: reserved values were rejected above. */
    set(op, opc, rd, rs1, rs2, 0);
    op->rm = (uint8_t)rm;
    return 0;
}

static int decode32(uint32_t insn, struct rv_op *op)
{
    unsigned rd = bits(insn, 11, 7), rs1 = bits(insn, 19, 15), rs2 = bits(insn, 24, 20);
    unsigned f3 = bits(insn, 14, 12);
    int64_t imm_i = sext(insn >> 20, 12);
    int64_t imm_s = sext((insn >> 25) << 5 | rd, 12);
    switch (insn & 0x7f) {
    case 0x37: set(op, RV_OP_LI, rd, 0, 0, (int32_t)(insn & 0xfffff000u)); return 0;
    case 0x17: set(op, RV_OP_AUIPC, rd, 0, 0, (int32_t)(insn & 0xfffff000u)); return 0;
    case 0x6f: {
        uint64_t off = (uint64_t)bits(insn, 31, 31) << 20 | bits(insn, 19, 12) << 12 |
                       bits(insn, 20, 20) << 11 | bits(insn, 30, 21) << 1;
        set(op, RV_OP_JAL, rd, 0, 0, sext(off, 21));
        return 0;
    }
    case 0x67:
        if (f3 != 0) return illegal(op);
        set(op, RV_OP_JALR, rd, rs1, 0, imm_i);
        return 0;
    case 0x63: {
        static const uint16_t br[8] = { RV_OP_BEQ, RV_OP_BNE, RV_OP_ILLEGAL, RV_OP_ILLEGAL,
                                        RV_OP_BLT, RV_OP_BGE, RV_OP_BLTU, RV_OP_BGEU };
        uint64_t off = (uint64_t)bits(insn, 31, 31) << 12 | bits(insn, 7, 7) << 11 |
                       bits(insn, 30, 25) << 5 | bits(insn, 11, 8) << 1;
        if (br[f3] == RV_OP_ILLEGAL) return illegal(op);
        set(op, br[f3], 0, rs1, rs2, sext(off, 13));
        return 0;
    }
    case 0x03: {
        static const uint16_t ld[8] = { RV_OP_LB, RV_OP_LH, RV_OP_LW, RV_OP_LD,
                                        RV_OP_LBU, RV_OP_LHU, RV_OP_LWU, RV_OP_ILLEGAL };
        if (ld[f3] == RV_OP_ILLEGAL) return illegal(op);
        set(op, ld[f3], rd, rs1, 0, imm_i);
        return 0;
    }
    case 0x23: {
        static const uint16_t st[4] = { RV_OP_SB, RV_OP_SH, RV_OP_SW, RV_OP_SD };
        if (f3 > 3) return illegal(op);
        set(op, st[f3], 0, rs1, rs2, imm_s);
        return 0;
    }
    case 0x13: return decode_op_imm(insn, op, rd, rs1, f3);
    case 0x1b: return decode_op_imm32(insn, op, rd, rs1, f3);
    case 0x33: return decode_op(insn, op, rd, rs1, rs2, f3);
    case 0x3b: return decode_op32(insn, op, rd, rs1, rs2, f3);
    case 0x0f:
        if (f3 == 0) { set(op, RV_OP_FENCE, 0, 0, 0, (insn >> 20) & 0xff); return 0; }   /* pred | succ */
        if (f3 == 1) { set(op, RV_OP_FENCE_I, 0, 0, 0, 0); return 0; }
        return illegal(op);
    case 0x73:
        if (f3 == 0) {
            if (insn == 0x00000073) { set(op, RV_OP_ECALL, 0, 0, 0, 0); return 0; }
            if (insn == 0x00100073) { set(op, RV_OP_EBREAK, 0, 0, 0, 0); return 0; }
            return illegal(op);
        }
        if (f3 == 4) return illegal(op);
        {
            static const uint16_t csr[8] = { 0, RV_OP_CSRRW, RV_OP_CSRRS, RV_OP_CSRRC,
                                             0, RV_OP_CSRRWI, RV_OP_CSRRSI, RV_OP_CSRRCI };
            set(op, csr[f3], rd, rs1, 0, insn >> 20);
        }
        return 0;
    case 0x2f: return decode_amo(insn, op, rd, rs1, rs2, f3);
    case 0x07:
        if (f3 == 2) { set(op, RV_OP_FLW, rd, rs1, 0, imm_i); return 0; }
        if (f3 == 3) { set(op, RV_OP_FLD, rd, rs1, 0, imm_i); return 0; }
        return illegal(op);
    case 0x27:
        if (f3 == 2) { set(op, RV_OP_FSW, 0, rs1, rs2, imm_s); return 0; }
        if (f3 == 3) { set(op, RV_OP_FSD, 0, rs1, rs2, imm_s); return 0; }
        return illegal(op);
    case 0x43: case 0x47: case 0x4b: case 0x4f: {
        static const uint16_t s[4] = { RV_OP_FMADD_S, RV_OP_FMSUB_S, RV_OP_FNMSUB_S, RV_OP_FNMADD_S };
        static const uint16_t d[4] = { RV_OP_FMADD_D, RV_OP_FMSUB_D, RV_OP_FNMSUB_D, RV_OP_FNMADD_D };
        unsigned fmt = bits(insn, 26, 25), k = ((insn & 0x7f) - 0x43) >> 2;
        if (fmt > 1 || !valid_rm(f3)) return illegal(op);
        set(op, fmt ? d[k] : s[k], rd, rs1, rs2, 0);
        op->rs3 = (uint8_t)(insn >> 27);
        op->rm = (uint8_t)f3;
        return 0;
    }
    case 0x53: return decode_fp(insn, op, rd, rs1, rs2, f3);
    }
    return illegal(op);
}

/* Compressed: registers x8..x15 in 3-bit fields. */
#define CR(v) (8 + (v))

static int decode16(uint32_t c, struct rv_op *op)
{
    unsigned f3 = bits(c, 15, 13);
    unsigned rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);
    unsigned rdp = CR(bits(c, 4, 2)), rs1p = CR(bits(c, 9, 7));
    int64_t imm6 = sext(bits(c, 12, 12) << 5 | bits(c, 6, 2), 6);
    switch (c & 3) {
    case 0: {
        unsigned ld_off = bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6;   /* C.LD/C.SD/C.FLD/C.FSD */
        unsigned lw_off = bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 6;
        switch (f3) {
        case 0: {
            unsigned imm = bits(c, 12, 11) << 4 | bits(c, 10, 7) << 6 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 3;
            if (imm == 0) return illegal(op);
            set(op, RV_OP_ADDI, rdp, 2, 0, imm);
            return 0;
        }
        case 1: set(op, RV_OP_FLD, rdp, rs1p, 0, ld_off); return 0;
        case 2: set(op, RV_OP_LW, rdp, rs1p, 0, lw_off); return 0;
        case 3: set(op, RV_OP_LD, rdp, rs1p, 0, ld_off); return 0;
        case 5: set(op, RV_OP_FSD, 0, rs1p, rdp, ld_off); return 0;
        case 6: set(op, RV_OP_SW, 0, rs1p, rdp, lw_off); return 0;
        case 7: set(op, RV_OP_SD, 0, rs1p, rdp, ld_off); return 0;
        }
        return illegal(op);
    }
    case 1:
        switch (f3) {
        case 0: set(op, RV_OP_ADDI, rd, rd, 0, imm6); return 0;
        case 1:
            if (rd == 0) return illegal(op);
            set(op, RV_OP_ADDIW, rd, rd, 0, imm6);
            return 0;
        case 2: set(op, RV_OP_LI, rd, 0, 0, imm6); return 0;
        case 3:
            if (rd == 2) {
                int64_t imm = sext(bits(c, 12, 12) << 9 | bits(c, 6, 6) << 4 | bits(c, 5, 5) << 6 |
                                   bits(c, 4, 3) << 7 | bits(c, 2, 2) << 5, 10);
                if (imm == 0) return illegal(op);
                set(op, RV_OP_ADDI, 2, 2, 0, imm);
                return 0;
            }
            if (imm6 == 0) return illegal(op);
            set(op, RV_OP_LI, rd, 0, 0, imm6 * 4096);
            return 0;
        case 4: {
            unsigned shamt = bits(c, 12, 12) << 5 | bits(c, 6, 2);
            switch (bits(c, 11, 10)) {
            case 0: set(op, RV_OP_SRLI, rs1p, rs1p, 0, shamt); return 0;
            case 1: set(op, RV_OP_SRAI, rs1p, rs1p, 0, shamt); return 0;
            case 2: set(op, RV_OP_ANDI, rs1p, rs1p, 0, imm6); return 0;
            }
            static const uint16_t a[8] = { RV_OP_SUB, RV_OP_XOR, RV_OP_OR, RV_OP_AND,
                                           RV_OP_SUBW, RV_OP_ADDW, RV_OP_ILLEGAL, RV_OP_ILLEGAL };
            unsigned k = bits(c, 12, 12) << 2 | bits(c, 6, 5);
            if (a[k] == RV_OP_ILLEGAL) return illegal(op);
            set(op, a[k], rs1p, rs1p, rdp, 0);
            return 0;
        }
        case 5: {
            uint64_t off = bits(c, 12, 12) << 11 | bits(c, 11, 11) << 4 | bits(c, 10, 9) << 8 |
                           bits(c, 8, 8) << 10 | bits(c, 7, 7) << 6 | bits(c, 6, 6) << 7 |
                           bits(c, 5, 3) << 1 | bits(c, 2, 2) << 5;
            set(op, RV_OP_JAL, 0, 0, 0, sext(off, 12));
            return 0;
        }
        default: {
            uint64_t off = bits(c, 12, 12) << 8 | bits(c, 11, 10) << 3 | bits(c, 6, 5) << 6 |
                           bits(c, 4, 3) << 1 | bits(c, 2, 2) << 5;
            set(op, f3 == 6 ? RV_OP_BEQ : RV_OP_BNE, 0, rs1p, 0, sext(off, 9));
            return 0;
        }
        }
    case 2:
        switch (f3) {
        case 0: set(op, RV_OP_SLLI, rd, rd, 0, bits(c, 12, 12) << 5 | bits(c, 6, 2)); return 0;
        case 1:
            set(op, RV_OP_FLD, rd, 2, 0, bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6);
            return 0;
        case 2:
            if (rd == 0) return illegal(op);
            set(op, RV_OP_LW, rd, 2, 0, bits(c, 12, 12) << 5 | bits(c, 6, 4) << 2 | bits(c, 3, 2) << 6);
            return 0;
        case 3:
            if (rd == 0) return illegal(op);
            set(op, RV_OP_LD, rd, 2, 0, bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6);
            return 0;
        case 4:
            if (!bits(c, 12, 12)) {
                if (rs2 == 0) {
                    if (rd == 0) return illegal(op);
                    set(op, RV_OP_JALR, 0, rd, 0, 0);
                } else {
                    set(op, RV_OP_MV, rd, rs2, 0, 0);
                }
            } else if (rs2 == 0) {
                if (rd == 0) set(op, RV_OP_EBREAK, 0, 0, 0, 0);
                else set(op, RV_OP_JALR, 1, rd, 0, 0);
            } else {
                set(op, RV_OP_ADD, rd, rd, rs2, 0);
            }
            return 0;
        case 5: set(op, RV_OP_FSD, 0, 2, rs2, bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6); return 0;
        case 6: set(op, RV_OP_SW, 0, 2, rs2, bits(c, 12, 9) << 2 | bits(c, 8, 7) << 6); return 0;
        case 7: set(op, RV_OP_SD, 0, 2, rs2, bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6); return 0;
        }
    }
    return illegal(op);
}

int rv_decode(uint16_t parcel0, uint16_t parcel1, struct rv_op *op)
{
    memset(op, 0, sizeof *op);
    int len;
    uint32_t raw;
    if ((parcel0 & 3) != 3) {
        len = 2;
        raw = parcel0;
        if (parcel0 != 0)
            decode16(parcel0, op);
        else
            illegal(op);
    } else {
        len = 4;
        raw = (uint32_t)parcel1 << 16 | parcel0;
        if ((raw & 0x1c) != 0x1c)   /* else a 48-bit or longer encoding */
            decode32(raw, op);
        else
            illegal(op);
    }
    if (op->opc == RV_OP_ILLEGAL)
        op->imm = (int32_t)raw;   /* reported as the trap value */
    op->len = (uint8_t)len;
    if (op->rd == 0 && !rd_is_fp(op->opc))
        op->rd = RV_XSINK;
    return len;
}
