/*
 * decode_test.c — the decoder against encodings produced by the GNU
 * assembler (independent of our decoder) from the source lines quoted in
 * each row; the expected fields are read off the assembly source.
 */
#include <string.h>

#include "rv/decode.h"
#include "tests/unit/check.h"

#define S RV_XSINK

struct row {
    uint32_t enc;
    const char *src;
    unsigned opc, rd, rs1, rs2;
    int32_t imm;
    int len;
};

static const struct row rows[] = {
    { 0x00b50533, "add a0,a0,a1", RV_OP_ADD, 10, 10, 11, 0, 4 },
    { 0x407302b3, "sub t0,t1,t2", RV_OP_SUB, 5, 6, 7, 0, 4 },
    { 0xfe010113, "addi sp,sp,-32", RV_OP_ADDI, 2, 2, 0, -32, 4 },
    { 0xfffff7b7, "lui a5,0xfffff", RV_OP_LI, 15, 0, 0, -4096, 4 },
    { 0x12345097, "auipc ra,0x12345", RV_OP_AUIPC, 1, 0, 0, 0x12345000, 4 },
    { 0x001000ef, "jal ra,.+2048", RV_OP_JAL, 1, 0, 0, 2048, 4 },
    { 0x00808067, "jalr zero,8(ra)", RV_OP_JALR, S, 1, 0, 8, 4 },
    { 0x80b50063, "beq a0,a1,.-4096", RV_OP_BEQ, S, 10, 11, -4096, 4 },
    { 0x7e62ffe3, "bgeu t0,t1,.+4094", RV_OP_BGEU, S, 5, 6, 4094, 4 },
    { 0xfff10503, "lb a0,-1(sp)", RV_OP_LB, 10, 2, 0, -1, 4 },
    { 0x7f85b403, "ld s0,2040(a1)", RV_OP_LD, 8, 11, 0, 2040, 4 },
    { 0xfe113c23, "sd ra,-8(sp)", RV_OP_SD, S, 2, 1, -8, 4 },
    { 0x00b52223, "sw a1,4(a0)", RV_OP_SW, S, 10, 11, 4, 4 },
    { 0x03f59513, "slli a0,a1,63", RV_OP_SLLI, 10, 11, 0, 63, 4 },
    { 0x4115d513, "srai a0,a1,17", RV_OP_SRAI, 10, 11, 0, 17, 4 },
    { 0x41f5d51b, "sraiw a0,a1,31", RV_OP_SRAIW, 10, 11, 0, 31, 4 },
    { 0xfff5851b, "addiw a0,a1,-1", RV_OP_ADDIW, 10, 11, 0, -1, 4 },
    { 0x02e6a633, "mulhsu a2,a3,a4", RV_OP_MULHSU, 12, 13, 14, 0, 4 },
    { 0x02e6f63b, "remuw a2,a3,a4", RV_OP_REMUW, 12, 13, 14, 0, 4 },
    { 0x1405b52f, "lr.d.aq a0,(a1)", RV_OP_LR_D, 10, 11, 0, 0, 4 },
    { 0x18d7262f, "sc.w a2,a3,(a4)", RV_OP_SC_W, 12, 14, 13, 0, 4 },
    { 0xe0b6352f, "amomaxu.d a0,a1,(a2)", RV_OP_AMOMAXU_D, 10, 12, 11, 0, 4 },
    { 0x00102573, "csrrs a0,fflags,zero", RV_OP_CSRRS, 10, 0, 0, 1, 4 },
    { 0x0021d073, "csrrwi zero,frm,3", RV_OP_CSRRWI, S, 3, 0, 2, 4 },
    { 0x02c59553, "fadd.d fa0,fa1,fa2,rtz", RV_OP_FADD_D, 10, 11, 12, 0, 4 },
    { 0x68c5f543, "fmadd.s fa0,fa1,fa2,fa3,dyn", RV_OP_FMADD_S, 10, 11, 12, 0, 4 },
    { 0xc2051553, "fcvt.w.d a0,fa0,rtz", RV_OP_FCVT_W_D, 10, 10, 0, 0, 4 },
    { 0xe0058553, "fmv.x.w a0,fa1", RV_OP_FMV_X_W, 10, 11, 0, 0, 4 },
    { 0x00c12507, "flw fa0,12(sp)", RV_OP_FLW, 10, 2, 0, 12, 4 },
    { 0xfeb53827, "fsd fa1,-16(a0)", RV_OP_FSD, S, 10, 11, -16, 4 },
    { 0x0ff0000f, "fence iorw,iorw", RV_OP_FENCE, S, 0, 0, 0xff, 4 },   /* imm: pred 1111, succ 1111 */
    { 0x0330000f, "fence rw,rw", RV_OP_FENCE, S, 0, 0, 0x33, 4 },
    { 0x0000100f, "fence.i", RV_OP_FENCE_I, S, 0, 0, 0, 4 },
    { 0x00000073, "ecall", RV_OP_ECALL, S, 0, 0, 0, 4 },
    { 0x00100073, "ebreak", RV_OP_EBREAK, S, 0, 0, 0, 4 },
    { 0x20c5c533, "sh2add a0,a1,a2", RV_OP_SH2ADD, 10, 11, 12, 0, 4 },
    { 0x6055d513, "rori a0,a1,5", RV_OP_RORI, 10, 11, 0, 5, 4 },
    { 0x60259513, "cpop a0,a1", RV_OP_CPOP, 10, 11, 0, 0, 4 },
    { 0x6b85d513, "rev8 a0,a1", RV_OP_REV8, 10, 11, 0, 0, 4 },
    { 0x2a859513, "bseti a0,a1,40", RV_OP_BSETI, 10, 11, 0, 40, 4 },
    { 0x0808, "c.addi4spn a0,sp,16", RV_OP_ADDI, 10, 2, 0, 16, 2 },
    { 0x414c, "c.lw a1,4(a0)", RV_OP_LW, 11, 10, 0, 4, 2 },
    { 0x6690, "c.ld a2,8(a3)", RV_OP_LD, 12, 13, 0, 8, 2 },
    { 0x1575, "c.addi a0,-3", RV_OP_ADDI, 10, 10, 0, -3, 2 },
    { 0x2585, "c.addiw a1,1", RV_OP_ADDIW, 11, 11, 0, 1, 2 },
    { 0x5601, "c.li a2,-32", RV_OP_LI, 12, 0, 0, -32, 2 },
    { 0x7139, "c.addi16sp sp,-64", RV_OP_ADDI, 2, 2, 0, -64, 2 },
    { 0x66fd, "c.lui a3,0x1f", RV_OP_LI, 13, 0, 0, 0x1f000, 2 },
    { 0x810d, "c.srli a0,3", RV_OP_SRLI, 10, 10, 0, 3, 2 },
    { 0x95fd, "c.srai a1,63", RV_OP_SRAI, 11, 11, 0, 63, 2 },
    { 0x9a7d, "c.andi a2,-1", RV_OP_ANDI, 12, 12, 0, -1, 2 },
    { 0x8e99, "c.sub a3,a4", RV_OP_SUB, 13, 13, 14, 0, 2 },
    { 0x9f1d, "c.subw a4,a5", RV_OP_SUBW, 14, 14, 15, 0, 2 },
    { 0xbffd, "c.j .-2", RV_OP_JAL, S, 0, 0, -2, 2 },
    { 0xc119, "c.beqz a0,.+6", RV_OP_BEQ, S, 10, 0, 6, 2 },
    { 0x0506, "c.slli a0,1", RV_OP_SLLI, 10, 10, 0, 1, 2 },
    { 0x6522, "c.ldsp a0,8(sp)", RV_OP_LD, 10, 2, 0, 8, 2 },
    { 0x8082, "c.jr ra", RV_OP_JALR, S, 1, 0, 0, 2 },
    { 0x852e, "c.mv a0,a1", RV_OP_MV, 10, 11, 0, 0, 2 },
    { 0x9502, "c.jalr a0", RV_OP_JALR, 1, 10, 0, 0, 2 },
    { 0x952e, "c.add a0,a1", RV_OP_ADD, 10, 10, 11, 0, 2 },
    { 0xec06, "c.sdsp ra,24(sp)", RV_OP_SD, S, 2, 1, 24, 2 },
    { 0x2542, "c.fldsp fa0,16(sp)", RV_OP_FLD, 10, 2, 0, 16, 2 },
    { 0x9002, "c.ebreak", RV_OP_EBREAK, S, 0, 0, 0, 2 },
    { 0x0001, "c.nop", RV_OP_ADDI, S, 0, 0, 0, 2 },
};

static void test_assembler_rows(void)
{
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *r = &rows[i];
        struct rv_op op;
        int len = rv_decode((uint16_t)r->enc, (uint16_t)(r->enc >> 16), &op);
        int ok = len == r->len && op.opc == r->opc && op.rd == r->rd && op.rs1 == r->rs1 &&
                 (r->opc == RV_OP_LI || op.rs2 == r->rs2) && op.imm == r->imm;
        if (!ok)
            printf("  %s: got %s rd=%u rs1=%u rs2=%u imm=%d len=%d\n", r->src, rv_op_name(op.opc),
                   op.rd, op.rs1, op.rs2, op.imm, len);
        CHECK(ok);
    }
}

static void test_rounding_and_rs3(void)
{
    struct rv_op op;
    rv_decode(0x9553, 0x02c5, &op);          /* fadd.d fa0,fa1,fa2,rtz */
    CHECK(op.rm == 1);
    rv_decode(0xf543, 0x68c5, &op);          /* fmadd.s fa0,fa1,fa2,fa3,dyn */
    CHECK(op.rm == 7 && op.rs3 == 13);
}

/* Reserved and illegal encodings decode to ILLEGAL carrying the bits. */
static void test_illegal(void)
{
    static const uint32_t bad[] = {
        0x00000000,   /* all zeros (16-bit parcel 0) */
        0xffffffff,   /* all ones: a >32-bit encoding */
        0x0000707f,   /* 48-bit prefix form */
        0x02c5d553,   /* fadd.d with rm=5 (reserved) */
        0x00002063,   /* branch funct3=2 */
        0x00007003,   /* load funct3=7 */
        0x10500073,   /* wfi: not in user mode */
        0x30200073,   /* mret */
        0x0000,       /* c.illegal */
        0x6001,       /* c.lui with nzimm 0: reserved */
        0x2001,       /* c.addiw x0: reserved */
        0x8002,       /* c.jr x0: reserved */
        0x4002,       /* c.lwsp x0: reserved */
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct rv_op op;
        rv_decode((uint16_t)bad[i], (uint16_t)(bad[i] >> 16), &op);
        if (op.opc != RV_OP_ILLEGAL)
            printf("  0x%08x decoded as %s\n", bad[i], rv_op_name(op.opc));
        CHECK(op.opc == RV_OP_ILLEGAL);
    }
}

/* Every 16-bit parcel and a sweep of 32-bit ones decode without breaking
 * the invariants the interpreter relies on. */
static void test_invariants(void)
{
    for (uint32_t p = 0; p < 0x10000; p++) {
        struct rv_op op;
        int len = rv_decode((uint16_t)p, 0x1234, &op);
        CHECK(len == ((p & 3) == 3 ? 4 : 2));
        CHECK(op.opc < RV_OP_COUNT && op.rd <= RV_XSINK && op.rs1 < 32 && op.rs2 < 32 && op.rs3 < 32);
    }
    uint32_t x = 1;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        struct rv_op op;
        rv_decode((uint16_t)(x | 3), (uint16_t)(x >> 16), &op);
        CHECK(op.opc < RV_OP_COUNT && op.rd <= RV_XSINK && op.rs1 < 32 && op.rs2 < 32);
        CHECK(op.opc != RV_OP_FALLTHRU);
    }
}

int main(void)
{
    RUN(test_assembler_rows);
    RUN(test_rounding_and_rs3);
    RUN(test_illegal);
    RUN(test_invariants);
    return check_total_failed;
}
