/*
 * RV64D double-precision arithmetic: fadd.d, fsub.d, fmul.d, fdiv.d,
 * fsqrt.d (unprivileged spec, "D" chapter; IEEE 754-2008 semantics).
 *
 * The same plan as rv64f_arith.S at 53 bits of precision: every rounding
 * mode static and dynamic, round-half cases, overflow, underflow with
 * tininess after rounding, signed zeros, canonical NaN 0x7ff8000000000000,
 * division by zero, and exact results from subnormal operands.
 */
#include "test.h"

TEST_BEGIN
	/* ---- fadd.d */
	RM5 FT2_D, fadd.d, D_THREE,0, D_THREE,0, D_THREE,0, D_THREE,0, D_THREE,0, D_ONE, D_TWO
	/* 1 + 2^-53: half an ulp above 1 */
	RM5 FT2_D, fadd.d, D_ONE,NX, D_ONE,NX, D_ONE,NX, 0x3ff0000000000001,NX, 0x3ff0000000000001,NX, D_ONE, 0x3ca0000000000000
	/* 1 + 0.75 ulp */
	RM5 FT2_D, fadd.d, 0x3ff0000000000001,NX, D_ONE,NX, D_ONE,NX, 0x3ff0000000000001,NX, 0x3ff0000000000001,NX, D_ONE, 0x3ca8000000000000
	/* (1 + ulp) + half ulp: tie, RNE goes to the even neighbour above */
	RM5 FT2_D, fadd.d, 0x3ff0000000000002,NX, 0x3ff0000000000001,NX, 0x3ff0000000000001,NX, 0x3ff0000000000002,NX, 0x3ff0000000000002,NX, 0x3ff0000000000001, 0x3ca0000000000000
	RM5 FT2_D, fadd.d, D_NONE,NX, D_NONE,NX, 0xbff0000000000001,NX, D_NONE,NX, 0xbff0000000000001,NX, D_NONE, 0xbca0000000000000
	RM5 FT2_D, fadd.d, D_INF,OF|NX, D_MAX,OF|NX, D_MAX,OF|NX, D_INF,OF|NX, D_INF,OF|NX, D_MAX, D_MAX
	RM5 FT2_D, fadd.d, D_NINF,OF|NX, D_NMAX,OF|NX, D_NINF,OF|NX, D_NMAX,OF|NX, D_NINF,OF|NX, D_NMAX, D_NMAX
	RM5 FT2_D, fadd.d, D_ZERO,0, D_ZERO,0, D_NZERO,0, D_ZERO,0, D_ZERO,0, D_ONE, D_NONE
	RM5 FT2_D, fadd.d, D_ZERO,0, D_ZERO,0, D_NZERO,0, D_ZERO,0, D_ZERO,0, D_ZERO, D_NZERO
	RM5 FT2_D, fadd.d, D_NZERO,0, D_NZERO,0, D_NZERO,0, D_NZERO,0, D_NZERO,0, D_NZERO, D_NZERO
	FT2_D fadd.d, rne, 0x0000000000000002, 0, D_MINSUB, D_MINSUB
	FT2_D fadd.d, rne, 0x001fffffffffffff, 0, 0x000fffffffffffff, D_MINN
	FT2_D fadd.d, rne, QNAN_D, NV, D_INF, D_NINF
	FT2_D fadd.d, rne, D_INF, 0, D_INF, D_ONE
	FT2_D fadd.d, rne, QNAN_D, 0, QNAN_D, D_ONE
	FT2_D fadd.d, rne, QNAN_D, 0, D_ONE, D_QNANP
	FT2_D fadd.d, rne, QNAN_D, 0, D_NQNAN, D_ONE
	FT2_D fadd.d, rne, QNAN_D, NV, D_SNAN, D_ONE
	FT2_D fadd.d, rne, QNAN_D, NV, D_QNANP, D_SNAN
	FT2_D fadd.d, rne, QNAN_D, NV, 0xfff7ffffffffffff, D_INF

	/* ---- fsub.d */
	RM5 FT2_D, fsub.d, D_TWO,0, D_TWO,0, D_TWO,0, D_TWO,0, D_TWO,0, D_THREE, D_ONE
	/* 1 - 2^-54: half an ulp below 1 */
	RM5 FT2_D, fsub.d, D_ONE,NX, 0x3fefffffffffffff,NX, 0x3fefffffffffffff,NX, D_ONE,NX, D_ONE,NX, D_ONE, 0x3c90000000000000
	RM5 FT2_D, fsub.d, D_ZERO,0, D_ZERO,0, D_NZERO,0, D_ZERO,0, D_ZERO,0, D_THREE, D_THREE
	RM5 FT2_D, fsub.d, D_NZERO,0, D_NZERO,0, D_NZERO,0, D_NZERO,0, D_NZERO,0, D_NZERO, D_ZERO
	RM5 FT2_D, fsub.d, D_NINF,OF|NX, D_NMAX,OF|NX, D_NINF,OF|NX, D_NMAX,OF|NX, D_NINF,OF|NX, D_NMAX, D_MAX
	FT2_D fsub.d, rne, QNAN_D, NV, D_INF, D_INF
	FT2_D fsub.d, rne, D_INF, 0, D_INF, D_NINF
	FT2_D fsub.d, rne, QNAN_D, NV, D_ONE, D_SNAN
	FT2_D fsub.d, rne, 0x000fffffffffffff, 0, D_MINN, D_MINSUB

	/* ---- fmul.d */
	RM5 FT2_D, fmul.d, 0x4018000000000000,0, 0x4018000000000000,0, 0x4018000000000000,0, 0x4018000000000000,0, 0x4018000000000000,0, D_TWO, D_THREE
	/* (1 + 2^-52)^2 = 1 + 2^-51 + 2^-104 */
	RM5 FT2_D, fmul.d, 0x3ff0000000000002,NX, 0x3ff0000000000002,NX, 0x3ff0000000000002,NX, 0x3ff0000000000003,NX, 0x3ff0000000000002,NX, 0x3ff0000000000001, 0x3ff0000000000001
	RM5 FT2_D, fmul.d, D_INF,OF|NX, D_MAX,OF|NX, D_MAX,OF|NX, D_INF,OF|NX, D_INF,OF|NX, D_MAX, D_TWO
	RM5 FT2_D, fmul.d, D_NINF,OF|NX, D_NMAX,OF|NX, D_NINF,OF|NX, D_NMAX,OF|NX, D_NINF,OF|NX, D_MAX, 0xc000000000000000
	/* 2^-1075: half the smallest subnormal */
	RM5 FT2_D, fmul.d, D_ZERO,UF|NX, D_ZERO,UF|NX, D_ZERO,UF|NX, D_MINSUB,UF|NX, D_MINSUB,UF|NX, D_MINSUB, D_HALF
	RM5 FT2_D, fmul.d, D_NZERO,UF|NX, D_NZERO,UF|NX, 0x8000000000000001,UF|NX, D_NZERO,UF|NX, 0x8000000000000001,UF|NX, 0x8000000000000001, D_HALF
	/* 2^-1022 - 2^-1075: tiny after rounding in every mode */
	RM5 FT2_D, fmul.d, D_MINN,UF|NX, 0x000fffffffffffff,UF|NX, 0x000fffffffffffff,UF|NX, D_MINN,UF|NX, D_MINN,UF|NX, 0x3fefffffffffffff, D_MINN
	/*
	 * (2 - 2^-51) 2^-511 * (1 + 2^-52) 2^-512 = 2^-1022 (1 - 2^-104): not
	 * tiny after rounding in RNE/RUP/RMM, tiny in RTZ/RDN.
	 */
	RM5 FT2_D, fmul.d, D_MINN,NX, 0x000fffffffffffff,UF|NX, 0x000fffffffffffff,UF|NX, D_MINN,NX, D_MINN,NX, 0x200ffffffffffffe, 0x1ff0000000000001
	FT2_D fmul.d, rne, 0x0008000000000000, 0, D_MINN, D_HALF
	FT2_D fmul.d, rne, QNAN_D, NV, D_INF, D_ZERO
	FT2_D fmul.d, rne, QNAN_D, NV, D_NZERO, D_NINF
	FT2_D fmul.d, rne, D_NINF, 0, D_INF, D_NONE
	FT2_D fmul.d, rne, D_NZERO, 0, D_ZERO, D_NONE
	FT2_D fmul.d, rne, QNAN_D, 0, D_QNANP, D_ZERO
	FT2_D fmul.d, rne, QNAN_D, NV, D_SNAN, D_INF

	/* ---- fdiv.d */
	RM5 FT2_D, fdiv.d, D_TWO,0, D_TWO,0, D_TWO,0, D_TWO,0, D_TWO,0, 0x4018000000000000, D_THREE
	/* 1/3: the bits after the 52nd fraction bit start 01..., below half */
	RM5 FT2_D, fdiv.d, 0x3fd5555555555555,NX, 0x3fd5555555555555,NX, 0x3fd5555555555555,NX, 0x3fd5555555555556,NX, 0x3fd5555555555555,NX, D_ONE, D_THREE
	RM5 FT2_D, fdiv.d, 0xbfd5555555555555,NX, 0xbfd5555555555555,NX, 0xbfd5555555555556,NX, 0xbfd5555555555555,NX, 0xbfd5555555555555,NX, D_NONE, D_THREE
	RM5 FT2_D, fdiv.d, D_INF,OF|NX, D_MAX,OF|NX, D_MAX,OF|NX, D_INF,OF|NX, D_INF,OF|NX, D_MAX, D_HALF
	RM5 FT2_D, fdiv.d, D_ZERO,UF|NX, D_ZERO,UF|NX, D_ZERO,UF|NX, D_MINSUB,UF|NX, D_MINSUB,UF|NX, D_MINSUB, D_TWO
	FT2_D fdiv.d, rne, 0x0008000000000000, 0, D_MINN, D_TWO
	FT2_D fdiv.d, rne, D_INF, DZ, D_ONE, D_ZERO
	FT2_D fdiv.d, rne, D_NINF, DZ, D_NONE, D_ZERO
	FT2_D fdiv.d, rne, D_NINF, DZ, D_ONE, D_NZERO
	FT2_D fdiv.d, rne, QNAN_D, NV, D_ZERO, D_ZERO
	FT2_D fdiv.d, rne, QNAN_D, NV, D_INF, D_NINF
	FT2_D fdiv.d, rne, D_INF, 0, D_INF, D_ZERO
	FT2_D fdiv.d, rne, D_NZERO, 0, D_ZERO, D_NINF
	FT2_D fdiv.d, rne, QNAN_D, 0, D_QNANP, D_ZERO
	FT2_D fdiv.d, rne, QNAN_D, NV, D_SNAN, D_ONE

	/* ---- fsqrt.d */
	RM5 FT1_D, fsqrt.d, D_TWO,0, D_TWO,0, D_TWO,0, D_TWO,0, D_TWO,0, 0x4010000000000000
	RM5 FT1_D, fsqrt.d, 0x3ff6a09e667f3bcd,NX, 0x3ff6a09e667f3bcc,NX, 0x3ff6a09e667f3bcc,NX, 0x3ff6a09e667f3bcd,NX, 0x3ff6a09e667f3bcd,NX, D_TWO
	/* sqrt(2^-1074) = 2^-537 exactly; sqrt(2^-1073) = 2^-537 sqrt(2) */
	FT1_D fsqrt.d, rne, 0x1e60000000000000, 0, D_MINSUB
	RM5 FT1_D, fsqrt.d, 0x1e66a09e667f3bcd,NX, 0x1e66a09e667f3bcc,NX, 0x1e66a09e667f3bcc,NX, 0x1e66a09e667f3bcd,NX, 0x1e66a09e667f3bcd,NX, 0x0000000000000002
	FT1_D fsqrt.d, rne, QNAN_D, NV, D_NONE
	FT1_D fsqrt.d, rne, QNAN_D, NV, 0x8000000000000001
	FT1_D fsqrt.d, rne, D_NZERO, 0, D_NZERO
	FT1_D fsqrt.d, rne, D_INF, 0, D_INF
	FT1_D fsqrt.d, rne, QNAN_D, NV, D_NINF
	FT1_D fsqrt.d, rne, QNAN_D, 0, D_QNANP
	FT1_D fsqrt.d, rne, QNAN_D, NV, D_SNAN
TEST_END
