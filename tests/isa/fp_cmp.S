/*
 * Floating-point compare and min/max, single and double (unprivileged spec,
 * F and D chapters).
 *
 * feq is a quiet comparison (NV only for a signalling NaN operand), flt and
 * fle are signalling (NV for any NaN operand); all three return 0 when
 * either operand is NaN, and -0 == +0.  fmin/fmax are IEEE 754-2019
 * minimumNumber/maximumNumber: -0 < +0, one NaN operand gives the other
 * operand, two NaNs give the canonical NaN, a signalling NaN raises NV even
 * when the result is a number.
 */
#include "test.h"

	/* CMP3_S a, b, feq, flags, flt, flags, fle, flags: all three compares */
	.macro CMP3_S a, b, eq, feq_f, lt, flt_f, le, fle_f
	FCMP_S feq.s, , \eq, \feq_f, \a, \b
	FCMP_S flt.s, , \lt, \flt_f, \a, \b
	FCMP_S fle.s, , \le, \fle_f, \a, \b
	.endm

	.macro CMP3_D a, b, eq, feq_f, lt, flt_f, le, fle_f
	FCMP_D feq.d, , \eq, \feq_f, \a, \b
	FCMP_D flt.d, , \lt, \flt_f, \a, \b
	FCMP_D fle.d, , \le, \fle_f, \a, \b
	.endm

	/* MINMAX_S a, b, min, min_flags, max, max_flags */
	.macro MINMAX_S a, b, min, minf, max, maxf
	FT2_S fmin.s, , \min, \minf, \a, \b
	FT2_S fmax.s, , \max, \maxf, \a, \b
	.endm

	.macro MINMAX_D a, b, min, minf, max, maxf
	FT2_D fmin.d, , \min, \minf, \a, \b
	FT2_D fmax.d, , \max, \maxf, \a, \b
	.endm

TEST_BEGIN
	/* ---- single compares:  a, b, feq, flags, flt, flags, fle, flags */
	CMP3_S S_ONE, S_ONE,     1,0, 0,0, 1,0
	CMP3_S S_ONE, S_TWO,     0,0, 1,0, 1,0
	CMP3_S S_TWO, S_ONE,     0,0, 0,0, 0,0
	CMP3_S S_ZERO, S_NZERO,  1,0, 0,0, 1,0
	CMP3_S S_NZERO, S_ZERO,  1,0, 0,0, 1,0
	CMP3_S S_NINF, S_INF,    0,0, 1,0, 1,0
	CMP3_S S_INF, S_INF,     1,0, 0,0, 1,0
	CMP3_S S_NINF, S_NMAX,   0,0, 1,0, 1,0
	CMP3_S 0x80000001, S_ZERO, 0,0, 1,0, 1,0
	CMP3_S S_MINSUB, S_ZERO, 0,0, 0,0, 0,0
	CMP3_S S_NONE, S_NZERO,  0,0, 1,0, 1,0
	CMP3_S QNAN_S, S_ONE,    0,0, 0,NV, 0,NV
	CMP3_S S_ONE, S_QNANP,   0,0, 0,NV, 0,NV
	CMP3_S QNAN_S, QNAN_S,   0,0, 0,NV, 0,NV
	CMP3_S S_SNAN, S_ONE,    0,NV, 0,NV, 0,NV
	CMP3_S S_ONE, S_SNAN,    0,NV, 0,NV, 0,NV
	CMP3_S S_SNAN, S_SNAN,   0,NV, 0,NV, 0,NV
	CMP3_S S_NQNAN, S_NINF,  0,0, 0,NV, 0,NV

	/* ---- double compares */
	CMP3_D D_ONE, D_ONE,     1,0, 0,0, 1,0
	CMP3_D D_ONE, D_TWO,     0,0, 1,0, 1,0
	CMP3_D D_TWO, D_ONE,     0,0, 0,0, 0,0
	CMP3_D D_ZERO, D_NZERO,  1,0, 0,0, 1,0
	CMP3_D D_NINF, D_INF,    0,0, 1,0, 1,0
	CMP3_D 0x8000000000000001, D_ZERO, 0,0, 1,0, 1,0
	CMP3_D 0x3ff0000000000001, D_ONE, 0,0, 0,0, 0,0
	CMP3_D QNAN_D, D_ONE,    0,0, 0,NV, 0,NV
	CMP3_D D_ONE, D_QNANP,   0,0, 0,NV, 0,NV
	CMP3_D D_SNAN, D_ONE,    0,NV, 0,NV, 0,NV
	CMP3_D D_ONE, D_SNAN,    0,NV, 0,NV, 0,NV
	CMP3_D D_NQNAN, D_NQNAN, 0,0, 0,NV, 0,NV

	/* ---- fmin.s / fmax.s:  a, b, min, flags, max, flags */
	MINMAX_S S_ONE, S_TWO,     S_ONE,0, S_TWO,0
	MINMAX_S S_TWO, S_ONE,     S_ONE,0, S_TWO,0
	MINMAX_S S_NONE, 0xc0000000, 0xc0000000,0, S_NONE,0
	MINMAX_S S_NZERO, S_ZERO,  S_NZERO,0, S_ZERO,0
	MINMAX_S S_ZERO, S_NZERO,  S_NZERO,0, S_ZERO,0
	MINMAX_S S_MINSUB, 0x80000001, 0x80000001,0, S_MINSUB,0
	MINMAX_S S_NINF, S_ONE,    S_NINF,0, S_ONE,0
	MINMAX_S S_INF, S_MAX,     S_MAX,0, S_INF,0
	MINMAX_S QNAN_S, S_ONE,    S_ONE,0, S_ONE,0
	MINMAX_S S_ONE, S_QNANP,   S_ONE,0, S_ONE,0
	MINMAX_S S_NQNAN, S_NONE,  S_NONE,0, S_NONE,0
	MINMAX_S S_SNAN, S_ONE,    S_ONE,NV, S_ONE,NV
	MINMAX_S S_NONE, S_SNAN,   S_NONE,NV, S_NONE,NV
	MINMAX_S QNAN_S, QNAN_S,   QNAN_S,0, QNAN_S,0
	MINMAX_S S_QNANP, S_NQNAN, QNAN_S,0, QNAN_S,0
	MINMAX_S S_SNAN, QNAN_S,   QNAN_S,NV, QNAN_S,NV
	MINMAX_S S_SNAN, S_SNAN,   QNAN_S,NV, QNAN_S,NV

	/* ---- fmin.d / fmax.d */
	MINMAX_D D_ONE, D_TWO,     D_ONE,0, D_TWO,0
	MINMAX_D D_NZERO, D_ZERO,  D_NZERO,0, D_ZERO,0
	MINMAX_D D_ZERO, D_NZERO,  D_NZERO,0, D_ZERO,0
	MINMAX_D D_MINSUB, 0x8000000000000001, 0x8000000000000001,0, D_MINSUB,0
	MINMAX_D D_NINF, D_NMAX,   D_NINF,0, D_NMAX,0
	MINMAX_D QNAN_D, D_ONE,    D_ONE,0, D_ONE,0
	MINMAX_D D_NONE, D_QNANP,  D_NONE,0, D_NONE,0
	MINMAX_D D_SNAN, D_ONE,    D_ONE,NV, D_ONE,NV
	MINMAX_D D_TWO, D_SNAN,    D_TWO,NV, D_TWO,NV
	MINMAX_D D_QNANP, D_NQNAN, QNAN_D,0, QNAN_D,0
	MINMAX_D D_SNAN, QNAN_D,   QNAN_D,NV, QNAN_D,NV

	/* rd = x0 still raises the flags */
	LOAD_S ft1, S_SNAN
	fsflags x0
	feq.s x0, ft1, ft1
	frflags t0
	CHECK t0, NV, "feq.s x0 sNaN still sets NV"
	CHECK x0, 0, "feq.s x0 discarded"
TEST_END
