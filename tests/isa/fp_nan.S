/*
 * NaN boxing, canonical NaNs, moves, sign injection, classification and FP
 * loads/stores (unprivileged spec, "NaN Boxing of Narrower Values" in the D
 * chapter, and the F/D chapters).
 *
 * Transfers (flw/fsw, fmv.w.x/fmv.x.w) never look at the upper 32 bits:
 * flw and fmv.w.x write a NaN-boxed value, fsw and fmv.x.w use the low 32
 * bits (fmv.x.w sign-extends them).  Every other single-precision operation
 * treats an operand whose upper 32 bits are not all ones as the canonical
 * NaN 0x7fc00000 - a quiet NaN, so it raises no flag by itself.  Loads,
 * stores, moves and sign injection keep NaN payloads; arithmetic returns the
 * canonical NaN.  fclass sets exactly one of ten bits and no flag.
 */
#include "test.h"

	.bss
	.balign 4096
mem:	.space 4096

	.text

/* LOAD_RAW freg, bits64: put an arbitrary 64-bit pattern in an FP register */
	.macro LOAD_RAW freg, bits
	li t6, \bits
	fmv.d.x \freg, t6
	.endm

/* UNBOXED_S op, rm, want, flags, raw_a, b: op ft0, ft1=raw 64-bit, ft2=b */
	.macro UNBOXED_S op, rm, want, flags, a, b
	LOAD_RAW ft1, \a
	LOAD_S ft2, \b
	fsflags x0
	FOP2 \op, ft0, ft1, ft2, \rm
	FCHECK_S \want, \flags, "\op unboxed \a \b"
	.endm

	.macro FCLASS_S want, a
	FTOX_S fclass.s, , \want, 0, \a
	.endm

	.macro FCLASS_D want, a
	FTOX_D fclass.d, , \want, 0, \a
	.endm

TEST_BEGIN
	lla s1, mem

	/* ---- transfers into and out of the FP registers */
	li t1, 0xdeadbeef3f800000
	fmv.w.x ft0, t1
	fmv.x.d t0, ft0
	CHECK t0, 0xffffffff3f800000, "fmv.w.x boxes the low word"
	LOAD_S ft1, 0x80000000
	fmv.x.w t0, ft1
	CHECK t0, 0xffffffff80000000, "fmv.x.w sign-extends"
	LOAD_S ft1, S_QNANP
	fmv.x.w t0, ft1
	CHECK t0, S_QNANP, "fmv.x.w keeps a NaN payload"
	LOAD_S ft1, 0xff800001
	fmv.x.w t0, ft1
	CHECK t0, 0xffffffffff800001, "fmv.x.w negative sNaN"
	LOAD_RAW ft1, 0x123456783f800000
	fmv.x.w t0, ft1
	CHECK t0, 0x3f800000, "fmv.x.w ignores the upper half"
	LOAD_RAW ft1, 0x00000000bf800000
	fmv.x.w t0, ft1
	CHECK t0, 0xffffffffbf800000, "fmv.x.w unboxed negative"
	LOAD_RAW ft1, D_SNAN
	fmv.x.d t0, ft1
	CHECK t0, D_SNAN, "fmv.d.x/fmv.x.d keep an sNaN"
	LOAD_RAW ft1, 0xfff8000000abcdef
	fmv.x.d t0, ft1
	CHECK t0, 0xfff8000000abcdef, "fmv.x.d keeps a payload"

	/* flw boxes and keeps the payload; fsw stores the low word */
	li t1, 0x5555555555555555
	sd t1, 0(s1)
	li t1, 0x7f800001
	sw t1, 4(s1)
	fsflags x0
	flw ft0, 4(s1)
	frflags s2
	fmv.x.d t0, ft0
	CHECK t0, 0xffffffff7f800001, "flw sNaN boxed, payload kept"
	CHECK s2, 0, "flw raises no flag"
	LOAD_RAW ft1, 0x123456783f800000
	fsw ft1, 0(s1)
	ld t0, 0(s1)
	CHECK t0, 0x7f8000013f800000, "fsw stores only the low word"
	li t1, D_SNAN
	sd t1, 8(s1)
	fsflags x0
	fld ft2, 8(s1)
	fsd ft2, 16(s1)
	frflags s2
	ld t0, 16(s1)
	CHECK t0, D_SNAN, "fld/fsd keep an sNaN"
	CHECK s2, 0, "fld/fsd raise no flag"
	addi s3, s1, 64
	li t1, 0x400921fb54442d18
	sd t1, -40(s3)
	fld ft3, -40(s3)
	fsd ft3, 2040(s1)
	ld t0, 2040(s1)
	CHECK t0, 0x400921fb54442d18, "fld/fsd with offsets"
	flw ft4, -36(s3)
	fmv.x.d t0, ft4
	CHECK t0, 0xffffffff400921fb, "flw upper word, negative offset"
	/* misaligned FP accesses are completed by the environment on Linux */
	li t1, 0x0102030405060708
	sd t1, 40(s1)
	sd t1, 48(s1)
	fld ft5, 43(s1)
	fmv.x.d t0, ft5
	CHECK t0, 0x0607080102030405, "misaligned fld"
	flw ft5, 45(s1)
	fmv.x.d t0, ft5
	CHECK t0, 0xffffffff08010203, "misaligned flw"
	LOAD_RAW ft6, 0xa1a2a3a4a5a6a7a8
	fsd ft6, 57(s1)
	ld t0, 56(s1)
	CHECK t0, 0xa2a3a4a5a6a7a800, "misaligned fsd"

	/* ---- a non-boxed single operand reads as the canonical NaN */
	UNBOXED_S fadd.s, rne, QNAN_S, 0, 0x000000003f800000, S_ONE
	UNBOXED_S fadd.s, rne, QNAN_S, 0, 0xfffffffe3f800000, S_ONE
	UNBOXED_S fadd.s, rne, QNAN_S, 0, 0x7fffffff3f800000, S_ONE
	UNBOXED_S fmul.s, rne, QNAN_S, 0, 0x0000000000000000, S_ZERO
	UNBOXED_S fmin.s, , S_TWO, 0, 0x000000003f800000, S_TWO
	UNBOXED_S fmax.s, , S_NONE, 0, 0x00000000ff800000, S_NONE
	UNBOXED_S fsgnj.s, , 0xffc00000, 0, 0x000000003f800000, S_NONE
	UNBOXED_S fsgnjx.s, , 0xffc00000, 0, 0x00000000bf800000, S_NONE
	UNBOXED_S fsgnjn.s, , 0xffc00000, 0, 0x000000003f800000, S_ONE
	/* ... also as the second operand: its sign is that of 0x7fc00000 */
	LOAD_S ft1, S_NONE
	LOAD_RAW ft2, 0x00000000bf800000
	fsgnj.s ft0, ft1, ft2
	FCHECK_S S_ONE, 0, "fsgnj.s -1 unboxed(-1) takes a + sign"
	LOAD_S ft1, S_ONE
	fsgnjn.s ft0, ft1, ft2
	FCHECK_S S_NONE, 0, "fsgnjn.s 1 unboxed(-1)"
	LOAD_RAW ft1, 0x00000000bf800000
	fsgnj.s ft0, ft1, ft1
	FCHECK_S QNAN_S, 0, "fmv.s of an unboxed value"
	LOAD_RAW ft1, 0x0000000040000000
	fsflags x0
	fsqrt.s ft0, ft1
	FCHECK_S QNAN_S, 0, "fsqrt.s unboxed"
	LOAD_RAW ft1, 0x0000000040000000
	LOAD_S ft2, S_ONE
	fsflags x0
	fmadd.s ft0, ft2, ft2, ft1
	FCHECK_S QNAN_S, 0, "fmadd.s unboxed addend"
	LOAD_RAW ft1, 0x000000003f800000
	fsflags x0
	fclass.s t0, ft1
	FCHECK_X 0x200, 0, "fclass.s unboxed is a quiet NaN"
	fsflags x0
	feq.s t0, ft1, ft1
	FCHECK_X 0, 0, "feq.s unboxed quiet"
	fsflags x0
	fle.s t0, ft1, ft1
	FCHECK_X 0, NV, "fle.s unboxed signals"
	fsflags x0
	fcvt.w.s t0, ft1, rtz
	FCHECK_X 0x7fffffff, NV, "fcvt.w.s unboxed"
	fsflags x0
	fcvt.d.s ft0, ft1
	FCHECK_D QNAN_D, 0, "fcvt.d.s unboxed"
	/* a double operation reads all 64 bits, boxed single or not */
	LOAD_S ft1, S_ONE
	fsflags x0
	fclass.d t0, ft1
	FCHECK_X 0x200, 0, "fclass.d of a boxed single is a quiet NaN"

	/* ---- sign injection: no flags, no canonicalization */
	FT2_S fsgnj.s, , S_NONE, 0, S_ONE, S_NZERO
	FT2_S fsgnj.s, , S_ONE, 0, S_NONE, S_ZERO
	FT2_S fsgnjn.s, , S_NONE, 0, S_ONE, S_ZERO
	FT2_S fsgnjn.s, , S_ONE, 0, S_ONE, S_NINF
	FT2_S fsgnjx.s, , S_ONE, 0, S_NONE, S_NONE
	FT2_S fsgnjx.s, , S_NONE, 0, S_NONE, S_ONE
	FT2_S fsgnjx.s, , S_NONE, 0, S_ONE, S_NONE
	FT2_S fsgnj.s, , 0xff800001, 0, S_SNAN, S_NONE
	FT2_S fsgnjn.s, , 0xffc12345, 0, S_QNANP, S_QNANP
	FT2_S fsgnjx.s, , 0x7fc00000, 0, S_NQNAN, S_NQNAN
	FT2_D fsgnj.d, , D_NONE, 0, D_ONE, D_NZERO
	FT2_D fsgnjn.d, , 0xfff0000000000001, 0, D_SNAN, D_ONE
	FT2_D fsgnjn.d, , D_ONE, 0, D_ONE, D_NONE
	FT2_D fsgnjx.d, , D_ONE, 0, D_NONE, D_NONE
	FT2_D fsgnjx.d, , 0xfff8000000012345, 0, D_QNANP, D_NINF
	/* fabs/fneg pseudo-instructions */
	LOAD_S ft1, 0x80000001
	fabs.s ft0, ft1
	FCHECK_S 0x00000001, 0, "fabs.s"
	fneg.s ft0, ft1
	FCHECK_S 0x00000001, 0, "fneg.s"
	LOAD_D ft1, D_ONE
	fneg.d ft0, ft1
	FCHECK_D D_NONE, 0, "fneg.d"
	fabs.d ft0, ft0
	FCHECK_D D_ONE, 0, "fabs.d"

	/* ---- fclass: every class, both formats */
	FCLASS_S 0x001, S_NINF
	FCLASS_S 0x002, S_NONE
	FCLASS_S 0x002, S_NMAX
	FCLASS_S 0x004, 0x80000001
	FCLASS_S 0x004, 0x807fffff
	FCLASS_S 0x008, S_NZERO
	FCLASS_S 0x010, S_ZERO
	FCLASS_S 0x020, S_MINSUB
	FCLASS_S 0x020, 0x007fffff
	FCLASS_S 0x040, S_MINN
	FCLASS_S 0x040, S_MAX
	FCLASS_S 0x080, S_INF
	FCLASS_S 0x100, S_SNAN
	FCLASS_S 0x100, 0xffbfffff
	FCLASS_S 0x200, QNAN_S
	FCLASS_S 0x200, S_NQNAN
	FCLASS_S 0x200, 0x7fffffff
	FCLASS_D 0x001, D_NINF
	FCLASS_D 0x002, D_NONE
	FCLASS_D 0x004, 0x8000000000000001
	FCLASS_D 0x008, D_NZERO
	FCLASS_D 0x010, D_ZERO
	FCLASS_D 0x020, 0x000fffffffffffff
	FCLASS_D 0x040, D_MINN
	FCLASS_D 0x080, D_INF
	FCLASS_D 0x100, D_SNAN
	FCLASS_D 0x100, 0x7ff7ffffffffffff
	FCLASS_D 0x200, QNAN_D
	FCLASS_D 0x200, D_NQNAN
TEST_END
