/*
 * fpu_test.c — tests of rv/fpu against oracles that do not share its code:
 *   fpu_hand_*    cases worked by hand from the RISC-V spec and IEEE 754,
 *                 each checked in all five rounding modes, on the soft
 *                 path and on the public (fast) path with NX clear and set;
 *   fpu_random_*  tens of thousands of operands per operation, biased to
 *                 edge exponents, ties and special values, against the
 *                 host FPU driven through <fenv.h> (RMM, which hosts lack,
 *                 against the host's round-to-nearest away from ties, and
 *                 ties found exactly in a wider host format);
 *   fpu_fast_*    the inline host fast paths against the soft reference.
 * Environment: FPU_TEST_N (cases per operation, default 20000) and
 * FPU_TEST_SEED vary the random part; the default run is deterministic.
 */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__SSE__)
#include <xmmintrin.h>
#define HAVE_MXCSR 1
#else
#define HAVE_MXCSR 0
#endif

#include "rv/fpu.h"
#include "check.h"

#define NV RV_FFLAGS_NV
#define DZ RV_FFLAGS_DZ
#define OF RV_FFLAGS_OF
#define UF RV_FFLAGS_UF
#define NX RV_FFLAGS_NX

/* x86-64 (SSE) detects tininess after rounding, as RISC-V does; others
 * (AArch64) before, so there the host's UF says nothing about ours. */
#if defined(__x86_64__)
#define HOST_FLAG_MASK (NV | DZ | OF | UF | NX)
#else
#define HOST_FLAG_MASK (NV | DZ | OF | NX)
#endif

enum op {
    ADD_S, SUB_S, MUL_S, DIV_S, SQRT_S, FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S,
    ADD_D, SUB_D, MUL_D, DIV_D, SQRT_D, FMADD_D, FMSUB_D, FNMSUB_D, FNMADD_D,
    MIN_S, MAX_S, MIN_D, MAX_D,
    EQ_S, LT_S, LE_S, EQ_D, LT_D, LE_D,
    CLASS_S, CLASS_D,
    CVT_W_S, CVT_WU_S, CVT_L_S, CVT_LU_S, CVT_W_D, CVT_WU_D, CVT_L_D, CVT_LU_D,
    CVT_S_W, CVT_S_WU, CVT_S_L, CVT_S_LU, CVT_D_W, CVT_D_WU, CVT_D_L, CVT_D_LU,
    CVT_S_D, CVT_D_S,
    NOPS
};

static const char *const op_name[NOPS] = {
    "add_s", "sub_s", "mul_s", "div_s", "sqrt_s", "fmadd_s", "fmsub_s", "fnmsub_s", "fnmadd_s",
    "add_d", "sub_d", "mul_d", "div_d", "sqrt_d", "fmadd_d", "fmsub_d", "fnmsub_d", "fnmadd_d",
    "min_s", "max_s", "min_d", "max_d",
    "eq_s", "lt_s", "le_s", "eq_d", "lt_d", "le_d",
    "class_s", "class_d",
    "cvt_w_s", "cvt_wu_s", "cvt_l_s", "cvt_lu_s", "cvt_w_d", "cvt_wu_d", "cvt_l_d", "cvt_lu_d",
    "cvt_s_w", "cvt_s_wu", "cvt_s_l", "cvt_s_lu", "cvt_d_w", "cvt_d_wu", "cvt_d_l", "cvt_d_lu",
    "cvt_s_d", "cvt_d_s",
};

static const char *const rm_name[5] = { "rne", "rtz", "rdn", "rup", "rmm" };

/* Which operations produce a binary64 (for NaN checks). */
static int result_is_d(int op)
{
    return (op >= ADD_D && op <= FNMADD_D) || op == MIN_D || op == MAX_D ||
           (op >= CVT_D_W && op <= CVT_D_LU) || op == CVT_D_S;
}

static int op_is_d_input(int op)
{
    return (op >= ADD_D && op <= FNMADD_D) || op == MIN_D || op == MAX_D ||
           op == EQ_D || op == LT_D || op == LE_D || op == CLASS_D ||
           (op >= CVT_W_D && op <= CVT_LU_D) || op == CVT_S_D;
}

/* Whether the op has a separate fast path (then path 1 differs from 0). */
static int has_fast_path(int op)
{
    return op <= FNMADD_D || op == CVT_S_D || op == CVT_D_W || op == CVT_D_WU;
}

/* path 0: the soft reference; path 1: the public entry point. */
static uint64_t call(int op, int path, uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl)
{
    uint32_t as = (uint32_t)a, bs = (uint32_t)b, cs = (uint32_t)c;
    switch (op) {
    case ADD_S: return path ? fpu_add_s(as, bs, rm, fl) : fpu_soft_add_s(as, bs, rm, fl);
    case SUB_S: return path ? fpu_sub_s(as, bs, rm, fl) : fpu_soft_sub_s(as, bs, rm, fl);
    case MUL_S: return path ? fpu_mul_s(as, bs, rm, fl) : fpu_soft_mul_s(as, bs, rm, fl);
    case DIV_S: return path ? fpu_div_s(as, bs, rm, fl) : fpu_soft_div_s(as, bs, rm, fl);
    case SQRT_S: return path ? fpu_sqrt_s(as, rm, fl) : fpu_soft_sqrt_s(as, rm, fl);
    case FMADD_S: return path ? fpu_fmadd_s(as, bs, cs, rm, fl) : fpu_soft_fmadd_s(as, bs, cs, rm, fl);
    case FMSUB_S: return path ? fpu_fmsub_s(as, bs, cs, rm, fl) : fpu_soft_fmsub_s(as, bs, cs, rm, fl);
    case FNMSUB_S: return path ? fpu_fnmsub_s(as, bs, cs, rm, fl) : fpu_soft_fnmsub_s(as, bs, cs, rm, fl);
    case FNMADD_S: return path ? fpu_fnmadd_s(as, bs, cs, rm, fl) : fpu_soft_fnmadd_s(as, bs, cs, rm, fl);
    case ADD_D: return path ? fpu_add_d(a, b, rm, fl) : fpu_soft_add_d(a, b, rm, fl);
    case SUB_D: return path ? fpu_sub_d(a, b, rm, fl) : fpu_soft_sub_d(a, b, rm, fl);
    case MUL_D: return path ? fpu_mul_d(a, b, rm, fl) : fpu_soft_mul_d(a, b, rm, fl);
    case DIV_D: return path ? fpu_div_d(a, b, rm, fl) : fpu_soft_div_d(a, b, rm, fl);
    case SQRT_D: return path ? fpu_sqrt_d(a, rm, fl) : fpu_soft_sqrt_d(a, rm, fl);
    case FMADD_D: return path ? fpu_fmadd_d(a, b, c, rm, fl) : fpu_soft_fmadd_d(a, b, c, rm, fl);
    case FMSUB_D: return path ? fpu_fmsub_d(a, b, c, rm, fl) : fpu_soft_fmsub_d(a, b, c, rm, fl);
    case FNMSUB_D: return path ? fpu_fnmsub_d(a, b, c, rm, fl) : fpu_soft_fnmsub_d(a, b, c, rm, fl);
    case FNMADD_D: return path ? fpu_fnmadd_d(a, b, c, rm, fl) : fpu_soft_fnmadd_d(a, b, c, rm, fl);
    case MIN_S: return fpu_min_s(as, bs, fl);
    case MAX_S: return fpu_max_s(as, bs, fl);
    case MIN_D: return fpu_min_d(a, b, fl);
    case MAX_D: return fpu_max_d(a, b, fl);
    case EQ_S: return (uint64_t)fpu_eq_s(as, bs, fl);
    case LT_S: return (uint64_t)fpu_lt_s(as, bs, fl);
    case LE_S: return (uint64_t)fpu_le_s(as, bs, fl);
    case EQ_D: return (uint64_t)fpu_eq_d(a, b, fl);
    case LT_D: return (uint64_t)fpu_lt_d(a, b, fl);
    case LE_D: return (uint64_t)fpu_le_d(a, b, fl);
    case CLASS_S: return fpu_class_s(as);
    case CLASS_D: return fpu_class_d(a);
    case CVT_W_S: return (uint64_t)fpu_cvt_w_s(as, rm, fl);
    case CVT_WU_S: return (uint64_t)fpu_cvt_wu_s(as, rm, fl);
    case CVT_L_S: return (uint64_t)fpu_cvt_l_s(as, rm, fl);
    case CVT_LU_S: return (uint64_t)fpu_cvt_lu_s(as, rm, fl);
    case CVT_W_D: return (uint64_t)fpu_cvt_w_d(a, rm, fl);
    case CVT_WU_D: return (uint64_t)fpu_cvt_wu_d(a, rm, fl);
    case CVT_L_D: return (uint64_t)fpu_cvt_l_d(a, rm, fl);
    case CVT_LU_D: return (uint64_t)fpu_cvt_lu_d(a, rm, fl);
    case CVT_S_W: return fpu_cvt_s_w((int32_t)as, rm, fl);
    case CVT_S_WU: return fpu_cvt_s_wu(as, rm, fl);
    case CVT_S_L: return fpu_cvt_s_l((int64_t)a, rm, fl);
    case CVT_S_LU: return fpu_cvt_s_lu(a, rm, fl);
    case CVT_D_W: return path ? fpu_cvt_d_w((int32_t)as, rm, fl) : fpu_soft_cvt_d_w((int32_t)as, rm, fl);
    case CVT_D_WU: return path ? fpu_cvt_d_wu(as, rm, fl) : fpu_soft_cvt_d_wu(as, rm, fl);
    case CVT_D_L: return fpu_cvt_d_l((int64_t)a, rm, fl);
    case CVT_D_LU: return fpu_cvt_d_lu(a, rm, fl);
    case CVT_S_D: return path ? fpu_cvt_s_d(a, rm, fl) : fpu_soft_cvt_s_d(a, rm, fl);
    case CVT_D_S: return fpu_cvt_d_s(as, fl);
    }
    return 0;
}

/* Failure reporting: the first failure of a test goes on its FAIL line,
 * a few more to stderr for whoever debugs. */
static int fail_count;

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!check_failed) {
        printf("FAIL unit/%s: ", check_name);
        vprintf(fmt, ap);
        printf("\n");
        fflush(stdout);
        fail_count = 0;
    } else if (fail_count < 8) {
        fprintf(stderr, "  also: ");
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, "\n");
    }
    fail_count++;
    va_end(ap);
    check_failed = 1;
}

static const char *flag_str(uint32_t f)
{
    static char buf[8][16];
    static int k;
    char *s = buf[k++ & 7];
    s[0] = 0;
    if (f & NV) strcat(s, "NV ");
    if (f & DZ) strcat(s, "DZ ");
    if (f & OF) strcat(s, "OF ");
    if (f & UF) strcat(s, "UF ");
    if (f & NX) strcat(s, "NX ");
    if (!s[0]) strcat(s, "- ");
    s[strlen(s) - 1] = 0;
    return s;
}

/* ---- Hand-worked cases ---------------------------------------------------- */

struct tc {
    int line;
    int op;
    uint64_t a, b, c;
    uint64_t r[5];     /* expected result per rounding mode */
    uint32_t f[5];     /* expected flags per rounding mode */
};

/* T: per-mode results and flags; TR: per-mode results, one flag set;
 * TA: one result and flag set in every mode. Modes: RNE RTZ RDN RUP RMM. */
#define T(op, a, b, c, r0, r1, r2, r3, r4, f0, f1, f2, f3, f4) \
    { __LINE__, op, a, b, c, { r0, r1, r2, r3, r4 }, { f0, f1, f2, f3, f4 } }
#define TR(op, a, b, c, r0, r1, r2, r3, r4, f) T(op, a, b, c, r0, r1, r2, r3, r4, f, f, f, f, f)
#define TA(op, a, b, c, r, f) T(op, a, b, c, r, r, r, r, r, f, f, f, f, f)

/* binary32 constants */
#define S_ONE   0x3f800000u
#define S_MONE  0xbf800000u
#define S_TWO   0x40000000u
#define S_THREE 0x40400000u
#define S_HALF  0x3f000000u
#define S_QUART 0x3e800000u
#define S_INF   0x7f800000u
#define S_NINF  0xff800000u
#define S_QNAN  0x7fc00000u
#define S_SNAN  0x7f800001u
#define S_MAX   0x7f7fffffu
#define S_NMAX  0xff7fffffu
#define S_MINN  0x00800000u
#define S_MINS  0x00000001u
#define S_NZERO 0x80000000u
/* binary64 constants */
#define D_ONE   UINT64_C(0x3ff0000000000000)
#define D_MONE  UINT64_C(0xbff0000000000000)
#define D_TWO   UINT64_C(0x4000000000000000)
#define D_THREE UINT64_C(0x4008000000000000)
#define D_INF   UINT64_C(0x7ff0000000000000)
#define D_NINF  UINT64_C(0xfff0000000000000)
#define D_QNAN  UINT64_C(0x7ff8000000000000)
#define D_SNAN  UINT64_C(0x7ff0000000000001)
#define D_MAX   UINT64_C(0x7fefffffffffffff)
#define D_NMAX  UINT64_C(0xffefffffffffffff)
#define D_MINN  UINT64_C(0x0010000000000000)
#define D_MINS  UINT64_C(0x0000000000000001)
#define D_NZERO UINT64_C(0x8000000000000000)
#define I64(x)  ((uint64_t)(int64_t)(x))
#define OFX     (OF | NX)
#define UFX     (UF | NX)

static const struct tc add_cases[] = {
    TA(ADD_S, S_ONE, S_TWO, 0, S_THREE, 0),
    /* 1 + 2^-24: a tie between 1 and 1+2^-23 */
    TR(ADD_S, S_ONE, 0x33800000, 0, S_ONE, S_ONE, S_ONE, 0x3f800001, 0x3f800001, NX),
    /* (1+2^-23) + 2^-24: a tie, the even neighbour is above */
    TR(ADD_S, 0x3f800001, 0x33800000, 0, 0x3f800002, 0x3f800001, 0x3f800001, 0x3f800002, 0x3f800002, NX),
    TR(ADD_S, S_MONE, 0xb3800000, 0, S_MONE, S_MONE, 0xbf800001, S_MONE, 0xbf800001, NX),
    /* below and above the half ulp */
    TR(ADD_S, S_ONE, 0x33000000, 0, S_ONE, S_ONE, S_ONE, 0x3f800001, S_ONE, NX),
    TR(ADD_S, S_ONE, 0x33800001, 0, 0x3f800001, S_ONE, S_ONE, 0x3f800001, 0x3f800001, NX),
    /* 1 - 2^-25 is a tie in the binade below 1 */
    TR(SUB_S, S_ONE, 0x33000000, 0, S_ONE, 0x3f7fffff, 0x3f7fffff, S_ONE, S_ONE, NX),
    TR(ADD_S, S_ONE, S_MINS, 0, S_ONE, S_ONE, S_ONE, 0x3f800001, S_ONE, NX),
    TR(SUB_S, S_ONE, S_MINS, 0, S_ONE, 0x3f7fffff, 0x3f7fffff, S_ONE, S_ONE, NX),
    TA(SUB_S, 0x3f800001, S_ONE, 0, 0x34000000, 0),
    /* exact zero sums: +0, or -0 when rounding down */
    TR(SUB_S, S_ONE, S_ONE, 0, 0, 0, S_NZERO, 0, 0, 0),
    TR(ADD_S, S_ONE, S_MONE, 0, 0, 0, S_NZERO, 0, 0, 0),
    TR(ADD_S, 0, S_NZERO, 0, 0, 0, S_NZERO, 0, 0, 0),
    TA(ADD_S, S_NZERO, S_NZERO, 0, S_NZERO, 0),
    TR(SUB_S, 0, 0, 0, 0, 0, S_NZERO, 0, 0, 0),
    TA(SUB_S, S_NZERO, 0, 0, S_NZERO, 0),
    TA(ADD_S, S_NZERO, S_MINS, 0, S_MINS, 0),
    /* infinities and NaNs */
    TA(ADD_S, S_INF, S_NINF, 0, S_QNAN, NV),
    TA(SUB_S, S_INF, S_INF, 0, S_QNAN, NV),
    TA(ADD_S, S_INF, S_INF, 0, S_INF, 0),
    TA(ADD_S, S_INF, S_ONE, 0, S_INF, 0),
    TA(SUB_S, S_ONE, S_INF, 0, S_NINF, 0),
    TA(ADD_S, S_QNAN, S_ONE, 0, S_QNAN, 0),
    TA(ADD_S, 0x7fc12345, S_ONE, 0, S_QNAN, 0),
    TA(ADD_S, 0xffc00000, S_ONE, 0, S_QNAN, 0),
    TA(ADD_S, S_QNAN, S_INF, 0, S_QNAN, 0),
    TA(ADD_S, S_SNAN, S_ONE, 0, S_QNAN, NV),
    TA(ADD_S, S_ONE, 0x7fa00000, 0, S_QNAN, NV),
    TA(SUB_S, S_SNAN, S_QNAN, 0, S_QNAN, NV),
    /* overflow: to infinity or to the largest finite number, per mode */
    TR(ADD_S, S_MAX, S_MAX, 0, S_INF, S_MAX, S_MAX, S_INF, S_INF, OFX),
    TR(ADD_S, S_NMAX, S_NMAX, 0, S_NINF, S_NMAX, S_NINF, S_NMAX, S_NINF, OFX),
    /* max + half an ulp: a tie whose even neighbour is 2^128 */
    T(ADD_S, S_MAX, 0x73000000, 0, S_INF, S_MAX, S_MAX, S_INF, S_INF, OFX, NX, NX, OFX, OFX),
    T(ADD_S, S_MAX, 0x72800000, 0, S_MAX, S_MAX, S_MAX, S_INF, S_MAX, NX, NX, NX, OFX, NX),
    /* subnormal sums are exact: no UF without NX */
    TA(ADD_S, S_MINS, S_MINS, 0, 0x00000002, 0),
    TA(SUB_S, S_MINN, S_MINS, 0, 0x007fffff, 0),
    TA(ADD_S, S_MINN, 0x80000001, 0, 0x007fffff, 0),
    TA(ADD_S, 0x007fffff, S_MINS, 0, S_MINN, 0),

    TR(ADD_D, D_ONE, UINT64_C(0x3ca0000000000000), 0, D_ONE, D_ONE, D_ONE,
       UINT64_C(0x3ff0000000000001), UINT64_C(0x3ff0000000000001), NX),
    TR(SUB_D, D_ONE, UINT64_C(0x3c90000000000000), 0, D_ONE, UINT64_C(0x3fefffffffffffff),
       UINT64_C(0x3fefffffffffffff), D_ONE, D_ONE, NX),
    TR(ADD_D, D_MAX, D_MAX, 0, D_INF, D_MAX, D_MAX, D_INF, D_INF, OFX),
    TR(SUB_D, UINT64_C(0x400921fb54442d18), UINT64_C(0x400921fb54442d18), 0, 0, 0, D_NZERO, 0, 0, 0),
    TA(ADD_D, D_SNAN, D_ONE, 0, D_QNAN, NV),
    TA(ADD_D, UINT64_C(0x7ff4000000000000), D_QNAN, 0, D_QNAN, NV),
    TA(ADD_D, UINT64_C(0x7ff8000000000123), D_ONE, 0, D_QNAN, 0),
    TA(ADD_D, D_NINF, D_INF, 0, D_QNAN, NV),
    TA(ADD_D, D_MINS, D_MINS, 0, 2, 0),
    TA(ADD_D, D_ONE, D_TWO, 0, D_THREE, 0),
};

static const struct tc mul_cases[] = {
    TA(MUL_S, S_TWO, S_THREE, 0, 0x40c00000, 0),
    /* 3 * float(1/3) = 1 + 2^-25 */
    TR(MUL_S, 0x3eaaaaab, S_THREE, 0, S_ONE, S_ONE, S_ONE, 0x3f800001, S_ONE, NX),
    TA(MUL_S, 0x20000000, 0x20000000, 0, S_MINN, 0),
    /* (2-2^-23) * 2^-127 = 2^-126 - 2^-150: exact at 24 bits, so tiny in
     * every mode, and a tie on the subnormal grid */
    TR(MUL_S, 0x3fffffff, 0x00400000, 0, S_MINN, 0x007fffff, 0x007fffff, S_MINN, S_MINN, UFX),
    /* 1.9375 * (0x108421 * 2^-147) = 2^-126 - 2^-151: rounds to 2^-126 at
     * 24 bits in RNE, RUP and RMM, so not tiny there (tininess after
     * rounding: NX without UF) */
    T(MUL_S, 0x3ff80000, 0x00421084, 0, S_MINN, 0x007fffff, 0x007fffff, S_MINN, S_MINN,
      NX, UFX, UFX, NX, NX),
    T(MUL_S, 0xbff80000, 0x00421084, 0, 0x80800000, 0x807fffff, 0x80800000, 0x807fffff, 0x80800000,
      NX, UFX, NX, UFX, NX),
    /* 2^-150: halfway between 0 and the smallest subnormal */
    TR(MUL_S, S_MINS, S_HALF, 0, 0, 0, 0, S_MINS, S_MINS, UFX),
    TR(MUL_S, 0x80000001, S_HALF, 0, S_NZERO, S_NZERO, 0x80000001, S_NZERO, 0x80000001, UFX),
    TR(MUL_S, S_MINS, S_QUART, 0, 0, 0, 0, S_MINS, 0, UFX),
    /* 1.5 * 2^-149 */
    TR(MUL_S, 0x00000003, S_HALF, 0, 0x00000002, S_MINS, S_MINS, 0x00000002, 0x00000002, UFX),
    TA(MUL_S, S_INF, 0, 0, S_QNAN, NV),
    TA(MUL_S, S_NZERO, S_NINF, 0, S_QNAN, NV),
    TA(MUL_S, S_NINF, S_TWO, 0, S_NINF, 0),
    TA(MUL_S, S_NZERO, S_THREE, 0, S_NZERO, 0),
    TA(MUL_S, S_NZERO, S_NZERO, 0, 0, 0),
    TA(MUL_S, S_QNAN, 0, 0, S_QNAN, 0),
    TA(MUL_S, S_SNAN, S_INF, 0, S_QNAN, NV),
    TR(MUL_S, 0x7f000000, S_TWO, 0, S_INF, S_MAX, S_MAX, S_INF, S_INF, OFX),
    TR(MUL_S, 0xff000000, S_TWO, 0, S_NINF, S_NMAX, S_NINF, S_NMAX, S_NINF, OFX),

    /* (1-2^-27) * (2^-1022 + 2^-1049) = 2^-1022 (1 - 2^-54): not tiny after
     * rounding in RNE, RUP, RMM */
    T(MUL_D, UINT64_C(0x3feffffffc000000), UINT64_C(0x0010000002000000), 0,
      D_MINN, UINT64_C(0x000fffffffffffff), UINT64_C(0x000fffffffffffff), D_MINN, D_MINN,
      NX, UFX, UFX, NX, NX),
    /* 441650591 * 2^-29 * 20394401 * 2^-1046 = (2^53 - 1) * 2^-1075: tiny
     * (exact at 53 bits), a subnormal tie that rounds up to 2^-1022 */
    TR(MUL_D, UINT64_C(0x3fea530d9f000000), UINT64_C(0x0013731a10000000), 0,
       D_MINN, UINT64_C(0x000fffffffffffff), UINT64_C(0x000fffffffffffff), D_MINN, D_MINN, UFX),
    TR(MUL_D, UINT64_C(0x7fe0000000000000), D_TWO, 0, D_INF, D_MAX, D_MAX, D_INF, D_INF, OFX),
    TR(MUL_D, D_MINS, UINT64_C(0x3fe0000000000000), 0, 0, 0, 0, D_MINS, D_MINS, UFX),
    TA(MUL_D, D_INF, D_NZERO, 0, D_QNAN, NV),
    TA(MUL_D, D_THREE, D_MONE, 0, UINT64_C(0xc008000000000000), 0),
};

static const struct tc div_cases[] = {
    TR(DIV_S, S_ONE, S_THREE, 0, 0x3eaaaaab, 0x3eaaaaaa, 0x3eaaaaaa, 0x3eaaaaab, 0x3eaaaaab, NX),
    TR(DIV_S, S_MONE, S_THREE, 0, 0xbeaaaaab, 0xbeaaaaaa, 0xbeaaaaab, 0xbeaaaaaa, 0xbeaaaaab, NX),
    TA(DIV_S, 0x40c00000, S_THREE, 0, S_TWO, 0),
    TA(DIV_S, S_ONE, 0, 0, S_INF, DZ),
    TA(DIV_S, S_MONE, 0, 0, S_NINF, DZ),
    TA(DIV_S, S_ONE, S_NZERO, 0, S_NINF, DZ),
    TA(DIV_S, S_MINS, 0, 0, S_INF, DZ),
    TA(DIV_S, 0, 0, 0, S_QNAN, NV),
    TA(DIV_S, S_INF, S_NINF, 0, S_QNAN, NV),
    TA(DIV_S, S_INF, 0, 0, S_INF, 0),
    TA(DIV_S, S_INF, S_NZERO, 0, S_NINF, 0),
    TA(DIV_S, 0, S_INF, 0, 0, 0),
    TA(DIV_S, S_ONE, S_NINF, 0, S_NZERO, 0),
    TA(DIV_S, S_NZERO, S_THREE, 0, S_NZERO, 0),
    TA(DIV_S, S_QNAN, 0, 0, S_QNAN, 0),
    TA(DIV_S, 0, S_QNAN, 0, S_QNAN, 0),
    TA(DIV_S, S_SNAN, 0, 0, S_QNAN, NV),
    TR(DIV_S, S_MAX, S_HALF, 0, S_INF, S_MAX, S_MAX, S_INF, S_INF, OFX),
    /* 2^-126 / 2^24 = 2^-150, and 2^-126 / 3 = 2796202.67 * 2^-149 */
    TR(DIV_S, S_MINN, 0x4b800000, 0, 0, 0, 0, S_MINS, S_MINS, UFX),
    TR(DIV_S, S_MINS, S_TWO, 0, 0, 0, 0, S_MINS, S_MINS, UFX),
    TR(DIV_S, S_MINN, S_THREE, 0, 0x002aaaab, 0x002aaaaa, 0x002aaaaa, 0x002aaaab, 0x002aaaab, UFX),

    TR(DIV_D, D_ONE, D_THREE, 0, UINT64_C(0x3fd5555555555555), UINT64_C(0x3fd5555555555555),
       UINT64_C(0x3fd5555555555555), UINT64_C(0x3fd5555555555556), UINT64_C(0x3fd5555555555555), NX),
    TR(DIV_D, D_TWO, D_THREE, 0, UINT64_C(0x3fe5555555555555), UINT64_C(0x3fe5555555555555),
       UINT64_C(0x3fe5555555555555), UINT64_C(0x3fe5555555555556), UINT64_C(0x3fe5555555555555), NX),
    TR(DIV_D, D_ONE, UINT64_C(0x4024000000000000), 0, UINT64_C(0x3fb999999999999a),
       UINT64_C(0x3fb9999999999999), UINT64_C(0x3fb9999999999999), UINT64_C(0x3fb999999999999a),
       UINT64_C(0x3fb999999999999a), NX),
    TA(DIV_D, D_ONE, 0, 0, D_INF, DZ),
    TA(DIV_D, D_NZERO, 0, 0, D_QNAN, NV),
    TA(DIV_D, D_SNAN, 0, 0, D_QNAN, NV),
    TR(DIV_D, D_MAX, UINT64_C(0x3fe0000000000000), 0, D_INF, D_MAX, D_MAX, D_INF, D_INF, OFX),
};

static const struct tc sqrt_cases[] = {
    TA(SQRT_S, 0x40800000, 0, 0, S_TWO, 0),
    /* sqrt(2) = 1.0110101000001001111001100...: the 25th bit is 0 */
    TR(SQRT_S, S_TWO, 0, 0, 0x3fb504f3, 0x3fb504f3, 0x3fb504f3, 0x3fb504f4, 0x3fb504f3, NX),
    TA(SQRT_S, S_MONE, 0, 0, S_QNAN, NV),
    TA(SQRT_S, 0x80000001, 0, 0, S_QNAN, NV),
    TA(SQRT_S, S_NZERO, 0, 0, S_NZERO, 0),
    TA(SQRT_S, 0, 0, 0, 0, 0),
    TA(SQRT_S, S_INF, 0, 0, S_INF, 0),
    TA(SQRT_S, S_NINF, 0, 0, S_QNAN, NV),
    TA(SQRT_S, S_QNAN, 0, 0, S_QNAN, 0),
    TA(SQRT_S, 0xffc00000, 0, 0, S_QNAN, 0),
    TA(SQRT_S, S_SNAN, 0, 0, S_QNAN, NV),
    TA(SQRT_S, 0x00000002, 0, 0, 0x1a800000, 0),
    TR(SQRT_S, S_MINS, 0, 0, 0x1a3504f3, 0x1a3504f3, 0x1a3504f3, 0x1a3504f4, 0x1a3504f3, NX),
    /* sqrt(max) = (2^24 - 0.5000000075) * 2^40 */
    TR(SQRT_S, S_MAX, 0, 0, 0x5f7fffff, 0x5f7fffff, 0x5f7fffff, 0x5f800000, 0x5f7fffff, NX),
    TA(SQRT_S, 0x41100000, 0, 0, 0x40400000, 0),

    /* sqrt(2): the 54th bit is 1 and more follow */
    TR(SQRT_D, D_TWO, 0, 0, UINT64_C(0x3ff6a09e667f3bcd), UINT64_C(0x3ff6a09e667f3bcc),
       UINT64_C(0x3ff6a09e667f3bcc), UINT64_C(0x3ff6a09e667f3bcd), UINT64_C(0x3ff6a09e667f3bcd), NX),
    TA(SQRT_D, D_MINS, 0, 0, UINT64_C(0x1e60000000000000), 0),
    TA(SQRT_D, UINT64_C(0x4022000000000000), 0, 0, D_THREE, 0),
    TA(SQRT_D, D_NZERO, 0, 0, D_NZERO, 0),
    TA(SQRT_D, D_MONE, 0, 0, D_QNAN, NV),
    TA(SQRT_D, D_SNAN, 0, 0, D_QNAN, NV),
    TA(SQRT_D, D_INF, 0, 0, D_INF, 0),
};

static const struct tc fma_cases[] = {
    TA(FMADD_S, S_ONE, S_ONE, S_ONE, S_TWO, 0),
    TA(FNMADD_S, S_ONE, S_ONE, S_ONE, 0xc0000000, 0),
    /* (1+2^-12)^2 - (1+2^-11) = 2^-24 exactly: one rounding, not two */
    TA(FMSUB_S, 0x3f800800, 0x3f800800, 0x3f801000, 0x33800000, 0),
    TA(FNMSUB_S, 0x3f800800, 0x3f800800, 0x3f801000, 0xb3800000, 0),
    TA(FMADD_S, 0x3f800800, 0x3f800800, 0xbf801000, 0x33800000, 0),
    TA(FNMADD_S, 0x3f800800, 0x3f800800, 0xbf801000, 0xb3800000, 0),
    /* inf * 0 is invalid even with a quiet NaN addend */
    TA(FMADD_S, S_INF, 0, S_QNAN, S_QNAN, NV),
    TA(FMADD_S, 0, S_NINF, S_QNAN, S_QNAN, NV),
    TA(FMADD_S, S_INF, 0, S_ONE, S_QNAN, NV),
    TA(FMADD_S, S_QNAN, 0, S_INF, S_QNAN, 0),
    TA(FMADD_S, S_QNAN, S_ONE, S_ONE, S_QNAN, 0),
    TA(FMADD_S, S_ONE, S_ONE, S_SNAN, S_QNAN, NV),
    TA(FMADD_S, S_SNAN, S_ONE, S_ONE, S_QNAN, NV),
    TA(FMADD_S, S_INF, S_ONE, S_NINF, S_QNAN, NV),
    TA(FMSUB_S, S_INF, S_ONE, S_INF, S_QNAN, NV),
    TA(FNMADD_S, S_INF, S_ONE, S_NINF, S_QNAN, NV),
    TA(FNMSUB_S, S_INF, S_ONE, S_INF, S_QNAN, NV),
    TA(FMADD_S, S_INF, S_ONE, S_INF, S_INF, 0),
    TA(FNMADD_S, S_INF, S_ONE, S_INF, S_NINF, 0),
    TA(FMADD_S, S_ONE, S_ONE, S_NINF, S_NINF, 0),
    TA(FMADD_S, S_MAX, S_MAX, S_NINF, S_NINF, 0),
    /* signed zeros */
    TR(FMADD_S, 0, S_ONE, S_NZERO, 0, 0, S_NZERO, 0, 0, 0),
    TA(FMADD_S, S_NZERO, S_ONE, S_NZERO, S_NZERO, 0),
    TR(FMADD_S, S_ONE, S_ONE, S_MONE, 0, 0, S_NZERO, 0, 0, 0),
    TR(FMSUB_S, S_ONE, S_ONE, S_ONE, 0, 0, S_NZERO, 0, 0, 0),
    TA(FNMADD_S, 0, S_ONE, 0, S_NZERO, 0),
    TR(FNMSUB_S, 0, S_ONE, 0, 0, 0, S_NZERO, 0, 0, 0),
    /* a zero product leaves the addend exact, even a subnormal one */
    TA(FMADD_S, 0, 0x40a00000, S_MINS, S_MINS, 0),
    TA(FMADD_S, S_NZERO, S_ONE, 0x80000001, 0x80000001, 0),
    TR(FMADD_S, S_ONE, S_ONE, 0x33800000, S_ONE, S_ONE, S_ONE, 0x3f800001, 0x3f800001, NX),
    /* max * 2 - max = max: no intermediate overflow */
    TA(FMADD_S, S_MAX, S_TWO, S_NMAX, S_MAX, 0),
    TR(FMADD_S, S_MAX, S_TWO, 0, S_INF, S_MAX, S_MAX, S_INF, S_INF, OFX),
    /* 2^-100 * 2^-50 + 0 = 2^-150 */
    TR(FMADD_S, 0x0d800000, 0x26800000, 0, 0, 0, 0, S_MINS, S_MINS, UFX),
    TR(FNMADD_S, 0x0d800000, 0x26800000, 0, S_NZERO, S_NZERO, 0x80000001, S_NZERO, 0x80000001, UFX),

    /* (1+2^-25)^2 - (1+2^-24) = 2^-50 */
    TA(FMSUB_D, UINT64_C(0x3ff0000008000000), UINT64_C(0x3ff0000008000000),
       UINT64_C(0x3ff0000010000000), UINT64_C(0x3cd0000000000000), 0),
    TR(FMADD_D, D_ONE, D_ONE, UINT64_C(0x3ca0000000000000), D_ONE, D_ONE, D_ONE,
       UINT64_C(0x3ff0000000000001), UINT64_C(0x3ff0000000000001), NX),
    /* (1+2^-52)(1-2^-53) - 1 = 2^-53 (1 - 2^-52): cancels 52 bits, exact */
    TA(FMADD_D, UINT64_C(0x3ff0000000000001), UINT64_C(0x3fefffffffffffff), D_MONE,
       UINT64_C(0x3c9ffffffffffffe), 0),
    TA(FMADD_D, D_INF, 0, D_QNAN, D_QNAN, NV),
    TA(FMADD_D, D_MAX, D_TWO, D_NMAX, D_MAX, 0),
    TR(FNMSUB_D, D_ONE, D_ONE, D_ONE, 0, 0, D_NZERO, 0, 0, 0),
};

static const struct tc cvt_int_cases[] = {
    TR(CVT_W_S, 0x40200000, 0, 0, 2, 2, 2, 3, 3, NX),                       /* 2.5 */
    TR(CVT_W_S, 0xc0200000, 0, 0, I64(-2), I64(-2), I64(-3), I64(-2), I64(-3), NX),
    TR(CVT_W_S, 0x40600000, 0, 0, 4, 3, 3, 4, 4, NX),                       /* 3.5 */
    TR(CVT_W_S, S_HALF, 0, 0, 0, 0, 0, 1, 1, NX),
    TR(CVT_W_S, 0xbf000000, 0, 0, 0, 0, I64(-1), 0, I64(-1), NX),           /* -0.5 */
    TR(CVT_W_S, S_QUART, 0, 0, 0, 0, 0, 1, 0, NX),
    TR(CVT_W_S, S_MINS, 0, 0, 0, 0, 0, 1, 0, NX),
    TR(CVT_W_S, 0x80000001, 0, 0, 0, 0, I64(-1), 0, 0, NX),
    TA(CVT_W_S, S_ONE, 0, 0, 1, 0),
    TA(CVT_W_S, S_NZERO, 0, 0, 0, 0),
    TA(CVT_W_S, 0x4effffff, 0, 0, 0x7fffff80, 0),
    TA(CVT_W_S, 0x4f000000, 0, 0, 0x7fffffff, NV),                         /* 2^31 */
    TA(CVT_W_S, 0xcf000000, 0, 0, I64(INT32_MIN), 0),
    TA(CVT_W_S, 0xcf000001, 0, 0, I64(INT32_MIN), NV),
    TA(CVT_W_S, S_QNAN, 0, 0, 0x7fffffff, NV),
    TA(CVT_W_S, 0xffc00000, 0, 0, 0x7fffffff, NV),
    TA(CVT_W_S, S_SNAN, 0, 0, 0x7fffffff, NV),
    TA(CVT_W_S, S_INF, 0, 0, 0x7fffffff, NV),
    TA(CVT_W_S, S_NINF, 0, 0, I64(INT32_MIN), NV),
    TA(CVT_W_S, S_MAX, 0, 0, 0x7fffffff, NV),
    /* unsigned 32-bit results are sign-extended from bit 31 on RV64 */
    TA(CVT_WU_S, 0x4f7fffff, 0, 0, UINT64_C(0xffffffffffffff00), 0),
    TA(CVT_WU_S, 0x4f000000, 0, 0, UINT64_C(0xffffffff80000000), 0),
    TA(CVT_WU_S, 0x4f800000, 0, 0, UINT64_MAX, NV),
    TA(CVT_WU_S, S_MONE, 0, 0, 0, NV),
    T(CVT_WU_S, 0xbf000000, 0, 0, 0, 0, 0, 0, 0, NX, NX, NV, NX, NV),       /* -0.5 */
    TA(CVT_WU_S, S_NZERO, 0, 0, 0, 0),
    TA(CVT_WU_S, S_QNAN, 0, 0, UINT64_MAX, NV),
    TA(CVT_WU_S, S_NINF, 0, 0, 0, NV),
    TA(CVT_WU_S, S_INF, 0, 0, UINT64_MAX, NV),
    TA(CVT_WU_S, S_THREE, 0, 0, 3, 0),
    TA(CVT_L_S, 0x5f000000, 0, 0, UINT64_C(0x7fffffffffffffff), NV),        /* 2^63 */
    TA(CVT_L_S, 0x5effffff, 0, 0, UINT64_C(0x7fffff8000000000), 0),
    TA(CVT_L_S, 0xdf000000, 0, 0, UINT64_C(0x8000000000000000), 0),
    TA(CVT_L_S, 0xdf000001, 0, 0, UINT64_C(0x8000000000000000), NV),
    TA(CVT_L_S, S_QNAN, 0, 0, UINT64_C(0x7fffffffffffffff), NV),
    TA(CVT_L_S, S_NINF, 0, 0, UINT64_C(0x8000000000000000), NV),
    TR(CVT_L_S, 0xc0200000, 0, 0, I64(-2), I64(-2), I64(-3), I64(-2), I64(-3), NX),
    TA(CVT_LU_S, 0x5f800000, 0, 0, UINT64_MAX, NV),                         /* 2^64 */
    TA(CVT_LU_S, 0x5f7fffff, 0, 0, UINT64_C(0xffffff0000000000), 0),
    TA(CVT_LU_S, S_MONE, 0, 0, 0, NV),
    TA(CVT_LU_S, S_QNAN, 0, 0, UINT64_MAX, NV),
    T(CVT_LU_S, 0xbf400000, 0, 0, 0, 0, 0, 0, 0, NV, NX, NV, NX, NV),       /* -0.75 */
    TR(CVT_LU_S, 0x3fc00000, 0, 0, 2, 1, 1, 2, 2, NX),                      /* 1.5 */

    TA(CVT_W_D, UINT64_C(0x41dfffffffc00000), 0, 0, 0x7fffffff, 0),        /* 2^31 - 1 */
    /* 2^31 - 0.5: rounds to 2^31 (invalid) or to 2^31 - 1 (inexact) */
    T(CVT_W_D, UINT64_C(0x41dfffffffe00000), 0, 0, 0x7fffffff, 0x7fffffff, 0x7fffffff,
      0x7fffffff, 0x7fffffff, NV, NX, NX, NV, NV),
    TR(CVT_W_D, UINT64_C(0x41dfffffffa00000), 0, 0, 0x7ffffffe, 0x7ffffffe, 0x7ffffffe,
       0x7fffffff, 0x7fffffff, NX),                                        /* 2^31 - 1.5 */
    /* -2^31 - 0.5 */
    T(CVT_W_D, UINT64_C(0xc1e0000000100000), 0, 0, I64(INT32_MIN), I64(INT32_MIN), I64(INT32_MIN),
      I64(INT32_MIN), I64(INT32_MIN), NX, NX, NV, NX, NV),
    TA(CVT_W_D, UINT64_C(0xc1e0000000200000), 0, 0, I64(INT32_MIN), NV),   /* -2^31 - 1 */
    TA(CVT_W_D, UINT64_C(0xc1e0000000000000), 0, 0, I64(INT32_MIN), 0),
    TA(CVT_W_D, D_QNAN, 0, 0, 0x7fffffff, NV),
    TA(CVT_W_D, UINT64_C(0x4202a05f20000000), 0, 0, 0x7fffffff, NV),       /* 1e10 */
    TR(CVT_W_D, D_MINS, 0, 0, 0, 0, 0, 1, 0, NX),
    TA(CVT_WU_D, UINT64_C(0x41efffffffe00000), 0, 0, UINT64_MAX, 0),       /* 2^32 - 1 */
    T(CVT_WU_D, UINT64_C(0x41effffffff00000), 0, 0, UINT64_MAX, UINT64_MAX, UINT64_MAX,
      UINT64_MAX, UINT64_MAX, NV, NX, NX, NV, NV),                         /* 2^32 - 0.5 */
    TA(CVT_WU_D, D_NINF, 0, 0, 0, NV),
    TA(CVT_WU_D, D_SNAN, 0, 0, UINT64_MAX, NV),
    TA(CVT_L_D, UINT64_C(0x43e0000000000000), 0, 0, UINT64_C(0x7fffffffffffffff), NV),
    TA(CVT_L_D, UINT64_C(0x43dfffffffffffff), 0, 0, UINT64_C(0x7ffffffffffffc00), 0),
    TA(CVT_L_D, UINT64_C(0xc3e0000000000000), 0, 0, UINT64_C(0x8000000000000000), 0),
    TA(CVT_L_D, UINT64_C(0xc3e0000000000001), 0, 0, UINT64_C(0x8000000000000000), NV),
    TA(CVT_L_D, D_INF, 0, 0, UINT64_C(0x7fffffffffffffff), NV),
    /* 2^51 + 0.5 */
    TR(CVT_L_D, UINT64_C(0x4320000000000001), 0, 0, UINT64_C(0x8000000000000),
       UINT64_C(0x8000000000000), UINT64_C(0x8000000000000), UINT64_C(0x8000000000001),
       UINT64_C(0x8000000000001), NX),
    TA(CVT_LU_D, UINT64_C(0x43f0000000000000), 0, 0, UINT64_MAX, NV),      /* 2^64 */
    TA(CVT_LU_D, UINT64_C(0x43efffffffffffff), 0, 0, UINT64_C(0xfffffffffffff800), 0),
    TA(CVT_LU_D, D_NINF, 0, 0, 0, NV),
    TA(CVT_LU_D, D_NZERO, 0, 0, 0, 0),
    TA(CVT_LU_D, D_QNAN, 0, 0, UINT64_MAX, NV),
    TR(CVT_LU_D, UINT64_C(0x3ff8000000000000), 0, 0, 2, 1, 1, 2, 2, NX),   /* 1.5 */

    /* 2^24 + 1 and 2^24 + 3: ties at 24 bits */
    TR(CVT_S_W, 0x01000001, 0, 0, 0x4b800000, 0x4b800000, 0x4b800000, 0x4b800001, 0x4b800001, NX),
    TR(CVT_S_W, 0xfeffffff, 0, 0, 0xcb800000, 0xcb800000, 0xcb800001, 0xcb800000, 0xcb800001, NX),
    TR(CVT_S_W, 0x01000003, 0, 0, 0x4b800002, 0x4b800001, 0x4b800001, 0x4b800002, 0x4b800002, NX),
    TA(CVT_S_W, 0x80000000, 0, 0, 0xcf000000, 0),
    TA(CVT_S_W, 0, 0, 0, 0, 0),
    TA(CVT_S_W, 0xffffffff, 0, 0, S_MONE, 0),
    TR(CVT_S_W, 0x7fffffff, 0, 0, 0x4f000000, 0x4effffff, 0x4effffff, 0x4f000000, 0x4f000000, NX),
    TR(CVT_S_WU, 0xffffffff, 0, 0, 0x4f800000, 0x4f7fffff, 0x4f7fffff, 0x4f800000, 0x4f800000, NX),
    TA(CVT_S_WU, 0x80000000, 0, 0, 0x4f000000, 0),
    TA(CVT_S_L, UINT64_C(0x8000000000000000), 0, 0, 0xdf000000, 0),
    TR(CVT_S_L, UINT64_C(0x7fffffffffffffff), 0, 0, 0x5f000000, 0x5effffff, 0x5effffff,
       0x5f000000, 0x5f000000, NX),
    TR(CVT_S_L, 0x01000001, 0, 0, 0x4b800000, 0x4b800000, 0x4b800000, 0x4b800001, 0x4b800001, NX),
    TR(CVT_S_L, I64(-16777217), 0, 0, 0xcb800000, 0xcb800000, 0xcb800001, 0xcb800000, 0xcb800001, NX),
    TR(CVT_S_LU, UINT64_MAX, 0, 0, 0x5f800000, 0x5f7fffff, 0x5f7fffff, 0x5f800000, 0x5f800000, NX),
    TA(CVT_S_LU, 0, 0, 0, 0, 0),
    TA(CVT_D_W, 0xffffffff, 0, 0, D_MONE, 0),
    TA(CVT_D_W, 0x80000000, 0, 0, UINT64_C(0xc1e0000000000000), 0),
    TA(CVT_D_W, 0, 0, 0, 0, 0),
    TA(CVT_D_WU, 0xffffffff, 0, 0, UINT64_C(0x41efffffffe00000), 0),
    TR(CVT_D_L, UINT64_C(0x20000000000001), 0, 0, UINT64_C(0x4340000000000000),
       UINT64_C(0x4340000000000000), UINT64_C(0x4340000000000000), UINT64_C(0x4340000000000001),
       UINT64_C(0x4340000000000001), NX),
    TR(CVT_D_L, UINT64_C(0x20000000000003), 0, 0, UINT64_C(0x4340000000000002),
       UINT64_C(0x4340000000000001), UINT64_C(0x4340000000000001), UINT64_C(0x4340000000000002),
       UINT64_C(0x4340000000000002), NX),
    TR(CVT_D_L, I64(-0x20000000000001), 0, 0, UINT64_C(0xc340000000000000),
       UINT64_C(0xc340000000000000), UINT64_C(0xc340000000000001), UINT64_C(0xc340000000000000),
       UINT64_C(0xc340000000000001), NX),
    TA(CVT_D_L, UINT64_C(0x8000000000000000), 0, 0, UINT64_C(0xc3e0000000000000), 0),
    TR(CVT_D_LU, UINT64_MAX, 0, 0, UINT64_C(0x43f0000000000000), UINT64_C(0x43efffffffffffff),
       UINT64_C(0x43efffffffffffff), UINT64_C(0x43f0000000000000), UINT64_C(0x43f0000000000000), NX),
};

static const struct tc cvt_fp_cases[] = {
    TR(CVT_S_D, UINT64_C(0x3fd5555555555555), 0, 0, 0x3eaaaaab, 0x3eaaaaaa, 0x3eaaaaaa,
       0x3eaaaaab, 0x3eaaaaab, NX),
    TR(CVT_S_D, D_MAX, 0, 0, S_INF, S_MAX, S_MAX, S_INF, S_INF, OFX),
    TR(CVT_S_D, D_NMAX, 0, 0, S_NINF, S_NMAX, S_NINF, S_NMAX, S_NINF, OFX),
    /* float max + half an ulp (2^128 - 2^103): a tie, even is 2^128 */
    T(CVT_S_D, UINT64_C(0x47effffff0000000), 0, 0, S_INF, S_MAX, S_MAX, S_INF, S_INF,
      OFX, NX, NX, OFX, OFX),
    TR(CVT_S_D, UINT64_C(0x3690000000000000), 0, 0, 0, 0, 0, S_MINS, S_MINS, UFX),   /* 2^-150 */
    TA(CVT_S_D, UINT64_C(0x36a0000000000000), 0, 0, S_MINS, 0),                       /* 2^-149 */
    /* 2^-126 (1 - 2^-25): not tiny after rounding in RNE, RUP, RMM */
    T(CVT_S_D, UINT64_C(0x380ffffff0000000), 0, 0, S_MINN, 0x007fffff, 0x007fffff, S_MINN, S_MINN,
      NX, UFX, UFX, NX, NX),
    /* 2^-126 (1 - 2^-24): exact at 24 bits, so tiny in every mode */
    TR(CVT_S_D, UINT64_C(0x380fffffe0000000), 0, 0, S_MINN, 0x007fffff, 0x007fffff, S_MINN, S_MINN,
       UFX),
    TA(CVT_S_D, D_QNAN, 0, 0, S_QNAN, 0),
    TA(CVT_S_D, UINT64_C(0x7ff8000000000001), 0, 0, S_QNAN, 0),
    TA(CVT_S_D, UINT64_C(0xfff8000000000000), 0, 0, S_QNAN, 0),
    TA(CVT_S_D, D_SNAN, 0, 0, S_QNAN, NV),
    TA(CVT_S_D, D_NINF, 0, 0, S_NINF, 0),
    TA(CVT_S_D, D_NZERO, 0, 0, S_NZERO, 0),
    TA(CVT_S_D, D_ONE, 0, 0, S_ONE, 0),
    TR(CVT_S_D, D_MINS, 0, 0, 0, 0, 0, S_MINS, 0, UFX),
    TR(CVT_S_D, UINT64_C(0x8000000000000001), 0, 0, S_NZERO, S_NZERO, 0x80000001, S_NZERO,
       S_NZERO, UFX),
    TA(CVT_D_S, S_MINS, 0, 0, UINT64_C(0x36a0000000000000), 0),
    TA(CVT_D_S, 0x807fffff, 0, 0, UINT64_C(0xb80fffffc0000000), 0),
    TA(CVT_D_S, S_MAX, 0, 0, UINT64_C(0x47efffffe0000000), 0),
    TA(CVT_D_S, S_SNAN, 0, 0, D_QNAN, NV),
    TA(CVT_D_S, 0x7fc12345, 0, 0, D_QNAN, 0),
    TA(CVT_D_S, S_NINF, 0, 0, D_NINF, 0),
    TA(CVT_D_S, S_NZERO, 0, 0, D_NZERO, 0),
    TA(CVT_D_S, S_ONE, 0, 0, D_ONE, 0),
};

static const struct tc minmax_cases[] = {
    TA(MIN_S, S_ONE, S_TWO, 0, S_ONE, 0),
    TA(MIN_S, S_TWO, S_ONE, 0, S_ONE, 0),
    TA(MAX_S, S_ONE, S_TWO, 0, S_TWO, 0),
    TA(MIN_S, S_NZERO, 0, 0, S_NZERO, 0),
    TA(MIN_S, 0, S_NZERO, 0, S_NZERO, 0),
    TA(MAX_S, S_NZERO, 0, 0, 0, 0),
    TA(MAX_S, 0, S_NZERO, 0, 0, 0),
    TA(MIN_S, S_QNAN, S_ONE, 0, S_ONE, 0),
    TA(MIN_S, S_ONE, S_QNAN, 0, S_ONE, 0),
    TA(MAX_S, 0x7fc12345, S_ONE, 0, S_ONE, 0),
    TA(MIN_S, S_SNAN, S_ONE, 0, S_ONE, NV),
    TA(MAX_S, S_ONE, S_SNAN, 0, S_ONE, NV),
    TA(MIN_S, S_QNAN, S_QNAN, 0, S_QNAN, 0),
    TA(MIN_S, 0x7fc12345, 0xffc00001, 0, S_QNAN, 0),
    TA(MAX_S, S_SNAN, S_QNAN, 0, S_QNAN, NV),
    TA(MAX_S, S_NINF, S_QNAN, 0, S_NINF, 0),
    TA(MIN_S, S_MONE, 0xc0000000, 0, 0xc0000000, 0),
    TA(MAX_S, S_MONE, 0xc0000000, 0, S_MONE, 0),
    TA(MIN_S, S_MINS, 0x80000001, 0, 0x80000001, 0),
    TA(MIN_S, S_INF, S_NINF, 0, S_NINF, 0),
    TA(MAX_S, S_INF, S_NINF, 0, S_INF, 0),
    TA(MIN_D, D_NZERO, 0, 0, D_NZERO, 0),
    TA(MAX_D, D_NZERO, 0, 0, 0, 0),
    TA(MIN_D, D_QNAN, D_ONE, 0, D_ONE, 0),
    TA(MAX_D, D_SNAN, D_QNAN, 0, D_QNAN, NV),
    TA(MIN_D, D_ONE, D_TWO, 0, D_ONE, 0),
    TA(MAX_D, D_MONE, D_SNAN, 0, D_MONE, NV),
};

static const struct tc compare_cases[] = {
    TA(EQ_S, S_ONE, S_ONE, 0, 1, 0),
    TA(EQ_S, 0, S_NZERO, 0, 1, 0),
    TA(EQ_S, S_ONE, S_TWO, 0, 0, 0),
    TA(EQ_S, S_MINS, 0, 0, 0, 0),
    TA(EQ_S, S_QNAN, S_ONE, 0, 0, 0),
    TA(EQ_S, S_QNAN, S_QNAN, 0, 0, 0),
    TA(EQ_S, S_SNAN, S_ONE, 0, 0, NV),
    TA(EQ_S, S_ONE, S_SNAN, 0, 0, NV),
    TA(LT_S, S_QNAN, S_ONE, 0, 0, NV),
    TA(LT_S, S_ONE, S_QNAN, 0, 0, NV),
    TA(LE_S, S_QNAN, S_ONE, 0, 0, NV),
    TA(LE_S, S_ONE, S_SNAN, 0, 0, NV),
    TA(LT_S, S_NZERO, 0, 0, 0, 0),
    TA(LE_S, S_NZERO, 0, 0, 1, 0),
    TA(LE_S, 0, S_NZERO, 0, 1, 0),
    TA(LT_S, S_MONE, S_ONE, 0, 1, 0),
    TA(LT_S, 0xc0000000, S_MONE, 0, 1, 0),
    TA(LT_S, S_MONE, 0xc0000000, 0, 0, 0),
    TA(LE_S, S_INF, S_INF, 0, 1, 0),
    TA(LT_S, S_INF, S_INF, 0, 0, 0),
    TA(LT_S, S_NINF, S_NMAX, 0, 1, 0),
    TA(LT_S, S_MINS, 0x00000002, 0, 1, 0),
    TA(LT_S, 0x80000002, 0x80000001, 0, 1, 0),
    TA(LT_S, 0x80000001, 0, 0, 1, 0),
    TA(LE_S, S_ONE, S_ONE, 0, 1, 0),
    TA(LT_S, S_ONE, S_ONE, 0, 0, 0),
    TA(LE_S, S_TWO, S_ONE, 0, 0, 0),
    TA(EQ_D, D_NZERO, 0, 0, 1, 0),
    TA(LT_D, D_MONE, D_ONE, 0, 1, 0),
    TA(LE_D, D_QNAN, D_ONE, 0, 0, NV),
    TA(EQ_D, UINT64_C(0x7ff4000000000000), D_ONE, 0, 0, NV),
    TA(EQ_D, D_QNAN, D_QNAN, 0, 0, 0),
    TA(LT_D, D_NINF, D_NMAX, 0, 1, 0),
    TA(LE_D, D_TWO, D_ONE, 0, 0, 0),
};

static const struct tc class_cases[] = {
    TA(CLASS_S, S_NINF, 0, 0, 0x001, 0),
    TA(CLASS_S, S_MONE, 0, 0, 0x002, 0),
    TA(CLASS_S, S_NMAX, 0, 0, 0x002, 0),
    TA(CLASS_S, 0x80800000, 0, 0, 0x002, 0),
    TA(CLASS_S, 0x807fffff, 0, 0, 0x004, 0),
    TA(CLASS_S, 0x80000001, 0, 0, 0x004, 0),
    TA(CLASS_S, S_NZERO, 0, 0, 0x008, 0),
    TA(CLASS_S, 0, 0, 0, 0x010, 0),
    TA(CLASS_S, S_MINS, 0, 0, 0x020, 0),
    TA(CLASS_S, 0x007fffff, 0, 0, 0x020, 0),
    TA(CLASS_S, S_MINN, 0, 0, 0x040, 0),
    TA(CLASS_S, S_MAX, 0, 0, 0x040, 0),
    TA(CLASS_S, S_INF, 0, 0, 0x080, 0),
    TA(CLASS_S, S_SNAN, 0, 0, 0x100, 0),
    TA(CLASS_S, 0x7fbfffff, 0, 0, 0x100, 0),
    TA(CLASS_S, 0xff800001, 0, 0, 0x100, 0),
    TA(CLASS_S, S_QNAN, 0, 0, 0x200, 0),
    TA(CLASS_S, 0xffc00000, 0, 0, 0x200, 0),
    TA(CLASS_S, 0x7fffffff, 0, 0, 0x200, 0),
    TA(CLASS_D, D_NINF, 0, 0, 0x001, 0),
    TA(CLASS_D, D_MONE, 0, 0, 0x002, 0),
    TA(CLASS_D, UINT64_C(0x8010000000000000), 0, 0, 0x002, 0),
    TA(CLASS_D, UINT64_C(0x800fffffffffffff), 0, 0, 0x004, 0),
    TA(CLASS_D, UINT64_C(0x8000000000000001), 0, 0, 0x004, 0),
    TA(CLASS_D, D_NZERO, 0, 0, 0x008, 0),
    TA(CLASS_D, 0, 0, 0, 0x010, 0),
    TA(CLASS_D, D_MINS, 0, 0, 0x020, 0),
    TA(CLASS_D, D_MINN, 0, 0, 0x040, 0),
    TA(CLASS_D, D_MAX, 0, 0, 0x040, 0),
    TA(CLASS_D, D_INF, 0, 0, 0x080, 0),
    TA(CLASS_D, D_SNAN, 0, 0, 0x100, 0),
    TA(CLASS_D, UINT64_C(0x7ff7ffffffffffff), 0, 0, 0x100, 0),
    TA(CLASS_D, D_QNAN, 0, 0, 0x200, 0),
    TA(CLASS_D, UINT64_C(0xfff8000000000000), 0, 0, 0x200, 0),
    /* a binary32 NaN pattern in a binary64 is just a small normal */
    TA(CLASS_D, S_QNAN, 0, 0, 0x020, 0),
};

/*
 * Every case in every rounding mode, on the soft path, then on the public
 * path with fflags clear and with NX already accrued (which lets the host
 * fast path run; the expected flags are then the case's plus NX).
 */
static void run_cases(const struct tc *t, size_t n)
{
    size_t i;
    unsigned rm;
    int path, pre;
    fesetround(FE_TONEAREST);
    for (i = 0; i < n; i++) {
        for (rm = 0; rm < 5; rm++) {
            for (path = 0; path < 2; path++) {
                for (pre = 0; pre < 2; pre++) {
                    uint32_t fl = pre ? NX : 0;
                    uint32_t want_fl = t[i].f[rm] | fl;
                    uint64_t r;
                    if (path == 0 && pre)
                        continue;
                    r = call(t[i].op, path, t[i].a, t[i].b, t[i].c, rm, &fl);
                    if (r != t[i].r[rm] || fl != want_fl)
                        fail("line %d: %s(%#llx, %#llx, %#llx) %s %s%s: got %#llx [%s], want %#llx [%s]",
                             t[i].line, op_name[t[i].op], (unsigned long long)t[i].a,
                             (unsigned long long)t[i].b, (unsigned long long)t[i].c, rm_name[rm],
                             path ? "public" : "soft", pre ? " NX-preset" : "",
                             (unsigned long long)r, flag_str(fl),
                             (unsigned long long)t[i].r[rm], flag_str(want_fl));
                }
            }
        }
    }
}

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

static void fpu_hand_add(void) { run_cases(add_cases, NCASES(add_cases)); }
static void fpu_hand_mul(void) { run_cases(mul_cases, NCASES(mul_cases)); }
static void fpu_hand_div(void) { run_cases(div_cases, NCASES(div_cases)); }
static void fpu_hand_sqrt(void) { run_cases(sqrt_cases, NCASES(sqrt_cases)); }
static void fpu_hand_fma(void) { run_cases(fma_cases, NCASES(fma_cases)); }
static void fpu_hand_cvt_int(void) { run_cases(cvt_int_cases, NCASES(cvt_int_cases)); }
static void fpu_hand_cvt_fp(void) { run_cases(cvt_fp_cases, NCASES(cvt_fp_cases)); }
static void fpu_hand_minmax(void) { run_cases(minmax_cases, NCASES(minmax_cases)); }
static void fpu_hand_compare(void) { run_cases(compare_cases, NCASES(compare_cases)); }
static void fpu_hand_class(void) { run_cases(class_cases, NCASES(class_cases)); }

/* The flags only ever accumulate: nothing already set is cleared. */
static void fpu_hand_accrue(void)
{
    uint32_t fl = NV | DZ | OF | UF | NX;
    CHECK(fpu_soft_add_s(S_ONE, S_ONE, FPU_RNE, &fl) == S_TWO && fl == (NV | DZ | OF | UF | NX));
    fl = DZ;
    CHECK(fpu_soft_div_s(S_ONE, S_THREE, FPU_RNE, &fl) == 0x3eaaaaab && fl == (DZ | NX));
    fl = DZ;
    CHECK(fpu_add_d(D_ONE, D_ONE, FPU_RNE, &fl) == D_TWO && fl == DZ);
    fl = UF;
    CHECK(fpu_cvt_w_s(S_QNAN, FPU_RTZ, &fl) == 0x7fffffff && fl == (UF | NV));
}

/* ---- Random operands ------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static unsigned rndn(unsigned n) { return (unsigned)(rnd() % n); }

struct fi {
    int m;           /* fraction bits */
    int ebits;
    int bias;
    int emax;        /* all-ones exponent */
};

static const struct fi FI_S = { 23, 8, 127, 255 }, FI_D = { 52, 11, 1023, 2047 };

static uint64_t fi_mask(const struct fi *f) { return (UINT64_C(1) << f->m) - 1; }

static uint64_t mk(const struct fi *f, int sign, long e, uint64_t frac)
{
    if (e < 0)
        e = 0;
    if (e > f->emax)
        e = f->emax;
    return (uint64_t)sign << (f->m + f->ebits) | (uint64_t)e << f->m | (frac & fi_mask(f));
}

static long exp_of(const struct fi *f, uint64_t x) { return (long)(x >> f->m) & f->emax; }

/* Fractions with structure: runs of ones and zeros (carries and ties),
 * single bits, all ones, and plain random ones. */
static uint64_t rnd_frac(const struct fi *f)
{
    uint64_t x = 0;
    int pos, len, bit;
    switch (rndn(10)) {
    case 0: return 0;
    case 1: return fi_mask(f);
    case 2: return UINT64_C(1) << rndn((unsigned)f->m);
    case 3: return fi_mask(f) ^ (UINT64_C(1) << rndn((unsigned)f->m));
    case 4: return rnd() & ((UINT64_C(1) << rndn((unsigned)f->m)) - 1);
    case 5: return (rnd() & fi_mask(f)) >> rndn((unsigned)f->m) << rndn((unsigned)f->m);
    case 6:
    case 7:
        bit = (int)rndn(2);
        for (pos = f->m; pos > 0; pos -= len) {
            len = 1 + (int)rndn(pos < 12 ? (unsigned)pos : 12u);
            if (len > pos)
                len = pos;
            x <<= len;
            if (bit)
                x |= (UINT64_C(1) << len) - 1;
            bit ^= 1;
        }
        return x;
    default:
        return rnd() & fi_mask(f);
    }
}

static long rnd_exp(const struct fi *f)
{
    switch (rndn(12)) {
    case 0: return 0;
    case 1: return 1 + (long)rndn(3);
    case 2: return f->emax - 1 - (long)rndn(3);
    case 3: case 4: case 5: return f->bias - 32 + (long)rndn(64);
    default: return 1 + (long)rndn((unsigned)f->emax - 1);
    }
}

static uint64_t special(const struct fi *f)
{
    int s = (int)rndn(2);
    switch (rndn(12)) {
    case 0: return mk(f, s, 0, 0);
    case 1: return mk(f, s, 0, 1);
    case 2: return mk(f, s, 0, fi_mask(f));
    case 3: return mk(f, s, 1, 0);
    case 4: return mk(f, s, f->emax - 1, fi_mask(f));
    case 5: return mk(f, s, f->bias, 0);
    case 6: return mk(f, s, f->emax, 0);
    case 7: return mk(f, s, f->emax, UINT64_C(1) << (f->m - 1));
    case 8: return mk(f, s, f->emax, 1 + (rnd() & (fi_mask(f) >> 2)));     /* signalling */
    case 9: return mk(f, s, f->emax, (UINT64_C(1) << (f->m - 1)) | rnd());  /* quiet, payload */
    case 10: return mk(f, s, f->bias + f->m, 1);
    default: return mk(f, s, f->bias - 1, fi_mask(f));
    }
}

static uint64_t gen(const struct fi *f)
{
    if (rndn(10) == 0)
        return special(f);
    return mk(f, (int)rndn(2), rnd_exp(f), rnd_frac(f));
}

/* An operand whose exponent is about target (clamped to finite). */
static uint64_t gen_exp(const struct fi *f, long target)
{
    if (target < 0)
        target = 0;
    if (target > f->emax - 1)
        target = f->emax - 1;
    return mk(f, (int)rndn(2), target, rnd_frac(f));
}

/* A biased exponent that a result should land near: the subnormal range,
 * the edges of the normal range, or around 1. */
static long rnd_target(const struct fi *f)
{
    switch (rndn(5)) {
    case 0: return -(long)rndn((unsigned)f->m + 3);
    case 1: return 1 - 2 + (long)rndn(4);
    case 2: return f->emax - 3 + (long)rndn(4);
    default: return f->bias - 2 + (long)rndn(4);
    }
}

static long spread(int n) { return (long)rndn(2u * (unsigned)n + 1) - n; }

/* Operands for one random case of op. */
static void gen_case(int op, uint64_t *a, uint64_t *b, uint64_t *c)
{
    const struct fi *f = op_is_d_input(op) ? &FI_D : &FI_S;
    long ea, t;
    *a = gen(f);
    *b = gen(f);
    *c = gen(f);
    ea = exp_of(f, *a);
    switch (op) {
    case ADD_S: case SUB_S: case ADD_D: case SUB_D:
        switch (rndn(4)) {
        case 0: break;
        case 1: *b = gen_exp(f, ea + spread(f->m + 4)); break;
        case 2: /* near cancellation */
            *b = (*a & ~(fi_mask(f) & 0xff)) | (rnd() & 0xff & fi_mask(f));
            break;
        default: *b = gen_exp(f, ea + spread(3)); break;
        }
        break;
    case MUL_S: case MUL_D: case FMADD_S: case FMSUB_S: case FNMSUB_S: case FNMADD_S:
    case FMADD_D: case FMSUB_D: case FNMSUB_D: case FNMADD_D:
        if (rndn(3))
            *b = gen_exp(f, rnd_target(f) - ea + f->bias + spread(1));
        break;
    case DIV_S: case DIV_D:
        if (rndn(3))
            *b = gen_exp(f, ea + f->bias - rnd_target(f) + spread(1));
        break;
    case SQRT_S: case SQRT_D:
        if (rndn(2))
            *a &= ~(UINT64_C(1) << (f->m + f->ebits));
        break;
    case MIN_S: case MAX_S: case MIN_D: case MAX_D:
    case EQ_S: case LT_S: case LE_S: case EQ_D: case LT_D: case LE_D:
        switch (rndn(4)) {
        case 0: *b = *a; break;
        case 1: *b = *a ^ (UINT64_C(1) << (f->m + f->ebits)); break;
        case 2: *b = *a + rndn(3) - 1; break;
        default: break;
        }
        break;
    case CVT_W_S: case CVT_WU_S: case CVT_L_S: case CVT_LU_S:
    case CVT_W_D: case CVT_WU_D: case CVT_L_D: case CVT_LU_D:
        if (rndn(4)) {
            /* around 1 .. 2^65: the integer range edges and half-way cases */
            *a = gen_exp(f, f->bias - 2 + (long)rndn(68));
            if (rndn(3) == 0) {
                long e = exp_of(f, *a) - f->bias;   /* bits below the binary point */
                long lo = f->m - e;
                if (lo >= 1 && lo <= f->m)
                    *a = (*a & ~((UINT64_C(1) << lo) - 1)) | UINT64_C(1) << (lo - 1);
            }
        }
        break;
    case CVT_S_D:
        if (rndn(3)) {
            static const long targets[] = { 1023 - 150, 1023 - 149, 1023 - 140, 1023 - 127,
                                            1023 - 126, 1023 + 127, 1023 + 128, 1023 };
            *a = gen_exp(f, targets[rndn(8)] + spread(2));
        }
        if (rndn(4) == 0)   /* a tie at 24 bits */
            *a = (*a & ~UINT64_C(0x1fffffff)) | UINT64_C(0x10000000);
        break;
    default:
        break;
    }
    if ((op >= FMADD_S && op <= FNMADD_S) || (op >= FMADD_D && op <= FNMADD_D)) {
        /* The addend: anything, about the product's size, or the rounded
         * product itself give or take a few ulps (massive cancellation). */
        long ep = exp_of(f, *a) + exp_of(f, *b) - f->bias;
        uint32_t fl = 0;
        switch (rndn(3)) {
        case 0: break;
        case 1: *c = gen_exp(f, ep + spread(f->m + 3)); break;
        default:
            t = (long)rndn(7) - 3;
            *c = (f == &FI_S ? fpu_soft_mul_s((uint32_t)*a, (uint32_t)*b, FPU_RNE, &fl)
                             : fpu_soft_mul_d(*a, *b, FPU_RNE, &fl)) + (uint64_t)t;
            if (rndn(2))
                *c ^= UINT64_C(1) << (f->m + f->ebits);
            break;
        }
    }
}

/* Integer operands: random widths, few or many bits, near powers of two. */
static uint64_t gen_int(void)
{
    uint64_t v;
    int w = 1 + (int)rndn(64);
    switch (rndn(4)) {
    case 0: v = rnd() >> (64 - w); break;
    case 1: v = (UINT64_C(1) << (w - 1)) | (rnd() & 0xff); break;
    case 2: v = (UINT64_C(1) << (w - 1)) | (UINT64_C(1) << rndn((unsigned)w)); break;
    default: v = (UINT64_C(1) << (w - 1)) - rndn(4); break;
    }
    if (rndn(2))
        v = 0 - v;
    return v;
}

/* ---- The host oracle ------------------------------------------------------ */

static const int host_mode[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD };

static float f32(uint64_t v) { float f; uint32_t u = (uint32_t)v; memcpy(&f, &u, 4); return f; }
static double f64(uint64_t v) { double f; memcpy(&f, &v, 8); return f; }
static uint64_t b32(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static uint64_t b64(double f) { uint64_t u; memcpy(&u, &f, 8); return u; }

static uint32_t host_flags(void)
{
    int e = fetestexcept(FE_ALL_EXCEPT);
    return (e & FE_INVALID ? NV : 0) | (e & FE_DIVBYZERO ? DZ : 0) | (e & FE_OVERFLOW ? OF : 0) |
           (e & FE_UNDERFLOW ? UF : 0) | (e & FE_INEXACT ? NX : 0);
}

static int is_snan_bits(uint64_t x, int dbl)
{
    if (dbl)
        return (x & UINT64_C(0x7ff8000000000000)) == UINT64_C(0x7ff0000000000000) &&
               (x & UINT64_C(0x000fffffffffffff));
    return (x & 0x7fc00000u) == 0x7f800000u && (x & 0x007fffffu);
}

/*
 * x86 compilers do not reliably emit a signalling comparison for < and
 * <= (GCC uses ucomiss in some versions), so the flag comes from comiss
 * itself there; the result from the C comparison either way.
 */
static void host_signalling_compare(double x, double y)
{
#if defined(__x86_64__) && defined(__GNUC__)
    __asm__ volatile("comisd %1, %0" : : "x"(x), "x"(y) : "cc");
#else
    volatile int r = x < y;
    (void)r;
#endif
}

struct want {
    uint64_t r;
    int nan;          /* any NaN is right (we then require the canonical one) */
    uint32_t fl;
};

/* The exact value to x in a format wide enough for every midpoint of the
 * result format, with whether the host computed it exactly. */
static int host_wide(int op, uint64_t a, uint64_t b, uint64_t c, long double *x)
{
    int d = op_is_d_input(op);
    volatile long double r = 0;
    feclearexcept(FE_ALL_EXCEPT);
    if (!d) {
        volatile double xa = f32(a), xb = f32(b), xc = f32(c), rd = 0;
        switch (op) {
        case ADD_S: rd = xa + xb; break;
        case SUB_S: rd = xa - xb; break;
        case MUL_S: rd = xa * xb; break;
        case DIV_S: rd = xa / xb; break;
        case SQRT_S: rd = sqrt(xa); break;
        case FMADD_S: rd = fma(xa, xb, xc); break;
        case FMSUB_S: rd = fma(xa, xb, -xc); break;
        case FNMSUB_S: rd = fma(-xa, xb, xc); break;
        case FNMADD_S: rd = fma(-xa, xb, -xc); break;
        }
        r = rd;
    } else {
        volatile long double xa = f64(a), xb = f64(b), xc = f64(c);
        switch (op) {
        case ADD_D: r = xa + xb; break;
        case SUB_D: r = xa - xb; break;
        case MUL_D: r = xa * xb; break;
        case DIV_D: r = xa / xb; break;
        case SQRT_D: r = sqrtl(xa); break;
        case FMADD_D: r = fmal(xa, xb, xc); break;
        case FMSUB_D: r = fmal(xa, xb, -xc); break;
        case FNMSUB_D: r = fmal(-xa, xb, xc); break;
        case FNMADD_D: r = fmal(-xa, xb, -xc); break;
        case CVT_S_D: r = f64(a); break;
        }
    }
    *x = r;
    return !fetestexcept(FE_INEXACT);
}

/*
 * Whether the exact value x lies halfway between two neighbours of the
 * result format; then *away is the one farther from zero. The neighbours
 * come from the host's directed roundings; past the largest finite number
 * the missing neighbour is 2^(emax+1), which rounds to infinity.
 */
static int host_tie(long double x, int dbl, uint64_t *away)
{
    long double lo, hi, big = dbl ? ldexpl(1, 1024) : ldexpl(1, 128);
    volatile long double vx = x;
    uint64_t blo, bhi;
    if (isnan(x) || isinf(x))
        return 0;
    if (dbl) {
        volatile double l, h;
        fesetround(FE_DOWNWARD); l = (double)vx;
        fesetround(FE_UPWARD); h = (double)vx;
        fesetround(FE_TONEAREST);
        lo = l; hi = h; blo = b64(l); bhi = b64(h);
    } else {
        volatile float l, h;
        fesetround(FE_DOWNWARD); l = (float)vx;
        fesetround(FE_UPWARD); h = (float)vx;
        fesetround(FE_TONEAREST);
        lo = l; hi = h; blo = b32(l); bhi = b32(h);
    }
    if (lo == hi)
        return 0;
    if (isinf(lo)) lo = -big;
    if (isinf(hi)) hi = big;
    if (x * 2 != lo + hi)
        return 0;
    *away = fabsl(lo) > fabsl(hi) ? blo : bhi;
    return 1;
}

/* Host result in the current host rounding mode (rm < 4), or for float
 * to integer conversions in any mode including RMM. */
static struct want host_eval(int op, uint64_t a, uint64_t b, uint64_t c, unsigned rm)
{
    struct want w = { 0, 0, 0 };
    volatile float xs = f32(a), ys = f32(b), zs = f32(c), rs = 0;
    volatile double xd = f64(a), yd = f64(b), zd = f64(c), rd = 0;
    volatile int ri = 0;
    int is_d = result_is_d(op);
    feclearexcept(FE_ALL_EXCEPT);
    switch (op) {
    case ADD_S: rs = xs + ys; break;
    case SUB_S: rs = xs - ys; break;
    case MUL_S: rs = xs * ys; break;
    case DIV_S: rs = xs / ys; break;
    case SQRT_S: rs = sqrtf(xs); break;
    case FMADD_S: rs = fmaf(xs, ys, zs); break;
    case FMSUB_S: rs = fmaf(xs, ys, -zs); break;
    case FNMSUB_S: rs = fmaf(-xs, ys, zs); break;
    case FNMADD_S: rs = fmaf(-xs, ys, -zs); break;
    case ADD_D: rd = xd + yd; break;
    case SUB_D: rd = xd - yd; break;
    case MUL_D: rd = xd * yd; break;
    case DIV_D: rd = xd / yd; break;
    case SQRT_D: rd = sqrt(xd); break;
    case FMADD_D: rd = fma(xd, yd, zd); break;
    case FMSUB_D: rd = fma(xd, yd, -zd); break;
    case FNMSUB_D: rd = fma(-xd, yd, zd); break;
    case FNMADD_D: rd = fma(-xd, yd, -zd); break;
    case EQ_S: ri = xs == ys; break;
    case LT_S: ri = xs < ys; host_signalling_compare(xs, ys); break;
    case LE_S: ri = xs <= ys; host_signalling_compare(xs, ys); break;
    case EQ_D: ri = xd == yd; break;
    case LT_D: ri = xd < yd; host_signalling_compare(xd, yd); break;
    case LE_D: ri = xd <= yd; host_signalling_compare(xd, yd); break;
    case CVT_S_W: rs = (float)(int32_t)(uint32_t)a; break;
    case CVT_S_WU: rs = (float)(uint32_t)a; break;
    case CVT_S_L: rs = (float)(int64_t)a; break;
    case CVT_S_LU: rs = (float)a; break;
    case CVT_D_W: rd = (double)(int32_t)(uint32_t)a; break;
    case CVT_D_WU: rd = (double)(uint32_t)a; break;
    case CVT_D_L: rd = (double)(int64_t)a; break;
    case CVT_D_LU: rd = (double)a; break;
    case CVT_S_D: rs = (float)xd; break;
    case CVT_D_S: rd = (double)xs; break;
    default: {
        /* Float to integer: the host rounds to an integral value in the
         * mode; the saturation and its flags are the spec's table 11.4. */
        int src_d = op_is_d_input(op);
        int sgn = op == CVT_W_S || op == CVT_L_S || op == CVT_W_D || op == CVT_L_D;
        int bits = (op == CVT_W_S || op == CVT_WU_S || op == CVT_W_D || op == CVT_WU_D) ? 32 : 64;
        double x = src_d ? f64(a) : (double)f32(a), r, top = ldexp(1, sgn ? bits - 1 : bits);
        uint64_t max = sgn ? (UINT64_C(1) << (bits - 1)) - 1
                           : (bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1);
        uint64_t min = sgn ? 0 - (UINT64_C(1) << (bits - 1)) : 0, v;
        if (isnan(x)) {
            v = max;
            w.fl = NV;
        } else {
            r = rm == FPU_RMM ? round(x) : nearbyint(x);
            if (r >= top) {
                v = max;
                w.fl = NV;
            } else if (sgn ? r < -top : r < 0) {
                v = min;
                w.fl = NV;
            } else {
                v = r < 0 ? 0 - (uint64_t)-r : (uint64_t)r;
                w.fl = r != x ? NX : 0;
            }
        }
        if (bits == 32)
            v = (uint64_t)(int64_t)(int32_t)(uint32_t)v;
        w.r = v;
        return w;
    }
    }
    w.fl = host_flags();
    if ((op >= FMADD_S && op <= FNMADD_S) || (op >= FMADD_D && op <= FNMADD_D)) {
        /* IEEE 754 leaves NV for inf * 0 + qNaN to the implementation (x86
         * does not raise it); RISC-V requires it. */
        int d = op >= FMADD_D;
        double x = d ? xd : xs, y = d ? yd : ys;
        if ((isinf(x) && y == 0) || (x == 0 && isinf(y)))
            w.fl |= NV;
    }
    if (op >= EQ_S && op <= LE_D) {
        w.r = (uint64_t)ri;
    } else if (is_d) {
        w.r = b64(rd);
        w.nan = isnan(rd);
    } else {
        w.r = b32(rs);
        w.nan = isnan(rs);
    }
    return w;
}

/* RMM has no host mode: away from ties it is RNE, and ties are found
 * exactly (see host_wide and host_tie). */
static struct want host_eval_rmm(int op, uint64_t a, uint64_t b, uint64_t c)
{
    struct want w;
    long double x;
    uint64_t away;
    int dbl = result_is_d(op), exact;
    fesetround(FE_TONEAREST);
    w = host_eval(op, a, b, c, FPU_RNE);
    if (op >= CVT_W_S && op <= CVT_LU_D)
        return host_eval(op, a, b, c, FPU_RMM);
    if (w.nan || (w.fl & NX) == 0)
        return w;
    if (op >= CVT_S_W && op <= CVT_D_LU) {
        int sgn = op == CVT_S_W || op == CVT_S_L || op == CVT_D_W || op == CVT_D_L;
        int w32 = op == CVT_S_W || op == CVT_S_WU || op == CVT_D_W || op == CVT_D_WU;
        if (w32)
            x = sgn ? (long double)(int32_t)(uint32_t)a : (long double)(uint32_t)a;
        else
            x = sgn ? (long double)(int64_t)a : (long double)a;
        exact = 1;
    } else {
        exact = host_wide(op, a, b, c, &x);
    }
    if (exact && host_tie(x, dbl, &away)) {
        int inf = dbl ? isinf(f64(away)) : isinf(f32(away));
        long double minn = dbl ? ldexpl(1, -1022) : ldexpl(1, -126);
        w.r = away;
        w.fl = NX | (inf ? OF : 0) | (fabsl(x) < minn ? UF : 0);
    }
    return w;
}

/* min/max and fclass: no host operation has RISC-V's semantics, so the
 * expectation is the spec's text applied with host classification. */
static struct want spec_minmax(int op, uint64_t a, uint64_t b)
{
    struct want w = { 0, 0, 0 };
    int dbl = op == MIN_D || op == MAX_D, want_max = op == MAX_S || op == MAX_D;
    double x = dbl ? f64(a) : f32(a), y = dbl ? f64(b) : f32(b);
    if (is_snan_bits(a, dbl) || is_snan_bits(b, dbl))
        w.fl = NV;
    if (isnan(x) && isnan(y)) {
        w.nan = 1;
        w.r = dbl ? D_QNAN : S_QNAN;
    } else if (isnan(x)) {
        w.r = b;
    } else if (isnan(y)) {
        w.r = a;
    } else if (isless(x, y)) {
        w.r = want_max ? b : a;
    } else if (isless(y, x)) {
        w.r = want_max ? a : b;
    } else if (signbit(x) != signbit(y)) {
        w.r = (signbit(x) != 0) == want_max ? b : a;
    } else {
        w.r = a;
    }
    return w;
}

static struct want spec_class(int op, uint64_t a)
{
    struct want w = { 0, 0, 0 };
    int dbl = op == CLASS_D;
    float xs = f32(a);
    double xd = f64(a);
    int neg = dbl ? signbit(xd) != 0 : signbit(xs) != 0;
    switch (dbl ? fpclassify(xd) : fpclassify(xs)) {
    case FP_INFINITE: w.r = neg ? 0x001 : 0x080; break;
    case FP_NORMAL: w.r = neg ? 0x002 : 0x040; break;
    case FP_SUBNORMAL: w.r = neg ? 0x004 : 0x020; break;
    case FP_ZERO: w.r = neg ? 0x008 : 0x010; break;
    default: w.r = is_snan_bits(a, dbl) ? 0x100 : 0x200; break;
    }
    return w;
}

/* Finding a binary64 tie for RMM needs a host format that holds every
 * binary64 midpoint (54 bits) and every int64 (64 bits): long double on
 * x86-64 (80-bit) and on AArch64 and s390x (binary128). */
static int rmm_needs_wide(int op)
{
    return (op >= ADD_D && op <= FNMADD_D) || (op >= CVT_S_W && op <= CVT_D_LU);
}

static int test_n(void)
{
    const char *s = getenv("FPU_TEST_N");
    int n = s ? atoi(s) : 20000;
    return n > 0 ? n : 20000;
}

static uint64_t test_seed(void)
{
    const char *s = getenv("FPU_TEST_SEED");
    return s ? strtoull(s, NULL, 0) : UINT64_C(0x6d61747279736b61);
}

static int check_against(int op, unsigned rm, uint64_t a, uint64_t b, uint64_t c, struct want w)
{
    uint32_t fl = 0;
    uint64_t r = call(op, 0, a, b, c, rm, &fl);
    uint64_t canon = result_is_d(op) ? D_QNAN : S_QNAN;
    int ok = w.nan ? r == canon : r == w.r;
    if (op >= MIN_S && op <= CLASS_D)
        ok = ok && fl == w.fl;
    else
        ok = ok && (fl & HOST_FLAG_MASK) == (w.fl & HOST_FLAG_MASK);
    if (!ok)
        fail("%s(%#llx, %#llx, %#llx) %s: got %#llx [%s], want %s%#llx [%s]", op_name[op],
             (unsigned long long)a, (unsigned long long)b, (unsigned long long)c, rm_name[rm],
             (unsigned long long)r, flag_str(fl), w.nan ? "NaN " : "",
             (unsigned long long)(w.nan ? canon : w.r), flag_str(w.fl));
    return ok;
}

/* Soft path against the host, every rounding mode, n cases per op. */
static void random_op(int op, int n, int with_rmm)
{
    uint64_t (*ops)[3] = malloc(sizeof(*ops) * (size_t)n);
    int i;
    unsigned rm;
    if (!ops) {
        fail("out of memory");
        return;
    }
    for (i = 0; i < n; i++) {
        if (op >= CVT_S_W && op <= CVT_D_LU) {
            ops[i][0] = gen_int();
            ops[i][1] = ops[i][2] = 0;
        } else {
            gen_case(op, &ops[i][0], &ops[i][1], &ops[i][2]);
        }
    }
    for (rm = 0; rm < (with_rmm ? 5u : 4u); rm++) {
        if (rm < 4)
            fesetround(host_mode[rm]);
        for (i = 0; i < n; i++) {
            uint64_t a = ops[i][0], b = ops[i][1], c = ops[i][2];
            struct want w;
            if (op >= MIN_S && op <= MAX_D)
                w = spec_minmax(op, a, b);
            else if (op == CLASS_S || op == CLASS_D)
                w = spec_class(op, a);
            else if (rm < 4)
                w = host_eval(op, a, b, c, rm);
            else
                w = host_eval_rmm(op, a, b, c);
            if (!check_against(op, rm, a, b, c, w) && fail_count > 8)
                break;
        }
    }
    fesetround(FE_TONEAREST);
    free(ops);
}

static void run_random(int op)
{
    static char name[64];
    snprintf(name, sizeof(name), "fpu_random_%s", op_name[op]);
    check_name = name;
    check_failed = 0;
    if (rmm_needs_wide(op) && LDBL_MANT_DIG < 64) {
        printf("SKIP unit/%s_rmm: long double has %d bits, too few to find ties for RMM\n",
               name, LDBL_MANT_DIG);
        random_op(op, test_n(), 0);
    } else {
        random_op(op, test_n(), 1);
    }
    if (!check_failed)
        printf("PASS unit/%s\n", name);
    else
        check_total_failed = 1;
    fflush(stdout);
}

/* ---- Fast path against soft path ------------------------------------------ */

/* Compares the public path with the soft path on random operands. */
static void fast_vs_soft(int op, int n)
{
    int i;
    for (i = 0; i < n; i++) {
        uint64_t a, b, c;
        /* Mostly what the fast path takes: RNE with NX accrued. */
        unsigned rm = rndn(8) == 0 ? rndn(5) : FPU_RNE;
        uint32_t pre = rndn(8) == 0 ? (uint32_t)rndn(32) : NX | (uint32_t)rndn(32);
        uint32_t f_soft = pre, f_pub = pre;
        uint64_t r_soft, r_pub;
        if (op == CVT_D_W || op == CVT_D_WU) {
            a = gen_int();
            b = c = 0;
        } else {
            gen_case(op, &a, &b, &c);
        }
        r_soft = call(op, 0, a, b, c, rm, &f_soft);
        r_pub = call(op, 1, a, b, c, rm, &f_pub);
        if (r_soft != r_pub || f_soft != f_pub) {
            fail("%s(%#llx, %#llx, %#llx) %s, flags before [%s]: fast %#llx [%s], soft %#llx [%s]",
                 op_name[op], (unsigned long long)a, (unsigned long long)b, (unsigned long long)c,
                 rm_name[rm], flag_str(pre), (unsigned long long)r_pub, flag_str(f_pub),
                 (unsigned long long)r_soft, flag_str(f_soft));
            if (fail_count > 8)
                break;
        }
    }
}

static void run_fast(int op)
{
    static char name[64];
    snprintf(name, sizeof(name), "fpu_fast_%s", op_name[op]);
    check_name = name;
    check_failed = 0;
    if (!FPU_HARDFLOAT) {
        printf("SKIP unit/%s: the host fast path is not compiled in on this host\n", name);
        return;
    }
    fesetround(FE_TONEAREST);
    fast_vs_soft(op, test_n());
    if (!check_failed)
        printf("PASS unit/%s\n", name);
    else
        check_total_failed = 1;
    fflush(stdout);
}

/*
 * The fast path must stay exact even if something in the process turned
 * on the host's flush-to-zero and denormals-are-zero modes (as -ffast-math
 * start-up code does): it never hands subnormals to the host and never
 * accepts a result at or below the smallest normal.
 */
static void fpu_fast_daz_ftz(void)
{
#if HAVE_MXCSR
    unsigned saved = _mm_getcsr();
    int op;
    _mm_setcsr(saved | 0x8040);   /* FTZ (bit 15) and DAZ (bit 6) */
    for (op = 0; op < NOPS; op++)
        if (has_fast_path(op))
            fast_vs_soft(op, test_n() / 4);
    _mm_setcsr(saved);
#endif
}

int main(void)
{
    int op;
    rng_state = test_seed();
    RUN(fpu_hand_add);
    RUN(fpu_hand_mul);
    RUN(fpu_hand_div);
    RUN(fpu_hand_sqrt);
    RUN(fpu_hand_fma);
    RUN(fpu_hand_cvt_int);
    RUN(fpu_hand_cvt_fp);
    RUN(fpu_hand_minmax);
    RUN(fpu_hand_compare);
    RUN(fpu_hand_class);
    RUN(fpu_hand_accrue);
    fflush(stdout);
    for (op = 0; op < NOPS; op++)
        run_random(op);
    for (op = 0; op < NOPS; op++)
        if (has_fast_path(op))
            run_fast(op);
    if (!FPU_HARDFLOAT || !HAVE_MXCSR)
        printf("SKIP unit/fpu_fast_daz_ftz: needs the fast path and x86 MXCSR\n");
    else
        RUN(fpu_fast_daz_ftz);
    return check_total_failed;
}
