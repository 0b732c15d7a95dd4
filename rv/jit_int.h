/*
 * jit_int.h — private to the block compiler (rv/jit.c, rv/jit_fp.c): the
 * helpers compiled code calls for F and D ops, and what they take.
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

#endif
