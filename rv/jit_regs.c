/*
 * jit_regs.c — which x registers a region uses most, for the backends'
 * register caches (rv/jit.c, rv/jit_a64.c).
 */
#include "rv/jit_int.h"

/* The x registers op reads or writes, in out (rs1, rs2, then rd; x0 and
 * the sink among them as the op names them), and how many. */
static unsigned xregs(const struct rv_op *op, unsigned out[3])
{
    unsigned n = 0;
    const struct rv_jit_fp_desc *d = &rv_jit_fp_ops[op->opc];
    if (d->fn) {
        const unsigned regs[3] = { op->rs1, op->rs2, op->rs3 };
        for (int i = 0; i < 3; i++)
            if (d->src[i] == JIT_K_X)
                out[n++] = regs[i];
        if (d->dst == JIT_K_X)
            out[n++] = op->rd;
        return n;
    }
    switch (op->opc) {
    case RV_OP_FALLTHRU: case RV_OP_FENCE:
    case RV_OP_FSGNJ_D: case RV_OP_FSGNJN_D: case RV_OP_FSGNJX_D:
        return 0;
    case RV_OP_FMV_X_D: case RV_OP_LI: case RV_OP_LUI: case RV_OP_AUIPC: case RV_OP_JAL:
    case RV_OP_CSRRWI: case RV_OP_CSRRSI: case RV_OP_CSRRCI:
        out[0] = op->rd;
        return 1;
    case RV_OP_CSRRW: case RV_OP_CSRRS: case RV_OP_CSRRC: case RV_OP_MV: case RV_OP_JALR:
        out[0] = op->rs1;
        out[1] = op->rd;
        return 2;
    case RV_OP_FMV_D_X: case RV_OP_FLW: case RV_OP_FLD:
        out[0] = op->rs1;
        return 1;
    case RV_OP_FSW: case RV_OP_FSD:
        out[0] = op->rs1;
        return 1;
    case RV_OP_SB: case RV_OP_SH: case RV_OP_SW: case RV_OP_SD:
    case RV_OP_BEQ: case RV_OP_BNE: case RV_OP_BLT: case RV_OP_BGE: case RV_OP_BLTU: case RV_OP_BGEU:
        out[0] = op->rs1;
        out[1] = op->rs2;
        return 2;
    default:
        out[0] = op->rs1;
        out[1] = op->rs2;
        out[2] = op->rd;
        return 3;
    }
}

/* The x register op writes, or 0. */
static unsigned xdst(const struct rv_op *op)
{
    const struct rv_jit_fp_desc *d = &rv_jit_fp_ops[op->opc];
    if (d->fn)
        return d->dst == JIT_K_X ? op->rd : 0;
    switch (op->opc) {
    case RV_OP_FALLTHRU: case RV_OP_FENCE:
    case RV_OP_FSGNJ_D: case RV_OP_FSGNJN_D: case RV_OP_FSGNJX_D: case RV_OP_FMV_D_X:
    case RV_OP_FLW: case RV_OP_FLD: case RV_OP_FSW: case RV_OP_FSD:
    case RV_OP_SB: case RV_OP_SH: case RV_OP_SW: case RV_OP_SD:
    case RV_OP_BEQ: case RV_OP_BNE: case RV_OP_BLT: case RV_OP_BGE: case RV_OP_BLTU: case RV_OP_BGEU:
        return 0;
    default:
        return op->rd;
    }
}

unsigned rv_jit_rank_regs(struct rv_block *const *rb, unsigned n,
                          bool (*compiled)(const struct rv_jit *j, const struct rv_op *op), const struct rv_jit *j,
                          unsigned max, uint8_t *out, uint64_t *writes, bool *loops)
{
    unsigned uses[RV_XSINK + 1] = { 0 };
    *writes = 0;
    *loops = n > 1;
    for (unsigned m = 0; m < n; m++) {
        const struct rv_block *b = rb[m];
        for (unsigned k = 0; k < b->n_ops && compiled(j, &b->ops[k]); k++) {
            const struct rv_op *op = &b->ops[k];
            unsigned r[3], nr = xregs(op, r);
            for (unsigned i = 0; i < nr; i++)
                uses[r[i]]++;
            *writes |= 1ull << xdst(op);
            if ((op->opc == RV_OP_JAL || (op->opc >= RV_OP_BEQ && op->opc <= RV_OP_BGEU)) &&
                op->pcoff + (uint64_t)(int64_t)op->imm == 0)
                *loops = true;
        }
    }
    uses[0] = uses[RV_XSINK] = 0;   /* never cached: constant zero, write-only sink */
    unsigned count = 0, min_uses = *loops ? 1 : 2;
    while (count < max) {
        unsigned best = 0;
        for (unsigned i = 1; i < RV_XSINK; i++)
            if (uses[i] > uses[best])
                best = i;
        if (best == 0 || uses[best] < min_uses)
            break;
        out[count++] = (uint8_t)best;
        uses[best] = 0;
    }
    return count;
}
