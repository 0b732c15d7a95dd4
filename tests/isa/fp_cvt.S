/*
 * Floating-point conversions (unprivileged spec, F and D chapters):
 * fcvt.{w,wu,l,lu}.{s,d}, fcvt.{s,d}.{w,wu,l,lu}, fcvt.s.d and fcvt.d.s.
 *
 * Float to integer saturates per the spec's table: NaN and +inf give the
 * largest value, -inf the smallest, out-of-range inputs (judged after
 * rounding, so the rounding mode decides whether 2^31 - 0.5 is in range)
 * clip with NV and without NX; 32-bit results are sign-extended, fcvt.wu
 * included.  Integer to float rounds in every mode; 32-bit sources use only
 * the low 32 bits of the register.  fcvt.s.d rounds, overflows and
 * underflows like arithmetic; fcvt.d.s is exact.  NaNs become canonical.
 */
#include "test.h"

#define M1 0xffffffffffffffff
#define M2 0xfffffffffffffffe
#define M3 0xfffffffffffffffd
#define INT32_MIN_X 0xffffffff80000000

TEST_BEGIN
	/* ---- fcvt.w.s */
	RM5 FTOX_S, fcvt.w.s, 2,NX, 1,NX, 1,NX, 2,NX, 2,NX, 0x3fc00000
	RM5 FTOX_S, fcvt.w.s, 2,NX, 2,NX, 2,NX, 3,NX, 3,NX, 0x40200000
	RM5 FTOX_S, fcvt.w.s, M2,NX, M2,NX, M3,NX, M2,NX, M3,NX, 0xc0200000
	RM5 FTOX_S, fcvt.w.s, 0,NX, 0,NX, M1,NX, 0,NX, M1,NX, 0xbf000000
	RM5 FTOX_S, fcvt.w.s, 0,NX, 0,NX, 0,NX, 1,NX, 0,NX, S_MINSUB
	FTOX_S fcvt.w.s, rtz, 3, 0, S_THREE
	FTOX_S fcvt.w.s, rtz, 0, 0, S_NZERO
	FTOX_S fcvt.w.s, rtz, 0x7fffff80, 0, 0x4effffff
	FTOX_S fcvt.w.s, rtz, INT32_MIN_X, 0, 0xcf000000
	FTOX_S fcvt.w.s, rtz, 0x7fffffff, NV, 0x4f000000
	FTOX_S fcvt.w.s, rtz, INT32_MIN_X, NV, 0xcf000001
	FTOX_S fcvt.w.s, rtz, 0x7fffffff, NV, S_INF
	FTOX_S fcvt.w.s, rtz, INT32_MIN_X, NV, S_NINF
	FTOX_S fcvt.w.s, rtz, 0x7fffffff, NV, QNAN_S
	FTOX_S fcvt.w.s, rtz, 0x7fffffff, NV, S_NQNAN
	FTOX_S fcvt.w.s, rtz, 0x7fffffff, NV, S_SNAN

	/* ---- fcvt.wu.s */
	RM5 FTOX_S, fcvt.wu.s, 2,NX, 1,NX, 1,NX, 2,NX, 2,NX, 0x3fc00000
	RM5 FTOX_S, fcvt.wu.s, 0,NX, 0,NX, 0,NV, 0,NX, 0,NV, 0xbf000000
	FTOX_S fcvt.wu.s, rtz, 0, NV, S_NONE
	FTOX_S fcvt.wu.s, rtz, 0, 0, S_NZERO
	FTOX_S fcvt.wu.s, rtz, 0xffffffffb2d05e00, 0, 0x4f32d05e
	FTOX_S fcvt.wu.s, rtz, 0xffffffffffffff00, 0, 0x4f7fffff
	FTOX_S fcvt.wu.s, rtz, M1, NV, 0x4f800000
	FTOX_S fcvt.wu.s, rtz, M1, NV, S_INF
	FTOX_S fcvt.wu.s, rtz, 0, NV, S_NINF
	FTOX_S fcvt.wu.s, rtz, M1, NV, QNAN_S
	FTOX_S fcvt.wu.s, rtz, M1, NV, S_NQNAN

	/* ---- fcvt.l.s */
	RM5 FTOX_S, fcvt.l.s, M2,NX, M2,NX, M3,NX, M2,NX, M3,NX, 0xc0200000
	FTOX_S fcvt.l.s, rtz, 0x00000002540be400, 0, 0x501502f9
	FTOX_S fcvt.l.s, rtz, 0x7fffff8000000000, 0, 0x5effffff
	FTOX_S fcvt.l.s, rtz, 0x8000000000000000, 0, 0xdf000000
	FTOX_S fcvt.l.s, rtz, 0x7fffffffffffffff, NV, 0x5f000000
	FTOX_S fcvt.l.s, rtz, 0x8000000000000000, NV, 0xdf000001
	FTOX_S fcvt.l.s, rtz, 0x7fffffffffffffff, NV, S_INF
	FTOX_S fcvt.l.s, rtz, 0x8000000000000000, NV, S_NINF
	FTOX_S fcvt.l.s, rtz, 0x7fffffffffffffff, NV, QNAN_S
	FTOX_S fcvt.l.s, rtz, 0x7fffffffffffffff, NV, S_SNAN

	/* ---- fcvt.lu.s */
	RM5 FTOX_S, fcvt.lu.s, 0,NX, 0,NX, 0,NV, 0,NX, 0,NV, 0xbf000000
	RM5 FTOX_S, fcvt.lu.s, 2,NX, 2,NX, 2,NX, 3,NX, 3,NX, 0x40200000
	FTOX_S fcvt.lu.s, rtz, 0x8000000000000000, 0, 0x5f000000
	FTOX_S fcvt.lu.s, rtz, 0xffffff0000000000, 0, 0x5f7fffff
	FTOX_S fcvt.lu.s, rtz, M1, NV, 0x5f800000
	FTOX_S fcvt.lu.s, rtz, 0, NV, S_NONE
	FTOX_S fcvt.lu.s, rtz, M1, NV, S_INF
	FTOX_S fcvt.lu.s, rtz, 0, NV, S_NINF
	FTOX_S fcvt.lu.s, rtz, M1, NV, QNAN_S

	/* ---- fcvt.w.d: the range check is made after rounding */
	RM5 FTOX_D, fcvt.w.d, 0x7fffffff,NV, 0x7fffffff,NX, 0x7fffffff,NX, 0x7fffffff,NV, 0x7fffffff,NV, 0x41dfffffffe00000
	RM5 FTOX_D, fcvt.w.d, INT32_MIN_X,NX, INT32_MIN_X,NX, INT32_MIN_X,NV, INT32_MIN_X,NX, INT32_MIN_X,NV, 0xc1e0000000100000
	RM5 FTOX_D, fcvt.w.d, 2,NX, 1,NX, 1,NX, 2,NX, 2,NX, 0x3ff8000000000000
	RM5 FTOX_D, fcvt.w.d, 0,NX, 0,NX, M1,NX, 0,NX, M1,NX, 0xbfe0000000000000
	FTOX_D fcvt.w.d, rtz, 0x7fffffff, 0, 0x41dfffffffc00000
	FTOX_D fcvt.w.d, rtz, 0x7fffffff, NV, 0x4202a05f20000000
	FTOX_D fcvt.w.d, rtz, 0x7fffffff, NV, QNAN_D
	FTOX_D fcvt.w.d, rtz, 0x7fffffff, NV, D_SNAN
	FTOX_D fcvt.w.d, rtz, INT32_MIN_X, NV, D_NINF

	/* ---- fcvt.wu.d */
	RM5 FTOX_D, fcvt.wu.d, M1,NV, M1,NX, M1,NX, M1,NV, M1,NV, 0x41effffffff00000
	RM5 FTOX_D, fcvt.wu.d, 0,NX, 0,NX, 0,NV, 0,NX, 0,NV, 0xbfe0000000000000
	FTOX_D fcvt.wu.d, rtz, M1, 0, 0x41efffffffe00000
	FTOX_D fcvt.wu.d, rtz, INT32_MIN_X, 0, 0x41e0000000000000
	FTOX_D fcvt.wu.d, rtz, 0, NV, D_NONE
	FTOX_D fcvt.wu.d, rtz, M1, NV, QNAN_D
	FTOX_D fcvt.wu.d, rtz, 0, NV, D_NINF

	/* ---- fcvt.l.d */
	RM5 FTOX_D, fcvt.l.d, 0,NX, 0,NX, 0,NX, 1,NX, 1,NX, D_HALF
	RM5 FTOX_D, fcvt.l.d, M2,NX, M2,NX, M3,NX, M2,NX, M3,NX, 0xc004000000000000
	FTOX_D fcvt.l.d, rtz, 0x7ffffffffffffc00, 0, 0x43dfffffffffffff
	FTOX_D fcvt.l.d, rtz, 0x8000000000000000, 0, 0xc3e0000000000000
	FTOX_D fcvt.l.d, rtz, 0x7fffffffffffffff, NV, 0x43e0000000000000
	FTOX_D fcvt.l.d, rtz, 0x8000000000000000, NV, 0xc3e0000000000001
	FTOX_D fcvt.l.d, rtz, 0x7fffffffffffffff, NV, D_INF
	FTOX_D fcvt.l.d, rtz, 0x8000000000000000, NV, D_NINF
	FTOX_D fcvt.l.d, rtz, 0x7fffffffffffffff, NV, D_NQNAN

	/* ---- fcvt.lu.d */
	RM5 FTOX_D, fcvt.lu.d, 2,NX, 1,NX, 1,NX, 2,NX, 2,NX, 0x3ff8000000000000
	RM5 FTOX_D, fcvt.lu.d, 0,NX, 0,NX, 0,NV, 0,NX, 0,NV, 0xbfe0000000000000
	FTOX_D fcvt.lu.d, rtz, 0xfffffffffffff800, 0, 0x43efffffffffffff
	FTOX_D fcvt.lu.d, rtz, M1, NV, 0x43f0000000000000
	FTOX_D fcvt.lu.d, rtz, 0, 0, D_NZERO
	FTOX_D fcvt.lu.d, rtz, 0, NV, D_NONE
	FTOX_D fcvt.lu.d, rtz, M1, NV, D_SNAN

	/* ---- integer to single */
	RM5 XTOF_S, fcvt.s.w, 0x4f000000,NX, 0x4effffff,NX, 0x4effffff,NX, 0x4f000000,NX, 0x4f000000,NX, 0x7fffffff
	RM5 XTOF_S, fcvt.s.w, 0xcf000000,NX, 0xceffffff,NX, 0xcf000000,NX, 0xceffffff,NX, 0xcf000000,NX, 0xffffffff80000001
	RM5 XTOF_S, fcvt.s.w, 0x4b800000,NX, 0x4b800000,NX, 0x4b800000,NX, 0x4b800001,NX, 0x4b800001,NX, 0x1000001
	RM5 XTOF_S, fcvt.s.w, 0x4b800002,NX, 0x4b800001,NX, 0x4b800001,NX, 0x4b800002,NX, 0x4b800002,NX, 0x1000003
	XTOF_S fcvt.s.w, rne, S_NONE, 0, -1
	XTOF_S fcvt.s.w, rne, S_ZERO, 0, 0
	XTOF_S fcvt.s.w, rne, S_ONE, 0, 0x100000001
	XTOF_S fcvt.s.w, rne, 0xcf000000, 0, 0x80000000
	RM5 XTOF_S, fcvt.s.wu, 0x4f800000,NX, 0x4f7fffff,NX, 0x4f7fffff,NX, 0x4f800000,NX, 0x4f800000,NX, 0xffffffff
	XTOF_S fcvt.s.wu, rne, S_THREE, 0, 0xffffffff00000003
	XTOF_S fcvt.s.wu, rne, 0x4f000000, 0, 0x80000000
	RM5 XTOF_S, fcvt.s.l, 0x5f000000,NX, 0x5effffff,NX, 0x5effffff,NX, 0x5f000000,NX, 0x5f000000,NX, 0x7fffffffffffffff
	RM5 XTOF_S, fcvt.s.l, 0x4f800000,NX, 0x4f800000,NX, 0x4f800000,NX, 0x4f800001,NX, 0x4f800000,NX, 0x100000001
	XTOF_S fcvt.s.l, rne, 0xdf000000, 0, 0x8000000000000000
	XTOF_S fcvt.s.l, rne, S_NONE, 0, -1
	RM5 XTOF_S, fcvt.s.lu, 0x5f800000,NX, 0x5f7fffff,NX, 0x5f7fffff,NX, 0x5f800000,NX, 0x5f800000,NX, 0xffffffffffffffff
	XTOF_S fcvt.s.lu, rne, 0x5f000000, 0, 0x8000000000000000

	/* ---- integer to double */
	XTOF_D fcvt.d.w, , 0x41dfffffffc00000, 0, 0x7fffffff
	XTOF_D fcvt.d.w, , D_NONE, 0, -1
	XTOF_D fcvt.d.w, , 0xc1e0000000000000, 0, 0x80000000
	XTOF_D fcvt.d.w, , 0x4014000000000000, 0, 0x100000005
	XTOF_D fcvt.d.wu, , 0x41efffffffe00000, 0, 0xffffffff
	XTOF_D fcvt.d.wu, , 0x4014000000000000, 0, 0xffffffff00000005
	RM5 XTOF_D, fcvt.d.l, 0x4340000000000000,NX, 0x4340000000000000,NX, 0x4340000000000000,NX, 0x4340000000000001,NX, 0x4340000000000001,NX, 0x20000000000001
	RM5 XTOF_D, fcvt.d.l, 0x4340000000000002,NX, 0x4340000000000001,NX, 0x4340000000000001,NX, 0x4340000000000002,NX, 0x4340000000000002,NX, 0x20000000000003
	RM5 XTOF_D, fcvt.d.l, 0x43e0000000000000,NX, 0x43dfffffffffffff,NX, 0x43dfffffffffffff,NX, 0x43e0000000000000,NX, 0x43e0000000000000,NX, 0x7fffffffffffffff
	XTOF_D fcvt.d.l, rne, 0xc3e0000000000000, 0, 0x8000000000000000
	XTOF_D fcvt.d.l, rne, D_NONE, 0, -1
	RM5 XTOF_D, fcvt.d.lu, 0x43f0000000000000,NX, 0x43efffffffffffff,NX, 0x43efffffffffffff,NX, 0x43f0000000000000,NX, 0x43f0000000000000,NX, 0xffffffffffffffff
	XTOF_D fcvt.d.lu, rne, 0x43e0000000000000, 0, 0x8000000000000000

	/* ---- fcvt.s.d */
	RM5 FT1_DS, fcvt.s.d, 0x3eaaaaab,NX, 0x3eaaaaaa,NX, 0x3eaaaaaa,NX, 0x3eaaaaab,NX, 0x3eaaaaab,NX, 0x3fd5555555555555
	RM5 FT1_DS, fcvt.s.d, S_INF,OF|NX, S_MAX,OF|NX, S_MAX,OF|NX, S_INF,OF|NX, S_INF,OF|NX, D_MAX
	RM5 FT1_DS, fcvt.s.d, S_NINF,OF|NX, S_NMAX,OF|NX, S_NINF,OF|NX, S_NMAX,OF|NX, S_NINF,OF|NX, D_NMAX
	/* S_MAX + half its ulp: RNE/RMM round up to 2^128 and overflow */
	RM5 FT1_DS, fcvt.s.d, S_INF,OF|NX, S_MAX,NX, S_MAX,NX, S_INF,OF|NX, S_INF,OF|NX, 0x47effffff0000000
	RM5 FT1_DS, fcvt.s.d, S_ZERO,UF|NX, S_ZERO,UF|NX, S_ZERO,UF|NX, S_MINSUB,UF|NX, S_ZERO,UF|NX, 0x01a56e1fc2f8f359
	RM5 FT1_DS, fcvt.s.d, S_ZERO,UF|NX, S_ZERO,UF|NX, S_ZERO,UF|NX, S_MINSUB,UF|NX, S_MINSUB,UF|NX, 0x3690000000000000
	RM5 FT1_DS, fcvt.s.d, S_ONE,NX, S_ONE,NX, S_ONE,NX, 0x3f800001,NX, 0x3f800001,NX, 0x3ff0000010000000
	FT1_DS fcvt.s.d, rne, S_MAX, 0, 0x47efffffe0000000
	FT1_DS fcvt.s.d, rne, S_MINSUB, 0, 0x36a0000000000000
	FT1_DS fcvt.s.d, rne, 0x3fc00000, 0, 0x3ff8000000000000
	FT1_DS fcvt.s.d, rne, S_NZERO, 0, D_NZERO
	FT1_DS fcvt.s.d, rne, S_NINF, 0, D_NINF
	FT1_DS fcvt.s.d, rne, QNAN_S, NV, D_SNAN
	FT1_DS fcvt.s.d, rne, QNAN_S, 0, D_QNANP
	FT1_DS fcvt.s.d, rne, QNAN_S, 0, D_NQNAN

	/* ---- fcvt.d.s: always exact */
	FT1_SD fcvt.d.s, , D_ONE, 0, S_ONE
	FT1_SD fcvt.d.s, , 0x3fd5555560000000, 0, 0x3eaaaaab
	/*
	 * Exact conversions still have an rm field that must decode as usual;
	 * the assembler only emits rne, so other modes are encoded by hand.
	 */
	LOAD_S ft1, 0x3eaaaaab
	fsflags x0
	.insn r 0x53, RM_RTZ, 0x21, ft0, ft1, f0	/* fcvt.d.s ft0, ft1, rtz */
	FCHECK_D 0x3fd5555560000000, 0, "fcvt.d.s 0x3eaaaaab rtz"
	li t1, -7
	fsflags x0
	.insn r 0x53, RM_RUP, 0x69, ft0, t1, x0		/* fcvt.d.w ft0, t1, rup */
	FCHECK_D 0xc01c000000000000, 0, "fcvt.d.w -7 rup"
	li t1, 7
	fsflags x0
	.insn r 0x53, RM_RMM, 0x69, ft0, t1, x1		/* fcvt.d.wu ft0, t1, rmm */
	FCHECK_D 0x401c000000000000, 0, "fcvt.d.wu 7 rmm"
	FT1_SD fcvt.d.s, , 0x36a0000000000000, 0, S_MINSUB
	FT1_SD fcvt.d.s, , 0x47efffffe0000000, 0, S_MAX
	FT1_SD fcvt.d.s, , D_INF, 0, S_INF
	FT1_SD fcvt.d.s, , D_NZERO, 0, S_NZERO
	FT1_SD fcvt.d.s, , QNAN_D, NV, S_SNAN
	FT1_SD fcvt.d.s, , QNAN_D, 0, S_QNANP
	FT1_SD fcvt.d.s, , QNAN_D, 0, S_NQNAN
TEST_END
