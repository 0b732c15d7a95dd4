/*
 * jit_int.h — private to the block compiler (rv/jit.c, rv/jit_a64.c,
 * rv/jit_fp.c, rv/jit_regs.c): the helpers compiled code calls for F and
 * D ops, and what they take; what registers an op uses; the code buffer.
 *
 * Every helper has one shape: the hart (for fflags), up to three raw
 * 64-bit sources (x registers, or f registers with single-precision values
 * still NaN-boxed), the resolved rounding mode; it returns the value to
 * write to rd, boxed if it is a single. An op whose descriptor has rm set
 * checks its rounding mode as the interpreter's CHECK_RM does (a dynamic
 * frm above 4 is an illegal instruction).
 */
#ifndef MVM_JIT_INT_H
#define MVM_JIT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "rv/decode.h"
#include "rv/fpu.h"
#include "rv/rv.h"

typedef uint64_t (*rv_jit_fp_helper)(struct rv_hart *h, uint64_t a, uint64_t b, uint64_t c, unsigned rm);

/* Operand kinds: none, an x register, an f register. */
enum { JIT_K_NONE, JIT_K_X, JIT_K_F };

struct rv_jit_fp_desc {
    rv_jit_fp_helper fn;   /* NULL: not an op called through a helper */
    uint8_t src[3];        /* kinds of rs1, rs2, rs3 */
    uint8_t dst;           /* kind of rd */
    bool rm;               /* takes a rounding mode */
};

extern const struct rv_jit_fp_desc rv_jit_fp_ops[RV_OP_COUNT];

/* Bytes a load or store op accesses. */
static inline unsigned rv_jit_access_size(unsigned opc)
{
    switch (opc) {
    case RV_OP_LB: case RV_OP_LBU: case RV_OP_SB: return 1;
    case RV_OP_LH: case RV_OP_LHU: case RV_OP_SH: return 2;
    case RV_OP_LW: case RV_OP_LWU: case RV_OP_SW: case RV_OP_FLW: case RV_OP_FSW: return 4;
    default: return 8;
    }
}

/* Does op have an inline form of rv/fpu.h's host fast path (F/D add, sub,
 * mul, div, sqrt)? fpu.h uses the host FPU only in round-to-nearest-even,
 * so a static rm other than 0 never qualifies; a dynamic one is checked
 * as the code runs. */
static inline bool rv_jit_fp_inline_ok(const struct rv_op *op)
{
#if FPU_HARDFLOAT
    switch (op->opc) {
    case RV_OP_FADD_S: case RV_OP_FSUB_S: case RV_OP_FMUL_S: case RV_OP_FDIV_S: case RV_OP_FSQRT_S:
    case RV_OP_FADD_D: case RV_OP_FSUB_D: case RV_OP_FMUL_D: case RV_OP_FDIV_D: case RV_OP_FSQRT_D:
        return op->rm == 0 || op->rm == 7;
    default:
        break;
    }
#else
    (void)op;
#endif
    return false;
}

/* Integer ops whose only effect is writing rd (none at all for x0). */
static inline bool rv_jit_pure_int(unsigned opc)
{
    return (opc >= RV_OP_ADDI && opc <= RV_OP_SRAW) || (opc >= RV_OP_MUL && opc <= RV_OP_REMUW) ||
           (opc >= RV_OP_SH1ADD && opc <= RV_OP_BSETI) || opc == RV_OP_MV || opc == RV_OP_LI ||
           opc == RV_OP_LUI || opc == RV_OP_AUIPC;
}

/*
 * For a register cache: the x registers that the compiled ops of
 * rb[0..n) use most (each block's ops up to the first that `compiled`
 * refuses), most used first, at most max, each used at least twice --
 * once is enough in code that loops (more than one block, or a block that
 * goes to its own start), which *loops tells. out[] gets them, *writes
 * the set of x registers those ops write; returns how many.
 */
struct rv_jit;
unsigned rv_jit_rank_regs(struct rv_block *const *rb, unsigned n,
                          bool (*compiled)(const struct rv_jit *j, const struct rv_op *op), const struct rv_jit *j,
                          unsigned max, uint8_t *out, uint64_t *writes, bool *loops);

/* A backend's code buffer (rv/jit_buf.c): mapped read-write-execute at
 * its first use, so that a VM that never gets hot code costs no mapping;
 * false if the host refuses such a mapping (then everything is
 * interpreted). */
#define RV_JIT_BUF_SIZE (32u << 20)
struct rv_jit_buf {
    uint8_t *buf;        /* NULL before */
    bool refused;
    size_t size;
};
bool rv_jit_buf_map(struct rv_jit_buf *b);
void rv_jit_buf_unmap(struct rv_jit_buf *b);

#endif
