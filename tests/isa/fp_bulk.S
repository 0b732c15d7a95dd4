/*
 * Differential FP cases: every F and D computational instruction over
 * pseudo-random operands (special values, subnormals, near and far
 * exponents) in every static rounding mode.  Each case dumps the whole
 * 64-bit result register (so NaN boxing is compared too) and fflags; qemu's
 * softfloat is the oracle.  The hand-worked cases live in the other fp_* and
 * rv64[fd]_* programs.
 *
 * In-guest, each group also checks invariants the spec guarantees for any
 * operands: fflags has only its five bits; a single result is NaN-boxed;
 * a NaN produced by arithmetic is the canonical NaN; a compare gives 0 or
 * 1; fclass sets exactly one of its ten bits.
 */
#include "test.h"

#define N 12

/* operand loaders: fs0..fs2 from the generators, preserved across calls */
	.macro RAND_S freg
	call rand_f32
	fmv.w.x \freg, a0
	.endm

	.macro RAND_D freg
	call rand_f64
	fmv.d.x \freg, a0
	.endm

	.text
/*
 * check_result(a0 = result bits, a1 = kind, a2 = fflags): 1 in a0 if an
 * invariant is broken.  kind: 0 integer (no constraint), 1 single, 2 single
 * from arithmetic, 3 double, 4 double from arithmetic, 5 compare, 6 fclass.
 */
check_result:
	srli t0, a2, 5
	bnez t0, 9f			/* fflags has 5 bits */
	li t0, 1
	beq a1, t0, 1f
	li t0, 2
	beq a1, t0, 1f
	li t0, 3
	beq a1, t0, 3f
	li t0, 4
	beq a1, t0, 3f
	li t0, 5
	beq a1, t0, 5f
	li t0, 6
	beq a1, t0, 6f
	j 8f
1:	srli t0, a0, 32			/* single: NaN-boxed */
	li t1, 0xffffffff
	bne t0, t1, 9f
	li t0, 2
	bne a1, t0, 8f
	slli t0, a0, 33			/* arithmetic NaN must be 0x7fc00000 */
	srli t0, t0, 33
	li t1, 0x7f800000
	bleu t0, t1, 8f
	slli t0, a0, 32
	srli t0, t0, 32
	li t1, 0x7fc00000
	bne t0, t1, 9f
	j 8f
3:	li t0, 4
	bne a1, t0, 8f
	slli t0, a0, 1
	li t1, 0xffe0000000000000
	bleu t0, t1, 8f
	li t1, 0x7ff8000000000000
	bne a0, t1, 9f
	j 8f
5:	li t0, 1
	bgtu a0, t0, 9f
	j 8f
6:	srli t0, a0, 10
	bnez t0, 9f
	beqz a0, 9f
	addi t0, a0, -1			/* exactly one bit: x & (x - 1) == 0 */
	and t0, t0, a0
	bnez t0, 9f
8:	li a0, 0
	ret
9:	li a0, 1
	ret

	/* RESULT_F / RESULT_X: dump a result and fflags, count broken invariants */
	.macro RESULT_F freg, kind
	frflags s2
	fmv.x.d s3, \freg
	mv a0, s3
	call dump_val
	mv a0, s2
	call dump_val
	mv a0, s3
	li a1, \kind
	mv a2, s2
	call check_result
	add s4, s4, a0
	.endm

	.macro RESULT_X reg, kind
	frflags s2
	mv s3, \reg
	mv a0, s3
	call dump_val
	mv a0, s2
	call dump_val
	mv a0, s3
	li a1, \kind
	mv a2, s2
	call check_result
	add s4, s4, a0
	.endm

	/* GROUP_BEGIN / GROUP_END: label a group; report its invariant count */
	.macro GROUP_BEGIN label
	DUMP_BEGIN "\label"
	li s4, 0
	li s1, N
	.endm

	.macro GROUP_END label
	CHECK s4, 0, "\label invariants"
	.endm

/* result kinds for check_result, by precision */
#define K_S 1
#define K_S_ARITH 2
#define K_D 3
#define K_D_ARITH 4
#define K_INT 0
#define K_CMP 5
#define K_CLASS 6

	/* B2 p, kind, op, rm: two FP operands, FP result */
	.macro B2 p, kind, op, rm
	GROUP_BEGIN "\op \rm"
.Lb\@:
	RAND_\p fs0
	RAND_\p fs1
	fsflags x0
	FOP2 \op, fs2, fs0, fs1, \rm
	RESULT_F fs2, \kind
	addi s1, s1, -1
	bnez s1, .Lb\@
	GROUP_END "\op \rm"
	.endm

	/* B1 p, kind, op, rm: one FP operand (of precision p), FP result */
	.macro B1 p, kind, op, rm
	GROUP_BEGIN "\op \rm"
.Lb\@:
	RAND_\p fs0
	fsflags x0
	FOP1 \op, fs2, fs0, \rm
	RESULT_F fs2, \kind
	addi s1, s1, -1
	bnez s1, .Lb\@
	GROUP_END "\op \rm"
	.endm

	/* B3 p, kind, op, rm: fused multiply-add */
	.macro B3 p, kind, op, rm
	GROUP_BEGIN "\op \rm"
.Lb\@:
	RAND_\p fs0
	RAND_\p fs1
	RAND_\p fs3
	fsflags x0
	FOP3 \op, fs2, fs0, fs1, fs3, \rm
	RESULT_F fs2, \kind
	addi s1, s1, -1
	bnez s1, .Lb\@
	GROUP_END "\op \rm"
	.endm

	/* BCMP p, op: integer result from two FP operands */
	.macro BCMP p, op
	GROUP_BEGIN "\op"
.Lb\@:
	RAND_\p fs0
	RAND_\p fs1
	fsflags x0
	\op s5, fs0, fs1
	RESULT_X s5, K_CMP
	addi s1, s1, -1
	bnez s1, .Lb\@
	GROUP_END "\op"
	.endm

	/* BTOX p, kind, op, rm: FP to integer */
	.macro BTOX p, kind, op, rm
	GROUP_BEGIN "\op \rm"
.Lb\@:
	RAND_\p fs0
	fsflags x0
	FOP1 \op, s5, fs0, \rm
	RESULT_X s5, \kind
	addi s1, s1, -1
	bnez s1, .Lb\@
	GROUP_END "\op \rm"
	.endm

	/* BXTOF kind, op, rm: integer to FP */
	.macro BXTOF kind, op, rm
	GROUP_BEGIN "\op \rm"
.Lb\@:
	call rand_operand
	fsflags x0
	FOP1 \op, fs2, a0, \rm
	RESULT_F fs2, \kind
	addi s1, s1, -1
	bnez s1, .Lb\@
	GROUP_END "\op \rm"
	.endm

	.macro ALL_RM what, args:vararg
	.irp rm, rne, rtz, rdn, rup, rmm
	\what \args, \rm
	.endr
	.endm

TEST_BEGIN
	/* ---- single */
	ALL_RM B2, S, K_S_ARITH, fadd.s
	ALL_RM B2, S, K_S_ARITH, fsub.s
	ALL_RM B2, S, K_S_ARITH, fmul.s
	ALL_RM B2, S, K_S_ARITH, fdiv.s
	ALL_RM B1, S, K_S_ARITH, fsqrt.s
	ALL_RM B3, S, K_S_ARITH, fmadd.s
	ALL_RM B3, S, K_S_ARITH, fmsub.s
	ALL_RM B3, S, K_S_ARITH, fnmsub.s
	ALL_RM B3, S, K_S_ARITH, fnmadd.s
	B2 S, K_S_ARITH, fmin.s
	B2 S, K_S_ARITH, fmax.s
	B2 S, K_S, fsgnj.s
	B2 S, K_S, fsgnjn.s
	B2 S, K_S, fsgnjx.s
	BCMP S, feq.s
	BCMP S, flt.s
	BCMP S, fle.s
	BTOX S, K_CLASS, fclass.s
	ALL_RM BTOX, S, K_INT, fcvt.w.s
	ALL_RM BTOX, S, K_INT, fcvt.wu.s
	ALL_RM BTOX, S, K_INT, fcvt.l.s
	ALL_RM BTOX, S, K_INT, fcvt.lu.s
	ALL_RM BXTOF, K_S_ARITH, fcvt.s.w
	ALL_RM BXTOF, K_S_ARITH, fcvt.s.wu
	ALL_RM BXTOF, K_S_ARITH, fcvt.s.l
	ALL_RM BXTOF, K_S_ARITH, fcvt.s.lu
	B1 S, K_D_ARITH, fcvt.d.s

	/* ---- double */
	ALL_RM B2, D, K_D_ARITH, fadd.d
	ALL_RM B2, D, K_D_ARITH, fsub.d
	ALL_RM B2, D, K_D_ARITH, fmul.d
	ALL_RM B2, D, K_D_ARITH, fdiv.d
	ALL_RM B1, D, K_D_ARITH, fsqrt.d
	ALL_RM B3, D, K_D_ARITH, fmadd.d
	ALL_RM B3, D, K_D_ARITH, fmsub.d
	ALL_RM B3, D, K_D_ARITH, fnmsub.d
	ALL_RM B3, D, K_D_ARITH, fnmadd.d
	B2 D, K_D_ARITH, fmin.d
	B2 D, K_D_ARITH, fmax.d
	B2 D, K_D, fsgnj.d
	B2 D, K_D, fsgnjn.d
	B2 D, K_D, fsgnjx.d
	BCMP D, feq.d
	BCMP D, flt.d
	BCMP D, fle.d
	BTOX D, K_CLASS, fclass.d
	ALL_RM BTOX, D, K_INT, fcvt.w.d
	ALL_RM BTOX, D, K_INT, fcvt.wu.d
	ALL_RM BTOX, D, K_INT, fcvt.l.d
	ALL_RM BTOX, D, K_INT, fcvt.lu.d
	BXTOF K_D, fcvt.d.w
	BXTOF K_D, fcvt.d.wu
	ALL_RM BXTOF, K_D_ARITH, fcvt.d.l
	ALL_RM BXTOF, K_D_ARITH, fcvt.d.lu
	ALL_RM B1, D, K_S_ARITH, fcvt.s.d
TEST_END
