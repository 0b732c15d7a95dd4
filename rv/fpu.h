/*
 * fpu.h — IEEE 754 binary32/binary64 arithmetic for the RISC-V F and D
 * extensions, bit-exact (results and fflags) on every host.
 *
 * Values are raw IEEE bit patterns; single-precision values are the
 * unboxed low 32 bits (the caller does NaN-boxing). rm is a resolved
 * rounding mode FPU_RNE..FPU_RMM (the frm encoding). fl points at the
 * accrued fflags, to which each operation ORs RV_FFLAGS_NV|DZ|OF|UF|NX.
 * RISC-V choices (Unprivileged ISA 20191213, chapters 11 and 12):
 *   - tininess is detected after rounding;
 *   - every NaN result is the canonical NaN (FPU_QNAN_S / FPU_QNAN_D),
 *     payloads never propagate; a signalling NaN operand raises NV;
 *   - fmin/fmax are IEEE 754-2019 minimumNumber/maximumNumber (-0 < +0);
 *   - float-to-integer conversions saturate and raise NV (never NX too).
 *
 * Two paths compute the same thing:
 *   fpu_soft_*  (fpu.c) the reference: integer arithmetic on the bit
 *               patterns, identical on every host and compiler;
 *   fpu_*       (here) static inline wrappers that use the host's float
 *               and double only where the host result is provably the
 *               correctly rounded one and no flag other than an already
 *               accrued NX can arise; everything else goes to fpu_soft_*.
 * The proof, for one IEEE operation in round-to-nearest-even:
 *   - NX is already set, so whether this one is inexact does not matter;
 *   - no operand is subnormal, so the host's denormals-are-zero mode (if
 *     anyone set it) cannot change the inputs;
 *   - the result is finite and strictly above the smallest normal in
 *     magnitude, so it did not overflow (no OF), was not tiny before or
 *     after rounding (no UF; flush-to-zero cannot apply), is not a NaN
 *     (no NV) and is not an infinity from a division by zero (no DZ).
 * The wrappers also assume the host rounds to nearest-even, C's default:
 * the monitor never calls fesetround. They are compiled in only where
 * double is evaluated as double (FLT_EVAL_METHOD 0 or 1: not x87) and
 * without -ffast-math; define FPU_NO_HARDFLOAT to force the soft path.
 * FLT_EVAL_METHOD 1 (s390x in ISO C mode) evaluates float operations in
 * double and rounds to float on conversion: for + - * / and sqrt that
 * double rounding is harmless because 53 >= 2 * 24 + 2 (Figueroa, 1995),
 * and fmaf is a library call that rounds once.
 */
#ifndef MVM_RV_FPU_H
#define MVM_RV_FPU_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "rv/rv.h"

/* Rounding modes, as encoded in the rm field and frm. */
enum fpu_rm {
    FPU_RNE = 0,   /* to nearest, ties to even */
    FPU_RTZ = 1,   /* toward zero */
    FPU_RDN = 2,   /* down, toward -inf */
    FPU_RUP = 3,   /* up, toward +inf */
    FPU_RMM = 4,   /* to nearest, ties away from zero */
};

#define FPU_QNAN_S UINT32_C(0x7fc00000)
#define FPU_QNAN_D UINT64_C(0x7ff8000000000000)

/* fclass result bits. */
#define FPU_CLASS_NEG_INF  0x001u
#define FPU_CLASS_NEG_NORM 0x002u
#define FPU_CLASS_NEG_SUB  0x004u
#define FPU_CLASS_NEG_ZERO 0x008u
#define FPU_CLASS_POS_ZERO 0x010u
#define FPU_CLASS_POS_SUB  0x020u
#define FPU_CLASS_POS_NORM 0x040u
#define FPU_CLASS_POS_INF  0x080u
#define FPU_CLASS_SNAN     0x100u
#define FPU_CLASS_QNAN     0x200u

/* The soft reference for every operation that has a host fast path. */
uint32_t fpu_soft_add_s(uint32_t a, uint32_t b, unsigned rm, uint32_t *fl);
uint32_t fpu_soft_sub_s(uint32_t a, uint32_t b, unsigned rm, uint32_t *fl);
uint32_t fpu_soft_mul_s(uint32_t a, uint32_t b, unsigned rm, uint32_t *fl);
uint32_t fpu_soft_div_s(uint32_t a, uint32_t b, unsigned rm, uint32_t *fl);
uint32_t fpu_soft_sqrt_s(uint32_t a, unsigned rm, uint32_t *fl);
uint32_t fpu_soft_fmadd_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl);
uint32_t fpu_soft_fmsub_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl);
uint32_t fpu_soft_fnmsub_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl);
uint32_t fpu_soft_fnmadd_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl);
uint64_t fpu_soft_add_d(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl);
uint64_t fpu_soft_sub_d(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl);
uint64_t fpu_soft_mul_d(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl);
uint64_t fpu_soft_div_d(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl);
uint64_t fpu_soft_sqrt_d(uint64_t a, unsigned rm, uint32_t *fl);
uint64_t fpu_soft_fmadd_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl);
uint64_t fpu_soft_fmsub_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl);
uint64_t fpu_soft_fnmsub_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl);
uint64_t fpu_soft_fnmadd_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl);
uint32_t fpu_soft_cvt_s_d(uint64_t a, unsigned rm, uint32_t *fl);
uint64_t fpu_soft_cvt_d_w(int32_t v, unsigned rm, uint32_t *fl);
uint64_t fpu_soft_cvt_d_wu(uint32_t v, unsigned rm, uint32_t *fl);

/* Operations that are bit manipulation anyway: no separate fast path. */
uint32_t fpu_min_s(uint32_t a, uint32_t b, uint32_t *fl);
uint32_t fpu_max_s(uint32_t a, uint32_t b, uint32_t *fl);
uint64_t fpu_min_d(uint64_t a, uint64_t b, uint32_t *fl);
uint64_t fpu_max_d(uint64_t a, uint64_t b, uint32_t *fl);
/* feq raises NV only for a signalling NaN; flt and fle for any NaN. */
int fpu_eq_s(uint32_t a, uint32_t b, uint32_t *fl);
int fpu_lt_s(uint32_t a, uint32_t b, uint32_t *fl);
int fpu_le_s(uint32_t a, uint32_t b, uint32_t *fl);
int fpu_eq_d(uint64_t a, uint64_t b, uint32_t *fl);
int fpu_lt_d(uint64_t a, uint64_t b, uint32_t *fl);
int fpu_le_d(uint64_t a, uint64_t b, uint32_t *fl);
unsigned fpu_class_s(uint32_t a);
unsigned fpu_class_d(uint64_t a);

/*
 * Float to integer. The result is the value to write to the x register:
 * w and wu results are sign-extended from bit 31 (RV64 keeps 32-bit values
 * sign-extended, unsigned ones too), lu results are the 64-bit pattern.
 * Out of range and NaN saturate with NV: NaN and too large give the
 * maximum, too small (negative for the unsigned forms) the minimum.
 */
int64_t fpu_cvt_w_s(uint32_t a, unsigned rm, uint32_t *fl);
int64_t fpu_cvt_wu_s(uint32_t a, unsigned rm, uint32_t *fl);
int64_t fpu_cvt_l_s(uint32_t a, unsigned rm, uint32_t *fl);
int64_t fpu_cvt_lu_s(uint32_t a, unsigned rm, uint32_t *fl);
int64_t fpu_cvt_w_d(uint64_t a, unsigned rm, uint32_t *fl);
int64_t fpu_cvt_wu_d(uint64_t a, unsigned rm, uint32_t *fl);
int64_t fpu_cvt_l_d(uint64_t a, unsigned rm, uint32_t *fl);
int64_t fpu_cvt_lu_d(uint64_t a, unsigned rm, uint32_t *fl);

/* Integer to float; only NX can arise. */
uint32_t fpu_cvt_s_w(int32_t v, unsigned rm, uint32_t *fl);
uint32_t fpu_cvt_s_wu(uint32_t v, unsigned rm, uint32_t *fl);
uint32_t fpu_cvt_s_l(int64_t v, unsigned rm, uint32_t *fl);
uint32_t fpu_cvt_s_lu(uint64_t v, unsigned rm, uint32_t *fl);
uint64_t fpu_cvt_d_l(int64_t v, unsigned rm, uint32_t *fl);
uint64_t fpu_cvt_d_lu(uint64_t v, unsigned rm, uint32_t *fl);

/* binary32 to binary64 is exact; only a signalling NaN raises NV. */
uint64_t fpu_cvt_d_s(uint32_t a, uint32_t *fl);

#if !defined(FPU_NO_HARDFLOAT) && !defined(__FAST_MATH__) && defined(FLT_EVAL_METHOD) && \
    (FLT_EVAL_METHOD == 0 || FLT_EVAL_METHOD == 1) && FLT_RADIX == 2 && FLT_MANT_DIG == 24 && FLT_MAX_EXP == 128 && \
    DBL_MANT_DIG == 53 && DBL_MAX_EXP == 1024
#define FPU_HARDFLOAT 1
#else
#define FPU_HARDFLOAT 0
#endif

/* The host's fma is used only where it is known to be correctly rounded:
 * a hardware instruction (FP_FAST_FMA) or glibc's implementation. */
#if FPU_HARDFLOAT && (defined(FP_FAST_FMA) || defined(__GLIBC__))
#define FPU_HARDFLOAT_FMA 1
#else
#define FPU_HARDFLOAT_FMA 0
#endif
#if FPU_HARDFLOAT && (defined(FP_FAST_FMAF) || defined(__GLIBC__))
#define FPU_HARDFLOAT_FMAF 1
#else
#define FPU_HARDFLOAT_FMAF 0
#endif

#if FPU_HARDFLOAT

static inline float fpu_h_f32(uint32_t v) { float f; memcpy(&f, &v, 4); return f; }
static inline uint32_t fpu_h_b32(float f) { uint32_t v; memcpy(&v, &f, 4); return v; }
static inline double fpu_h_f64(uint64_t v) { double f; memcpy(&f, &v, 8); return f; }
static inline uint64_t fpu_h_b64(double f) { uint64_t v; memcpy(&v, &f, 8); return v; }

/* Round to nearest-even, and NX already accrued. */
static inline int fpu_h_mode_ok(unsigned rm, const uint32_t *fl)
{
    return rm == FPU_RNE && (*fl & RV_FFLAGS_NX);
}

/* Not a subnormal (zero, normal, infinity and NaN are fine: the last two
 * never give a result that passes fpu_h_res_*). */
static inline int fpu_h_in_s(uint32_t a)
{
    return (uint32_t)((a & 0x7fffffffu) - 1u) >= 0x007fffffu;
}

static inline int fpu_h_in_d(uint64_t a)
{
    return (uint64_t)((a & UINT64_C(0x7fffffffffffffff)) - 1u) >= UINT64_C(0x000fffffffffffff);
}

/* Finite and strictly above the smallest normal in magnitude. */
static inline int fpu_h_res_s(uint32_t r)
{
    return (uint32_t)((r & 0x7fffffffu) - 0x00800001u) < 0x7f7fffffu - 0x00800001u + 1u;
}

static inline int fpu_h_res_d(uint64_t r)
{
    return (uint64_t)((r & UINT64_C(0x7fffffffffffffff)) - UINT64_C(0x0010000000000001)) <
           UINT64_C(0x7fefffffffffffff) - UINT64_C(0x0010000000000001) + 1u;
}

/* One host operation per wrapper: nothing for the compiler to contract. */
#define FPU_H_BINOP(name, T, suf, op) \
    static inline T fpu_##name##_##suf(T a, T b, unsigned rm, uint32_t *fl) \
    { \
        if (fpu_h_mode_ok(rm, fl) && fpu_h_in_##suf(a) && fpu_h_in_##suf(b)) { \
            T r = FPU_H_BITS_##suf(FPU_H_VAL_##suf(a) op FPU_H_VAL_##suf(b)); \
            if (fpu_h_res_##suf(r)) \
                return r; \
        } \
        return fpu_soft_##name##_##suf(a, b, rm, fl); \
    }
#define FPU_H_VAL_s fpu_h_f32
#define FPU_H_BITS_s fpu_h_b32
#define FPU_H_VAL_d fpu_h_f64
#define FPU_H_BITS_d fpu_h_b64

FPU_H_BINOP(add, uint32_t, s, +)
FPU_H_BINOP(sub, uint32_t, s, -)
FPU_H_BINOP(mul, uint32_t, s, *)
FPU_H_BINOP(div, uint32_t, s, /)
FPU_H_BINOP(add, uint64_t, d, +)
FPU_H_BINOP(sub, uint64_t, d, -)
FPU_H_BINOP(mul, uint64_t, d, *)
FPU_H_BINOP(div, uint64_t, d, /)

/* The square root of a positive normal number is always normal. */
static inline uint32_t fpu_sqrt_s(uint32_t a, unsigned rm, uint32_t *fl)
{
    if (fpu_h_mode_ok(rm, fl) && a - 0x00800000u < 0x7f000000u)
        return fpu_h_b32(sqrtf(fpu_h_f32(a)));
    return fpu_soft_sqrt_s(a, rm, fl);
}

static inline uint64_t fpu_sqrt_d(uint64_t a, unsigned rm, uint32_t *fl)
{
    if (fpu_h_mode_ok(rm, fl) && a - UINT64_C(0x0010000000000000) < UINT64_C(0x7fe0000000000000))
        return fpu_h_b64(sqrt(fpu_h_f64(a)));
    return fpu_soft_sqrt_d(a, rm, fl);
}

/* Fused forms: negation is exact, so all four are one host fma. */
#define FPU_H_FMA(name, T, suf, ok, fn, na, nc) \
    static inline T fpu_##name##_##suf(T a, T b, T c, unsigned rm, uint32_t *fl) \
    { \
        if (ok && fpu_h_mode_ok(rm, fl) && fpu_h_in_##suf(a) && fpu_h_in_##suf(b) && \
            fpu_h_in_##suf(c)) { \
            T r = FPU_H_BITS_##suf(fn(na FPU_H_VAL_##suf(a), FPU_H_VAL_##suf(b), \
                                      nc FPU_H_VAL_##suf(c))); \
            if (fpu_h_res_##suf(r)) \
                return r; \
        } \
        return fpu_soft_##name##_##suf(a, b, c, rm, fl); \
    }

FPU_H_FMA(fmadd, uint32_t, s, FPU_HARDFLOAT_FMAF, fmaf, +, +)
FPU_H_FMA(fmsub, uint32_t, s, FPU_HARDFLOAT_FMAF, fmaf, +, -)
FPU_H_FMA(fnmsub, uint32_t, s, FPU_HARDFLOAT_FMAF, fmaf, -, +)
FPU_H_FMA(fnmadd, uint32_t, s, FPU_HARDFLOAT_FMAF, fmaf, -, -)
FPU_H_FMA(fmadd, uint64_t, d, FPU_HARDFLOAT_FMA, fma, +, +)
FPU_H_FMA(fmsub, uint64_t, d, FPU_HARDFLOAT_FMA, fma, +, -)
FPU_H_FMA(fnmsub, uint64_t, d, FPU_HARDFLOAT_FMA, fma, -, +)
FPU_H_FMA(fnmadd, uint64_t, d, FPU_HARDFLOAT_FMA, fma, -, -)

static inline uint32_t fpu_cvt_s_d(uint64_t a, unsigned rm, uint32_t *fl)
{
    if (fpu_h_mode_ok(rm, fl) && fpu_h_in_d(a)) {
        uint32_t r = fpu_h_b32((float)fpu_h_f64(a));
        if (fpu_h_res_s(r))
            return r;
    }
    return fpu_soft_cvt_s_d(a, rm, fl);
}

/* Every int32 and uint32 is a double: exact in any mode, no flag. */
static inline uint64_t fpu_cvt_d_w(int32_t v, unsigned rm, uint32_t *fl)
{
    (void)rm; (void)fl;
    return fpu_h_b64((double)v);
}

static inline uint64_t fpu_cvt_d_wu(uint32_t v, unsigned rm, uint32_t *fl)
{
    (void)rm; (void)fl;
    return fpu_h_b64((double)v);
}

#undef FPU_H_BINOP
#undef FPU_H_FMA

#else /* !FPU_HARDFLOAT */

#define FPU_SOFT_ONLY2(name, T) \
    static inline T fpu_##name(T a, T b, unsigned rm, uint32_t *fl) \
    { return fpu_soft_##name(a, b, rm, fl); }
#define FPU_SOFT_ONLY3(name, T) \
    static inline T fpu_##name(T a, T b, T c, unsigned rm, uint32_t *fl) \
    { return fpu_soft_##name(a, b, c, rm, fl); }
FPU_SOFT_ONLY2(add_s, uint32_t)
FPU_SOFT_ONLY2(sub_s, uint32_t)
FPU_SOFT_ONLY2(mul_s, uint32_t)
FPU_SOFT_ONLY2(div_s, uint32_t)
FPU_SOFT_ONLY2(add_d, uint64_t)
FPU_SOFT_ONLY2(sub_d, uint64_t)
FPU_SOFT_ONLY2(mul_d, uint64_t)
FPU_SOFT_ONLY2(div_d, uint64_t)
FPU_SOFT_ONLY3(fmadd_s, uint32_t)
FPU_SOFT_ONLY3(fmsub_s, uint32_t)
FPU_SOFT_ONLY3(fnmsub_s, uint32_t)
FPU_SOFT_ONLY3(fnmadd_s, uint32_t)
FPU_SOFT_ONLY3(fmadd_d, uint64_t)
FPU_SOFT_ONLY3(fmsub_d, uint64_t)
FPU_SOFT_ONLY3(fnmsub_d, uint64_t)
FPU_SOFT_ONLY3(fnmadd_d, uint64_t)
#undef FPU_SOFT_ONLY2
#undef FPU_SOFT_ONLY3

static inline uint32_t fpu_sqrt_s(uint32_t a, unsigned rm, uint32_t *fl)
{ return fpu_soft_sqrt_s(a, rm, fl); }
static inline uint64_t fpu_sqrt_d(uint64_t a, unsigned rm, uint32_t *fl)
{ return fpu_soft_sqrt_d(a, rm, fl); }
static inline uint32_t fpu_cvt_s_d(uint64_t a, unsigned rm, uint32_t *fl)
{ return fpu_soft_cvt_s_d(a, rm, fl); }
static inline uint64_t fpu_cvt_d_w(int32_t v, unsigned rm, uint32_t *fl)
{ return fpu_soft_cvt_d_w(v, rm, fl); }
static inline uint64_t fpu_cvt_d_wu(uint32_t v, unsigned rm, uint32_t *fl)
{ return fpu_soft_cvt_d_wu(v, rm, fl); }

#endif /* FPU_HARDFLOAT */

#endif
