/*
 * decode.h — decoded instructions ("ops") and basic blocks.
 *
 * The decoder turns each 32- or 16-bit encoding into one rv_op; compressed
 * forms expand to their base op, so the interpreter knows only base ops.
 * Register fields are already remapped: rd == 0 becomes RV_XSINK.
 * A block is a straight run of ops ending in a terminator (branch, jump,
 * ecall, ebreak, fence.i, an illegal encoding, or a synthetic FALLTHRU at
 * a page end or length limit); a block never spans more than two pages.
 */
#ifndef MVM_DECODE_H
#define MVM_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "rv/rv.h"

/*
 * FENCE keeps its predecessor and successor sets in imm:
 *    7    6    5    4    3    2    1    0
 *  +----+----+----+----+----+----+----+----+
 *  | PI | PO | PR | PW | SI | SO | SR | SW |
 *  +----+----+----+----+----+----+----+----+
 */
#define RV_FENCE_PR 0x20
#define RV_FENCE_PW 0x10
#define RV_FENCE_SR 0x02
#define RV_FENCE_SW 0x01

/* X(name, is_terminator) */
#define RV_OPS(X) \
    X(ILLEGAL, 1) X(FALLTHRU, 1) \
    X(LI, 0) X(MV, 0) X(LUI, 0) X(AUIPC, 0) \
    X(JAL, 1) X(JALR, 1) \
    X(BEQ, 1) X(BNE, 1) X(BLT, 1) X(BGE, 1) X(BLTU, 1) X(BGEU, 1) \
    X(LB, 0) X(LH, 0) X(LW, 0) X(LD, 0) X(LBU, 0) X(LHU, 0) X(LWU, 0) \
    X(SB, 0) X(SH, 0) X(SW, 0) X(SD, 0) \
    X(ADDI, 0) X(SLTI, 0) X(SLTIU, 0) X(XORI, 0) X(ORI, 0) X(ANDI, 0) \
    X(SLLI, 0) X(SRLI, 0) X(SRAI, 0) \
    X(ADD, 0) X(SUB, 0) X(SLL, 0) X(SLT, 0) X(SLTU, 0) X(XOR, 0) \
    X(SRL, 0) X(SRA, 0) X(OR, 0) X(AND, 0) \
    X(ADDIW, 0) X(SLLIW, 0) X(SRLIW, 0) X(SRAIW, 0) \
    X(ADDW, 0) X(SUBW, 0) X(SLLW, 0) X(SRLW, 0) X(SRAW, 0) \
    X(FENCE, 0) X(FENCE_I, 1) X(ECALL, 1) X(EBREAK, 1) \
    X(MUL, 0) X(MULH, 0) X(MULHSU, 0) X(MULHU, 0) \
    X(DIV, 0) X(DIVU, 0) X(REM, 0) X(REMU, 0) \
    X(MULW, 0) X(DIVW, 0) X(DIVUW, 0) X(REMW, 0) X(REMUW, 0) \
    X(LR_W, 0) X(LR_D, 0) X(SC_W, 0) X(SC_D, 0) \
    X(AMOSWAP_W, 0) X(AMOADD_W, 0) X(AMOXOR_W, 0) X(AMOAND_W, 0) X(AMOOR_W, 0) \
    X(AMOMIN_W, 0) X(AMOMAX_W, 0) X(AMOMINU_W, 0) X(AMOMAXU_W, 0) \
    X(AMOSWAP_D, 0) X(AMOADD_D, 0) X(AMOXOR_D, 0) X(AMOAND_D, 0) X(AMOOR_D, 0) \
    X(AMOMIN_D, 0) X(AMOMAX_D, 0) X(AMOMINU_D, 0) X(AMOMAXU_D, 0) \
    X(CSRRW, 0) X(CSRRS, 0) X(CSRRC, 0) X(CSRRWI, 0) X(CSRRSI, 0) X(CSRRCI, 0) \
    X(FLW, 0) X(FSW, 0) X(FLD, 0) X(FSD, 0) \
    X(FADD_S, 0) X(FSUB_S, 0) X(FMUL_S, 0) X(FDIV_S, 0) X(FSQRT_S, 0) \
    X(FSGNJ_S, 0) X(FSGNJN_S, 0) X(FSGNJX_S, 0) X(FMIN_S, 0) X(FMAX_S, 0) \
    X(FCVT_W_S, 0) X(FCVT_WU_S, 0) X(FCVT_L_S, 0) X(FCVT_LU_S, 0) \
    X(FMV_X_W, 0) X(FCLASS_S, 0) X(FEQ_S, 0) X(FLT_S, 0) X(FLE_S, 0) \
    X(FCVT_S_W, 0) X(FCVT_S_WU, 0) X(FCVT_S_L, 0) X(FCVT_S_LU, 0) X(FMV_W_X, 0) \
    X(FMADD_S, 0) X(FMSUB_S, 0) X(FNMSUB_S, 0) X(FNMADD_S, 0) \
    X(FADD_D, 0) X(FSUB_D, 0) X(FMUL_D, 0) X(FDIV_D, 0) X(FSQRT_D, 0) \
    X(FSGNJ_D, 0) X(FSGNJN_D, 0) X(FSGNJX_D, 0) X(FMIN_D, 0) X(FMAX_D, 0) \
    X(FCVT_S_D, 0) X(FCVT_D_S, 0) \
    X(FCVT_W_D, 0) X(FCVT_WU_D, 0) X(FCVT_L_D, 0) X(FCVT_LU_D, 0) \
    X(FMV_X_D, 0) X(FCLASS_D, 0) X(FEQ_D, 0) X(FLT_D, 0) X(FLE_D, 0) \
    X(FCVT_D_W, 0) X(FCVT_D_WU, 0) X(FCVT_D_L, 0) X(FCVT_D_LU, 0) X(FMV_D_X, 0) \
    X(FMADD_D, 0) X(FMSUB_D, 0) X(FNMSUB_D, 0) X(FNMADD_D, 0) \
    X(SH1ADD, 0) X(SH2ADD, 0) X(SH3ADD, 0) X(ADD_UW, 0) \
    X(SH1ADD_UW, 0) X(SH2ADD_UW, 0) X(SH3ADD_UW, 0) X(SLLI_UW, 0) \
    X(ANDN, 0) X(ORN, 0) X(XNOR, 0) X(CLZ, 0) X(CLZW, 0) X(CTZ, 0) X(CTZW, 0) \
    X(CPOP, 0) X(CPOPW, 0) X(MAX, 0) X(MAXU, 0) X(MIN, 0) X(MINU, 0) \
    X(SEXT_B, 0) X(SEXT_H, 0) X(ZEXT_H, 0) X(ROL, 0) X(ROLW, 0) X(ROR, 0) \
    X(RORI, 0) X(RORIW, 0) X(RORW, 0) X(ORC_B, 0) X(REV8, 0) \
    X(BCLR, 0) X(BCLRI, 0) X(BEXT, 0) X(BEXTI, 0) X(BINV, 0) X(BINVI, 0) \
    X(BSET, 0) X(BSETI, 0)

enum rv_opcode {
#define RV_OP_ENUM(name, term) RV_OP_##name,
    RV_OPS(RV_OP_ENUM)
#undef RV_OP_ENUM
    RV_OP_COUNT
};

struct rv_op {
    const void *handler; /* the interpreter's code for opc (computed-goto builds) */
    int32_t imm;        /* immediate; for branches, jumps and AUIPC the offset
                           from this instruction's pc; the CSR number for CSR
                           ops; the encoding itself for ILLEGAL */
    uint8_t rd, rs1, rs2, rs3;
    uint16_t opc;       /* enum rv_opcode */
    uint8_t len;        /* 2 or 4 bytes */
    uint8_t rm;         /* FP rounding-mode field; AMO aq/rl bits */
    uint16_t pcoff;     /* byte offset of this instruction from the block's pc */
};

#define RV_BLOCK_MAX_INSNS 64

struct rv_block {
    uint64_t pc;
    struct rv_block *hash_next;
    struct rv_block *succ[2]; /* chained successors: [0] taken/jump, [1] fall-through */
    void *jit;                /* compiled host code (rv/jit.h), or NULL */
    /* Its n_ops ops, never written once the block is built: laid out
     * after the block, or in the code store the VMs of a sharing domain
     * share (rv/store.h). */
    const struct rv_op *ops;
    uint32_t heat;            /* entries so far; compiled when it reaches RV_JIT_HEAT */
    uint32_t n_ops;
    uint32_t n_insns;         /* ops that are real instructions (retire) */
};

/* Decodes one instruction; parcel0/1 are the 16-bit halves (little-endian
 * order). Returns its length (2 or 4). op->pcoff and op->handler are left
 * to the caller. */
int rv_decode(uint16_t parcel0, uint16_t parcel1, struct rv_op *op);

/* The interpreter's handler addresses by opcode (NULL in switch builds);
 * set by the first rv_run. */
extern const void *const *rv_handler_table;

/* Is this opcode a block terminator? */
/*
 * What a system board denies the code it decodes (rv_hart.deny): such an
 * instruction is decoded as illegal. The board changes deny only with the
 * hart's blocks flushed.
 *   RV_DENY_FP       the F and D extensions and fflags, frm, fcsr
 *                    (mstatus.FS Off, or not yet Dirty: privileged 3.1.6.6)
 *   RV_DENY_CYCLE,   reading cycle, time or instret (mcounteren,
 *   _TIME, _INSTRET  scounteren: privileged 3.1.11, 4.1.5)
 */
#define RV_DENY_FP      1u
#define RV_DENY_CYCLE   2u
#define RV_DENY_TIME    4u
#define RV_DENY_INSTRET 8u
bool rv_denied(unsigned deny, uint16_t parcel0, uint16_t parcel1);
int rv_op_is_terminator(unsigned opc);
const char *rv_op_name(unsigned opc);

#endif
