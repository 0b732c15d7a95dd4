/*
 * Macros shared by the ISA conformance programs (see lib.S for the runtime).
 *
 * Every case loads its operands, executes the instruction under test, and
 * compares the result with an expectation written in the test source, worked
 * out by hand from the RISC-V unprivileged specification.  Each case prints
 * one line, "ok <case> <value>" or "FAIL <case>: got ... want ...", so the
 * whole output doubles as a value dump that run.sh compares between
 * qemu-riscv64 and mvm.
 *
 * Register use: cases load operands into t1..t3 / ft1..ft3, write results to
 * t0 / ft0, and hand them to check / check_fp in a0..a4.  sp must be valid
 * whenever a check runs.  Base-ISA programs are assembled with norvc so that a
 * fault in the C extension shows up only in rvc.S.
 */

/* fflags bits (unprivileged spec, "Floating-Point Control and Status") */
#define NX 0x01
#define UF 0x02
#define OF 0x04
#define DZ 0x08
#define NV 0x10

/* frm encodings */
#define RM_RNE 0
#define RM_RTZ 1
#define RM_RDN 2
#define RM_RUP 3
#define RM_RMM 4

/* Canonical NaNs and NaN-boxing of singles in 64-bit registers */
#define QNAN_S 0x7fc00000
#define QNAN_D 0x7ff8000000000000
#define BOX    0xffffffff00000000

/* binary32 bit patterns */
#define S_ZERO   0x00000000
#define S_NZERO  0x80000000
#define S_ONE    0x3f800000
#define S_NONE   0xbf800000
#define S_TWO    0x40000000
#define S_THREE  0x40400000
#define S_HALF   0x3f000000
#define S_INF    0x7f800000
#define S_NINF   0xff800000
#define S_MAX    0x7f7fffff	/* largest finite */
#define S_NMAX   0xff7fffff
#define S_MINN   0x00800000	/* smallest normal, 2^-126 */
#define S_MINSUB 0x00000001	/* smallest subnormal, 2^-149 */
#define S_SNAN   0x7f800001	/* signalling NaN (quiet bit clear) */
#define S_QNANP  0x7fc12345	/* quiet NaN with a payload */
#define S_NQNAN  0xffc00000	/* negative quiet NaN */

/* binary64 bit patterns */
#define D_ZERO   0x0000000000000000
#define D_NZERO  0x8000000000000000
#define D_ONE    0x3ff0000000000000
#define D_NONE   0xbff0000000000000
#define D_TWO    0x4000000000000000
#define D_THREE  0x4008000000000000
#define D_HALF   0x3fe0000000000000
#define D_INF    0x7ff0000000000000
#define D_NINF   0xfff0000000000000
#define D_MAX    0x7fefffffffffffff
#define D_NMAX   0xffefffffffffffff
#define D_MINN   0x0010000000000000	/* 2^-1022 */
#define D_MINSUB 0x0000000000000001	/* 2^-1074 */
#define D_SNAN   0x7ff0000000000001
#define D_QNANP  0x7ff8000000012345
#define D_NQNAN  0xfff8000000000000

	.macro TEST_BEGIN
	.option norvc
	.text
	.globl _start
_start:
	/* the linker relaxes accesses near __global_pointer$ to gp-relative */
	.option push
	.option norelax
	lla gp, __global_pointer$
	.option pop
	.endm

	.macro TEST_END
	call test_done
	.endm

/* NAME reg, "text": reg = address of a NUL-terminated string */
	.macro NAME reg, str
	.pushsection .rodata.names, "a"
.Lname\@:
	.asciz "\str"
	.popsection
	lla \reg, .Lname\@
	.endm

/* CHECK reg, want, "name": compare an integer register with a constant */
	.macro CHECK reg, want, name
	mv a0, \reg
	li a1, \want
	NAME a2, "\name"
	call check
	.endm

/* CHECK_EQ reg_got, reg_want, "name": compare two registers */
	.macro CHECK_EQ got, want, name
	mv a0, \got
	mv a1, \want
	NAME a2, "\name"
	call check
	.endm

/* PASS_IF_ZERO reg, "name": the case passes when reg == 0 */
	.macro PASS_IF_ZERO reg, name
	mv a0, \reg
	li a1, 0
	NAME a2, "\name"
	call check
	.endm

/* ---------------------------------------------------------------- integer */

/* TEST_RR op, want, a, b:  op t0, t1=a, t2=b */
	.macro TEST_RR op, want, a, b
	li t1, \a
	li t2, \b
	\op t0, t1, t2
	CHECK t0, \want, "\op \a \b"
	.endm

/* TEST_IMM op, want, a, imm:  op t0, t1=a, imm */
	.macro TEST_IMM op, want, a, imm
	li t1, \a
	\op t0, t1, \imm
	CHECK t0, \want, "\op \a \imm"
	.endm

/* TEST_R op, want, a:  op t0, t1=a  (one source register) */
	.macro TEST_R op, want, a
	li t1, \a
	\op t0, t1
	CHECK t0, \want, "\op \a"
	.endm

/* Register-overlap forms: rd == rs1, rd == rs2, rs1 == rs2 == rd */
	.macro TEST_RR_SRC1_EQ_DEST op, want, a, b
	li t1, \a
	li t2, \b
	\op t1, t1, t2
	CHECK t1, \want, "\op rd=rs1 \a \b"
	.endm

	.macro TEST_RR_SRC2_EQ_DEST op, want, a, b
	li t1, \a
	li t2, \b
	\op t2, t1, t2
	CHECK t2, \want, "\op rd=rs2 \a \b"
	.endm

	.macro TEST_RR_SRC12_EQ_DEST op, want, a
	li t1, \a
	\op t1, t1, t1
	CHECK t1, \want, "\op rd=rs1=rs2 \a"
	.endm

	.macro TEST_IMM_SRC1_EQ_DEST op, want, a, imm
	li t1, \a
	\op t1, t1, \imm
	CHECK t1, \want, "\op rd=rs1 \a \imm"
	.endm

/* x0 as destination: the result is discarded, x0 still reads zero */
	.macro TEST_RR_ZERODEST op, a, b
	li t1, \a
	li t2, \b
	\op x0, t1, t2
	CHECK x0, 0, "\op rd=x0 \a \b"
	.endm

/* x0 as a source reads zero */
	.macro TEST_RR_ZEROSRC1 op, want, b
	li t2, \b
	\op t0, x0, t2
	CHECK t0, \want, "\op rs1=x0 \b"
	.endm

	.macro TEST_RR_ZEROSRC2 op, want, a
	li t1, \a
	\op t0, t1, x0
	CHECK t0, \want, "\op \a rs2=x0"
	.endm

/* ------------------------------------------------------- floating point */

/* Load raw bit patterns into FP registers (singles NaN-boxed by fmv.w.x). */
	.macro LOAD_S freg, bits
	li t6, \bits
	fmv.w.x \freg, t6
	.endm

	.macro LOAD_D freg, bits
	li t6, \bits
	fmv.d.x \freg, t6
	.endm

/* Execute op with or without a static rounding-mode operand. */
	.macro FOP1 op, rd, rs1, rm
	.ifb \rm
	\op \rd, \rs1
	.else
	\op \rd, \rs1, \rm
	.endif
	.endm

	.macro FOP2 op, rd, rs1, rs2, rm
	.ifb \rm
	\op \rd, \rs1, \rs2
	.else
	\op \rd, \rs1, \rs2, \rm
	.endif
	.endm

	.macro FOP3 op, rd, rs1, rs2, rs3, rm
	.ifb \rm
	\op \rd, \rs1, \rs2, \rs3
	.else
	\op \rd, \rs1, \rs2, \rs3, \rm
	.endif
	.endm

/*
 * Report an FP register result: the whole 64-bit register is compared, so a
 * single-precision result must also be NaN-boxed (upper 32 bits all ones).
 * want is the 32-bit (or 64-bit) pattern; flags the exact fflags expected.
 */
	.macro FCHECK_S want, flags, name
	frflags a3
	fmv.x.d a0, ft0
	li a1, (BOX | (\want))
	li a4, \flags
	NAME a2, "\name"
	call check_fp
	.endm

	.macro FCHECK_D want, flags, name
	frflags a3
	fmv.x.d a0, ft0
	li a1, \want
	li a4, \flags
	NAME a2, "\name"
	call check_fp
	.endm

/* Integer-result FP cases (compare, classify, convert to integer). */
	.macro FCHECK_X want, flags, name
	frflags a3
	mv a0, t0
	li a1, \want
	li a4, \flags
	NAME a2, "\name"
	call check_fp
	.endm

/*
 * The FP case macros below share one shape:
 *   KIND op, rm, want, flags, operands..., note
 * rm is a static rounding mode (rne, rtz, rdn, rup, rmm), dyn, or empty for
 * instructions without one; note is appended to the case name.  fflags is
 * cleared before the instruction and must equal flags afterwards.
 */

/* FT1_S / FT1_D:  op ft0, ft1=a [, rm]   (fsqrt) */
	.macro FT1_S op, rm, want, flags, a, note
	LOAD_S ft1, \a
	fsflags x0
	FOP1 \op, ft0, ft1, \rm
	FCHECK_S \want, \flags, "\op \a \rm\note"
	.endm

	.macro FT1_D op, rm, want, flags, a, note
	LOAD_D ft1, \a
	fsflags x0
	FOP1 \op, ft0, ft1, \rm
	FCHECK_D \want, \flags, "\op \a \rm\note"
	.endm

/* FT1_SD: single operand, double result (fcvt.d.s); FT1_DS the reverse */
	.macro FT1_SD op, rm, want, flags, a, note
	LOAD_S ft1, \a
	fsflags x0
	FOP1 \op, ft0, ft1, \rm
	FCHECK_D \want, \flags, "\op \a \rm\note"
	.endm

	.macro FT1_DS op, rm, want, flags, a, note
	LOAD_D ft1, \a
	fsflags x0
	FOP1 \op, ft0, ft1, \rm
	FCHECK_S \want, \flags, "\op \a \rm\note"
	.endm

/* FT2_S / FT2_D:  op ft0, ft1=a, ft2=b [, rm] */
	.macro FT2_S op, rm, want, flags, a, b, note
	LOAD_S ft1, \a
	LOAD_S ft2, \b
	fsflags x0
	FOP2 \op, ft0, ft1, ft2, \rm
	FCHECK_S \want, \flags, "\op \a \b \rm\note"
	.endm

	.macro FT2_D op, rm, want, flags, a, b, note
	LOAD_D ft1, \a
	LOAD_D ft2, \b
	fsflags x0
	FOP2 \op, ft0, ft1, ft2, \rm
	FCHECK_D \want, \flags, "\op \a \b \rm\note"
	.endm

/* FT3_S / FT3_D:  op ft0, ft1=a, ft2=b, ft3=c [, rm]   (fused multiply-add) */
	.macro FT3_S op, rm, want, flags, a, b, c, note
	LOAD_S ft1, \a
	LOAD_S ft2, \b
	LOAD_S ft3, \c
	fsflags x0
	FOP3 \op, ft0, ft1, ft2, ft3, \rm
	FCHECK_S \want, \flags, "\op \a \b \c \rm\note"
	.endm

	.macro FT3_D op, rm, want, flags, a, b, c, note
	LOAD_D ft1, \a
	LOAD_D ft2, \b
	LOAD_D ft3, \c
	fsflags x0
	FOP3 \op, ft0, ft1, ft2, ft3, \rm
	FCHECK_D \want, \flags, "\op \a \b \c \rm\note"
	.endm

/* FCMP_S / FCMP_D:  op t0, ft1=a, ft2=b   (feq, flt, fle: integer result) */
	.macro FCMP_S op, rm, want, flags, a, b, note
	LOAD_S ft1, \a
	LOAD_S ft2, \b
	fsflags x0
	\op t0, ft1, ft2
	FCHECK_X \want, \flags, "\op \a \b\note"
	.endm

	.macro FCMP_D op, rm, want, flags, a, b, note
	LOAD_D ft1, \a
	LOAD_D ft2, \b
	fsflags x0
	\op t0, ft1, ft2
	FCHECK_X \want, \flags, "\op \a \b\note"
	.endm

/* FTOX_S / FTOX_D:  op t0, ft1=a [, rm]   (fcvt to integer, fclass) */
	.macro FTOX_S op, rm, want, flags, a, note
	LOAD_S ft1, \a
	fsflags x0
	FOP1 \op, t0, ft1, \rm
	FCHECK_X \want, \flags, "\op \a \rm\note"
	.endm

	.macro FTOX_D op, rm, want, flags, a, note
	LOAD_D ft1, \a
	fsflags x0
	FOP1 \op, t0, ft1, \rm
	FCHECK_X \want, \flags, "\op \a \rm\note"
	.endm

/* XTOF_S / XTOF_D:  op ft0, t1=a [, rm]   (fcvt from integer) */
	.macro XTOF_S op, rm, want, flags, a, note
	li t1, \a
	fsflags x0
	FOP1 \op, ft0, t1, \rm
	FCHECK_S \want, \flags, "\op \a \rm\note"
	.endm

	.macro XTOF_D op, rm, want, flags, a, note
	li t1, \a
	fsflags x0
	FOP1 \op, ft0, t1, \rm
	FCHECK_D \want, \flags, "\op \a \rm\note"
	.endm

/*
 * RM5 kind, op, rne, frne, rtz, frtz, rdn, frdn, rup, frup, rmm, frmm, operands
 * runs one case in each of the five static rounding modes, then again with
 * rm = dyn after setting frm to each mode, with the expected value and
 * flags given per mode.  frm is left at RNE.
 */
	.macro RM5 kind, op, rne, frne, rtz, frtz, rdn, frdn, rup, frup, rmm, frmm, args:vararg
	\kind \op, rne, \rne, \frne, \args,
	\kind \op, rtz, \rtz, \frtz, \args,
	\kind \op, rdn, \rdn, \frdn, \args,
	\kind \op, rup, \rup, \frup, \args,
	\kind \op, rmm, \rmm, \frmm, \args,
	fsrmi RM_RNE
	\kind \op, dyn, \rne, \frne, \args, " frm=rne"
	fsrmi RM_RTZ
	\kind \op, dyn, \rtz, \frtz, \args, " frm=rtz"
	fsrmi RM_RDN
	\kind \op, dyn, \rdn, \frdn, \args, " frm=rdn"
	fsrmi RM_RUP
	\kind \op, dyn, \rup, \frup, \args, " frm=rup"
	fsrmi RM_RMM
	\kind \op, dyn, \rmm, \frmm, \args, " frm=rmm"
	fsrmi RM_RNE
	.endm

/* --------------------------------------------------- differential dumps */

/* DUMP_BEGIN "label": start a labelled group of dumped values */
	.macro DUMP_BEGIN label
	NAME a0, "\label"
	call dump_begin
	.endm

/* DUMP reg: print reg as hex for the qemu/mvm comparison */
	.macro DUMP reg
	mv a0, \reg
	call dump_val
	.endm
