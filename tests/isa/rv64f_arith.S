/*
 * RV64F single-precision arithmetic: fadd.s, fsub.s, fmul.s, fdiv.s,
 * fsqrt.s (unprivileged spec, "F" chapter; IEEE 754-2008 semantics).
 *
 * Each rounding-sensitive case is run in all five static rounding modes and
 * again through frm with rm = dyn, with the exact result and exact fflags
 * worked out by hand.  Covered: round-half cases for every mode, overflow
 * (RTZ/RDN/RUP saturate to the largest finite value on the side toward
 * zero), underflow with tininess detected after rounding, signed zero of
 * x - x (-0 only in RDN), invalid operations returning the canonical NaN,
 * division by zero, NaN inputs never propagating a payload.  Every result
 * is also checked to be NaN-boxed in the 64-bit register.
 */
#include "test.h"

TEST_BEGIN
	/* ---- fadd.s */
	RM5 FT2_S, fadd.s, S_THREE,0, S_THREE,0, S_THREE,0, S_THREE,0, S_THREE,0, S_ONE, S_TWO
	/* 1 + 2^-24: exactly half an ulp above 1 */
	RM5 FT2_S, fadd.s, 0x3f800000,NX, 0x3f800000,NX, 0x3f800000,NX, 0x3f800001,NX, 0x3f800001,NX, S_ONE, 0x33800000
	/* 1 + 0.75 ulp */
	RM5 FT2_S, fadd.s, 0x3f800001,NX, 0x3f800000,NX, 0x3f800000,NX, 0x3f800001,NX, 0x3f800001,NX, S_ONE, 0x33c00000
	/* (1 + ulp) + half ulp: tie between odd and even, RNE rounds up */
	RM5 FT2_S, fadd.s, 0x3f800002,NX, 0x3f800001,NX, 0x3f800001,NX, 0x3f800002,NX, 0x3f800002,NX, 0x3f800001, 0x33800000
	/* negative tie: RDN and RMM move away from zero */
	RM5 FT2_S, fadd.s, 0xbf800000,NX, 0xbf800000,NX, 0xbf800001,NX, 0xbf800000,NX, 0xbf800001,NX, S_NONE, 0xb3800000
	/* overflow */
	RM5 FT2_S, fadd.s, S_INF,OF|NX, S_MAX,OF|NX, S_MAX,OF|NX, S_INF,OF|NX, S_INF,OF|NX, S_MAX, S_MAX
	RM5 FT2_S, fadd.s, S_NINF,OF|NX, S_NMAX,OF|NX, S_NINF,OF|NX, S_NMAX,OF|NX, S_NINF,OF|NX, S_NMAX, S_NMAX
	/* exact cancellation: +0 except in RDN */
	RM5 FT2_S, fadd.s, S_ZERO,0, S_ZERO,0, S_NZERO,0, S_ZERO,0, S_ZERO,0, S_ONE, S_NONE
	RM5 FT2_S, fadd.s, S_ZERO,0, S_ZERO,0, S_NZERO,0, S_ZERO,0, S_ZERO,0, S_ZERO, S_NZERO
	RM5 FT2_S, fadd.s, S_NZERO,0, S_NZERO,0, S_NZERO,0, S_NZERO,0, S_NZERO,0, S_NZERO, S_NZERO
	/* subnormal sums are exact: no underflow flag */
	FT2_S fadd.s, rne, 0x00000002, 0, S_MINSUB, S_MINSUB
	FT2_S fadd.s, rne, 0x00ffffff, 0, 0x007fffff, 0x00800000
	/* infinities and NaNs */
	FT2_S fadd.s, rne, QNAN_S, NV, S_INF, S_NINF
	FT2_S fadd.s, rne, S_INF, 0, S_INF, S_ONE
	FT2_S fadd.s, rne, S_NINF, 0, S_NINF, S_MAX
	FT2_S fadd.s, rne, QNAN_S, 0, QNAN_S, S_ONE
	FT2_S fadd.s, rne, QNAN_S, 0, S_ONE, S_QNANP
	FT2_S fadd.s, rne, QNAN_S, 0, S_NQNAN, S_ONE
	FT2_S fadd.s, rne, QNAN_S, NV, S_SNAN, S_ONE
	FT2_S fadd.s, rne, QNAN_S, NV, S_QNANP, S_SNAN
	FT2_S fadd.s, rne, QNAN_S, NV, 0xffbfffff, S_INF

	/* ---- fsub.s */
	RM5 FT2_S, fsub.s, S_TWO,0, S_TWO,0, S_TWO,0, S_TWO,0, S_TWO,0, S_THREE, S_ONE
	/* 1 - 2^-25: half an ulp below 1 (ulp there is 2^-24) */
	RM5 FT2_S, fsub.s, 0x3f800000,NX, 0x3f7fffff,NX, 0x3f7fffff,NX, 0x3f800000,NX, 0x3f800000,NX, S_ONE, 0x33000000
	RM5 FT2_S, fsub.s, S_ZERO,0, S_ZERO,0, S_NZERO,0, S_ZERO,0, S_ZERO,0, S_THREE, S_THREE
	RM5 FT2_S, fsub.s, S_NZERO,0, S_NZERO,0, S_NZERO,0, S_NZERO,0, S_NZERO,0, S_NZERO, S_ZERO
	RM5 FT2_S, fsub.s, S_NINF,OF|NX, S_NMAX,OF|NX, S_NINF,OF|NX, S_NMAX,OF|NX, S_NINF,OF|NX, S_NMAX, S_MAX
	FT2_S fsub.s, rne, QNAN_S, NV, S_INF, S_INF
	FT2_S fsub.s, rne, S_INF, 0, S_INF, S_NINF
	FT2_S fsub.s, rne, QNAN_S, NV, S_ONE, S_SNAN
	FT2_S fsub.s, rne, 0x007fffff, 0, S_MINN, S_MINSUB

	/* ---- fmul.s */
	RM5 FT2_S, fmul.s, 0x40c00000,0, 0x40c00000,0, 0x40c00000,0, 0x40c00000,0, 0x40c00000,0, S_TWO, S_THREE
	/* (1 + 2^-23)^2 = 1 + 2^-22 + 2^-46 */
	RM5 FT2_S, fmul.s, 0x3f800002,NX, 0x3f800002,NX, 0x3f800002,NX, 0x3f800003,NX, 0x3f800002,NX, 0x3f800001, 0x3f800001
	RM5 FT2_S, fmul.s, S_INF,OF|NX, S_MAX,OF|NX, S_MAX,OF|NX, S_INF,OF|NX, S_INF,OF|NX, S_MAX, S_TWO
	RM5 FT2_S, fmul.s, S_NINF,OF|NX, S_NMAX,OF|NX, S_NINF,OF|NX, S_NMAX,OF|NX, S_NINF,OF|NX, S_MAX, 0xc0000000
	/* 2^-150: half the smallest subnormal */
	RM5 FT2_S, fmul.s, S_ZERO,UF|NX, S_ZERO,UF|NX, S_ZERO,UF|NX, S_MINSUB,UF|NX, S_MINSUB,UF|NX, S_MINSUB, S_HALF
	RM5 FT2_S, fmul.s, S_NZERO,UF|NX, S_NZERO,UF|NX, 0x80000001,UF|NX, S_NZERO,UF|NX, 0x80000001,UF|NX, 0x80000001, S_HALF
	/* 2^-126 - 2^-150: tiny even after rounding in every mode */
	RM5 FT2_S, fmul.s, S_MINN,UF|NX, 0x007fffff,UF|NX, 0x007fffff,UF|NX, S_MINN,UF|NX, S_MINN,UF|NX, 0x3f7fffff, S_MINN
	/*
	 * 2^-126 * (1 - 2^-46): rounded to 24 bits with an unbounded exponent
	 * it is 2^-126 in RNE/RUP/RMM, so not tiny (tininess after rounding):
	 * no underflow there; RTZ/RDN give 2^-126 * (1 - 2^-24), tiny.
	 */
	RM5 FT2_S, fmul.s, S_MINN,NX, 0x007fffff,UF|NX, 0x007fffff,UF|NX, S_MINN,NX, S_MINN,NX, 0x1ffffffe, 0x20000001
	FT2_S fmul.s, rne, 0x00400000, 0, S_MINN, S_HALF
	FT2_S fmul.s, rne, QNAN_S, NV, S_INF, S_ZERO
	FT2_S fmul.s, rne, QNAN_S, NV, S_NZERO, S_NINF
	FT2_S fmul.s, rne, S_NINF, 0, S_INF, S_NONE
	FT2_S fmul.s, rne, S_NZERO, 0, S_ZERO, S_NONE
	FT2_S fmul.s, rne, S_ZERO, 0, S_NZERO, S_NZERO
	FT2_S fmul.s, rne, QNAN_S, 0, S_QNANP, S_ZERO
	FT2_S fmul.s, rne, QNAN_S, NV, S_SNAN, S_INF

	/* ---- fdiv.s */
	RM5 FT2_S, fdiv.s, S_TWO,0, S_TWO,0, S_TWO,0, S_TWO,0, S_TWO,0, 0x40c00000, S_THREE
	RM5 FT2_S, fdiv.s, 0x3eaaaaab,NX, 0x3eaaaaaa,NX, 0x3eaaaaaa,NX, 0x3eaaaaab,NX, 0x3eaaaaab,NX, S_ONE, S_THREE
	RM5 FT2_S, fdiv.s, 0xbeaaaaab,NX, 0xbeaaaaaa,NX, 0xbeaaaaab,NX, 0xbeaaaaaa,NX, 0xbeaaaaab,NX, S_NONE, S_THREE
	RM5 FT2_S, fdiv.s, S_INF,OF|NX, S_MAX,OF|NX, S_MAX,OF|NX, S_INF,OF|NX, S_INF,OF|NX, S_MAX, S_HALF
	RM5 FT2_S, fdiv.s, S_ZERO,UF|NX, S_ZERO,UF|NX, S_ZERO,UF|NX, S_MINSUB,UF|NX, S_MINSUB,UF|NX, S_MINSUB, S_TWO
	FT2_S fdiv.s, rne, 0x00400000, 0, S_MINN, S_TWO
	FT2_S fdiv.s, rne, S_INF, DZ, S_ONE, S_ZERO
	FT2_S fdiv.s, rne, S_NINF, DZ, S_NONE, S_ZERO
	FT2_S fdiv.s, rne, S_NINF, DZ, S_ONE, S_NZERO
	FT2_S fdiv.s, rne, S_INF, DZ, S_MINSUB, S_ZERO
	FT2_S fdiv.s, rne, QNAN_S, NV, S_ZERO, S_ZERO
	FT2_S fdiv.s, rne, QNAN_S, NV, S_INF, S_NINF
	FT2_S fdiv.s, rne, S_INF, 0, S_INF, S_ZERO
	FT2_S fdiv.s, rne, S_NZERO, 0, S_ZERO, S_NINF
	FT2_S fdiv.s, rne, QNAN_S, 0, S_QNANP, S_ZERO
	FT2_S fdiv.s, rne, QNAN_S, NV, S_SNAN, S_ONE

	/* ---- fsqrt.s */
	RM5 FT1_S, fsqrt.s, S_TWO,0, S_TWO,0, S_TWO,0, S_TWO,0, S_TWO,0, 0x40800000
	RM5 FT1_S, fsqrt.s, 0x3fb504f3,NX, 0x3fb504f3,NX, 0x3fb504f3,NX, 0x3fb504f4,NX, 0x3fb504f3,NX, S_TWO
	/* sqrt(2^-149) = 2^-75 * sqrt(2) */
	RM5 FT1_S, fsqrt.s, 0x1a3504f3,NX, 0x1a3504f3,NX, 0x1a3504f3,NX, 0x1a3504f4,NX, 0x1a3504f3,NX, S_MINSUB
	FT1_S fsqrt.s, rne, 0x1a800000, 0, 0x00000002
	FT1_S fsqrt.s, rne, QNAN_S, NV, S_NONE
	FT1_S fsqrt.s, rne, QNAN_S, NV, 0x80000001
	FT1_S fsqrt.s, rne, S_NZERO, 0, S_NZERO
	FT1_S fsqrt.s, rne, S_ZERO, 0, S_ZERO
	FT1_S fsqrt.s, rne, S_INF, 0, S_INF
	FT1_S fsqrt.s, rne, QNAN_S, NV, S_NINF
	FT1_S fsqrt.s, rne, QNAN_S, 0, S_QNANP
	FT1_S fsqrt.s, rne, QNAN_S, NV, S_SNAN
TEST_END
