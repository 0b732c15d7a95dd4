/*
 * Fused multiply-add, single and double: fmadd (a*b + c), fmsub (a*b - c),
 * fnmsub (-(a*b) + c), fnmadd (-(a*b) - c) (unprivileged spec, F and D
 * chapters).
 *
 * The cases are chosen so that rounding the product separately would give
 * a different answer: (1 + u)^2 - (1 + 2u) is exactly u^2 only when fused,
 * max*2 - max does not overflow, and the underflow cases check tininess
 * after rounding on the single final rounding.  inf * 0 + qNaN must raise
 * NV (the spec requires it although IEEE 754 leaves it optional).
 */
#include "test.h"

TEST_BEGIN
	/* ---- single */
	RM5 FT3_S, fmadd.s, 0x40e00000,0, 0x40e00000,0, 0x40e00000,0, 0x40e00000,0, 0x40e00000,0, S_TWO, S_THREE, S_ONE
	/* (1 + 2^-23)^2 - (1 + 2^-22) = 2^-46 exactly */
	RM5 FT3_S, fmadd.s, 0x28800000,0, 0x28800000,0, 0x28800000,0, 0x28800000,0, 0x28800000,0, 0x3f800001, 0x3f800001, 0xbf800002
	FT3_S fmsub.s, rne, 0x28800000, 0, 0x3f800001, 0x3f800001, 0x3f800002
	FT3_S fnmsub.s, rne, 0xa8800000, 0, 0x3f800001, 0x3f800001, 0x3f800002
	FT3_S fnmadd.s, rne, 0xa8800000, 0, 0x3f800001, 0x3f800001, 0xbf800002
	/* 1*1 + 2^-24: tie */
	RM5 FT3_S, fmadd.s, S_ONE,NX, S_ONE,NX, S_ONE,NX, 0x3f800001,NX, 0x3f800001,NX, S_ONE, S_ONE, 0x33800000
	RM5 FT3_S, fnmadd.s, S_NONE,NX, S_NONE,NX, 0xbf800001,NX, S_NONE,NX, 0xbf800001,NX, S_ONE, S_ONE, 0x33800000
	RM5 FT3_S, fmsub.s, S_ONE,NX, 0x3f7fffff,NX, 0x3f7fffff,NX, S_ONE,NX, S_ONE,NX, S_ONE, S_ONE, 0x33000000
	RM5 FT3_S, fnmsub.s, S_NONE,NX, 0xbf7fffff,NX, S_NONE,NX, 0xbf7fffff,NX, S_NONE,NX, S_ONE, S_ONE, 0x33000000
	/* product rounding with a zero addend */
	RM5 FT3_S, fmadd.s, 0x3f800002,NX, 0x3f800002,NX, 0x3f800002,NX, 0x3f800003,NX, 0x3f800002,NX, 0x3f800001, 0x3f800001, S_ZERO
	/* signed zeros */
	RM5 FT3_S, fmadd.s, S_ZERO,0, S_ZERO,0, S_NZERO,0, S_ZERO,0, S_ZERO,0, S_ONE, S_NZERO, S_ZERO
	RM5 FT3_S, fmadd.s, S_NZERO,0, S_NZERO,0, S_NZERO,0, S_NZERO,0, S_NZERO,0, S_ZERO, S_NONE, S_NZERO
	RM5 FT3_S, fnmadd.s, S_NZERO,0, S_NZERO,0, S_NZERO,0, S_NZERO,0, S_NZERO,0, S_ZERO, S_ZERO, S_ZERO
	RM5 FT3_S, fnmsub.s, S_ZERO,0, S_ZERO,0, S_NZERO,0, S_ZERO,0, S_ZERO,0, S_ZERO, S_ZERO, S_ZERO
	RM5 FT3_S, fmsub.s, S_ZERO,0, S_ZERO,0, S_NZERO,0, S_ZERO,0, S_ZERO,0, S_ONE, S_ZERO, S_ZERO
	/* overflow, and its absence when the sum is representable */
	RM5 FT3_S, fmadd.s, S_INF,OF|NX, S_MAX,OF|NX, S_MAX,OF|NX, S_INF,OF|NX, S_INF,OF|NX, S_MAX, S_TWO, S_ZERO
	RM5 FT3_S, fmadd.s, S_MAX,0, S_MAX,0, S_MAX,0, S_MAX,0, S_MAX,0, S_MAX, S_TWO, S_NMAX
	FT3_S fmsub.s, rne, S_MAX, 0, S_MAX, S_TWO, S_MAX
	/* 2^-127 (1 - 2^-24) + 2^-127 = 2^-126 (1 - 2^-25): tiny only in RTZ/RDN */
	RM5 FT3_S, fmadd.s, S_MINN,NX, 0x007fffff,UF|NX, 0x007fffff,UF|NX, S_MINN,NX, S_MINN,NX, 0x00400000, 0x3f7fffff, 0x00400000
	/* invalid operations and NaNs */
	FT3_S fmadd.s, rne, QNAN_S, NV, S_INF, S_ZERO, QNAN_S
	FT3_S fmadd.s, rne, QNAN_S, NV, S_ZERO, S_NINF, S_QNANP
	FT3_S fnmadd.s, rne, QNAN_S, NV, S_INF, S_ZERO, S_ONE
	FT3_S fmadd.s, rne, QNAN_S, NV, S_INF, S_ONE, S_NINF
	FT3_S fmadd.s, rne, S_INF, 0, S_INF, S_ONE, S_INF
	FT3_S fmsub.s, rne, QNAN_S, NV, S_INF, S_ONE, S_INF
	FT3_S fnmsub.s, rne, QNAN_S, NV, S_INF, S_ONE, S_INF
	FT3_S fnmadd.s, rne, QNAN_S, NV, S_INF, S_ONE, S_NINF
	FT3_S fmadd.s, rne, QNAN_S, 0, S_ONE, S_ONE, S_QNANP
	FT3_S fmadd.s, rne, QNAN_S, NV, S_ONE, S_ONE, S_SNAN
	FT3_S fmadd.s, rne, QNAN_S, 0, S_NQNAN, S_ONE, S_ONE
	FT3_S fnmadd.s, rne, QNAN_S, 0, S_QNANP, S_ONE, S_ONE
	FT3_S fnmsub.s, rne, QNAN_S, NV, S_ONE, S_SNAN, S_ONE

	/* ---- double */
	RM5 FT3_D, fmadd.d, 0x401c000000000000,0, 0x401c000000000000,0, 0x401c000000000000,0, 0x401c000000000000,0, 0x401c000000000000,0, D_TWO, D_THREE, D_ONE
	/* (1 + 2^-52)^2 - (1 + 2^-51) = 2^-104 exactly */
	RM5 FT3_D, fmadd.d, 0x3970000000000000,0, 0x3970000000000000,0, 0x3970000000000000,0, 0x3970000000000000,0, 0x3970000000000000,0, 0x3ff0000000000001, 0x3ff0000000000001, 0xbff0000000000002
	FT3_D fmsub.d, rne, 0x3970000000000000, 0, 0x3ff0000000000001, 0x3ff0000000000001, 0x3ff0000000000002
	FT3_D fnmsub.d, rne, 0xb970000000000000, 0, 0x3ff0000000000001, 0x3ff0000000000001, 0x3ff0000000000002
	FT3_D fnmadd.d, rne, 0xb970000000000000, 0, 0x3ff0000000000001, 0x3ff0000000000001, 0xbff0000000000002
	RM5 FT3_D, fmadd.d, D_ONE,NX, D_ONE,NX, D_ONE,NX, 0x3ff0000000000001,NX, 0x3ff0000000000001,NX, D_ONE, D_ONE, 0x3ca0000000000000
	RM5 FT3_D, fnmadd.d, D_NONE,NX, D_NONE,NX, 0xbff0000000000001,NX, D_NONE,NX, 0xbff0000000000001,NX, D_ONE, D_ONE, 0x3ca0000000000000
	RM5 FT3_D, fmsub.d, D_ONE,NX, 0x3fefffffffffffff,NX, 0x3fefffffffffffff,NX, D_ONE,NX, D_ONE,NX, D_ONE, D_ONE, 0x3c90000000000000
	RM5 FT3_D, fnmsub.d, D_NONE,NX, 0xbfefffffffffffff,NX, D_NONE,NX, 0xbfefffffffffffff,NX, D_NONE,NX, D_ONE, D_ONE, 0x3c90000000000000
	RM5 FT3_D, fmadd.d, D_ZERO,0, D_ZERO,0, D_NZERO,0, D_ZERO,0, D_ZERO,0, D_ONE, D_NZERO, D_ZERO
	RM5 FT3_D, fnmadd.d, D_NZERO,0, D_NZERO,0, D_NZERO,0, D_NZERO,0, D_NZERO,0, D_ZERO, D_ZERO, D_ZERO
	RM5 FT3_D, fnmsub.d, D_ZERO,0, D_ZERO,0, D_NZERO,0, D_ZERO,0, D_ZERO,0, D_ZERO, D_ZERO, D_ZERO
	RM5 FT3_D, fmadd.d, D_INF,OF|NX, D_MAX,OF|NX, D_MAX,OF|NX, D_INF,OF|NX, D_INF,OF|NX, D_MAX, D_TWO, D_ZERO
	RM5 FT3_D, fmadd.d, D_MAX,0, D_MAX,0, D_MAX,0, D_MAX,0, D_MAX,0, D_MAX, D_TWO, D_NMAX
	/* 2^-1023 (1 - 2^-53) + 2^-1023 = 2^-1022 (1 - 2^-54) */
	RM5 FT3_D, fmadd.d, D_MINN,NX, 0x000fffffffffffff,UF|NX, 0x000fffffffffffff,UF|NX, D_MINN,NX, D_MINN,NX, 0x0008000000000000, 0x3fefffffffffffff, 0x0008000000000000
	FT3_D fmadd.d, rne, QNAN_D, NV, D_INF, D_ZERO, QNAN_D
	FT3_D fmadd.d, rne, QNAN_D, NV, D_ZERO, D_NINF, D_QNANP
	FT3_D fmadd.d, rne, QNAN_D, NV, D_INF, D_ONE, D_NINF
	FT3_D fmsub.d, rne, QNAN_D, NV, D_INF, D_ONE, D_INF
	FT3_D fmadd.d, rne, QNAN_D, 0, D_ONE, D_ONE, D_QNANP
	FT3_D fmadd.d, rne, QNAN_D, NV, D_ONE, D_ONE, D_SNAN
	FT3_D fnmadd.d, rne, QNAN_D, 0, D_QNANP, D_ONE, D_ONE
	FT3_D fnmsub.d, rne, QNAN_D, NV, D_ONE, D_SNAN, D_ONE
TEST_END
