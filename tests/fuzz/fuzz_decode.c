/*
 * fuzz_decode.c — libFuzzer target for the instruction decoder (rv/decode.c).
 *
 * The input is a run of 16-bit parcels (little-endian); every parcel and
 * its successor are decoded as one instruction, so each 16-bit encoding and
 * each 32-bit encoding starting at any parcel is tried. Whatever the bits,
 * the decoder must return a well-formed op. The invariants, from decode.h
 * and the Unprivileged ISA:
 *   - the length is 2 when the low two bits are not 11, else 4 (ch. 1.5),
 *     and is what rv_decode returned;
 *   - opc < RV_OP_COUNT and has a name;
 *   - source registers are < 32; rd is < 33, and rd 0 means f0, so an op
 *     that writes an integer register never has rd 0 (x0 goes to RV_XSINK)
 *     and an op that writes an F register never has rd RV_XSINK;
 *   - an illegal encoding carries the encoding itself in imm;
 *   - jump and branch offsets are even and within the reach of their
 *     encodings (JAL +-1 MiB, branches +-4 KiB);
 *   - handler and pcoff are left zero, for the caller;
 *   - decoding is a pure function: the same parcels give the same op.
 * Any violation aborts, which libFuzzer reports with the input.
 * LLVMFuzzerInitialize also checks every one of the 65536 16-bit parcels.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rv/decode.h"

static void violated(const char *what, uint16_t p0, uint16_t p1, const struct rv_op *op)
{
    fprintf(stderr, "fuzz_decode: %s: parcels %04x %04x -> %s len %u rd %u rs1 %u rs2 %u rs3 %u imm %d rm %u\n",
            what, p0, p1, rv_op_name(op->opc), op->len, op->rd, op->rs1, op->rs2, op->rs3, op->imm, op->rm);
    abort();
}

/* Ops whose destination is an F register, told apart by name so the list
 * does not come from the decoder under test: every op whose name starts
 * with F, except stores, fences and the ones that write an x register. */
static int writes_fp(unsigned opc)
{
    const char *n = rv_op_name(opc);
    if (n[0] != 'F' || strncmp(n, "FENCE", 5) == 0 || strcmp(n, "FSW") == 0 || strcmp(n, "FSD") == 0)
        return 0;
    static const char *const to_x[] = { "FCVT_W_", "FCVT_WU_", "FCVT_L_", "FCVT_LU_", "FMV_X_",
                                        "FCLASS_", "FEQ_", "FLT_", "FLE_" };
    for (size_t i = 0; i < sizeof to_x / sizeof to_x[0]; i++)
        if (strncmp(n, to_x[i], strlen(to_x[i])) == 0)
            return 0;
    return 1;
}

/* Ops with no destination at all (rd is meaningless, RV_XSINK by contract). */
static int no_rd(unsigned opc)
{
    switch (opc) {
    case RV_OP_BEQ: case RV_OP_BNE: case RV_OP_BLT: case RV_OP_BGE: case RV_OP_BLTU: case RV_OP_BGEU:
    case RV_OP_SB: case RV_OP_SH: case RV_OP_SW: case RV_OP_SD: case RV_OP_FSW: case RV_OP_FSD:
    case RV_OP_FENCE: case RV_OP_FENCE_I: case RV_OP_ECALL: case RV_OP_EBREAK:
    case RV_OP_ILLEGAL: case RV_OP_FALLTHRU:
        return 1;
    }
    return 0;
}

static void check(uint16_t p0, uint16_t p1)
{
    struct rv_op op, again;
    memset(&op, 0xa5, sizeof op);   /* the decoder must set every field */
    int len = rv_decode(p0, p1, &op);
    int want_len = (p0 & 3) == 3 ? 4 : 2;
    uint32_t raw = want_len == 4 ? (uint32_t)p1 << 16 | p0 : p0;
    if (len != want_len || op.len != want_len)
        violated("wrong length", p0, p1, &op);
    if (op.opc >= RV_OP_COUNT)
        violated("opcode out of range", p0, p1, &op);
    if (strcmp(rv_op_name(op.opc), "?") == 0)
        violated("opcode without a name", p0, p1, &op);
    if (op.opc == RV_OP_FALLTHRU)
        violated("FALLTHRU is synthetic, never decoded", p0, p1, &op);
    if (op.rs1 >= 32 || op.rs2 >= 32 || op.rs3 >= 32)
        violated("source register out of range", p0, p1, &op);
    if (op.rd > RV_XSINK)
        violated("rd out of range", p0, p1, &op);
    if (writes_fp(op.opc) ? op.rd == RV_XSINK : op.rd == 0)
        violated(writes_fp(op.opc) ? "F destination sent to the x0 sink" : "write to x0 not sent to the sink",
                 p0, p1, &op);
    if (no_rd(op.opc) && op.rd != RV_XSINK)
        violated("op without a destination has an rd", p0, p1, &op);
    if (op.opc == RV_OP_ILLEGAL && (uint32_t)op.imm != raw)
        violated("illegal op does not carry its encoding", p0, p1, &op);
    if (op.handler != NULL || op.pcoff != 0)
        violated("handler or pcoff set", p0, p1, &op);
    switch (op.opc) {
    case RV_OP_JAL:
        if ((op.imm & 1) || op.imm < -(1 << 20) || op.imm >= (1 << 20))
            violated("JAL offset odd or out of reach", p0, p1, &op);
        break;
    case RV_OP_BEQ: case RV_OP_BNE: case RV_OP_BLT: case RV_OP_BGE: case RV_OP_BLTU: case RV_OP_BGEU:
        if ((op.imm & 1) || op.imm < -(1 << 12) || op.imm >= (1 << 12))
            violated("branch offset odd or out of reach", p0, p1, &op);
        break;
    }
    if (len == 2 && op.opc != RV_OP_ILLEGAL) {
        /* Every compressed form has a base equivalent of the same kind. */
        if (rv_op_is_terminator(op.opc) && op.opc != RV_OP_JAL && op.opc != RV_OP_JALR &&
            op.opc != RV_OP_BEQ && op.opc != RV_OP_BNE && op.opc != RV_OP_EBREAK)
            violated("compressed op that no C instruction expands to", p0, p1, &op);
    }
    rv_decode(p0, p1, &again);
    if (memcmp(&op, &again, sizeof op) != 0)
        violated("decoding is not deterministic", p0, p1, &op);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (uint32_t p = 0; p < 0x10000; p++)
        if ((p & 3) != 3)
            check((uint16_t)p, 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i + 1 < size; i += 2) {
        uint16_t p0 = (uint16_t)(data[i] | data[i + 1] << 8);
        uint16_t p1 = i + 3 < size ? (uint16_t)(data[i + 2] | data[i + 3] << 8) : 0;
        check(p0, p1);
    }
    return 0;
}
