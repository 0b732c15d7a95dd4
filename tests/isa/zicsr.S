/*
 * Zicsr on the user-level CSRs (unprivileged spec, "Zicsr" chapter and the
 * F chapter's fcsr description), plus the Zicntr counters.
 *
 * fcsr is frm (bits 7:5) and fflags (bits 4:0); fflags and frm are views of
 * the same bits, and bits 31:8 are ignored on write and read as zero.  Each
 * of csrrw/csrrs/csrrc and their immediate forms returns the old value and
 * writes the new one; csrrs/csrrc with rs1 = x0 (or uimm = 0) do not write,
 * which is what makes them legal on the read-only counters; csrrw with
 * rd = x0 does not read.  Flags accrue across instructions until cleared,
 * and dynamic rounding follows every change of frm.  cycle and instret
 * increase, time does not go backwards (exact instret counts: counters.S).
 */
#include "test.h"

TEST_BEGIN
	/* Linux starts a process with fcsr = 0 */
	frcsr t0
	CHECK t0, 0, "fcsr is 0 at process start"

	li t1, 0xffffffff
	csrrw s2, fcsr, t1
	CHECK s2, 0, "csrrw fcsr returns the old value"
	frcsr t0
	CHECK t0, 0xff, "fcsr bits 31:8 ignored"
	frflags t0
	CHECK t0, 0x1f, "fflags view of fcsr"
	frrm t0
	CHECK t0, 7, "frm view of fcsr"

	li t1, 0xfa
	csrrw s2, frm, t1
	CHECK s2, 7, "csrrw frm old"
	frcsr t0
	CHECK t0, 0x5f, "csrrw frm writes bits 2:0 only"
	li t1, 0xe5
	csrrw s2, fflags, t1
	CHECK s2, 0x1f, "csrrw fflags old"
	frcsr t0
	CHECK t0, 0x45, "csrrw fflags writes bits 4:0 only"

	li t1, 0x0a
	csrrs s2, fflags, t1
	CHECK s2, 0x05, "csrrs fflags old"
	frflags t0
	CHECK t0, 0x0f, "csrrs fflags sets"
	li t1, 0x03
	csrrc s2, fflags, t1
	CHECK s2, 0x0f, "csrrc fflags old"
	frflags t0
	CHECK t0, 0x0c, "csrrc fflags clears"
	csrrsi s2, fflags, 0x10
	CHECK s2, 0x0c, "csrrsi fflags old"
	frflags t0
	CHECK t0, 0x1c, "csrrsi fflags sets"
	csrrci s2, fflags, 0x04
	CHECK s2, 0x1c, "csrrci fflags old"
	frflags t0
	CHECK t0, 0x18, "csrrci fflags clears"

	csrrwi s2, frm, 3
	CHECK s2, 2, "csrrwi frm old"
	csrrsi s2, frm, 4
	CHECK s2, 3, "csrrsi frm old"
	frrm t0
	CHECK t0, 7, "csrrsi frm sets"
	csrrci s2, frm, 5
	CHECK s2, 7, "csrrci frm old"
	frrm t0
	CHECK t0, 2, "csrrci frm clears"
	csrrwi s2, fcsr, 0x1f
	CHECK s2, 0x58, "csrrwi fcsr old"
	frcsr t0
	CHECK t0, 0x1f, "csrrwi fcsr"

	/* rs1 = x0 / uimm = 0: read without writing */
	csrrs s2, fcsr, x0
	CHECK s2, 0x1f, "csrrs fcsr x0 reads"
	csrrc s2, fcsr, x0
	csrrsi s3, fcsr, 0
	csrrci s4, fcsr, 0
	frcsr t0
	CHECK t0, 0x1f, "csrrc/csrrsi/csrrci with zero do not write"
	CHECK s3, 0x1f, "csrrsi 0 reads"
	CHECK s4, 0x1f, "csrrci 0 reads"
	/* rd = x0 */
	li t1, 0x21
	csrrw x0, fcsr, t1
	CHECK x0, 0, "csrrw rd=x0 discarded"
	frcsr t0
	CHECK t0, 0x21, "csrrw rd=x0 writes"
	li t1, 0x6
	csrrs x0, fflags, t1
	frcsr t0
	CHECK t0, 0x27, "csrrs rd=x0 sets"
	li t1, 0xffffffffffffff00
	csrw fcsr, t1
	frcsr t0
	CHECK t0, 0, "fcsr upper bits only: reads 0"

	/* pseudo-instructions that swap */
	li t1, 3
	fsrm s2, t1
	CHECK s2, 0, "fsrm swaps frm (old)"
	li t1, 0x11
	fsflags s2, t1
	CHECK s2, 0, "fsflags swaps fflags (old)"
	li t1, 0
	fscsr s2, t1
	CHECK s2, 0x71, "fscsr swaps fcsr (old)"

	/* flags accrue until cleared */
	LOAD_S ft1, S_ONE
	LOAD_S ft2, S_THREE
	LOAD_S ft3, S_ZERO
	fsflags x0
	fdiv.s ft0, ft1, ft2		/* NX */
	fdiv.s ft4, ft1, ft3		/* DZ, ft4 = inf */
	fadd.s ft0, ft1, ft1		/* exact: no new flag */
	frflags t0
	CHECK t0, NX|DZ, "flags accrue"
	fmul.s ft0, ft3, ft4		/* 0 * inf: NV */
	frcsr t0
	CHECK t0, NV|NX|DZ, "flags accrue in fcsr"
	fsflags x0
	frflags t0
	CHECK t0, 0, "flags cleared"

	/* dynamic rounding follows frm, whichever CSR wrote it */
	LOAD_S ft2, 0x33800000		/* 1 + 2^-24 is a tie */
	li t1, RM_RUP << 5
	fscsr t1
	fadd.s ft0, ft1, ft2, dyn
	FCHECK_S 0x3f800001, NX, "fadd.s dyn after fscsr rup"
	fsrmi RM_RNE
	fsflags x0
	fadd.s ft0, ft1, ft2, dyn
	FCHECK_S S_ONE, NX, "fadd.s dyn after fsrmi rne"
	li t1, RM_RMM
	csrw frm, t1
	fsflags x0
	fadd.s ft0, ft1, ft2
	FCHECK_S 0x3f800001, NX, "fadd.s default rm is dyn (rmm)"
	fsrmi RM_RDN
	LOAD_S ft2, S_ONE
	fsflags x0
	fsub.s ft0, ft2, ft2
	FCHECK_S S_NZERO, 0, "fsub.s x - x dyn rdn is -0"
	fsrmi RM_RNE
	fsflags x0

	/* counters: cycle and instret increase, time does not decrease */
	rdcycle s2
	rdtime s3
	rdinstret s4
	li t0, 200
1:	addi t0, t0, -1
	bnez t0, 1b
	rdcycle s5
	rdtime s6
	rdinstret s7
	mv s8, s6
	sltu t0, s2, s5
	CHECK t0, 1, "cycle increases"
	sltu t0, s6, s3
	CHECK t0, 0, "time does not go backwards"
	sub t0, s7, s4
	sltiu t0, t0, 401
	CHECK t0, 0, "instret grows by at least the 400 loop instructions"
	/* csrrs/csrrsi/csrrci x0 forms are reads, legal on read-only CSRs */
	csrrs s2, instret, x0
	csrrsi s3, instret, 0
	csrrci s4, cycle, 0
	csrrs s5, cycle, x0
	csrr s6, time
	sltu t0, s2, s3
	CHECK t0, 1, "csrrsi instret 0 reads"
	sltu t0, s4, s5
	CHECK t0, 1, "csrrci cycle 0 reads"
	sltu t0, s6, s8
	CHECK t0, 0, "csrr time reads"
TEST_END
